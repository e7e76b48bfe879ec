// callq export sales-ready | cleanup | calls (docs/exporting.md): a CSV (or NDJSON) to stdout or,
// atomically, to --out. A sales-ready export marks its leads handed-off in one batch, only once
// the whole file has been written.
import { openContextStore, type Context } from './context.js';
import { parsePeriod } from '../core/period.js';
import { flagOption, textOption, viewerZone, type OptionValues } from './args.js';
import { type Store } from '../db/store.js';
import {
  CALL_COLUMNS,
  CALL_PHONE_COLUMNS,
  CLEANUP_COLUMNS,
  NURTURE_COLUMNS,
  NURTURE_PHONE_COLUMNS,
  CLEANUP_PHONE_COLUMNS,
  type HandoffSelection,
  type Pages,
  type CallWindow,
} from '../db/store/exports.js';
import { handoffColumns, isProfile, missingRequired, NOT_PROVIDED, PROFILES, type ProfileName } from '../core/export-profiles.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { databaseFiles, everyoneReadsReplaced, resolveOutput } from '../io/output-file.js';
import { openSink, stdoutSink, writeTable, type Cell, type Sink, type TableFormat } from '../io/csv-write.js';
import { printInfo, printJson } from '../ui/output.js';
import { progressBar } from '../ui/progress.js';

/** The options of `callq export sales-ready|cleanup|nurture|calls`, checked (each takes its own). */
interface ExportOptions {
  out: string | undefined;
  excel: boolean;
  raw: boolean;
  profile: ProfileName | undefined;
  all: boolean;
  /** A past hand-off batch to export again. */
  batch: number | undefined;
  /** False with --no-mark. */
  mark: boolean;
  since: string | undefined;
  until: string | undefined;
}

function exportOptions(values: OptionValues): ExportOptions {
  const profile = textOption(values, 'profile');
  if (profile !== undefined && !isProfile(profile)) throw new UsageError(`unknown --profile '${profile}': choose one of ${PROFILES.join(', ')}.`);
  const batch = textOption(values, 'batch');
  const id = Number(batch);
  if (batch !== undefined && flagOption(values, 'all')) throw new UsageError('--batch re-exports one past hand-off; it cannot be combined with --all.');
  if (batch !== undefined && (!/^\d+$/.test(batch) || !Number.isSafeInteger(id) || id <= 0)) {
    throw new UsageError(`invalid --batch '${batch}': expected a hand-off batch id (a positive number).`);
  }
  return {
    out: textOption(values, 'out'),
    excel: flagOption(values, 'excel'),
    raw: flagOption(values, 'raw'),
    profile,
    all: flagOption(values, 'all'),
    batch: batch === undefined ? undefined : id,
    mark: values.mark !== false,
    since: textOption(values, 'since'),
    until: textOption(values, 'until'),
  };
}

function tableFormat(ctx: Context, opts: ExportOptions): TableFormat {
  if (ctx.json && opts.excel) throw new UsageError('--excel adds a byte-order mark for Excel to a CSV; it does not apply to --json (NDJSON).');
  return { kind: ctx.json ? 'ndjson' : 'csv', neutralise: !opts.raw, bom: Boolean(opts.excel) };
}

/** Where the rows go, checked before anything is read: the file is opened with the first row. */
function opener(ctx: Context, opts: ExportOptions): () => Promise<Sink> | Sink {
  const out = opts.out;
  if (out === undefined) return () => stdoutSink(ctx.stdout);
  // A SQLite database is files an export must not overwrite; a postgres:// URL names none.
  const target = resolveOutput(out, '--out', ctx.store === 'sqlite' ? databaseFiles(ctx.dbPath) : [], { text: true });
  // The file replaced keeps its mode (docs/setup.md, "Files and privacy"): said when that lets
  // every user of the machine read the personal data callq writes into it.
  const everyone = everyoneReadsReplaced(target);
  if (everyone) printInfo(ctx, everyone);
  return () => openSink(target, ctx.stdout, ctx.stderr);
}

/** The database, which an export never creates: a missing one is a usage error. */
function openForExport(ctx: Context): Promise<Store> {
  return openContextStore(ctx);
}

function phoneFlags(headers: readonly string[], phones: readonly string[]): boolean[] {
  return headers.map((h) => phones.includes(h));
}

