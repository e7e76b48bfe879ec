// The PostgreSQL schema against the SQLite one, version by version; the migration lock; the
// triggers that keep derived tables and the append-only call log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate } from '../../src/db/open.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { migratePg, pgSchemaVersion, PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/db/pg/migrations.js';
import type { PgClient } from '../../src/db/pg/open.js';
import { callq, tempDir } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const TABLES_SQL = `SELECT table_name AS t, column_name AS c FROM information_schema.columns
  WHERE table_schema = 'public' AND table_name <> 'schema_version' ORDER BY table_name, ordinal_position`;

function sqliteShape(version: number): { columns: Record<string, string[]>; indexes: string[] } {
  const tmp = tempDir();
  const db = new Database(join(tmp.dir, 'shape.db'));
  try {
    migrate(db, version);
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    const columns: Record<string, string[]> = {};
    for (const t of tables) columns[t] = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).sort();
    const indexes = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).pluck().all() as string[];
    return { columns, indexes };
  } finally {
    db.close();
    tmp.cleanup();
  }
}

async function pgShape(client: PgClient): Promise<{ columns: Record<string, string[]>; indexes: string[] }> {
  const columns: Record<string, string[]> = {};
  for (const { t, c } of (await client.query<{ t: string; c: string }>(TABLES_SQL)).rows) (columns[t] ??= []).push(c);
  for (const t of Object.keys(columns)) columns[t].sort();
  // Primary keys and UNIQUE constraints are SQLite's automatic indexes; the others are named alike.
  const { rows } = await client.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes i WHERE schemaname = 'public'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname) ORDER BY indexname`,
  );
  return { columns, indexes: rows.map((r) => r.name) };
}

/**
 * The deliberate differences (src/db/pg/migrations.ts): from version 9 a rep's claim is found
 * through rep_claims, which `db copy` leaves out, instead of the index leads_claims; from version
 * 10 lists have an index of their own (leads_list_queue).
 */
function pgOnly(shape: { columns: Record<string, string[]>; indexes: string[] }, version: number) {
  if (version < 9) return shape;
  const indexes = shape.indexes.filter((name) => name !== 'leads_claims');
  return {
    columns: { ...shape.columns, rep_claims: ['lead_id', 'rep'] },
    indexes: version < 10 ? indexes : [...indexes, 'leads_list_queue'].sort(),
  };
}

describe.skipIf(pgInfo.unavailable)('PostgreSQL schema', () => {
  let db: TestDatabase;
  let client: PgClient;
  beforeAll(async () => {
    db = await freshDatabase({ migrated: false });
    client = await db.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('has the numbering of the SQLite migrations', () => {
    expect(PG_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('has the same tables, columns and indexes as SQLite at every version', async () => {
    expect(await pgSchemaVersion(client)).toBe(0);
    for (let v = 1; v <= PG_SCHEMA_VERSION; v++) {
      expect(await migratePg(client, v)).toBe(1);
      expect(await pgSchemaVersion(client)).toBe(v);
      const expected = pgOnly(sqliteShape(v), v);
      const actual = await pgShape(client);
      expect(actual.columns, `columns at version ${v}`).toEqual(expected.columns);
      expect(actual.indexes, `indexes at version ${v}`).toEqual(expected.indexes);
    }
    expect(await migratePg(client)).toBe(0);
  });

  it('has leads vacuumed after a small share of changed rows from migration 11, not after a fifth of the table', async () => {
    const db = await freshDatabase({ migrated: false });
    const c = await db.connect();
    try {
      const options = async () =>
        (await c.query<{ o: string[] | null }>(`SELECT reloptions AS o FROM pg_class WHERE oid = 'public.leads'::regclass`)).rows[0].o ?? [];
      await migratePg(c, 10);
      expect(await options()).toEqual(['fillfactor=90']);
      await migratePg(c);
      // The server vacuums leads once autovacuum_vacuum_threshold + scale factor × rows have changed.
      expect(await options()).toEqual(['fillfactor=90', 'autovacuum_vacuum_threshold=1000', 'autovacuum_vacuum_scale_factor=0.005']);
    } finally {
      await c.end();
      await db.drop();
    }
  });

  it('stores ids as bigint identity and instants as text', async () => {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_identity: string }>(
      `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
       WHERE table_schema = 'public' AND (column_name = 'id' OR column_name LIKE '%\\_at')`,
    );
    for (const r of rows.filter((r) => r.column_name === 'id')) expect([r.table_name, r.data_type, r.is_identity]).toEqual([r.table_name, 'bigint', 'YES']);
    for (const r of rows.filter((r) => r.column_name !== 'id')) expect([r.table_name, r.column_name, r.data_type]).toEqual([r.table_name, r.column_name, 'text']);
    expect(rows.filter((r) => r.column_name === 'id').length).toBe(5);
  });

  it('refuses a database newer than it knows, and leaves it alone', async () => {
    await client.query(`INSERT INTO schema_version(version, applied_at) VALUES ($1, 'x')`, [PG_SCHEMA_VERSION + 1]);
    await expect(migratePg(client)).rejects.toThrow(`schema version ${PG_SCHEMA_VERSION + 1}, newer than this callq understands (${PG_SCHEMA_VERSION})`);
    expect(await pgSchemaVersion(client)).toBe(PG_SCHEMA_VERSION + 1);
    await client.query('DELETE FROM schema_version WHERE version = $1', [PG_SCHEMA_VERSION + 1]);
  });
});

describe.skipIf(pgInfo.unavailable)('two processes migrating at once', () => {
  it('yields one schema: every migration applied once, both callers succeed', async () => {
    const db = await freshDatabase({ migrated: false });
    const [a, b] = [await db.connect(), await db.connect()];
    try {
      // b waits on a's advisory lock while a holds it inside its first migration.
      const applied = await Promise.all([migratePg(a), migratePg(b)]);
      expect(applied[0] + applied[1]).toBe(PG_MIGRATIONS.length);
      const { rows } = await a.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await a.end();
      await b.end();
      await db.drop();
    }
  });

  it('serialises on the lock: a migrator blocked by a held lock finishes after it is released', async () => {
    const db = await freshDatabase({ migrated: false });
    const [holder, migrator, watcher] = [await db.connect(), await db.connect(), await db.connect()];
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [0x63616c6c71]);
      const order: string[] = [];
      const running = migratePg(migrator).then((n) => order.push(`migrated ${n}`));
      // Wait (within the test's timeout) until the server shows the migrator waiting on the lock.
      for (;;) {
        const { rows } = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
        );
        if (rows.length) break;
      }
      order.push('released');
      await holder.query('COMMIT');
      await running;
      expect(order).toEqual(['released', `migrated ${PG_SCHEMA_VERSION}`]);
    } finally {
      await holder.end();
      await migrator.end();
      await watcher.end();
      await db.drop();
    }
  });
});

describe.skipIf(pgInfo.unavailable)('PostgreSQL triggers', () => {
  let db: TestDatabase;
  let client: PgClient;
  beforeAll(async () => {
    db = await freshDatabase();
    client = await db.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });
  const insertLead = (values: Record<string, unknown>) => {
    const row = { phone: '+12125550100', created_at: '2026-11-01T12:00:00.000Z', updated_at: '2026-11-01T12:00:00.000Z', ...values };
    const cols = Object.keys(row);
    return client.query<{ id: number }>(`INSERT INTO leads(${cols.join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')}) RETURNING id`, Object.values(row));
  };

  it('keeps lead_zones and lead_alt_phones from inserts and updates', async () => {
    const { rows: [a] } = await insertLead({ timezone: 'America/Chicago', alt_phones: '["+13125550101", 7, "+13125550102"]' });
    await insertLead({ timezone: 'Europe/Paris', alt_phones: 'not json' });
    expect(typeof a.id).toBe('number');
    const zones = async () => (await client.query<{ timezone: string }>('SELECT timezone FROM lead_zones ORDER BY 1')).rows.map((r) => r.timezone);
    const alts = async () => (await client.query<{ phone: string }>('SELECT phone FROM lead_alt_phones WHERE lead_id = $1 ORDER BY 1', [a.id])).rows.map((r) => r.phone);
    expect(await zones()).toEqual(['America/Chicago', 'Europe/Paris']);
    expect(await alts()).toEqual(['+13125550101', '+13125550102']);
    await client.query(`UPDATE leads SET timezone = 'Asia/Tokyo', alt_phones = '["+13125550109"]' WHERE id = $1`, [a.id]);
    expect(await zones()).toEqual(['America/Chicago', 'Asia/Tokyo', 'Europe/Paris']);
    expect(await alts()).toEqual(['+13125550109']);
    await client.query(`UPDATE leads SET alt_phones = NULL WHERE id = $1`, [a.id]);
    expect(await alts()).toEqual([]);
  });

  it('keeps calls append-only except for erasing notes', async () => {
    const { rows: [lead] } = await insertLead({ phone: '+12125550111' });
    const { rows: [call] } = await client.query<{ id: number }>(
      `INSERT INTO calls(lead_id, rep, called_at, disposition, notes) VALUES ($1, 'ana', '2026-11-02T10:00:00.000Z', 'no-answer', 'hi') RETURNING id`,
      [lead.id],
    );
    await expect(client.query(`UPDATE calls SET disposition = 'busy' WHERE id = $1`, [call.id])).rejects.toThrow('calls are append-only');
    await expect(client.query(`UPDATE calls SET notes = 'changed' WHERE id = $1`, [call.id])).rejects.toThrow('calls are append-only');
    await client.query(`UPDATE calls SET notes = NULL WHERE id = $1`, [call.id]);
    expect((await client.query('SELECT notes FROM calls WHERE id = $1', [call.id])).rows[0].notes).toBeNull();
  });

  it("allows the 'importing' status (schema 5) and refuses an unknown one", async () => {
    await insertLead({ phone: '+12125550112', status: 'importing' });
    await expect(insertLead({ phone: '+12125550113', status: 'lost' })).rejects.toThrow('leads_status_check');
  });
});

