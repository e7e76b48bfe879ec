// TableStore on PostgreSQL (src/db/store/tables.ts).
import type { PgConnection } from './connection.js';
import type { TableStore } from '../../store/tables.js';

export function pgTables(_conn: PgConnection): TableStore {
  return {};
}
