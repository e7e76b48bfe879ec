// ExportStore on PostgreSQL (src/db/store/exports.ts).
import type { PgConnection } from './connection.js';
import type { ExportStore } from '../../store/exports.js';

export function pgExports(_conn: PgConnection): ExportStore {
  return {};
}
