// `callq import` on PostgreSQL (docs/design.md, "Imports on PostgreSQL"): imports serialise on an
// advisory lock held by the importing session; the rows are streamed with COPY into a temporary
// staging table; when the file has been read, suppressions, duplicates against the stored leads
// and repeats within the file are found with set-based SQL; the few rows whose fate depends on
// earlier rows of the file (a key shared with another row, a do-not-call flag, a merge) are
// decided in file order by the same rules as on SQLite (db/import-writer.ts); then one
// transaction inserts the new leads, applies the merges and the file's do-not-call flags and
// marks the batch complete. Nothing of a batch is visible before that commit, so a claim never
// sees half of one, and reps keep claiming and logging while it runs.
import { from as copyFrom } from 'pg-copy-streams';
import type { ClientBase } from 'pg';
import type { Writable } from 'node:stream';
import { identityKeys, matchPerson, repeatsMerged, type IdentityKeys, type PersonNames } from '../../core/identity.js';
import { leadSuppressionKeys, personSuppressionKeys, type SuppressionKey } from '../../core/suppression.js';
import { AT, LEAD_COLUMNS, MERGED_COLUMNS, TUPLE_COLUMNS, leadFromTuple, mergeRow, personOf, type LeadTuple, type MergedLead, type StoredLead } from '../../io/lead-record.js';
import type { ImportBegin, ImportWriter } from '../store/imports.js';
import { cleanupPgImports, describeCleanedBatch, lockImports, unlockImports } from './import-batches.js';
import { addSuppressionsPg, leadsReachedSql, reachedBy, suppressLeadsMatchingPg } from './suppressions.js';
import { waitingAsLongAsItTakes } from './session.js';
import { statementParams } from './statement-names.js';

const ROWS = 'callq_import_rows';
const NOTES = 'callq_import_notes';
const DECIDED = 'callq_import_decided';
const MERGES = 'callq_import_merges';

const NUMERIC: Record<string, string> = { score: 'integer', queue_rank: 'double precision' };
const columnType = (c: string) => NUMERIC[c] ?? 'text';

/** The columns of a stored lead a merge is computed from (db/import-duplicates.ts STORED_COLUMNS). */
const STORED = `id, import_id, external_id, external_system, phone_ext, first_name, last_name, company, title, email, phone, alt_phones, country, region,
  postal_code, timezone, timezone_source, source, campaign, list, score, owner, custom, inbound_at, queue_rank, attempts, last_call_at, created_at`;

/** Rows read back at a time when deciding in file order. */
const PAGE = 5000;

