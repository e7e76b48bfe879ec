// `callq db copy --to TARGET` (docs/moving-to-postgres.md): the whole database into a new file or
// an empty PostgreSQL database, in one transaction, counts checked.
import { existsSync } from 'node:fs';
import { removeCreatedDatabase } from '../io/output-file.js';
import { resolve } from 'node:path';
import { openContextStore, type Context } from './context.js';
import { textOption, type OptionValues } from './args.js';
import { isPostgresUrl, openStore, redactUrl, type Store } from '../db/store.js';
import { checkCopyTarget, copyDatabase } from '../app/copy-database.js';
import { ExitError, UsageError } from '../core/errors.js';
import { printData, printJson } from '../ui/output.js';

/** Why a target cannot be reached or used (node's and PostgreSQL's codes): the target is wrong, not callq. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EACCES', 'ETIMEDOUT', '3D000', '28000', '28P01', '42501']);

export async function run(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const given = textOption(values, 'to')?.trim();
  if (!given) throw new UsageError('db copy needs --to TARGET: a new database file, or the postgres:// URL of an empty database.');
  const toFile = !isPostgresUrl(given);
  const to = toFile ? resolve(given) : given;
  const shown = toFile ? to : redactUrl(to);
  if (to === ctx.dbPath) throw new UsageError(`the target ${shown} is the source database itself: give --to a new file or another, empty database.`);

  const started = performance.now();
  const source = await openContextStore(ctx, { readonly: true });
  // A file this command creates is removed again if the copy fails: no half-made database stays.
  const created = toFile && !existsSync(to);
  let target: Store | undefined;
  try {
    try {
      target = await openStore(to, { create: true });
    } catch (err) {
      if (err instanceof ExitError || UNREACHABLE.has((err as { code?: string }).code ?? '')) {
        throw new UsageError(`cannot copy into ${shown}: ${(err as Error).message}`);
      }
      throw err;
    }
    await checkCopyTarget(source, target);
    const result = await copyDatabase(source, target);
    const seconds = Math.round(performance.now() - started) / 1000;
    const rows = Object.fromEntries(result.tables.map((t) => [t.name, t.target]));
    if (ctx.json) {
      printJson(ctx, { source: source.name, target: target.name, schema_version: result.schemaVersion, tables: rows, rows: total(result.tables), seconds });
    } else {
      const width = Math.max(...result.tables.map((t) => t.name.length));
      printData(
        ctx,
        [
          `copied ${source.name} to ${target.name} (schema version ${result.schemaVersion}, ${seconds.toFixed(1)} s):`,
          ...result.tables.map((t) => `  ${t.name.padEnd(width)}  ${String(t.target).padStart(10)}`),
          `  ${'total'.padEnd(width)}  ${String(total(result.tables)).padStart(10)}`,
          'every table has as many rows as the source; ids and times are unchanged.',
        ].join('\n'),
      );
    }
  } catch (err) {
    await target?.close().catch(() => undefined);
    target = undefined;
    if (created) removeCreatedDatabase(to);
    throw err;
  } finally {
    await target?.close();
    await source.close();
  }
}

function total(tables: { target: number }[]): number {
  return tables.reduce((a, t) => a + t.target, 0);
}
