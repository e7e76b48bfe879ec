// `callq import` of each test file (test/fixtures/import) on both stores: the documented counts,
// the values stored (encodings, delimiters, quoting, header variants, phones, --map, --list,
// --source, --inbound), rejects files, broken and empty files, and the rules that keep two people
// apart or merge them (--on-duplicate update). Each file is imported once into a store of its
// own, the tests reading what it left; a test that imports several files in turn has its own.
// What the importer prints (the mapping, the human summary): test/cli/import.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { callq, FIXTURES, initDb, json, ROOT } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { importedOnce } from './import-files.js';

const NOW = '2026-11-23T15:00:00Z';
const fixture = (name: string) => join(FIXTURES, 'import', name);

function write(s: TestStore, name: string, text: string): string {
  const path = join(s.dir, name);
  writeFileSync(path, text);
  return path;
}

/** The files counted: name, rows read, inserted, duplicates, rejected by reason. */
const COUNTS: [string, number, number, number, Record<string, number>][] = [
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
];

/** Each import of the shared stores: the command's file and options (after `--country US --json`). */
const IMPORTS: Record<string, (s: TestStore) => string[]> = {
  ...Object.fromEntries(COUNTS.map(([name]) => [name, () => [fixture(name)]])),
  'bad-phones.csv': (s) => [fixture('bad-phones.csv'), '--rejects', join(s.dir, 'rejects.csv')],
  'ragged.csv': (s) => [fixture('ragged.csv'), '--rejects', join(s.dir, 'rejects.csv')],
  'duplicates.csv': () => [fixture('duplicates.csv'), '--list', 'q4', '--source', 'vendor'],
  'pipe --inbound': () => [fixture('pipe.txt'), '--inbound'],
  proto: (s) => [write(s, 'proto.csv', 'Phone,Lead Source,Campaign\n(212) 734-5526,constructor,toString\n(212) 734-5527,__proto__,hasOwnProperty\n(212) 734-5528,,\n')],
  inbound: (s) => [write(s, 'inbound.csv', 'Name,Phone,Created Date\nAnn Lee,(212) 734-5525,2026-11-23T14:58:00Z\nBo Bell,480-947-3315,someday\nCy Cole,602-264-8813,11/22/2026 3:00 PM\n')],
  'unclosed quote': (s) => [fixture('unclosed-quote.csv'), '--rejects', join(s.dir, 'rejects.csv')],
  'only header': () => [fixture('only-header.csv')],
  'all rejected': (s) => [write(s, 'bad.csv', 'Name,Phone\nAnn,n/a\nBo,\n')],
  'shared mailbox': (s) => [write(s, 'role.csv', 'Name,Email,Phone\nAnn Lee,info@acme.com,(212) 734-5525\nBo Bell,INFO@acme.com,480-947-3315\nAnn Lee,ann@acme.com,212.734.5525\n')],
  '--map': (s) => [
    write(s, 'fr.csv', 'Prénom;Tél. privé;Société;Secteur\nZoë;01 42 68 53 17;Lumière SAS;IT\n'),
    '--country', 'FR', '--map', 'Prénom=first_name,Tél. privé=phone,Société=company,Secteur=ignore',
  ],
  '--source --campaign --list': (s) => [
    write(s, 'options.csv', 'Name,Phone,Lead Source,Campaign\nAnn Lee,(212) 734-5525,webinar,fall\nBo Bell,480-947-3315,,\n'),
    '--source', 'fair', '--campaign', 'spring', '--list', 'q1',
  ],
  'dry run': (s) => [fixture('duplicates.csv'), '--dry-run', '--rejects', join(s.dir, 'rejects.csv')],
};

