// The PostgreSQL session a command runs in: the busy timeout as lock_timeout, so a rep waits for
// another session's row lock at most as long as on SQLite, then is told the database is busy
// (exit 75, src/db/pg/errors.ts). docs/setup.md, "Connection settings".
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientBase, ClientConfig } from 'pg';
import type { PgClient } from './open.js';
import { busyTimeoutFrom } from '../busy-timeout.js';
import { UsageError } from '../../core/errors.js';

/**
 * The connection's config: the URL (node-postgres reads sslmode and the other libpq parameters
 * in it, and PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE and ~/.pgpass for what it leaves
 * out) and lock_timeout sent with the start-up message, from CALLQ_BUSY_TIMEOUT or 5 s, so it
 * costs no round trip.
 *
 * JIT compilation is off for callq's sessions (also in the start-up message): the claim's
 * statements run with a generic plan whose cost estimate passes jit_above_cost, and compiling
 * them took ~100 ms of a 5 ms claim in every new `callq next` process. callq's statements read
 * index ranges; none runs long enough for compiled expressions to pay back. An `options`
 * parameter in the URL replaces this one.
 */
export function sessionConfig(url: string): ClientConfig {
  return { ...connectionConfig(url), ...sessionSettings(), keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS };
}

/**
 * After this long without traffic, the operating system checks a TCP connection is still there
 * (keepalive; none over a unix socket). The probes also keep a NAT router's or firewall's entry
 * for the connection from expiring: `callq work` can sit for minutes on one card, and an entry
 * dropped meanwhile leaves the next statement with no answer for as long as TCP retries.
 */
const KEEPALIVE_IDLE_MS = 60_000;

/**
 * The URL with libpq's sslmode (withLibpqSslmode) and connect timeout (connectTimeoutMs), for a
 * connection without callq's session settings.
 */
export function connectionConfig(url: string): ClientConfig {
  quietPgpassNotice();
  return { connectionString: withLibpqSslmode(url, process.env), connectionTimeoutMillis: connectTimeoutMs(url, process.env) };
}

/** How long a command waits for a server to answer when none of connect_timeout and PGCONNECT_TIMEOUT says. */
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

/**
 * How long connecting may take, in ms (0: as long as it takes): `connect_timeout` in the URL,
 * else PGCONNECT_TIMEOUT, in seconds as libpq reads them (0 or less waits indefinitely, 1 is
 * taken as 2), else 15 s. node-postgres reads neither, and would wait indefinitely on a server
 * that takes the connection and never answers (a stuck server, a half-open tunnel); a rep's
 * command then never ends. Not a number is refused, naming where it came from.
 */
export function connectTimeoutMs(url: string, env: NodeJS.ProcessEnv): number {
  const inUrl = urlParams(url).get('connect_timeout');
  const fromEnv = env.PGCONNECT_TIMEOUT?.trim();
  const [value, where] = inUrl !== null ? [inUrl.trim(), 'connect_timeout in the URL'] : fromEnv ? [fromEnv, 'PGCONNECT_TIMEOUT'] : [null, ''];
  if (value === null) return DEFAULT_CONNECT_TIMEOUT_S * 1000;
  if (!/^[-+]?\d+$/.test(value)) throw new UsageError(`${where} is ${JSON.stringify(value)}, which is not a whole number of seconds (0 waits as long as it takes).`);
  const seconds = Number(value);
  return seconds <= 0 ? 0 : Math.max(seconds, 2) * 1000;
}

