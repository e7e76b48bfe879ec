// The writing side of `callq import`: one transaction for the whole file or short write slices
// (ImportLock), suppression and duplicate checks, inserts through a virtual table, merges,
// insert triggers done in bulk, indexes set aside and sorted. Batches are in imports.ts.
import { availableParallelism } from 'node:os';
import { retryWhileBusy, type DB } from './open.js';
import type { PriorityWeights } from '../core/settings.js';
import { leadSuppressionKeys, personSuppressionKeys, type SuppressionKey } from '../core/suppression.js';
import { addSuppressions } from './suppressions.js';
import { leadsMatching, suppressMatchingLeads } from './outcomes.js';
import { AT, LEAD_COLUMNS, leadFromTuple, mergeRow, personOf, type LeadTuple, type MergedLead, type StoredLead } from '../io/lead-record.js';
import { repeatsMerged, type PersonNames } from '../core/identity.js';
import { claimImportSlot, cleanupImports, mergeStatement, lateSuppressed, publishBatch, removeBatchLeads, type ImportCounts } from './imports.js';
import { IMPORT_PATIENCE_MS, nextSlice, SLICE_MIN } from './slices.js';
import { duplicateFinder, duplicateKeys, LeadIdSet, type BufferedLeads, type Existing, type Keys, type SetAsideLookups } from './import-duplicates.js';

export type Outcome = 'inserted' | 'updated' | 'duplicate' | 'suppressed';

export interface LeadWriter {
  readonly batchId: number;
  /** How this import holds the write lock: once for the whole file, or in short slices (see ImportLock). */
  readonly lock: 'whole' | 'slices';
  add(lead: LeadTuple): Outcome;
  /** Records the counts and commits (or, for a dry run, rolls everything back). */
  finish(counts: ImportCounts, options: Record<string, unknown>, fileHash: string): void;
  /**
   * Undoes the import: the batch's leads (never callable) removed, the batch row deleted.
   * Returns false when that could not be done now (e.g. the disk is full): the batch is then
   * left 'failed' or interrupted, for the next import, maintain or undo to clean. Safe to repeat.
   */
  abort(): boolean;
}

export interface WriterOptions {
  fileName: string;
  rep: string;
  now: Date;
  onDuplicate: 'skip' | 'update';
  dryRun: boolean;
  weights: PriorityWeights;
  /** Rows the file probably holds, to choose how duplicates are looked up. */
  expectedRows: number;
  /** Lead columns this import leaves empty on every lead it inserts (no such CSV column, no default). */
  unfilled: ReadonlySet<string>;
  /** Called after each write transaction (the window in which reps take the lock), e.g. a test's handshake. */
  pause?: () => void;
  /** Says something to the user (waiting for another import, what a clean-up did). */
  notice?: (line: string) => void;
  /** How to hold the write lock (ImportLock); 'auto' when not given. */
  lock?: ImportLock;
}

/**
 * 'slices': the write lock is taken in short slices that reps slip between, the batch's leads
 * kept out of the queue until it is published. 'whole': one transaction for the whole file, the
 * lookup and queue indexes set aside and built again by sorting (several times faster on a
 * large file; anyone else who writes waits until it ends). 'auto': whole when nobody is working
 * (no claim held, no call logged in the last ACTIVE_MINUTES), slices otherwise
 * (docs/importing.md, "While reps work").
 */
export type ImportLock = 'auto' | 'whole' | 'slices';

export const IMPORT_LOCKS: readonly ImportLock[] = ['auto', 'whole', 'slices'];

/** A team that logged a call this recently, or holds a claim, is at work: an 'auto' import then goes in slices. */
export const ACTIVE_MINUTES = 15;

