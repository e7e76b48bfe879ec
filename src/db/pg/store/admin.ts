// AdminStore on PostgreSQL (src/db/store/admin.ts).
import type { PgConnection } from './connection.js';
import type { AdminStore } from '../../store/admin.js';

export function pgAdmin(_conn: PgConnection): AdminStore {
  return {};
}
