import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BASE_ENV, BIN, callq, initDb, FIXTURES, json, openRaw, queryDb, ROOT, useTempDb } from '../helpers.js';
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

describe('callq import: every fixture gives the documented counts', () => {
  it.each([
    ['utf8.csv', 7, 7, 0, {}],
    ['utf8-bom.csv', 7, 7, 0, {}],
    ['utf16le-bom.csv', 7, 7, 0, {}],
    ['windows-1252.csv', 5, 5, 0, {}],
    ['semicolon.csv', 6, 5, 0, { 'invalid-phone': 1 }],
    ['tab.tsv', 6, 6, 0, {}],
    ['pipe.txt', 5, 4, 0, { 'no-phone': 1 }],
    ['cr-only.csv', 5, 5, 0, {}],
    ['mixed-eol.csv', 5, 5, 0, {}],
    ['embedded-newlines.csv', 5, 5, 0, {}],
    ['blank-lines.csv', 4, 4, 0, {}],
    ['ragged.csv', 6, 4, 0, { malformed: 1, 'no-phone': 1 }],
    ['headers-variants.csv', 5, 5, 0, {}],
    ['bad-phones.csv', 18, 7, 0, { 'no-phone': 1, 'invalid-phone': 10 }],
    ['duplicates.csv', 13, 7, 5, { 'invalid-phone': 1 }],
    ['formula.csv', 5, 5, 0, {}],
  ])('%s: read %i, inserted %i, duplicates %i, rejected %j', (name, read, inserted, duplicates, byReason) => {
    const s = importJson(fixture(name));
    const rejected = Object.values(byReason).reduce((a, b) => a + b, 0);
    expect(s).toMatchObject({ rows_read: read, inserted, duplicates, rejected, updated: 0, suppressed: 0, rejected_by_reason: byReason, dry_run: false });
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(inserted);
    expect(query('SELECT id, rows_read, inserted, duplicates, rejected FROM imports')).toEqual([{ id: s.batch, rows_read: read, inserted, duplicates, rejected }]);
  });

  it('writes every rejected row with its line, reason and original columns', () => {
    const rejects = join(dir, 'rejects.csv');
    importJson(fixture('bad-phones.csv'), '--rejects', rejects);
    const rows = parse(readFileSync(rejects, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.line, r.reason, r.Phone])).toEqual([
      ['3', 'no-phone', ''],
      ['4', 'invalid-phone', 'n/a'],
      ['5', 'invalid-phone', '123'],
      ['6', 'invalid-phone', 'TBD'],
      ['8', 'invalid-phone', '(212) 734-55'],
      ['9', 'invalid-phone', '000-000-0000'],
      ['10', 'invalid-phone', '(123) 456-7890'],
      ['12', 'invalid-phone', '020 7946 0326'],
      ['15', 'invalid-phone', '212-734-55219'],
      ['18', 'invalid-phone', '(555) 123-4567'],
      ['19', 'invalid-phone', 'call after 3pm'],
    ]);
    expect(rows[0]).toMatchObject({ 'First Name': 'Bo', Company: 'Bell Foods', detail: 'no phone number' });
    expect(rows[7].detail).toBe("'020 7946 0326' is not a valid US phone number");
  });

  it('says when nothing was rejected, and refuses an empty --rejects name', () => {
    const clean = importFile(fixture('utf8.csv'), '--rejects', join(dir, 'none.csv'));
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/No row was rejected; .*none\.csv holds only the header/);
    expect(clean.stderr).not.toMatch(/Rejected rows written/);
    const empty = importFile(fixture('utf8.csv'), '--rejects', '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--rejects needs a file name/);
  });

  it('rejects ragged rows with too many fields and names lines in the rejects file', () => {
    const rejects = join(dir, 'r.csv');
    importJson(fixture('ragged.csv'), '--rejects', rejects);
    const rows = parse(readFileSync(rejects, 'utf8'), { relax_column_count: true }) as string[][];
    expect(rows.map((r) => r.slice(7, 10))).toEqual([
      ['line', 'reason', 'detail'],
      ['5', 'malformed', '8 fields, header has 7'],
      ['6', 'no-phone', 'no phone number'],
    ]);
    // Every cell of the record is kept: those past the header's width follow the detail.
    expect(rows[1]).toEqual(['Hal', 'Iver', '(515) 282-4470', 'Acme', ' Inc.', 'hal.iver@acme-inc.com', 'IT Manager', '5', 'malformed', '8 fields, header has 7', 'IA']);
    expect(rows[2]).toEqual(['Ida', 'Jost', '', '', '', '', '', '6', 'no-phone', 'no phone number']);
    expect(query(`SELECT first_name, company, title FROM leads WHERE first_name IN ('Fran', 'Gus') ORDER BY id`)).toEqual([
      { first_name: 'Fran', company: 'Gale Printing', title: null },
      { first_name: 'Gus', company: null, title: null },
    ]);
  });
});

