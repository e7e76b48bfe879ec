// ExportStore on a SQLite file (src/db/store/exports.ts).
import type { DB } from '../open.js';
import type { ExportStore } from '../store/exports.js';

export function sqliteExports(_db: DB): ExportStore {
  return {};
}
