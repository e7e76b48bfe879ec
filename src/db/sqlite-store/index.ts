// The SQLite store: a local file, the embedded default (src/db/store.ts).
import { migratedOnOpening, openDatabase, type DB } from '../open.js';
import { lazyGroup, type OpenStoreOptions, type Store } from '../store.js';
import { sqliteRep } from './rep.js';
import { sqliteExports } from './exports.js';
import type { ImportStore } from '../store/imports.js';
import type { AdminStore } from '../store/admin.js';
import type { TableStore } from '../store/tables.js';

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
    migrated: migratedOnOpening(db),
    rep: sqliteRep(db),
    imports: lazyGroup<ImportStore>(() => import('./imports.js').then((m) => m.sqliteImports(db))),
    exports: sqliteExports(db),
    admin: lazyGroup<AdminStore>(() => import('./admin.js').then((m) => m.sqliteAdmin(db))),
    tables: lazyGroup<TableStore>(() => import('./tables.js').then((m) => m.sqliteTables(db))),
    close: async () => {
      db.close();
    },
  };
}
