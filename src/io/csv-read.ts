// Reading real-world CSV files: encoding and dialect detection, the header, and the rest of the
// file as text chunks that end on record boundaries, so that several threads can parse them.
//
// Text is decoded on the main thread and line endings are made LF (CR, LF and CRLF each end a
// line; inside quoted fields they become LF too). Chunks are then cut after a line break that
// is outside quotes, found by following only the quote characters; each chunk carries the
// number of its first line, so every record keeps its physical line number. csv-parse then
// parses each chunk (parseChunk) with the same rules the cutting assumed.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../core/errors.js';
import { decodeWindows1252, detectEncoding } from './encoding-detect.js';
import { footerNote, reportFooter, type CsvFooter } from './report-footer.js';
import { recognise } from './fields.js';
import { sleepSync } from './sleep.js';

export { footerNote, type CsvFooter };

export { decodeWindows1252 };

/** Longest record accepted (csv-parse max_record_size): beyond it a quote was surely left open. */
export const MAX_RECORD_CHARS = 1 << 20;
/** The first read, which the encoding is detected from. */
const FIRST_READ_BYTES = 1 << 20;
/**
 * Later reads, and the text handed to a parsing thread at a time: small enough that V8 keeps
 * these strings in its young generation, where they are freed as soon as they are used, rather
 * than in its large-object space, which only a full collection empties.
 */
const READ_BYTES = 1 << 16;
const CHUNK_CHARS = 1 << 15;

/** A TextDecoder encoding name ('utf-8', 'windows-1252', 'iso-8859-2', 'shift_jis', …). */
export type Encoding = string;

export interface Dialect {
  encoding: Encoding;
  /** How the encoding was chosen. */
  encodingFrom: 'bom' | 'detected' | 'option';
  delimiter: string;
  delimiterFrom: 'sep-line' | 'detected' | 'option';
  /** Detection was unsure: other encodings that read the file's bytes as plausibly, and differently. */
  encodingCandidates?: string[];
}