/** Starts an import on PostgreSQL; see the file's head. */
export async function beginPgImport(client: ClientBase, options: ImportBegin): Promise<ImportWriter> {
  const now = options.now.toISOString();
  const notice = options.notice ?? (() => {});
  let batchId: number | null = null;
  let locked = false;
  let copy: { stream: Writable; done: Promise<void> } | null = null;
  let staged = 0;
  let inTransaction = false;
  let copyError: unknown;
  // Runs a step of the COPY. When the COPY had stopped, its failure is the server's own error if
  // it sent one (a terminated session, a shutdown), else the socket's (EPIPE, reset), told as the
  // lost connection it is; a write after that fails inside the driver (a TypeError), which would
  // read as a bug.
  const copying = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      if (copyError === undefined) throw err;
      if ((copyError as { severity?: string }).severity) throw copyError;
      throw new Error(`Connection terminated unexpectedly (${(copyError as Error)?.message ?? String(copyError)})`);
    }
  };

  const dropTemp = () => client.query(`DROP TABLE IF EXISTS ${ROWS}, ${NOTES}, ${DECIDED}, ${MERGES}`);
  const release = async () => {
    if (locked) await unlockImports(client);
    locked = false;
  };

  try {
    if (!options.dryRun) {
      locked = await lockImports(client, notice);
      for (const b of await cleanupPgImports(client)) notice(describeCleanedBatch(b));
      const { rows } = await client.query<{ id: number }>(
        // The next number after the last batch kept, as SQLite's rowid gives it (imports hold the
        // lock, so no two take one): a failed import's number is used again, not skipped.
        `INSERT INTO imports(id, file_name, rep, created_at, state, pid)
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM imports), $1, $2, $3, 'running', pg_backend_pid()) RETURNING id`,
        [options.fileName, options.rep, now],
      );
      batchId = rows[0].id;
    }
    const upTo = (await client.query<{ n: number }>('SELECT coalesce(max(id), 0)::int8 AS n FROM suppressions')).rows[0].n;
    // Temporary: private to this session, never written to the write-ahead log, gone with the
    // session if the process dies (nothing for anyone to clean).
    await dropTemp();
    await client.query(
      `CREATE TEMP TABLE ${ROWS} (ord integer NOT NULL, ${LEAD_COLUMNS.map((c) => `${c} ${columnType(c)}`).join(', ')},
         do_not_call boolean NOT NULL, k_phone text, k_email text, k_xid text, dnc_emails text)`,
    );
    const stream = client.query(
      copyFrom(`COPY ${ROWS} (ord, ${LEAD_COLUMNS.join(', ')}, do_not_call, k_phone, k_email, k_xid, dnc_emails) FROM STDIN`),
    ) as unknown as Writable;
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    // Awaited in finish; an early failure surfaces at the next write.
    done.catch((err) => (copyError ??= err));
    copy = { stream, done };

    const writer: ImportWriter = {
      batchId,
      lock: options.dryRun ? null : 'none',
      async add(leads) {
        let text = '';
        for (const lead of leads) text += copyLine(++staged, lead);
        await copying(async () => {
          if (!copy!.stream.write(text)) {
            await Promise.race([new Promise((resolve) => copy!.stream.once('drain', resolve)), copy!.done]);
          }
        });
      },
      async finish(counts, batchOptions, fileHash) {
        await copying(async () => {
          copy!.stream.end();
          await copy!.done;
        });
        copy = null;
        const outcome = await classify(client, options, staged);
        counts.inserted = outcome.inserted;
        counts.updated = outcome.updated;
        counts.duplicates = outcome.duplicates;
        counts.suppressed = outcome.suppressed;
        counts.kept_apart = outcome.apart;
        if (options.dryRun) {
          counts.moved_to_dnc = await doNotCallMoves(client, outcome.doNotCall);
          await dropTemp();
          return;
        }
        await client.query('BEGIN');
        inTransaction = true;
        await client.query(`SET LOCAL work_mem = '64MB'`);
        const late = await lateSuppressed(client, upTo);
        counts.inserted -= late;
        counts.suppressed += late;
        // How many leads went in, and the highest id the batch handed out (imports.lead_ids_to).
        const { rows: [inserted] } = await client.query<{ n: number; last: number | null }>(
          `WITH inserted AS (
             INSERT INTO leads (${LEAD_COLUMNS.join(', ')}, status, import_id, created_at, updated_at)
             SELECT ${LEAD_COLUMNS.map((c) => (c === 'score' ? 'coalesce(score, 0)' : c)).join(', ')}, 'new', $1, $2, $2
             FROM ${ROWS} r WHERE NOT EXISTS (SELECT 1 FROM ${DECIDED} d WHERE d.ord = r.ord) ORDER BY r.ord
             RETURNING id)
           SELECT count(*)::int8 AS n, max(id) AS last FROM inserted`,
          [batchId, now],
        );
        if (inserted.n !== counts.inserted) throw new Error(`import batch ${batchId}: ${inserted.n} leads inserted, ${counts.inserted} counted`);
        if (outcome.merges > 0) {
          await client.query(
            `UPDATE leads l SET ${MERGED_COLUMNS.map((c) => `${c} = m.${c}`).join(', ')}, updated_at = $1 FROM ${MERGES} m WHERE l.id = m.lead_id`,
            [now],
          );
        }
        counts.moved_to_dnc = await applyDoNotCallFlags(client, outcome.doNotCall, `import batch ${batchId} (${options.fileName})`, now);
        await honourEntriesAddedMeanwhile(client, upTo, now);
        await client.query(
          `UPDATE imports SET state = 'complete', pid = NULL, file_hash = $1, options = $2, rows_read = $3,
             inserted = $4, updated = $5, duplicates = $6, suppressed = $7, rejected = $8, lead_ids_to = $10 WHERE id = $9`,
          [fileHash, JSON.stringify(batchOptions), counts.rows_read, counts.inserted, counts.updated, counts.duplicates, counts.suppressed, counts.rejected, batchId, inserted.last],
        );
        await client.query('COMMIT');
        inTransaction = false;
        // The planner's figures for leads, after an import that grew the table by a good part.
        if (counts.inserted >= 10_000) await client.query('ANALYZE leads');
        await dropTemp();
        await release();
      },
      async fail(err) {
        try {
          if (copy) {
            // Ended, not destroyed: the COPY completes (into a table about to be dropped) and the session stays usable.
            copy.stream.end();
            await copy.done.catch(() => {});
          }
          if (inTransaction) await client.query('ROLLBACK');
          if (batchId !== null) await client.query(`DELETE FROM imports WHERE id = $1 AND state = 'running'`, [batchId]);
          await dropTemp();
          await release();
        } catch {
          // The session's end rolls back and frees the lock; the next import or undo clears the batch row.
        }
        return err;
      },
      interrupt() {
        // The process exits now: its session ends, which rolls back an open transaction and frees
        // the import lock; the batch row left 'running' is shown as interrupted and cleared by
        // the next import or undo.
      },
    };
    return writer;
  } catch (err) {
    if (batchId !== null) await client.query(`DELETE FROM imports WHERE id = $1 AND state = 'running'`, [batchId]).catch(() => {});
    await release().catch(() => {});
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Staging

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : s;
}

