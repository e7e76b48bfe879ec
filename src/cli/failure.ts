// How a failure ends the process: the exit code and the one message (docs/setup.md, "Exit codes").
// Only the entry points (main.ts, fast-main.ts) call these.
import { EXIT, ExitError } from '../core/errors.js';
import { pgFailure } from '../db/pg/errors.js';
import { safeOutput } from '../ui/safe-text.js';

/** What a failure says, and its exit code; no message when it is said already (commander) or not at all (a closed pipe). */
export interface Failure {
  code: number;
  message?: string;
  /** For --json consumers: with it, the failure is also printed as `{error, code, …}` on stdout. */
  detail?: Record<string, unknown>;
}

/** Prints a failure (its message safe: it may quote a value from a file, docs/design.md) and returns its exit code. */
export function reportFailure(err: unknown, json: boolean): number {
  const f = describeFailure(err);
  if (f.message !== undefined) process.stderr.write(`callq: ${safeOutput(f.message)}\n`);
  if (json && f.detail && f.message !== undefined) process.stdout.write(JSON.stringify({ error: f.message, code: f.code, ...f.detail }, null, 2) + '\n');
  return f.code;
}

export function describeFailure(err: unknown): Failure {
  const fail = (message: string, code: number): Failure => ({ message, code });
  const commander = err as { code?: unknown; exitCode?: unknown };
  if (typeof commander?.code === 'string' && commander.code.startsWith('commander.') && typeof commander.exitCode === 'number') {
    // Commander already printed its message (or the help/version text).
    return { code: commander.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (err instanceof ExitError) return { message: err.message, code: err.code, detail: err.detail };
  // PostgreSQL's failures (busy, unreachable, refused) as exit codes and messages naming the database.
  const pg = pgFailure(err);
  if (pg) return describeFailure(pg);
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_BUSY_SNAPSHOT') {
    return fail(
      'the database stayed busy (another process held its write lock longer than the busy timeout); nothing was changed. ' +
        'Try again in a moment, or allow a longer wait with CALLQ_BUSY_TIMEOUT or `callq config set busy-timeout 30s`.',
      EXIT.busy,
    );
  }
  if (e?.code === 'SQLITE_CORRUPT' || e?.code === 'SQLITE_NOTADB') {
    return fail(
      `the database file is damaged (${e.message}). Run 'callq maintain' for a check, or restore a backup.`,
      EXIT.integrity,
    );
  }
  if (e?.code === 'SQLITE_READONLY_DIRECTORY') {
    return fail(
      "the database's folder is not writable: SQLite (in WAL mode) must create NAME-wal and NAME-shm beside the file, " +
        "even to read it. Make the folder writable for callq's users, or move the database to one that is.",
      EXIT.usage,
    );
  }
  if ((e?.code === 'EACCES' || e?.code === 'EROFS') && e.path) {
    // A file callq writes beside the database or elsewhere (a backup, an export): that path, not the database, is the problem.
    return fail(`cannot use ${e.path}: ${e.message}. Check the permissions of that file and its folder; the command stopped there.`, EXIT.usage);
  }
  if (/^SQLITE_(READONLY|CANTOPEN)/.test(e?.code ?? '') || e?.code === 'EACCES' || e?.code === 'EROFS') {
    return fail(
      `cannot write: ${e.message}. callq needs write permission on the database file and its folder; ` +
        'check them, or use --db with a copy you may write. Nothing was changed.',
      EXIT.usage,
    );
  }
  if (e?.syscall && ['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'ELOOP', 'EPERM'].includes(e.code ?? '')) {
    // A file or folder the user named (--out, --backup, FILE) cannot be used as asked.
    return fail(
      `cannot use ${e.path ?? 'the file given'}: ${e.message}. Check the path and try again.`,
      EXIT.usage,
    );
  }
  if (e?.code === 'CALLQ_DISK_FULL') {
    return fail(e.message, EXIT.unexpected);
  }
  if (e?.code === 'SQLITE_FULL' || e?.code === 'ENOSPC') {
    return fail(
      `the disk is full (${e.message}); nothing was changed. Free some space and try again.`,
      EXIT.unexpected,
    );
  }
  if (e?.code === 'EFBIG') {
    // A file callq writes (--out, a backup) over the file-size limit.
    return fail(
      `the disk refused a write (${e.message}): is the disk full, the file over a size limit (ulimit -f), or the disk failing? The command stopped there.`,
      EXIT.unexpected,
    );
  }
  if (e?.code?.startsWith('SQLITE_IOERR')) {
    return fail(
      `the disk refused a write (${e.message}): is the disk full, the file over a size limit (ulimit -f), or the disk failing? ` +
        "SQLite keeps the database as it was before this command's unfinished change; run 'callq maintain' to check it.",
      EXIT.unexpected,
    );
  }
  if (e?.code === 'EPIPE') return { code: BROKEN_PIPE };
  return fail(
    `unexpected failure: ${e?.stack ?? String(err)}\nPlease report this with the command you ran.`,
    EXIT.unexpected,
  );
}

/** 128 + SIGPIPE: what a shell shows for a tool whose reader went away (`callq export calls | head`). */
export const BROKEN_PIPE = 141;

/**
 * Output that cannot be written: a closed pipe stops callq quietly, as Unix tools do; anything else
 * (a full disk behind `> file`) is said once. An export to stdout marks nothing unless every byte went out.
 */
export function watchStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`callq: cannot write the output: ${err.message}.\n`);
    process.exit(err.code === 'EPIPE' ? BROKEN_PIPE : EXIT.unexpected);
  });
}
