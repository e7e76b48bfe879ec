// Import batches (table imports) and the writing side of `callq import`: one transaction per
// import, suppression and duplicate checks, inserts and merges, undo.
import { availableParallelism } from 'node:os';
import type { DB } from './open.js';
import type { PriorityWeights } from '../core/settings.js';
import { leadSuppressionKeys, personSuppressionKeys, type SuppressionKey } from '../core/suppression.js';
import { externalIdentity, phoneIdentity, splitPhoneIdentity } from '../core/identity.js';
import { addSuppressions } from './suppressions.js';
import { suppressMatchingLeads } from './outcomes.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { AT, isPersonalEmail, LEAD_COLUMNS, leadFromTuple, mergeLead, MERGED_COLUMNS, type LeadTuple, type StoredLead } from '../io/lead-record.js';

export interface ImportCounts {
  rows_read: number;
  inserted: number;
  updated: number;
  duplicates: number;
  suppressed: number;
  rejected: number;
}

export interface ImportBatchRow extends ImportCounts {
  id: number;
  file_name: string;
  file_hash: string | null;
  options: string;
  rep: string | null;
  created_at: string;
  undone_at: string | null;
}

export type Outcome = 'inserted' | 'updated' | 'duplicate' | 'suppressed';

export interface LeadWriter {
  readonly batchId: number;
  add(lead: LeadTuple): Outcome;
  /** Records the counts and commits (or, for a dry run, rolls everything back). */
  finish(counts: ImportCounts, options: Record<string, unknown>, fileHash: string): void;
  /** Rolls everything back. Safe to call after finish(). */
  abort(): void;
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
}


const STORED_COLUMNS = `id, import_id, external_id, external_system, phone_ext, first_name, last_name, company, title, email, phone, alt_phones, country, region,
  postal_code, timezone, timezone_source, source, campaign, list, score, owner, custom, inbound_at, queue_rank, attempts, last_call_at, created_at`;

/**
 * Opens the import's transaction and its batch row. The transaction is held across the awaits
 * of the streaming read (BEGIN IMMEDIATE … COMMIT rather than db.transaction(), which cannot
 * span them): nothing else uses this connection meanwhile, other processes keep reading, and a
 * failure or a killed process leaves the database as it was.
 */
