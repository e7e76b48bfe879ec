// `callq import` on SQLite only: what it prints (the mapping, warnings, the human summary),
// files and options refused before any store opens, and what only SQLite has: the insert
// triggers and indexes a whole import sets aside and rebuilds. Counts, stored values, duplicates
// and merges, rejects files, undo and interrupted imports run on both stores in test/both
// (import.test.ts, import-fixtures.test.ts, import-parity.test.ts).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { leadFile } from '../both/import-files.js';
import { join } from 'node:path';
import { BASE_ENV, BIN, callq, initDb, FIXTURES, json, openRaw, queryDb, useTempDb } from '../helpers.js';
import { leadInsertTriggers } from '../../src/db/import-writer.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

const NOW = '2026-11-23T15:00:00Z';
const fixture = (name: string) => join(FIXTURES, 'import', name);
const importFile = (file: string, ...args: string[]) => callq(['--db', db, '--now', NOW, 'import', file, '--country', 'US', ...args]);
const importJson = (file: string, ...args: string[]) => {
  const r = importFile(file, '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return json(r);
};

const query = <T = any>(sql: string, ...params: unknown[]): T[] => queryDb<T>(db, sql, ...params);

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('callq import --dry-run before the database exists', () => {
  it('says what a first import would do and creates no file', () => {
    expect(existsSync(db)).toBe(false);
    const text = importFile(fixture('duplicates.csv'), '--dry-run');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain(`no database at ${db} yet: the dry run reads the list as a first import into it would, and creates nothing.`);
    const dry = importJson(fixture('duplicates.csv'), '--dry-run');
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('team.db'))).toEqual([]);
    // The same counts as the real first import.
    const real = importJson(fixture('duplicates.csv'));
    for (const key of ['rows_read', 'inserted', 'duplicates', 'rejected']) expect(dry[key], key).toBe(real[key]);
  });
});

describe('callq import into a database file that does not exist yet', () => {
  it('removes the file it made when the import fails as a whole: a broken list, or a header without rows', () => {
    const broken = write('broken.csv', 'Name,Phone\n"Ann Lee,212-736-3101\nBob Ray,212-736-3102\n');
    const r = importFile(broken);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 2: a quoted field opens here and is never closed');
    expect(readdirSync(dir).filter((f) => f.startsWith('team.db'))).toEqual([]);
    const headerOnly = write('header.csv', 'Name,Phone\n');
    expect(importFile(headerOnly).code).toBe(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('team.db'))).toEqual([]);
    // Ctrl-C midway: the process exits from its signal handler, and the file goes there too.
    // (The database that was there, below, stays whatever becomes of the import.)
    expect(importFile(write('ok.csv', 'Name,Phone\nAnn Lee,212-736-3101\n')).code).toBe(0);
    expect(importFile(broken).code).toBe(2);
    expect(query('SELECT first_name FROM leads')).toEqual([{ first_name: 'Ann' }]);
  });
});

