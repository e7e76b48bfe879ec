// Where a file callq writes really goes, and the temporary files on the way there.
//
// Every file that holds leads (exports, rejects files, backups, restores) goes through here:
// - `-` means stdout; a symlink is followed, and the file is replaced atomically beside its
//   target (the link stays); a FIFO or a character device is written directly (renaming over
//   it would replace it with a plain file); a disk (block device) is refused;
// - a path that is the database, one of its side files, or the file being read is refused,
//   compared by device and inode (so hard links, symlinks and `./` spellings count);
// - temporary files are hidden `.NAME.PID.callq-tmp` files beside the target, created
//   exclusively (a planted file or symlink is never written through) and owner-only (0600,
//   less if the umask says so); Ctrl-C, SIGTERM and SIGHUP remove them, and one whose process
//   is gone (kill -9, power loss, a Ctrl-C during a backup's VACUUM INTO) is removed by the next
//   run writing into that folder, by `maintain` and by `forget`.
import { existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { headOf, SQLITE_HEADER } from './file-kind.js';

export const TEMP_SUFFIX = '.callq-tmp';
/** Owner-only: the kernel takes the umask off, so a stricter umask gives a stricter mode. */
export const PRIVATE_MODE = 0o600;
/** The exit code for each signal a file being written must not outlive (128 + its number). */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The hidden temporary name `path` is written under, in its folder. */
export function tempName(path: string, pid: number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}${TEMP_SUFFIX}`);
}

/**
 * Temporary names callq writes, those of earlier versions' backups and restores, and the
 * rollback journal SQLite keeps beside a VACUUM INTO target while it writes.
 */
const TEMP_NAME = /^\..+\.(\d+)(?:\.callq-tmp|\.backup\.tmp|\.restore\.tmp)(?:-journal)?$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface TempSweep {
  removed: string[];
  /** Stale temporary files that could not be removed, with why. */
  failed: { path: string; error: string }[];
}

/**
 * Removes the temporary files of callq runs that are gone (their pid is not alive) from
 * `folder`. A missing or unreadable folder has nothing to remove.
 */
export function removeStaleTemps(folder: string, options: { dryRun?: boolean } = {}): TempSweep {
  const sweep: TempSweep = { removed: [], failed: [] };
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return sweep;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    const path = join(folder, name);
    if (options.dryRun) {
      sweep.removed.push(path);
      continue;
    }
    try {
      unlinkSync(path);
      sweep.removed.push(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') sweep.failed.push({ path, error: (err as Error).message });
    }
  }
  return sweep;
}

/**
 * Creates `temp` exclusively and owner-only. A file already there under our own pid (a reused
 * pid, or something planted) is unlinked first — unlinking a symlink never touches its target.
 */
export function createTempFile(temp: string): number {
  try {
    return openSync(temp, 'wx', PRIVATE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    unlinkSync(temp);
    return openSync(temp, 'wx', PRIVATE_MODE);
  }
}

/** createTempFile for a file written through a stream. */
export async function openTempFile(temp: string): Promise<FileHandle> {
  try {
    return await open(temp, 'wx', PRIVATE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    unlinkSync(temp);
    return await open(temp, 'wx', PRIVATE_MODE);
  }
}

// ---------------------------------------------------------------------------------------------
// Signals

const cleanups = new Set<(signal: NodeJS.Signals) => void>();
const SIGNALS = Object.keys(SIGNAL_EXIT) as NodeJS.Signals[];
function onSignal(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup(signal);
    } catch {
      // Exit anyway: the next run removes what is left.
    }
  }
  process.exit(SIGNAL_EXIT[signal] ?? 1);
}

/**
 * Runs `cleanup` and exits (130/143/129) on Ctrl-C, SIGTERM or SIGHUP until the returned
 * function is called. One listener serves every file being written.
 */
export function onInterrupt(cleanup: (signal: NodeJS.Signals) => void): () => void {
  if (cleanups.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  cleanups.add(cleanup);
  return () => {
    if (!cleanups.delete(cleanup)) return;
    if (cleanups.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}

// ---------------------------------------------------------------------------------------------
// Targets

export type OutputTarget =
  /** `-` */
  | { kind: 'stdout'; given: string }
  /** A FIFO or a character device (a terminal, /dev/null): opened and written as is. */
  | { kind: 'direct'; given: string; path: string }
  /**
   * A regular file, existing or not: written beside `path` (the symlink's target when `given`
   * is a link) and renamed over it. `mode` is an existing file's, kept by the new one.
   */
  | { kind: 'file'; given: string; path: string; mode: number | null };

/** A file an output must never be: the database and its side files, the input being read. */
export interface Protected {
  path: string;
  what: string;
}

const MAX_LINKS = 40;

/** `path` with every symlink followed, even a dangling one (the file is then created where it points). */
export function followLinks(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let st: Stats;
    try {
      st = lstatSync(current);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) break;
    current = resolve(dirname(current), readlinkSync(current));
  }
  // The folder's own symlinks too, so two spellings of one place compare equal.
  try {
    return join(realpathSync(dirname(current)), basename(current));
  } catch {
    return current;
  }
}

/**
 * What an existing file is when it is plainly not a text table callq could have written (a
 * database, a backup, a spreadsheet, an archive): its first bytes hold a NUL, which no CSV or
 * NDJSON has. Null for text, or an unreadable file (then the write itself says why).
 */
export function binaryKind(path: string): string | null {
  let bytes: Buffer;
  try {
    bytes = headOf(path, 4096);
  } catch {
    return null;
  }
  const start = bytes.subarray(0, 16).toString('latin1');
  if (start === SQLITE_HEADER) return 'a SQLite database (another callq database or a backup?)';
  if (start.startsWith('PGDMP')) return 'a PostgreSQL backup (pg_dump)';
  if (start.startsWith('PK\x03\x04')) return 'a ZIP archive (an .xlsx workbook?)';
  // UTF-16 text (Excel's "Unicode Text") holds NULs, but starts with its byte-order mark.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return null;
  return bytes.includes(0) ? 'not a text file' : null;
}

/**
 * What writing to `given` would write: stdout, a device or FIFO, or a regular file (symlinks
 * followed). Refuses a folder, a socket, a missing folder, and any path in `refuse`; with
 * `text` (a CSV or NDJSON table), also an existing file that is not text (binaryKind): one
 * typo in `--out` must not replace a database or a backup. Removes stale temporary files from
 * the target's folder. `flag` names the option in messages (`--out`, `--rejects`, `backup FILE`).
 */
export function resolveOutput(
  given: string,
  flag: string,
  refuse: readonly Protected[] = [],
  options: { stdout?: boolean; text?: boolean; backupOf?: BackupKind } = {},
): OutputTarget {
  if (given.trim() === '') throw new UsageError(`empty ${flag}: give a file name${options.stdout === false ? '' : ", or '-' for stdout"}.`);
  if (given === '-') {
    if (options.stdout === false) throw new UsageError(`${flag} cannot be '-' (stdout): give a file name.`);
    return { kind: 'stdout', given };
  }
  const shown = resolve(given);
  refuseForeignLink(shown, flag);
  // The kernel follows links best (/dev/stdout and /proc/self/fd/N are links to pipes); only a
  // dangling link, a file yet to be created, is followed by hand.
  let st: Stats | null = null;
  try {
    st = statSync(shown);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot write ${shown}: ${(err as Error).message}.`);
  }
  // A disk is a device too, but a CSV written over one by a typo would destroy it.
  if (st?.isBlockDevice()) throw new UsageError(`cannot write ${shown}: it is a disk (a block device). Choose another path for ${flag}.`);
  if (st && (st.isFIFO() || st.isCharacterDevice())) {
    for (const p of refuse) if (sameFile(shown, st, p.path)) throw refused(flag, shown, shown, p);
    return { kind: 'direct', given, path: shown };
  }
  const path = st ? realpathSync(shown) : followLinks(given);
  const folder = dirname(path);
  if (st === null) {
    let isFolder = false;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch {
      isFolder = false;
    }
    if (!isFolder) throw new UsageError(`cannot write ${shown}: the folder ${folder} does not exist. Create it or choose another path for ${flag}.`);
  } else if (st.isDirectory()) {
    throw new UsageError(`cannot write ${shown}: it is a folder. Give a file name with ${flag}.`);
  } else if (st.isSocket()) {
    throw new UsageError(`cannot write ${shown}: it is a socket. Choose another path for ${flag}.`);
  }
  for (const p of refuse) if (sameFile(path, st, p.path)) throw refused(flag, shown, path, p);
  const kind = st && options.text ? binaryKind(path) : null;
  if (kind) {
    const where = path === shown ? shown : `${shown} (which leads to ${path})`;
    throw new UsageError(`refusing to write ${flag} ${where}: it exists and is ${kind}, not a table callq wrote. Choose another file, or delete that one first; nothing was written.`);
  }
  if (st && st.size > 0 && options.backupOf && !isBackupOf(path, options.backupOf)) {
    const where = path === shown ? shown : `${shown} (which leads to ${path})`;
    throw new UsageError(
      `refusing to replace ${where} with ${flag}: it is ${binaryKind(path) ?? 'a text file (a CSV, an export?)'}, not an earlier backup ` +
        `(${BACKUP_KINDS[options.backupOf]}). Choose another file name; nothing was written.`,
    );
  }
  // The next run writing into a folder clears what killed runs left there, rows or not.
  removeStaleTemps(folder);
  return { kind: 'file', given, path, mode: st ? st.mode & 0o777 : null };
}

