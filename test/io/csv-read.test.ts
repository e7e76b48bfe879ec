import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import {
  decodeWindows1252,
  detectDelimiter,
  openCsv,
  parseChunk,
  parseDelimiterOption,
  parseEncodingOption,
  parseWithCsvParse,
  scanRecords,
  wellFormedRecords,
  type CsvFile,
} from '../../src/io/csv-read.js';
import { UsageError } from '../../src/core/errors.js';
import { FIXTURES, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const fixture = (name: string) => join(FIXTURES, 'import', name);

/** Every record of a file with its start line, read in chunks of `chunkChars`. */
async function records(file: CsvFile): Promise<{ fields: string[]; line: number }[]> {
  const out: { fields: string[]; line: number }[] = [];
  for await (const chunk of file.chunks()) out.push(...[...parseChunk(chunk, file.dialect.delimiter)].filter((r) => r.fields.some((f) => f.trim() !== '')));
  return out;
}

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('encodings', () => {
  it.each([
    ['utf8.csv', 'utf-8', 'detected'],
    ['utf8-bom.csv', 'utf-8', 'bom'],
    ['utf16le-bom.csv', 'utf-16le', 'bom'],
    ['windows-1252.csv', 'windows-1252', 'detected'],
  ])('%s is read as %s (%s)', async (name, encoding, from) => {
    const file = openCsv(fixture(name));
    expect(file.dialect).toMatchObject({ encoding, encodingFrom: from });
    expect(file.header[0]).toBe('First Name');
    const rows = await records(file);
    expect(rows.length).toBeGreaterThanOrEqual(5);
  });

  it('decodes the same seven people from UTF-8, UTF-8 with BOM and UTF-16LE', async () => {
    const names = async (name: string) => (await records(openCsv(fixture(name)))).map((r) => `${r.fields[0]} ${r.fields[1]}`);
    const expected = ['José García', 'Jürgen Müller', "Siobhán O'Brien", 'Zoë Lefèvre', 'Łukasz Wójcik', 'Hương Nguyễn', '太郎 山田'];
    expect(await names('utf8.csv')).toEqual(expected);
    expect(await names('utf8-bom.csv')).toEqual(expected);
    expect(await names('utf16le-bom.csv')).toEqual(expected);
  });

  it('decodes Windows-1252 punctuation that Latin-1 would turn into control characters', () => {
    expect(decodeWindows1252(Buffer.from([0x4f, 0x92, 0x42, 0x20, 0x96, 0x20, 0x80, 0x20, 0xe9, 0x9f]))).toBe('O’B – € éŸ');
  });

  it('reads UTF-16BE with a BOM and UTF-16LE without one', async () => {
    const text = 'Name,Phone\r\nAnn,(212) 734-5525\r\n';
    const be = Buffer.from(text, 'utf16le').swap16();
    const beFile = openCsv(write('be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be])));
    expect(beFile.dialect.encoding).toBe('utf-16be');
    expect(await records(beFile)).toEqual([{ fields: ['Ann', '(212) 734-5525'], line: 2 }]);
    const le = openCsv(write('le.csv', Buffer.from(text, 'utf16le')));
    expect(le.dialect).toMatchObject({ encoding: 'utf-16le', encodingFrom: 'detected' });
  });

  it('--encoding wins over detection', () => {
    expect(openCsv(fixture('utf8.csv'), { encoding: 'latin1' }).dialect).toMatchObject({ encoding: 'windows-1252', encodingFrom: 'option' });
    expect(() => parseEncodingOption('ebcdic')).toThrow(UsageError);
  });

  it('counts characters that are not valid UTF-8 after a valid start', async () => {
    const path = write('late.csv', Buffer.concat([Buffer.from('Name,Phone\n' + 'Ann,(212) 734-5525\n'.repeat(70_000)), Buffer.from([0x52, 0xe9, 0x2c, 0x31, 0x0a])]));
    const file = openCsv(path);
    await records(file);
    expect(file.undecodable()).toBe(1);
  });

  it('refuses binary files', () => {
    expect(() => openCsv(write('x.bin', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x41, 0x00, 0x42, 0x43])))).toThrow(/not a text CSV file/);
  });
});

describe('dialects', () => {
  it.each([
    ['utf8.csv', ','],
    ['semicolon.csv', ';'],
    ['tab.tsv', '\t'],
    ['pipe.txt', '|'],
  ])('%s uses %j', (name, delimiter) => {
    expect(openCsv(fixture(name)).dialect.delimiter).toBe(delimiter);
  });

  it("takes the delimiter from Excel's sep= line, which is line 1 and not the header", async () => {
    const file = openCsv(fixture('semicolon.csv'));
    expect(file.dialect.delimiterFrom).toBe('sep-line');
    expect(file.headerLine).toBe(2);
    const rows = await records(file);
    expect(rows[0].line).toBe(3);
    expect(rows.find((r) => r.fields.includes('Dupont; Fils SARL'))).toBeDefined();
    expect(rows.find((r) => r.fields.includes('Müller, Schmidt & Partner GmbH'))).toBeDefined();
  });

  it("skips a report's title and date above the header, saying which lines; never a one-column list's header", async () => {
    // Excel keeps the sheet's width on every line; a title typed in a text editor has none.
    for (const [text, delimiter] of [
      ['Leads export December,,,\r\nGenerated 2026-12-01,,,\r\n,,,\r\nFirst Name,Last Name,Phone,Email\r\nAnn,Lee,212-736-3401,ann@x.com\r\n', ','],
      ['Leads export December\nGenerated 2026-12-01\n\nFirst Name;Phone\nAnn;212-736-3008\n', ';'],
      // A title whose comma splits it in two, above a wider header.
      ['Do Not Call list, exported 2026-12-01\nby ops, team East\n\nFirst Name,Last Name,Phone\nAnn,Lee,212-736-3401\n', ','],
    ] as const) {
      const file = openCsv(write('titled.csv', text));
      expect(file.titleLines).toEqual([1, 3]);
      expect(file.headerLine).toBe(4);
      expect(file.dialect.delimiter).toBe(delimiter);
      expect(file.header).toContain('First Name');
      expect((await records(file)).map((r) => r.line)).toEqual([5]);
    }
    for (const text of [
      'Phone\n212-736-3009\n212-736-3010\n',
      'Name,Phone\nAnn,212-736-3001\n',
      'Phone\n+44 20 7946 0958, ext. 12\n',
      // Two unnamed columns, then rows: a header (no line above it is a title), whatever the rows hold.
      'Nummer,Notiz\n212-736-3001,call Phone desk\n',
      // A line as wide as the header below it is not a title.
      'East,West,North\nFirst Name,Phone,Company\nAnn,212-736-3001,Acme\n',
    ]) {
      const file = openCsv(write('plain.csv', text));
      expect(file.titleLines, text).toBeNull();
      expect(file.headerLine).toBe(1);
      file.close();
    }
  });

  it('detects by consistency, ignoring delimiters inside quotes', () => {
    expect(detectDelimiter('a;b;c\n"x,y,z";2;3\n')).toBe(';');
    expect(detectDelimiter('a,b\n1,2\n')).toBe(',');
    expect(detectDelimiter('just one column\nvalue\n')).toBe(',');
  });

  it('--delimiter accepts names', () => {
    expect(parseDelimiterOption('tab')).toBe('\t');
    expect(parseDelimiterOption(';')).toBe(';');
    expect(() => parseDelimiterOption('::')).toThrow(UsageError);
  });
});

describe('line numbers', () => {
  it.each([
    ['embedded-newlines.csv', [2, 5, 6, 8, 11]],
    ['blank-lines.csv', [3, 6, 8, 10]],
    ['cr-only.csv', [2, 3, 4, 5, 6]],
    ['mixed-eol.csv', [2, 3, 4, 5, 6]],
  ])('%s: records start on lines %j', async (name, lines) => {
    expect((await records(openCsv(fixture(name)))).map((r) => r.line)).toEqual(lines);
  });

  it('embedded line breaks become LF inside fields, doubled quotes one quote', async () => {
    const rows = await records(openCsv(fixture('embedded-newlines.csv')));
    expect(rows[0].fields).toContain('Lang & Söhne\nLogistik GmbH');
    expect(rows[1].fields).toContain('Price "Best" Movers');
  });

  it('are the same however the file is cut into chunks', async () => {
    const body = ['Name,Notes,Phone'];
    for (let i = 0; i < 300; i++) body.push(i % 7 === 0 ? `"N${i}","multi\r\nline ""${i}""\nnote",212734${String(5000 + i)}` : i % 11 === 0 ? '' : `N${i},plain,212734${5000 + i}`);
    const path = write('chunks.csv', body.map((line, i) => line + (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r')).join(''));
    const whole = await records(openCsv(path));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4000 }), async (chunkChars) => {
        expect(await records(openCsv(path, { chunkChars }))).toEqual(whole);
      }),
      { numRuns: 40 },
    );
    expect(whole.filter((r) => r.fields[1].includes('\n'))).toHaveLength(43);
  });
});

