// The SQLite store: a local file, the embedded default (src/db/store.ts).
import { openDatabase, type DB } from '../open.js';
import type { OpenStoreOptions, Store } from '../store.js';
import { sqliteRep } from './rep.js';
import { sqliteImports } from './imports.js';
import { sqliteExports } from './exports.js';
import { sqliteAdmin } from './admin.js';
import { sqliteTables } from './tables.js';

export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  /** The open file, for what only SQLite has (file-level backup, byte-level erasure). */
  readonly db: DB;
}

export async function openSqliteStore(path: string, options: OpenStoreOptions): Promise<SqliteStore> {
  const db = openDatabase(path, options);
  return {
    kind: 'sqlite',
    name: path,
    db,
    rep: sqliteRep(db),
    imports: sqliteImports(db),
    exports: sqliteExports(db),
    admin: sqliteAdmin(db),
    tables: sqliteTables(db),
    close: async () => {
      db.close();
    },
  };
}