export interface TextChunk {
  text: string;
  /** Line number of the chunk's first line. */
  firstLine: number;
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

export interface CsvFile {
  path: string;
  size: number;
  dialect: Dialect;
  header: string[];
  /** The line the header is on (2 after a `sep=` line). */
  headerLine: number;
  /** Title lines above the header (a report's name, its date), skipped: their first and last line. */
  titleLines: [number, number] | null;
  /** Text chunks after the header, each ending on a record boundary. */
  chunks(): AsyncGenerator<TextChunk>;
  /** Stops reading (chunks() does it when it ends). */
  close(): void;
  /** sha256 of the whole file; complete once chunks() has finished. */
  hash(): string;
  /** Characters that were not valid in the detected UTF-8 (shown as U+FFFD). */
  undecodable(): number;
  /** The first lines (up to 10) that hold such characters. */
  undecodableLines(): number[];
  /** The report footer cut off the end of the file (once chunks() has ended), or null. */
  footer(): CsvFooter | null;
}

export interface ReadOptions {
  encoding?: string;
  delimiter?: string;
  chunkChars?: number;
}

/**
 * readSync for standard input, which Node may have made non-blocking: an empty pipe whose writer
 * is still writing (`slow-export | callq import -`) answers EAGAIN, and is asked again shortly.
 */
function readWaiting(fd: number, buffer: Buffer, offset: number, length: number, position: null): number {
  for (;;) {
    try {
      return readSync(fd, buffer, offset, length, position);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      sleepSync(5);
    }
  }
}

/** Opens `path`, reads as much as the header needs, and detects the dialect. */
export function openCsv(path: string, options: ReadOptions = {}): CsvFile {
  let fd: number;
  // '-' is standard input (a pipe: `vendor-export | callq import -`), read as a file is.
  const stdin = path === '-';
  const closeFd = (n: number) => {
    if (!stdin) closeSync(n);
  };
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}.`);
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeFd(fd);
    throw new UsageError(`cannot read ${path}: it is a folder, not a CSV file.`);
  }
  const size = stat.size;
  const hasher = createHash('sha256');
  const buffer = Buffer.allocUnsafe(FIRST_READ_BYTES);
  let bytesRead = 0;
  let eof = false;
  const readBytes = (): Buffer | null => {
    if (eof) return null;
    const n = (stdin ? readWaiting : readSync)(fd, buffer, 0, bytesRead === 0 ? FIRST_READ_BYTES : READ_BYTES, null);
    if (n === 0) {
      eof = true;
      closeFd(fd);
      return null;
    }
    bytesRead += n;
    const bytes = buffer.subarray(0, n);
    hasher.update(bytes);
    return bytes;
  };

  try {
    const first = readBytes() ?? Buffer.alloc(0);
    const { encoding, from: encodingFrom, bomLength, candidates } = chooseEncoding(first, options.encoding, path);
    const decoder = textDecoder(encoding);
    let undecodable = 0;
    let heldCR = false;
    // Decoded text with LF line endings; a CR at the end of one read waits for the next.
    const decode = (bytes: Buffer | null): string => {
      let text = bytes ? decoder.decode(bytes) : decoder.flush();
      if (heldCR) text = '\r' + text;
      heldCR = bytes !== null && text.endsWith('\r');
      if (heldCR) text = text.slice(0, -1);
      if (encoding === 'utf-8' && encodingFrom === 'detected') undecodable += countChar(text, '\uFFFD');
      return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    };

    let pending = decode(first.subarray(bomLength));
    if (pending.includes('\u0000')) throw notText(path);

    // Excel's `sep=;` first line names the delimiter and is not the header.
    let line = 1;
    let delimiterFrom: Dialect['delimiterFrom'] = 'detected';
    let delimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter);
    if (delimiter) delimiterFrom = 'option';
    const sep = /^sep=(.)[ \t]*(\n|$)/i.exec(pending);
    if (sep) {
      if (!delimiter) {
        delimiter = sep[1];
        delimiterFrom = 'sep-line';
      }
      pending = pending.slice(sep[0].length);
      line = 2;
    }

    // Blank lines before the header are skipped (and counted); the header record may hold
    // quoted line breaks, so read until it is complete.
    let headerEnd: number;
    for (;;) {
      const blank = /^(?:[ \t]*\n)+/.exec(pending);
      if (blank) {
        line += countChar(blank[0], '\n');
        pending = pending.slice(blank[0].length);
      }
      const guess = delimiter ?? detectDelimiter(pending);
      headerEnd = firstRecordEnd(pending, guess);
      if (eof || pending.length > MAX_RECORD_CHARS || headerEnd >= 0) {
        delimiter = guess;
        break;
      }
      pending += decode(readBytes());
      if (eof) pending += decode(null);
    }
    if (pending.trim() === '') throw new UsageError(`${path} has no header row: the file is empty. Nothing was imported.`);
    // A spreadsheet saved as CSV may start with a report's title and date above the header.
    const titles = titleLinesAbove(pending, delimiter);
    let titleLines: [number, number] | null = null;
    if (titles) {
      titleLines = [line, line + titles.lines - 1];
      line += titles.lines;
      pending = pending.slice(titles.chars);
      if (delimiterFrom === 'detected') delimiter = detectDelimiter(pending);
      headerEnd = firstRecordEnd(pending, delimiter);
      if (headerEnd < 0) headerEnd = pending.length;
    }
    if (headerEnd < 0) {
      if (!eof && !scanRecords(pending, delimiter.charCodeAt(0), true).openQuote) throw tooLong(path, line, 'the header row');
      if (!eof || scanRecords(pending, delimiter.charCodeAt(0), true).openQuote) {
        throw new UsageError(`${path}, line ${line}: the header row never ends (a quote that is never closed?). Nothing was imported.`, { line });
      }
      headerEnd = pending.length;
    }
    const headerText = pending.slice(0, headerEnd);
    const headerLine = line;
    const header = parseHeader(headerText, delimiter, path, headerLine);
    if (header.every((h) => h === '')) {
      throw new UsageError(
        `${path}, line ${headerLine}: the first row names no column (its cells are empty): the file needs a header row such as 'Name,Phone,Email'. Nothing was imported.`,
        { line: headerLine },
      );
    }
    // Lines holding undecodable bytes, looked for only once there are some (see decode()).
    const badLines: number[] = [];
    const noteBadLines = (text: string, firstLine: number) => {
      for (let at = text.indexOf('\uFFFD'); at >= 0 && badLines.length < 10; at = text.indexOf('\uFFFD', at + 1)) {
        const where = firstLine + countChar(text.slice(0, at), '\n');
        if (badLines[badLines.length - 1] !== where) badLines.push(where);
      }
    };
    if (undecodable > 0) noteBadLines(headerText, headerLine);
    line += countChar(headerText, '\n');
    pending = pending.slice(headerEnd);

    const dialect: Dialect = { encoding, encodingFrom, delimiter, delimiterFrom };
    if (candidates?.length) dialect.encodingCandidates = candidates;
    const chunkChars = options.chunkChars ?? CHUNK_CHARS;
    const delimiterCode = delimiter.charCodeAt(0);
    const close = () => {
      if (!eof) closeFd(fd);
      eof = true;
    };

    // A report's footer at the end of the file (src/io/report-footer.ts), once cut off.
    let footer: CsvFooter | null = null;
    /**
     * The chunks, the last two held back until the file ends so that a report's footer is cut
     * off whole, even when it began in the chunk before the last.
     */
    async function* chunks(): AsyncGenerator<TextChunk> {
      const held: TextChunk[] = [];
      for await (const chunk of fileChunks()) {
        held.push(chunk);
        if (held.length > 2) yield held.shift()!;
      }
      if (held.length === 0) return;
      const tail = held.map((c) => c.text).join('');
      const found = reportFooter(tail, (l) => lineCells(l, delimiter!));
      // Only where a record ends: lines inside a quoted field of the last record are that record's.
      if (found && !scanRecords(tail.slice(0, found.at), delimiterCode, true).openQuote) {
        footer = { firstLine: held[0].firstLine + found.firstLine, lastLine: held[0].firstLine + found.lastLine, text: found.sample };
        let keep = found.at;
        for (const chunk of held) {
          const text = chunk.text.slice(0, Math.max(0, keep));
          keep -= chunk.text.length;
          if (text !== '') yield { ...chunk, text };
        }
        return;
      }
      yield* held;
    }

    async function* fileChunks(): AsyncGenerator<TextChunk> {
      let firstLine = line;
      let want = chunkChars;
      try {
        for (;;) {
          while (!eof && pending.length < want) pending += decode(readBytes());
          if (eof) pending += decode(null);
          if (pending === '') return;
          const scan = scanRecords(pending, delimiterCode, eof);
          const cut = eof ? pending.length : scan.lastEnd;
          if ((eof && scan.openQuote) || (cut === 0 && pending.length > MAX_RECORD_CHARS)) {
            const at = scan.openQuote ? scan.openQuoteAt : 0;
            const where = firstLine + countChar(pending.slice(0, at), '\n');
            if (!scan.openQuote) throw tooLong(path, where);
            throw new UsageError(
              eof
                ? `${path}, line ${where}: a quoted field opens here and is never closed. ` +
                    'A quote inside a field must be written twice (""). Fix the file and import again; nothing was imported.'
                : `${path}, line ${where}: the record starting here runs past the ${MAX_RECORD_MB} MB limit for one record, inside a quoted field: ` +
                    'a quote left open (a quote inside a field must be written twice, ""), or a field over 1 MB. Fix the file and import again; nothing was imported.',
              { line: where },
            );
          }
          if (cut === 0) {
            want = pending.length + chunkChars;
            continue;
          }
          want = chunkChars;
          const text = pending.slice(0, cut);
          pending = pending.slice(cut);
          if (undecodable > 0 && badLines.length < 10) noteBadLines(text, firstLine);
          yield { text, firstLine, bytesRead };
          firstLine += countChar(text, '\n');
        }
      } finally {
        close();
      }
    }

    return {
      path,
      size,
      dialect,
      header,
      headerLine,
      titleLines,
      chunks,
      close,
      hash: () => hasher.copy().digest('hex'),
      undecodable: () => undecodable,
      undecodableLines: () => badLines,
      footer: () => footer,
    };
  } catch (err) {
    if (!eof) closeFd(fd);
    throw err;
  }
}

const MAX_RECORD_MB = MAX_RECORD_CHARS / (1 << 20);
/** Says which lines above the header were skipped as a title. */
export function titleNote([first, last]: [number, number], headerLine: number): string {
  return `${first === last ? `line ${first}` : `lines ${first}–${last}`} above the header (line ${headerLine}) hold a title (a report's name or date), not leads: skipped.`;
}

/** How many lines above a header may be a title (a report's name, its date, blank lines). */
const MAX_TITLE_LINES = 10;

/**
 * The title lines at the start of `text` (a report's name and date, blank lines), or null: lines
 * that name no lead field, followed by a line of two or more cells of which one does (the
 * header). A title line has one non-empty cell, or a few where the header has more (`Do Not
 * Call list, exported 2026-12-01` above `First Name,Last Name,Phone`: the comma split it). A
 * one-column list ('Phone', then numbers) has no title: its first cell names a field, and no
 * later line is wider.
 */
function titleLinesAbove(text: string, delimiter: string): { lines: number; chars: number } | null {
  // The delimiter was guessed with the title lines in the way: each line is split by whichever
  // common one gives it the most cells.
  const delimiters = [...new Set([delimiter, ',', ';', '\t', '|'])];
  const cellsOf = (line: string) =>
    delimiters
      .map((d) => line.split(d).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim()).filter((c) => c !== ''))
      .reduce((best, cells) => (cells.length > best.length ? cells : best));
  let at = 0;
  // The widest title line so far: the header must be wider.
  let widest = 0;
  for (let lines = 0; lines <= MAX_TITLE_LINES; lines++) {
    const end = text.indexOf('\n', at);
    if (end < 0) return null;
    const row = text.slice(at, end);
    // A `sep=` line callq could not read names a delimiter: not a title to pass over.
    if (/^sep=/i.test(row)) return null;
    const cells = cellsOf(row);
    const names = cells.some((c) => recognise(c) !== undefined);
    if (cells.length >= 2 && names) return lines > 0 && cells.length > widest ? { lines, chars: at } : null;
    if (names || cells.some((c) => c.includes('"'))) return null;
    widest = Math.max(widest, cells.length);
    at = end + 1;
  }
  return null;
}

