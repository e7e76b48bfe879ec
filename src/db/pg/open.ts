// Connecting to a PostgreSQL database (docs/design.md, "PostgreSQL store"). node-postgres is
// loaded only here and only by the PostgreSQL store, never on the SQLite path.
// libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and ~/.pgpass are honoured
// by node-postgres itself.
import './node-runtime.js';
import pg from 'pg';
import type { ClientConfig } from 'pg';
import { plainConnectionString } from './session.js';

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

/**
 * Opens one connection; `target` is a postgres:// URL or a node-postgres config. A URL of
 * sessionConfig or connectionConfig keeps libpq's sslmode: plain over a unix socket, and plain
 * when `prefer` found a server without TLS (src/db/pg/session.ts).
 */
export async function connectPg(target: string | ClientConfig): Promise<PgClient> {
  const config: ClientConfig = typeof target === 'string' ? { connectionString: target } : { ...target };
  const open = (connectionString = config.connectionString) =>
    new pg.Client({ ...config, connectionString, types: PG_TYPES, application_name: config.application_name ?? 'callq' });
  let client = open();
  const plain = (serverRefused: boolean) => (config.connectionString ? plainConnectionString(config.connectionString, client.host, serverRefused) : null);
  const onSocket = plain(false);
  if (onSocket !== null) client = open(onSocket);
  try {
    await connecting(client, config);
  } catch (err) {
    // As libpq in `prefer`: a server without TLS, or one whose pg_hba.conf lets this client in
    // only unencrypted (`hostnossl`), is asked again without TLS.
    const refused = (err as Error).message === NO_TLS || (client.ssl && (err as { code?: string }).code === '28000');
    const fallback = !onSocket && refused ? plain(true) : null;
    if (fallback === null) throw err;
    client = open(fallback);
    try {
      await connecting(client, config);
    } catch (again) {
      // Both refusals count, as libpq reports both (the first may say what is missing: a client certificate).
      if ((err as Error).message !== NO_TLS && again instanceof Error) again.message = `${(err as Error).message} (with TLS); ${again.message} (without)`;
      throw again;
    }
  }
  return client;
}

/** Connects `client`, closing it on failure; a connect timeout becomes a ConnectTimeout. */
async function connecting(client: PgClient, config: ClientConfig): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    dropConnection(client);
    if ((err as Error).message === 'timeout expired' && config.connectionTimeoutMillis) throw new ConnectTimeout(config.connectionTimeoutMillis);
    throw err;
  }
}

/** The server did not let the connection in within the connect timeout (src/db/pg/errors.ts tells it). */
export class ConnectTimeout extends Error {
  readonly code = 'CALLQ_CONNECT_TIMEOUT';
  constructor(readonly ms: number) {
    super(`the server did not answer within ${ms / 1000} s`);
  }
}

/** The server did not answer a statement within the answer wait (src/db/pg/store/connection.ts `answered`). */
export class NoAnswer extends Error {
  readonly code = 'CALLQ_NO_ANSWER';
  constructor(readonly ms: number) {
    super(`the server did not answer within ${ms / 1000} s`);
  }
}

/** How `client` reached its server (Store.transport): the TLS protocol, 'unencrypted' over TCP, or 'unix socket'. */
export function transportOf(client: PgClient): string {
  if (client.host?.startsWith('/')) return 'unix socket';
  const stream = (client as unknown as { connection?: { stream?: { getProtocol?: () => string | null } } }).connection?.stream;
  return stream?.getProtocol?.() ?? 'unencrypted';
}

/** What node-postgres says when the server answers a request for TLS with no. */
const NO_TLS = 'The server does not support SSL connections';

/**
 * Closes the connection's socket without a word to the server: for a connection that failed
 * half-way (a password the server asked for and none was given: node-postgres throws inside its
 * authentication step, and keeps its socket open) or a server that no longer answers, either of
 * which would keep the process waiting after its work is done.
 */
export function dropConnection(client: PgClient): void {
  (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
}
