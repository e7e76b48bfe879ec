import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openContextStore, type Context } from './context.js';
import { flagOption, textOption, type OptionValues } from './args.js';
import type { MaintenanceReport } from '../db/store/admin.js';
import { parseKeep, parseRetention, type StepName } from '../core/maintenance.js';
import { ExitError, UsageError, type ExitCode } from '../core/errors.js';
import { describeFailure } from './failure.js';
import { warnIfEveryoneReads } from './privacy.js';
import { printData, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { paint } from '../ui/style.js';

/** Backups kept when --backup is given without --keep. */
const DEFAULT_KEEP = 7;

/** `callq maintain`'s options, checked. */
export interface MaintainOptions {
  dryRun: boolean;
  /** The folder backups go to, resolved; null without --backup. */
  backup: string | null;
  keep: number;
  retentionDays: number | undefined;
  vacuum: boolean;
}

export function maintainOptions(values: OptionValues): MaintainOptions {
  const backup = textOption(values, 'backup');
  const keep = textOption(values, 'keep');
  const retention = textOption(values, 'retention');
  if (backup !== undefined && backup.trim() === '') throw new UsageError('empty --backup: give the folder to write backups in, e.g. --backup /var/backups/callq.');
  if (keep !== undefined && backup === undefined) throw new UsageError('--keep needs --backup DIR: it says how many backups to keep in DIR.');
  if (backup !== undefined && existsSync(backup) && !statSync(backup).isDirectory()) {
    throw new UsageError(`--backup takes a folder, and ${resolve(backup)} is a file: give the folder the dated backups go in (it is made if missing). Nothing was done.`);
  }
  return {
    dryRun: flagOption(values, 'dryRun'),
    backup: backup === undefined ? null : resolve(backup),
    keep: keep === undefined ? DEFAULT_KEEP : parseKeep(keep),
    retentionDays: retention === undefined ? undefined : parseRetention(retention),
    vacuum: flagOption(values, 'vacuum'),
  };
}

export async function run(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const { dryRun, backup, keep, retentionDays, vacuum } = maintainOptions(values);

  // A dry run opens the database read-only: it cannot change anything, not even by migrating.
  const store = await openContextStore(ctx, { readonly: dryRun }).catch((err: unknown) => {
    throw failedAt(err, [], null);
  });
  try {
    const progress = progressLine(ctx);
    // The steps begun, in order: when one fails, those before it are done (and committed).
    const begun: StepName[] = [];
    const report = await store.admin
      .maintain({
        now: ctx.now,
        dryRun,
        retentionDays,
        backup: backup === null ? undefined : { dir: backup, keep },
        vacuum,
        onStep: (name) => {
          begun.push(name);
          progress.step(name);
        },
        onProgress: progress.count,
      })
      .catch((err: unknown) => {
        progress.done();
        throw failedAt(err, begun.slice(0, -1), begun.at(-1) ?? null);
      });
    progress.done();
    if (ctx.json) printJson(ctx, report);
    else printData(ctx, renderReport(ctx, store.name, report));
    // After the report (a failure's message comes first and alone): the nightly job's mail says it.
    warnIfEveryoneReads(ctx);
  } finally {
    await store.close();
  }
}

/**
 * A failure of `maintain` as a cron job needs it: which step failed and which were done before it
 * (their changes stay: each step commits on its own), in the message and, under --json, as
 * `{error, code, failed_step, steps_done}` on stdout, so the report a job keeps is never empty.
 */
function failedAt(err: unknown, done: StepName[], failed: StepName | null): ExitError {
  const f = describeFailure(err);
  const message = f.message ?? 'maintain stopped';
  const where = failed === null ? '' : ` (step '${failed}'${done.length ? `; done before it, and kept: ${done.join(', ')}` : ''})`;
  return new ExitError(`${message}${where}`, f.code as ExitCode, { ...f.detail, failed_step: failed, steps_done: done });
}

function renderReport(ctx: Context, name: string, report: MaintenanceReport): string {
  const c = paint(ctx, ctx.stdout);
  const head = report.dry_run ? c.bold('maintenance dry run: nothing was changed') : c.bold(`maintenance of ${name}`);
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
