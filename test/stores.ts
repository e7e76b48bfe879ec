// A CLI scenario against both stores: a SQLite file in a temp folder, and a fresh database of
// the run's throwaway PostgreSQL cluster (test/pg/global-setup.ts). Tests run the built binary
// with `--db target.db`; `query` reads what the command left behind in either store.
// Without PostgreSQL server binaries, only the SQLite store runs (the reason is printed once).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRaw, tempDir } from './helpers.js';
import { freshDatabase, pgInfo } from './pg/db.js';
import type { PgClient } from '../src/db/pg/open.js';

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
  /**
   * Closes the connection `query` keeps open on PostgreSQL (the next query opens another), for a
   * command that needs the database to itself: `callq restore`, a copy with the database as template.
   */
  release(): Promise<void>;
  /** Removes the folder and drops the PostgreSQL database. */
  cleanup(): Promise<void>;
}

/**
 * A new, empty store: no file yet on SQLite; on PostgreSQL an existing database without callq's
 * schema (what an administrator's `createdb` gives). `callq init` or `callq import` creates it.
 * `migrated: true` gives PostgreSQL the current schema already (a clone of the run's template).
 * `from` gives a copy of another store of the same kind (its file; on PostgreSQL a database made
 * with it as template, its held connection closed first): a state many tests start from is made
 * once.
 */
export async function newTestStore(kind: TestStoreKind, options: { migrated?: boolean; from?: TestStore } = {}): Promise<TestStore> {
  const t = tempDir();
  if (kind === 'sqlite') {
    const db = join(t.dir, 'callq.db');
    if (options.from) {
      copyFileSync(options.from.db, db);
      if (existsSync(`${options.from.db}-wal`)) copyFileSync(`${options.from.db}-wal`, `${db}-wal`);
    }
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
    return { kind, db, dir: t.dir, query, release: async () => {}, cleanup: async () => t.cleanup() };
  }
  await options.from?.release();
  const pg = await freshDatabase(options.from ? { template: new URL(options.from.db).pathname.slice(1) } : { migrated: options.migrated ?? false });
  // One connection for the test's queries, opened by the first and kept until cleanup or release:
  // opening one costs a new server process (tens of milliseconds on a loaded machine), a query on
  // an open one about one. Each query commits on its own, so it holds no lock between queries.
  let held: Promise<PgClient> | undefined;
  const connection = (): Promise<PgClient> => {
    if (!held) {
      const opening = pg.connect().then((c) => {
        // Ended by the server: the next query opens another.
        const forget = () => {
          if (held === opening) held = undefined;
        };
        c.on('error', forget);
        c.on('end', forget);
        return c;
      });
      held = opening;
      opening.catch(() => {
        if (held === opening) held = undefined;
      });
    }
    return held;
  };
  const release = async () => {
    const h = held;
    held = undefined;
    await (await h?.catch(() => undefined))?.end();
  };
  return {
    kind,
    db: pg.url,
    dir: t.dir,
    async query(sql, ...params) {
      let n = 0;
      const { rows } = await (await connection()).query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
      return rows;
    },
    release,
    async cleanup() {
      await release();
      await pg.drop();
      t.cleanup();
    },
  };
}
