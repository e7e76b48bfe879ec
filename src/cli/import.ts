// callq import FILE: read a lead list, normalise it, and add it to the database: in one
// transaction while nobody works, else in short write slices that reps do not notice
// (db/import-writer.ts), published as a whole at the end (db/imports.ts).
import { basename } from 'node:path';
import { closeSync, openSync, readSync } from 'node:fs';
import type { Context } from './context.js';
import { openDatabase, type DB } from '../db/open.js';
import { loadSettings } from '../db/settings.js';
import type { ImportCounts } from '../db/imports.js';
import { beginImport, IMPORT_LOCKS, type ImportLock, type LeadWriter } from '../db/import-writer.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { openCsv, type CsvFile } from '../io/csv-read.js';
import { openRejectsFile, rejectsTarget, type RejectsFile } from '../io/rejects-file.js';
import { onInterrupt } from '../io/output-file.js';
import { describeField, mapColumns, parseMapOption, requirePhoneColumn, type ColumnMapping } from '../io/fields.js';
import { recordLayout, unfilledColumns, type LeadDefaults, type LeadTuple, type RecordWarning } from '../io/lead-record.js';
import { normaliseChunks, workerCount } from '../io/import-worker.js';
import { countryCode } from '../io/phone.js';
import { describeRule, externalIds, type ExternalIdRule } from '../io/external-ids.js';
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
  /** Other encodings the file may be in, when detection was unsure. */
  encoding_candidates?: string[];
  /** The first lines holding bytes that are not valid UTF-8. */
  undecodable_lines?: number[];
  /** How the file's id column was read (docs/importing.md "Duplicates"); null without one. */
  external_id: ExternalIdRule | null;
  /** What the import decided that changes how rows were matched, in words. */
  notes: string[];
  /** How the import held the write lock (null for a dry run, which takes none). */
  lock: 'whole' | 'slices' | null;
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

  // Where rejected rows go is checked before anything is read or imported.
  const rejectsAt = typeof opts.rejects === 'string' ? rejectsTarget(opts.rejects, { dbPath: ctx.dbPath, file, json: ctx.json }) : undefined;
  const csv = openCsv(file, { encoding: text('encoding') ?? undefined, delimiter: typeof opts.delimiter === 'string' ? opts.delimiter : undefined });
  let db: DB | undefined;
  let writer: LeadWriter | undefined;
  let rejects: RejectsFile | undefined;
  let stopSignals = () => {};
  try {
    const mapping = mapColumns(csv.header, overrides);
    requirePhoneColumn(mapping, file, csv.headerLine);
    if (!ctx.json) printMapping(ctx, csv, mapping);
    const unsure = csv.dialect.encodingCandidates;
    if (unsure) {
      printInfo(
        ctx,
        `warning: ${file}: its encoding is not certain; read as ${csv.dialect.encoding}, but it could also be ${unsure.join(' or ')}. ` +
          `If names look wrong, undo this batch and import again with --encoding ${unsure[0]} (or another).`,
      );
    }
    if (rejectsAt) rejects = await openRejectsFile(rejectsAt, csv.header, mapping, { neutralise: opts.raw !== true, stdout: ctx.stdout, stderr: ctx.stderr });
    db = openDatabase(ctx.dbPath, { create: true });

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
    const idSystem = text('idSystem');
    if (idSystem !== null && !/^[A-Za-z0-9][\w.-]{0,39}$/.test(idSystem)) {
      throw new UsageError(`invalid --id-system '${idSystem}': expected a name such as hubspot, salesforce or vendor-x (letters, digits, . _ -).`);
    }
    const ids = externalIds(mapping, idSystem?.toLowerCase() ?? null, [...overrides.values()].includes('external_id'));
    const unfilled = unfilledColumns(layout, defaults);
    // A row counter in the id column becomes a custom field (known only after the first rows).
    if (ids.rule().column !== null) unfilled.delete('custom');
    // Ctrl-C or a kill: the batch is marked failed and its leads (never callable) removed before
    // exiting; a whole-file import's transaction is rolled back. Runs between two slices or
    // chunks (a signal is handled by the event loop), never inside one; set before the import
    // begins, so a signal that arrives while it begins finds the batch.
    stopSignals = onInterrupt(() => {
      writer?.abort();
      rejects?.discard();
    });
    writer = beginImport(db, {
      fileName: file,
      rep: ctx.rep,
      now: ctx.now,
      onDuplicate,
      dryRun,
      weights: settings.weights,
      expectedRows: Math.ceil(csv.size / 100),
      unfilled,
      pause: importPause(),
      notice: (line) => printInfo(ctx, line),
      lock: parseLock(opts.lock),
    });

    const counts: ImportCounts = { rows_read: 0, inserted: 0, updated: 0, duplicates: 0, suppressed: 0, rejected: 0 };
    const byReason: Record<string, number> = {};
    const byWarning: Record<string, number> = {};
    const shown: string[] = [];
    const note = (line: number, text: string) => shown.length < SHOWN && shown.push(`line ${line}: ${text}`);
    const count = (outcome: ReturnType<LeadWriter['add']>) => {
      if (outcome === 'duplicate') counts.duplicates++;
      else counts[outcome]++;
    };
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
            const pending = rejects?.write(fields ?? [], line, reason, detail);
            if (pending) await pending;
            continue;
          }
          const [, lead, warnings] = row as [number, LeadTuple, RecordWarning[]?];
          for (const w of warnings ?? []) {
            byWarning[w.kind] = (byWarning[w.kind] ?? 0) + 1;
            note(line, w.detail);
          }
          for (const ready of ids.take(line, lead)) count(writer.add(ready));
        }
        bar.update(chunk.bytesRead);
      }
      for (const ready of ids.drain()) count(writer.add(ready));
    } finally {
      bar.done();
    }
    // Reads from a pipe or FIFO block the event loop: a Ctrl-C that came meanwhile (its writer,
    // stopped by the same Ctrl-C, then ended the input) is handled here, before anything commits:
    // the event loop polls for signals between two turns, so wait one whole turn.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    if (csv.undecodable() > 0) {
      byWarning.undecodable = csv.undecodable();
      for (const line of csv.undecodableLines()) note(line, 'bytes that are not valid UTF-8, read as �');
    }

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
      ...(unsure ? { encoding_candidates: unsure } : {}),
      ...(csv.undecodable() > 0 ? { undecodable_lines: csv.undecodableLines() } : {}),
      external_id: ids.rule().column === null ? null : ids.rule(),
      notes: [describeRule(ids.rule())].filter((n): n is string => n !== null),
      lock: dryRun ? null : writer.lock,
    };
    if (counts.rows_read === 0) {
      throw new NothingToDoError(`nothing to import: ${file} has a header but no rows. No batch was recorded.`, { summary });
    }
    await rejects?.finish();
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
        external_id: summary.external_id,
        rejected_by_reason: byReason,
        warnings_by_kind: byWarning,
      },
      csv.hash(),
    );
    // A do-not-call entry added while the import ran moves leads from inserted to suppressed.
    Object.assign(summary, counts);
    rejects?.publish();
    summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (ctx.json) printJson(ctx, summary);
    else printSummary(ctx, summary, shown, opts.rejects === '-' ? 'stdout' : (opts.rejects as string | undefined));
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