/** Whether anyone is working the queue at `now`: a claim held, or a call logged in the last ACTIVE_MINUTES. */
export function teamAtWork(db: DB, now: Date): boolean {
  const since = new Date(now.getTime() - ACTIVE_MINUTES * 60_000).toISOString();
  return (
    db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM leads INDEXED BY leads_claims WHERE claim_rep IS NOT NULL AND claim_expires_at > ?)
             OR EXISTS (SELECT 1 FROM calls INDEXED BY calls_time WHERE called_at > ?)`,
      )
      .pluck()
      .get(now.toISOString(), since) === 1
  );
}

/**
 * Rows buffered between writes in a whole-file import (no lock to give back: only the buffer's
 * cost counts). 512 rows stay young for the garbage collector; 2,048 made a 1M-row import ~20%
 * slower, 8,192 ~35%.
 */
const WHOLE_BUFFER_ROWS = 512;

/**
 * Starts an import. The write lock is taken only in short slices, never across the streaming
 * read: the batch row is made ('running', with this process's id), new leads go in a slice at a
 * time with status 'importing' (which no queue query or index serves), merges into existing
 * leads are staged in import_updates, and finish() publishes the batch: the merges applied and
 * the leads turned 'new', a slice at a time, then the batch marked 'complete' (docs/importing.md, "All or nothing, while reps work"). A batch whose process died while 'running' is cleaned by the next import,
 * maintain or undo; one that died while publishing is published by them (rolled forward).
 *
 * A dry run takes no write lock at all: the same code writes into temporary tables of this
 * connection (the temp database), and duplicates are looked up through a view over both.
 */
export function beginImport(db: DB, options: WriterOptions): LeadWriter {
  const now = options.now.toISOString();
  const notice = options.notice ?? (() => {});
  const tables = options.dryRun ? dryRunTables(db) : { leads: 'leads', lookup: 'leads', updates: 'import_updates' };
  let batchId = DRY_RUN_BATCH;
  let whole = false;
  if (!options.dryRun) {
    for (const cleaned of cleanupImports(db)) notice(cleaned.line);
    batchId = claimImportSlot(db, options, notice);
    const lock = options.lock ?? 'auto';
    // A test's handshake between slices (options.pause) needs slices.
    whole = lock === 'whole' || (lock === 'auto' && !options.pause && !teamAtWork(db, options.now));
  }
  // 64 MB in slices: every slice inserts into the phone, e-mail and queue indexes in random order;
  // a cache that holds most of their pages makes a 1M-row import ~30% faster than 16 MB. A whole
  // import sets those indexes aside and appends, so 16 MB does. Bounded, so memory stays flat.
  db.pragma(`cache_size = ${whole ? -16384 : -65536}`);
  // Checking each new lead's import_id against imports costs ~0.3 µs a row, and the import
  // cannot break a reference: its leads name the batch row it has just made (no hand-off), its
  // updates leave both references alone, it deletes nothing. The pragma only changes outside a
  // transaction: off while rows are written, back as it was before anything is deleted.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  const restoreForeignKeys = () => {
    if (!db.inTransaction) db.pragma(`foreign_keys = ${foreignKeys}`);
  };
  try {
    // The whole import is one transaction from here: nothing of it is seen before the commit,
    // and a failure or a killed process leaves only the batch row, cleaned like any other.
    if (whole) retryWhileBusy(db, () => db.exec('BEGIN IMMEDIATE'), IMPORT_PATIENCE_MS);
    const suppressedUpTo = db.prepare('SELECT coalesce(max(id), 0) FROM suppressions').pluck().get() as number;
    const suppressed = suppressionHashes(db);
    const stored = db.prepare('SELECT count(*) FROM leads').pluck().get() as number;
    const indexes = whole && stored <= options.expectedRows ? deferIndexes(db, options.unfilled) : null;
    const batch = newLeadBatch(db, tables, batchId, now, options.unfilled, options.dryRun || whole ? null : options.pause ?? null, whole, indexes === null);
    const duplicates = duplicateFinder(db, tables.lookup, stored, options.expectedRows, indexes, batch);
    // Leads this import has merged a row into: a later row matching one is a repeat within the file.
    const merged = new LeadIdSet();
    // Their keys as merged, each with the lead as merged: a merge is staged, not yet in the
    // table, so a later row matching only a key the merge gave (an e-mail the lead lacked) is
    // found here.
    const mergedKeys = new Map<string, PersonNames>();
    // Rows inserted though a lead had their phone: someone else at that number.
    let keptApart = 0;
    const keyList = (k: Keys) => [`p:${k.phone}`, ...(k.email === null ? [] : [`e:${k.email}`]), ...(k.external_id === null ? [] : [`x:${k.external_id}`])];
    // Rows whose own do-not-call flag is set: put on the list, and matching leads moved, at the end.
    const doNotCall: SuppressionKey[] = [];
    const flagged = (kind: string) => [...new Set(doNotCall.filter((k) => k.kind === kind).map((k) => k.value))];
    const applyDoNotCallFlags = (counts: ImportCounts) => {
      if (!doNotCall.length) return;
      // As `callq dnc add` does: the contacts flagged do-not-call in the file go on the list,
      // and leads matching them (stored ones, and this batch's own) become do-not-call.
      const source = `import batch ${batchId} (${options.fileName})`;
      addSuppressions(db, doNotCall, 'do-not-call flag in the imported file', source, options.now);
      counts.moved_to_dnc = suppressMatchingLeads(db, flagged('phone'), flagged('email'), [], options.now);
    };
    // What applyDoNotCallFlags would move, for a dry run: the stored leads not on do-not-call yet
    // that the flags reach, and the rows the dry run would insert for the same people.
    const doNotCallMoves = (): number => {
      if (!doNotCall.length) return 0;
      const onList = db.prepare(`SELECT status = 'do-not-call' FROM leads WHERE id = ?`).pluck();
      let n = 0;
      for (const id of leadsMatching(db, 'leads', flagged('phone'), flagged('email'), [])) if (!onList.get(id)) n++;
      return n + leadsMatching(db, tables.leads, flagged('phone'), flagged('email'), []).size;
    };

    return {
      batchId,
      lock: whole ? 'whole' : 'slices',
      add(lead) {
        if (lead[AT.do_not_call]) {
          const others = lead[AT.dnc_emails] as string | null;
          for (const k of personSuppressionKeys({ ...suppressionView(lead), other_emails: others ? (JSON.parse(others) as string[]) : [] })) {
            doNotCall.push(k);
            suppressed.add(`${k.kind}:${k.hash}`);
          }
          return 'suppressed';
        }
        if (suppressed.size && leadSuppressionKeys(suppressionView(lead)).some((k) => suppressed.has(`${k.kind}:${k.hash}`))) return 'suppressed';
        const keys = duplicateKeys(lead);
        const person = personOf(lead);
        if (mergedKeys.size && repeatsMerged(mergedKeys, keyList(keys), person)) return 'duplicate';
        const hashed = duplicates.hash(keys);
        let apart = false;
        if (duplicates.mayExist(hashed)) {
          const found = duplicates.find(keys, hashed, person);
          const existing = found.lead;
          apart = found.apart;
          if (existing) {
            // A lead this import created or already merged a row into is a repeat within the file: the first row wins.
            if (existing.import_id === batchId || merged.has(existing.id) || options.onDuplicate === 'skip') return 'duplicate';
            const merge = mergeRow(existing, existing.id, leadFromTuple(lead), duplicates.emailHolder(keys, hashed)?.id, options.weights);
            if (merge.another) return 'duplicate';
            const changes = merge.changes;
            // The first row of the file naming this lead wins even when it changes nothing (the
            // lead holds its values already): a later row for the same person is a repeat, so
            // the same file imported again changes nothing.
            merged.add(existing.id);
            const mergedAs = duplicateKeys({ ...existing, ...changes });
            for (const k of keyList(mergedAs)) mergedKeys.set(k, { ...existing, ...changes });
            if (!changes) return 'duplicate';
            batch.stage(existing.id, changes);
            duplicates.remember(duplicates.hash(mergedAs), existing.id);
            return 'updated';
          }
        }
        if (apart) keptApart++;
        duplicates.remember(hashed, batch.add(lead));
        return 'inserted';
      },
      finish(counts, batchOptions, fileHash) {
        counts.kept_apart = keptApart;
        batch.close();
        restoreForeignKeys();
        if (options.dryRun) {
          counts.moved_to_dnc = doNotCallMoves();
          dropDryRunTables(db);
          return;
        }
        // The batch row takes the counts and what comes next: done (whole), or publishing.
        const record = (state: 'complete' | 'publishing') =>
          db
            .prepare(
              `UPDATE imports SET state = ?, pid = ?, file_hash = ?, options = ?, rows_read = ?,
                 inserted = ?, updated = ?, duplicates = ?, suppressed = ?, rejected = ?,
                 lead_ids_to = (SELECT max(id) FROM leads WHERE import_id = imports.id) WHERE id = ?`,
            )
            .run(state, state === 'complete' ? null : process.pid, fileHash, JSON.stringify(batchOptions), counts.rows_read, counts.inserted, counts.updated, counts.duplicates, counts.suppressed, counts.rejected, batchId);
        if (whole) {
          indexes?.rebuild();
          record('complete');
          applyDoNotCallFlags(counts);
          db.exec('COMMIT');
          restoreForeignKeys();
          return;
        }
        retryWhileBusy(db, () => db.transaction(() => {
          // A do-not-call entry added while the import ran wins: the batch's leads it matches
          // (moved to do-not-call by `dnc add`, or written after it with the list read at the
          // start) are taken out of the batch and counted as suppressed.
          const late = lateSuppressed(db, batchId, suppressedUpTo);
          counts.inserted -= late;
          counts.suppressed += late;
          record('publishing');
          applyDoNotCallFlags(counts);
        }).immediate(), IMPORT_PATIENCE_MS);
        publishBatch(db, batchId, options.pause ?? null);
      },
      abort() {
        if (db.inTransaction) db.exec('ROLLBACK');
        restoreForeignKeys();
        if (options.dryRun) {
          dropDryRunTables(db);
          return true;
        }
        // Marked failed at once; its leads (never callable) are removed now, and then the batch
        // row, so a failure the user was told of leaves nothing behind. If this process cannot
        // (a full disk, a second failure), the next import, maintain or undo does it.
        try {
          // Once publishing, the batch goes forward, never back: left for the next import or
          // maintain to finish (its process is gone by then).
          if (db.prepare(`UPDATE imports SET state = 'failed' WHERE id = ? AND state IN ('running', 'failed')`).run(batchId).changes === 0) return false;
          removeBatchLeads(db, batchId, null);
          db.prepare(`DELETE FROM imports WHERE id = ? AND state = 'failed'`).run(batchId);
          return true;
        } catch {
          if (db.inTransaction) db.exec('ROLLBACK');
          return false; // left for the next import or maintain, which say so
        }
      },
    };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    restoreForeignKeys();
    if (!options.dryRun) {
      try {
        db.prepare(`DELETE FROM imports WHERE id = ? AND state = 'running'`).run(batchId);
      } catch {
        // the next import or maintain finds the batch's process gone
      }
    } else dropDryRunTables(db);
    throw err;
  }
}

/** The import_id a dry run gives the leads it would create (no batch row is made). */
const DRY_RUN_BATCH = -1;

interface ImportTables {
  /** Where new leads are written. */
  leads: string;
  /** Where duplicates are looked up (the stored leads and this import's). */
  lookup: string;
  /** Where merges are staged. */
  updates: string;
}

/** A dry run's tables: temporary, private to this connection, so no write lock is ever taken. */
function dryRunTables(db: DB): ImportTables {
  dropDryRunTables(db);
  db.exec(`
    CREATE TEMP TABLE callq_dry_leads AS SELECT * FROM main.leads WHERE 0;
    CREATE INDEX temp.callq_dry_leads_phone ON callq_dry_leads(phone);
    CREATE INDEX temp.callq_dry_leads_email ON callq_dry_leads(email);
    CREATE INDEX temp.callq_dry_leads_external_id ON callq_dry_leads(external_id);
    CREATE INDEX temp.callq_dry_leads_id ON callq_dry_leads(id);
    CREATE TEMP VIEW callq_dry_lookup AS SELECT * FROM main.leads UNION ALL SELECT * FROM temp.callq_dry_leads;
    CREATE TEMP TABLE callq_dry_updates (import_id INTEGER, lead_id INTEGER, merged TEXT, PRIMARY KEY (import_id, lead_id));
  `);
  return { leads: 'temp.callq_dry_leads', lookup: 'temp.callq_dry_lookup', updates: 'temp.callq_dry_updates' };
}

function dropDryRunTables(db: DB): void {
  db.exec('DROP VIEW IF EXISTS temp.callq_dry_lookup; DROP TABLE IF EXISTS temp.callq_dry_leads; DROP TABLE IF EXISTS temp.callq_dry_updates;');
}

/**
 * Any AFTER INSERT trigger on leads costs ~10 µs a row on a table this wide, as much as the rest
 * of the insert. The ones the import knows are dropped inside each slice's transaction, their
 * work is done once for the slice's rows, in bulk, and they are recreated from their stored SQL
 * before the commit: no other connection ever sees the schema without them. A trigger whose
 * SQL is not exactly the known one stays in place (correct, only slower).
 */
const BULK_TRIGGERS: Record<string, { sql: string; replay(db: DB, ids: [number, number], zones: ReadonlySet<string>): void }> = {
  leads_zone_insert: {
    sql: `CREATE TRIGGER leads_zone_insert AFTER INSERT ON leads WHEN NEW.timezone IS NOT NULL
      BEGIN INSERT OR IGNORE INTO lead_zones(timezone) VALUES (NEW.timezone); END`,
    replay(db, _ids, zones) {
      const add = db.prepare('INSERT OR IGNORE INTO lead_zones(timezone) VALUES (?)');
      for (const zone of zones) add.run(zone);
    },
  },
  leads_alt_phones_insert: {
    sql: `CREATE TRIGGER leads_alt_phones_insert AFTER INSERT ON leads WHEN NEW.alt_phones IS NOT NULL AND json_valid(NEW.alt_phones)
      BEGIN INSERT INTO lead_alt_phones(phone, lead_id) SELECT value, NEW.id FROM json_each(NEW.alt_phones) WHERE type = 'text'; END`,
    replay(db, [lo, hi]) {
      db.prepare(
        `INSERT INTO lead_alt_phones(phone, lead_id)
         SELECT j.value, l.id FROM leads l, json_each(l.alt_phones) j
         WHERE l.id BETWEEN ? AND ? AND l.alt_phones IS NOT NULL AND json_valid(l.alt_phones) AND j.type = 'text' ORDER BY l.id`,
      ).run(lo, hi);
    },
  },
};

const sameSql = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/** The AFTER INSERT triggers on leads, and whether the import can do each one's work in bulk. */
export function leadInsertTriggers(db: DB): { name: string; sql: string; bulk: boolean }[] {
  const rows = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'leads'`).all() as { name: string; sql: string }[];
  return rows
    .filter((t) => /\bAFTER\s+INSERT\s+ON\s+leads\b/i.test(t.sql))
    .map((t) => ({ ...t, bulk: BULK_TRIGGERS[t.name] !== undefined && sameSql(t.sql, BULK_TRIGGERS[t.name].sql) }));
}

