// The import's --rejects file: every rejected record whole, as CSV, for ops to fix in a
// spreadsheet and import again. It is written like an export (one writer: src/io/csv-write.ts),
// so it appears only when the import commits, never over the database or the list being read,
// and with formula-like cells neutralised unless --raw.
import { csvLine, openSink, type Sink } from './csv-write.js';
import { databaseFiles, resolveOutput, type OutputTarget } from './output-file.js';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { REJECTS_COLUMNS, type ColumnMapping } from './fields.js';

/**
 * Checks where `--rejects` would write, before anything is imported: not a folder, a missing
 * folder, the database or its side files, or the input itself. `-` is stdout, which --json
 * already carries the summary on, so the two together are refused.
 */
export function rejectsTarget(given: string, input: { dbPath: string; file: string; json: boolean }): OutputTarget {
  if (given === '-' && input.json) {
    throw new UsageError("--rejects - writes the rejected rows to stdout, where --json prints the summary: give --rejects a file name, or leave out --json.");
  }
  if (given.trim() === '') throw new UsageError('--rejects needs a file name, e.g. --rejects rejects.csv.');
  return resolveOutput(given, '--rejects', [...databaseFiles(input.dbPath), { path: resolve(input.file), what: 'the file being imported' }], { text: true });
}

export interface RejectsFile {
  /** Resolves at once unless the destination needs draining first. */
  write(fields: readonly string[], line: number, reason: string, detail: string): Promise<void> | undefined;
  /** Writes what is buffered and fsyncs it, still under its temporary name (before the import commits). */
  finish(): Promise<void>;
  /** Gives the file its name (after the import commits). */
  publish(): void;
  discard(): void;
}

const CHUNK = 64 * 1024;

/** How the rejects file is written: in its list's shape, so it opens as the list did and imports again as it is. */
export interface RejectsShape {
  /** The list's delimiter (a European Excel's `;`, a tab). */
  delimiter: string;
  /** Starts with a UTF-8 byte-order mark (not on stdout). */
  bom: boolean;
}

/**
 * The rejects file's shape for a list read as `dialect`: its delimiter, and a UTF-8 byte-order
 * mark when the list had one or was in another encoding (Excel's "CSV" is Windows-1252 or the
 * like): without the mark, Excel reads a UTF-8 file in the machine's code page and shows
 * `MÃ¼ller` for `Müller`. A plain UTF-8 list gets a plain UTF-8 file back.
 */
export function rejectsShape(dialect: { delimiter: string; encoding: string; encodingFrom: string }): RejectsShape {
  return { delimiter: dialect.delimiter, bom: dialect.encodingFrom === 'bom' || dialect.encoding !== 'utf-8' };
}

/**
 * Opens the rejects file: the original header, then `line`, `reason`, `detail`. Each rejected
 * record is written whole: a short one is padded to the header's width, the cells of a long one
 * beyond the header follow `detail`.
 */
export async function openRejectsFile(
  target: OutputTarget,
  header: readonly string[],
  mapping: readonly ColumnMapping[],
  options: { neutralise: boolean; stdout: NodeJS.WriteStream; stderr: NodeJS.WritableStream; shape: RejectsShape },
): Promise<RejectsFile> {
  const width = header.length;
  // A rejects file imported again: its old line, reason and detail give way to the new ones.
  const kept = header.map((_, i) => i).filter((i) => !mapping.some((m) => m.index === i && m.own === 'rejects'));
  const phone = kept.map((i) => mapping.some((m) => m.index === i && (m.field === 'phone' || m.field === 'alt_phone')));
  const sink: Sink = await openSink(target, options.stdout, options.stderr);
  const { delimiter } = options.shape;
  const bom = options.shape.bom && target.kind !== 'stdout' ? '\uFEFF' : '';
  let buffer = `${bom}${csvLine([...kept.map((i) => header[i]), ...REJECTS_COLUMNS], [], options.neutralise, delimiter)}\n`;
  return {
    write(fields, line, reason, detail) {
      const cells: (string | number)[] = kept.map((i) => fields[i] ?? '');
      cells.push(line, reason, detail, ...fields.slice(width));
      buffer += `${csvLine(cells, phone, options.neutralise, delimiter)}\n`;
      if (buffer.length < CHUNK) return undefined;
      const text = buffer;
      buffer = '';
      return sink.write(text);
    },
    async finish() {
      const text = buffer;
      buffer = '';
      await sink.finish(text);
    },
    publish: () => sink.publish(),
    discard: () => sink.discard(),
  };
}