describe.each(STORE_KINDS)('callq import of each test file on %s', { timeout: 120_000 }, (kind: TestStoreKind) => {
  const { imported, summary } = importedOnce(kind, NOW, () => IMPORTS);
  const query = <T = any>(name: string, sql: string, ...params: unknown[]) => imported[name].store.query<T>(sql, ...params);
  const count = async (name: string, sql: string, ...params: unknown[]) => Number((await query<{ n: unknown }>(name, sql, ...params))[0].n);
  /**
   * An import that failed as a whole left nothing: on SQLite not even the database file it made
   * (the test's path named none), on PostgreSQL (a database made beforehand) no lead and no batch.
   */
  const expectNothingImported = async (name: string) => {
    if (kind === 'sqlite') {
      expect(readdirSync(imported[name].store.dir).filter((f) => f.endsWith('.db') || f.includes('.db-'))).toEqual([]);
      return;
    }
    expect(await count(name, 'SELECT count(*) AS n FROM leads')).toBe(0);
    expect(await count(name, 'SELECT count(*) AS n FROM imports')).toBe(0);
  };

  describe('every file gives the documented counts', () => {
    it.each(COUNTS)('%s: read %i, inserted %i, duplicates %i, rejected %j', async (name, read, inserted, duplicates, byReason) => {
      const s = summary(name);
      const rejected = Object.values(byReason).reduce((a, b) => a + b, 0);
      expect(s).toMatchObject({ rows_read: read, inserted, duplicates, rejected, updated: 0, suppressed: 0, rejected_by_reason: byReason, dry_run: false });
      expect(await count(name, 'SELECT count(*) AS n FROM leads')).toBe(inserted);
      expect((await query(name, 'SELECT id, rows_read, inserted, duplicates, rejected FROM imports')).map((r) => ({ ...r, id: Number(r.id) }))).toEqual([
        { id: s.batch, rows_read: read, inserted, duplicates, rejected },
      ]);
    });

    it('writes every rejected row with its line, reason and original columns', () => {
      summary('bad-phones.csv');
      const rows = parse(readFileSync(join(imported['bad-phones.csv'].store.dir, 'rejects.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
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

    it('rejects ragged rows with too many fields and names lines in the rejects file', async () => {
      summary('ragged.csv');
      const rows = parse(readFileSync(join(imported['ragged.csv'].store.dir, 'rejects.csv'), 'utf8'), { relax_column_count: true }) as string[][];
      expect(rows.map((r) => r.slice(7, 10))).toEqual([
        ['line', 'reason', 'detail'],
        ['5', 'malformed', '8 fields, header has 7'],
        ['6', 'no-phone', 'no phone number'],
      ]);
      // Every cell of the record is kept: those past the header's width follow the detail.
      expect(rows[1]).toEqual(['Hal', 'Iver', '(515) 282-4470', 'Acme', ' Inc.', 'hal.iver@acme-inc.com', 'IT Manager', '5', 'malformed', '8 fields, header has 7', 'IA']);
      expect(rows[2]).toEqual(['Ida', 'Jost', '', '', '', '', '', '6', 'no-phone', 'no phone number']);
      expect(await query('ragged.csv', `SELECT first_name, company, title FROM leads WHERE first_name IN ('Fran', 'Gus') ORDER BY id`)).toEqual([
        { first_name: 'Fran', company: 'Gale Printing', title: null },
        { first_name: 'Gus', company: null, title: null },
      ]);
    });
  });

  describe('stored values', () => {
    it('imports leads whose source or campaign is named like an object property, with no weight for it', async () => {
      expect(summary('proto')).toMatchObject({ inserted: 3, rejected: 0 });
      const ranks = (await query<{ queue_rank: number }>('proto', 'SELECT queue_rank FROM leads ORDER BY id')).map((r) => r.queue_rank);
      expect(ranks).toEqual([ranks[2], ranks[2], ranks[2]]);
    });

    it('decodes every encoding to the same text', async () => {
      for (const name of ['utf8.csv', 'utf8-bom.csv', 'utf16le-bom.csv']) {
        summary(name);
        expect(await query(name, 'SELECT first_name, last_name, company, phone FROM leads ORDER BY id'), name).toEqual([
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

    it('reads Windows-1252 as Windows-1252, not Latin-1', async () => {
      expect(summary('windows-1252.csv').encoding).toBe('windows-1252');
      const name = 'windows-1252.csv';
      expect((await query(name, 'SELECT first_name, last_name, company, title FROM leads ORDER BY id')).map((r) => `${r.first_name} ${r.last_name}, ${r.company}`)).toEqual([
        'René Dubois, Café Olé Imports',
        'Jürgen Müller, Müller & Groß GmbH',
        'Siobhan O’Brien, O’Brien Freight',
        'François Lefèvre, Façade Bâtiment SARL',
        'Zoë Ångström, Nordic Café AB',
      ]);
      expect((await query(name, `SELECT title FROM leads WHERE last_name = 'O’Brien'`))[0].title).toBe('VP – Sales');
    });

    it('keeps European values whole and reads phones in the row country', async () => {
      summary('semicolon.csv');
      expect((await query('semicolon.csv', 'SELECT phone FROM leads ORDER BY id')).map((r) => r.phone)).toEqual(['+493086427152', '+494031976428', '+33142685319', '+33472418820', '+13126457784']);
      expect((await query('semicolon.csv', 'SELECT company FROM leads')).map((r) => r.company)).toEqual(expect.arrayContaining(['Müller, Schmidt & Partner GmbH', 'Dupont; Fils SARL']));
    });

    it('stores tab, pipe and quoted values verbatim, with countries by name', async () => {
      summary('tab.tsv');
      expect((await query('tab.tsv', `SELECT company FROM leads WHERE company LIKE 'Moss%'`))[0].company).toBe('Moss "The Movers" Ltd');
      expect(await query('tab.tsv', 'SELECT phone, country FROM leads WHERE phone IN (?, ?) ORDER BY phone', '+442079460324', '+18085214471')).toEqual([
        { phone: '+18085214471', country: null },
        { phone: '+442079460324', country: 'GB' },
      ]);
      summary('pipe.txt');
      expect(await query('pipe.txt', 'SELECT phone, country FROM leads WHERE phone IN (?, ?) ORDER BY phone', '+14168623341', '+919845012345')).toEqual([
        { phone: '+14168623341', country: 'CA' },
        { phone: '+919845012345', country: 'IN' },
      ]);
    });

    it('keeps embedded line breaks, doubled quotes and unmapped columns as custom fields', async () => {
      summary('embedded-newlines.csv');
      const rows = await query('embedded-newlines.csv', 'SELECT company, title, phone, custom FROM leads ORDER BY id');
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

    it('maps header variants and keeps mobiles, zips and repeated columns', async () => {
      const s = summary('headers-variants.csv');
      expect(s.mapping).toContainEqual({ column: 'Mobile', field: 'alt_phone' });
      expect(s.mapping).toContainEqual({ column: '', field: 'custom:column_12' });
      const rows = await query('headers-variants.csv', 'SELECT first_name, phone, alt_phones, postal_code, custom FROM leads ORDER BY id');
      expect(rows.map((x) => x.alt_phones)).toEqual(['["+13039174402"]', null, '["+14083142295"]', null, '["+12076719904"]']);
      expect(rows.map((x) => x.postal_code)).toContain('06103');
      expect(JSON.parse(rows[0].custom)).toEqual({ Industry: 'Healthcare', column_12: 'x1', Notes: 'First note', Notes_2: 'Second note' });
      expect(await query('headers-variants.csv', 'SELECT l.phone AS lead, a.phone FROM lead_alt_phones a JOIN leads l ON l.id = a.lead_id ORDER BY l.id, a.phone')).toEqual([
        { lead: rows[0].phone, phone: '+13039174402' },
        { lead: rows[2].phone, phone: '+14083142295' },
        { lead: rows[4].phone, phone: '+12076719904' },
      ]);
    });

    it('stores formula-like text exactly as written', async () => {
      summary('formula.csv');
      const rows = await query('formula.csv', 'SELECT first_name, last_name, company FROM leads ORDER BY id');
      expect(rows[0].first_name).toBe('=HYPERLINK("x")');
      expect(rows[1]).toMatchObject({ last_name: '+cmd', company: "+cmd|' /C calc'!A0" });
      expect(rows[3]).toMatchObject({ first_name: '-2+3', company: '=1+2' });
    });

    it('normalises phones, drops a bad e-mail, and keeps the raw phone', async () => {
      expect(summary('bad-phones.csv')).toMatchObject({ warnings: 1, warnings_by_kind: { 'invalid-email': 1 } });
      expect(await query('bad-phones.csv', 'SELECT phone, phone_raw, email FROM leads ORDER BY id')).toEqual([
        { phone: '+12127345524', phone_raw: '(212) 734-5524', email: 'al.ames@amesdata.com' },
        { phone: '+14809473314', phone_raw: '480.947.3314', email: 'flo.fry@fryfreight.com' },
        { phone: '+442079460325', phone_raw: '+44 20 7946 0325', email: 'jo.joy@joyretail.co.uk' },
        { phone: '+442079460327', phone_raw: '020 7946 0327', email: 'lu.lamb@lambanalytics.co.uk' },
        { phone: '+18085214472', phone_raw: '(808) 521-4472 x12', email: 'mo.moe@moemarine.com' },
        { phone: '+19073432264', phone_raw: '1-907-343-2264', email: 'oz.orr@orrice.com' },
        { phone: '+13176329907', phone_raw: '317 632 9907', email: null },
      ]);
    });

    it('sets status, batch, times, zones and queue rank on every lead (--list, --source)', async () => {
      const s = summary('duplicates.csv');
      const rows = await query('duplicates.csv', 'SELECT * FROM leads ORDER BY id');
      for (const row of rows) {
        expect({ ...row, import_id: Number(row.import_id) }).toMatchObject({ status: 'new', import_id: s.batch, created_at: '2026-11-23T15:00:00.000Z', updated_at: '2026-11-23T15:00:00.000Z', list: 'q4', attempts: 0 });
        expect(row.queue_rank).not.toBe(0);
      }
      expect(rows[0]).toMatchObject({ external_id: 'CRM-1001', source: 'webinar', timezone: 'America/New_York', timezone_source: 'phone' });
      expect((await query('duplicates.csv', `SELECT timezone FROM leads WHERE phone = '+16462984412'`))[0].timezone).toBe('America/New_York');
      expect((await query('duplicates.csv', 'SELECT timezone FROM lead_zones ORDER BY timezone')).map((z) => z.timezone)).toEqual(
        [...new Set(rows.map((r) => r.timezone))].sort(),
      );
    });

    it('--source and --campaign fill only the rows without one; --list names every row', async () => {
      expect(summary('--source --campaign --list').inserted).toBe(2);
      expect(await query('--source --campaign --list', 'SELECT last_name, source, campaign, list FROM leads ORDER BY id')).toEqual([
        { last_name: 'Lee', source: 'webinar', campaign: 'fall', list: 'q1' },
        { last_name: 'Bell', source: 'fair', campaign: 'spring', list: 'q1' },
      ]);
    });

    it('--map names columns the importer would not guess', async () => {
      expect(summary('--map').inserted).toBe(1);
      expect(await query('--map', 'SELECT first_name, phone, company, custom FROM leads')).toEqual([{ first_name: 'Zoë', phone: '+33142685317', company: 'Lumière SAS', custom: null }]);
    });
  });

  describe('inbound leads', () => {
    it('reads Created Date into inbound_at and warns on dates it cannot read', async () => {
      expect(summary('inbound').warnings_by_kind).toEqual({ 'invalid-date': 1 });
      expect(await query('inbound', 'SELECT last_name, inbound_at FROM leads ORDER BY id')).toEqual([
        { last_name: 'Lee', inbound_at: '2026-11-23T14:58:00.000Z' },
        { last_name: 'Bell', inbound_at: null },
        { last_name: 'Cole', inbound_at: '2026-11-22T15:00:00.000Z' },
      ]);
    });

    it('--inbound marks every row as arriving now', async () => {
      summary('pipe --inbound');
      expect(await query('pipe --inbound', 'SELECT DISTINCT inbound_at FROM leads')).toEqual([{ inbound_at: '2026-11-23T15:00:00.000Z' }]);
    });
  });

  describe('broken and empty files', () => {
    it('an unclosed quote fails as a whole with exit 2, naming line 4, writing nothing', async () => {
      const r = imported['unclosed quote'];
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/line 4: a quoted field opens here and is never closed/);
      expect(r.summary).toMatchObject({ code: 2, line: 4 }); // with --json, the error as JSON on stdout
      await expectNothingImported('unclosed quote');
      expect(existsSync(join(r.store.dir, 'rejects.csv'))).toBe(false);
      expect(readdirSync(r.store.dir).filter((f) => f.includes('rejects'))).toEqual([]);
    });

    it('a header without rows is nothing to import: exit 3, zero counts, no batch', async () => {
      const r = imported['only header'];
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/nothing to import/);
      expect(r.summary.summary).toMatchObject({ rows_read: 0, inserted: 0, rejected: 0 });
      await expectNothingImported('only header');
    });

    it('an import whose rows are all rejected is still a batch (exit 0)', async () => {
      expect(summary('all rejected')).toMatchObject({ rows_read: 2, inserted: 0, rejected: 2 });
      expect(await count('all rejected', 'SELECT count(*) AS n FROM imports')).toBe(1);
    });
  });

  describe('duplicates, dry run', () => {
    it('a shared mailbox such as info@ does not make two people one lead', () => {
      expect(summary('shared mailbox')).toMatchObject({ inserted: 2, duplicates: 1 });
    });

    it('--dry-run counts as the import would, writes the rejects file, and stores nothing', async () => {
      const dry = summary('dry run');
      expect(dry).toMatchObject({ dry_run: true, batch: null, inserted: 7, duplicates: 5, rejected: 1 });
      if (kind === 'sqlite') {
        // Before the file exists, not even the file is made.
        expect(existsSync(imported['dry run'].store.db)).toBe(false);
      } else {
        expect(await count('dry run', 'SELECT count(*) AS n FROM leads')).toBe(0);
        expect(await count('dry run', 'SELECT count(*) AS n FROM imports')).toBe(0);
      }
      expect(readFileSync(join(imported['dry run'].store.dir, 'rejects.csv'), 'utf8')).toMatch(/,11,invalid-phone,/);
      const real = summary('duplicates.csv');
      expect({ ...real, seconds: 0, batch: null, dry_run: true, lock: null }).toEqual({ ...dry, seconds: 0 });
    });
  });
});

describe.each(STORE_KINDS)('callq import in several steps on %s', { timeout: 180_000 }, (kind: TestStoreKind) => {
  let s: TestStore;
  afterEach(async () => {
    await s?.cleanup();
  });

  const importJson = (file: string, ...args: string[]) => {
    const r = callq(['--db', s.db, '--now', NOW, 'import', file, '--country', 'US', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return json(r);
  };
  const count = async (sql: string, ...params: unknown[]) => Number((await s.query<{ n: unknown }>(sql, ...params))[0].n);

  it('--on-duplicate update merges into the stored lead but never its status or history', async () => {
    s = await newTestStore(kind);
    importJson(fixture('bad-phones.csv'));
    await s.query(`UPDATE leads SET status = 'working', attempts = 2, last_call_at = '2026-11-20T15:00:00.000Z' WHERE phone = '+12127345524'`);
    const file = write(s, 'update.csv', 'Phone,Company,Title,Email,Lead Source,Industry\n212.734.5524,Ames Data Inc,CIO,,newsource,Software\n+1 480 947 3314,Fry Freight,Fleet Manager,flo.fry@fryfreight.com,linkedin,\n');
    expect(importJson(file, '--on-duplicate', 'update')).toMatchObject({ updated: 1, duplicates: 1, inserted: 0 });
    const ames = (await s.query(`SELECT * FROM leads WHERE phone = '+12127345524'`))[0];
    expect(ames).toMatchObject({ company: 'Ames Data Inc', title: 'CIO', email: 'al.ames@amesdata.com', source: 'webinar', status: 'working', attempts: 2, updated_at: '2026-11-23T15:00:00.000Z' });
    expect(JSON.parse(ames.custom)).toEqual({ Industry: 'Software' });
    expect(Number(ames.import_id)).toBe(1);
    expect(await count('SELECT updated AS n FROM imports WHERE id = 2')).toBe(1);
  });

  it('a duplicate by e-mail or external id with another phone adds that phone as an alternate on update', async () => {
    s = await newTestStore(kind);
    importJson(fixture('duplicates.csv'));
    importJson(write(s, 'more.csv', 'External ID,Email,Phone\nCRM-1004,,(907) 343-2299\n'), '--on-duplicate', 'update');
    expect(await s.query(`SELECT phone, alt_phones FROM leads WHERE external_id = 'CRM-1004'`)).toEqual([{ phone: '+16022648813', alt_phones: '["+19073432299"]' }]);
    expect(await s.query(`SELECT a.phone FROM lead_alt_phones a JOIN leads l ON l.id = a.lead_id WHERE l.external_id = 'CRM-1004'`)).toEqual([{ phone: '+19073432299' }]);
  });

  it('phones, e-mails and domains put on the list with dnc add are counted as suppressed and never become leads', async () => {
    s = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(s.db);
    const add = callq(['--db', s.db, '--now', NOW, 'dnc', 'add', '+12127345525', 'bob.ortiz@apexfoods.com', '@parklee.com']);
    expect(add.code, add.stderr).toBe(0);
    // Ann Lee twice (phone), Bob and Robert Ortiz (e-mail), Gina Park twice (domain).
    expect(importJson(fixture('duplicates.csv'))).toMatchObject({ suppressed: 6, inserted: 4, duplicates: 2, rejected: 1 });
    expect(await count(`SELECT count(*) AS n FROM leads WHERE phone = '+12127345525' OR email LIKE '%parklee.com'`)).toBe(0);
  });

  it('a generated list big enough for worker threads gives the counts the generator predicts', async () => {
    s = await newTestStore(kind);
    const file = join(s.dir, 'big.csv');
    const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-leads.js'), '20000', file, '--seed', '7'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const expected = JSON.parse(gen.stderr.trim().split('\n').pop()!).expect;
    expect(statSync(file).size).toBeGreaterThan(1 << 20);
    expect(importJson(file)).toMatchObject({ rows_read: 20_000, inserted: expected.valid, duplicates: expected.duplicates, rejected: expected.rejected });
    expect(await count('SELECT count(*) AS n FROM leads')).toBe(expected.valid);
  });
});
