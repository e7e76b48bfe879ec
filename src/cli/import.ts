// callq import FILE: read a lead list, normalise it, and add it to the database in short write
// slices that reps do not notice, published as a whole at the end (db/imports.ts).
import { basename } from 'node:path';
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Context } from './context.js';
import { openDatabase, type DB } from '../db/open.js';
import { loadSettings } from '../db/settings.js';
import { beginImport, type ImportCounts, type LeadWriter } from '../db/imports.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { openCsv, type CsvFile } from '../io/csv-read.js';
import { csvLine, removeStaleTemps, SIGNAL_EXIT, tempName } from '../io/csv-write.js';
import { describeField, mapColumns, parseMapOption, requirePhoneColumn, type ColumnMapping } from '../io/fields.js';
import { recordLayout, unfilledColumns, type LeadDefaults, type LeadTuple, type RecordWarning } from '../io/lead-record.js';
import { normaliseChunks, workerCount } from '../io/import-worker.js';
import { countryCode } from '../io/phone.js';
import { progressBar } from '../ui/progress.js';
import { printInfo, printJson } from '../ui/output.js';
import { paint } from '../ui/style.js';

export interface ImportSummary extends ImportCounts {
  file: string;
  batch: number | null;
  dry_run: boolean;
  rejected_by_reason: Record<string, number>;
  warnings: number;
  warnings_by_kind: Record<string, number>;
  seconds: number;
  encoding: string;
  delimiter: string;
  mapping: { column: string; field: string }[];
}

/** What the human summary lists line by line before saying "and N more". */
const SHOWN = 10;

