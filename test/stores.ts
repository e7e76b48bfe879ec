// A CLI scenario against both stores: a SQLite file in a temp folder, and a fresh database of
// the run's throwaway PostgreSQL cluster (test/pg/global-setup.ts). Tests run the built binary
// with `--db target.db`; `query` reads what the command left behind in either store.
// Without PostgreSQL server binaries, only the SQLite store runs (the reason is printed once).
import { join } from 'node:path';
import { openRaw, tempDir } from './helpers.js';
import { freshDatabase, pgInfo } from './pg/db.js';

export type TestStoreKind = 'sqlite' | 'postgres';

/** The stores this machine can test: `describe.each(STORE_KINDS)`. */
export const STORE_KINDS: TestStoreKind[] = pgInfo.unavailable ? ['sqlite'] : ['sqlite', 'postgres'];

export interface TestStore {
  kind: TestStoreKind;
  /** The value of --db (a file path, or a postgres:// URL). */
  db: string;
  /** A temp folder for the scenario's CSV files and outputs. */
  dir: string;
  /** Every row a query returns (none for a statement that changes rows); write `?` for parameters, on both stores. */
  query<T = any>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Removes the folder and drops the PostgreSQL database. */
  cleanup(): Promise<void>;
}

/**
 * A new, empty store: no file yet on SQLite; on PostgreSQL an existing database without callq's
 * schema (what an administrator's `createdb` gives). `callq init` or `callq import` creates it.
 * `migrated: true` gives PostgreSQL the current schema already (a clone of the run's template).
 */
export async function newTestStore(kind: TestStoreKind, options: { migrated?: boolean } = {}): Promise<TestStore> {
  const t = tempDir();
  if (kind === 'sqlite') {
    const db = join(t.dir, 'callq.db');
    const query = async (sql: string, ...params: unknown[]) => {
      const conn = openRaw(db);
      try {
        const stmt = conn.prepare(sql);
        if (stmt.reader) return stmt.all(...params) as any[];
        stmt.run(...params);
        return [];
      } finally {
        conn.close();
      }
    };
    return { kind, db, dir: t.dir, query, cleanup: async () => t.cleanup() };
  }
  const pg = await freshDatabase({ migrated: options.migrated ?? false });
  return {
    kind,
    db: pg.url,
    dir: t.dir,
    async query(sql, ...params) {
      const client = await pg.connect();
      try {
        let n = 0;
        const { rows } = await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
        return rows;
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      await pg.drop();
      t.cleanup();
    },
  };
}