/** A row's identity keys; none (all null) for a do-not-call row without a usable phone: never a lead, it matches none. */
function tupleKeys(lead: LeadTuple): IdentityKeys | { phone: null; email: null; external_id: null } {
  const at = (i: number) => lead[i] as string | null;
  const phone = at(AT.phone);
  if (phone === null) return { phone: null, email: null, external_id: null };
  return identityKeys(phone, at(AT.phone_ext), at(AT.email), at(AT.external_id), at(AT.external_system));
}

/**
 * One staged row: its place in the file, the lead's columns, its do-not-call flag, identity
 * keys (none for a do-not-call row without a usable phone: it is decided by its flag alone) and
 * a flagged row's other e-mails.
 */
function copyLine(ord: number, lead: LeadTuple): string {
  let line = String(ord);
  for (let i = 0; i < LEAD_COLUMNS.length; i++) line += '\t' + copyValue(lead[i]);
  const keys = tupleKeys(lead);
  return `${line}\t${lead[AT.do_not_call] ? 't' : 'f'}\t${copyValue(keys.phone)}\t${copyValue(keys.email)}\t${copyValue(keys.external_id)}\t${copyValue(lead[AT.dnc_emails])}\n`;
}

// ---------------------------------------------------------------------------------------------
// Deciding what becomes of each row

interface Classified {
  inserted: number;
  /** Of those, rows whose phone a lead had, but that name someone else at that number. */
  apart: number;
  updated: number;
  duplicates: number;
  suppressed: number;
  merges: number;
  doNotCall: SuppressionKey[];
}

/** Every way the do-not-call list could name a staged row (core/suppression.ts leadSuppressionKeys), as (ord, kind, value). */
const LEAD_SUPPRESSION_VALUES = (where: string) => `
  SELECT ord, 'phone' AS kind, phone || ';ext=' || phone_ext AS value FROM ${ROWS} r WHERE phone_ext IS NOT NULL AND ${where}
  UNION ALL SELECT ord, 'phone', phone FROM ${ROWS} r WHERE ${where}
  UNION ALL SELECT ord, 'phone', p FROM ${ROWS} r, unnest(callq_alt_phone_list(alt_phones)) p WHERE alt_phones IS NOT NULL AND ${where}
  UNION ALL SELECT ord, 'email', email FROM ${ROWS} r WHERE email IS NOT NULL AND ${where}
  UNION ALL SELECT ord, 'domain', split_part(email, '@', 2) FROM ${ROWS} r WHERE split_part(email, '@', 2) <> '' AND ${where}`;

/** A suppression's value_hash (core/suppression.ts suppressionHash) in SQL. */
const HASH = (kind: string, value: string) => `encode(sha256(convert_to(${kind} || ':' || ${value}, 'UTF8')), 'hex')`;

/**
 * Decides every staged row: DECIDED holds each row that is not inserted (outcome 'u', 'd' or
 * 's'), MERGES the merged values of the leads updated. Rows sharing no key with another row of
 * the file, named by no do-not-call flag of the file and (with --on-duplicate update) matching
 * no stored lead are decided by set-based SQL alone; the others are read back in file order and
 * decided one by one exactly as on SQLite (db/import-writer.ts), since each one's fate depends
 * on the rows before it.
 */