export async function run(ctx: Context, [file]: string[], opts: Record<string, unknown>): Promise<void> {
  const started = process.hrtime.bigint();
  const onDuplicate = parseOnDuplicate(opts.onDuplicate);
  const overrides = typeof opts.map === 'string' ? parseMapOption(opts.map) : new Map();
  const text = (key: string) => (typeof opts[key] === 'string' && (opts[key] as string).trim() !== '' ? (opts[key] as string).trim() : null);
  const country = text('country');
  if (country !== null && !/^[A-Za-z]{2}$/.test(country)) throw new UsageError(`invalid --country '${country}': expected a two-letter country code like US, CA or GB.`);
  if (country !== null && countryCode(country) === undefined) throw new UsageError(`unknown --country '${country}': expected a two-letter country code like US, CA or GB.`);

  const csv = openCsv(file, { encoding: text('encoding') ?? undefined, delimiter: typeof opts.delimiter === 'string' ? opts.delimiter : undefined });
  let db: DB | undefined;
  let writer: LeadWriter | undefined;
  let rejects: RejectsFile | undefined;
  let stopSignals = () => {};
  try {
    const mapping = mapColumns(csv.header, overrides);
    requirePhoneColumn(mapping, file, csv.headerLine);
    if (!ctx.json) printMapping(ctx, csv, mapping);
    db = openDatabase(ctx.dbPath, { create: true });
    if (opts.rejects === '') throw new UsageError('--rejects needs a file name, e.g. --rejects rejects.csv.');
    if (typeof opts.rejects === 'string') rejects = rejectsFile(opts.rejects, csv.header);

    const settings = loadSettings(db);
    const defaults: LeadDefaults = {
      country: countryCode(country ?? settings.defaultCountry) ?? settings.defaultCountry,
      list: text('list'),
      source: text('source'),
      campaign: text('campaign'),
      inbound: opts.inbound === true,
      now: ctx.now.toISOString(),
      defaultZone: settings.defaultZone,
      weights: settings.weights,
    };
    const dryRun = opts.dryRun === true;
    const layout = recordLayout(mapping);
    writer = beginImport(db, {
      fileName: file,
      rep: ctx.rep,
      now: ctx.now,
      onDuplicate,
      dryRun,
      weights: settings.weights,
      expectedRows: Math.ceil(csv.size / 100),
      unfilled: unfilledColumns(layout, defaults),
      pause: importPause(),
      notice: (line) => printInfo(ctx, line),
    });

    // Ctrl-C or a kill: the batch is marked failed and its leads (never callable) removed before
    // exiting. Runs between two slices (signals arrive between chunks), never inside one.
    const onSignal = (signal: NodeJS.Signals) => {
      writer?.abort();
      rejects?.discard();
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    };
    for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.prependOnceListener(signal, onSignal);
    stopSignals = () => {
      for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.off(signal, onSignal);
    };

    const counts: ImportCounts = { rows_read: 0, inserted: 0, updated: 0, duplicates: 0, suppressed: 0, rejected: 0 };
    const byReason: Record<string, number> = {};
    const byWarning: Record<string, number> = {};
    const shown: string[] = [];
    const note = (line: number, text: string) => shown.length < SHOWN && shown.push(`line ${line}: ${text}`);
    const bar = progressBar(ctx, { total: csv.size, label: `importing ${basename(file)}`, unit: 'bytes' });
    const setup = { delimiter: csv.dialect.delimiter, layout, defaults, keepRejectedFields: rejects !== undefined };
    try {
      for await (const chunk of normaliseChunks(csv, setup, workerCount(csv.size))) {
        for (const row of chunk.rows) {
          counts.rows_read++;
          const line = row[0];
          if (typeof row[1] === 'string') {
            const [, reason, detail, fields] = row as [number, string, string, string[]?];
            counts.rejected++;
            byReason[reason] = (byReason[reason] ?? 0) + 1;
            note(line, `rejected (${reason}): ${detail}`);
            rejects?.write(fields ?? [], line, reason, detail);
            continue;
          }
          const [, lead, warnings] = row as [number, LeadTuple, RecordWarning[]?];
          for (const w of warnings ?? []) {
            byWarning[w.kind] = (byWarning[w.kind] ?? 0) + 1;
            note(line, w.detail);
          }
          const outcome = writer.add(lead);
          if (outcome === 'duplicate') counts.duplicates++;
          else counts[outcome]++;
        }
        bar.update(chunk.bytesRead);
      }
    } finally {
      bar.done();
    }
    if (csv.undecodable() > 0) byWarning.undecodable = csv.undecodable();

    const summary: ImportSummary = {
      file,
      batch: dryRun ? null : writer.batchId,
      dry_run: dryRun,
      ...counts,
      rejected_by_reason: byReason,
      warnings: Object.values(byWarning).reduce((a, b) => a + b, 0),
      warnings_by_kind: byWarning,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      encoding: csv.dialect.encoding,
      delimiter: csv.dialect.delimiter,
      mapping: mapping.map((m) => ({ column: m.header, field: m.field === 'custom' ? `custom:${m.key}` : m.field })),
    };
    if (counts.rows_read === 0) {
      throw new NothingToDoError(`nothing to import: ${file} has a header but no rows. No batch was recorded.`, { summary });
    }
    writer.finish(
      counts,
      {
        list: defaults.list,
        source: defaults.source,
        campaign: defaults.campaign,
        country: defaults.country,
        on_duplicate: onDuplicate,
        inbound: defaults.inbound,
        encoding: csv.dialect.encoding,
        delimiter: csv.dialect.delimiter,
        mapping: summary.mapping,
        rejected_by_reason: byReason,
        warnings_by_kind: byWarning,
      },
      csv.hash(),
    );
    // A do-not-call entry added while the import ran moves leads from inserted to suppressed.
    Object.assign(summary, counts);
    rejects?.commit();
    summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (ctx.json) printJson(ctx, summary);
    else printSummary(ctx, summary, shown, opts.rejects as string | undefined);
  } catch (err) {
    const undone = writer?.abort() ?? true;
    rejects?.discard();
    if (db && isDiskFull(err)) throw diskFull(db, err, undone ? null : writer!);
    throw err;
  } finally {
    stopSignals();
    csv.close();
    db?.close();
  }
}

/** 'Disk full' as SQLite or the file system says it (a size limit, ulimit -f, reads as EFBIG: an I/O error). */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EFBIG' || code === 'SQLITE_IOERR_WRITE';
}

/**
 * After a write failed for lack of space, the WAL still holds the slices written before: it is
 * checkpointed and truncated, so the disk is not left full, and then the batch's leads (never
 * callable) are removed if the first attempt found no room, and the WAL truncated again. The
 * message says what happened; exit 1.
 */