async function selectionOf(store: Store, opts: ExportOptions): Promise<{ selection: HandoffSelection; profile: ProfileName }> {
  const named = opts.profile;
  if (opts.batch === undefined) return { selection: { kind: opts.all ? 'all' : 'pending' }, profile: named ?? 'default' };
  const id = opts.batch;
  const batch = await store.exports.handoffBatch(id);
  if (!batch) throw new UsageError(`no hand-off batch ${id}. The batch id is printed by each sales-ready export (see the handoffs table).`);
  // Without --profile a batch comes out as it first did.
  return { selection: { kind: 'batch', id }, profile: named ?? (isProfile(batch.profile) ? batch.profile : 'default') };
}

export async function salesReady(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const opts = exportOptions(values);
  const format = tableFormat(ctx, opts);
  const open = opener(ctx, opts);
  const store = await openForExport(ctx);
  try {
    const { selection, profile } = await selectionOf(store, opts);
    const mark = opts.mark && selection.kind !== 'batch';
    const toMark: number[] = [];
    // Required fields the destination would refuse empty, filled with NOT_PROVIDED: how many of each.
    const filled: Record<string, number> = {};
    // One read snapshot for both passes, so the columns found in the first fit every row of the second.
    const written = await store.exports.readHandoff(selection, async ({ count, keys, leads }) => {
      if (count === 0) throw nothingToHandOff(selection);
      const columns = handoffColumns(profile, keys);
      const rows = async function* (): AsyncGenerator<Cell[][]> {
        for await (const page of leads) {
          yield page.map((lead) => {
            if (lead.status === 'sales-ready') toMark.push(lead.id);
            for (const field of missingRequired(profile, lead)) filled[field] = (filled[field] ?? 0) + 1;
            return columns.map((c) => c.value(lead));
          });
        }
      };
      const headers = columns.map((c) => c.header);
      const bar = progressBar(ctx, { total: count, label: 'exporting', unit: 'leads' });
      try {
        return await writeTable(rows(), { headers, phone: columns.map((c) => c.phone === true) }, format, open, () => bar.tick());
      } finally {
        bar.done();
      }
    });
    if (!written) throw nothingToHandOff(selection);
    const { sink, rows } = written;
    const batch = await orDiscard(sink, async () => {
      if (!mark) {
        sink.publish();
        return null;
      }
      return store.exports.recordHandoff({ leadIds: toMark, destination: sink.destination, profile, rep: ctx.rep, now: ctx.now, publish: () => sink.publish() });
    });
    const marked = batch === null ? 0 : toMark.length;
    const fills = Object.entries(filled).map(([field, n]) => `${field} of ${plural(n, 'lead')}`);
    report(
      ctx,
      { exported: rows, marked, batch: selection.kind === 'batch' ? selection.id : batch, file: sink.destination, profile, format: format.kind, filled },
      () =>
        describeHandoff(selection, { rows, marked, batch, mark, profile, destination: sink.destination }) +
        (fills.length ? `\nNote: ${profile} requires fields these leads lack; filled with '${NOT_PROVIDED}': ${fills.join(', ')}.` : ''),
    );
  } finally {
    await store.close();
  }
}

function describeHandoff(
  selection: HandoffSelection,
  r: { rows: number; marked: number; batch: number | null; mark: boolean; profile: ProfileName; destination: string },
): string {
  const what = selection.kind === 'batch' ? `Re-exported hand-off batch ${selection.id}: ${plural(r.rows, 'lead')}` : `Exported ${plural(r.rows, 'lead')}`;
  const where = r.destination === 'stdout' ? '' : ` to ${r.destination}`;
  const marking =
    selection.kind === 'batch'
      ? ''
      : !r.mark
        ? ' Nothing marked (--no-mark).'
        : r.batch === null
          ? ' All were handed off already; nothing marked.'
          : ` Hand-off batch ${r.batch}: ${plural(r.marked, 'lead')} marked handed-off.`;
  return `${what}${where} (profile ${r.profile}).${marking}`;
}

/** Runs the step that publishes the file; if it fails, the unfinished file is removed. */
async function orDiscard<T>(sink: Sink, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    sink.discard();
    throw err;
  }
}

function nothingToHandOff(selection: HandoffSelection): NothingToDoError {
  if (selection.kind === 'batch') return new NothingToDoError(`hand-off batch ${selection.id} has no leads left (they were erased); nothing was written.`);
  if (selection.kind === 'all') return new NothingToDoError('no lead is sales-ready or handed off yet; nothing was written.');
  return new NothingToDoError(
    'no sales-ready leads waiting to be handed off; nothing was written. Use --all to export every hand-off again, or --batch ID for one past batch.',
  );
}