const SSLMODES = new Set(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']);

/**
 * `sslmode` (in the URL, else PGSSLMODE, else `prefer`) as psql and libpq read it, so the URL a
 * team already uses with psql works unchanged and is as private: `prefer` (libpq's default)
 * encrypts when the server offers TLS and otherwise connects plainly (connectPg tries again
 * without TLS), `require` encrypts without checking the certificate, `verify-ca` checks it
 * against `sslrootcert`, `verify-full` checks the host name too. node-postgres 8 alone reads
 * `prefer`, `require` and `verify-ca` as `verify-full` (a `require` URL from a hosting provider
 * then fails on a certificate Node does not know) and warns so on every command, and without
 * sslmode it never encrypts; with `uselibpqcompat=true`, which callq adds, it reads libpq's
 * meanings. A URL that sets `uselibpqcompat` itself is left as it is.
 */
export function withLibpqSslmode(url: string, env: NodeJS.ProcessEnv): string {
  const params = urlParams(url);
  if (params.has('uselibpqcompat')) return url;
  const inUrl = params.get('sslmode');
  if (inUrl !== null) checkSslmode(inUrl, 'sslmode in the URL');
  const fromEnv = env.PGSSLMODE?.trim();
  if (inUrl === null && fromEnv) checkSslmode(fromEnv, 'PGSSLMODE');
  const mode = inUrl ?? (fromEnv || 'prefer');
  const add = (inUrl !== null ? '' : `sslmode=${mode}&`) + certificateFiles(params, mode, env);
  return `${url}${url.includes('?') ? '&' : '?'}${add}uselibpqcompat=true`;
}

/**
 * The certificate files libpq would use where the URL names none, as URL parameters: the root
 * certificate to check the server's against (PGSSLROOTCERT, else ~/.postgresql/root.crt; for
 * `require` only a file that exists, which then checks the certificate as `verify-ca` does, as
 * in libpq), and the client's certificate and key for servers that ask for one (PGSSLCERT and
 * PGSSLKEY, else ~/.postgresql/postgresql.crt and .key, when both exist). A team that set these
 * up for psql needs nothing more for callq.
 */
function certificateFiles(params: URLSearchParams, mode: string, env: NodeJS.ProcessEnv): string {
  if (mode === 'disable') return '';
  const dir = join(env.HOME?.trim() || homedir(), '.postgresql');
  const pick = (variable: string | undefined, file: string) => variable?.trim() || (existsSync(join(dir, file)) ? join(dir, file) : null);
  const out: string[] = [];
  if (!params.has('sslrootcert') && mode !== 'prefer') {
    const root = pick(env.PGSSLROOTCERT, 'root.crt');
    if (root && (mode !== 'require' || existsSync(root))) out.push(`sslrootcert=${encodeURIComponent(root)}`);
  }
  if (!params.has('sslcert') && !params.has('sslkey')) {
    const cert = pick(env.PGSSLCERT, 'postgresql.crt');
    const key = pick(env.PGSSLKEY, 'postgresql.key');
    if (cert && key && existsSync(cert) && existsSync(key)) out.push(`sslcert=${encodeURIComponent(cert)}`, `sslkey=${encodeURIComponent(key)}`);
  }
  return out.map((p) => `${p}&`).join('');
}

function urlParams(url: string): URLSearchParams {
  return new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#')[0] : '');
}

/**
 * What connectPg connects with instead of `connectionString`, or null to keep it: libpq never
 * encrypts a unix-domain socket, whatever sslmode says (node-postgres would ask the server for
 * TLS there and fail), and `prefer` connects plainly to a server without TLS (`serverRefused`:
 * node-postgres gave up on its answer). `host` is where node-postgres resolved the connection to
 * (the URL, else PGHOST, else localhost).
 */
export function plainConnectionString(connectionString: string, host: string | undefined, serverRefused: boolean): string | null {
  const params = urlParams(connectionString);
  const mode = params.get('sslmode');
  if (mode === null || mode === 'disable' || params.get('uselibpqcompat') !== 'true') return null;
  if (!host?.startsWith('/') && !(serverRefused && mode === 'prefer')) return null;
  return connectionString.replace(/([?&])sslmode=[^&#]*/, '$1sslmode=disable');
}

/**
 * Refuses an sslmode psql would refuse, and `allow` (plain first, then encrypted), which callq
 * cannot do: node-postgres would otherwise take any other value as `verify-full` and fail later
 * with a message about the server.
 */
function checkSslmode(value: string, where: string): void {
  if (SSLMODES.has(value)) return;
  const modes = 'disable, prefer, require, verify-ca or verify-full';
  throw new UsageError(
    value === 'allow'
      ? `${where} is allow, which callq does not offer (a plain connection first, then an encrypted one): use disable or require.`
      : `${where} is ${JSON.stringify(value)}, which is not an sslmode: use ${modes}, as psql reads them.`,
  );
}

/** The session settings of sessionConfig alone, for a connection configured otherwise (the benchmarks' rep processes). */
export function sessionSettings(): Pick<ClientConfig, 'lock_timeout' | 'options'> {
  return { lock_timeout: busyTimeoutFrom(process.env, undefined), options: '-c jit=off' };
}

/**
 * The team's `busy-timeout` setting, once the schema is there (CALLQ_BUSY_TIMEOUT still wins):
 * `stored` is the setting as read with the schema version, or undefined to read it here.
 */
export async function applyBusyTimeout(client: PgClient, stored?: { value: string | undefined }): Promise<number> {
  const env = process.env.CALLQ_BUSY_TIMEOUT;
  if (env !== undefined && env.trim() !== '') return busyTimeoutFrom(process.env, undefined);
  let value = stored?.value;
  if (!stored) {
    const { rows } = await client.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'busy-timeout'`);
    value = rows[0]?.value;
  }
  const ms = Math.round(busyTimeoutFrom(process.env, value));
  if (value !== undefined) await client.query(`SET lock_timeout = ${ms}`);
  return ms;
}

/**
 * How long a rep's operation waits for the server's answer before giving the connection up (0:
 * as long as it takes): the busy timeout, which a statement may spend waiting for another
 * session's row, plus the connect timeout (connectTimeoutMs), the wait the team chose for a
 * server that does not answer. Each of a rep's statements takes milliseconds; a server that
 * says nothing for that long is out of reach (a VPN or network gone mid-statement), and TCP
 * alone would keep the rep's command waiting for a quarter of an hour.
 */
export function answerWaitMs(url: string, busyMs: number): number {
  const connect = connectTimeoutMs(url, process.env);
  return connect === 0 ? 0 : busyMs + connect;
}

let quieted = false;

/**
 * node-postgres reads ~/.pgpass as libpq does, but announces on every use that it will stop
 * (a DeprecationWarning on stderr). callq relies on it, as libpq's users do, and a rep can do
 * nothing about the notice: it is kept off their terminal; every other warning still shows.
 */
function quietPgpassNotice(): void {
  if (quieted) return;
  quieted = true;
  // node-postgres looks for .pgpass in $HOME only; libpq falls back to the user's home from the
  // password database, which a cron job without HOME needs (docs/operations.md).
  if (!process.env.PGPASSFILE && !process.env.HOME?.trim()) {
    try {
      process.env.PGPASSFILE = join(homedir(), '.pgpass');
    } catch {
      // No home at all: no .pgpass either.
    }
  }
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.startsWith('pgpass support is deprecated')) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}

/**
 * Runs `sql` with no lock timeout, then puts the session's back: for a wait that must last as long
 * as the other side takes (another import, the do-not-call list's writers), which the busy
 * timeout would end with "busy". `scope` 'transaction': the change stays inside the open
 * transaction (and goes with it if the statement fails).
 */
export async function waitingAsLongAsItTakes(client: ClientBase, sql: string, params: unknown[], scope: 'session' | 'transaction'): Promise<void> {
  const local = scope === 'transaction';
  const { rows } = await client.query<{ lock_timeout: string }>('SHOW lock_timeout');
  const restore = () => client.query(`SELECT set_config('lock_timeout', $1, $2)`, [rows[0].lock_timeout, local]);
  await client.query(`SET ${local ? 'LOCAL ' : ''}lock_timeout = 0`);
  try {
    await client.query(sql, params);
  } catch (err) {
    if (!local) await restore();
    throw err;
  }
  await restore();
}
