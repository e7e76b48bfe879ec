import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  atomicFileSink,
  csvLine,
  neutraliseCell,
  removeStaleTemps,
  stdoutSink,
  writeTable,
  type Cell,
} from '../../src/io/csv-write.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// Text with the characters that matter to CSV and to spreadsheets, plus anything else.
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', 'é', '\u{1F600}') }),
);
const cell = fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null));
const row = fc.array(cell, { minLength: 1, maxLength: 8 });

describe('CSV quoting', () => {
  it('is byte for byte what csv-stringify writes by default', () => {
    fc.assert(
      fc.property(row, (cells) => {
        expect(csvLine(cells) + '\n').toBe(stringify([cells]));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses back to the same text with csv-parse', () => {
    fc.assert(
      fc.property(fc.array(fc.array(tricky, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0].length;
        const same = rows.map((r) => [...r, ...Array(width).fill('')].slice(0, width));
        const text = same.map((r) => csvLine(r) + '\n').join('');
        expect(parse(text)).toEqual(same);
      }),
      { numRuns: 500 },
    );
  });

  it('quotes only what needs quoting', () => {
    expect(csvLine(['a b', 'Acme, Inc', 'say "hi"', 'two\nlines', 'cr\r', '', null, 42, -1.5])).toBe(
      'a b,"Acme, Inc","say ""hi""","two\nlines","cr\r",,,42,-1.5',
    );
  });
});

describe('formula neutralising', () => {
  it.each(['=1+1', '+1+cmd', '-1-A1', '-2+3', '-', '+', '@SUM(A1)', '\tx', '\rx', '\nx', '\uFF1Dcmd'])('prefixes %j with a quote', (payload) => {
    expect(neutraliseCell(payload, false)).toBe(`'${payload}`);
    expect(csvLine(['a', payload], [], true)).toBe(csvLine(['a', `'${payload}`]));
  });

  it('leaves E.164 numbers alone in phone columns, and only there', () => {
    expect(neutraliseCell('+14155550100', true)).toBe('+14155550100');
    expect(neutraliseCell('+14155550100;+442079460000', true)).toBe('+14155550100;+442079460000');
    expect(neutraliseCell('+14155550100', false)).toBe("'+14155550100");
    expect(neutraliseCell('+1 =cmd|calc', true)).toBe("'+1 =cmd|calc");
    expect(neutraliseCell('=HYPERLINK("x")', true)).toBe('\'=HYPERLINK("x")');
  });

  it('leaves plain text and numbers alone, and everything with neutralising off', () => {
    expect(csvLine(['Ana', 'a=b', -5, 3], [], true)).toBe('Ana,a=b,-5,3');
    // A negative number held as text (a custom field's '-1200'): a spreadsheet reads a number,
    // and a CRM's number field would refuse it with a quote in front.
    expect(csvLine(['-1200', '-1,234.50', '-0', '+3.5'], [], true)).toBe(`-1200,"-1,234.50",-0,'+3.5`);
    expect(csvLine(['=1+1', '@x', '-2'], [], false)).toBe('=1+1,@x,-2');
  });

  it('every cell of a neutralised row is safe in a spreadsheet', () => {
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 6 }), (cells) => {
        const [parsed] = parse(csvLine(cells, [], true) + '\n', { relax_column_count: true }) as string[][];
        for (const value of parsed ?? []) if (!/^-\d+(?:[.,]\d+)*$/.test(value)) expect(value).not.toMatch(/^[=+\-@\t\r\n]/);
      }),
      { numRuns: 1000 },
    );
  });
});

const columns = { headers: ['id', 'name', 'phone'], phone: [false, false, true] };
const csv = { kind: 'csv', neutralise: true, bom: false } as const;
const rows: Cell[][] = [
  [1, 'Ana', '+14155550100'],
  [2, '=cmd', '+14155550101'],
];