describe.skipIf(pgInfo.unavailable)('migration 9: claims found through rep_claims', () => {
  it("keeps each rep's call under way: a live claim from before the upgrade is still the rep's, and a lapsed one is not", async () => {
    const db = await freshDatabase({ migrated: false });
    const client = await db.connect();
    try {
      await migratePg(client, 8);
      const at = '2026-11-24T15:00:00.000Z';
      await client.query(
        `INSERT INTO leads(first_name, phone, timezone, queue_rank, created_at, updated_at, claim_rep, claim_token, claim_expires_at)
         VALUES ('Ana', '+12125550101', 'America/New_York', 1, $1, $1, 'ana', 'a1', '2026-11-24T15:10:00.000Z'),
                ('Bo',  '+12125550102', 'America/New_York', 1, $1, $1, 'bob', 'b1', '2026-11-24T14:50:00.000Z'),
                ('Cy',  '+12125550103', 'America/New_York', 1, $1, $1, 'ana', 'a0', '2026-11-24T14:40:00.000Z')`,
        [at],
      );
      await migratePg(client);
      const { heldClaimPg } = await import('../../src/db/pg/queue.js');
      const now = new Date(at);
      expect((await heldClaimPg(client, 'ana', now))?.first_name).toBe('Ana');
      expect(await heldClaimPg(client, 'bob', now)).toBeUndefined(); // lapsed at 14:50
      const { rows } = await client.query<{ rep: string; first_name: string }>(
        'SELECT r.rep, l.first_name FROM rep_claims r JOIN leads l ON l.id = r.lead_id ORDER BY r.rep',
      );
      expect(rows).toEqual([{ rep: 'ana', first_name: 'Ana' }, { rep: 'bob', first_name: 'Bo' }]);
      // A claim now changes no indexed column of leads.
      const { rows: indexes } = await client.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'leads' AND indexdef ~ 'claim_'`);
      expect(indexes).toEqual([]);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});

describe.skipIf(pgInfo.unavailable)('the first command after an upgrade of callq', () => {
  it('migrates the database and says so, once; a new database is no upgrade', async () => {
    const db = await freshDatabase({ migrated: false });
    try {
      const client = await db.connect();
      try {
        await migratePg(client, PG_SCHEMA_VERSION - 1);
      } finally {
        await client.end();
      }
      const first = callq(['--db', db.url, 'status', '--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout).schema_version).toBe(PG_SCHEMA_VERSION);
      const name = db.url.replace(/:[^:@/]*@/, ':***@');
      expect(first.stderr).toContain(`note: upgraded the database ${name} from schema version ${PG_SCHEMA_VERSION - 1} to ${PG_SCHEMA_VERSION}; an older callq can no longer open it.`);
      const again = callq(['--db', db.url, 'status', '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('upgraded');
    } finally {
      await db.drop();
    }
    const empty = await freshDatabase({ migrated: false });
    try {
      const init = callq(['--db', empty.url, 'init']);
      expect(init.code, init.stderr).toBe(0);
      expect(init.stderr).not.toContain('upgraded');
    } finally {
      await empty.drop();
    }
  });
});

describe.skipIf(pgInfo.unavailable)('a database holding another application\'s tables', () => {
  it("init and db copy refuse one with a 'settings' or 'leads' table of its own (exit 2), and change nothing", async () => {
    const db = await freshDatabase({ migrated: false });
    const tmp = tempDir();
    try {
      const client = await db.connect();
      try {
        await client.query(`CREATE TABLE settings(k text, v text); INSERT INTO settings VALUES ('theme', 'dark'); CREATE TABLE leads(id int)`);
      } finally {
        await client.end();
      }
      const sqlite = join(tmp.dir, 'team.db');
      expect(callq(['--db', sqlite, 'init']).code).toBe(0);
      for (const args of [['--db', db.url, 'init'], ['--db', sqlite, 'db', 'copy', '--to', db.url]]) {
        const r = callq(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain("already holds tables 'leads', 'settings' that callq did not make");
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      const check = await db.connect();
      try {
        const tables = await check.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
        expect(tables.rows.map((r) => r.t)).toEqual(['leads', 'settings']);
        expect((await check.query('SELECT * FROM settings')).rows).toEqual([{ k: 'theme', v: 'dark' }]);
      } finally {
        await check.end();
      }
    } finally {
      tmp.cleanup();
      await db.drop();
    }
  });
});
