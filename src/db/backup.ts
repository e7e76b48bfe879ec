// Consistent copies of the database: backups (VACUUM INTO, a snapshot even while reps write —
// unlike the online backup API, which restarts whenever another connection writes), their
// verification and rotation, and restore.
import Database from 'better-sqlite3';
import { chmodSync, chownSync, closeSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createTempFile, databaseFiles, followLinks, makeFolders, PRIVATE_MODE, removeStaleTemps, resolveOutput, SIDE_FILES, tempName } from '../io/output-file.js';
import { foreignDatabase, type DB } from './open.js';
import { SCHEMA_VERSION } from './migrations.js';
import { headOf, notADatabase } from '../io/file-kind.js';
import { BusyError, IntegrityError, UsageError } from '../core/errors.js';
import { planRotation, type RotationPlan } from '../core/maintenance.js';

export type CheckPragma = 'quick_check' | 'integrity_check';

/** The problems `PRAGMA quick_check` (or integrity_check) finds; empty when the file is sound. */
export function checkDatabase(db: DB, pragma: CheckPragma = 'quick_check'): string[] {
  try {
    const messages = (db.pragma(pragma) as Record<string, string>[]).flatMap((row) => String(Object.values(row)[0]).split('\n'));
    return messages.filter((m) => m !== 'ok' && !/^\*\*\* in database/.test(m));
  } catch (err) {
    if (isDamage(err)) return [(err as Error).message];
    throw err;
  }
}

function isDamage(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR');
}

/** The first problem and how many more, for a one-line message. */
export function describeProblems(problems: readonly string[]): string {
  return problems.length > 1 ? `${problems[0]}, and ${problems.length - 1} more` : (problems[0] ?? '');
}

export interface FileInspection {
  problems: string[];
  schemaVersion: number;
  /** Whether the file holds callq's tables at all. */
  isCallq: boolean;
  leads: number | null;
}

/** Opens a database file read-only and checks it, without migrating or changing anything. */
export function inspectDatabaseFile(path: string, pragma: CheckPragma): FileInspection {
  let db: DB;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new UsageError(`cannot open ${path}: ${(err as Error).message}.`);
  }
  try {
    const problems = checkDatabase(db, pragma);
    if (problems.length) return { problems, schemaVersion: 0, isCallq: false, leads: null };
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const isCallq = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('leads','calls','suppressions')").pluck().get() === 3;
    const leads = isCallq ? (db.prepare('SELECT count(*) FROM leads').pluck().get() as number) : null;
    return { problems, schemaVersion, isCallq, leads };
  } catch (err) {
    if (isDamage(err)) return { problems: [(err as Error).message], schemaVersion: 0, isCallq: false, leads: null };
    throw err;
  } finally {
    db.close();
  }
}

/**
 * An empty owner-only temp file beside `file` (same filesystem, so the final rename is atomic),
 * created exclusively; VACUUM INTO accepts an empty file. Killed mid-copy (Ctrl-C cannot
 * interrupt a running VACUUM INTO), it is left for the next run or `maintain` to remove.
 */
function tempBeside(file: string): string {
  removeStaleTemps(dirname(file));
  const temp = tempName(file);
  closeSync(createTempFile(temp));
  return temp;
}

/** The permission bits of `path`, or null if it does not exist. */
function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/**
 * Gives `copy` (just written with `mode`) the group of `original`: a team's shared database is
 * `chgrp reps` and 0660, and a copy the process creates gets the user's primary group instead,
 * which the copied mode would let read and write every lead. When this user may not give it that
 * group, the group's access is taken away.
 */
function keepGroup(copy: string, original: string, mode: number): void {
  let gid: number;
  try {
    gid = statSync(original).gid;
  } catch {
    return;
  }
  if ((mode & 0o070) === 0 || statSync(copy).gid === gid) return;
  try {
    chownSync(copy, -1, gid);
  } catch {
    chmodSync(copy, mode & ~0o070);
  }
}

