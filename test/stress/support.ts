// Plumbing shared by the stress suite: a content digest of the database, its health checks, and
// the built binary run with a hard time limit (a hang fails the test instead of stalling CI).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, ROOT } from '../helpers.js';
import { connectPg, type PgClient } from '../../src/db/pg/open.js';
import { clusterConfig, clusterUrl } from '../pg/cluster.js';
import { pgInfo } from '../pg/db.js';

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

/** The same digest of a PostgreSQL database (rows in the order of their first column: id, or a setting's key). */
export async function pgContentDigest(url: string): Promise<string> {
  return withPg(url, async (c) => {
    const hash = createHash('sha256');
    for (const table of DATA_TABLES) {
      hash.update(`\n#${table}\n`);
      for (const row of (await c.query(`SELECT * FROM ${table} ORDER BY 1`)).rows) hash.update(JSON.stringify(row) + '\n');
    }
    return hash.digest('hex');
  });
}

/** The database name in a test cluster URL. */
export const pgName = (url: string) => new URL(url).pathname.slice(1);

/** A connection of the test's own to the database `url` names (not counted as callq's: see pgWriteWatch). */
export const pgConnect = (url: string): Promise<PgClient> => connectPg({ ...clusterConfig(pgInfo, pgName(url)), application_name: 'callq-test' });

/** Runs `work` on a connection of its own to the database `url` names. */
export async function withPg<T>(url: string, work: (c: PgClient) => Promise<T>): Promise<T> {
  const c = await pgConnect(url);
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function asAdmin(sql: string): Promise<void> {
  const admin = await connectPg({ ...clusterConfig(pgInfo, 'postgres'), application_name: 'callq-test' });
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** (Re)creates the database `name` as a copy of the database `templateUrl` names; returns its URL. */
export async function pgCopy(templateUrl: string, name: string): Promise<string> {
  await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  // FILE_COPY: copying the files is quicker than writing them through the WAL (the default).
  await asAdmin(`CREATE DATABASE ${name} TEMPLATE ${pgName(templateUrl)} STRATEGY FILE_COPY`);
  return clusterUrl(pgInfo, name);
}

export const pgDrop = (name: string) => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);

/**
 * Resolves once no session but the test's own is left on the database: a killed command's server
 * session ends when the server notices the closed connection (rolling back what it had not
 * committed), not when the process dies. Fails, never gives up silently, after 30 s.
 */
export async function pgSessionsGone(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  await withPg(url, async (c) => {
    for (;;) {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0].n} session(s) still on ${pgName(url)} after 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
}

/**
 * Watches callq's sessions on a database while a command runs: `writing` counts the looks (one
 * every few milliseconds) that found one inside a transaction that has written (it holds a
 * transaction id). PostgreSQL's measure of how far into its writes a command is, as the WAL's
 * size is on SQLite.
 */
export function pgWriteWatch(url: string): { writing: () => number; stop: () => Promise<void> } {
  let writing = 0;
  let stopped = false;
  const done = withPg(url, async (c) => {
    while (!stopped) {
      const { rows } = await c.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'callq' AND backend_xid IS NOT NULL`,
      );
      if (rows[0].n > 0) writing++;
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  return {
    writing: () => writing,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
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
  /** The entry script to run instead of the checkout's bin/callq.js (see otherUser()). */
  bin?: string;
}

/** Runs the built binary asynchronously, with a time limit. */
export function run(args: string[], options: RunOptions = {}): Promise<Run> {
  const started = performance.now();
  const command = [...(options.prefix ?? []), process.execPath, options.bin ?? BIN, ...args];
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
      done({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started), timedOut });
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

export interface OtherUser {
  /** Put before `node script`: runs it as the other user. */
  prefix: string[];
  /** The CLI's entry script, readable by that user. */
  bin: string;
  /** A folder that user can enter, for the test's files. */
  base: string;
  cleanup(): void;
}

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

/**
 * How to run the built CLI as a user that file permissions apply to, for the tests of read-only
 * files and folders. Not as root (permissions do not stop root): as anyone else, as that user;
 * as root, as 'nobody' through setpriv. The checkout may sit where nobody cannot enter (a clone
 * in root's home, or in a `mktemp -d` folder, mode 0700): then nobody runs a world-readable copy
 * of what the CLI loads (bin/, build/, package.json and the packages it depends on) in a temp
 * folder. Returns why not when even that cannot run.
 */
export function otherUser(): OtherUser | string {
  if (process.getuid?.() !== 0) return { prefix: [], bin: BIN, base: tmpdir(), cleanup() {} };
  const asNobody = (...args: string[]) => spawnSync(NOBODY[0], [...NOBODY.slice(1), process.execPath, ...args], { encoding: 'utf8', cwd: '/', timeout: 30_000 });
  const probe = asNobody('-e', '0');
  if (probe.error || probe.status !== 0) return `setpriv cannot run node as nobody (uid 65534) here: ${probe.error?.message ?? probe.stderr.trim()}`;
  const reachable = (path: string) => asNobody('-e', `require('fs').accessSync(${JSON.stringify(path)}, require('fs').constants.R_OK | require('fs').constants.X_OK)`).status === 0;
  const base = [tmpdir(), '/tmp'].find(reachable);
  if (!base) return `nobody (uid 65534) cannot enter the temp folder (${tmpdir()}, nor /tmp), where the test's database must be`;
  if (asNobody(BIN, '--version').status === 0) return { prefix: NOBODY, bin: BIN, base, cleanup() {} };
  const home = mkdtempSync(join(base, 'callq-app-'));
  chmodSync(home, 0o755);
  const cleanup = () => rmSync(home, { recursive: true, force: true });
  for (const part of ['bin', 'build', 'package.json']) copyReadable(join(ROOT, part), join(home, part));
  for (const pkg of runtimePackages()) {
    copyReadable(join(ROOT, 'node_modules', pkg), join(home, 'node_modules', pkg), SKIP_IN_PACKAGES);
    // The folders above it (node_modules, an @scope) were made under the umask: enterable by everyone too.
    for (let at = dirname(join(home, 'node_modules', pkg)); at !== home; at = dirname(at)) chmodSync(at, 0o755);
  }
  const bin = join(home, 'bin', 'callq.js');
  const run = asNobody(bin, '--version');
  if (run.status === 0) return { prefix: NOBODY, bin, base, cleanup };
  cleanup();
  return `nobody (uid 65534) cannot run the CLI, neither from the checkout (${ROOT}) nor from a world-readable copy: ${run.stderr.trim()}`;
}

/** Build inputs and leftovers of better-sqlite3 that the CLI never loads (about 27 MB). */
const SKIP_IN_PACKAGES = /\/better-sqlite3\/(deps|src|build\/Release\/(obj|obj\.target|test_extension\.node))$/;

/** The packages the CLI depends on at run time, with theirs (npm installs them flat here). */
function runtimePackages(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !existsSync(join(ROOT, 'node_modules', name, 'package.json'))) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) visit(dep);
  };
  for (const dep of Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies)) visit(dep);
  return [...seen];
}

/** Copies a file or folder, readable (and folders enterable) by everyone whatever the umask or the source's modes. */
function copyReadable(from: string, to: string, skip?: RegExp): void {
  if (skip?.test(from)) return;
  const stat = statSync(from);
  if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true, mode: 0o755 });
    chmodSync(to, 0o755);
    for (const name of readdirSync(from)) copyReadable(join(from, name), join(to, name), skip);
  } else {
    copyFileSync(from, to);
    chmodSync(to, stat.mode & 0o111 ? 0o755 : 0o644);
  }
}
