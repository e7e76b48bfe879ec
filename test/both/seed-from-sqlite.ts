// The same data in both stores: a scenario's history is made once in a SQLite file through the
// binary (seedLeads, `callq log`), then copied row for row into each test store — the file itself
// on SQLite, every row with its id on PostgreSQL — so both stores hold exactly the same rows.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { callq, tempDir } from '../helpers.js';
import { newTestStore, type TestStore, type TestStoreKind } from '../stores.js';

/** The tables an export, a report or the do-not-call list reads, parents first. */
const TABLES = ['settings', 'imports', 'handoffs', 'leads', 'calls', 'suppressions'] as const;
const WITH_IDS = ['imports', 'handoffs', 'leads', 'calls', 'suppressions'];
/** Rows per INSERT (PostgreSQL takes at most 65,535 parameters in one statement). */
const ROWS_PER_INSERT = 200;

export async function copySqliteInto(source: string, store: TestStore): Promise<void> {
  const db = new Database(source, { readonly: true });
  try {
    if (store.kind === 'sqlite') {
      db.exec(`VACUUM INTO '${store.db.replace(/'/g, "''")}'`);
      return;
    }
    await store.query('DELETE FROM settings');
    for (const table of TABLES) {
      const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
        const chunk = rows.slice(at, at + ROWS_PER_INSERT);
        const columns = Object.keys(chunk[0]);
        const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        await store.query(`INSERT INTO ${table}(${columns.join(', ')}) VALUES ${values}`, ...chunk.flatMap((r) => columns.map((c) => r[c])));
      }
      if (WITH_IDS.includes(table)) {
        await store.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ${table}), false)`);
      }
    }
  } finally {
    db.close();
    // Nothing left connected: the store may be the template of a copy (CREATE DATABASE … TEMPLATE).
    await store.release();
  }
}

/**
 * A test file's history: `seed` writes it once, before the file's tests, into a SQLite file that
 * `callq init` made (removed after them); `store(kind)` is a new test store holding a copy. On
 * PostgreSQL the rows are copied once, into a database each store is then made from as template.
 */
export function seededHistory(seed: (source: string) => void, timeoutMs: number) {
  let source = '';
  let cleanup = () => {};
  let pgTemplate: Promise<TestStore> | undefined;
  beforeAll(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    source = join(t.dir, 'source.db');
    expect(callq(['--db', source, 'init']).code).toBe(0);
    seed(source);
  }, timeoutMs);
  afterAll(async () => {
    const template = pgTemplate;
    pgTemplate = undefined;
    await (await template?.catch(() => undefined))?.cleanup();
    cleanup();
  });
  return {
    async store(kind: TestStoreKind): Promise<TestStore> {
      if (kind === 'postgres') {
        pgTemplate ??= (async () => {
          const template = await newTestStore(kind, { migrated: true });
          await copySqliteInto(source, template);
          return template;
        })();
        return newTestStore(kind, { from: await pgTemplate });
      }
      const store = await newTestStore(kind, { migrated: true });
      await copySqliteInto(source, store);
      return store;
    },
  };
}