/**
 * Refuses to write through a symlink another user put in a shared sticky folder (/tmp): anyone
 * may plant a link there, pointing at a file they can read or at one of ours to be overwritten.
 * The kernel's protected_symlinks rule, kept whether or not the machine turns it on: such a link
 * is followed only when its owner is the folder's owner or ours.
 */
function refuseForeignLink(path: string, flag: string): void {
  let link: Stats;
  let folder: Stats;
  try {
    link = lstatSync(path);
    if (!link.isSymbolicLink()) return;
    folder = statSync(dirname(path));
  } catch {
    return;
  }
  const shared = (folder.mode & 0o1000) !== 0 && (folder.mode & 0o002) !== 0;
  const me = process.geteuid?.() ?? link.uid;
  if (shared && link.uid !== folder.uid && link.uid !== me) {
    throw new UsageError(
      `refusing to write ${flag} ${path}: it is a symbolic link another user (uid ${link.uid}) put in the shared folder ${dirname(path)}, ` +
        'and it could lead anywhere. Write to a path of your own; nothing was written.',
    );
  }
}

/** What a backup is: a SQLite database (a SQLite store's), or pg_dump's custom format (PostgreSQL's). */
export type BackupKind = 'sqlite' | 'pg_dump';
const BACKUP_KINDS: Record<BackupKind, string> = { sqlite: 'a SQLite database', pg_dump: "pg_dump's custom format" };