async function classify(client: ClientBase, options: ImportBegin, staged: number): Promise<Classified> {
  const result: Classified = { inserted: staged, apart: 0, updated: 0, duplicates: 0, suppressed: 0, merges: 0, doNotCall: [] };
  await client.query(`CREATE TEMP TABLE ${DECIDED} (ord integer NOT NULL, outcome "char" NOT NULL)`);
  await client.query(`CREATE TEMP TABLE ${MERGES} (lead_id bigint NOT NULL, ${MERGED_COLUMNS.map((c) => `${c} ${columnType(c)}`).join(', ')})`);
  if (staged === 0) return result;
  await client.query(`ANALYZE ${ROWS}`);
  const one = async (sql: string) => Number(Object.values((await client.query(sql)).rows[0])[0]);
  const stored = await one('SELECT EXISTS (SELECT 1 FROM leads)');
  const listed = await one('SELECT EXISTS (SELECT 1 FROM suppressions)');
  const flagged = await one(`SELECT EXISTS (SELECT 1 FROM ${ROWS} WHERE do_not_call)`);

  const parts: string[] = [];
  if (stored) {
    // The lowest-id stored lead holding each key, as SQLite's lookups find it.
    parts.push(
      `SELECT r.ord, min(l.id), NULL::int8, NULL::int8, false, false, false
         FROM ${ROWS} r JOIN leads l ON l.external_id = r.external_id AND l.external_system IS NOT DISTINCT FROM r.external_system
         WHERE r.k_xid IS NOT NULL GROUP BY r.ord`,
      `SELECT r.ord, NULL::int8, min(l.id), NULL::int8, false, false, false
         FROM ${ROWS} r JOIN leads l ON l.phone = r.phone AND l.phone_ext IS NOT DISTINCT FROM r.phone_ext GROUP BY r.ord`,
      `SELECT r.ord, NULL::int8, NULL::int8, min(l.id), false, false, false
         FROM ${ROWS} r JOIN leads l ON l.email = r.k_email WHERE r.k_email IS NOT NULL GROUP BY r.ord`,
    );
  }
  // Rows sharing a key with another row of the file.
  for (const k of ['k_phone', 'k_email', 'k_xid']) {
    parts.push(
      `SELECT r.ord, NULL::int8, NULL::int8, NULL::int8, true, false, false FROM ${ROWS} r
         JOIN (SELECT ${k} FROM ${ROWS} WHERE ${k} IS NOT NULL GROUP BY ${k} HAVING count(*) > 1) s USING (${k})`,
    );
  }
  if (listed) {
    parts.push(
      `SELECT DISTINCT v.ord, NULL::int8, NULL::int8, NULL::int8, false, true, false FROM (${LEAD_SUPPRESSION_VALUES('true')}) v
         JOIN suppressions s ON s.kind = v.kind AND s.value_hash = ${HASH('v.kind', 'v.value')}`,
    );
  }
  if (flagged) {
    // Rows with a do-not-call flag, and every row the contacts they put on the list would name.
    parts.push(
      `SELECT ord, NULL::int8, NULL::int8, NULL::int8, false, false, true FROM ${ROWS} WHERE do_not_call`,
      `SELECT DISTINCT v.ord, NULL::int8, NULL::int8, NULL::int8, false, false, true FROM (${LEAD_SUPPRESSION_VALUES('true')}) v
         JOIN (SELECT 'phone' AS kind, phone || coalesce(';ext=' || phone_ext, '') AS value FROM ${ROWS} WHERE do_not_call
               UNION SELECT 'phone', p FROM ${ROWS}, unnest(callq_alt_phone_list(alt_phones)) p WHERE do_not_call AND alt_phones IS NOT NULL
               UNION SELECT 'email', email FROM ${ROWS} WHERE do_not_call AND email IS NOT NULL
               UNION SELECT 'email', e FROM ${ROWS}, jsonb_array_elements_text(dnc_emails::jsonb) e WHERE do_not_call AND dnc_emails IS NOT NULL) f
         ON f.kind = v.kind AND f.value = v.value`,
    );
  }
  await client.query(
    `CREATE TEMP TABLE ${NOTES} AS
     SELECT ord, max(m_x) AS m_x, max(m_p) AS m_p, max(m_e) AS m_e, bool_or(shared) AS shared, bool_or(hit) AS hit, bool_or(dnc) AS dnc,
       false AS other
     FROM (${parts.join('\nUNION ALL ')}) n(ord, m_x, m_p, m_e, shared, hit, dnc) GROUP BY ord`,
  );
  const update = options.onDuplicate === 'update';
  const matched = '(n.m_x IS NOT NULL OR n.m_p IS NOT NULL OR n.m_e IS NOT NULL)';
  if (!update && stored) {
    // A row matched by its phone alone (no id match) may be someone else at that number
    // (anotherPersonAtPhone): decided one by one when both give a first name and either e-mails
    // or ids of one system that differ (what that rule reads, before its finer points). One
    // join, not a test per row: the staged rows have no index on their order.
    await client.query(
      `UPDATE ${NOTES} n SET other = true FROM ${ROWS} r, leads l
       WHERE r.ord = n.ord AND l.id = n.m_p AND n.m_x IS NULL AND r.first_name IS NOT NULL AND l.first_name IS NOT NULL
         AND ((r.external_id IS NOT NULL AND l.external_id IS NOT NULL AND r.external_system IS NOT DISTINCT FROM l.external_system AND r.external_id <> l.external_id)
           OR (r.email IS NOT NULL AND l.email IS NOT NULL AND r.email <> l.email))`,
    );
  }
  const inFileOrder = `n.shared OR n.dnc OR ${update ? matched : 'n.other'}`;
  // The rest: suppressed if the list names them, else a duplicate of the stored lead they match.
  const simple = await client.query(
    `INSERT INTO ${DECIDED} SELECT n.ord, CASE WHEN n.hit THEN 's' ELSE 'd' END::"char" FROM ${NOTES} n
     WHERE NOT (${inFileOrder}) AND (n.hit OR ${matched}) RETURNING outcome`,
  );
  for (const r of simple.rows as { outcome: string }[]) {
    if (r.outcome === 's') result.suppressed++;
    else result.duplicates++;
  }
  result.inserted -= simple.rowCount ?? 0;
  await decideInFileOrder(client, options, inFileOrder, flagged > 0, result);
  await client.query(`ANALYZE ${DECIDED}`);
  return result;
}