describe('structural failures', () => {
  it('an unclosed quote fails with the line where it opens', async () => {
    const file = openCsv(fixture('unclosed-quote.csv'));
    await expect(records(file)).rejects.toThrow(/line 4: a quoted field opens here and is never closed/);
  });

  it('an empty file has no header', () => {
    expect(() => openCsv(fixture('no-header.csv'))).toThrow(/has no header row/);
    expect(() => openCsv(write('blank.csv', '\n \n\n'))).toThrow(/has no header row/);
  });

  it('a record running past the size limit fails instead of filling memory', async () => {
    const path = write('runaway.csv', 'Name,Phone\nAnn,"' + 'x'.repeat(1_200_000) + '\nBo,1\n'.repeat(400_000));
    await expect(records(openCsv(path))).rejects.toThrow(/line 2: the record starting here runs past the 1 MB limit for one record, inside a quoted field/);
  });

  it("a record over the size limit that csv-parse meets is said in callq's words, not the library's", () => {
    const text = 'First Name,Phone,Notes\nBob,212-736-3202,' + 'y'.repeat(1_100_000) + '\n';
    expect(() => parseWithCsvParse({ text, firstLine: 1 }, ',')).toThrow(/this record is over the 1 MB limit for one record/);
  });

  it('a record over the size limit without any quote says so, naming its line and the limit', async () => {
    const path = write('long.csv', 'Name,Phone\nAnn,1\nBo,' + 'x'.repeat(3_000_000) + '\nCy,2\n');
    await expect(records(openCsv(path))).rejects.toThrow(/long\.csv, line 3: a record runs past the 1 MB size limit without a line break/);
    const header = write('long-header.csv', 'Name,' + 'x'.repeat(3_000_000) + '\nAnn,1\n');
    expect(() => openCsv(header)).toThrow(/line 1: the header row runs past the 1 MB size limit/);
  });
});