export function beginImport(db: DB, options: WriterOptions): LeadWriter {
  const now = options.now.toISOString();
  db.pragma('cache_size = -16384'); // 16 MB: fewer index pages re-read on a large import, memory still flat
  // Indexes set aside (deferIndexes) are built again by sorting; SQLite sorts on helper threads.
  db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
  // Checking each new lead's import_id against imports costs ~0.3 µs a row, and the import
  // cannot break a reference: its leads name the batch row it has just made (no hand-off), its
  // updates leave both references alone, it deletes nothing. The pragma only changes outside a
  // transaction, so it is off from BEGIN to the end and then back as it was.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    db.pragma(`foreign_keys = ${foreignKeys}`);
    throw err;
  }
  // A COMMIT that fails leaves the transaction open for the caller's abort() to roll back.
  const end = (sql: 'COMMIT' | 'ROLLBACK') => {
    if (db.inTransaction) db.exec(sql);
    db.pragma(`foreign_keys = ${foreignKeys}`);
  };
  const rollback = () => end('ROLLBACK');
  try {
    const batchId = Number(
      db.prepare('INSERT INTO imports(file_name, rep, created_at) VALUES (?, ?, ?)').run(options.fileName, options.rep, now).lastInsertRowid,
    );
    const triggers = suspendInsertTriggers(db, batchId);
    const stored = db.prepare('SELECT count(*) FROM leads').pluck().get() as number;
    const indexes = stored <= options.expectedRows ? deferIndexes(db, options.unfilled) : null;
    const suppressed = suppressionHashes(db);
    const batch = newLeadBatch(db, batchId, now, options.unfilled);
    const duplicates = duplicateFinder(db, stored, options.expectedRows, indexes, batch);
    const update = db.prepare(`UPDATE leads SET ${MERGED_COLUMNS.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at WHERE id = @id`);
    // Leads this import has merged a row into: a later row matching one is a repeat within the file.
    const merged = new LeadIdSet();
    // Rows whose own do-not-call flag is set: put on the list, and matching leads moved, at the end.
    const doNotCall: SuppressionKey[] = [];

    return {
      batchId,
      add(lead) {
        if (lead[AT.do_not_call]) {
          for (const k of personSuppressionKeys(suppressionView(lead))) {
            doNotCall.push(k);
            suppressed.add(`${k.kind}:${k.hash}`);
          }
          return 'suppressed';
        }
        if (suppressed.size && leadSuppressionKeys(suppressionView(lead)).some((k) => suppressed.has(`${k.kind}:${k.hash}`))) return 'suppressed';
        const keys = duplicateKeys(lead);
        const hashed = duplicates.hash(keys);
        if (duplicates.mayExist(hashed)) {
          const existing = duplicates.find(keys, hashed);
          if (existing) {
            // A lead this import created or already merged a row into is a repeat within the file: the first row wins.
            if (existing.import_id === batchId || merged.has(existing.id) || options.onDuplicate === 'skip') return 'duplicate';
            const changes = mergeLead(existing, leadFromTuple(lead), options.weights);
            if (!changes) return 'duplicate';
            update.run({ ...changes, updated_at: now, id: existing.id });
            merged.add(existing.id);
            duplicates.remember(duplicates.hash(duplicateKeys({ ...existing, ...changes })), existing.id);
            return 'updated';
          }
        }
        duplicates.remember(hashed, batch.add(lead));
        const zone = lead[AT.timezone] as string | null;
        if (zone) triggers.zones.add(zone);
        return 'inserted';
      },
      finish(counts, batchOptions, fileHash) {
        batch.flush();
        db.prepare(
          `UPDATE imports SET file_hash = ?, options = ?, rows_read = ?, inserted = ?, updated = ?, duplicates = ?, suppressed = ?, rejected = ?
           WHERE id = ?`,
        ).run(fileHash, JSON.stringify(batchOptions), counts.rows_read, counts.inserted, counts.updated, counts.duplicates, counts.suppressed, counts.rejected, batchId);
        indexes?.rebuild();
        triggers.restore();
        if (doNotCall.length) {
          // As `callq dnc add` does: the contacts go on the list, and leads already there matching them become do-not-call.
          const source = `import batch ${batchId} (${options.fileName})`;
          addSuppressions(db, doNotCall, 'do-not-call flag in the imported file', source, options.now);
          const values = (kind: string) => [...new Set(doNotCall.filter((k) => k.kind === kind).map((k) => k.value))];
          suppressMatchingLeads(db, values('phone'), values('email'), [], options.now);
        }
        end(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      },
      abort: rollback,
    };
  } catch (err) {
    rollback();
    throw err;
  }
}

/**
 * Any AFTER INSERT trigger on leads costs ~10 µs a row on a table this wide, as much as the rest
 * of the insert. The ones the import knows are dropped inside its transaction, their work is
 * done once, in bulk, at the end, and they are recreated from their stored SQL before the
 * commit: no other connection ever sees the schema without them. A trigger whose SQL is not
 * exactly the known one stays in place (correct, only slower).
 */
