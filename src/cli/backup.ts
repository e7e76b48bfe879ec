import { resolve } from 'node:path';
import type { Context } from './context.js';
import { flagOption, type OptionValues } from './args.js';
import { openDatabase, schemaVersion } from '../db/open.js';
import { restoreDatabase, writeBackup } from '../db/backup.js';
import { UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';

/** `callq backup FILE [--force]`: a consistent, checked copy, safe while reps work. */
export async function backup(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  if (!file) throw new UsageError('backup needs a FILE to write, like callq-before-import.db.');
  if (file === '-') throw new UsageError("a backup is a database file SQLite writes into, so it cannot go to stdout ('-'): give a FILE name.");
  const started = performance.now();
  const db = openDatabase(ctx.dbPath);
  try {
    const result = writeBackup(db, resolve(file), { replace: force, check: 'integrity_check' });
    const seconds = Math.round(performance.now() - started) / 1000;
    if (ctx.json) printJson(ctx, { path: result.path, bytes: result.bytes, integrity: 'ok', seconds });
    else printInfo(ctx, `backed up ${ctx.dbPath} to ${result.path} (${megabytes(result.bytes)}, integrity ok, ${seconds.toFixed(1)} s).`);
  } finally {
    db.close();
  }
}

/** `callq restore FILE [--force]`: replaces the database with a checked backup when nobody is using it. */
export async function restore(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  if (!file) throw new UsageError('restore needs the backup FILE to restore from.');
  const result = restoreDatabase(resolve(file), ctx.dbPath, { force });
  // Opening brings an older backup up to this version's schema and back to WAL mode.
  const db = openDatabase(ctx.dbPath);
  const version = schemaVersion(db);
  db.close();
  if (ctx.json) {
    printJson(ctx, { ...result, schema_version: version, backup_schema_version: result.schema_version, integrity: 'ok' });
    return;
  }
  if (result.unchecked_lock) printInfo(ctx, `warning: ${ctx.dbPath} was too damaged to check whether another process had it open.`);
  printInfo(
    ctx,
    `restored ${result.from} to ${result.path} (${result.leads} leads, integrity ok` +
      (version !== result.schema_version ? `, schema upgraded from version ${result.schema_version} to ${version})` : ')') +
      (result.replaced ? '; the previous database was replaced.' : '.'),
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