function tooLong(path: string, line: number, what = 'a record'): UsageError {
  return new UsageError(
    `${path}, line ${line}: ${what} runs past the ${MAX_RECORD_MB} MB size limit without a line break; this is not a lead list ` +
      '(or a field holds a whole document). Fix the file and import again; nothing was imported.',
    { line },
  );
}

// ---------------------------------------------------------------------------------------------
// Encoding

function chooseEncoding(
  head: Buffer,
  option: string | undefined,
  path: string,
): { encoding: Encoding; from: Dialect['encodingFrom']; bomLength: number; candidates?: string[] } {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 'utf-8' : head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : undefined;
  const bomLength = bom === 'utf-8' ? 3 : bom ? 2 : 0;
  if (option !== undefined) {
    const encoding = parseEncodingOption(option);
    return { encoding, from: 'option', bomLength: bom === encoding ? bomLength : 0 };
  }
  if (bom) return { encoding: bom, from: 'bom', bomLength };
  // UTF-16 without a BOM shows as NUL bytes in every other position.
  const sample = head.subarray(0, 4096);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 ? oddNul++ : evenNul++;
  if (oddNul > sample.length / 4 && evenNul === 0) return { encoding: 'utf-16le', from: 'detected', bomLength: 0 };
  if (evenNul > sample.length / 4 && oddNul === 0) return { encoding: 'utf-16be', from: 'detected', bomLength: 0 };
  if (evenNul + oddNul > 0) throw notText(path);
  if (isUtf8(head)) return { encoding: 'utf-8', from: 'detected', bomLength: 0 };
  const { encoding, candidates } = detectEncoding(head);
  return { encoding, from: 'detected', bomLength: 0, candidates };
}

