// Writing a table — CSV or NDJSON — to stdout, straight into a FIFO or device, or atomically to a file, streaming with backpressure.
//
// Quoting follows RFC 4180 exactly as csv-stringify's defaults do (quote a cell holding `"`, `,`,
// CR or LF; double the quotes), written by hand: csv-stringify spends ~4 µs a row on per-cell
// option handling, more than reading the rows from SQLite, which put a 1,000,000-row export past
// 4× `sqlite3 -csv`. test/io/csv-write.test.ts pins this output byte for byte to csv-stringify's.
//
// Formula neutralising (OWASP "CSV Injection"): a text cell starting with = + - @, tab, CR or LF
// (or the full-width = + - @ that some spreadsheets normalise) gets a leading `'`. csv-stringify's
// escape_formulas misses LF and would also break E.164 phones, so it is decided per column here:
// phone columns keep cells that are E.164 numbers. Numbers are never touched, nor is text that is
// a negative number ('-1200'): a CRM's number field would refuse it with a quote in front. NDJSON is not read
// by spreadsheets and is written as is.
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, type WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { onInterrupt, openTempFile, resolveOutput, tempName, type OutputTarget, type Protected } from './output-file.js';

export { removeStaleTemps, tempName } from './output-file.js';

export type Cell = string | number | null | undefined;

export interface TableFormat {
  kind: 'csv' | 'ndjson';
  /** Neutralise formula-like cells (on by default; `--raw` turns it off). */
  neutralise: boolean;
  /** Start with a UTF-8 byte-order mark so Excel reads the file as UTF-8 (`--excel`). */
  bom: boolean;
}

export interface TableColumns {
  headers: readonly string[];
  /** Parallel to headers: true for a column of E.164 numbers. */
  phone: readonly boolean[];
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * One E.164 number, or several separated by ';' (alternate phones), or one with its extension
 * as a CRM profile writes it ('+12127363001 x101', '+12127363001 ext. 101': digits only, so a
 * spreadsheet has nothing to run).
 */
const E164_LIST = /^\+[1-9]\d{1,14}(?:(?:;\+[1-9]\d{1,14})*|(?: x| ext\. )\d{1,10})$/;

/**
 * A negative number as text ('-1200', '-1,234.50'): a spreadsheet reads it as a number and
 * nothing runs. ('+14155550100' outside a phone column keeps its quote: read as a number, it
 * would lose its '+' and turn into 1.42E+10.)
 */
const NEGATIVE_NUMBER = /^-\d+(?:[.,]\d+)*$/;

export function neutraliseCell(value: string, phoneColumn: boolean): string {
  if (!FORMULA_START.test(value) || NEGATIVE_NUMBER.test(value)) return value;
  if (phoneColumn && E164_LIST.test(value)) return value;
  return `'${value}`;
}

/** One cell, quoted when `quoted` (NEEDS_QUOTES, or needsQuotes of another delimiter) matches it. */
export function csvCell(value: Cell, quoted: RegExp = NEEDS_QUOTES): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return quoted.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const quoting = new Map<string, RegExp>();

/** What makes a cell quoted in a file separated by `delimiter` (a rejects file keeps its list's `;` or tab). */
function needsQuotes(delimiter: string): RegExp {
  let needs = quoting.get(delimiter);
  if (!needs) quoting.set(delimiter, (needs = new RegExp(`["\\r\\n${delimiter.replace(/[\\^\]\-]/g, '\\$&')}]`)));
  return needs;
}

/** One CSV record, without the line ending. */
export function csvLine(cells: readonly Cell[], phone: readonly boolean[] = [], neutralise = false, delimiter = ','): string {
  const quoted = delimiter === ',' ? NEEDS_QUOTES : needsQuotes(delimiter);
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    let v = cells[i];
    if (neutralise && typeof v === 'string' && v !== '') v = neutraliseCell(v, phone[i] === true);
    line += i === 0 ? csvCell(v, quoted) : delimiter + csvCell(v, quoted);
  }
  return line;
}

/** Where a table goes: stdout, or a file that appears only once complete. */
export interface Sink {
  /** 'stdout', or the absolute path of the file. */
  readonly destination: string;
  /** Resolves at once unless the destination needs draining first. */
  write(text: string): Promise<void> | undefined;
  /** Writes the last text and waits until every byte reached the OS (a file is also fsynced, still under its temporary name). */
  finish(text: string): Promise<void>;
  /** Gives the finished file its name (rename). Synchronous, so it can run inside a database transaction. */
  publish(): void;
  /** Drops whatever was written; a no-op once published, and for stdout. */
  discard(): void;
}

/** A writable with its first error kept, and writes that wait for 'drain' when the buffer is full. */
class Drained {
  private failure: Error | null = null;
  constructor(readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean }) {
    stream.on('error', (err: Error) => (this.failure ??= err));
  }
  write(text: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.stream.write(text)) return undefined;
    return once(this.stream, 'drain').then(() => undefined);
  }
  /** Writes text and resolves once it (and everything before it) has been handed to the OS. */
  flush(text: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((done, fail) => {
      this.stream.write(text, (err?: Error | null) => (err ? fail(err) : this.failure ? fail(this.failure) : done()));
    });
  }
}

export function stdoutSink(stream: NodeJS.WriteStream): Sink {
  const out = new Drained(stream);
  return {
    destination: 'stdout',
    write: (text) => out.write(text),
    finish: (text) => out.flush(text),
    publish: () => undefined,
    discard: () => undefined,
  };
}

