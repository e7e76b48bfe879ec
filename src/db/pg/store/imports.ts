// ImportStore on PostgreSQL (src/db/store/imports.ts).
import type { PgConnection } from './connection.js';
import type { ImportStore } from '../../store/imports.js';

export function pgImports(_conn: PgConnection): ImportStore {
  return {};
}