function notText(path: string): UsageError {
  return new UsageError(`${path} is not a text CSV file (it contains NUL bytes). Export it from the spreadsheet as CSV and try again.`);
}

/** Whether the bytes are valid UTF-8, forgiving a multi-byte character cut at the end. */
function isUtf8(bytes: Buffer): boolean {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back];
    if ((b & 0xc0) !== 0x80) {
      if (b >= 0xc0) end -= back; // a lead byte whose continuation was cut off
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** An --encoding value as TextDecoder's name for it: any label it knows ('latin1', 'cp1250', 'sjis', 'iso-8859-2', …). */
export function parseEncodingOption(text: string): Encoding {
  const label = text.trim().toLowerCase();
  const aliases: Record<string, string> = { utf16: 'utf-16le', ansi: 'windows-1252', cp1252: 'windows-1252', sjis: 'shift_jis', cp932: 'shift_jis' };
  const key = label.replace(/[^a-z0-9]/g, '');
  try {
    return new TextDecoder(aliases[key] ?? label).encoding;
  } catch {
    const cp = /^(?:cp|windows)(\d{3,4})$/.exec(key);
    if (cp) {
      try {
        return new TextDecoder(`windows-${cp[1]}`).encoding;
      } catch {
        // not one either
      }
    }
    throw new UsageError(
      `unknown --encoding '${text}': use an encoding name such as utf-8, utf-16le, windows-1252 (latin1), windows-1250, iso-8859-2, windows-1251, shift_jis, gbk, big5 or euc-kr.`,
    );
  }
}

interface Decoder {
  decode(bytes: Buffer): string;
  flush(): string;
}

function textDecoder(encoding: Encoding): Decoder {
  if (encoding === 'windows-1252') return { decode: decodeWindows1252, flush: () => '' };
  // ignoreBOM: the BOM, if any, was already skipped; a U+FEFF later on is data.
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  return { decode: (bytes) => decoder.decode(bytes, { stream: true }), flush: () => decoder.decode() };
}

// ---------------------------------------------------------------------------------------------
// Dialect

const DELIMITERS = [',', ';', '\t', '|'];

export function parseDelimiterOption(text: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };
  const delimiter = named[text.toLowerCase()] ?? text;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UsageError(`invalid --delimiter '${text}': use one character such as , ; | or 'tab'.`);
  }
  return delimiter;
}