/**
 * A sink for an output target resolved by resolveOutput: stdout, a FIFO or device written as is,
 * or a regular file written under a hidden temporary name beside it (exclusive, owner-only),
 * fsynced, given the replaced file's mode, then renamed over it: readers see the old file or the
 * complete new one, never a part. Ctrl-C, SIGTERM or SIGHUP remove the temporary file first.
 */
export async function openSink(target: OutputTarget, stdout: NodeJS.WriteStream, stderr: NodeJS.WritableStream = process.stderr): Promise<Sink> {
  if (target.kind === 'stdout') return stdoutSink(stdout);
  const destination = resolve(target.given);
  if (target.kind === 'direct') return directSink(target.path, destination);
  const path = target.path;
  const folder = dirname(path);

  const temp = tempName(path, process.pid);
  let state: 'opening' | 'writing' | 'finished' | 'published' | 'discarded' = 'opening';
  let file: { handle: FileHandle; stream: WriteStream } | null = null;
  const discard = () => {
    if (state === 'published' || state === 'discarded') return;
    state = 'discarded';
    stopWatching();
    file?.stream.destroy();
    file?.handle.close().catch(() => undefined);
    try {
      unlinkSync(temp);
    } catch {
      // Not created yet, or already gone.
    }
  };
  // Watching starts before the file exists, so no moment leaves it behind on Ctrl-C.
  const stopWatching = onInterrupt((signal) => {
    discard();
    stderr.write(`callq: interrupted (${signal}); ${destination} was not written.\n`);
  });

  let handle: FileHandle;
  try {
    handle = await openTempFile(temp);
  } catch (err) {
    stopWatching();
    throw cannotWrite(destination, err);
  }
  // autoClose off: the file must stay open after the last write until it is fsynced.
  const stream = handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 });
  file = { handle, stream };
  state = 'writing';
  const out = new Drained(stream);

  return {
    destination,
    write: (text) => out.write(text),
    async finish(text) {
      await out.flush(text);
      // The file it replaces keeps its mode (a shared drop folder's 0640, say); a new one stays owner-only.
      if (target.mode !== null) await handle.chmod(target.mode);
      await handle.sync();
      await handle.close();
      state = 'finished';
    },
    publish() {
      if (state !== 'finished') throw new Error(`publish before finish (${state})`);
      renameSync(temp, path);
      state = 'published';
      stopWatching();
      syncFolder(folder);
    },
    discard,
  };
}

/** A FIFO or a device: opened as it is (never created, never replaced) and written straight. */
async function directSink(path: string, destination: string): Promise<Sink> {
  const handle = await open(path, constants.O_WRONLY).catch((err) => Promise.reject(cannotWrite(destination, err)));
  const stream = handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 });
  const out = new Drained(stream);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    stream.destroy();
    handle.close().catch(() => undefined);
  };
  return {
    destination,
    write: (text) => out.write(text),
    async finish(text) {
      await out.flush(text);
      closed = true;
      await handle.close();
    },
    publish: () => undefined,
    discard: close,
  };
}

/** Resolves `--out`-like `target` and opens it (kept for callers that need no guard). */
export async function atomicFileSink(target: string, stderr: NodeJS.WritableStream = process.stderr, refuse: readonly Protected[] = []): Promise<Sink> {
  return openSink(resolveOutput(target, '--out', refuse, { stdout: false, text: true }), process.stdout, stderr);
}

/** A file the user named that cannot be opened is a usage error (exit 2) naming it; a full disk stays what it is. */
function cannotWrite(destination: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'ENXIO'].includes(code)) return err;
  return new UsageError(`cannot write ${destination}: ${(err as Error).message}. Check the folder's permissions, or choose another file.`);
}

/** Makes the rename itself durable; best effort (not every filesystem allows fsync on a folder). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Nothing more to do.
  }
}

const CHUNK = 64 * 1024;

/**
 * Streams rows into a sink opened only when the first row arrives, so an empty result writes
 * nothing. Returns the sink, finished but not yet published, and the row count; null when there
 * were no rows. On failure the sink is discarded. Rows come all at once (an iterable) or a page
 * at a time (an async iterable of pages, as a database store reads them).
 */
export async function writeTable(
  rows: Iterable<readonly Cell[]> | AsyncIterable<Iterable<readonly Cell[]>>,
  columns: TableColumns,
  format: TableFormat,
  open: () => Promise<Sink> | Sink,
  onRow?: () => void,
): Promise<{ sink: Sink; rows: number } | null> {
  let sink: Sink | null = null;
  let count = 0;
  let buffer = '';
  const { headers, phone } = columns;
  const neutralise = format.neutralise;
  const pages = Symbol.asyncIterator in rows ? rows : [rows];
  try {
    for await (const page of pages) for (const row of page) {
      if (sink === null) {
        sink = await open();
        // Headers are neutralised too: custom fields are named after the vendor file's headers.
        buffer = (format.bom ? '\uFEFF' : '') + (format.kind === 'csv' ? csvLine(headers, [], neutralise) + '\n' : '');
      }
      buffer += (format.kind === 'csv' ? csvLine(row, phone, neutralise) : jsonLine(headers, row)) + '\n';
      count++;
      onRow?.();
      if (buffer.length >= CHUNK) {
        const pending = sink.write(buffer);
        buffer = '';
        if (pending) await pending;
      }
    }
    if (sink === null) return null;
    await sink.finish(buffer);
    return { sink, rows: count };
  } catch (err) {
    sink?.discard();
    throw err;
  }
}

function jsonLine(headers: readonly string[], row: readonly Cell[]): string {
  const record: Record<string, string | number | null> = {};
  for (let i = 0; i < headers.length; i++) record[headers[i]] = row[i] ?? null;
  return JSON.stringify(record);
}