/**
 * New leads go in a slice at a time, each slice one short write transaction: one INSERT …
 * SELECT from a virtual table over the buffered rows costs about half as much a row as one
 * INSERT a row (binding each value through a call is most of that), and the columns the file
 * leaves empty on every lead are not read at all (a slice with a row that fills one goes in
 * through the statement of every column: a wrong guess costs speed, never data). Ids are the
 * import's own, next after the highest stored one (imports run one at a time, and nothing else
 * adds leads), so a row's id is known while it is still buffered: duplicate finding reads a
 * buffered row from the buffer (held); whatever reads leads from the table first writes the
 * buffer (flush). Merges are buffered likewise (stage) and written with the slice.
 */
function newLeadBatch(
  db: DB,
  tables: ImportTables,
  batchId: number,
  now: string,
  unfilled: ReadonlySet<string>,
  pause: (() => void) | null,
  /** Inside the import's one transaction (ImportLock 'whole'): leads go in 'new', merges are written at once. */
  whole: boolean,
  /** Whether duplicates are looked up by key in the buffer (holding); not while a key index finds them (trackKeys turns it on). */
  tracking: boolean,
): LeadBatch {
  const buffer = importRowsTable(db);
  buffer.length = 0;
  const merges = new Map<number, MergedLead>();
  // Past every id stored or ever handed out: an undone or forgotten lead's id is never reused.
  let nextId = db
    .prepare('SELECT max(coalesce((SELECT max(id) FROM leads), 0), coalesce((SELECT max(lead_ids_to) FROM imports), 0)) + 1')
    .pluck()
    .get() as number;
  const status = batchId === DRY_RUN_BATCH || whole ? 'new' : 'importing';
  const mergeNow = whole ? mergeStatement(db) : null;
  // Status, batch and times are the same for every row: literals, not values. A row without a
  // score (null, so that a merge keeps the old one) is stored as 0, the column's default.
  const insertOf = (columns: readonly string[]) =>
    db.prepare(
      `INSERT INTO ${tables.leads}(id, ${columns.join(', ')}, status, import_id, created_at, updated_at)
       SELECT id, ${columns.map((c) => (c === 'score' ? 'coalesce(score, 0)' : c)).join(', ')}, '${status}', ${batchId}, '${now}', '${now}'
       FROM ${IMPORT_ROWS}`,
    );
  const insertFilled = insertOf(LEAD_COLUMNS.filter((c) => !unfilled.has(c)));
  const insertAll = insertOf(LEAD_COLUMNS);
  const stageMerge = db.prepare(`INSERT OR REPLACE INTO ${tables.updates}(import_id, lead_id, merged) VALUES (?, ?, ?)`);
  const empty = LEAD_COLUMNS.flatMap((c, i) => (unfilled.has(c) ? [i] : []));
  const zoneAt = LEAD_COLUMNS.indexOf('timezone') + 1;
  let fillsAll = false;
  // In one transaction nobody waits between slices: see WHOLE_BUFFER_ROWS.
  let sliceRows = whole ? WHOLE_BUFFER_ROWS : SLICE_MIN;
  const write = () => {
    if (buffer.length) (fillsAll ? insertAll : insertFilled).run();
    for (const [id, merged] of merges) stageMerge.run(batchId, id, JSON.stringify(merged));
  };
  // In one transaction the known insert triggers are set aside once, their work done once at the end (close).
  const wholeIds = { first: nextId, zones: new Set<string>() };
  const setAside = whole ? leadInsertTriggers(db).filter((t) => t.bulk) : [];
  for (const t of setAside) db.exec(`DROP TRIGGER ${t.name}`);
  const flush = () => {
    if (buffer.length === 0 && merges.size === 0) return;
    if (batchId === DRY_RUN_BATCH) write();
    else if (whole) {
      write();
      for (const row of buffer) if (row[zoneAt]) wholeIds.zones.add(row[zoneAt] as string);
    } else {
      const started = performance.now();
      retryWhileBusy(db, () => db.transaction(() => {
        const suspended = leadInsertTriggers(db).filter((t) => t.bulk);
        for (const t of suspended) db.exec(`DROP TRIGGER ${t.name}`);
        write();
        if (buffer.length) {
          const zones = new Set<string>();
          for (const row of buffer) if (row[zoneAt]) zones.add(row[zoneAt] as string);
          const ids: [number, number] = [buffer[0][0] as number, buffer[buffer.length - 1][0] as number];
          for (const t of suspended) BULK_TRIGGERS[t.name].replay(db, ids, zones);
        }
        for (const t of suspended) db.exec(t.sql);
      }).immediate(), IMPORT_PATIENCE_MS);
      if (buffer.length >= sliceRows && !whole) sliceRows = nextSlice(buffer.length, performance.now() - started);
    }
    buffer.length = 0;
    merges.clear();
    for (const map of Object.values(keyed)) map.clear();
    fillsAll = false;
    pause?.();
  };
  // The buffered leads by key (the first one holding each), for the duplicate lookups.
  const keyed = { phone: new Map<string, number>(), email: new Map<string, number>(), external_id: new Map<string, number>() };
  const note = (kind: keyof Keys, key: unknown, id: number) => {
    if (typeof key === 'string' && !keyed[kind].has(key)) keyed[kind].set(key, id);
  };
  const held = (id: number): Existing | undefined => {
    const first = buffer.length ? (buffer[0][0] as number) : id + 1;
    if (id < first || id >= first + buffer.length) return undefined;
    const row = buffer[id - first];
    const lead = Object.fromEntries(LEAD_COLUMNS.map((c, i) => [c, row[i + 1]])) as unknown as StoredLead;
    return { ...lead, score: lead.score ?? 0, attempts: 0, last_call_at: null, created_at: now, id, import_id: batchId };
  };
  return {
    add(lead) {
      const id = nextId++;
      // The values past the lead's columns (TUPLE_COLUMNS) are the import's, not the table's:
      // the virtual table reads exactly LEAD_COLUMNS, each column of each row costing time.
      lead.length = LEAD_COLUMNS.length;
      if (empty.some((i) => lead[i] !== null)) fillsAll = true;
      if (tracking) {
        const keys = duplicateKeys(lead);
        note('phone', keys.phone, id);
        note('email', keys.email, id);
        note('external_id', keys.external_id, id);
      }
      buffer.push([id, ...lead]);
      if (buffer.length >= sliceRows) flush();
      return id;
    },
    stage(id, merged) {
      if (mergeNow) {
        mergeNow.run({ ...merged, updated_at: now, id });
        return;
      }
      merges.set(id, merged);
      if (merges.size >= sliceRows) flush();
    },
    flush,
    held,
    trackKeys() {
      flush();
      tracking = true;
    },
    close() {
      flush();
      if (nextId > wholeIds.first) for (const t of setAside) BULK_TRIGGERS[t.name].replay(db, [wholeIds.first, nextId - 1], wholeIds.zones);
      for (const t of setAside) db.exec(t.sql);
    },
    holding(kind, key) {
      const id = keyed[kind].get(key);
      return id === undefined ? undefined : held(id);
    },
  };
}