describe('callq import into a new database file, interrupted', () => {
  it('Ctrl-C midway exits 130 and leaves no database file behind', { timeout: 120_000 }, async () => {
    const big = leadFile(join(dir, 'big.csv'), 300_000);
    const child = spawn(process.execPath, [BIN, '--db', db, '--now', NOW, 'import', big, '--country', 'US'], { env: { ...BASE_ENV, CALLQ_REP: 'ops' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    // Under way: the import's transaction has written a good part of its WAL.
    const deadline = Date.now() + 60_000;
    while (!(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 1_000_000)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the import to be under way: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`interrupted: nothing was imported from ${big}`);
    expect(readdirSync(dir).filter((f) => f.startsWith('team.db'))).toEqual([]);
  });
});

describe('callq import: what it prints', () => {
  it('says when nothing was rejected, and refuses an empty --rejects name', () => {
    const clean = importFile(fixture('utf8.csv'), '--rejects', join(dir, 'none.csv'));
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/No row was rejected; .*none\.csv holds only the header/);
    expect(clean.stderr).not.toMatch(/Rejected rows written/);
    const empty = importFile(fixture('utf8.csv'), '--rejects', '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--rejects needs a file name/);
  });

  it("reads standard input given as '-', with a European Excel's headers and 'Name <address>' e-mails", () => {
    const r = callq(['--db', db, '--now', NOW, 'import', '-', '--json', '--country', 'DE'], {
      input: 'Vorname;Nachname;Telefon;E-Mail;Firma;Land\nJürgen;Müller;+49 (0) 7361/9876543;Jürgen Müller <JM@Beispiel.de>;Müller GmbH;Deutschland\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ inserted: 1, warnings: 0 });
    expect(query('SELECT first_name, last_name, phone, email, company, custom FROM leads')).toEqual([
      { first_name: 'Jürgen', last_name: 'Müller', phone: '+4973619876543', email: 'jm@beispiel.de', company: 'Müller GmbH', custom: '{"Land":"Deutschland"}' },
    ]);
  });

  it('reads standard input from a shell pipe whose writer is slow (an export still running)', async () => {
    // A shell's pipe, as `slow-export | callq import -` gives it: the rest comes only after callq
    // has read the first part and found the pipe empty (Node makes such a pipe non-blocking).
    const script = `(printf 'Name,Phone\\nAnn Lee,+1 212 555 0100\\n'; sleep 1; printf 'Cy Di,+1 415 555 0109\\n') | "$0" "$@"`;
    const child = spawn('/bin/sh', ['-c', script, process.execPath, BIN, '--db', db, '--now', NOW, 'import', '-', '--json', '--country', 'US'], { env: { ...BASE_ENV } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((done) => child.on('close', done));
    expect(code, err).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rows_read: 2, inserted: 2 });
  });

  it("skips a report's title above the header and says so, in the summary and in JSON", () => {
    const titled = write('titled.csv', 'Leads export December,,,\nGenerated 2026-12-01,,,\n,,,\nFirst Name,Last Name,Phone,Email\nAnn,Lee,212-736-3401,ann@x.com\n');
    const human = importFile(titled, '--dry-run');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toContain('header on line 4');
    expect(human.stderr).toContain("Note: lines 1–3 above the header (line 4) hold a title (a report's name or date), not leads: skipped.");
    expect(importJson(titled)).toMatchObject({ inserted: 1, rejected: 0, title_lines: [1, 3] });
  });

  it("writes the rejects file in the list's shape: a European Excel list's semicolons, and a byte-order mark so Excel reads it as UTF-8", () => {
    // Excel in Germany saves "CSV" as Windows-1252 with semicolons.
    const list = join(dir, 'messe.csv');
    writeFileSync(list, Buffer.from('Vorname;Nachname;Telefon;Firma\r\nJürgen;Müller;+49 30 86427150;"Bäckerei Müller; Söhne"\r\nGöran;Weiß;keine;"Straßenbau; Tief AG"\r\n', 'latin1'));
    const rejects = join(dir, 'messe-rejects.csv');
    const r = importFile(list, '--rejects', rejects);
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(rejects);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n').join('\n')).toBe(
      `Vorname;Nachname;Telefon;Firma;line;reason;detail\nGöran;Weiß;keine;"Straßenbau; Tief AG";3;invalid-phone;'keine' is not a phone number\n`,
    );
    // Fixed in the spreadsheet, it imports again as it is.
    writeFileSync(rejects, readFileSync(rejects, 'utf8').replace('keine', '+49 89 2180 1234'));
    const again = importJson(rejects);
    expect([again.inserted, again.rejected]).toEqual([1, 0]);
    // Its line, reason and detail say why the row was rejected before: not kept on the lead.
    expect(again.mapping.filter((m: any) => ['line', 'reason', 'detail'].includes(m.column)).map((m: any) => m.field)).toEqual(['ignore', 'ignore', 'ignore']);
    expect(query("SELECT custom FROM leads WHERE last_name = 'Weiß'")[0].custom ?? '').not.toMatch(/reason|detail|invalid-phone/);
    expect(query("SELECT first_name, last_name, company FROM leads WHERE last_name = 'Weiß'")).toEqual([{ first_name: 'Göran', last_name: 'Weiß', company: 'Straßenbau; Tief AG' }]);
    // A plain UTF-8 list with commas gets a plain UTF-8 file with commas back.
    const plain = join(dir, 'plain-rejects.csv');
    expect(importFile(fixture('bad-phones.csv'), '--rejects', plain).code).toBe(0);
    expect(readFileSync(plain)[0]).not.toBe(0xef);
    expect(readFileSync(plain, 'utf8').split('\n')[0]).toMatch(/^[^;]*,line,reason,detail$/);
  });

  it('a dry run says its rejects file was written, and --rejects never replaces a database', () => {
    const dry = importFile(fixture('bad-phones.csv'), '--dry-run', '--rejects', join(dir, 'rejects.csv'));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`Rejected rows written to ${join(dir, 'rejects.csv')} (a dry run: nothing was imported).`);
    expect(readFileSync(join(dir, 'rejects.csv'), 'utf8')).toMatch(/invalid-phone/);
    // A typo naming another team's database (or a backup) as the rejects file.
    const other = join(dir, 'other.db');
    expect(callq(['--db', other, 'import', fixture('utf8.csv'), '--country', 'US']).code).toBe(0);
    const before = readFileSync(other);
    const refused = importFile(fixture('bad-phones.csv'), '--rejects', other);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to write --rejects .*other\.db: it exists and is a SQLite database/);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it('prints how it maps header variants', () => {
    const r = importFile(fixture('headers-variants.csv'));
    expect(r.code).toBe(0);
    for (const [header, field] of [
      ['FirstName', 'first_name'],
      ['last_name', 'last_name'],
      ['Company Name', 'company'],
      ['Job Title', 'title'],
      ['E-mail', 'email'],
      ['Phone Number', 'phone \\(primary; the other phone columns are alternates\\)'],
      ['Mobile', 'alternate phone'],
      ['State/Province', 'region'],
      ['Zip', 'postal_code'],
      ['Lead Source', 'source'],
      ['Industry', "custom field 'Industry'"],
    ]) {
      expect(r.stderr).toMatch(new RegExp(`^\\s+${header.replace('/', '\\/')}\\s+→ ${field}$`, 'm'));
    }
  });

  it('says, where it maps an id column, that a column counting rows becomes a custom field, and the summary says which it was', () => {
    const counter = write('counter.csv', 'ID,Name,Phone\n1,Ann Lee,212-736-3101\n2,Bob Ray,212-736-3102\n3,Cy Fox,212-736-3103\n');
    const r = importFile(counter);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ID\s+→ external_id \(a custom field instead if it only counts rows 1, 2, 3 …: the summary says\)/);
    expect(query('SELECT external_id, custom FROM leads ORDER BY id')[0]).toEqual({ external_id: null, custom: '{"ID":"1"}' });
  });

  it('names the line of a bad e-mail it drops, and counts the warnings', () => {
    const r = importFile(fixture('bad-phones.csv'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/line 17: invalid e-mail 'pi\.pope@@popesystems\.com' dropped/);
    expect(r.stderr).toMatch(/warnings\s+1\s+\(invalid-email 1\)/);
  });

  it('the human summary goes to stderr and nothing to stdout', () => {
    const r = importFile(fixture('duplicates.csv'));
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Imported .*duplicates\.csv as batch 1/);
    expect(r.stderr).toMatch(/duplicates\s+5/);
    expect(r.stderr).toMatch(/line 11: rejected \(invalid-phone\)/);
    expect(r.stderr).toMatch(/Undo with: callq import undo 1/);
    expect(r.stderr).not.toMatch(/\r|\u001b\[K/); // no progress bar without a terminal
  });
});

describe('callq import: insert triggers', () => {
  it('knows every insert trigger of the schema, so it can do their work in bulk', () => {
    initDb(db);
    const conn = openRaw(db);
    const triggers = leadInsertTriggers(conn as never);
    conn.close();
    // A new AFTER INSERT trigger on leads needs a bulk replay in src/db/imports.ts, or imports get twice as slow.
    expect(triggers.map((t) => [t.name, t.bulk])).toEqual(expect.arrayContaining([['leads_zone_insert', true], ['leads_alt_phones_insert', true]]));
    expect(triggers.every((t) => t.bulk)).toBe(true);
  });

  it('leaves zone groups and alternate-phone rows exactly as the triggers would, and the triggers in place', () => {
    initDb(db);
    const before = query(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`);
    importJson(fixture('headers-variants.csv'));
    importJson(fixture('duplicates.csv'), '--dry-run');
    importJson(fixture('bad-phones.csv'));
    expect(query(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`)).toEqual(before);
    expect(query('SELECT phone, lead_id FROM lead_alt_phones ORDER BY lead_id, phone')).toEqual(
      query(`SELECT j.value AS phone, l.id AS lead_id FROM leads l, json_each(l.alt_phones) j WHERE l.alt_phones IS NOT NULL ORDER BY l.id, j.value`),
    );
    expect(query('SELECT count(*) AS n FROM lead_alt_phones')[0].n).toBe(3);
    expect(query('SELECT timezone FROM lead_zones ORDER BY timezone').map((r) => r.timezone)).toEqual(
      query('SELECT DISTINCT timezone FROM leads WHERE timezone IS NOT NULL ORDER BY timezone').map((r) => r.timezone),
    );
  });

  it('rebuilds the indexes it set aside exactly as they were, holding every imported lead', () => {
    initDb(db);
    const indexes = `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'leads' ORDER BY name`;
    const before = query(indexes);
    expect(before.map((i) => i.name)).toEqual(expect.arrayContaining(['leads_phone', 'leads_queue', 'leads_status', 'leads_import']));
    importJson(fixture('headers-variants.csv')); // into an empty table: indexes set aside and rebuilt
    importJson(fixture('bad-phones.csv'), '--dry-run');
    importJson(fixture('duplicates.csv'));
    importJson(write('one.csv', 'Name,Phone\nDee Dunn,(415) 555-0134\n')); // small next to the table: indexes kept
    expect(query(indexes)).toEqual(before);
    expect(query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const queued = query(`SELECT count(*) AS n FROM leads INDEXED BY leads_queue WHERE timezone IS NOT NULL AND status IN ('new','working','nurture')`)[0].n;
    expect(queued).toBe(query(`SELECT count(*) AS n FROM leads WHERE timezone IS NOT NULL AND status = 'new'`)[0].n);
    expect(queued).toBeGreaterThan(0);
  });

  it('keeps up the partial indexes of columns a file does not have, and rebuilds them when it has them', () => {
    initDb(db);
    const phones = (from: number, n: number) => Array.from({ length: n }, (_, i) => `(415) 555-${String(from + i).padStart(4, '0')}`);
    // Phones only, into an empty table: e-mail, external id and inbound indexes stay, the rest are rebuilt.
    importJson(write('phones.csv', `Name,Phone\n${phones(100, 3).map((p, i) => `P${i} Q,${p}`).join('\n')}\n`));
    // Every column, larger than the table: all set aside and rebuilt.
    const full = phones(200, 20).map((p, i) => `P${i} Q,${p},p${i}@firm${i}.example,CRM-${i},2026-11-2${i % 3}T10:00:00Z`);
    importJson(write('full.csv', `Name,Phone,Email,ID,Created Date\n${full.join('\n')}\n`));
    // Small next to the table, every lead inbound: inserted through the live indexes.
    importJson(write('late.csv', `Name,Phone\n${phones(300, 2).map((p, i) => `L${i} M,${p}`).join('\n')}\n`), '--inbound');
    expect(query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const count = (where: string, index: string) => [
      query(`SELECT count(*) AS n FROM leads INDEXED BY ${index} WHERE ${where}`)[0].n,
      query(`SELECT count(*) AS n FROM leads NOT INDEXED WHERE ${where}`)[0].n,
    ];
    expect(count('email IS NOT NULL', 'leads_email')).toEqual([20, 20]);
    expect(count('external_id IS NOT NULL', 'leads_external_id')).toEqual([20, 20]);
    expect(count(`status = 'new' AND inbound_at IS NOT NULL`, 'leads_inbound')).toEqual([22, 22]);
  });
});

describe('callq import: files and options refused before any store opens', () => {
  it('an empty file has no header: exit 2', () => {
    const r = importFile(fixture('no-header.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no header row/);
  });

  it('a file without a phone column or header is refused with exit 2', () => {
    expect(importFile(write('nophone.csv', 'Name,Company\nAnn,Acme\n')).stderr).toMatch(/no phone column among 'Name', 'Company'/);
    const r = importFile(write('data.csv', 'Ann,Lee,(212) 734-5525\nBo,Bell,480-947-3315\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no header row; the first line looks like data/);
    // A spreadsheet saved with only empty rows: its first row is commas.
    const blank = importFile(write('blank.csv', ',,,\r\n,,,\r\n,,,\r\n'));
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('blank.csv, line 1: the first row names no column (its cells are empty)');
    expect(existsSync(db)).toBe(false);
  });

  it('refuses bad options with exit 2 before touching anything', () => {
    for (const args of [['--on-duplicate', 'merge'], ['--country', 'USA'], ['--country', 'ZZ'], ['--encoding', 'klingon'], ['--delimiter', '::'], ['--map', 'Phone']]) {
      const r = importFile(fixture('utf8.csv'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(callq(['--db', db, 'import', join(dir, 'missing.csv')]).stderr).toMatch(/cannot read .*missing\.csv/);
    expect(existsSync(db)).toBe(false);
  });

  it('import undo refuses a batch that is not a number', () => {
    const r = callq(['--db', db, 'import', 'undo', 'x']);
    expect(r.code).toBe(2);
    expect(existsSync(db)).toBe(false);
  });
});