interface NoteRow {
  ord: number;
  m_x: number | null;
  m_p: number | null;
  m_e: number | null;
  hit: boolean;
  do_not_call: boolean;
  k_phone: string;
  k_email: string | null;
  k_xid: string | null;
  [column: string]: unknown;
}

type Existing = StoredLead & { id: number; import_id: number | null };

/** The rows whose fate depends on earlier rows, one by one in file order: LeadWriter.add in db/import-writer.ts. */
async function decideInFileOrder(client: ClientBase, options: ImportBegin, which: string, flagged: boolean, result: Classified): Promise<void> {
  const decided: string[] = [];
  const merges: string[] = [];
  const flush = async () => {
    if (decided.length) await copyInto(client, `COPY ${DECIDED} (ord, outcome) FROM STDIN`, decided.join(''));
    if (merges.length) await copyInto(client, `COPY ${MERGES} (lead_id, ${MERGED_COLUMNS.join(', ')}) FROM STDIN`, merges.join(''));
    decided.length = 0;
    merges.length = 0;
  };
  // The contacts the file's do-not-call flags put on the list so far (hashes), as the SQLite writer adds them to its set.
  const listedHere = new Set<string>();
  const mergedKeys = new Map<string, PersonNames>();
  const merged = new Set<number>();
  // The first row of the file inserted with each key ('p:…', 'e:…', 'x:…'), and who each such row names.
  const insertedWith = new Map<string, number>();
  const insertedPerson = new Map<number, PersonNames>();
  const keyList = (k: IdentityKeys) => [`p:${k.phone}`, ...(k.email === null ? [] : [`e:${k.email}`]), ...(k.external_id === null ? [] : [`x:${k.external_id}`])];
  const decide = (ord: number, outcome: 'u' | 'd' | 's') => {
    decided.push(`${ord}\t${outcome}\n`);
    result.inserted--;
    if (outcome === 'u') result.updated++;
    else if (outcome === 'd') result.duplicates++;
    else result.suppressed++;
  };

  await client.query('BEGIN');
  try {
    await client.query(
      `DECLARE callq_import_order NO SCROLL CURSOR FOR
       SELECT r.*, n.m_x, n.m_p, n.m_e, n.hit FROM ${NOTES} n JOIN ${ROWS} r USING (ord) WHERE ${which} ORDER BY ord`,
    );
    for (;;) {
      const page = (await client.query<NoteRow>(`FETCH ${PAGE} FROM callq_import_order`)).rows;
      if (page.length === 0) break;
      // The stored leads the page's rows match: to merge into, and to tell whether the one with a
      // row's phone is someone else at that number.
      const stored = new Map<number, Existing>();
      const ids = [...new Set(page.flatMap((r) => (options.onDuplicate === 'update' ? [r.m_x, r.m_p, r.m_e] : [r.m_p])).filter((id): id is number => id !== null))];
      if (ids.length) for (const l of (await client.query<Existing>(`SELECT ${STORED} FROM leads WHERE id = ANY($1::int8[])`, [ids])).rows) stored.set(l.id, l);
      for (const row of page) {
        const lead: LeadTuple = TUPLE_COLUMNS.map((c) => (c === 'do_not_call' ? (row.do_not_call ? 1 : null) : (row[c] as string | number | null)));
        const view = { phone: lead[AT.phone] as string | null, phone_ext: lead[AT.phone_ext] as string | null, alt_phones: parseAlt(lead[AT.alt_phones]), email: lead[AT.email] as string | null };
        if (row.do_not_call) {
          for (const k of personSuppressionKeys({ ...view, other_emails: parseAlt(lead[AT.dnc_emails]) })) {
            result.doNotCall.push(k);
            listedHere.add(`${k.kind}:${k.hash}`);
          }
          decide(row.ord, 's');
          continue;
        }
        if (row.hit || (flagged && listedHere.size && leadSuppressionKeys(view).some((k) => listedHere.has(`${k.kind}:${k.hash}`)))) {
          decide(row.ord, 's');
          continue;
        }
        const keys: IdentityKeys = { phone: row.k_phone, email: row.k_email, external_id: row.k_xid };
        const person = personOf(lead);
        if (mergedKeys.size && repeatsMerged(mergedKeys, keyList(keys), person)) {
          decide(row.ord, 'd');
          continue;
        }
        // As SQLite's lookups: by external id (stored, then this file's), by phone (the first lead
        // with it, unless someone else at that number), by e-mail.
        const storedLead = (id: number | null) => (id === null ? undefined : { id });
        const { lead: found, apart } = matchPerson<{ id: number } | { ord: number }>(
          person,
          () => (keys.external_id !== null ? storedLead(row.m_x) ?? fileRow(insertedWith, `x:${keys.external_id}`) : undefined),
          () => storedLead(row.m_p) ?? fileRow(insertedWith, `p:${keys.phone}`),
          () => (keys.email !== null ? storedLead(row.m_e) ?? fileRow(insertedWith, `e:${keys.email}`) : undefined),
          (f) => ('id' in f ? stored.get(f.id)! : insertedPerson.get(f.ord)!),
        );
        if (found) {
          // A lead this file created or already merged a row into is a repeat within the file: the first row wins.
          if ('ord' in found || merged.has(found.id) || options.onDuplicate === 'skip') {
            decide(row.ord, 'd');
            continue;
          }
          const existing = stored.get(found.id)!;
          // The first lead holding the row's e-mail, stored or inserted from this file (-1: not stored yet).
          const emailHolder = keys.email === null ? undefined : row.m_e ?? (insertedWith.has(`e:${keys.email}`) ? -1 : undefined);
          const merge = mergeRow(existing, found.id, leadFromTuple(lead), emailHolder, options.weights);
          if (merge.another) {
            decide(row.ord, 'd');
            continue;
          }
          const changes = merge.changes;
          // The first row naming this lead wins even when it changes nothing (import-writer.ts).
          merged.add(found.id);
          const as = changes ?? existing;
          for (const k of keyList(identityKeys(existing.phone, existing.phone_ext, as.email, as.external_id, as.external_system))) mergedKeys.set(k, { ...existing, ...changes });
          if (!changes) {
            decide(row.ord, 'd');
            continue;
          }
          merges.push(mergeLine(found.id, changes));
          result.merges++;
          decide(row.ord, 'u');
          continue;
        }
        for (const k of keyList(keys)) if (!insertedWith.has(k)) insertedWith.set(k, row.ord);
        insertedPerson.set(row.ord, person);
        if (apart) result.apart++;
      }
      if (decided.length + merges.length >= PAGE) await flush();
    }
    await client.query('CLOSE callq_import_order');
    await flush();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

function fileRow(insertedWith: Map<string, number>, key: string): { ord: number } | undefined {
  const ord = insertedWith.get(key);
  return ord === undefined ? undefined : { ord };
}

function parseAlt(value: unknown): string[] {
  return typeof value === 'string' && value ? (JSON.parse(value) as string[]) : [];
}

function mergeLine(leadId: number, merged: MergedLead): string {
  let line = String(leadId);
  for (const c of MERGED_COLUMNS) line += '\t' + copyValue(merged[c]);
  return line + '\n';
}

async function copyInto(client: ClientBase, sql: string, text: string): Promise<void> {
  const stream = client.query(copyFrom(sql)) as unknown as Writable;
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(text);
  });
}