export interface BackupResult {
  path: string;
  bytes: number;
}

/**
 * Writes a consistent copy of the open database to `file`: VACUUM INTO a temp name beside it
 * (a snapshot, so reps may keep writing), check the copy, then rename it into place. A copy that
 * fails its check is deleted and nothing is replaced.
 */
export function writeBackup(db: DB, file: string, options: { replace: boolean; check: CheckPragma; createFolder?: boolean }): BackupResult {
  // maintain --backup DIR makes its folder (owner-only); `backup FILE` in a folder that does not
  // exist is refused, as --out is: a typo must not build a new tree.
  if (options.createFolder) makeFolders(dirname(followLinks(file)), 0o700);
  // Through a symlink to its target; never onto the database or its side files; over an
  // earlier backup only, never a CSV or a PostgreSQL dump (`--force` with a typo).
  const target = resolveOutput(file, 'the backup', databaseFiles(db.name), { stdout: false, backupOf: 'sqlite' });
  if (!options.replace && existsSync(file)) {
    throw new UsageError(`${file} already exists; choose another name, or pass --force to replace it.`);
  }
  if (target.kind !== 'file') throw new UsageError(`cannot write the backup to ${file}: it is not a regular file (a FIFO or a device). Give a file name.`);
  const temp = tempBeside(target.path);
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    // A backup holds what the database holds: it gets the database's mode and group, not looser ones.
    const mode = modeOf(db.name) ?? PRIVATE_MODE;
    chmodSync(temp, mode);
    keepGroup(temp, db.name, mode);
    const { problems } = inspectDatabaseFile(temp, options.check);
    if (problems.length) {
      throw new IntegrityError(
        `the backup copy failed its ${options.check} (${describeProblems(problems)}), so ${file} was not written and older backups were kept. ` +
          `Check the disk holding ${dirname(file)}.`,
      );
    }
    renameSync(temp, target.path);
  } finally {
    rmSync(temp, { force: true });
  }
  return { path: file, bytes: statSync(target.path).size };
}

/** Whether two paths name one file (by device and inode when both exist, else by name). */
function sameFileOrName(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return followLinks(a) === followLinks(b) || resolve(a) === resolve(b);
  }
}

/** Which backups stay and go once `newName` is in `dir` (only names callq gives its backups count). */
export function planBackupRotation(dir: string, keep: number, newName: string): RotationPlan {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  return planRotation(names.includes(newName) ? names : [...names, newName], keep);
}

export function removeBackups(dir: string, names: readonly string[]): void {
  for (const name of names) rmSync(join(dir, name), { force: true });
}

/**
 * Takes the database for a restore. In WAL mode every open connection holds a shared lock on the
 * file, so leaving WAL (journal_mode=DELETE) succeeds only when no other process has it open;
 * locking_mode=EXCLUSIVE then keeps everyone out until the new file is in place.
 * Returns null when the file is too damaged to lock (it is being replaced anyway).
 */
function lockForRestore(path: string): DB | null {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 200');
    db.pragma('locking_mode = EXCLUSIVE');
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' });
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (err) {
    db.close();
    if (isDamage(err)) return null;
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new BusyError(
        `${path} is in use by another process (a rep's 'callq work', a running command, or a SQLite tool). ` +
          'Ask everyone to quit callq, then run restore again.',
      );
    }
    throw err;
  }
}

/** Whether a file starts as pg_dump's custom-format archives do (what `callq backup` writes from PostgreSQL). */
function isPgDumpArchive(path: string): boolean {
  return headOf(path, 5).toString('latin1') === 'PGDMP';
}

export interface RestoreResult {
  path: string;
  from: string;
  schema_version: number;
  leads: number;
  replaced: boolean;
  /** The replaced file was too damaged to check whether another process had it open. */
  unchecked_lock: boolean;
}