describe('scanRecords', () => {
  it('finds the last line break outside quotes and where an open quote started', () => {
    expect(scanRecords('a,b\n"x\ny",2\n"open', 44)).toEqual({ lastEnd: 12, openQuote: true, openQuoteAt: 12 });
    expect(scanRecords('a,b\nBob "the" Smith,2\n', 44)).toEqual({ lastEnd: 22, openQuote: false, openQuoteAt: -1 });
    // A quote as the last character may be the first of a doubled pair: undecided unless final.
    expect(scanRecords('"a"', 44).openQuote).toBe(true);
    expect(scanRecords('"a"', 44, true).openQuote).toBe(false);
  });
});

describe('parsing a chunk: the well-formed fast path reads exactly what csv-parse reads', () => {
  /** The records, or the error code and the file line it names. */
  const outcome = (read: () => Iterable<{ fields: string[]; line: number }>) => {
    try {
      return [...read()];
    } catch (err) {
      return { code: (err as { code?: string }).code, line: (err as { line?: number }).line };
    }
  };
  const viaCsvParse = (text: string, delimiter: string) => outcome(() => parseWithCsvParse({ text, firstLine: 7 }, delimiter));
  const viaParseChunk = (text: string, delimiter: string) => outcome(() => parseChunk({ text, firstLine: 7 }, delimiter));
  /** The fast path's records and where it stopped (null: it read the whole text). */
  const fastPath = (text: string, delimiter: string, firstLine = 7) => {
    const records: { fields: string[]; line: number }[] = [];
    const it = wellFormedRecords(text, firstLine, delimiter);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done) return { records, stopped: r.value };
      records.push(r.value);
    }
  };

  it('splits plain and quoted fields, doubled quotes and quoted line breaks, and numbers lines as csv-parse does', () => {
    const text = 'a,b,c\n\n"x, y","say ""hi""",\n"multi\nline",2,"3"\nlast,,';
    const { records, stopped } = fastPath(text, ',');
    expect(stopped).toBeNull();
    expect(records).toEqual([
      { fields: ['a', 'b', 'c'], line: 7 },
      { fields: [''], line: 8 },
      { fields: ['x, y', 'say "hi"', ''], line: 9 },
      { fields: ['multi\nline', '2', '3'], line: 10 },
      { fields: ['last', '', ''], line: 12 },
    ]);
    expect(viaCsvParse(text, ',')).toEqual(records);
  });

  it.each([
    ['a quote inside an unquoted field', 'Bob "the" Smith,1\n'],
    ['text after a closing quote', '"Bob" Smith,1\n'],
    ['a quote that is never closed', 'a,"open\n'],
    ['a space before an opening quote', 'a, "b"\n'],
  ])('stops at %s and leaves the rest of the chunk to csv-parse', (_name, irregular) => {
    const text = `x,"y"\n"multi\nline",1\n${irregular}after,2\n`;
    const { records, stopped } = fastPath(text, ',');
    expect(records.map((r) => r.line)).toEqual([7, 8]);
    expect(stopped).toEqual({ at: text.indexOf(irregular), line: 10 });
    expect(viaParseChunk(text, ',')).toEqual(viaCsvParse(text, ','));
  });

  it("a csv-parse error names the same file line as csv-parse over the whole chunk, wherever the fast part ended", () => {
    const text = 'a,b\nc,d\ne,"never closed\nf,g\n';
    expect(viaParseChunk(text, ',')).toEqual({ code: 'CSV_QUOTE_NOT_CLOSED', line: 10 });
    expect(viaCsvParse(text, ',')).toEqual({ code: 'CSV_QUOTE_NOT_CLOSED', line: 10 });
  });

  it('leaves a record longer than a quarter of the size limit to csv-parse', () => {
    expect(fastPath(`a,${'x'.repeat(300_000)}\n`, ',').stopped).toEqual({ at: 0, line: 7 });
    expect(fastPath(`a,${'x'.repeat(200_000)}\n`, ',').stopped).toBeNull();
  });

  it('random text: the same records, lines and errors as csv-parse alone (fast-check)', () => {
    const piece = fc.constantFrom('a', 'Zoë', '🚀', ' ', ',', ';', '\t', '"', '""', '\n', 'x@y.example', '(212) 734-5524', '\u00e9');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((p) => p.join('')), fc.constantFrom(',', ';', '\t'), (text, delimiter) => {
        expect(viaParseChunk(text, delimiter)).toEqual(viaCsvParse(text, delimiter));
      }),
      { numRuns: 3000 },
    );
  });

  it('anything csv-stringify writes is read whole by the fast path, as written (fast-check)', () => {
    const cell = fc.array(fc.constantFrom('a', 'Zoë', ' ', ',', ';', '"', '\n', '7', '🚀'), { maxLength: 6 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(',', ';'), (rows, delimiter) => {
        const text = stringify(rows, { delimiter, record_delimiter: '\n' });
        const { records, stopped } = fastPath(text, delimiter);
        expect(stopped).toBeNull();
        expect(records.map((r) => r.fields)).toEqual(rows);
        expect(viaCsvParse(text, delimiter)).toEqual(records);
      }),
      { numRuns: 1000 },
    );
  });
});