interface LeadBatch extends BufferedLeads {
  /** Buffers a new lead; its id. */
  add(lead: LeadTuple): number;
  /** Buffers a merge into an existing lead (staged, applied when the batch is published). */
  stage(id: number, merged: MergedLead): void;
  /** Writes what is buffered and, in a whole-file import, does the set-aside triggers' work and restores them. */
  close(): void;
}

const IMPORT_ROWS = 'callq_import_rows';

const importRows = new WeakMap<DB, unknown[][]>();

/** The rows an INSERT … SELECT FROM callq_import_rows reads; the table is defined once per connection. */
function importRowsTable(db: DB): unknown[][] {
  let rows = importRows.get(db);
  if (!rows) {
    const buffer: unknown[][] = [];
    db.table(IMPORT_ROWS, {
      columns: ['id', ...LEAD_COLUMNS],
      *rows() {
        yield* buffer;
      },
    });
    importRows.set(db, (rows = buffer));
  }
  return rows;
}

/**
 * Indexes a whole-file import keeps up row by row (when their SQL is exactly this): partial ones
 * no imported lead enters (it arrives 'new', unclaimed, without a callback or a hand-off), where
 * a rebuild would cost a scan of the whole table; those whose keys the import adds in order
 * (status 'new' with rising ids, the batch's own id), which cost no more to keep up than to
 * rebuild; and, when the import fills `unlessFilled` on no lead, partial ones that hold only
 * leads with that column.
 */
