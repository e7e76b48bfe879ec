// What a PostgreSQL failure means for the person at the terminal (docs/setup.md, "Exit codes on
// PostgreSQL"): the one place node-postgres' errors become callq's exit codes and messages, so a
// rep never sees a driver's stack trace. Loads nothing: src/cli/failure.ts calls it on the path
// every command shares.
//   - a lock held past lock_timeout (the busy timeout), a statement timeout, a serialization
//     failure or a deadlock: busy, try again (75), as SQLite's busy lock;
//   - a server that cannot be reached or went away (refused, timed out, shutting down, too many
//     connections, connection lost): 75 as well, since trying again later is what helps;
//   - a connection that can never work as configured (unknown host, authentication, no such
//     database, TLS, permissions): 2, with what to check.
import { EXIT, ExitError } from '../../core/errors.js';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

let inUse: string | undefined;

/** The database messages name (redacted URL), set when a PostgreSQL store is opened. */
export function pgDatabaseInUse(name: string): void {
  inUse = name;
}

const BUSY_STATES: Record<string, string> = {
  '55P03': 'a row or table it needed stayed locked by another session longer than the busy timeout',
  '57014': 'a statement ran longer than the statement timeout',
  '40001': 'another session changed the same rows at the same time (serialization failure)',
  '40P01': 'it deadlocked with another session',
};

const UNAVAILABLE_STATES: Record<string, string> = {
  '57P01': 'the server ended the connection (an administrator or a shutdown)',
  '57P02': 'the server ended the connection (the server crashed)',
  '57P03': 'the server is starting up or shutting down and takes no connections yet',
  '53300': 'the server has too many connections',
  '08000': 'the connection failed',
  '08003': 'the connection was lost',
  '08006': 'the connection was lost',
};

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (is the server running, and are the host and port right?)',
  ETIMEDOUT: 'the connection timed out (is the host reachable, is a firewall in the way?)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the server closed the connection',
};

const CHECK = 'Check the URL (--db or CALLQ_DB), PGHOST, PGPORT, PGUSER, PGPASSWORD or ~/.pgpass, and sslmode.';