/**
 * The exports of rows over a period (`--since`, `--until`): what each reads, and what its
 * summary calls a row and the period.
 */
const PERIOD_EXPORTS = {
  cleanup: {
    headers: CLEANUP_COLUMNS,
    phones: CLEANUP_PHONE_COLUMNS,
    rows: (store: Store, w: CallWindow) => store.exports.cleanupRows(w),
    count: (store: Store, w: CallWindow) => store.exports.countCleanup(w),
    noun: 'disqualified, do-not-call or exhausted lead',
    verb: 'closed',
  },
  nurture: {
    headers: NURTURE_COLUMNS,
    phones: NURTURE_PHONE_COLUMNS,
    rows: (store: Store, w: CallWindow) => store.exports.nurtureRows(w),
    count: (store: Store, w: CallWindow) => store.exports.countNurture(w),
    noun: 'nurture lead',
    verb: 'nurtured',
  },
  calls: {
    headers: CALL_COLUMNS,
    phones: CALL_PHONE_COLUMNS,
    rows: (store: Store, w: CallWindow) => store.exports.callRows(w),
    count: (store: Store, w: CallWindow) => store.exports.countCalls(w),
    noun: 'call',
    verb: '',
  },
} as const;

function periodExport(kind: keyof typeof PERIOD_EXPORTS) {
  return async (ctx: Context, _args: string[], values: OptionValues): Promise<void> => {
    const opts = exportOptions(values);
    const format = tableFormat(ctx, opts);
    const window = parsePeriod(opts.since, opts.until, ctx.now, viewerZone());
    const e = PERIOD_EXPORTS[kind];
    await exportRows(ctx, opts, format, {
      headers: e.headers,
      phones: e.phones,
      rows: (store) => e.rows(store, window),
      count: (store) => e.count(store, window),
      noun: e.noun,
      filter: windowText(e.verb, window),
    });
  };
}

export const cleanup = periodExport('cleanup');
export const nurture = periodExport('nurture');
export const calls = periodExport('calls');

/** ' closed since … and before …' for the summary: `verb` names what the bounds apply to. */
function windowText(verb: string, w: CallWindow): string {
  const bounds = [w.since && ` since ${w.since.toISOString()}`, w.until && ` before ${w.until.toISOString()}`].filter(Boolean).join(' and');
  return bounds && verb ? ` ${verb}${bounds}` : bounds;
}

interface PlainExport {
  headers: readonly string[];
  phones: readonly string[];
  rows: (store: Store) => Pages<unknown[]>;
  /** For the progress bar's total; only counted when someone watches the terminal. */
  count: (store: Store) => Promise<number>;
  noun: string;
  filter: string;
}

/** A plain export (no hand-off bookkeeping): stream the rows, publish the file, report. */
async function exportRows(ctx: Context, opts: ExportOptions, format: TableFormat, e: PlainExport): Promise<void> {
  const open = opener(ctx, opts);
  const store = await openForExport(ctx);
  try {
    const bar = progressBar(ctx, { total: ctx.stderr.isTTY ? await e.count(store) : undefined, label: 'exporting', unit: 'rows' });
    let written: Awaited<ReturnType<typeof writeTable>>;
    try {
      written = await writeTable(e.rows(store) as Pages<Cell[]>, { headers: e.headers, phone: phoneFlags(e.headers, e.phones) }, format, open, () => bar.tick());
    } finally {
      bar.done();
    }
    if (!written) throw new NothingToDoError(`no ${e.noun}s to export${e.filter}; nothing was written.`);
    const { sink, rows } = written;
    await orDiscard(sink, () => sink.publish());
    report(ctx, { exported: rows, file: sink.destination, format: format.kind }, () =>
      `Exported ${plural(rows, e.noun)}${e.filter}${sink.destination === 'stdout' ? '' : ` to ${sink.destination}`}.`,
    );
  } finally {
    await store.close();
  }
}

/** The summary: JSON on stdout when the data went to a file and --json was asked, else one line on stderr. */
function report(ctx: Context, summary: Record<string, unknown> & { file: string }, human: () => string): void {
  if (ctx.json && summary.file !== 'stdout') printJson(ctx, summary);
  else printInfo(ctx, human());
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
