// Parsing and normalising an import's records on worker threads. Phone normalisation and CSV
// parsing are the expensive part of an import; the main thread keeps the single database
// transaction and receives the normalised rows chunk by chunk, in file order.
//
// This module is both sides: normaliseChunks() (main thread) starts workers that load this same
// file, and the block at the bottom is what they run. Small files are done inline.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.js';
import { parseChunk, type CsvFile, type TextChunk } from './csv-read.js';
import { hasInvisible, TUPLE_COLUMNS, leadTuple, normaliseRecord, type LeadDefaults, type LeadTuple, type RecordLayout, type RecordWarning, type RejectReason } from './lead-record.js';

export interface NormaliseSetup {
  delimiter: string;
  layout: RecordLayout;
  defaults: LeadDefaults;
  /** Send the raw fields of rejected rows back (for --rejects). */
  keepRejectedFields: boolean;
}

/** A normalised row: [line, lead, warnings?] or [line, reason, detail, raw fields?]. */
export type ImportRow = [line: number, lead: LeadTuple, warnings?: RecordWarning[]] | [line: number, reject: RejectReason, detail: string, fields?: string[]];

export interface NormalisedChunk {
  rows: Iterable<ImportRow>;
  /** File bytes read when this chunk was cut (for progress). */
  bytesRead: number;
}

type ChunkResult = { rows: ImportRow[] } | { error: string; line?: number };
// Rows cross threads as one flat array of values per chunk (see normaliseChunkFlat).
type WorkerResult = { flat: FlatRows } | { error: string; line?: number };

const FILE_TAG = 'callq-import-worker';
// A worker holds a couple of chunks of 32k characters at a time; bounded heaps keep the import's memory flat.
const WORKER_HEAP = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 48 };

/**
 * Parses and normalises one chunk, handing each row to `emit`; the same code runs inline and on
 * workers. A chunk csv-parse cannot read gives its error and line instead.
 */
function eachRow(chunk: Pick<TextChunk, 'text' | 'firstLine'>, setup: NormaliseSetup, emit: (row: ImportRow) => void): { error: string; line?: number } | undefined {
  try {
    const visible = !hasInvisible(chunk.text);
    for (const { fields, line } of parseChunk(chunk, setup.delimiter)) {
      const result = normaliseRecord(fields, setup.layout, setup.defaults, visible);
      if (result.kind === 'lead') emit(result.warnings.length ? [line, leadTuple(result.lead), result.warnings] : [line, leadTuple(result.lead)]);
      else if (result.kind === 'reject') emit(setup.keepRejectedFields ? [line, result.reason, result.detail, fields] : [line, result.reason, result.detail]);
    }
  } catch (err) {
    const e = err as Error & { code?: string; line?: number };
    if (!e.code?.startsWith('CSV_')) throw err;
    return { error: e.message.replace(/ at line \d+$/, ''), line: e.line };
  }
  return undefined;
}

export function normaliseChunk(chunk: Pick<TextChunk, 'text' | 'firstLine'>, setup: NormaliseSetup): ChunkResult {
  const rows: ImportRow[] = [];
  return eachRow(chunk, setup, (row) => rows.push(row)) ?? { rows };
}

/**
 * A chunk's rows as one flat array, for the trip between threads: a lead without warnings
 * (nearly every row) is LEAD_ROW, its line and its values; any other row is OTHER_ROW and the
 * row. Structured clone copies a flat array of strings and numbers for less than half of what
 * JSON costs to write and read back, on the thread that inserts above all (0.4 µs a row instead
 * of 1), and neither thread makes an object per row until it is written.
 */
export function normaliseChunkFlat(chunk: Pick<TextChunk, 'text' | 'firstLine'>, setup: NormaliseSetup): WorkerResult {
  const flat: FlatRows = [];
  const failed = eachRow(chunk, setup, (row) => {
    if (row.length === 2) flat.push(LEAD_ROW, row[0], ...row[1]);
    else flat.push(OTHER_ROW, row);
  });
  return failed ?? { flat };
}

type FlatRows = (string | number | null | ImportRow)[];
const LEAD_ROW = 0;
const OTHER_ROW = 1;
const WIDTH = TUPLE_COLUMNS.length;

/** The rows of normaliseChunkFlat's array, one at a time. */
export function* flatRows(flat: FlatRows): Generator<ImportRow> {
  for (let at = 0; at < flat.length; ) {
    if (flat[at] === LEAD_ROW) {
      yield [flat[at + 1] as number, flat.slice(at + 2, at + 2 + WIDTH) as LeadTuple];
      at += 2 + WIDTH;
    } else {
      yield flat[at + 1] as ImportRow;
      at += 2;
    }
  }
}

/** How many worker threads an import of `bytes` uses: none for small files. */
export function workerCount(bytes: number): number {
  if (bytes < 512 * 1024) return 0;
  // The main thread is busy inserting, so one core fewer; at least one worker.
  return Math.max(1, Math.min(3, availableParallelism() - 1));
}

/**
 * The file's records, normalised, a chunk at a time in file order. With `threads` 0 the work is
 * done inline; otherwise chunks are spread over that many workers (a few in flight each, so
 * memory stays bounded whatever the file size).
 */
export async function* normaliseChunks(file: CsvFile, setup: NormaliseSetup, threads: number): AsyncGenerator<NormalisedChunk> {
  const fail = (result: { error: string; line?: number }): never => {
    throw new UsageError(`${file.path}${result.line ? `, line ${result.line}` : ''}: ${result.error}. Nothing was imported.`, { line: result.line });
  };
  if (threads === 0) {
    for await (const chunk of file.chunks()) {
      const result = normaliseChunk(chunk, setup);
      if ('error' in result) fail(result);
      else yield { rows: result.rows, bytesRead: chunk.bytesRead };
    }
    return;
  }

  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: { tag: FILE_TAG, setup }, resourceLimits: WORKER_HEAP }));
  const results = new Map<number, WorkerResult | Error>();
  let wake: (() => void) | undefined;
  const settle = (seq: number, result: WorkerResult | Error) => {
    results.set(seq, result);
    wake?.();
  };
  workers.forEach((worker, w) => {
    worker.on('message', ({ seq, result }: { seq: number; result: WorkerResult }) => settle(seq, result));
    worker.on('error', (err) => settle(-1 - w, err));
  });

  const source = file.chunks();
  const inFlight: { seq: number; bytesRead: number }[] = [];
  let next = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < threads * 2) {
        const item = await source.next();
        if (item.done) {
          exhausted = true;
          break;
        }
        const seq = next++;
        workers[seq % threads].postMessage({ seq, text: item.value.text, firstLine: item.value.firstLine });
        inFlight.push({ seq, bytesRead: item.value.bytesRead });
      }
      const head = inFlight[0];
      if (!head) return;
      while (!results.has(head.seq)) {
        const crashed = [...results.keys()].find((k) => k < 0);
        if (crashed !== undefined) throw results.get(crashed);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const result = results.get(head.seq)!;
      results.delete(head.seq);
      inFlight.shift();
      if (result instanceof Error) throw result;
      if ('error' in result) fail(result);
      else yield { rows: flatRows(result.flat), bytesRead: head.bytesRead };
    }
  } finally {
    await source.return(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// The worker side.
if (!isMainThread && (workerData as { tag?: string } | null)?.tag === FILE_TAG) {
  const { setup } = workerData as { setup: NormaliseSetup };
  parentPort!.on('message', ({ seq, text, firstLine }: { seq: number; text: string; firstLine: number }) => {
    parentPort!.postMessage({ seq, result: normaliseChunkFlat({ text, firstLine }, setup) });
  });
}