const KEPT_INDEXES: Record<string, { sql: string; unlessFilled?: string }> = {
  leads_status: { sql: `CREATE INDEX leads_status ON leads(status)` },
  leads_import: { sql: `CREATE INDEX leads_import ON leads(import_id)` },
  leads_callbacks: { sql: `CREATE INDEX leads_callbacks ON leads(callback_at) WHERE status = 'callback'` },
  leads_callbacks_rep: { sql: `CREATE INDEX leads_callbacks_rep ON leads(callback_rep, callback_at) WHERE status = 'callback'` },
  leads_claims: { sql: `CREATE INDEX leads_claims ON leads(claim_rep) WHERE claim_rep IS NOT NULL` },
  leads_handoff: { sql: `CREATE INDEX leads_handoff ON leads(handoff_id) WHERE handoff_id IS NOT NULL` },
  leads_email: { sql: `CREATE INDEX leads_email ON leads(email) WHERE email IS NOT NULL`, unlessFilled: 'email' },
  leads_external_id: { sql: `CREATE INDEX leads_external_id ON leads(external_id) WHERE external_id IS NOT NULL`, unlessFilled: 'external_id' },
  leads_inbound: { sql: `CREATE INDEX leads_inbound ON leads(inbound_at, queue_rank DESC) WHERE status = 'new' AND inbound_at IS NOT NULL`, unlessFilled: 'inbound_at' },
};

