// Writing a table — CSV or NDJSON — to stdout or atomically to a file, streaming with backpressure.
//
// Quoting follows RFC 4180 exactly as csv-stringify's defaults do (quote a cell holding `"`, `,`,
// CR or LF; double the quotes), written by hand: csv-stringify spends ~4 µs a row on per-cell
// option handling, more than reading the rows from SQLite, which put a 1,000,000-row export past
// 4× `sqlite3 -csv`. test/io/csv-write.test.ts pins this output byte for byte to csv-stringify's.
//
// Formula neutralising (OWASP "CSV Injection"): a text cell starting with = + - @, tab, CR or LF
// (or the full-width = + - @ that some spreadsheets normalise) gets a leading `'`. csv-stringify's
// escape_formulas misses LF and would also break E.164 phones, so it is decided per column here:
// phone columns keep cells that are E.164 numbers. Numbers are never touched. NDJSON is not read
// by spreadsheets and is written as is.
import { closeSync, constants, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

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

export function neutraliseCell(value: string, phoneColumn: boolean): string {
  if (!FORMULA_START.test(value)) return value;
  if (phoneColumn && E164_LIST.test(value)) return value;
  return `'${value}`;
}

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV record, without the line ending. */
export function csvLine(cells: readonly Cell[], phone: readonly boolean[] = [], neutralise = false): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    let v = cells[i];
    if (neutralise && typeof v === 'string' && v !== '') v = neutraliseCell(v, phone[i] === true);
    line += i === 0 ? csvCell(v) : ',' + csvCell(v);
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

const TEMP_SUFFIX = '.callq-tmp';
/** The exit code for each signal a file being written must not outlive (128 + its number). */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The hidden temporary name `path` is written under, in its folder (see removeStaleTemps). */
export function tempName(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.${pid}${TEMP_SUFFIX}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files that an export to `path` killed outright (kill -9, power loss) left
 * behind: hidden `.NAME.PID.callq-tmp` files whose process is gone. Returns how many.
 */
export function removeStaleTemps(path: string): number {
  const prefix = `.${basename(path)}.`;
  let removed = 0;
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length, -TEMP_SUFFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(path), name));
      removed++;
    } catch {
      // Another export removed it first.
    }
  }
  return removed;
}

/**
 * A file written under a hidden temporary name in the destination's folder, fsynced, then renamed
 * over the destination: readers see the old file or the complete new one, never a part. Ctrl-C,
 * SIGTERM or SIGHUP remove the temporary file before exiting.
 */
export async function atomicFileSink(target: string, stderr: NodeJS.WritableStream = process.stderr): Promise<Sink> {
  const path = resolve(target);
  const folder = dirname(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new UsageError(`cannot write ${path}: the folder ${folder} does not exist. Create it or choose another --out.`);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`cannot write ${path}: it is a folder. Give a file name with --out.`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  removeStaleTemps(path);

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
  const onSignal = (signal: NodeJS.Signals) => {
    discard();
    stderr.write(`callq: interrupted (${signal}); ${path} was not written.\n`);
    process.exit(SIGNAL_EXIT[signal] ?? 1);
  };
  const signals = Object.keys(SIGNAL_EXIT) as NodeJS.Signals[];
  const stopWatching = () => signals.forEach((s) => process.removeListener(s, onSignal));
  signals.forEach((s) => process.on(s, onSignal));

  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx', 0o666);
  } catch (err) {
    stopWatching();
    throw err;
  }
  // autoClose off: the file must stay open after the last write until it is fsynced.
  const stream = handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 });
  file = { handle, stream };
  state = 'writing';
  const out = new Drained(stream);

  return {
    destination: path,
    write: (text) => out.write(text),
    async finish(text) {
      await out.flush(text);
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
 * were no rows. On failure the sink is discarded.
 */
export async function writeTable(
  rows: Iterable<readonly Cell[]>,
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
  try {
    for (const row of rows) {
      if (sink === null) {
        sink = await open();
        buffer = (format.bom ? '\uFEFF' : '') + (format.kind === 'csv' ? csvLine(headers) + '\n' : '');
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
