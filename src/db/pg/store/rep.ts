// RepStore on PostgreSQL (src/db/store/rep.ts).
import type { PgConnection } from './connection.js';
import type { RepStore } from '../../store/rep.js';

export function pgRep(_conn: PgConnection): RepStore {
  return {};
}