/**
 * Rows about to be inserted that a do-not-call entry added since the import started names (the
 * import read the list at its start): decided suppressed. Returns how many.
 */
async function lateSuppressed(client: ClientBase, upTo: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int8 AS n FROM suppressions WHERE id > $1', [upTo]);
  if (rows[0].n === 0) return 0;
  const res = await client.query(
    `INSERT INTO ${DECIDED}
     SELECT DISTINCT v.ord, 's'::"char" FROM (${LEAD_SUPPRESSION_VALUES(`NOT EXISTS (SELECT 1 FROM ${DECIDED} d WHERE d.ord = r.ord)`)}) v
       JOIN suppressions s ON s.kind = v.kind AND s.value_hash = ${HASH('v.kind', 'v.value')} AND s.id > $1`,
    [upTo],
  );
  return res.rowCount ?? 0;
}

/**
 * Do-not-call entries added while this transaction wrote the batch (dnc add, a rep's
 * do-not-call) could not see its leads, and would leave the people they name callable once it
 * commits. So, last: no entry may be added until the batch commits (a SHARE lock, waiting however
 * long for entries being added: a short wait must not fail the import), and every entry added
 * since the import began moves the leads it names to do-not-call, as its adder did for the
 * leads it could see. Taken at the end, the lock holds the list's writers (a rep logging
 * do-not-call waits, within the busy timeout) only for these last statements and the commit,
 * not while the batch's leads are written.
 */
