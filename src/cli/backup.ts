import { resolve } from 'node:path';
import { openContextStore, type Context } from './context.js';
import { flagOption, type OptionValues } from './args.js';
import { restoreBackup } from '../db/store/admin.js';
import { UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';

/** `callq backup FILE [--force]`: a consistent, checked copy, safe while reps work. */
export async function backup(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  if (!file) throw new UsageError(`backup needs a FILE to write, like ${ctx.store === 'postgres' ? 'callq-before-import.dump' : 'callq-before-import.db'}.`);
  if (file === '-') {
    throw new UsageError(
      ctx.store === 'postgres'
        ? "a backup is written to a file and renamed into place once checked, so it cannot go to stdout ('-'): give a FILE name."
        : "a backup is a database file SQLite writes into, so it cannot go to stdout ('-'): give a FILE name.",
    );
  }
  const started = performance.now();
  const store = await openContextStore(ctx);
  try {
    const result = await store.admin.backup(resolve(file), { replace: force });
    const seconds = Math.round(performance.now() - started) / 1000;
    if (ctx.json) printJson(ctx, { path: result.path, bytes: result.bytes, integrity: result.integrity, seconds });
    else printInfo(ctx, `backed up ${store.name} to ${result.path} (${megabytes(result.bytes)}, integrity ok, ${seconds.toFixed(1)} s).`);
  } finally {
    await store.close();
  }
}

/** `callq restore FILE [--force]`: replaces the database with a checked backup when nobody is using it. */
export async function restore(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  if (!file) throw new UsageError('restore needs the backup FILE to restore from.');
  const result = await restoreBackup(ctx.dbPath, resolve(file), { force, now: ctx.now });
  if (ctx.json) {
    printJson(ctx, result);
    return;
  }
  if (result.unchecked_lock) printInfo(ctx, `warning: ${ctx.dbPath} was too damaged to check whether another process had it open.`);
  printInfo(
    ctx,
    `restored ${result.from} to ${result.path} (${result.leads} leads, integrity ${result.integrity}` +
      (result.schema_version !== result.backup_schema_version
        ? `, schema upgraded from version ${result.backup_schema_version} to ${result.schema_version})`
        : ')') +
      (result.replaced ? '; the previous database was replaced.' : '.'),
  );
  const kept = result.list_kept;
  if (kept?.entries) {
    printInfo(
      ctx,
      `kept the do-not-call list of the replaced database: ${kept.entries} entr${kept.entries === 1 ? 'y' : 'ies'} made since the backup ` +
        `(do-not-call requests, people forgotten) added to it; ${kept.moved_to_dnc} restored lead(s) moved to do-not-call, ` +
        `${kept.erased} lead(s) of people forgotten since the backup erased again.`,
    );
  }
  if (result.list_unread) {
    printInfo(
      ctx,
      `warning: the do-not-call list of the replaced database could not be read (${result.list_unread}): requests and 'forget's made since the backup ` +
        "are not in the restored one. Add them again ('callq dnc add', 'callq forget') before reps start calling.",
    );
  }
  if (result.privileges_skipped) {
    printInfo(
      ctx,
      "note: the backup's GRANTs were left out: a role they name does not exist here, or amcheck's functions are missing. " +
        "Give the reps' role its rights again (docs/setup.md, \"A role for the reps\"); the data is whole.",
    );
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