/**
 * The delimiter of the first lines: among , ; tab |, the one that splits the header into the
 * most fields and the following lines into as many (quoted text ignored). Comma when none does.
 */
export function detectDelimiter(text: string): string {
  const lines: string[] = [];
  for (let at = 0; at < text.length && lines.length < 20; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(at, end);
    if (line.trim() !== '') lines.push(line);
    at = end + 1;
  }
  if (lines.length === 0) return ',';
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const header = counts[0];
    if (header === 0) continue;
    const consistent = counts.filter((c) => c === header).length / counts.length;
    const score = consistent * 1000 + header;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) n++;
  }
  return n;
}

/** How csv-parse reads the header and every chunk: LF-only text (see openCsv), lenient about quotes and ragged rows. */
function csvParseOptions(delimiter: string) {
  return { delimiter, record_delimiter: '\n', relax_quotes: true, relax_column_count: true, max_record_size: MAX_RECORD_CHARS };
}

function parseHeader(text: string, delimiter: string, path: string, line: number): string[] {
  try {
    const [record] = parse(text, csvParseOptions(delimiter)) as string[][];
    return (record ?? []).map((h) => h.trim());
  } catch (err) {
    throw new UsageError(`${path}, line ${line}: the header row cannot be read (${(err as Error).message}).`);
  }
}

