// AdminStore on a SQLite file (src/db/store/admin.ts).
import type { DB } from '../open.js';
import type { AdminStore } from '../store/admin.js';

export function sqliteAdmin(_db: DB): AdminStore {
  return {};
}
