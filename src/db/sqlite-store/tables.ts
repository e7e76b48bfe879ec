// TableStore on a SQLite file (src/db/store/tables.ts).
import type { DB } from '../open.js';
import type { TableStore } from '../store/tables.js';

export function sqliteTables(_db: DB): TableStore {
  return {};
}
