// Backups of a PostgreSQL database (docs/operations.md, "On PostgreSQL"): pg_dump's custom
// format written into an owner-only temp file created exclusively beside the target, read back
// whole with pg_restore, then renamed into place, like SQLite's backups; restore with
// pg_restore --clean --if-exists in one transaction. The client binaries are looked for in
// $CALLQ_PG_BIN when set (and only there), else on PATH, else in Debian's
// /usr/lib/postgresql/VERSION/bin, newest first. The password never goes on a command line or
// into a message: the URL is passed without it, the password in the child's PGPASSWORD.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { createTempFile, followLinks, makeFolders, onInterrupt, removeStaleTemps, resolveOutput, tempName } from '../../io/output-file.js';
import { BusyError, IntegrityError, UsageError } from '../../core/errors.js';
import { passwordSpan, redactUrl } from '../store.js';
import type { RestoreReport } from '../store/admin.js';
import { connectPg, type PgClient } from './open.js';
import { connectionConfig, connectTimeoutMs } from './session.js';
import { migratePg, pgSchemaVersion, PG_SCHEMA_VERSION } from './migrations.js';
import { checkIntegrityPg } from './integrity.js';
import { carryOverListPg, readListPg } from './restore-list.js';

export type PgTool = 'pg_dump' | 'pg_restore';

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The folders a client binary is looked for in, in order. */
export function pgToolFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CALLQ_PG_BIN?.trim()) return [env.CALLQ_PG_BIN.trim()];
  const path = (env.PATH ?? '').split(delimiter).filter(Boolean);
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian layout here.
  }
  return [...path, ...versions.map((v) => join(DEBIAN_ROOT, v, 'bin'))];
}

/** The path of `tool`, or a UsageError (exit 2) saying which binary is missing and how to get it. */
export function findPgTool(tool: PgTool, env: NodeJS.ProcessEnv = process.env): string {
  for (const folder of pgToolFolders(env)) {
    const candidate = join(folder, tool);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this folder.
    }
  }
  const where = env.CALLQ_PG_BIN?.trim() ? `in CALLQ_PG_BIN=${env.CALLQ_PG_BIN.trim()}` : `on PATH or in ${DEBIAN_ROOT}/*/bin`;
  throw new UsageError(
    `${tool} (PostgreSQL's client tools) was not found ${where}; callq runs it to back up and restore a PostgreSQL database. ` +
      `Install the client tools of your server's major version or newer (Debian/Ubuntu: apt-get install postgresql-client; ` +
      `Fedora/RHEL: dnf install postgresql; macOS: brew install libpq), or set CALLQ_PG_BIN to the folder holding ${tool}.`,
  );
}

