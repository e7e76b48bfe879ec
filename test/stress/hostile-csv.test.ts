// Hostile CSVs through `callq import`: broken, adversarial and wrongly encoded files are each
// rejected with a clear message (exit 2, nothing imported) or imported with one (exit 0) — never
// a crash (exit 1) or a hang. Small files live in test/fixtures/hostile/; big and byte-exact ones
// are written at test time. Then fast-check: random files never make the importer exit 1, and
// well-formed random cells are stored exactly. On PostgreSQL too: every file of the corpus that
// reaches the store (imported, or refused once the database is open) leaves the same rows as on
// SQLite, and random cells come back exactly. Files refused before any store opens (not text, no
// header, no phone column) and the export's neutralising are store-independent: SQLite only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { FIXTURES, callq, tempDir } from '../helpers.js';
import { NOW, contentDigest, describeRun, health, pgContentDigest, run, type Run, pool } from './support.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

let dir: string;
let cleanup: () => void;
let template: string;
const HOSTILE = join(FIXTURES, 'hostile');
const H = 'First Name,Last Name,Company,Phone,Email\n';

beforeAll(() => {
  ({ dir, cleanup } = tempDir('callq-csv-'));
  template = join(dir, 'template.db');
  expect(callq(['--db', template, 'init']).code).toBe(0);
});
afterAll(() => cleanup());

let dbs = 0;
/** A fresh empty database (a copy of one made by callq init). */
function freshDb(): string {
  const path = join(dir, `import-${dbs++}.db`);
  copyFileSync(template, path);
  return path;
}