/** Whether the file at `path` starts as a backup of `kind` does: `backup FILE --force` replaces only those. */
function isBackupOf(path: string, kind: BackupKind): boolean {
  let start: string;
  try {
    start = headOf(path, 16).toString('latin1');
  } catch {
    return true; // unreadable: the write itself will say why
  }
  return kind === 'sqlite' ? start === SQLITE_HEADER : start.startsWith('PGDMP');
}

/**
 * Makes `path` and any missing folder above it, each with `mode`: fs.mkdirSync's own recursive
 * mode loops for ever on a path the kernel refuses without EEXIST (`/proc/x` answers ENOENT),
 * which a typo in a cron job's `maintain --backup` met. A refusal is said (exit 2).
 */
export function makeFolders(path: string, mode: number): void {
  const missing: string[] = [];
  for (let at = resolve(path); !existsSync(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new UsageError(`cannot create the folder ${folder}: ${(err as Error).message}. Choose another folder.`);
    }
  }
}

function refused(flag: string, shown: string, path: string, p: Protected): UsageError {
  const where = path === shown ? shown : `${shown} (which leads to ${path})`;
  return new UsageError(`refusing to write ${flag} ${where}: that is ${p.what} ${p.path}. Choose another file; nothing was written.`);
}

/** Whether `path` (already followed; `st` its stat or null) and `other` are one file. */
function sameFile(path: string, st: Stats | null, other: string): boolean {
  if (st) {
    try {
      const o = statSync(other);
      if (o.dev === st.dev && o.ino === st.ino) return true;
    } catch {
      // `other` does not exist: compare the names.
    }
  }
  return followLinks(other) === path || resolve(other) === path;
}

/**
 * Removes a SQLite database file this run created, and its side files: a command that made the
 * file and then failed as a whole (an import, a copy) leaves no empty database behind.
 */
export function removeCreatedDatabase(dbPath: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(dbPath + suffix, { force: true });
}

/** The files SQLite keeps beside a database, by their suffix. */
export const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/** The database file and the side files SQLite keeps beside it (by the name given and its real name). */
export function databaseFiles(dbPath: string): Protected[] {
  const names = new Set([resolve(dbPath), followLinks(dbPath)]);
  const files: Protected[] = [];
  for (const name of names) {
    files.push({ path: name, what: 'the database' });
    for (const side of SIDE_FILES) files.push({ path: name + side, what: `the database's ${side} file` });
  }
  return files;
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * What to say when replacing `target` keeps a mode that lets every user of the machine read it
 * (callq keeps the mode of a file it replaces: a team's group-shared folder); null otherwise.
 */
export function everyoneReadsReplaced(target: OutputTarget): string | null {
  if (target.kind !== 'file' || target.mode === null || !(target.mode & 0o004)) return null;
  return (
    `warning: ${target.path} is readable by every user of this machine (mode ${octal(target.mode)}), and callq keeps the mode ` +
    `of a file it replaces: 'chmod 600 ${target.path}' makes it yours alone.`
  );
}

/**
 * What to say when a SQLite database lets every user of the machine read it (a file made by
 * hand, `touch team.db` under a umask of 022, or copied with `cp`); null otherwise. callq creates
 * its databases owner-only, and SQLite gives the -wal and -shm files the database's mode.
 */
export function everyoneReadsDatabase(dbPath: string): string | null {
  let mode: number;
  try {
    mode = statSync(dbPath).mode & 0o777;
  } catch {
    return null;
  }
  if (!(mode & 0o004)) return null;
  return (
    `warning: the database ${dbPath} is readable by every user of this machine (mode ${octal(mode)}): anyone here may read its leads. ` +
    `'chmod 600 ${dbPath}' makes it yours alone, or 'chgrp GROUP ${dbPath}; chmod 660 ${dbPath}' your team's (docs/setup.md, "Files and privacy").`
  );
}
