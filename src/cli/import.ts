// callq import FILE (docs/importing.md): options checked here, the import itself in
// app/import-leads.ts (through the store: db/store/imports.ts), what people read in ui/import-view.ts.
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { Context } from './context.js';
import { flagOption, textOption, trimmedOption, type OptionValues } from './args.js';
import { importLeads, type ImportRequest } from '../app/import-leads.js';
import { IMPORT_LOCKS, type ImportLock } from '../db/store/imports.js';
import { UsageError } from '../core/errors.js';
import { rejectsTarget } from '../io/rejects-file.js';
import { everyoneReadsReplaced } from '../io/output-file.js';
import { parseMapOption } from '../io/fields.js';
import { countryCode } from '../io/phone.js';
import { progressBar } from '../ui/progress.js';
import { printInfo, printJson } from '../ui/output.js';
import { mappingText, summaryText } from '../ui/import-view.js';
import { paint } from '../ui/style.js';

/** `callq import`'s options, checked. */
export interface ImportOptions extends Omit<ImportRequest, 'file' | 'dbPath' | 'rep' | 'now' | 'nowGiven' | 'rejects'> {
  /** --rejects as given ('-': stdout). */
  rejects: string | null;
  raw: boolean;
}

export function importOptions(values: OptionValues): ImportOptions {
  const country = trimmedOption(values, 'country');
  if (country !== null && !/^[A-Za-z]{2}$/.test(country)) throw new UsageError(`invalid --country '${country}': expected a two-letter country code like US, CA or GB.`);
  if (country !== null && countryCode(country) === undefined) throw new UsageError(`unknown --country '${country}': expected a two-letter country code like US, CA or GB.`);
  const idSystem = trimmedOption(values, 'idSystem');
  if (idSystem !== null && !/^[A-Za-z0-9][\w.-]{0,39}$/.test(idSystem)) {
    throw new UsageError(`invalid --id-system '${idSystem}': expected a name such as hubspot, salesforce or vendor-x (letters, digits, . _ -).`);
  }
  const map = textOption(values, 'map');
  return {
    onDuplicate: parseOnDuplicate(textOption(values, 'onDuplicate')),
    overrides: map === undefined ? new Map() : parseMapOption(map),
    country,
    encoding: trimmedOption(values, 'encoding'),
    delimiter: textOption(values, 'delimiter') ?? null,
    list: trimmedOption(values, 'list'),
    source: trimmedOption(values, 'source'),
    campaign: trimmedOption(values, 'campaign'),
    inbound: flagOption(values, 'inbound'),
    dryRun: flagOption(values, 'dryRun'),
    idSystem: idSystem?.toLowerCase() ?? null,
    lock: parseLock(textOption(values, 'lock')),
    rejects: textOption(values, 'rejects') ?? null,
    raw: flagOption(values, 'raw'),
  };
}

export async function run(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const started = process.hrtime.bigint();
  const opts = importOptions(values);
  // Where rejected rows go is checked before anything is read or imported.
  const rejects = opts.rejects === null ? null : { target: rejectsTarget(opts.rejects, { dbPath: ctx.dbPath, file, json: ctx.json }), neutralise: !opts.raw };
  // The rejected rows are people's data too; a file replaced keeps its mode, as an export's does.
  const everyone = rejects && everyoneReadsReplaced(rejects.target);
  if (everyone) printInfo(ctx, everyone);
  const { summary, shown } = await importLeads(
    { ...opts, file, dbPath: ctx.dbPath, rep: ctx.rep, now: ctx.now, nowGiven: ctx.nowGiven, rejects },
    {
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      notice: (line) => printInfo(ctx, line),
      mapped: ctx.json ? undefined : (csv, mapping) => printInfo(ctx, mappingText(csv, mapping)),
      progress: (total) => progressBar(ctx, { total, label: `importing ${basename(file)}`, unit: 'bytes' }),
      elapsed: () => Number(process.hrtime.bigint() - started) / 1e9,
      pause: importPause(),
    },
  );
  if (ctx.json) printJson(ctx, summary);
  else printInfo(ctx, summaryText(summary, shown, opts.rejects === '-' ? 'stdout' : (opts.rejects ?? undefined), paint(ctx, ctx.stderr)));
}

/**
 * CALLQ_IMPORT_PAUSE=FIFO (for tests and diagnostics): after each write slice the import
 * announces itself by creating FIFO.slice-N, then waits for a line on the FIFO; a line 'go'
 * lets it run on without stopping again. Lets a test act between two slices deterministically.
 */
function importPause(): (() => void) | undefined {
  const fifo = process.env.CALLQ_IMPORT_PAUSE;
  if (!fifo) return undefined;
  let slice = 0;
  let free = false;
  return () => {
    if (free) return;
    closeSync(openSync(`${fifo}.slice-${++slice}`, 'w'));
    const fd = openSync(fifo, 'r');
    const buf = Buffer.alloc(64);
    let text = '';
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) text += buf.toString('utf8', 0, n);
    closeSync(fd);
    if (text.includes('go')) free = true;
  };
}

function parseLock(value: string | undefined): ImportLock {
  if (value === undefined) return 'auto';
  if ((IMPORT_LOCKS as readonly string[]).includes(value)) return value as ImportLock;
  throw new UsageError(`invalid --lock '${value}': use auto (the default), whole or slices.`);
}

function parseOnDuplicate(value: string | undefined): 'skip' | 'update' {
  if (value === undefined || value === 'skip' || value === 'update') return value ?? 'skip';
  throw new UsageError(`invalid --on-duplicate '${value}': use skip (the default) or update.`);
}