async function honourEntriesAddedMeanwhile(client: ClientBase, upTo: number, now: string): Promise<void> {
  await waitingAsLongAsItTakes(client, 'LOCK TABLE suppressions IN SHARE MODE', [], 'transaction');
  const { rows } = await client.query<{ kind: string; value: string }>('SELECT kind, value FROM suppressions WHERE id > $1 AND value IS NOT NULL', [upTo]);
  await suppressLeadsMatchingPg(client, rows, new Date(now));
}

/**
 * As `callq dnc add` does: the contacts flagged do-not-call in the file go on the list, and
 * leads matching them (stored ones and this batch's own) become do-not-call
 * (db/outcomes.ts suppressMatchingLeads: a number with an extension matches that extension only).
 */
/**
 * What applyDoNotCallFlags would move, for a dry run: the stored leads not on do-not-call yet that
 * the flags reach, and the rows the import would insert for the same people.
 */
async function doNotCallMoves(client: ClientBase, keys: SuppressionKey[]): Promise<number> {
  if (!keys.length) return 0;
  const { values, v } = statementParams();
  const ways = reachedBy(keys);
  const stored = leadsReachedSql(v, ways);
  const own = leadsReachedSql(v, ways, ROWS, 'ord');
  if (stored === null || own === null) return 0;
  const { rows } = await client.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM leads WHERE status <> 'do-not-call' AND id IN (${stored}))
          + (SELECT count(*) FROM ${ROWS} r WHERE NOT EXISTS (SELECT 1 FROM ${DECIDED} d WHERE d.ord = r.ord) AND r.ord IN (${own})) AS n`,
    values,
  );
  return Number(rows[0].n);
}

/** Lists the file's flagged contacts and moves the leads they name; returns how many moved. */
async function applyDoNotCallFlags(client: ClientBase, keys: SuppressionKey[], source: string, now: string): Promise<number> {
  if (!keys.length) return 0;
  const at = new Date(now);
  await addSuppressionsPg(client, keys, 'do-not-call flag in the imported file', source, at);
  return suppressLeadsMatchingPg(client, keys, at);
}
