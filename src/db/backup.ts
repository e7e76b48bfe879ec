// Consistent copies of the database: backups (VACUUM INTO, a snapshot even while reps write —
// unlike the online backup API, which restarts whenever another connection writes), their
// verification and rotation, and restore.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DB } from './open.js';
import { SCHEMA_VERSION } from './migrations.js';
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

/** A temp name beside `file`, on the same filesystem so the final rename is atomic. */
function tempBeside(file: string, purpose: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${purpose}.tmp`);
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
export function writeBackup(db: DB, file: string, options: { replace: boolean; check: CheckPragma }): BackupResult {
  if (resolve(file) === resolve(db.name)) throw new UsageError(`${file} is the database itself; choose another file for the backup.`);
  if (!options.replace && existsSync(file)) {
    throw new UsageError(`${file} already exists; choose another name, or pass --force to replace it.`);
  }
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempBeside(file, 'backup');
  rmSync(temp, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    const { problems } = inspectDatabaseFile(temp, options.check);
    if (problems.length) {
      throw new IntegrityError(
        `the backup copy failed its ${options.check} (${describeProblems(problems)}), so ${file} was not written and older backups were kept. ` +
          `Check the disk holding ${dirname(file)}.`,
      );
    }
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return { path: file, bytes: statSync(file).size };
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
  if (resolve(source) === resolve(target)) throw new UsageError(`${source} is the database itself; pass a backup file.`);
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
  if (replaced && !options.force) {
    throw new UsageError(`${target} already exists; restoring replaces it and loses every change made since the backup. Pass --force to do so.`);
  }
  const lock = replaced ? lockForRestore(target) : null;
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempBeside(target, 'restore');
  try {
    rmSync(temp, { force: true });
    const from = new Database(source, { readonly: true, fileMustExist: true });
    try {
      from.prepare('VACUUM INTO ?').run(temp);
    } finally {
      from.close();
    }
    // A stale journal or WAL beside the new file would be replayed into it.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(target + suffix, { force: true });
    renameSync(temp, target);
  } finally {
    lock?.close();
    rmSync(temp, { force: true });
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