/** Writes a generated fixture into the temp dir and returns its path. */
function generated(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const bytes = (seed: number, n: number) => {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
};
const utf16 = (text: string, bigEndian = false) => {
  const le = Buffer.from(text, 'utf16le');
  return bigEndian ? Buffer.from(le).swap16() : le;
};

interface Case {
  name: string;
  file: () => string;
  args?: string[];
  code: 0 | 2 | 3;
  /** What stderr must say (the clear message). */
  says: RegExp;
  /** For an import: the summary counts. */
  counts?: Record<string, number>;
  check?: (leads: Record<string, any>[]) => void;
  /** Refused (exit 2) only after the database is open: mid-file, so PostgreSQL's import must leave nothing either. */
  midFile?: true;
  /** What is checked is the CSV reader's alone (decoding, rejections): not run again on PostgreSQL. */
  readerOnly?: true;
}

const leadsOf = (db: Database.Database) => db.prepare('SELECT * FROM leads ORDER BY id').all() as Record<string, any>[];

const CASES: Case[] = [
  // Structure broken beyond rows: the whole file fails, naming the line.
  { midFile: true, name: 'unclosed quote mid-file', file: () => join(HOSTILE, 'unclosed-quote.csv'), code: 2, says: /line 3: a quoted field opens here and is never closed.*nothing was imported/ },
  { midFile: true, name: 'unclosed quote at end of file', file: () => join(HOSTILE, 'unclosed-quote-at-eof.csv'), code: 2, says: /line 2: a quoted field opens here and is never closed/ },
  { midFile: true, name: 'a 50 MB field (unquoted)', file: () => generated('giant-field.csv', H + 'Ana,Lee,' + 'A'.repeat(50 * 1024 * 1024) + ',(212) 734-5524,a@x.example\n'), code: 2, says: /line 2: a record runs past the 1 MB size limit without a line break.*nothing was imported/ },
  { midFile: true, name: 'a 50 MB field (quoted)', file: () => generated('giant-quoted.csv', H + 'Ana,Lee,"' + 'A'.repeat(50 * 1024 * 1024) + '",(212) 734-5524,a@x.example\n'), code: 2, says: /line 2: the record starting here runs past the 1 MB limit for one record, inside a quoted field: a quote left open/ },
  { name: 'a 3 MB header that never ends', file: () => generated('endless-header.csv', 'Phone,' + 'x'.repeat(3 * 1024 * 1024)), code: 2, says: /line 1: the header row runs past the 1 MB size limit/ },
  { name: 'random binary bytes', file: () => generated('random.csv', bytes(7, 200_000)), code: 2, says: /is not a text CSV file \(it contains NUL bytes\)/ },
  { name: 'a PNG renamed .csv', file: () => generated('image.csv', Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(16), bytes(3, 4000)])), code: 2, says: /not a text CSV file/ },
  { name: 'NUL bytes in cells', file: () => generated('nul.csv', Buffer.concat([Buffer.from(H), Buffer.from('An\0a,Lee,Ac\0me,(212) 734-5524,a@x.example\n', 'latin1')])), code: 2, says: /contains NUL bytes/ },
  { name: '/dev/zero (endless NULs)', file: () => '/dev/zero', code: 2, says: /not a text CSV file/ },
  { name: '/dev/urandom (endless noise)', file: () => '/dev/urandom', code: 2, says: /not a text CSV file/ },
  { name: 'a folder', file: () => dir, code: 2, says: /it is a folder, not a CSV file/ },
  { name: 'a missing file', file: () => join(dir, 'missing.csv'), code: 2, says: /cannot read .*missing\.csv/ },
  { name: 'empty (BOM only)', file: () => generated('bom-only.csv', Buffer.from([0xef, 0xbb, 0xbf])), code: 2, says: /has no header row: the file is empty/ },
  { name: 'only blank lines', file: () => generated('newlines.csv', '\n'.repeat(100_000) + '  \n\t\n'), code: 2, says: /has no header row/ },
  { name: 'header only (with BOM)', file: () => generated('header-bom.csv', '\uFEFF' + H), code: 3, says: /nothing to import: .* has a header but no rows/ },
  { name: 'no header: empty header cells', file: () => join(HOSTILE, 'empty-headers.csv'), code: 2, says: /line 1: the first row names no column \(its cells are empty\)/ },
  { name: 'no header: only delimiters', file: () => join(HOSTILE, 'only-delimiters.csv'), code: 2, says: /line 1: the first row names no column \(its cells are empty\)/ },
  { name: "a bad 'sep=' line", file: () => join(HOSTILE, 'bad-sep-line.csv'), code: 2, says: /no phone column among 'sep=abc'.*--delimiter/ },

  // Adversarial but readable: imported, every cell kept as text.
  {
    name: '__proto__, constructor, prototype headers',
    file: () => join(HOSTILE, 'proto-headers.csv'),
    code: 0,
    says: /__proto__\s+→ custom field '__proto__'/,
    counts: { rows_read: 1, inserted: 1 },
    check: (rows) => {
      const custom = JSON.parse(rows[0].custom);
      expect(Object.keys(custom)).toEqual(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__']);
      expect(Object.getOwnPropertyDescriptor(custom, '__proto__')?.value).toBe('{"polluted":true}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  },
  {
    name: 'formula payloads (stored verbatim)',
    file: () => join(HOSTILE, 'formula-payloads.csv'),
    code: 0,
    says: /inserted\s+3/,
    counts: { rows_read: 3, inserted: 3, rejected: 0 },
    check: (rows) => {
      expect(rows.map((r) => [r.first_name, r.last_name, r.company])).toEqual([
        ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", '@SUM(1+1)'],
        ['-2+3', 'Tab', '=1+2'],
        ['＝HYPERLINK("x")', 'CR', 'line\nfeed'],
      ]);
    },
  },
  {
    name: '10,000 columns',
    file: () => generated('wide.csv', Array.from({ length: 10_000 }, (_, i) => `Field ${i}`).join(',') + ',Phone\n' + Array.from({ length: 50 }, (_, r) => Array.from({ length: 10_000 }, (_, i) => `v${r}.${i}`).join(',') + `,(212) 734-${5000 + r}`).join('\n') + '\n'),
    code: 0,
    says: /inserted\s+50/,
    counts: { rows_read: 50, inserted: 50 },
    check: (rows) => {
      const custom = JSON.parse(rows[49].custom);
      expect(Object.keys(custom)).toHaveLength(10_000);
      expect(custom['Field 9999']).toBe('v49.9999');
    },
  },
  {
    readerOnly: true,
    name: 'rows of 10,000 fields under a 5-column header',
    file: () => generated('wide-rows.csv', H + `Ana,Lee,Acme,(212) 734-5524,${'y,'.repeat(9_999)}y\nBo,Ray,Ray Co,(212) 734-5525,bo@ray.example\n`),
    code: 0,
    says: /line 2: rejected \(malformed\)/,
    counts: { rows_read: 2, inserted: 1, rejected: 1 },
  },
  { name: 'a 200,000-character header name', file: () => generated('long-header.csv', 'X'.repeat(200_000) + ',Phone\nx,(212) 734-5524\n'), code: 0, says: /inserted\s+1/, counts: { inserted: 1 } },
  { readerOnly: true, name: '50,000 rows with no usable phone', file: () => generated('all-bad.csv', H + 'x,y,z,not a phone,bad\n'.repeat(50_000)), code: 0, says: /rejected\s+50000/, counts: { rows_read: 50_000, inserted: 0, rejected: 50_000 } },
  {
    name: 'duplicate header names',
    file: () => join(HOSTILE, 'duplicate-headers.csv'),
    code: 0,
    says: /alternate phone 'not a phone' is not a phone number; dropped/,
    counts: { inserted: 1, warnings: 1 },
    check: (rows) => expect(JSON.parse(rows[0].custom)).toEqual({ Email: 'second@acme.example', Notes: 'first', Notes_2: 'second' }),
  },
  { readerOnly: true, name: 'stray and doubled quotes', file: () => join(HOSTILE, 'stray-quotes.csv'), code: 0, says: /rejected \(malformed\)/, counts: { inserted: 1, rejected: 1 } },
  {
    name: 'bad values: e-mail, score, time zone, country, phone',
    file: () => join(HOSTILE, 'bad-values.csv'),
    code: 0,
    says: /invalid e-mail 'not-an-email' dropped/,
    // Cy's country 'ZZ' is no country: the phone is read with the default country, not rejected.
    counts: { rows_read: 5, inserted: 4, rejected: 1 },
    check: (rows) => {
      const [ana, bo] = rows;
      expect(ana).toMatchObject({ email: null, score: 100, timezone: 'America/New_York' });
      expect(bo.timezone).toBe('America/New_York'); // '../../etc/passwd' is no zone: the phone's is used
    },
  },
  {
    name: 'invisible characters (RTL override, zero-width space, NBSP, line separator)',
    file: () => join(HOSTILE, 'invisible-characters.csv'),
    code: 0,
    // Invisible characters are dropped from mapped fields, so the e-mail is kept as it reads
    // (and matches a do-not-call entry for it); the name loses its RTL override.
    says: /inserted\s+1/,
    counts: { inserted: 1 },
    check: (rows) => expect(rows[0]).toMatchObject({ phone: '+12127345524', email: 'ana@acme.example', first_name: 'Ana' }),
  },

  {
    name: 'a 800 KB field (under the 1 MB limit)',
    file: () => generated('big-field.csv', H + 'Ana,Lee,' + 'é'.repeat(400_000) + ',(212) 734-5524,a@x.example\n'),
    code: 0,
    says: /inserted\s+1/,
    counts: { inserted: 1 },
    check: (rows) => expect(rows[0].company).toBe('é'.repeat(400_000)),
  },
  {
    name: 'control characters and terminal escapes in cells',
    file: () => generated('control.csv', H + '"A\x01na","L\x1b[31mee\x1b[0m","Ac\x7fme\u0085Co\u2028",(212) 734-5524,a@x.example\n'),
    code: 0,
    says: /inserted\s+1/,
    counts: { inserted: 1 },
  },

  // Wrong encodings: read as the encoding detected (named in the summary, with a warning when unsure), or refused.
  { readerOnly: true, name: 'UTF-16 without a BOM', file: () => generated('utf16-nobom.csv', utf16(H + 'José,García,Café,(212) 734-5524,j@x.example\n')), code: 0, says: /\(utf-16le, delimiter ','/, check: (rows) => expect(rows[0].first_name).toBe('José') },
  { readerOnly: true, name: 'UTF-16BE with a BOM', file: () => generated('utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(H + 'José,García,Café,(212) 734-5524,j@x.example\n', true)])), code: 0, says: /\(utf-16be/, check: (rows) => expect(rows[0].company).toBe('Café') },
  { name: 'UTF-32', file: () => generated('utf32.csv', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), ...[...(H + 'José,(212) 734-5524\n')].map((c) => { const b = Buffer.alloc(4); b.writeUInt32LE(c.codePointAt(0)!); return b; })])), code: 2, says: /not a text CSV file/ },
  { name: 'UTF-8 read with --encoding utf-16le', file: () => generated('utf8.csv', H + 'Ana,Lee,Acme,(212) 734-5524,a@x.example\n'), args: ['--encoding', 'utf-16le'], code: 2, says: /no phone column among/ },
  { name: 'UTF-16 read with --encoding utf-8', file: () => generated('utf16-as-utf8.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(H + 'Ana,Lee,Acme,(212) 734-5524,a@x.example\n')])), args: ['--encoding', 'utf-8'], code: 2, says: /NUL bytes/ },
  { readerOnly: true, name: 'Shift-JIS: detected, and the summary says so', file: () => generated('sjis.csv', Buffer.concat([Buffer.from(H), Buffer.from([0x91, 0xbe, 0x98, 0x59]), Buffer.from(',Yamada,Sakura,(212) 734-5524,t@x.example\n')])), code: 0, says: /Reading .*sjis\.csv \(shift_jis.*encoding is not certain.*--encoding/s, check: (rows) => expect(rows[0].first_name).toBe('太郎') },
  { readerOnly: true, name: 'mixed UTF-8 and Windows-1252 lines', file: () => generated('mixed.csv', Buffer.concat([Buffer.from(H + 'José,García,Café,(212) 734-5524,j@x.example\n'), Buffer.from('René,Dubois,Café,(212) 734-5525,r@x.example\n', 'latin1')])), code: 0, says: /\(utf-8.*not valid UTF-8 \(line 3\).*--encoding/s, counts: { inserted: 2 }, check: (rows) => expect(rows.map((r) => r.first_name)).toEqual(['José', 'Ren\uFFFD']) },
];

/** What each imported case left on SQLite, for PostgreSQL's to be compared with. */
const sqliteLeads = new Map<string, Record<string, any>[]>();

const crashed = (r: Run) => r.timedOut || r.code === 1 || r.code === null || /unexpected failure|\n\s+at .*:\d+:\d+/.test(r.stderr);

describe('a corpus of hostile CSV files', () => {
  it('each is rejected or imported with a clear message: never exit 1, never a hang; a refused file imports nothing', async () => {
    const prepared = CASES.map((c) => ({ c, db: freshDb(), file: c.file() }));
    const results = await pool(prepared, 2, async ({ c, db, file }) => {
      const before = contentDigest(db);
      // Human output (the message a person reads) and the JSON summary, from two runs.
      const human = await run(['--db', db, '--now', NOW, 'import', file, ...(c.args ?? [])], { timeoutMs: 30_000 });
      rmSync(db);
      copyFileSync(template, db);
      const machine = await run(['--db', db, '--now', NOW, 'import', file, '--json', ...(c.args ?? [])], { timeoutMs: 30_000 });
      return { c, db, before, human, machine };
    });
    const problems: string[] = [];
    for (const { c, db, before, human, machine } of results) {
      const where = `${c.name}: ${describeRun(human)}`;
      if (crashed(human) || crashed(machine)) problems.push(`CRASH OR HANG ${where}`);
      else if (human.code !== c.code || machine.code !== c.code) problems.push(`WRONG EXIT (want ${c.code}) ${where}`);
      else if (!c.says.test(human.stderr)) problems.push(`UNCLEAR MESSAGE (want ${c.says}) ${where}`);
      else {
        expect(health(db), c.name).toEqual({ integrity: 'ok', foreignKeyProblems: [] });
        if (c.code !== 0) {
          expect(contentDigest(db), `${c.name}: a refused file must import nothing`).toBe(before);
          if (c.code === 3) expect(human.stderr, c.name).toMatch(/No batch was recorded/);
        } else {
          const summary = JSON.parse(machine.stdout);
          if (c.counts) expect(summary, c.name).toMatchObject(c.counts);
          expect(summary.inserted + summary.updated + summary.duplicates + summary.suppressed + summary.rejected, `${c.name}: every row accounted for`).toBe(summary.rows_read);
          const raw = new Database(db, { readonly: true });
          const stored = leadsOf(raw);
          raw.close();
          expect(stored.length, c.name).toBe(summary.inserted);
          c.check?.(stored);
          sqliteLeads.set(c.name, stored);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 240_000); // every file imported twice, on two cores shared with the rest of the suite

  it('formula payloads come out of every export neutralised', () => {
    const db = freshDb();
    expect(callq(['--db', db, '--now', NOW, 'import', join(HOSTILE, 'formula-payloads.csv')]).code).toBe(0);
    const raw = new Database(db);
    raw.exec(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'no-need', closed_at = '${NOW}'`);
    raw.close();
    const out = callq(['--db', db, '--now', NOW, 'export', 'cleanup']);
    expect(out.code, out.stderr).toBe(0);
    const cells = (parse(out.stdout, { columns: true }) as Record<string, string>[]).map((r) => [r.first_name, r.last_name, r.company]);
    expect(cells).toEqual([
      [`'=HYPERLINK("http://evil.example","click")`, `'+cmd|' /C calc'!A0`, "'@SUM(1+1)"],
      ["'-2+3", 'Tab', "'=1+2"],
      [`'＝HYPERLINK("x")`, 'CR', 'line\nfeed'],
    ]);
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('the corpus on PostgreSQL', () => {
  /** The leads a case leaves on SQLite: from the SQLite corpus run, or imported now when that did not run (a filtered run). */
  async function onSqlite(c: Case, file: string): Promise<Record<string, any>[]> {
    const known = sqliteLeads.get(c.name);
    if (known) return known;
    const db = freshDb();
    const r = await run(['--db', db, '--now', NOW, 'import', file, '--json', ...(c.args ?? [])], { timeoutMs: 30_000 });
    expect(r.code, describeRun(r)).toBe(0);
    const raw = new Database(db, { readonly: true });
    try {
      return leadsOf(raw);
    } finally {
      raw.close();
    }
  }

  it('every file that reaches the store: the same exit code and counts, the same rows as on SQLite; a refused one leaves nothing', async () => {
    // Not the files whose rows never reach a lead (all rejected) nor the encoding detection: both
    // are the reader's alone, before any row is stored.
    const reaching = CASES.filter((c) => (c.code !== 2 || c.midFile) && !c.readerOnly);
    const results = await pool(reaching, 2, async (c) => {
      const store: TestStore = await newTestStore('postgres', { migrated: true });
      try {
        const file = c.file();
        const before = await pgContentDigest(store.db);
        const r = await run(['--db', store.db, '--now', NOW, 'import', file, '--json', ...(c.args ?? [])], { timeoutMs: 60_000 });
        return { c, file, r, before, after: await pgContentDigest(store.db), leads: await store.query('SELECT * FROM leads ORDER BY id') };
      } finally {
        await store.cleanup();
      }
    });
    const problems: string[] = [];
    for (const { c, file, r, before, after, leads } of results) {
      const where = `${c.name}: ${describeRun(r)}`;
      if (crashed(r)) problems.push(`CRASH OR HANG ${where}`);
      else if (r.code !== c.code) problems.push(`WRONG EXIT (want ${c.code}) ${where}`);
      else if (c.code !== 0) {
        if (!c.says.test(r.stderr)) problems.push(`UNCLEAR MESSAGE (want ${c.says}) ${where}`);
        expect(after, `${c.name}: a refused file must import nothing`).toBe(before);
      } else {
        const summary = JSON.parse(r.stdout);
        if (c.counts) expect(summary, c.name).toMatchObject(c.counts);
        expect(summary.inserted + summary.updated + summary.duplicates + summary.suppressed + summary.rejected, `${c.name}: every row accounted for`).toBe(summary.rows_read);
        expect(leads.length, c.name).toBe(summary.inserted);
        c.check?.(leads);
        expect(leads, `${c.name}: the rows SQLite stores`).toEqual(await onSqlite(c, file));
      }
    }
    expect(problems).toEqual([]);
    expect(results.filter((x) => x.c.code === 0).length).toBeGreaterThan(5);
  }, 240_000);
});

// Each property run is one `callq import` child process (most of its cost), while the rows in a
// file cost almost nothing: so the runs are few and the files long (size 'medium': fast-check's
// default keeps arrays to about 5 elements whatever their maxLength), for more random rows and
// cells in all than 40 and 30 runs of the default sizes gave (about 190 lines, 180 rows).
describe('random files through callq import (fast-check)', () => {
  // Pieces that break CSV readers: delimiters, quotes, line ends, BOMs, sep= lines, non-ASCII.
  const piece = fc.constantFrom('a', 'Zoë', '太郎', '🚀', ' ', ',', ';', '\t', '|', '"', '""', '\r', '\n', '\r\n', '\uFEFF', 'sep=;', '=1+2', '(212) 734-5524', 'x@y.example', '\\', "'", '\u00e9', '\x01', '\x7f');
  const messyText = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
  const messyFile = fc.record({
    header: fc.constantFrom('First Name,Phone', 'Phone;Email', 'Phone\tName', 'sep=,\nPhone,Name', '"Phone","Name"', 'Name'),
    lines: fc.array(fc.array(messyText, { maxLength: 6 }).map((cells) => cells.join(',')), { maxLength: 40, size: 'medium' }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
  });

  it('random rows never make the importer exit 1 or hang; every row is accounted for', async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(messyFile, async (f) => {
        const db = freshDb();
        const file = generated(`random-${dbs}.csv`, (f.bom ? '\uFEFF' : '') + [f.header, ...f.lines].join(f.eol) + f.eol);
        const before = contentDigest(db);
        const r = await run(['--db', db, '--now', NOW, 'import', file, '--json'], { timeoutMs: 20_000 });
        expect(crashed(r), describeRun(r)).toBe(false);
        expect([0, 2, 3], describeRun(r)).toContain(r.code);
        if (r.code === 0) {
          imported++;
          const s = JSON.parse(r.stdout);
          expect(s.inserted + s.updated + s.duplicates + s.suppressed + s.rejected).toBe(s.rows_read);
          const raw = new Database(db, { readonly: true });
          expect(raw.prepare('SELECT count(*) FROM leads').pluck().get()).toBe(s.inserted);
          raw.close();
        } else {
          expect(r.stderr).toMatch(/^callq: /);
          expect(contentDigest(db)).toBe(before);
        }
      }),
      // 20 files of about 17 lines on average (about 340 random lines); each seed draws a
      // different sample of the 36 header, line-end and BOM combinations.
      { numRuns: 20 },
    );
    expect(imported).toBeGreaterThan(5);
  }, 120_000);
});

// Runs share one store per kind: each run's phones are in an exchange of its own (no duplicates
// across runs), and its leads are read back by its batch. Fewer runs on PostgreSQL (5 against
// 10): each is a `callq import` against the server, and 5 files still hold about 140 random rows.
describe.each(STORE_KINDS)('random cells through callq import into %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') copyFileSync(template, store.db);
  });
  afterAll(() => store.cleanup());

  it('well-formed random cells are stored exactly (trimmed, line ends as LF)', async () => {
    const cell = fc.array(fc.constantFrom('a', 'B', ' ', ',', ';', '|', '\t', '"', "'", '\n', '\r\n', 'é', 'Zoë', '太郎', '🚀', '=', '+', '-', '@', '\\', 'x'), { maxLength: 10 }).map((p) => p.join(''));
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 75, size: 'medium' }), async (people) => {
        const exchange = 700 + runs++;
        const lines = people.map(([name, company], i) => [quote(name), quote(company), `(212) ${exchange}-${5000 + i}`].join(','));
        const file = generated(`wellformed-${kind}-${runs}.csv`, ['First Name,Company,Phone', ...lines].join('\r\n') + '\r\n');
        const r = await run(['--db', store.db, '--now', NOW, 'import', file, '--json'], { timeoutMs: 30_000 });
        expect(r.code, describeRun(r)).toBe(0);
        const s = JSON.parse(r.stdout);
        expect(s).toMatchObject({ rows_read: people.length, inserted: people.length, rejected: 0 });
        const stored = await store.query('SELECT first_name, company, phone FROM leads WHERE import_id = ? ORDER BY phone', s.batch);
        const expected = (v: string) => v.replace(/\r\n?/g, '\n').trim() || null;
        expect(stored).toEqual(people.map(([name, company], i) => ({ first_name: expected(name), company: expected(company), phone: `+1212${exchange}${5000 + i}` })));
      }),
      // 10 files of about 28 rows on average: about 280 random rows (560 cells).
      { numRuns: kind === 'sqlite' ? 10 : 5 },
    );
  }, 120_000);
});