const BULK_TRIGGERS: Record<string, { sql: string; replay(db: DB, batchId: number, zones: ReadonlySet<string>): void }> = {
  leads_zone_insert: {
    sql: `CREATE TRIGGER leads_zone_insert AFTER INSERT ON leads WHEN NEW.timezone IS NOT NULL
      BEGIN INSERT OR IGNORE INTO lead_zones(timezone) VALUES (NEW.timezone); END`,
    replay(db, _batchId, zones) {
      const add = db.prepare('INSERT OR IGNORE INTO lead_zones(timezone) VALUES (?)');
      for (const zone of zones) add.run(zone);
    },
  },
  leads_alt_phones_insert: {
    sql: `CREATE TRIGGER leads_alt_phones_insert AFTER INSERT ON leads WHEN NEW.alt_phones IS NOT NULL AND json_valid(NEW.alt_phones)
      BEGIN INSERT INTO lead_alt_phones(phone, lead_id) SELECT value, NEW.id FROM json_each(NEW.alt_phones) WHERE type = 'text'; END`,
    replay(db, batchId) {
      db.prepare(
        `INSERT INTO lead_alt_phones(phone, lead_id)
         SELECT j.value, l.id FROM leads l, json_each(l.alt_phones) j
         WHERE l.import_id = ? AND l.alt_phones IS NOT NULL AND json_valid(l.alt_phones) AND j.type = 'text' ORDER BY l.id`,
      ).run(batchId);
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

function suspendInsertTriggers(db: DB, batchId: number): { zones: Set<string>; restore(): void } {
  const zones = new Set<string>();
  const suspended = leadInsertTriggers(db).filter((t) => t.bulk);
  for (const t of suspended) db.exec(`DROP TRIGGER ${t.name}`);
  return {
    zones,
    restore() {
      for (const t of suspended) {
        BULK_TRIGGERS[t.name].replay(db, batchId, zones);
        db.exec(t.sql);
      }
    },
  };
}

/**
 * New leads go in a few hundred at a time: one INSERT … SELECT from a virtual table over the
 * buffered rows costs about half as much a row as one INSERT a row (binding each value through
 * a call is most of that), and the columns the file leaves empty on every lead are not read at
 * all. A row that does fill one of those goes in through the statement of every column, so a
 * wrong guess costs speed, never data. Ids are the import's own, next after the highest stored
 * one (the import holds the write lock), so a row's id is known while it is still buffered:
 * duplicate finding reads a buffered row from the buffer (held); whatever reads leads from the
 * table during the import writes the buffer first (flush).
 */
function newLeadBatch(db: DB, batchId: number, now: string, unfilled: ReadonlySet<string>): LeadBatch {
  const buffer = importRowsTable(db);
  buffer.length = 0;
  let nextId = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM leads').pluck().get() as number;
  // Status, batch and times are the same for every row: literals, not values. A row without a
  // score (null, so that a merge keeps the old one) is stored as 0, the column's default.
  const insertOf = (columns: readonly string[]) =>
    db.prepare(
      `INSERT INTO leads(id, ${columns.join(', ')}, status, import_id, created_at, updated_at)
       SELECT id, ${columns.map((c) => (c === 'score' ? 'coalesce(score, 0)' : c)).join(', ')}, 'new', ${batchId}, '${now}', '${now}'
       FROM ${IMPORT_ROWS}`,
    );
  const insertFilled = insertOf(LEAD_COLUMNS.filter((c) => !unfilled.has(c)));
  const insertAll = insertOf(LEAD_COLUMNS);
  const empty = LEAD_COLUMNS.flatMap((c, i) => (unfilled.has(c) ? [i] : []));
  const flush = () => {
    if (buffer.length === 0) return;
    insertFilled.run();
    buffer.length = 0;
  };
  return {
    add(lead) {
      const id = nextId++;
      // The values past the lead's columns (TUPLE_COLUMNS) are the import's, not the table's:
      // the virtual table reads exactly LEAD_COLUMNS, each column of each row costing time.
      lead.length = LEAD_COLUMNS.length;
      if (empty.some((i) => lead[i] !== null)) {
        flush();
        buffer.push([id, ...lead]);
        insertAll.run();
        buffer.length = 0;
      } else {
        buffer.push([id, ...lead]);
        if (buffer.length >= 512) flush();
      }
      return id;
    },
    flush,
    held(id) {
      const first = buffer.length ? (buffer[0][0] as number) : id + 1;
      if (id < first || id >= first + buffer.length) return undefined;
      const row = buffer[id - first];
      const lead = Object.fromEntries(LEAD_COLUMNS.map((c, i) => [c, row[i + 1]])) as unknown as StoredLead;
      return { ...lead, score: lead.score ?? 0, attempts: 0, last_call_at: null, created_at: now, id, import_id: batchId };
    },
  };
}

interface LeadBatch {
  /** Buffers a new lead; its id. */
  add(lead: LeadTuple): number;
  /** Writes the buffered leads. */
  flush(): void;
  /** The buffered lead with this id, as a stored one reads; undefined when it is not in the buffer. */
  held(id: number): Existing | undefined;
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
 * Indexes that stay in place (when their SQL is exactly this): partial ones no imported lead
 * enters (it arrives 'new', unclaimed, without a callback or a hand-off), where a rebuild would
 * cost a scan of the whole table; those whose keys the import adds in order (status 'new' with
 * rising ids, the batch's own id), which cost no more to keep up than to rebuild; and, when the
 * import fills `unlessFilled` on no lead, partial ones that hold only leads with that column.
 */
const KEPT_INDEXES: Record<string, { sql: string; unlessFilled?: string }> = {
  leads_status: { sql: `CREATE INDEX leads_status ON leads(status)` },
  leads_import: { sql: `CREATE INDEX leads_import ON leads(import_id)` },
  leads_callbacks: { sql: `CREATE INDEX leads_callbacks ON leads(callback_at) WHERE status = 'callback'` },
  leads_claims: { sql: `CREATE INDEX leads_claims ON leads(claim_rep) WHERE claim_rep IS NOT NULL` },
  leads_handoff: { sql: `CREATE INDEX leads_handoff ON leads(handoff_id) WHERE handoff_id IS NOT NULL` },
  leads_email: { sql: `CREATE INDEX leads_email ON leads(email) WHERE email IS NOT NULL`, unlessFilled: 'email' },
  leads_external_id: { sql: `CREATE INDEX leads_external_id ON leads(external_id) WHERE external_id IS NOT NULL`, unlessFilled: 'external_id' },
  leads_inbound: { sql: `CREATE INDEX leads_inbound ON leads(inbound_at) WHERE status = 'new' AND inbound_at IS NOT NULL`, unlessFilled: 'inbound_at' },
};

/** The indexes the import's duplicate lookups use, by key kind. */
const LOOKUP_INDEXES: Record<string, keyof Keys> = { leads_phone: 'phone', leads_email: 'email', leads_external_id: 'external_id' };

type DeferredIndexes = { buildLookups(): void; rebuild(): void };

/**
 * When the import is at least as large as the table, the indexes on leads (phone, e-mail and
 * the queue's above all, whose keys arrive in random order) are dropped inside the import's
 * transaction and built again from their stored SQL before the commit: SQLite builds an index
 * by sorting, far faster than a million scattered B-tree inserts. Other connections keep
 * reading the committed snapshot, so none of them sees an index missing; a crash rolls the drop
 * back. Unique indexes stay (they enforce something while rows go in). Meanwhile duplicates are
 * found through a KeyIndex; if that fills up, the lookup indexes are built there and then.
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
    // (PRAGMA threads) while it goes on scanning the table: runs of 2 MB keep both going (a
    // million leads: 0.35 s an index instead of 0.55 s with the import's 16 MB cache).
    const cache = db.pragma('cache_size', { simple: true }) as number;
    db.pragma('cache_size = -2048');
    try {
      for (const i of deferred.filter((d) => which(d.name))) db.exec(i.sql);
    } finally {
      db.pragma(`cache_size = ${cache}`);
    }
  };
  let lookupsBuilt = false;
  return {
    buildLookups() {
      if (!lookupsBuilt) build((name) => name in LOOKUP_INDEXES);
      lookupsBuilt = true;
    },
    rebuild() {
      build((name) => !(name in LOOKUP_INDEXES) || !lookupsBuilt);
    },
  };
}

/** Every suppression as 'kind:hash', loaded once (usually a small table; often empty). */
function suppressionHashes(db: DB): Set<string> {
  return new Set(db.prepare(`SELECT kind || ':' || value_hash FROM suppressions`).pluck().all() as string[]);
}

type Existing = StoredLead & { id: number; import_id: number | null };
/** Each key as it identifies a person (see core/identity.ts): phone with extension, personal e-mail, id within its system. */
type Keys = { phone: string; email: string | null; external_id: string | null };
/** The columns a lead's identity is read from (a stored lead, or a LeadTuple read through AT). */
type StoredIdentity = Pick<StoredLead, 'phone' | 'phone_ext' | 'email' | 'external_id' | 'external_system'>;

/**
 * What makes two leads one: the phone with its extension, a personal e-mail (not a shared
 * mailbox), the external id within the system that issued it. Takes a stored lead or, read
 * through the tuple's positions, a new one.
 */
function duplicateKeys(lead: StoredIdentity | LeadTuple): Keys {
  const get = Array.isArray(lead) ? (c: keyof StoredIdentity) => lead[AT[c]] as string | null : (c: keyof StoredIdentity) => lead[c];
  const email = get('email');
  const id = get('external_id');
  return {
    phone: phoneIdentity(get('phone')!, get('phone_ext')),
    email: email && isPersonalEmail(email) ? email : null,
    external_id: id === null ? null : externalIdentity(get('external_system'), id),
  };
}

/** The phone(s) and e-mail a suppression could match. */
function suppressionView(lead: LeadTuple): { phone: string; phone_ext: string | null; alt_phones: string[]; email: string | null } {
  const alt = lead[AT.alt_phones] as string | null;
  return {
    phone: lead[AT.phone] as string,
    phone_ext: lead[AT.phone_ext] as string | null,
    alt_phones: alt ? (JSON.parse(alt) as string[]) : [],
    email: lead[AT.email] as string | null,
  };
}

/** A set of lead ids as a bitmap: memory follows the highest id, not how many an import touches. */
class LeadIdSet {
  private bits = new Uint32Array(1024);

  add(id: number): void {
    const word = id >>> 5;
    if (word >= this.bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[word] |= 1 << (id & 31);
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.bits.length && (this.bits[word] & (1 << (id & 31))) !== 0;
  }
}

/**
 * Finds the lead a row duplicates: same external id, else same phone, else same personal e-mail
 * (a shared mailbox such as info@ does not identify a person). Leads inserted earlier in the
 * same import are found too: they are in the transaction, or still in the batch's buffer (read
 * from there by id, or written before an indexed lookup). Each key is hashed once a row.
 *
 * While the lookup indexes are set aside (deferIndexes), a KeyIndex says which rows may hold a
 * key, and a row none of whose keys it knows cannot be a duplicate. Otherwise a bloom filter of
 * the keys seen (fixed size, so memory stays flat) spares the indexed lookups for rows that
 * cannot match; when the database already holds many more leads than the file, the filter is
 * skipped rather than filled from every stored lead.
 */
function duplicateFinder(
  db: DB,
  stored: number,
  expectedRows: number,
  deferred: DeferredIndexes | null,
  batch: Pick<LeadBatch, 'flush' | 'held'>,
): { hash(keys: Keys): KeyHashes; mayExist(h: KeyHashes): boolean; find(keys: Keys, h: KeyHashes): Existing | undefined; remember(h: KeyHashes, id: number): void } {
  const byExternalId = db.prepare(`SELECT ${STORED_COLUMNS} FROM leads WHERE external_id = ? AND external_system IS ? ORDER BY id LIMIT 1`);
  const byPhone = db.prepare(`SELECT ${STORED_COLUMNS} FROM leads WHERE phone = ? AND phone_ext IS ? ORDER BY id LIMIT 1`);
  const byEmail = db.prepare(`SELECT ${STORED_COLUMNS} FROM leads WHERE email = ? ORDER BY id LIMIT 1`);
  const byId = (keys: Keys) => {
    const at = keys.external_id!.indexOf(':'); // system names have no ':' (core/identity.ts)
    return byExternalId.get(keys.external_id!.slice(at + 1), at === 0 ? null : keys.external_id!.slice(0, at));
  };
  const indexed = (keys: Keys) => {
    batch.flush();
    const { phone, ext } = splitPhoneIdentity(keys.phone);
    return ((keys.external_id !== null ? byId(keys) : undefined) ??
      byPhone.get(phone, ext) ??
      (keys.email !== null ? byEmail.get(keys.email) : undefined)) as Existing | undefined;
  };

  if (stored > expectedRows * 4) return { hash: keyHashes, mayExist: () => true, find: indexed, remember() {} };
  let filter: KeyFilter | null = null;
  let rows = deferred ? new KeyIndex() : null;
  const storedById = db.prepare(`SELECT ${STORED_COLUMNS} FROM leads WHERE id = ?`);
  // The first lead (lowest id) whose key still is this one, as the indexed lookups would find.
  const scan = (kind: keyof Keys, key: string, hash: [number, number]) => {
    let found: Existing | undefined;
    for (const id of rows!.candidates(hash)) {
      if (found && found.id < id) continue;
      const row = batch.held(id) ?? (storedById.get(id) as Existing | undefined);
      if (row && duplicateKeys(row)[kind] === key) found = row;
    }
    return found;
  };
  const find = (keys: Keys, h: KeyHashes) => {
    if (!rows) return indexed(keys);
    return (
      (h.external_id ? scan('external_id', keys.external_id!, h.external_id) : undefined) ??
      scan('phone', keys.phone, h.phone) ??
      (h.email ? scan('email', keys.email!, h.email) : undefined)
    );
  };
  const each = (h: KeyHashes, f: (hash: [number, number]) => void) => {
    f(h.phone);
    if (h.email) f(h.email);
    if (h.external_id) f(h.external_id);
  };
  /** Notes the keys; says whether the KeyIndex is full (the lookup indexes must then be built). */
  const note = (h: KeyHashes, id: number) => {
    if (filter) each(h, (hash) => filter!.add(hash));
    if (!rows) return false;
    each(h, (hash) => rows!.add(hash, id));
    return rows.full || id > 0x7fffffff;
  };
  const everyStoredLead = () =>
    db.prepare('SELECT id, external_id, external_system, phone, phone_ext, email FROM leads').iterate() as IterableIterator<StoredIdentity & { id: number }>;
  /** From now on the lookup indexes find duplicates, and a bloom filter of every key spares most lookups. */
  const spill = () => {
    batch.flush();
    rows = null;
    filter = new KeyFilter();
    for (const row of everyStoredLead()) note(keyHashes(duplicateKeys(row)), row.id);
    deferred?.buildLookups();
  };
  if (!rows) filter = new KeyFilter();
  // Indexes cannot be built while the statement reading the stored leads is open.
  let full = false;
  if (stored > 0) for (const row of everyStoredLead()) full = note(keyHashes(duplicateKeys(row)), row.id) || full;
  if (full) spill();
  return {
    hash: keyHashes,
    mayExist: (h) => {
      if (rows) return rows.has(h.phone) || (h.email !== null && rows.has(h.email)) || (h.external_id !== null && rows.has(h.external_id));
      return filter!.has(h.phone) || (h.email !== null && filter!.has(h.email)) || (h.external_id !== null && filter!.has(h.external_id));
    },
    find,
    remember: (h, id) => {
      if (note(h, id)) spill();
    },
  };
}

/** The two hashes of each key of a row (see hashes()). */
type KeyHashes = { phone: [number, number]; email: [number, number] | null; external_id: [number, number] | null };

function keyHashes(keys: Keys): KeyHashes {
  return {
    phone: hashes('p', keys.phone),
    email: keys.email === null ? null : hashes('e', keys.email),
    external_id: keys.external_id === null ? null : hashes('x', keys.external_id),
  };
}

/**
 * Which leads may hold a key, while the lookup indexes are set aside: 4M slots of lead ids
 * (16 MB) and a one-byte fingerprint of each key (4 MB), fixed so memory stays flat; open
 * addressing on one hash of the key, the fingerprint from the other. It only narrows the
 * search: the rows it names are read and compared. Full at half its slots.
 */
class KeyIndex {
  private readonly slots = new Int32Array(1 << 22);
  private readonly prints = new Uint8Array(1 << 22);
  private readonly mask = (1 << 22) - 1;
  private used = 0;

  get full(): boolean {
    return this.used > 1 << 21;
  }

  add([a, b]: [number, number], id: number): void {
    const print = b >>> 24;
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.slots[slot] === id && this.prints[slot] === print) return;
      if (this.slots[slot] === 0) {
        this.slots[slot] = id;
        this.prints[slot] = print;
        this.used++;
        return;
      }
    }
  }

  /** False when no lead was noted with this key (true may be a collision). */
  has([a, b]: [number, number]): boolean {
    const print = b >>> 24;
    for (let slot = a & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) if (this.prints[slot] === print) return true;
    return false;
  }

  *candidates([a, b]: [number, number]): Generator<number> {
    const print = b >>> 24;
    for (let slot = a & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) if (this.prints[slot] === print) yield this.slots[slot];
  }
}

/** A bloom filter over key hashes: 8 MB, 4 probes; says "maybe" or "certainly not". */
class KeyFilter {
  private readonly bits = new Uint32Array(1 << 21);
  private readonly mask = (1 << 26) - 1;

  add([a, b]: [number, number]): void {
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  has([a, b]: [number, number]): boolean {
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a hashes of kind + key. */
function hashes(kind: string, key: string): [number, number] {
  let a = 0x811c9dc5 ^ kind.charCodeAt(0);
  let b = 0x01000193 ^ (kind.charCodeAt(0) * 31);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b >>> 0) | 1];
}

// ---------------------------------------------------------------------------------------------
// Listing and undoing batches

export function listImports(db: DB): ImportBatchRow[] {
  return db.prepare('SELECT * FROM imports ORDER BY id').all() as ImportBatchRow[];
}

export interface UndoResult {
  batch: number;
  removed: number;
  /** Of those, leads that had been called (removed only with --force, with their calls). */
  called: number;
  /** Leads the batch merged into, which keep the merged values. */
  updated_kept: number;
}

/**
 * Removes the leads a batch created (not the ones it merely updated) and marks it undone, in
 * one transaction. Refuses when any of them has been called, unless forced.
 */
export function undoImport(db: DB, batchId: number, force: boolean, now: Date): UndoResult {
  return db.transaction((): UndoResult => {
    const batch = db.prepare('SELECT * FROM imports WHERE id = ?').get(batchId) as ImportBatchRow | undefined;
    if (!batch) throw new UsageError(`there is no import batch ${batchId}. Run 'callq imports' to list them.`);
    if (batch.undone_at) throw new NothingToDoError(`import batch ${batchId} was already undone at ${batch.undone_at}.`);
    const called = db
      .prepare(
        `SELECT count(*) FROM leads l WHERE l.import_id = ?
           AND (l.attempts > 0 OR l.status <> 'new' OR EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id))`,
      )
      .pluck()
      .get(batchId) as number;
    if (called > 0 && !force) {
      throw new UsageError(
        `${called} lead(s) of import batch ${batchId} have been called or moved on since; undoing would delete them and their call history. ` +
          `Nothing was changed. Add --force to remove them anyway.`,
        { batch: batchId, called },
      );
    }
    const removed = db.prepare('DELETE FROM leads WHERE import_id = ?').run(batchId).changes;
    db.prepare('UPDATE imports SET undone_at = ? WHERE id = ?').run(now.toISOString(), batchId);
    return { batch: batchId, removed, called, updated_kept: batch.updated };
  }).immediate();
}