describe('atomic file', () => {
  it('writes under a hidden temporary name in the same folder, and appears only when published', async () => {
    const target = join(dir, 'out.csv');
    const written = await writeTable(rows, columns, csv, () => atomicFileSink(target));
    expect(written?.rows).toBe(2);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([`.out.csv.${process.pid}.callq-tmp`]);
    written!.sink.publish();
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(target, 'utf8')).toBe("id,name,phone\n1,Ana,+14155550100\n2,'=cmd,+14155550101\n");
  });

  it('replaces an existing file only when published; discarding leaves it as it was', async () => {
    const target = join(dir, 'out.csv');
    writeFileSync(target, 'old\n');
    const written = await writeTable(rows, columns, csv, () => atomicFileSink(target));
    written!.sink.discard();
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('opens nothing when there are no rows', async () => {
    const target = join(dir, 'out.csv');
    expect(await writeTable([], columns, csv, () => atomicFileSink(target))).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the temporary file when writing fails midway', async () => {
    const target = join(dir, 'out.csv');
    function* failing(): Generator<Cell[]> {
      yield rows[0];
      throw new Error('disk on fire');
    }
    await expect(writeTable(failing(), columns, csv, () => atomicFileSink(target))).rejects.toThrow('disk on fire');
    expect(readdirSync(dir)).toEqual([]);
  });

  it("neutralises the header row too: custom fields are named after a vendor file's headers", async () => {
    const named = { headers: ['id', '=HYPERLINK("http://x","y")', '@cmd'], phone: [false, false, false] };
    const w = await writeTable([[1, 'a', 'b']], named, csv, () => atomicFileSink(join(dir, 'h.csv')));
    w!.sink.publish();
    expect(readFileSync(join(dir, 'h.csv'), 'utf8')).toBe(`id,"'=HYPERLINK(""http://x"",""y"")",'@cmd\n1,a,b\n`);
    const raw = await writeTable([[1, 'a', 'b']], named, { ...csv, neutralise: false }, () => atomicFileSink(join(dir, 'r.csv')));
    raw!.sink.publish();
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(`id,"=HYPERLINK(""http://x"",""y"")",@cmd\n1,a,b\n`);
  });

  it('refuses to replace an existing file that is not text (a database, a backup, a workbook), naming what it is', async () => {
    const sqlite = join(dir, 'team.db');
    writeFileSync(sqlite, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]));
    await expect(writeTable(rows, columns, csv, () => atomicFileSink(sqlite))).rejects.toThrow(
      /refusing to write --out .*team\.db: it exists and is a SQLite database .*nothing was written/,
    );
    const workbook = join(dir, 'leads.xlsx');
    writeFileSync(workbook, Buffer.from('PK\x03\x04\x14\x00rest', 'latin1'));
    await expect(writeTable(rows, columns, csv, () => atomicFileSink(workbook))).rejects.toThrow(/it exists and is a ZIP archive/);
    const dump = join(dir, 'team.dump');
    writeFileSync(dump, Buffer.from('PGDMP\x01\x0e\x00', 'latin1'));
    await expect(writeTable(rows, columns, csv, () => atomicFileSink(dump))).rejects.toThrow(/it exists and is a PostgreSQL backup/);
    expect(readFileSync(sqlite).subarray(0, 15).toString()).toBe('SQLite format 3');
    // Excel's "Unicode Text" holds NULs but is text: its byte-order mark says so.
    const unicode = join(dir, 'unicode.csv');
    writeFileSync(unicode, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\r\n9,Old\r\n', 'utf16le')]));
    (await writeTable(rows, columns, csv, () => atomicFileSink(unicode)))!.sink.publish();
    expect(readFileSync(unicode, 'utf8')).toMatch(/^id,name,phone\n/);
    // Yesterday's export, text, is replaced as ever.
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'id,name\n9,Old\n');
    (await writeTable(rows, columns, csv, () => atomicFileSink(old)))!.sink.publish();
    expect(readFileSync(old, 'utf8')).toMatch(/^id,name,phone\n/);
  });

  it('adds a BOM for Excel, and writes NDJSON with typed values', async () => {
    const a = await writeTable(rows, columns, { ...csv, bom: true }, () => atomicFileSink(join(dir, 'a.csv')));
    a!.sink.publish();
    expect(readFileSync(join(dir, 'a.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const b = await writeTable([[1, '=cmd', null]], columns, { kind: 'ndjson', neutralise: true, bom: false }, () => atomicFileSink(join(dir, 'b.ndjson')));
    b!.sink.publish();
    expect(readFileSync(join(dir, 'b.ndjson'), 'utf8')).toBe('{"id":1,"name":"=cmd","phone":null}\n');
  });

  it('refuses a missing folder or a folder as the file', async () => {
    await expect(atomicFileSink(join(dir, 'nope', 'out.csv'))).rejects.toThrow(/folder .* does not exist/);
    await expect(atomicFileSink(dir)).rejects.toThrow(/is a folder/);
  });

  it('removes the temporary files of dead runs from a folder, and keeps a live one and other files', async () => {
    writeFileSync(join(dir, '.out.csv.999999999.callq-tmp'), 'partial');
    writeFileSync(join(dir, `.out.csv.${process.pid}.callq-tmp`), 'mine');
    writeFileSync(join(dir, '.other.csv.999999998.callq-tmp'), 'partial too');
    writeFileSync(join(dir, '.old.db.999999997.backup.tmp'), 'an earlier version\'s backup temp');
    writeFileSync(join(dir, '.new.db.999999996.callq-tmp-journal'), "a killed VACUUM INTO's journal");
    writeFileSync(join(dir, 'notes.999999999.callq-tmp'), 'not hidden: not ours');
    expect(removeStaleTemps(dir).removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
      '.new.db.999999996.callq-tmp-journal', '.old.db.999999997.backup.tmp', '.other.csv.999999998.callq-tmp', '.out.csv.999999999.callq-tmp',
    ]);
    expect(readdirSync(dir).sort()).toEqual([`.out.csv.${process.pid}.callq-tmp`, 'notes.999999999.callq-tmp']);
  });
});

describe('stdout', () => {
  it('waits for a slow reader (backpressure) and delivers every byte in order', async () => {
    const received: string[] = [];
    let pending = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, done) {
        received.push(chunk.toString());
        pending++;
        setTimeout(() => (pending--, done()), 1);
      },
    });
    const many = Array.from({ length: 20_000 }, (_, i): Cell[] => [i, `name ${i}`, '+14155550100']);
    const written = await writeTable(many, columns, csv, () => stdoutSink(slow as unknown as NodeJS.WriteStream));
    expect(pending).toBe(0);
    expect(written!.rows).toBe(20_000);
    const text = received.join('');
    expect(text.split('\n')).toHaveLength(20_002);
    expect(text.endsWith('19999,name 19999,+14155550100\n')).toBe(true);
  });

  it('fails (and does not report success) when the reader goes away', async () => {
    const broken = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => undefined);
    const many = Array.from({ length: 5_000 }, (_, i): Cell[] => [i, 'x'.repeat(40), null]);
    await expect(writeTable(many, columns, csv, () => stdoutSink(broken as unknown as NodeJS.WriteStream))).rejects.toThrow(/EPIPE/);
  });
});
