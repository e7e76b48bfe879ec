// ImportStore on a SQLite file (src/db/store/imports.ts).
import type { DB } from '../open.js';
import type { ImportStore } from '../store/imports.js';

export function sqliteImports(_db: DB): ImportStore {
  return {};
}