function parseLock(value: unknown): ImportLock {
  if (value === undefined) return 'auto';
  if (IMPORT_LOCKS.includes(value as ImportLock)) return value as ImportLock;
  throw new UsageError(`invalid --lock '${String(value)}': use auto (the default), whole or slices.`);
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
  // Undecodable characters are counted one by one but noted once per line (below, too).
  const total = s.rejected + s.warnings - (s.warnings_by_kind.undecodable ?? 0) + (s.undecodable_lines?.length ?? 0);
  const lines = [
    s.dry_run
      ? c.bold(`Dry run: nothing was written. Importing ${s.file} would give:`)
      : c.bold(`Imported ${s.file} as batch ${s.batch} in ${s.seconds.toFixed(1)} s${s.lock === 'whole' ? ' (in one transaction: nobody else could write meanwhile)' : ''}:`),
    row('rows read', s.rows_read),
    row('inserted', s.inserted),
    row('updated', s.updated),
    row('duplicates', s.duplicates),
    row('suppressed', s.suppressed, s.suppressed ? 'on the do-not-call list or flagged do-not-call in the file; not imported' : ''),
    row('rejected', s.rejected, reasons),
    row('warnings', s.warnings, warnings),
    ...s.notes.map((n) => `  Note: ${n}`),
    ...shown.map((l) => `  ${l}`),
  ];
  if (total > noted) lines.push(`  … and ${total - noted} more${rejectsPath ? '' : ' (--rejects FILE writes every rejected row)'}`);
  if (rejectsPath) {
    lines.push(s.rejected ? `Rejected rows ${s.dry_run ? 'that would be ' : ''}written to ${rejectsPath}.` : `No row was rejected; ${rejectsPath} holds only the header.`);
  }
  if (s.warnings_by_kind.undecodable) {
    const where = s.undecodable_lines?.length ? ` (line${s.undecodable_lines.length > 1 ? 's' : ''} ${s.undecodable_lines.join(', ')}${s.undecodable_lines.length >= 10 ? ', …' : ''})` : '';
    lines.push(
      `${s.warnings_by_kind.undecodable} character(s) were not valid UTF-8${where} and read as �; the rest is UTF-8. Fix those lines, ` +
        'or if the whole file is in another encoding, undo this batch and re-import with --encoding windows-1252 (or the right one).',
    );
  }
  if (!s.dry_run && s.batch !== null) lines.push(`Undo with: callq import undo ${s.batch}`);
  printInfo(ctx, lines.join('\n'));
}
