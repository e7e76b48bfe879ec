// ImportStore on PostgreSQL (src/db/store/imports.ts): the import in ../import.ts, batches,
// listing and undo in ../import-batches.ts.
import type { PgConnection } from './connection.js';
import type { ImportStore } from '../../store/imports.js';
import { loadSettingsPg } from '../settings.js';
import { beginPgImport } from '../import.js';
import { listPgImports, undoPgImport } from '../import-batches.js';

export function pgImports(conn: PgConnection): ImportStore {
  return {
    settings: () => loadSettingsPg(conn.client),
    begin: (options) => beginPgImport(conn.client, options),
    list: () => listPgImports(conn.client),
    undo: (batch, force, now) => undoPgImport(conn.client, batch, force, now),
  };
}