function diskFull(db: DB, err: unknown, pending: LeadWriter | null): Error {
  const truncate = () => {
    try {
      const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return row.busy === 0;
    } catch {
      return false; // still no room even for the checkpoint: said below
    }
  };
  let truncated = truncate();
  const undone = pending === null || (truncated && pending.abort());
  if (pending !== null && undone) truncated = truncate();
  return Object.assign(
    new Error(
      `the disk is full (or the database reached a file-size limit): ${(err as Error).message}. The import stopped` +
        (undone
          ? ' and nothing of it was kept'
          : "; none of its leads became callable, and the next import or 'callq maintain' removes those it had written") +
        (truncated ? '; the write-ahead log was emptied.' : "; the write-ahead log could not be emptied yet: run 'callq maintain' once there is room.") +
        ' Free some space and import again.',
    ),
    { code: 'CALLQ_DISK_FULL' },
  );
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

function parseOnDuplicate(value: unknown): 'skip' | 'update' {
  if (value === undefined || value === 'skip' || value === 'update') return (value ?? 'skip') as 'skip' | 'update';
  throw new UsageError(`invalid --on-duplicate '${String(value)}': use skip (the default) or update.`);
}

function printMapping(ctx: Context, csv: CsvFile, mapping: ColumnMapping[]): void {
  const width = Math.min(28, Math.max(...mapping.map((m) => (m.header || `(column ${m.index + 1})`).length)));
  const delimiter = csv.dialect.delimiter === '\t' ? 'tab' : `'${csv.dialect.delimiter}'`;
  const lines = [
    `Reading ${csv.path} (${csv.dialect.encoding}, delimiter ${delimiter}, header on line ${csv.headerLine}). Columns:`,
    ...mapping.map((m) => `  ${(m.header || `(column ${m.index + 1})`).padEnd(width)}  → ${describeField(m)}`),
  ];
  printInfo(ctx, lines.join('\n'));
}

function printSummary(ctx: Context, s: ImportSummary, shown: string[], rejectsPath: string | undefined): void {
  const c = paint(ctx, ctx.stderr);
  const reasons = Object.entries(s.rejected_by_reason).map(([r, n]) => `${r} ${n}`).join(', ');
  const warnings = Object.entries(s.warnings_by_kind).map(([k, n]) => `${k} ${n}`).join(', ');
  const row = (label: string, n: number, extra = '') => `  ${label.padEnd(11)} ${String(n).padStart(9)}${extra ? `  (${extra})` : ''}`;
  const noted = shown.length;
  const total = s.rejected + s.warnings;
  const lines = [
    s.dry_run
      ? c.bold(`Dry run: nothing was written. Importing ${s.file} would give:`)
      : c.bold(`Imported ${s.file} as batch ${s.batch} in ${s.seconds.toFixed(1)} s:`),
    row('rows read', s.rows_read),
    row('inserted', s.inserted),
    row('updated', s.updated),
    row('duplicates', s.duplicates),
    row('suppressed', s.suppressed, s.suppressed ? 'on the do-not-call list; not imported' : ''),
    row('rejected', s.rejected, reasons),
    row('warnings', s.warnings, warnings),
    ...shown.map((l) => `  ${l}`),
  ];
  if (total > noted) lines.push(`  … and ${total - noted} more${rejectsPath ? '' : ' (--rejects FILE writes every rejected row)'}`);
  if (rejectsPath) {
    lines.push(s.rejected ? `Rejected rows ${s.dry_run ? 'that would be ' : ''}written to ${rejectsPath}.` : `No row was rejected; ${rejectsPath} holds only the header.`);
  }
  if (s.warnings_by_kind.undecodable) lines.push(`Some characters were not valid UTF-8: if accents look wrong, undo this batch and re-import with --encoding windows-1252.`);
  if (!s.dry_run && s.batch !== null) lines.push(`Undo with: callq import undo ${s.batch}`);
  printInfo(ctx, lines.join('\n'));
}

/** The --rejects CSV: the original columns, then line, reason and detail. Written to a temp file, renamed when the import succeeds. */
interface RejectsFile {
  write(fields: string[], line: number, reason: string, detail: string): void;
  commit(): void;
  discard(): void;
}

function rejectsFile(path: string, header: string[]): RejectsFile {
  const temp = tempName(path, process.pid);
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (err) {
    throw new UsageError(`cannot write the rejects file ${path}: ${(err as Error).message}.`);
  }
  removeStaleTemps(path);
  let closed = false;
  const width = header.length;
  writeSync(fd, `${csvLine([...header, 'line', 'reason', 'detail'])}\n`);
  // Interrupted, the import rolls back by itself; the temporary file must not stay behind.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(temp, { force: true });
    process.exit(SIGNAL_EXIT[signal]);
  };
  const signals = Object.keys(SIGNAL_EXIT) as NodeJS.Signals[];
  for (const signal of signals) process.once(signal, onSignal);
  const close = () => {
    for (const signal of signals) process.off(signal, onSignal);
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    write(fields, line, reason, detail) {
      const cells = fields.slice(0, width);
      while (cells.length < width) cells.push('');
      writeSync(fd, `${csvLine([...cells, line, reason, detail])}\n`);
    },
    commit() {
      close();
      renameSync(temp, path);
    },
    discard() {
      close();
      rmSync(temp, { force: true });
    },
  };
}
