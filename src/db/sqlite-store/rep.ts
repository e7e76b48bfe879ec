// RepStore on a SQLite file (src/db/store/rep.ts).
import type { DB } from '../open.js';
import type { RepStore } from '../store/rep.js';

export function sqliteRep(_db: DB): RepStore {
  return {};
}
