// Importing a lead list (docs/importing.md): read and normalise the file on worker threads, hand
// its leads to the store's import writer (src/db/store/imports.ts) — on SQLite in one transaction
// while nobody works, else in short write slices that reps do not notice, published as a whole
// at the end; on PostgreSQL streamed into a staging table and merged at the end — and tally the
// rows read and rejected (the store counts the rest). `callq import` calls it with
// options it has already checked; everything it says goes through the callbacks it is given.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPostgresUrl, openStore, upgradeNote, type Store } from '../db/store.js';
import type { ImportCounts, ImportLock, ImportWriter } from '../db/store/imports.js';
import { NothingToDoError } from '../core/errors.js';
import { footerNote, openCsv, titleNote, type CsvFile } from '../io/csv-read.js';
import { openRejectsFile, rejectsShape, type RejectsFile } from '../io/rejects-file.js';
import { onInterrupt, removeCreatedDatabase, type OutputTarget } from '../io/output-file.js';
import { mapColumns, requirePhoneColumn, type ColumnMapping, type parseMapOption } from '../io/fields.js';
import { recordLayout, unfilledColumns, type LeadDefaults, type LeadTuple, type RecordWarning, type RejectReason } from '../io/lead-record.js';
import { normaliseChunks, workerCount, type ImportRow } from '../io/import-worker.js';
import { countryCode } from '../io/phone.js';
import { atServerClock } from '../core/server-clock.js';
import { describeRule, externalIds, type ExternalIdRule } from '../io/external-ids.js';

export interface ImportRequest {
  file: string;
  dbPath: string;
  rep: string;
  now: Date;
  /** --now was given: the import acts at `now`, not at the database server's time (src/core/server-clock.ts). */
  nowGiven: boolean;
  /** --map: header → field overrides. */
  overrides: ReturnType<typeof parseMapOption>;
  /** A two-letter code already checked, or null for the setting country.default. */
  country: string | null;
  encoding: string | null;
  delimiter: string | null;
  list: string | null;
  source: string | null;
  campaign: string | null;
  inbound: boolean;
  dryRun: boolean;
  onDuplicate: 'skip' | 'update';
  /** --id-system, already checked and lower-cased. */
  idSystem: string | null;
  /** --lock: how the import holds the write lock on SQLite (db/store/imports.ts ImportLock). */
  lock: ImportLock;
  /** Where rejected rows go (already checked, see rejectsTarget), and whether formula-like cells are neutralised. */
  rejects: { target: OutputTarget; neutralise: boolean } | null;
}

export interface ImportIO {
  /** Where a `--rejects -` file and a rejects file's warnings go. */
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Says something to the user (an unsure encoding, waiting for another import, a clean-up). */
  notice: (line: string) => void;
  /** The file's columns as read, before any row is imported. */
  mapped?: (csv: CsvFile, mapping: readonly ColumnMapping[]) => void;
  /** Progress over the file's bytes; the returned functions report bytes read and the end. */
  progress?: (totalBytes: number) => { update: (bytesRead: number) => void; done: () => void };
  /** Seconds since the command started (a monotonic clock). */
  elapsed: () => number;
  /** Called after each write slice (see db/store/imports.ts ImportBegin.pause). */
  pause?: () => void;
}

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
  /** The first and last line of a report's footer cut off the end of the file (src/io/report-footer.ts). */
  footer_lines?: [number, number];
  /** The first and last line of a title above the header (a report's name and date), skipped. */
  title_lines?: [number, number];
  /** How the file's id column was read (docs/importing.md "Duplicates"); null without one. */
  external_id: ExternalIdRule | null;
  /** What the import decided that changes how rows were matched, in words. */
  notes: string[];
  /** How the import held the write lock (null for a dry run, which takes none; 'none' on PostgreSQL). */
  lock: 'whole' | 'slices' | 'none' | null;
}

export interface ImportResult {
  summary: ImportSummary;
  /** The first rejected rows and warnings, 'line N: …', for people. */
  shown: string[];
}

/** What the human summary lists line by line before saying "and N more". */
const SHOWN = 10;

/** A worker's row by name (io/import-worker.ts sends them as positional tuples). */
type Row =
  | { line: number; lead: LeadTuple; warnings: readonly RecordWarning[] }
  | { line: number; lead: null; reason: RejectReason; detail: string; fields: readonly string[] };

function readRow(row: ImportRow): Row {
  if (typeof row[1] === 'string') {
    const [line, reason, detail, fields] = row as Extract<ImportRow, [number, RejectReason, ...unknown[]]>;
    return { line, lead: null, reason, detail, fields: fields ?? [] };
  }
  const [line, lead, warnings] = row as Extract<ImportRow, [number, LeadTuple, ...unknown[]]>;
  return { line, lead, warnings: warnings ?? [] };
}

