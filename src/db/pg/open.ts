// Connecting to a PostgreSQL database (docs/design.md, "PostgreSQL store"). node-postgres is
// loaded only here and only by the PostgreSQL store, never on the SQLite path.
// libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and ~/.pgpass are honoured
// by node-postgres itself.
import './node-runtime.js';
import pg from 'pg';
import type { ClientConfig } from 'pg';

const INT8 = 20;

/**
 * Column types as callq's code expects them: bigint (ids, count(*)) as a JS number, like
 * better-sqlite3 returns INTEGER. Ids and counts stay far below 2^53.
 */
export const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary') return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as ClientConfig['types'];

export type PgClient = pg.Client;

/** Opens one connection; `target` is a postgres:// URL or a node-postgres config. */
export async function connectPg(target: string | ClientConfig): Promise<PgClient> {
  const config: ClientConfig = typeof target === 'string' ? { connectionString: target } : { ...target };
  const client = new pg.Client({ ...config, types: PG_TYPES, application_name: config.application_name ?? 'callq' });
  try {
    await client.connect();
  } catch (err) {
    // A connection that failed half-way (a password the server asked for and none was given:
    // node-postgres throws inside its authentication step) keeps its socket open, and the
    // process would wait on it after reporting the error: close it.
    (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
    throw err;
  }
  return client;
}