// ---------------------------------------------------------------------------------------------
// Record boundaries

export interface RecordScan {
  /** Index just after the last line break outside quotes; 0 when there is none. */
  lastEnd: number;
  openQuote: boolean;
  /** Where the quote still open at the end of the text opened. */
  openQuoteAt: number;
}

/**
 * Follows the quotes of LF-only text that starts at a record start: a quote opens a quoted
 * field only at the start of a field (as csv-parse with relax_quotes reads it), "" inside one
 * is a literal quote. A quote that is the last character is undecided (unless the text is
 * final), so scanning stops there. With `firstOnly` it stops at the first record's end instead
 * of the last one's.
 */
export function scanRecords(text: string, delimiterCode: number, final = false, firstOnly = false): RecordScan {
  let lastEnd = 0;
  let i = 0;
  let openedAt = -1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (openedAt >= 0) {
      if (q < 0 || (q === text.length - 1 && !final)) return { lastEnd, openQuote: true, openQuoteAt: openedAt };
      if (text.charCodeAt(q + 1) === 34) {
        i = q + 2;
        continue;
      }
      openedAt = -1;
      i = q + 1;
      continue;
    }
    const end = q < 0 ? text.length : q;
    if (end > i) {
      const nl = firstOnly ? text.indexOf('\n', i) : text.lastIndexOf('\n', end - 1);
      if (nl >= i && nl < end) {
        lastEnd = nl + 1;
        if (firstOnly) return { lastEnd, openQuote: false, openQuoteAt: -1 };
      }
    }
    if (q < 0) return { lastEnd, openQuote: false, openQuoteAt: -1 };
    const before = q === 0 ? 10 : text.charCodeAt(q - 1);
    if (before === 10 || before === delimiterCode) openedAt = q;
    i = q + 1;
  }
}

/** End of the first record (just after its line break), or -1 when it is not complete yet. */
function firstRecordEnd(text: string, delimiter: string): number {
  return scanRecords(text, delimiter.charCodeAt(0), false, true).lastEnd || -1;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parsing a chunk

export interface ParsedRecord {
  fields: string[];
  /** Line on which the record starts. */
  line: number;
}

/**
 * The records of one chunk (LF-only text ending on a record boundary), one at a time. Blank
 * lines come back as records of empty fields, so that every line is accounted for: a record
 * starts one line after the previous one, plus the line breaks inside its quoted fields.
 *
 * Well-formed records (what spreadsheets, CRMs and csv-stringify write) are split by
 * wellFormedRecords() below, several times faster than csv-parse. From the first record that
 * is anything else (a stray quote, text after a closing quote, an unclosed quote, a runaway
 * record) the rest of the chunk goes to csv-parse, so its leniency and its errors are its own.
 * Both read the same records (test/io/csv-read). A csv-parse error carries `line`, the line it
 * is on in the file.
 */
export function* parseChunk(chunk: Pick<TextChunk, 'text' | 'firstLine'>, delimiter: string): Generator<ParsedRecord> {
  const rest = yield* wellFormedRecords(chunk.text, chunk.firstLine, delimiter);
  if (rest) yield* parseWithCsvParse({ text: chunk.text.slice(rest.at), firstLine: rest.line }, delimiter);
}

/** The cells of one line as the import reads them, or null when a quote on it is left open. */
export function lineCells(line: string, delimiter: string): string[] | null {
  try {
    const [record] = parseChunk({ text: `${line}\n`, firstLine: 1 }, delimiter);
    return record?.fields ?? [];
  } catch {
    return null;
  }
}

export function parseWithCsvParse(chunk: Pick<TextChunk, 'text' | 'firstLine'>, delimiter: string): ParsedRecord[] {
  let records: string[][];
  try {
    records = parse(chunk.text, csvParseOptions(delimiter)) as string[][];
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number; line?: number };
    if (e.code?.startsWith('CSV_') && e.lines !== undefined) e.line = chunk.firstLine + e.lines - 1;
    // csv-parse's own words ('Max Record Size: record exceed the maximum number of tolerated bytes …').
    if (e.code === 'CSV_MAX_RECORD_SIZE') e.message = `this record is over the ${MAX_RECORD_MB} MB limit for one record (a field that large is not a lead's)`;
    throw err;
  }
  let line = chunk.firstLine;
  return records.map((fields) => {
    const record = { fields, line };
    line++;
    for (const f of fields) if (f.includes('\n')) line += countChar(f, '\n');
    return record;
  });
}