/** What became of the rows read: counts, rejections by reason, warnings by kind, the first few worth showing. */
class Tally {
  readonly counts: ImportCounts = { rows_read: 0, inserted: 0, updated: 0, duplicates: 0, suppressed: 0, rejected: 0, kept_apart: 0, moved_to_dnc: 0 };
  readonly byReason: Record<string, number> = {};
  readonly byWarning: Record<string, number> = {};
  readonly shown: string[] = [];

  note(line: number, text: string): void {
    if (this.shown.length < SHOWN) this.shown.push(`line ${line}: ${text}`);
  }

  rejected(line: number, reason: string, detail: string): void {
    this.counts.rejected++;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    this.note(line, `rejected (${reason}): ${detail}`);
  }

  warned(line: number, warnings: readonly RecordWarning[]): void {
    for (const w of warnings) {
      this.byWarning[w.kind] = (this.byWarning[w.kind] ?? 0) + 1;
      this.note(line, w.detail);
    }
  }

  undecodable(csv: CsvFile): void {
    if (csv.undecodable() === 0) return;
    this.byWarning.undecodable = csv.undecodable();
    for (const line of csv.undecodableLines()) this.note(line, 'bytes that are not valid UTF-8, read as �');
  }
}

export async function importLeads(req: ImportRequest, io: ImportIO): Promise<ImportResult> {
  const { file } = req;
  const csv = openCsv(file, { encoding: req.encoding ?? undefined, delimiter: req.delimiter ?? undefined });
  let store: Store | undefined;
  let writer: ImportWriter | undefined;
  let rejects: RejectsFile | undefined;
  let stopSignals = () => {};
  let scratch: string | null = null;
  let created: string | null = null;
  let unusedDatabase: ((path: string) => boolean) | undefined;
  let failed = false;
  const removeIfUnused = (path: string) => {
    if (unusedDatabase?.(path)) removeCreatedDatabase(path);
  };
  try {
    const mapping = mapColumns(csv.header, req.overrides);
    requirePhoneColumn(mapping, file, csv.headerLine);
    io.mapped?.(csv, mapping);
    const unsure = csv.dialect.encodingCandidates;
    if (unsure) {
      io.notice(
        `warning: ${file}: its encoding is not certain; read as ${csv.dialect.encoding}, but it could also be ${unsure.join(' or ')}. ` +
          `If names look wrong, undo this batch and import again with --encoding ${unsure[0]} (or another).`,
      );
    }
    if (req.rejects) {
      const options = { neutralise: req.rejects.neutralise, stdout: io.stdout, stderr: io.stderr, shape: rejectsShape(csv.dialect) };
      rejects = await openRejectsFile(req.rejects.target, csv.header, mapping, options);
    }
    // A dry run for a database file not made yet reads the list against an empty one made for it
    // and removed after: it says what the import would do without creating the file.
    let dbPath = req.dbPath;
    if (req.dryRun && !isPostgresUrl(dbPath) && !existsSync(dbPath)) {
      scratch = mkdtempSync(join(tmpdir(), 'callq-dry-run-'));
      dbPath = join(scratch, 'callq.db');
      io.notice(`no database at ${req.dbPath} yet: the dry run reads the list as a first import into it would, and creates nothing.`);
    }
    // A database file this import creates is removed again if the import fails as a whole (a
    // broken file, Ctrl-C): a mistyped --db leaves no empty database behind.
    created = !isPostgresUrl(dbPath) && scratch === null && !existsSync(dbPath) ? dbPath : null;
    store = await openStore(dbPath, { create: true });
    if (created) ({ unusedDatabase } = await import('../db/open.js')); // SQLite's module, loaded by now
    const { now, warning } = atServerClock(req.now, req.nowGiven, store.clockOffsetMs);
    if (warning) io.notice(warning);
    const upgraded = upgradeNote(store);
    if (upgraded) io.notice(upgraded);

    const settings = await store.imports.settings();
    const defaults: LeadDefaults = {
      country: countryCode(req.country ?? settings.defaultCountry) ?? settings.defaultCountry,
      list: req.list,
      source: req.source,
      campaign: req.campaign,
      inbound: req.inbound,
      now: now.toISOString(),
      defaultZone: settings.defaultZone,
      weights: settings.weights,
    };
    const layout = recordLayout(mapping);
    const ids = externalIds(mapping, req.idSystem, [...req.overrides.values()].includes('external_id'));
    const unfilled = unfilledColumns(layout, defaults);
    // A row counter in the id column becomes a custom field (known only after the first rows).
    if (ids.rule().column !== null) unfilled.delete('custom');
    // Ctrl-C or a kill: the batch is marked failed and its leads (never callable) removed before
    // exiting; a whole-file import's transaction is rolled back. Runs between two slices or
    // chunks (a signal is handled by the event loop), never inside one; set before the import
    // begins, so a signal that arrives while it begins finds the batch.
    stopSignals = onInterrupt(() => {
      try {
        writer?.interrupt();
        // The process exits after this: a database file this import made goes now (the store's
        // close is synchronous on SQLite, the only store whose file an import creates).
        if (created) {
          void store?.close();
          removeIfUnused(created);
        }
      } finally {
        rejects?.discard();
        io.notice(`interrupted: nothing was imported from ${file}${req.dryRun ? '' : '; it can be imported again as it is'}.`);
      }
    });
    writer = await store.imports.begin({
      fileName: file,
      rep: req.rep,
      now,
      onDuplicate: req.onDuplicate,
      dryRun: req.dryRun,
      weights: settings.weights,
      expectedRows: Math.ceil(csv.size / 100),
      unfilled,
      pause: io.pause,
      notice: io.notice,
      lock: req.lock,
    });

    const tally = new Tally();
    const bar = io.progress?.(csv.size);
    const setup = { delimiter: csv.dialect.delimiter, layout, defaults, keepRejectedFields: rejects !== undefined };
    // The rows of a chunk ready for the writer, handed over together.
    const ready: LeadTuple[] = [];
    try {
      for await (const chunk of normaliseChunks(csv, setup, workerCount(csv.size))) {
        ready.length = 0;
        for (const raw of chunk.rows) {
          tally.counts.rows_read++;
          const row = readRow(raw);
          if (row.lead === null) {
            tally.rejected(row.line, row.reason, row.detail);
            const pending = rejects?.write(row.fields, row.line, row.reason, row.detail);
            if (pending) await pending;
            continue;
          }
          tally.warned(row.line, row.warnings);
          for (const lead of ids.take(row.line, row.lead)) ready.push(lead);
        }
        if (ready.length) await writer.add(ready);
        bar?.update(chunk.bytesRead);
      }
      ready.length = 0;
      for (const lead of ids.drain()) ready.push(lead);
      if (ready.length) await writer.add(ready);
    } finally {
      bar?.done();
    }
    // Reads from a pipe or FIFO block the event loop: a Ctrl-C that came meanwhile (its writer,
    // stopped by the same Ctrl-C, then ended the input) is handled here, before anything commits:
    // the event loop polls for signals between two turns, so wait one whole turn.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    tally.undecodable(csv);

    const { counts, byReason, byWarning } = tally;
    const footer = csv.footer();
    const summary: ImportSummary = {
      file,
      batch: req.dryRun ? null : writer.batchId,
      dry_run: req.dryRun,
      ...counts,
      rejected_by_reason: byReason,
      warnings: Object.values(byWarning).reduce((a, b) => a + b, 0),
      warnings_by_kind: byWarning,
      seconds: io.elapsed(),
      encoding: csv.dialect.encoding,
      delimiter: csv.dialect.delimiter,
      mapping: mapping.map((m) => ({ column: m.header, field: m.field === 'custom' ? `custom:${m.key}` : m.field })),
      ...(unsure ? { encoding_candidates: unsure } : {}),
      ...(csv.undecodable() > 0 ? { undecodable_lines: csv.undecodableLines() } : {}),
      external_id: ids.rule().column === null ? null : ids.rule(),
      ...(footer ? { footer_lines: [footer.firstLine, footer.lastLine] } : {}),
      ...(csv.titleLines ? { title_lines: csv.titleLines } : {}),
      notes: [csv.titleLines && titleNote(csv.titleLines, csv.headerLine), footer && footerNote(footer, 'leads'), describeRule(ids.rule())].filter(
        (n): n is string => n !== null,
      ),
      lock: req.dryRun ? null : writer.lock,
    };
    if (counts.rows_read === 0) {
      throw new NothingToDoError(`nothing to import: ${file} has a header but no rows. No batch was recorded.`, { summary });
    }
    await rejects?.finish();
    await writer.finish(
      counts,
      {
        list: defaults.list,
        source: defaults.source,
        campaign: defaults.campaign,
        country: defaults.country,
        on_duplicate: req.onDuplicate,
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
    // The store's counts of what became of the rows (a do-not-call entry added while the
    // import ran moves leads from inserted to suppressed).
    Object.assign(summary, counts);
    if (summary.kept_apart) summary.notes.push(keptApartNote(summary.kept_apart));
    if (summary.moved_to_dnc) {
      summary.notes.push(
        `the file's do-not-call flags ${req.dryRun ? 'would move' : 'moved'} ${summary.moved_to_dnc} lead(s) to do-not-call (stored ones, or this file's earlier rows for the same person): they ${req.dryRun ? 'would leave' : 'leave'} the queue for good.`,
      );
    }
    rejects?.publish();
    summary.seconds = io.elapsed();
    return { summary, shown: tally.shown };
  } catch (err) {
    failed = true;
    rejects?.discard();
    throw writer ? await writer.fail(err) : err;
  } finally {
    stopSignals();
    csv.close();
    await store?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (failed && created) removeIfUnused(created);
  }
}

/** What the summary says of rows imported although a lead had their phone (docs/importing.md, "Duplicates"). */
function keptApartNote(n: number): string {
  const rows = n === 1 ? '1 row shares a phone number with a lead but names' : `${n} rows share a phone number with a lead but name`;
  return `${rows} someone else (colleagues at one main number, told apart by first name and e-mail or id): imported as leads of their own.`;
}
