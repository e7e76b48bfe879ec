import { resolve } from 'node:path';
import type { Context } from './context.js';
import { openDatabase } from '../db/open.js';
import { runMaintenance, type MaintenanceReport } from '../db/maintenance.js';
import { parseKeep, parseRetention, type StepName } from '../core/maintenance.js';
import { UsageError } from '../core/errors.js';
import { printData, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { paint } from '../ui/style.js';

/** Backups kept when --backup is given without --keep. */
const DEFAULT_KEEP = 7;

export async function run(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const dryRun = opts.dryRun === true;
  if (opts.keep !== undefined && opts.backup === undefined) throw new UsageError('--keep needs --backup DIR: it says how many backups to keep in DIR.');
  const keep = opts.keep === undefined ? DEFAULT_KEEP : parseKeep(String(opts.keep));
  const retention = opts.retention === undefined ? undefined : parseRetention(String(opts.retention));

  // A dry run opens the file read-only: it cannot change anything, not even by migrating.
  const db = openDatabase(ctx.dbPath, { readonly: dryRun });
  try {
    const progress = progressLine(ctx);
    const report = await runMaintenance(db, {
      now: ctx.now,
      dryRun,
      retentionDays: retention,
      backup: typeof opts.backup === 'string' ? { dir: resolve(opts.backup), keep } : undefined,
      vacuum: opts.vacuum === true,
      dbPath: ctx.dbPath,
      onStep: progress.step,
      onProgress: progress.count,
    });
    progress.done();
    if (ctx.json) printJson(ctx, report);
    else printData(ctx, renderReport(ctx, report));
  } finally {
    db.close();
  }
}

function renderReport(ctx: Context, report: MaintenanceReport): string {
  const c = paint(ctx, ctx.stdout);
  const head = report.dry_run ? c.bold('maintenance dry run: nothing was changed') : c.bold(`maintenance of ${ctx.dbPath}`);
  const rows = report.steps.map((s) => [s.name, s.count === null ? '' : String(s.count), s.detail ?? '', `${s.ms} ms`]);
  if (!report.vacuumed) rows.push(['vacuum', '', report.dry_run ? 'skipped (dry run)' : 'skipped (use --vacuum)', '']);
  return [head, renderTable(['step', report.dry_run ? 'would change' : 'changed', 'result', 'time'], rows), `total ${report.seconds.toFixed(1)} s`].join('\n');
}

/** One self-overwriting line on stderr while the steps run, only when stderr is a terminal. */
function progressLine(ctx: Context): { step: (name: StepName) => void; count: (name: StepName, done: number, total: number) => void; done: () => void } {
  if (!ctx.stderr.isTTY) return { step: () => {}, count: () => {}, done: () => {} };
  const show = (text: string) => ctx.stderr.write(`\r\u001b[2K${text}`);
  return {
    step: (name) => show(`maintain: ${name}…`),
    count: (name, done, total) => show(`maintain: ${name} ${done}/${total}`),
    done: () => show(''),
  };
}