const QUOTE = 34;
const LF = 10;
/** Longer records go to csv-parse, whose size limit counts UTF-8 bytes of part of the record. */
const WELL_FORMED_RECORD_CHARS = MAX_RECORD_CHARS >> 2;

/**
 * Yields the records from the start of LF-only text as long as every field is either free of
 * quotes or wholly quoted (opening at the field's start, "" for a quote inside, the closing
 * quote followed by the delimiter, a line break or the end). Returns null at the end of the
 * text, or where the first other record starts (offset and line).
 */
export function* wellFormedRecords(text: string, firstLine: number, delimiter: string): Generator<ParsedRecord, { at: number; line: number } | null> {
  const d = delimiter.charCodeAt(0);
  const end = text.length;
  let line = firstLine;
  let at = 0;
  let nextQuote = text.indexOf('"');
  while (at < end) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = end;
    if (nl - at > WELL_FORMED_RECORD_CHARS) return { at, line };
    if (nextQuote < 0 || nextQuote > nl) {
      // No quote on this line: its fields are what lies between the delimiters.
      yield { fields: text.slice(at, nl).split(delimiter), line };
      line++;
      at = nl + 1;
      continue;
    }
    const record = quotedRecord(text, at, d);
    if (!record) return { at, line };
    yield { fields: record.fields, line };
    line += 1 + record.breaks;
    at = record.end + 1;
    nextQuote = text.indexOf('"', at);
  }
  return null;
}

/** A well-formed record with quoted fields starting at `start`: its fields, where it ends, the line breaks inside it; null if not well-formed. */
function quotedRecord(text: string, start: number, d: number): { fields: string[]; end: number; breaks: number } | null {
  const fields: string[] = [];
  const end = text.length;
  let breaks = 0;
  let at = start;
  for (;;) {
    if (text.charCodeAt(at) === QUOTE) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return null;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
        } else {
          value += text.slice(from, q);
          at = q + 1;
          break;
        }
      }
      fields.push(value);
      if (value.includes('\n')) breaks += countChar(value, '\n');
    } else {
      let stop = at;
      for (let c = text.charCodeAt(stop); stop < end && c !== d && c !== LF; c = text.charCodeAt(++stop)) if (c === QUOTE) return null;
      fields.push(text.slice(at, stop));
      at = stop;
    }
    if (at - start > WELL_FORMED_RECORD_CHARS) return null;
    const c = text.charCodeAt(at);
    if (c === d) at++;
    else if (at >= end || c === LF) return { fields, end: at, breaks };
    else return null;
  }
}