/**
 * Replaces the database at `target` with the backup `source`: the backup must pass
 * integrity_check and be a callq schema this binary understands; an existing database is
 * replaced only with `force` and never while another process has it open. The backup is copied
 * to a temp name beside the target and renamed over it; stale -wal/-shm/-journal files go first.
 */
export function restoreDatabase(source: string, target: string, options: { force: boolean }): RestoreResult {
  if (!existsSync(source)) throw new UsageError(`no backup at ${source}. Pass the path of a file written by 'callq backup' or 'callq maintain --backup'.`);
  if (databaseFiles(target).some((f) => sameFileOrName(source, f.path))) throw new UsageError(`${source} is the database ${target} itself (or one of its side files); pass a backup file.`);
  if (statSync(source).isDirectory()) {
    throw new UsageError(`${source} is a folder; nothing was restored. Pass one backup file in it (written by 'callq backup' or 'callq maintain --backup').`);
  }
  if (isPgDumpArchive(source)) {
    throw new UsageError(
      `${source} is a PostgreSQL backup (pg_dump's custom format), not a SQLite one; nothing was restored. ` +
        'A PostgreSQL backup is restored into a PostgreSQL database (--db postgres://…).',
    );
  }
  const notBackup = notADatabase(source);
  if (notBackup) throw new UsageError(`${source} is not a backup: ${notBackup}; nothing was restored. Pass a file written by 'callq backup' or 'callq maintain --backup'.`);
  const inspected = inspectDatabaseFile(source, 'integrity_check');
  if (inspected.problems.length) {
    throw new IntegrityError(`the backup ${source} failed its integrity check (${describeProblems(inspected.problems)}); nothing was restored. Try an older backup.`);
  }
  if (!inspected.isCallq) throw new UsageError(`${source} is not a callq database (no leads, calls and suppressions tables); nothing was restored.`);
  if (inspected.schemaVersion > SCHEMA_VERSION) {
    throw new UsageError(
      `the backup ${source} has schema version ${inspected.schemaVersion}, newer than this callq understands (${SCHEMA_VERSION}). Upgrade callq first.`,
    );
  }
  const replaced = existsSync(target);
  // Read through SQLite only without a -wal beside it: a stale one (from another database) would be read as part of it.
  const foreignDb = replaced && !existsSync(`${target}-wal`) ? foreignDatabase(target) : null;
  const foreign = replaced ? notADatabase(target) ?? (foreignDb && `it is a SQLite database of another program (it holds ${foreignDb})`) : null;
  if (foreign) {
    throw new UsageError(
      `${target} is not replaced: ${foreign}. Check that --db (or CALLQ_DB) names the database to restore; nothing was restored. ` +
        'To restore to that path anyway, move the file away first.',
    );
  }
  if (replaced && !options.force) {
    throw new UsageError(`${target} already exists; restoring replaces it and loses every change made since the backup. Pass --force to do so.`);
  }
  const lock = replaced ? lockForRestore(target) : null;
  // A database reached through a symlink is replaced at the link's target; it keeps its mode.
  const real = followLinks(target);
  const mode = modeOf(real) ?? PRIVATE_MODE;
  makeFolders(dirname(real), 0o777);
  let temp: string | null = null;
  try {
    temp = tempBeside(real);
    const from = new Database(source, { readonly: true, fileMustExist: true });
    try {
      from.prepare('VACUUM INTO ?').run(temp);
    } finally {
      from.close();
    }
    chmodSync(temp, mode);
    if (replaced) keepGroup(temp, real, mode);
    // A stale journal or WAL beside the new file would be replayed into it.
    for (const suffix of SIDE_FILES) rmSync(real + suffix, { force: true });
    renameSync(temp, real);
  } finally {
    lock?.close();
    if (temp) rmSync(temp, { force: true });
  }
  return {
    path: target,
    from: source,
    schema_version: inspected.schemaVersion,
    leads: inspected.leads ?? 0,
    replaced,
    unchecked_lock: replaced && lock === null,
  };
}
