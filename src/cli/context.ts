// The global options every command shares (docs/setup.md), resolved once:
// database path, rep identity, the clock, output mode. Commands receive this as `ctx`.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { isPostgresUrl, openStore, redactUrl, upgradeNote, type OpenStoreOptions, type Store, type StoreKind } from '../db/store.js';
import { atServerClock } from '../core/server-clock.js';

export interface GlobalOptions {
  db?: string;
  rep?: string;
  now?: string;
  json?: boolean;
  color?: boolean;
}

export interface Context {
  /** The database: a SQLite file's absolute path, or a postgres:// URL as given. */
  dbPath: string;
  /** Which store dbPath names (src/db/store.ts). */
  store: StoreKind;
  rep: string;
  /** The instant callq acts at: --now, else the wall clock (the database server's, once a PostgreSQL store is open). */
  now: Date;
  /** True when --now was given (what-if planning). */
  nowGiven: boolean;
  json: boolean;
  color: boolean;
  /** The time at each step of a long command (the work session): --now when given (the clock then stands still), else the wall clock. */
  clock: () => Date;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function resolveContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
  // An empty (or blank) variable counts as unset, as an empty --db or --rep flag does not.
  if (opts.db !== undefined && opts.db.trim() === '') {
    throw new UsageError("empty --db: give the database file's path, or leave --db out to use $CALLQ_DB, else ./callq.db.");
  }
  const given = opts.db ?? (env.CALLQ_DB?.trim() ? env.CALLQ_DB : 'callq.db');
  const store: StoreKind = isPostgresUrl(given) ? 'postgres' : 'sqlite';
  const dbPath = store === 'postgres' ? given.trim() : resolve(given);
  // Another user of this machine reads a command line (ps, /proc) while the command runs.
  if (opts.db !== undefined && store === 'postgres' && redactUrl(dbPath) !== dbPath) {
    process.stderr.write(
      'callq: warning: the password in --db can be read by other users of this machine while callq runs (ps); ' +
        'put it in ~/.pgpass or PGPASSWORD instead, or in CALLQ_DB (docs/setup.md, "Connection settings").\n',
    );
  }
  const rep = (opts.rep ?? (env.CALLQ_REP?.trim() || osUser())).trim();
  if (!rep) throw new UsageError('no rep name: pass --rep NAME or set CALLQ_REP.');
  if (rep.length > 64 || /[\u0000-\u001f]/.test(rep)) throw new UsageError(`invalid rep name '${rep}': use up to 64 printable characters.`);
  const now = opts.now === undefined ? new Date() : parseNow(opts.now);
  return {
    dbPath,
    store,
    rep,
    now,
    nowGiven: opts.now !== undefined,
    json: opts.json ?? false,
    color: opts.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== ''),
    clock: opts.now === undefined ? () => new Date() : () => now,
    // Node creates each stream on first use; `callq next --json` never needs stdin or stderr.
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * --now accepts ISO-8601; without an offset it is read in the viewer's local zone, a bare date
 * too (its midnight there: JS reads `2026-12-08` alone as UTC, the evening before in New York).
 */
export function parseNow(text: string): Date {
  const trimmed = text.trim();
  const value = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00` : trimmed;
  const at = ISO_RE.test(value) && realDateAndTime(value) ? new Date(value.replace(' ', 'T')) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(`invalid --now '${text}': expected an ISO-8601 time like 2026-11-24T16:55:00Z or 2026-11-24T11:55-05:00.`);
  }
  return at;
}

/** Date parsing rolls 2026-02-30 over to March 2: refuse days, months and times that do not exist. */
function realDateAndTime(value: string): boolean {
  const [, y, mo, d, h = '0', mi = '0', sec = '0'] = value.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/) ?? [];
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && Number(h) <= 23 && Number(mi) <= 59 && Number(sec) <= 59;
}

/**
 * Opens the command's store. On PostgreSQL, ctx's clock becomes the database server's (unless
 * --now was given), so reps on many machines act at one time, as on one host with SQLite
 * (src/core/server-clock.ts); a clock far off is told on stderr.
 */
export async function openContextStore(ctx: Context, options?: OpenStoreOptions): Promise<Store> {
  const store = await openStore(ctx.dbPath, options);
  const { now, shiftMs, warning } = atServerClock(ctx.now, ctx.nowGiven, store.clockOffsetMs);
  ctx.now = now;
  if (shiftMs) ctx.clock = () => new Date(Date.now() + shiftMs);
  if (warning) ctx.stderr.write(`${warning}\n`);
  const upgraded = upgradeNote(store);
  if (upgraded) ctx.stderr.write(`${upgraded}\n`);
  return store;
}