/** The URL without its password (after the user name, or a `password=` parameter), and the password (for the child's PGPASSWORD). */
export function splitPassword(url: string): { url: string; password: string | null } {
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  let password: string | null = null;
  let rest = url;
  const span = passwordSpan(rest);
  if (span) {
    password = decode(rest.slice(span.start, span.end));
    rest = rest.slice(0, span.start - 1) + rest.slice(span.end);
  }
  const q = /([?&])password=([^&#]*)(&?)/i.exec(rest);
  if (q) {
    password = decode(q[2]);
    rest = rest.slice(0, q.index) + (q[3] ? q[1] : '') + rest.slice(q.index + q[0].length);
  }
  return { url: rest, password };
}

/**
 * Where the tools are to connect when the URL and PGHOST name no host (`postgres:///sales`):
 * node-postgres, which callq's own connection uses, then goes to localhost over TCP, while
 * libpq's tools would take the local unix socket, maybe another server's or none (`backup`
 * failed while every other command worked). The tools go where callq goes.
 */
export function toolHost(url: string, env: NodeJS.ProcessEnv): { PGHOST?: string } {
  const noHost = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?(?=[/?#]|$)/i.test(url);
  const hostParam = /[?&]host=/i.test(url);
  return noHost && !hostParam && !env.PGHOST?.trim() ? { PGHOST: 'localhost' } : {};
}

interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client tool against `url` (passed as --dbname without its password). `stdoutFd`, when
 * given, receives the tool's standard output (pg_dump's archive); otherwise it is collected.
 */
function runTool(tool: PgTool, args: string[], url: string | null, options: { stdoutFd?: number } = {}): Promise<ToolRun> {
  const bin = findPgTool(tool);
  const split = url ? splitPassword(url) : { url: null, password: null };
  const env: NodeJS.ProcessEnv = { ...process.env, ...(url ? toolHost(url, process.env) : {}) };
  if (split.password !== null) env.PGPASSWORD = split.password;
  // node-postgres names itself 'callq'; the tools say what they are doing.
  env.PGAPPNAME = `callq ${tool}`;
  // The tools wait for a server as long as callq's own connections do (connectTimeoutMs).
  if (url) env.PGCONNECT_TIMEOUT = String(connectTimeoutMs(url, process.env) / 1000);
  // uselibpqcompat is node-postgres's own parameter (libpq refuses it); libpq means it anyway.
  const dbname = split.url?.replace(/([?&])uselibpqcompat=[^&#]*(&?)/i, (_, sep: string, more: string) => (more ? sep : '')) ?? null;
  const argv = [...args, ...(dbname ? ['--dbname', dbname] : [])];
  return new Promise((done, fail) => {
    const child = spawn(bin, argv, { env, stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const hide = (text: string) => (split.password ? text.split(split.password).join('***') : text);
      done({ code, signal, stdout, stderr: hide(stderr).trim() });
    });
  });
}

/** The tool's message, and what to do about the usual causes. */
function toolFailure(tool: PgTool, run: ToolRun): string {
  const said = run.stderr || `exit ${run.code ?? run.signal}`;
  const hint = /version mismatch/i.test(said)
    ? ` Install the client tools of the server's major version or newer, or set CALLQ_PG_BIN to their folder.`
    : '';
  return `${tool} failed: ${said.replace(/\s*\n\s*/g, ' ')}.${hint}`;
}

export interface PgBackupResult {
  path: string;
  bytes: number;
}

/**
 * Writes `pg_dump --format=custom` of the database to `file`: into an owner-only temp file
 * beside it, created exclusively (pg_dump writes to that open descriptor, never by name), read
 * back whole with pg_restore, then renamed over `file`. Reps keep working meanwhile:
 * pg_dump reads one consistent snapshot and blocks no writer.
 */
export async function writePgBackup(url: string, file: string, options: { replace: boolean; createFolder?: boolean }): Promise<PgBackupResult> {
  findPgTool('pg_dump');
  findPgTool('pg_restore');
  // As writeBackup: only maintain --backup DIR makes its folder.
  if (options.createFolder) makeFolders(dirname(followLinks(file)), 0o700);
  // Over an earlier dump only, never a CSV or a SQLite database (`--force` with a typo).
  const target = resolveOutput(file, 'the backup', [], { stdout: false, backupOf: 'pg_dump' });
  if (!options.replace && existsSync(file)) {
    throw new UsageError(`${file} already exists; choose another name, or pass --force to replace it.`);
  }
  if (target.kind !== 'file') throw new UsageError(`cannot write the backup to ${file}: it is not a regular file (a FIFO or a device). Give a file name.`);
  removeStaleTemps(dirname(target.path));
  const temp = tempName(target.path);
  const fd = createTempFile(temp);
  // Ctrl-C reaches pg_dump too (one process group); the partial archive goes with it.
  const release = onInterrupt(() => rmSync(temp, { force: true }));
  let closed = false;
  try {
    const dump = await runTool('pg_dump', ['--format=custom', '--no-password'], url, { stdoutFd: fd });
    if (dump.code !== 0) throw new UsageError(`${toolFailure('pg_dump', dump)} Nothing was written to ${file}.`);
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    // The table of contents names callq's tables; reading every entry back (as a script thrown
    // away) decompresses every table's data.
    const list = await runTool('pg_restore', ['--list', temp], null);
    const whole = list.code === 0 ? await runTool('pg_restore', ['--file=/dev/null', temp], null) : list;
    if (whole.code !== 0 || !isCallqArchive(list.stdout)) {
      throw new IntegrityError(
        `the backup copy does not read back whole (${whole.code !== 0 ? toolFailure('pg_restore', whole) : "callq's tables are missing from it"}), ` +
          `so ${file} was not written and older backups were kept. Check the disk holding ${dirname(file)}.`,
      );
    }
    renameSync(temp, target.path);
  } finally {
    if (!closed) closeSync(fd);
    rmSync(temp, { force: true });
    release();
  }
  return { path: file, bytes: statSync(target.path).size };
}

/** Whether pg_restore --list shows callq's tables with their data. */
function isCallqArchive(list: string): boolean {
  return ['leads', 'calls', 'suppressions'].every((t) => new RegExp(`\\bTABLE DATA \\S+ ${t}\\b`).test(list));
}

/**
 * The archive's entries to restore: all but extensions (amcheck, installed by `maintain`, needs
 * a superuser), and without the GRANTs (ACL entries) when `privileges` is false.
 */
function restoreList(list: string, privileges = true): string {
  return list
    .split('\n')
    .filter((line) => !/^\d+;.*\b(EXTENSION|COMMENT - EXTENSION)\b/.test(line) && (privileges || !/^\d+;\s*\d+\s+\d+\s+ACL\b/.test(line)))
    .join('\n');
}

/**
 * A restore that failed on a GRANT the target cannot take: to a role that does not exist there
 * (a new server, a role dropped since), or on amcheck's functions, which this database lacks or
 * callq's role may not grant. The backup's data is whole; only its privileges cannot be replayed.
 */
const GRANT_FAILURE = /role "[^"]*" does not exist|function [^ ]+\([^)]*\) does not exist|permission denied for function/;

/** The schema version the archive holds (the newest row of schema_version), or 0. */
async function archiveSchemaVersion(file: string): Promise<number> {
  const data = await runTool('pg_restore', ['--data-only', '--table=schema_version', '--file=-', file], null);
  if (data.code !== 0) return 0;
  let version = 0;
  let inCopy = false;
  for (const line of data.stdout.split('\n')) {
    if (/^COPY \S*schema_version\b/.test(line)) inCopy = true;
    else if (line === '\\.') inCopy = false;
    else if (inCopy) version = Math.max(version, Number(line.split('\t')[0]) || 0);
  }
  return version;
}

async function count(client: PgClient, table: string): Promise<number> {
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  if (!exists.rows[0].t) return 0;
  const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return rows[0].n;
}


/**
 * Restores the dump `file` into the database `url` names (which must exist: `createdb`): the
 * archive must read back whole, hold callq's tables and a schema this callq understands; a
 * database holding leads, calls or suppressions is replaced only with `force`, and never while
 * another session is connected to it. pg_restore --clean --if-exists runs in one transaction,
 * so a failed restore leaves the database as it was. An older schema is migrated afterwards.
 */
export async function restorePg(url: string, file: string, options: { force: boolean; now: Date }): Promise<RestoreReport> {
  const name = redactUrl(url);
  findPgTool('pg_restore');
  if (!existsSync(file)) throw new UsageError(`no backup at ${file}. Pass the path of a file written by 'callq backup' or 'callq maintain --backup'.`);
  const list = await runTool('pg_restore', ['--list', file], null);
  if (list.code !== 0) {
    if (/does not appear to be a valid archive|not a valid archive/i.test(list.stderr)) {
      throw new UsageError(
        `${file} is not a PostgreSQL backup written by 'callq backup' (pg_dump's custom format); nothing was restored. ` +
          'A SQLite backup is restored into a SQLite file (--db FILE).',
      );
    }
    throw new IntegrityError(`the backup ${file} does not read back whole (${toolFailure('pg_restore', list)}); nothing was restored. Try an older backup.`);
  }
  if (!isCallqArchive(list.stdout)) throw new UsageError(`${file} is not a callq database (no leads, calls and suppressions tables); nothing was restored.`);
  const backupVersion = await archiveSchemaVersion(file);
  if (backupVersion > PG_SCHEMA_VERSION) {
    throw new UsageError(`the backup ${file} has schema version ${backupVersion}, newer than this callq understands (${PG_SCHEMA_VERSION}). Upgrade callq first.`);
  }

  let client: PgClient;
  try {
    client = await connectPg(connectionConfig(url));
  } catch (err) {
    if ((err as { code?: string }).code === '3D000') {
      throw new UsageError(`${name}: ${(err as Error).message}. Create it first (createdb, or CREATE DATABASE), then restore into it.`);
    }
    throw err;
  }
  try {
    const held = { leads: await count(client, 'leads'), calls: await count(client, 'calls'), suppressions: await count(client, 'suppressions') };
    const replaced = held.leads + held.calls + held.suppressions > 0;
    if (replaced && !options.force) {
      throw new UsageError(
        `${name} holds ${held.leads} leads, ${held.calls} calls and ${held.suppressions} do-not-call entries; restoring replaces them and loses every change made since the backup. ` +
          'Pass --force to do so.',
      );
    }
    const others = await client.query<{ n: number }>(
      // Another role's session shows no backend_type to a role that is not a superuser (nor
      // pg_read_all_stats), but still its user; the server's own processes show neither.
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND (backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL))`,
    );
    if (others.rows[0].n > 0) {
      throw new BusyError(
        `${name} is in use by ${others.rows[0].n} other session(s) (reps' 'callq work', a running command, psql). ` +
          'Ask everyone to quit callq, then run restore again; nothing was restored.',
      );
    }
    // The list of the database being replaced, kept through the restore (restore-list.ts).
    const replacedList = replaced ? await readListPg(client) : null;
    const listFile = tempName(join(process.env.TMPDIR?.trim() || '/tmp', 'callq-restore-list'));
    let privilegesSkipped = false;
    closeSync(createTempFile(listFile));
    try {
      const restoreWith = async (privileges: boolean) => {
        writeFileSync(listFile, restoreList(list.stdout, privileges));
        return runTool('pg_restore', ['--clean', '--if-exists', '--single-transaction', '--no-owner', '--no-password', `--use-list=${listFile}`, file], url);
      };
      let run = await restoreWith(true);
      // One transaction, rolled back whole: restored again without the GRANTs, which are said.
      if (run.code !== 0 && GRANT_FAILURE.test(run.stderr)) {
        run = await restoreWith(false);
        if (run.code === 0) privilegesSkipped = true;
      }
      if (run.code !== 0) {
        throw new IntegrityError(`the backup ${file} could not be restored (${toolFailure('pg_restore', run)}); nothing was changed in ${name}. Try an older backup.`);
      }
    } finally {
      rmSync(listFile, { force: true });
    }
    // Brings an older backup up to this callq's schema, as opening a SQLite file does.
    let version = await pgSchemaVersion(client);
    if (version < PG_SCHEMA_VERSION) {
      await migratePg(client);
      version = await pgSchemaVersion(client);
    }
    if (version !== PG_SCHEMA_VERSION) {
      throw new IntegrityError(`after the restore, ${name} reports schema version ${version} instead of ${PG_SCHEMA_VERSION}; check the backup ${file}.`);
    }
    // The do-not-call list before anything else: until it is carried over, a rep connecting to
    // the restored database could be served someone who asked not to be called since the backup.
    const kept = replacedList ? await carryOverListPg(client, replacedList, options.now) : null;
    const integrity = await checkIntegrityPg(client, { install: true });
    if (integrity.problems.length) {
      throw new IntegrityError(`the restored database ${name} failed its integrity check (${integrity.problems[0]}). Try an older backup.`);
    }
    return {
      path: name,
      from: file,
      schema_version: version,
      backup_schema_version: backupVersion,
      list_kept: kept,
      leads: await count(client, 'leads'),
      replaced,
      unchecked_lock: false,
      integrity: integrity.result,
      privileges_skipped: privilegesSkipped,
    };
  } finally {
    await client.end().catch(() => {});
  }
}