/** The ExitError a PostgreSQL (or node-postgres connection) failure stands for; undefined for anything else. */
export function pgFailure(err: unknown, database: string | undefined = inUse): ExitError | undefined {
  if (database === undefined || !(err instanceof Error)) return undefined;
  const e = err as Error & { code?: string; severity?: string; syscall?: string };
  const at = `PostgreSQL at ${database}`;
  const sqlState = typeof e.severity === 'string' && typeof e.code === 'string' ? e.code : undefined;
  if (sqlState && BUSY_STATES[sqlState]) {
    return new ExitError(
      `the database stayed busy: ${BUSY_STATES[sqlState]}; nothing was changed. ` +
        'Try again in a moment, or allow a longer wait with CALLQ_BUSY_TIMEOUT or `callq config set busy-timeout 30s`.',
      EXIT.busy,
    );
  }
  if (sqlState && UNAVAILABLE_STATES[sqlState]) {
    return new ExitError(`lost ${at}: ${UNAVAILABLE_STATES[sqlState]}. What this command had not committed was not changed; try again in a moment.`, EXIT.busy);
  }
  if (sqlState === '55000' && /not currently accepting connections/.test(e.message)) {
    return new ExitError(`cannot connect to ${at}: ${e.message} (an administrator closed it to new connections). Nothing was changed by this command; try again later.`, EXIT.busy);
  }
  if (sqlState === '3D000') return new ExitError(`cannot connect to ${at}: ${e.message}. Create it (createdb), or correct the database name. ${CHECK}`, EXIT.usage);
  if (sqlState === '28P01' || sqlState === '28000') {
    return new ExitError(`cannot connect to ${at}: ${e.message}. ${CHECK}`, EXIT.usage);
  }
  if (sqlState === '42501') return new ExitError(`${at} refused: ${e.message}. The database user needs rights on callq's tables; ask the database's administrator.`, EXIT.usage);
  if (sqlState === '25006') return new ExitError(`${at} is read-only (${e.message}): point callq at the primary server.`, EXIT.usage);
  if (sqlState) return undefined;
  if (e.code === 'ERR_INVALID_URL') {
    return new ExitError(
      `cannot connect to ${at}: the URL cannot be read. Write it as postgres://USER@HOST:PORT/DATABASE, with ` +
        'any @ : / ? # or % in the user or password percent-encoded (@ is %40), or leave the password to PGPASSWORD or ~/.pgpass.',
      EXIT.usage,
    );
  }
  if (e.code === 'CALLQ_CONNECT_TIMEOUT') {
    return new ExitError(
      `cannot reach ${at}: ${e.message} (connect_timeout in the URL, or PGCONNECT_TIMEOUT, sets how long to wait; 0 waits as long as it takes). ` +
        `Is the server up and the network (VPN) connected? ${CHECK} Nothing was changed by this command.`,
      EXIT.busy,
    );
  }
  if (e.code === 'CALLQ_NO_ANSWER') {
    return new ExitError(
      `lost ${at}: ${e.message} (the busy timeout, plus connect_timeout in the URL or PGCONNECT_TIMEOUT: 0 waits as long as it takes). ` +
        'Is the network (VPN) connected? The connection was given up. What this command was saving may or may not have been saved: ' +
        'the server may have received it before it fell silent (`callq show LEAD` tells whether an outcome is there). Try again once the server answers.',
      EXIT.busy,
    );
  }
  if (e.code && NETWORK_CODES[e.code]) {
    return new ExitError(`cannot reach ${at}: ${NETWORK_CODES[e.code]}. ${CHECK} Nothing was changed by this command.`, EXIT.busy);
  }
  if (e.syscall === 'connect' && e.code === 'ENOENT') {
    return new ExitError(`cannot reach ${at}: no server listens on its socket (${e.message}). Is the server running? ${CHECK}`, EXIT.busy);
  }
  if (e.syscall === 'connect' && e.code === 'EACCES') {
    return new ExitError(
      `cannot connect to ${at}: permission denied on its socket (${e.message}). The socket's folder must be open to this user ` +
        '(unix_socket_permissions and the folder\'s mode on the server), or connect over TCP. Nothing was changed by this command.',
      EXIT.usage,
    );
  }
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EAI_NONAME') {
    return new ExitError(`cannot connect to ${at}: unknown host (${(e as { hostname?: string }).hostname ?? e.message}). ${CHECK}`, EXIT.usage);
  }
  if (/^Connection terminated|connection error and is not queryable|Connection terminated unexpectedly|timeout expired/i.test(e.message)) {
    return new ExitError(`lost ${at}: ${e.message}. What this command had not committed was not changed; try again in a moment.`, EXIT.busy);
  }
  if (/password must be a string/i.test(e.message)) {
    // node-postgres's own words for it ('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string') say nothing to a rep.
    return new ExitError(`cannot connect to ${at}: the server asks for a password and none was given.${openPgpass()} ${CHECK}`, EXIT.usage);
  }
  if (/SASL|password authentication/i.test(e.message)) {
    return new ExitError(`cannot connect to ${at}: the server refused the password (${e.message}). ${CHECK}`, EXIT.usage);
  }
  if (/SSL|TLS|certificate/i.test(e.message) || /CERT|SSL|TLS/.test(e.code ?? '')) {
    return new ExitError(`cannot connect to ${at}: ${e.message}. Check sslmode (and sslrootcert) in the URL against what the server accepts.`, EXIT.usage);
  }
  return undefined;
}

/**
 * A password file others may read is ignored, as libpq ignores it (psql warns): said where the
 * missing password is, since that is why none was found.
 */
function openPgpass(): string {
  const file = process.env.PGPASSFILE?.trim() || join(process.env.HOME?.trim() || homedir(), '.pgpass');
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) return ` ${file} is there but ignored: others may read it (mode ${mode.toString(8).padStart(4, '0')}); make it owner-only (chmod 600 ${file}).`;
  } catch {
    // no password file
  }
  return '';
}