describe('callq import: stored values', () => {
  it('imports leads whose source or campaign is named like an object property, with no weight for it', () => {
    const file = write('proto.csv', 'Phone,Lead Source,Campaign\n(212) 734-5526,constructor,toString\n(212) 734-5527,__proto__,hasOwnProperty\n(212) 734-5528,,\n');
    expect(importJson(file)).toMatchObject({ inserted: 3, rejected: 0 });
    const ranks = query<{ queue_rank: number }>('SELECT queue_rank FROM leads ORDER BY id').map((r) => r.queue_rank);
    expect(ranks).toEqual([ranks[2], ranks[2], ranks[2]]);
  });

  it('decodes every encoding to the same text', () => {
    for (const name of ['utf8.csv', 'utf8-bom.csv', 'utf16le-bom.csv']) {
      db = join(dir, `${name}.db`);
      importJson(fixture(name));
      expect(query('SELECT first_name, last_name, company, phone FROM leads ORDER BY id')).toEqual([
        { first_name: 'José', last_name: 'García', company: 'Café Olé Imports', phone: '+12127345521' },
        { first_name: 'Jürgen', last_name: 'Müller', company: 'Müller Präzisionstechnik GmbH', phone: '+493086427150' },
        { first_name: 'Siobhán', last_name: "O'Brien", company: 'Liffey Analytics', phone: '+16174829031' },
        { first_name: 'Zoë', last_name: 'Lefèvre', company: 'Lumière Informatique SAS', phone: '+33142685317' },
        { first_name: 'Łukasz', last_name: 'Wójcik', company: 'Kraków Freight Sp. z o.o.', phone: '+13126457782' },
        { first_name: 'Hương', last_name: 'Nguyễn', company: 'Sài Gòn Trading Pty Ltd', phone: '+61293744821' },
        { first_name: '太郎', last_name: '山田', company: 'Sakura 🚀 Robotics', phone: '+14159823307' },
      ]);
    }
  });

  it('reads Windows-1252 as Windows-1252, not Latin-1', () => {
    const s = importJson(fixture('windows-1252.csv'));
    expect(s.encoding).toBe('windows-1252');
    expect(query('SELECT first_name, last_name, company, title FROM leads ORDER BY id').map((r) => `${r.first_name} ${r.last_name}, ${r.company}`)).toEqual([
      'René Dubois, Café Olé Imports',
      'Jürgen Müller, Müller & Groß GmbH',
      'Siobhan O’Brien, O’Brien Freight',
      'François Lefèvre, Façade Bâtiment SARL',
      'Zoë Ångström, Nordic Café AB',
    ]);
    expect(query(`SELECT title FROM leads WHERE last_name = 'O’Brien'`)[0].title).toBe('VP – Sales');
  });

  it('keeps European values whole and reads phones in the row country', () => {
    importJson(fixture('semicolon.csv'));
    expect(query('SELECT phone FROM leads ORDER BY id').map((r) => r.phone)).toEqual(['+493086427152', '+494031976428', '+33142685319', '+33472418820', '+13126457784']);
    expect(query('SELECT company FROM leads').map((r) => r.company)).toEqual(expect.arrayContaining(['Müller, Schmidt & Partner GmbH', 'Dupont; Fils SARL']));
  });

  it('stores tab, pipe and quoted values verbatim, with countries by name', () => {
    importJson(fixture('tab.tsv'));
    expect(query(`SELECT company FROM leads WHERE company LIKE 'Moss%'`)[0].company).toBe('Moss "The Movers" Ltd');
    expect(query('SELECT phone, country FROM leads WHERE phone IN (?, ?) ORDER BY phone', '+442079460324', '+18085214471')).toEqual([
      { phone: '+18085214471', country: null },
      { phone: '+442079460324', country: 'GB' },
    ]);
    importJson(fixture('pipe.txt'));
    expect(query('SELECT phone, country FROM leads WHERE phone IN (?, ?) ORDER BY phone', '+14168623341', '+919845012345')).toEqual([
      { phone: '+14168623341', country: 'CA' },
      { phone: '+919845012345', country: 'IN' },
    ]);
  });

  it('keeps embedded line breaks, doubled quotes and unmapped columns as custom fields', () => {
    importJson(fixture('embedded-newlines.csv'));
    const rows = query('SELECT company, title, phone, custom FROM leads ORDER BY id');
    expect(rows[0].company).toBe('Lang & Söhne\nLogistik GmbH');
    expect(JSON.parse(rows[0].custom)).toEqual({ Notes: 'Met at Hannover Messe.\nWants a callback in January.' });
    expect(rows[1].company).toBe('Price "Best" Movers');
    expect(JSON.parse(rows[1].custom)).toEqual({ Notes: 'He said "call me Walt"' });
    expect(rows[2].title).toBe('Head of\nData');
    expect(rows[2].custom).toBeNull();
    expect(rows[3].phone).toBe('+15032264471');
    expect(JSON.parse(rows[3].custom)).toEqual({ Notes: 'Line 1\nLine 2\n"Line 3", with a comma' });
    expect(rows[4].company).toBe('Hill, Hill & Hill');
  });

  it('maps header variants, prints the mapping, and keeps mobiles, zips and repeated columns', () => {
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
    const rows = query('SELECT first_name, phone, alt_phones, postal_code, custom FROM leads ORDER BY id');
    expect(rows.map((x) => x.alt_phones)).toEqual(['["+13039174402"]', null, '["+14083142295"]', null, '["+12076719904"]']);
    expect(rows.map((x) => x.postal_code)).toContain('06103');
    expect(JSON.parse(rows[0].custom)).toEqual({ Industry: 'Healthcare', column_12: 'x1', Notes: 'First note', Notes_2: 'Second note' });
    const json = importJson(fixture('headers-variants.csv'), '--dry-run');
    expect(json.mapping).toContainEqual({ column: 'Mobile', field: 'alt_phone' });
    expect(json.mapping).toContainEqual({ column: '', field: 'custom:column_12' });
  });

  it('stores formula-like text exactly as written', () => {
    importJson(fixture('formula.csv'));
    const rows = query('SELECT first_name, last_name, company FROM leads ORDER BY id');
    expect(rows[0].first_name).toBe('=HYPERLINK("x")');
    expect(rows[1]).toMatchObject({ last_name: '+cmd', company: "+cmd|' /C calc'!A0" });
    expect(rows[3]).toMatchObject({ first_name: '-2+3', company: '=1+2' });
  });

  it('normalises phones, drops a bad e-mail with a warning naming the line, and keeps the raw phone', () => {
    const r = importFile(fixture('bad-phones.csv'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/line 17: invalid e-mail 'pi\.pope@@popesystems\.com' dropped/);
    expect(r.stderr).toMatch(/warnings\s+1\s+\(invalid-email 1\)/);
    expect(query('SELECT phone, phone_raw, email FROM leads ORDER BY id')).toEqual([
      { phone: '+12127345524', phone_raw: '(212) 734-5524', email: 'al.ames@amesdata.com' },
      { phone: '+14809473314', phone_raw: '480.947.3314', email: 'flo.fry@fryfreight.com' },
      { phone: '+442079460325', phone_raw: '+44 20 7946 0325', email: 'jo.joy@joyretail.co.uk' },
      { phone: '+442079460327', phone_raw: '020 7946 0327', email: 'lu.lamb@lambanalytics.co.uk' },
      { phone: '+18085214472', phone_raw: '(808) 521-4472 x12', email: 'mo.moe@moemarine.com' },
      { phone: '+19073432264', phone_raw: '1-907-343-2264', email: 'oz.orr@orrice.com' },
      { phone: '+13176329907', phone_raw: '317 632 9907', email: null },
    ]);
  });

  it('sets status, batch, times, zones and queue rank on every lead', () => {
    const s = importJson(fixture('duplicates.csv'), '--list', 'q4', '--source', 'vendor');
    const rows = query('SELECT * FROM leads ORDER BY id');
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'new', import_id: s.batch, created_at: '2026-11-23T15:00:00.000Z', updated_at: '2026-11-23T15:00:00.000Z', list: 'q4', attempts: 0 });
      expect(row.queue_rank).not.toBe(0);
    }
    expect(rows[0]).toMatchObject({ external_id: 'CRM-1001', source: 'webinar', timezone: 'America/New_York', timezone_source: 'phone' });
    expect(query(`SELECT timezone FROM leads WHERE phone = '+16462984412'`)[0].timezone).toBe('America/New_York');
    expect(query('SELECT timezone FROM lead_zones ORDER BY timezone').map((z) => z.timezone)).toEqual(
      [...new Set(rows.map((r) => r.timezone))].sort(),
    );
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

describe('callq import: inbound leads', () => {
  it('reads Created Date into inbound_at and warns on dates it cannot read', () => {
    const file = write('inbound.csv', 'Name,Phone,Created Date\nAnn Lee,(212) 734-5525,2026-11-23T14:58:00Z\nBo Bell,480-947-3315,someday\nCy Cole,602-264-8813,11/22/2026 3:00 PM\n');
    const s = importJson(file);
    expect(s.warnings_by_kind).toEqual({ 'invalid-date': 1 });
    expect(query('SELECT last_name, inbound_at FROM leads ORDER BY id')).toEqual([
      { last_name: 'Lee', inbound_at: '2026-11-23T14:58:00.000Z' },
      { last_name: 'Bell', inbound_at: null },
      { last_name: 'Cole', inbound_at: '2026-11-22T15:00:00.000Z' },
    ]);
  });

  it('--inbound marks every row as arriving now', () => {
    importJson(fixture('pipe.txt'), '--inbound');
    expect(query('SELECT DISTINCT inbound_at FROM leads')).toEqual([{ inbound_at: '2026-11-23T15:00:00.000Z' }]);
  });
});

describe('callq import: broken and empty files', () => {
  it('an unclosed quote fails as a whole with exit 2, naming line 4, writing nothing', () => {
    const rejects = join(dir, 'rejects.csv');
    const r = importFile(fixture('unclosed-quote.csv'), '--rejects', rejects);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 4: a quoted field opens here and is never closed/);
    expect(r.stdout).toBe('');
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(0);
    expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(0);
    expect(existsSync(rejects)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('rejects'))).toEqual([]);
  });

  it('an empty file has no header: exit 2', () => {
    const r = importFile(fixture('no-header.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no header row/);
  });

  it('a header without rows is nothing to import: exit 3, zero counts, no batch', () => {
    const r = importFile(fixture('only-header.csv'), '--json');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nothing to import/);
    expect(json(r).summary).toMatchObject({ rows_read: 0, inserted: 0, rejected: 0 });
    expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(0);
  });

  it('a file without a phone column or header is refused with exit 2', () => {
    expect(importFile(write('nophone.csv', 'Name,Company\nAnn,Acme\n')).stderr).toMatch(/no phone column among 'Name', 'Company'/);
    const r = importFile(write('data.csv', 'Ann,Lee,(212) 734-5525\nBo,Bell,480-947-3315\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no header row; the first line looks like data/);
  });

  it('refuses bad options with exit 2 before touching anything', () => {
    for (const args of [['--on-duplicate', 'merge'], ['--country', 'USA'], ['--country', 'ZZ'], ['--encoding', 'klingon'], ['--delimiter', '::'], ['--map', 'Phone']]) {
      const r = importFile(fixture('utf8.csv'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(callq(['--db', db, 'import', join(dir, 'missing.csv')]).stderr).toMatch(/cannot read .*missing\.csv/);
    expect(existsSync(db)).toBe(false);
  });

  it('an import whose rows are all rejected is still a batch (exit 0)', () => {
    const s = importJson(write('bad.csv', 'Name,Phone\nAnn,n/a\nBo,\n'));
    expect(s).toMatchObject({ rows_read: 2, inserted: 0, rejected: 2 });
    expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(1);
  });
});

describe('callq import: duplicates, merges, suppression, dry run', () => {
  it('re-importing the same file inserts nothing', () => {
    importJson(fixture('duplicates.csv'));
    const again = importJson(fixture('duplicates.csv'));
    expect(again).toMatchObject({ inserted: 0, duplicates: 12, rejected: 1, updated: 0 });
  });

  it('a shared mailbox such as info@ does not make two people one lead', () => {
    const file = write('role.csv', 'Name,Email,Phone\nAnn Lee,info@acme.com,(212) 734-5525\nBo Bell,INFO@acme.com,480-947-3315\nAnn Lee,ann@acme.com,212.734.5525\n');
    expect(importJson(file)).toMatchObject({ inserted: 2, duplicates: 1 });
  });

  it('--on-duplicate update merges into the stored lead but never its status or history', () => {
    importJson(fixture('bad-phones.csv'));
    const conn = openRaw(db);
    conn.prepare(`UPDATE leads SET status = 'working', attempts = 2, last_call_at = '2026-11-20T15:00:00.000Z' WHERE phone = '+12127345524'`).run();
    conn.close();
    const file = write('update.csv', 'Phone,Company,Title,Email,Lead Source,Industry\n212.734.5524,Ames Data Inc,CIO,,newsource,Software\n+1 480 947 3314,Fry Freight,Fleet Manager,flo.fry@fryfreight.com,linkedin,\n');
    const s = importJson(file, '--on-duplicate', 'update');
    expect(s).toMatchObject({ updated: 1, duplicates: 1, inserted: 0 });
    const ames = query(`SELECT * FROM leads WHERE phone = '+12127345524'`)[0];
    expect(ames).toMatchObject({ company: 'Ames Data Inc', title: 'CIO', email: 'al.ames@amesdata.com', source: 'webinar', status: 'working', attempts: 2, updated_at: '2026-11-23T15:00:00.000Z' });
    expect(JSON.parse(ames.custom)).toEqual({ Industry: 'Software' });
    expect(ames.import_id).toBe(1);
    expect(query('SELECT updated FROM imports WHERE id = 2')[0].updated).toBe(1);
  });

  it('a duplicate by e-mail or external id with another phone adds that phone as an alternate on update', () => {
    importJson(fixture('duplicates.csv'));
    importJson(write('more.csv', 'External ID,Email,Phone\nCRM-1004,,(907) 343-2299\n'), '--on-duplicate', 'update');
    expect(query(`SELECT phone, alt_phones FROM leads WHERE external_id = 'CRM-1004'`)).toEqual([{ phone: '+16022648813', alt_phones: '["+19073432299"]' }]);
  });

  it('suppressed phones, e-mails and domains are counted and never become leads', () => {
    expect(callq(['--db', db, 'init']).code).toBe(0);
    expect(callq(['--db', db, 'dnc', 'add', '+12127345525', 'bob.ortiz@apexfoods.com', '@parklee.com']).code).toBe(0);
    const s = importJson(fixture('duplicates.csv'));
    // Ann Lee twice (phone), Bob and Robert Ortiz (e-mail), Gina Park twice (domain).
    expect(s).toMatchObject({ suppressed: 6, inserted: 4, duplicates: 2, rejected: 1 });
    expect(query(`SELECT count(*) AS n FROM leads WHERE phone = '+12127345525' OR email LIKE '%parklee.com'`)[0].n).toBe(0);
  });

  it('--dry-run reports exactly what an import would do and changes nothing', () => {
    const rejects = join(dir, 'rejects.csv');
    const dry = importJson(fixture('duplicates.csv'), '--dry-run', '--rejects', rejects);
    expect(dry).toMatchObject({ dry_run: true, batch: null, inserted: 7, duplicates: 5, rejected: 1 });
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(0);
    expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(0);
    expect(query(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'leads_zone_insert'`)[0].n).toBe(1);
    expect(readFileSync(rejects, 'utf8')).toMatch(/,11,invalid-phone,/);
    const real = importJson(fixture('duplicates.csv'));
    expect(real.lock).toBe('whole'); // nobody is working: one transaction
    expect({ ...real, seconds: 0, batch: null, dry_run: true, lock: null }).toEqual({ ...dry, seconds: 0 });
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

  it('--map names columns the importer would not guess', () => {
    const file = write('fr.csv', 'Prénom;Tél. privé;Société;Secteur\nZoë;01 42 68 53 17;Lumière SAS;IT\n');
    const s = importJson(file, '--country', 'FR', '--map', 'Prénom=first_name,Tél. privé=phone,Société=company,Secteur=ignore');
    expect(s.inserted).toBe(1);
    expect(query('SELECT first_name, phone, company, custom FROM leads')).toEqual([{ first_name: 'Zoë', phone: '+33142685317', company: 'Lumière SAS', custom: null }]);
  });
});

describe('callq imports and callq import undo', () => {
  it('lists batches, undoes the leads a batch created but not those it updated', () => {
    expect(callq(['--db', db, 'imports']).code).toBe(2); // no database yet
    expect(callq(['--db', db, 'init']).code).toBe(0);
    expect(callq(['--db', db, 'imports']).code).toBe(3);
    importJson(fixture('bad-phones.csv'));
    importJson(write('u.csv', 'Phone,Company\n(212) 734-5524,Ames Data Inc\n(212) 734-5525,New Lead Co\n'), '--on-duplicate', 'update');
    const list = json(callq(['--db', db, 'imports', '--json']));
    expect(list.map((b: any) => [b.batch, b.inserted, b.updated, b.undone_at])).toEqual([
      [1, 7, 0, null],
      [2, 1, 1, null],
    ]);
    expect(list[0].options).toMatchObject({ on_duplicate: 'skip', country: 'US', rejected_by_reason: { 'no-phone': 1, 'invalid-phone': 10 } });
    expect(callq(['--db', db, 'imports']).stdout).toMatch(/bad-phones\.csv/);

    const undo = callq(['--db', db, '--now', NOW, 'import', 'undo', '2', '--json']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(json(undo)).toEqual({ batch: 2, removed: 1, called: 0, updated_kept: 1 });
    expect(query(`SELECT company FROM leads WHERE phone = '+12127345524'`)[0].company).toBe('Ames Data Inc');
    expect(query(`SELECT count(*) AS n FROM leads WHERE phone = '+12127345525'`)[0].n).toBe(0);
    expect(query('SELECT undone_at FROM imports WHERE id = 2')[0].undone_at).toBe('2026-11-23T15:00:00.000Z');
    expect(callq(['--db', db, 'import', 'undo', '2']).code).toBe(3);
    expect(callq(['--db', db, 'import', 'undo', '9']).code).toBe(2);
    expect(callq(['--db', db, 'import', 'undo', 'x']).code).toBe(2);
  });

  it('refuses to undo a batch whose leads were called, unless --force', () => {
    importJson(fixture('bad-phones.csv'));
    const conn = openRaw(db);
    const lead = conn.prepare(`SELECT id FROM leads WHERE phone = '+12127345524'`).get() as { id: number };
    conn.prepare(`UPDATE leads SET attempts = 1, status = 'working' WHERE id = ?`).run(lead.id);
    conn.prepare(`INSERT INTO calls(lead_id, rep, called_at, disposition) VALUES (?, 'ana', ?, 'no-answer')`).run(lead.id, NOW);
    conn.close();
    const refused = callq(['--db', db, 'import', 'undo', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 lead\(s\) of import batch 1 have been called.*--force/);
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(7);
    const forced = callq(['--db', db, 'import', 'undo', '1', '--force', '--json']);
    expect(json(forced)).toMatchObject({ removed: 7, called: 1 });
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(0);
    expect(query('SELECT count(*) AS n FROM calls')[0].n).toBe(0);
  });
});

describe('callq import: large files', () => {
  function generate(rows: number, file: string): { valid: number; duplicates: number; rejected: number } {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-leads.js'), String(rows), file, '--seed', '7'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stderr.trim().split('\n').pop()!).expect;
  }

  it('a generated list big enough for worker threads gives the counts the generator predicts', () => {
    const file = join(dir, 'big.csv');
    const expected = generate(20_000, file);
    expect(statSync(file).size).toBeGreaterThan(1 << 20);
    const s = importJson(file);
    expect(s).toMatchObject({ rows_read: 20_000, inserted: expected.valid, duplicates: expected.duplicates, rejected: expected.rejected });
  });

  async function startAndWait(args: string[]) {
    const child = spawn(process.execPath, [BIN, '--db', db, 'import', ...args], { env: { ...BASE_ENV, CALLQ_REP: 'ana' } });
    // Once it has written slices (the WAL grows past 4 MB); it must not end first. The test's own
    // timeout bounds the wait.
    const wal = `${db}-wal`;
    while (!(existsSync(wal) && statSync(wal).size > 4 << 20)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the import ended (exit ${child.exitCode}) before it had written 4 MB`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return child;
  }

  it('Ctrl-C rolls the import back and leaves no rejects file behind', async () => {
    const file = join(dir, 'big.csv');
    generate(300_000, file);
    const child = await startAndWait([file, '--rejects', join(dir, 'rejects.csv')]);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('rejects'))).toEqual([]);
  }, 120_000);

  it('a killed import leaves nothing callable; the next import removes what it wrote and says so', async () => {
    importJson(fixture('utf8.csv'));
    const before = query('SELECT * FROM leads ORDER BY id');
    const file = join(dir, 'big.csv');
    generate(300_000, file);
    const child = await startAndWait([file, '--json']);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(query(`SELECT * FROM leads WHERE status <> 'importing' ORDER BY id`)).toEqual(before);
    expect(query(`SELECT state FROM imports WHERE id = 2`)).toEqual([{ state: 'running' }]);
    expect(json(callq(['--db', db, 'imports', '--json'])).map((b: any) => b.state)).toEqual(['complete', 'interrupted']);
    expect(query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'leads_zone_insert'`)[0].n).toBe(1);
    const next = importFile(fixture('pipe.txt'), '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).inserted).toBe(4);
    expect(next.stderr).toMatch(/Import batch 2 had been interrupted or had failed; removed the \d+ lead\(s\) it had written/);
    expect(query(`SELECT count(*) AS n FROM leads WHERE import_id = 2`)[0].n).toBe(0);
    expect(json(callq(['--db', db, 'imports', '--json'])).map((b: any) => b.state)).toEqual(['complete', 'failed', 'complete']);
  }, 120_000);
});