/** The indexes the import's duplicate lookups use. */
const LOOKUP_INDEXES = new Set(['leads_phone', 'leads_email', 'leads_external_id']);

type DeferredIndexes = SetAsideLookups & { rebuild(): void };

/**
 * In a whole-file import at least as large as the table, the indexes on leads whose keys arrive
 * in random order (phone, e-mail, the queue's) are dropped inside the import's transaction and
 * built again from their stored SQL before the commit: SQLite builds an index by sorting, far
 * faster than a million scattered B-tree inserts. Other connections keep reading the committed
 * snapshot, so none of them sees an index missing; a crash rolls the drop back. Unique indexes
 * stay (they enforce something while rows go in). Meanwhile duplicates are found through a
 * KeyIndex; if that fills up, the lookup indexes are built there and then.
 */
function deferIndexes(db: DB, unfilled: ReadonlySet<string>): DeferredIndexes {
  const kept = (i: { name: string; sql: string }) => {
    const k = KEPT_INDEXES[i.name];
    return k !== undefined && sameSql(i.sql, k.sql) && (k.unlessFilled === undefined || unfilled.has(k.unlessFilled));
  };
  const deferred = (
    db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'leads' AND sql IS NOT NULL`).all() as { name: string; sql: string }[]
  ).filter((i) => !/^\s*CREATE\s+UNIQUE\b/i.test(i.sql) && !kept(i));
  for (const i of deferred) db.exec(`DROP INDEX "${i.name}"`);
  const build = (which: (name: string) => boolean) => {
    // SQLite sorts an index's keys in runs as large as the page cache, on helper threads
    // (PRAGMA threads) while it goes on scanning the table: runs of 2 MB keep both going.
    const cache = db.pragma('cache_size', { simple: true }) as number;
    const threads = db.pragma('threads', { simple: true }) as number;
    db.pragma('cache_size = -2048');
    db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
    try {
      for (const i of deferred.filter((d) => which(d.name))) db.exec(i.sql);
    } finally {
      db.pragma(`cache_size = ${cache}`);
      db.pragma(`threads = ${threads}`);
    }
  };
  let lookupsBuilt = false;
  return {
    buildLookups() {
      if (!lookupsBuilt) build((name) => LOOKUP_INDEXES.has(name));
      lookupsBuilt = true;
    },
    rebuild() {
      build((name) => !LOOKUP_INDEXES.has(name) || !lookupsBuilt);
    },
  };
}

/** Every suppression as 'kind:hash', loaded once (usually a small table; often empty). */
function suppressionHashes(db: DB): Set<string> {
  return new Set(db.prepare(`SELECT kind || ':' || value_hash FROM suppressions`).pluck().all() as string[]);
}

/** The phone(s) and e-mail a suppression could match. */
function suppressionView(lead: LeadTuple): { phone: string | null; phone_ext: string | null; alt_phones: string[]; email: string | null } {
  const alt = lead[AT.alt_phones] as string | null;
  return {
    phone: lead[AT.phone] as string | null,
    phone_ext: lead[AT.phone_ext] as string | null,
    alt_phones: alt ? (JSON.parse(alt) as string[]) : [],
    email: lead[AT.email] as string | null,
  };
}
