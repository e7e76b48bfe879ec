// Shared test plumbing: temp directories, the built CLI as a child process, direct DB access.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';

export const ROOT = resolve(__dirname, '..');
export const BIN = join(ROOT, 'bin', 'callq.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export function tempDir(prefix = 'callq-test-', base = tmpdir()): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(base, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the CLI runs in under test: nothing of the developer's shell but PATH and HOME. */
export const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8' };

/** Runs the built binary synchronously with a clean environment. */
export function callq(args: string[], options: { env?: Record<string, string>; input?: string; cwd?: string } = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...BASE_ENV, CALLQ_REP: 'ana', ...options.env },
    input: options.input ?? '',
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the built binary asynchronously (for concurrency tests). */
export function callqAsync(args: string[], options: { env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, CALLQ_REP: 'ana', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

let initialised: string | undefined;

/**
 * Gives `path` the database `callq --db path init` makes, as a copy of one made by `callq init`
 * once per test process: a test whose subject is not init starts from the same file without a
 * child process of its own. The copy keeps init's owner-only mode.
 */
export function initDb(path: string): void {
  if (!initialised || !existsSync(initialised)) {
    const dir = mkdtempSync(join(tmpdir(), 'callq-init-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const made = join(dir, 'init.db');
    const r = callq(['--db', made, 'init']);
    if (r.code !== 0) throw new Error(`callq init failed (exit ${r.code}): ${r.stderr}`);
    // Closed cleanly, SQLite leaves its whole content in the main file (no -wal to copy along).
    if (existsSync(`${made}-wal`)) throw new Error(`callq init left ${made}-wal behind`);
    initialised = made;
  }
  copyFileSync(initialised, path);
}

export function openRaw(path: string): Database.Database {
  return new Database(path);
}

/** Every row a query returns, through a connection of its own. */
export function queryDb<T = any>(path: string, sql: string, ...params: unknown[]): T[] {
  const conn = openRaw(path);
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

/** Parses the JSON a command printed on stdout, with the output in the message on failure. */
export function json<T = any>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** A fresh temp folder and database path for each test of the file (removed afterwards). */
export function useTempDb(name: string, set: (dir: string, db: string) => void): void {
  let cleanup = () => {};
  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    set(t.dir, join(t.dir, name));
  });
  afterEach(() => cleanup());
}

/** A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice, taken then given back). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * The environment for a callq process that counts the Intl.DateTimeFormat objects it makes and
 * says so on stderr as it exits ('Intl.DateTimeFormat made: N'): whether a command started ICU.
 * The preload it needs is written into `dir`.
 */
export function intlCountingEnv(dir: string): Record<string, string> {
  const preload = join(dir, 'count-intl.cjs');
  writeFileSync(
    preload,
    `let n = 0; const D = Intl.DateTimeFormat; Intl.DateTimeFormat = function (...a) { n++; return new D(...a); };\n` +
      `process.on('exit', () => process.stderr.write('Intl.DateTimeFormat made: ' + n + '\\n'));\n`,
  );
  return { NODE_OPTIONS: `--require ${preload}` };
}
