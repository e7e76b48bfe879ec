// Schema migrations, one function per version, keyed on PRAGMA user_version.
// The schema is a documented interface (docs/schema.md): ops query it with any
// SQLite tool, so it changes only through a new migration appended here.
import type { Database } from 'better-sqlite3';

export type Migration = (db: Database) => void;

const STATUS_CHECK = `status IN ('new','working','callback','nurture','sales-ready','handed-off','disqualified','do-not-call','exhausted')`;

/** MIGRATIONS[i] brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly Migration[] = [
  // 1: the whole data model of the spec.
  (db) => {
    db.exec(`
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
      );

      CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        file_name   TEXT NOT NULL,
        file_hash   TEXT,
        options     TEXT NOT NULL DEFAULT '{}',   -- JSON: list, source, campaign, mapping, ...
        rows_read   INTEGER NOT NULL DEFAULT 0,
        inserted    INTEGER NOT NULL DEFAULT 0,
        updated     INTEGER NOT NULL DEFAULT 0,
        duplicates  INTEGER NOT NULL DEFAULT 0,
        suppressed  INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0,
        rep         TEXT,
        created_at  TEXT NOT NULL,
        undone_at   TEXT
      );

      CREATE TABLE handoffs (
        id          INTEGER PRIMARY KEY,
        created_at  TEXT NOT NULL,
        destination TEXT,
        lead_count  INTEGER NOT NULL DEFAULT 0,
        profile     TEXT NOT NULL DEFAULT 'default',
        rep         TEXT
      );

      CREATE TABLE leads (
        id                INTEGER PRIMARY KEY,
        external_id       TEXT,
        first_name        TEXT,
        last_name         TEXT,
        company           TEXT,
        title             TEXT,
        email             TEXT,
        phone             TEXT NOT NULL,          -- E.164
        phone_raw         TEXT,                   -- as imported
        alt_phones        TEXT,                   -- JSON array of E.164 numbers, tried after bad-number
        country           TEXT,
        region            TEXT,
        postal_code       TEXT,
        timezone          TEXT,                   -- candidate IANA zones, comma-separated, sorted
        timezone_source   TEXT,                   -- column | phone | region | country | default
        source            TEXT,
        campaign          TEXT,
        list              TEXT,
        score             INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
        owner             TEXT,
        custom            TEXT,                   -- JSON object of unmapped CSV columns
        status            TEXT NOT NULL DEFAULT 'new' CHECK (${STATUS_CHECK}),
        attempts          INTEGER NOT NULL DEFAULT 0,
        contacts          INTEGER NOT NULL DEFAULT 0,
        attempts_since_contact INTEGER NOT NULL DEFAULT 0,
        day_attempts      INTEGER NOT NULL DEFAULT 0,  -- attempts on attempt_day (lead local date)
        attempt_day       TEXT,
        first_call_at     TEXT,
        last_call_at      TEXT,
        last_disposition  TEXT,
        next_eligible_at  TEXT,                   -- retry, min-gap, per-day limit, nurture date
        callback_at       TEXT,
        callback_rep      TEXT,
        nurture_until     TEXT,
        claim_rep         TEXT,
        claim_token       TEXT,
        claim_expires_at  TEXT,
        qualification     TEXT,                   -- JSON: need, timeframe, authority, budget, ...
        handoff_note      TEXT,
        disqualify_reason TEXT,
        closed_at         TEXT,                   -- when the lead reached a terminal status
        inbound_at        TEXT,                   -- when an inbound lead arrived (speed-to-lead)
        queue_rank        REAL NOT NULL DEFAULT 0,-- ordering key: time-independent score terms (docs/working.md)
        import_id         INTEGER REFERENCES imports(id),
        handoff_id        INTEGER REFERENCES handoffs(id),
        purged_at         TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
      );
      CREATE INDEX leads_phone ON leads(phone);
      CREATE INDEX leads_email ON leads(email) WHERE email IS NOT NULL;
      CREATE INDEX leads_external_id ON leads(external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX leads_status ON leads(status);
      CREATE INDEX leads_queue ON leads(timezone, queue_rank DESC) WHERE status IN ('new','working','nurture');
      CREATE INDEX leads_callbacks ON leads(callback_at) WHERE status = 'callback';
      CREATE INDEX leads_inbound ON leads(inbound_at) WHERE status = 'new' AND inbound_at IS NOT NULL;
      CREATE INDEX leads_claims ON leads(claim_rep) WHERE claim_rep IS NOT NULL;
      CREATE INDEX leads_import ON leads(import_id);
      CREATE INDEX leads_handoff ON leads(handoff_id) WHERE handoff_id IS NOT NULL;

      -- The distinct time-zone groups of leads, so the queue can tell which groups are inside
      -- calling hours without scanning leads. Kept by triggers; a stale row is harmless.
      CREATE TABLE lead_zones (timezone TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TRIGGER leads_zone_insert AFTER INSERT ON leads WHEN NEW.timezone IS NOT NULL
        BEGIN INSERT OR IGNORE INTO lead_zones(timezone) VALUES (NEW.timezone); END;
      CREATE TRIGGER leads_zone_update AFTER UPDATE OF timezone ON leads WHEN NEW.timezone IS NOT NULL
        BEGIN INSERT OR IGNORE INTO lead_zones(timezone) VALUES (NEW.timezone); END;

      CREATE TABLE calls (
        id            INTEGER PRIMARY KEY,
        lead_id       INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        rep           TEXT NOT NULL,
        called_at     TEXT NOT NULL,
        disposition   TEXT NOT NULL,
        contact       INTEGER NOT NULL DEFAULT 0,
        reason        TEXT,
        notes         TEXT,
        callback_at   TEXT,
        nurture_until TEXT,
        duration_s    INTEGER,
        phone         TEXT,                       -- the number dialled
        status_before TEXT,
        status_after  TEXT,
        forced        INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX calls_lead ON calls(lead_id, called_at);
      CREATE INDEX calls_time ON calls(called_at);
      CREATE INDEX calls_rep ON calls(rep, called_at);
      -- History is never rewritten: the only change allowed is erasing notes (retention, forget).
      CREATE TRIGGER calls_append_only BEFORE UPDATE ON calls
        WHEN NOT (NEW.notes IS NULL
          AND NEW.id IS OLD.id AND NEW.lead_id IS OLD.lead_id AND NEW.rep IS OLD.rep
          AND NEW.called_at IS OLD.called_at AND NEW.disposition IS OLD.disposition)
        BEGIN SELECT RAISE(ABORT, 'calls are append-only: history is never rewritten'); END;

      CREATE TABLE suppressions (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('phone','email','domain')),
        value       TEXT,                          -- NULL once the person asked to be forgotten
        value_hash  TEXT NOT NULL,                 -- sha256 of kind:value, what lookups use
        reason      TEXT,
        source      TEXT,
        created_at  TEXT NOT NULL,
        UNIQUE (kind, value_hash)
      );
    `);
  },
  // 2: each zone group's calling windows for the coming week (see core/zone-windows.ts), so the
  // queue can tell which groups are open without asking Intl for local times.
  (db) => {
    db.exec(`ALTER TABLE lead_zones ADD COLUMN windows TEXT;`);
  },
  // 3: alternate phones indexed, so do-not-call and forget find every lead that has a number
  // without scanning leads.alt_phones (JSON). Kept by triggers from leads.alt_phones.
  (db) => {
    db.exec(`
      CREATE TABLE lead_alt_phones (
        phone   TEXT NOT NULL,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE
      );
      CREATE INDEX lead_alt_phones_phone ON lead_alt_phones(phone);
      CREATE INDEX lead_alt_phones_lead ON lead_alt_phones(lead_id);
      CREATE TRIGGER leads_alt_phones_insert AFTER INSERT ON leads WHEN NEW.alt_phones IS NOT NULL AND json_valid(NEW.alt_phones)
        BEGIN
          INSERT INTO lead_alt_phones(phone, lead_id) SELECT value, NEW.id FROM json_each(NEW.alt_phones) WHERE type = 'text';
        END;
      CREATE TRIGGER leads_alt_phones_update AFTER UPDATE OF alt_phones ON leads
        BEGIN
          DELETE FROM lead_alt_phones WHERE lead_id = OLD.id;
          INSERT INTO lead_alt_phones(phone, lead_id)
            SELECT value, NEW.id FROM json_each(CASE WHEN json_valid(NEW.alt_phones) THEN NEW.alt_phones ELSE '[]' END) WHERE type = 'text';
        END;
      INSERT INTO lead_alt_phones(phone, lead_id)
        SELECT j.value, l.id FROM leads l, json_each(l.alt_phones) j
        WHERE l.alt_phones IS NOT NULL AND json_valid(l.alt_phones) AND j.type = 'text';
    `);
  },
  // 4: who is one person. A phone's extension is kept (colleagues behind one switchboard are
  // different leads), and an external id is qualified by the system that issued it.
  (db) => {
    db.exec(`
      ALTER TABLE leads ADD COLUMN phone_ext TEXT;         -- extension dialled after the number, digits
      ALTER TABLE leads ADD COLUMN external_system TEXT;   -- who issued external_id: hubspot, salesforce, … or the id column's header
    `);
  },
  // 5: imports that run while reps work (docs/importing.md "All or nothing, while reps work"). A lead an import is
  // still writing has status 'importing', which no queue query or queue index serves; the batch
  // row says where the import is (running, publishing, complete, failed) and which process runs
  // it; merges into existing leads wait in import_updates until the batch is published.
  // Allowing one more status only loosens the CHECK, so the stored table SQL is edited in place
  // (SQLite's documented procedure for changing a constraint) instead of copying every lead.
  (db) => {
    const { sql } = db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'leads'`).get() as { sql: string };
    const old = `CHECK (${STATUS_CHECK})`;
    if (!sql.includes(old)) throw new Error('migration 5: the leads table does not have the expected status constraint');
    const version = db.pragma('schema_version', { simple: true }) as number;
    db.unsafeMode(true);
    try {
      db.pragma('writable_schema = ON');
      db.prepare(`UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'leads'`).run(
        sql.replace(old, `CHECK (${STATUS_CHECK.replace(`'exhausted')`, `'exhausted','importing')`)})`),
      );
      db.pragma(`schema_version = ${version + 1}`);
      db.pragma('writable_schema = OFF');
    } finally {
      db.unsafeMode(false);
    }
    db.exec(`
      ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'
        CHECK (state IN ('running','publishing','complete','failed'));
      ALTER TABLE imports ADD COLUMN pid INTEGER;
      CREATE TABLE import_updates (
        import_id INTEGER NOT NULL REFERENCES imports(id),
        lead_id   INTEGER NOT NULL,
        merged    TEXT NOT NULL,               -- JSON: the merged columns, applied when the batch is published
        PRIMARY KEY (import_id, lead_id)
      ) WITHOUT ROWID;
    `);
  },
  // 6: a rep's own due callbacks through an index range of their own (leads_callbacks_rep): the
  // claim read every due callback of the team in time order looking for the rep's, a few
  // thousand on a busy day. On PostgreSQL, leads_status also leaves out the statuses the queue
  // reads through indexes of their own (src/db/pg/migrations.ts); a file keeps it whole: its
  // queue queries name their index (INDEXED BY), and `callq status` counts by status from it.
  (db) => {
    db.exec(`CREATE INDEX leads_callbacks_rep ON leads(callback_rep, callback_at) WHERE status = 'callback';`);
  },
  // 7: leads_inbound orders each arrival instant's leads by stored rank. Leads that came in at one
  // instant (a day's web leads imported at once) are equally fresh, so the claim reads only the
  // best few of each instant instead of reading and scoring all of them (src/db/queue.ts).
  (db) => {
    db.exec(`
      DROP INDEX leads_inbound;
      CREATE INDEX leads_inbound ON leads(inbound_at, queue_rank DESC) WHERE status = 'new' AND inbound_at IS NOT NULL;
    `);
  },
  // 8: a lead id is never handed out twice. Ids went one past the highest stored, so undoing or
  // forgetting the newest leads freed their ids for the next import's leads, and a callq_id a
  // CRM already held could come back on another person. Each batch now records the highest id
  // it handed out (imports.lead_ids_to) and the next import starts past every one of them, as
  // PostgreSQL's identity does. Batches from before know what their leads still show.
  (db) => {
    db.exec(`
      ALTER TABLE imports ADD COLUMN lead_ids_to INTEGER;
      UPDATE imports SET lead_ids_to = (SELECT max(id) FROM leads WHERE leads.import_id = imports.id);
    `);
  },
  // 9: nothing changes in a file. On PostgreSQL a claim no longer writes an entry into every index
  // (src/db/pg/migrations.ts): a rep's claim is found through rep_claims instead of leads_claims,
  // and leads_queue orders ties by id, as this store's index already does through the rowid. The
  // version moves with it so that both stores keep one numbering (db copy compares them).
  () => undefined,
  // 10: nothing changes in a file either. On PostgreSQL a rep working one list is served through
  // an index of lists (src/db/pg/migrations.ts). A file's filters compare values folded by
  // JavaScript (callq_fold), which an index of the file could hold only if every program that
  // writes the file knew that function.
  () => undefined,
  // 11: nothing changes in a file. On PostgreSQL the leads table is vacuumed after far fewer
  // changed rows than the server's default (src/db/pg/migrations.ts). SQLite deletes a row's old
  // index entries in the statement that changes the row: its queue index keeps no dead ones.
  () => undefined,
  // 12: nothing changes in a file. PostgreSQL gains callq_fold, the case folding this store's
  // filters register on each connection (src/db/queue.ts), so both fold names alike.
  () => undefined,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
