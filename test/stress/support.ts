// Plumbing shared by the stress suite: a content digest of the database, its health checks, and
// the built binary run with a hard time limit (a hang fails the test instead of stalling CI).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { BIN } from '../helpers.js';

/** Tuesday 2026-11-24, 11:00 in New York: inside calling hours for US leads. */
export const NOW = '2026-11-24T16:00:00Z';

export const CLEAN_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ana' };

/** The tables whose content must be exactly before-or-after a killed write. */
const DATA_TABLES = ['leads', 'calls', 'suppressions', 'handoffs', 'imports', 'settings'];

/** A sha256 over every row of the data tables, in id order: equal digests mean equal data. */
export function contentDigest(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const table of DATA_TABLES) {
      hash.update(`\n#${table}\n`);
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).iterate()) hash.update(JSON.stringify(row) + '\n');
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

export interface Health {
  integrity: string;
  foreignKeyProblems: unknown[];
}

/** `PRAGMA integrity_check` and `foreign_key_check` on the file (recovering its WAL first, as any opener does). */
export function health(path: string): Health {
  const db = new Database(path);
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    return { integrity, foreignKeyProblems: db.pragma('foreign_key_check') as unknown[] };
  } finally {
    db.close();
  }
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** True when the time limit killed it: a hang. */
  timedOut: boolean;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Kill the process with SIGKILL after this many ms (a crash at a random point). */
  killAfterMs?: number;
  /** Kill the process with SIGKILL once this returns true (polled every millisecond or so). */
  killWhen?: () => boolean;
  /** Run through this wrapper, e.g. ['bash', '-c', 'ulimit -f 64; exec "$@"', 'bash'] or setpriv. */
  prefix?: string[];
}

/** Runs the built binary asynchronously, with a time limit. */
export function run(args: string[], options: RunOptions = {}): Promise<Run> {
  const started = Date.now();
  const command = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  return new Promise((done, fail) => {
    const child = spawn(command[0], command.slice(1), { env: { ...CLEAN_ENV, ...options.env }, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    const crash = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    const watch = options.killWhen;
    const poll = watch ? setInterval(() => watch() && child.kill('SIGKILL'), 1) : undefined;
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      if (crash) clearTimeout(crash);
      if (poll) clearInterval(poll);
      done({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** A readable one-line description of a run for assertion messages. */
export function describeRun(r: Run): string {
  return `exit ${r.code} signal ${r.signal} after ${r.ms} ms${r.timedOut ? ' (TIMED OUT)' : ''}\nstdout: ${r.stdout.slice(0, 1500)}\nstderr: ${r.stderr.slice(0, 1500)}`;
}

/** Runs `fn` over `items`, at most `width` at a time (two cores: a few child processes at once). */
export async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}
