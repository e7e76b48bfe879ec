// Real exports end to end: each product's export (test/fixtures/vendors, written by
// make-vendor-fixtures.js) imported through the binary, counts and stored values checked.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, FIXTURES, json, openRaw, useTempDb } from '../helpers.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

const NOW = '2026-11-23T15:00:00Z';
const vendor = (name: string) => join(FIXTURES, 'vendors', name);
const run = (file: string, ...args: string[]) => callq(['--db', db, '--now', NOW, 'import', file, '--country', 'US', ...args]);
function importJson(file: string, ...args: string[]) {
  const r = run(file, '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return json(r);
}

interface Stored {
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  phone: string;
  alt_phones: string[];
  country: string | null;
  region: string | null;
  postal_code: string | null;
  inbound_at: string | null;
  custom: Record<string, string>;
}

function leads(): Stored[] {
  const conn = openRaw(db);
  try {
    const rows = conn.prepare('SELECT first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, inbound_at, custom FROM leads ORDER BY id').all() as any[];
    return rows.map((r) => ({ ...r, alt_phones: r.alt_phones ? JSON.parse(r.alt_phones) : [], custom: r.custom ? JSON.parse(r.custom) : {} }));
  } finally {
    conn.close();
  }
}

const byLast = (rows: Stored[], last: string) => {
  const row = rows.find((r) => r.last_name === last);
  expect(row, `a lead named ${last}`).toBeDefined();
  return row!;
};

/** An exported time without an offset is read in the importing machine's zone. */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).toISOString();

describe('callq import: vendor exports give the documented counts', () => {
  // identity: no row has a DNC flag set, an extension shared with a colleague, or a reused id,
  // so these counts hold whatever the identity rules decide.
  it.each([
    ['salesforce.csv', 8, 6, { 'no-phone': 1, 'invalid-phone': 1 }, {}],
    ['hubspot.csv', 6, 6, {}, { 'invalid-email': 1 }],
    ['apollo.csv', 5, 4, { 'no-phone': 1 }, {}],
    ['zoominfo.csv', 6, 6, {}, {}],
    ['pipedrive.csv', 5, 4, { 'no-phone': 1 }, {}],
    ['google-contacts.csv', 6, 5, { 'no-phone': 1 }, {}],
    ['outlook.csv', 5, 4, { 'no-phone': 1 }, {}],
    ['zoho.csv', 6, 5, { 'invalid-phone': 1 }, { 'unknown-country': 1 }],
    ['utf8-stray-byte.csv', 5, 5, {}, { undecodable: 1 }],
    ['iso-8859-2-polish.csv', 4, 4, {}, {}],
    ['shift-jis.csv', 4, 4, {}, {}],
  ])('%s: %i rows, %i inserted', (name, rowsRead, inserted, rejected, warnings) => {
    const s = importJson(vendor(name));
    expect(s).toMatchObject({ rows_read: rowsRead, inserted, duplicates: 0, rejected: Object.values(rejected).reduce((a, b) => a + b, 0) });
    expect(s.rejected_by_reason).toEqual(rejected);
    expect(s.warnings_by_kind).toEqual(warnings);
    expect(leads()).toHaveLength(inserted);
  });
});

describe('callq import: what each vendor export stores', () => {
  it('Salesforce: Company / Account, Create Date, countries as names and codes', () => {
    importJson(vendor('salesforce.csv'));
    const rows = leads();
    expect(byLast(rows, 'García')).toMatchObject({ first_name: 'José', company: 'Café Olé Imports, Inc.', title: 'VP Operations', email: 'jose.garcia@cafeole.com', phone: '+12127345521', country: 'US', region: 'NY', postal_code: '10014', inbound_at: local(2026, 11, 20) });
    expect(byLast(rows, 'Müller')).toMatchObject({ first_name: 'Zoë', phone: '+493086427150', alt_phones: ['+4915123456789'], country: 'DE', inbound_at: local(2026, 11, 21, 9, 5) });
    expect(byLast(rows, 'Wójcik')).toMatchObject({ first_name: 'Łukasz', phone: '+48123456789', country: 'PL' });
    expect(byLast(rows, '山田')).toMatchObject({ first_name: '太郎', phone: '+81312345678', country: 'JP' });
    expect(byLast(rows, 'Brown')).toMatchObject({ phone: '+442079460321', country: 'GB' });
    expect(byLast(rows, 'Quinn')).toMatchObject({ phone: '+14159823307', country: 'US' });
    expect(byLast(rows, 'García').custom).toMatchObject({ Salutation: 'Mr.', 'Lead Status': 'Open - Not Contacted', Street: '410 W 14th St' });
  });

  it('HubSpot: Phone Number with Mobile Phone Number as alternate, a mobile alone as the phone, Create Date', () => {
    const s = importJson(vendor('hubspot.csv'));
    expect(s.mapping).toEqual(expect.arrayContaining([{ column: 'Phone Number', field: 'phone' }, { column: 'Mobile Phone Number', field: 'alt_phone' }, { column: 'Create Date', field: 'inbound_at' }]));
    const rows = leads();
    expect(byLast(rows, "O'Brien")).toMatchObject({ first_name: 'Siobhán', phone: '+35316778899', country: 'IE', company: 'Liffey Analytics', inbound_at: local(2026, 11, 20, 9, 14) });
    expect(byLast(rows, 'Durand')).toMatchObject({ phone: '+33612345678', alt_phones: [], country: 'FR' });
    expect(byLast(rows, 'Cole')).toMatchObject({ phone: '+13039174402', alt_phones: ['+13039174403'], region: 'CO', company: 'Rocky Mountain Solar, LLC' });
    expect(byLast(rows, 'Lima')).toMatchObject({ email: null, postal_code: '02110' });
  });

  it('Apollo: the direct line is the phone, then mobile, then the corporate line; Title is the job title', () => {
    const r = run(vendor('apollo.csv'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\s+First Phone\s+→ phone \(primary; the other phone columns are alternates\)$/m);
    expect(r.stderr).toMatch(/^\s+Corporate Phone\s+→ alternate phone$/m);
    const rows = leads();
    expect(byLast(rows, 'Lee')).toMatchObject({ title: 'Director of Engineering', company: 'Hudson Data, Inc.', phone: '+16467832210', alt_phones: ['+19176043381', '+12126394000'] });
    expect(byLast(rows, 'Clarke')).toMatchObject({ phone: '+442079460958', alt_phones: [], country: 'GB' });
    expect(byLast(rows, '山田')).toMatchObject({ phone: '+819012345678', country: 'JP' });
    expect(byLast(rows, 'Becker')).toMatchObject({ phone: '+13126457782', alt_phones: ['+13126457783'], title: 'VP Sales, North America' });
  });

  it('ZoomInfo: Direct Phone Number first, Company HQ Phone last; countries in their own language', () => {
    const s = importJson(vendor('zoominfo.csv'));
    expect(s.mapping).toEqual(expect.arrayContaining([
      { column: 'Direct Phone Number', field: 'phone' },
      { column: 'Mobile phone', field: 'alt_phone' },
      { column: 'Company HQ Phone', field: 'alt_phone' },
      { column: 'Person State', field: 'region' },
      { column: 'Person Zip Code', field: 'postal_code' },
      { column: 'Company State', field: 'custom:Company State' },
    ]));
    const rows = leads();
    expect(byLast(rows, 'Walsh')).toMatchObject({ phone: '+16174829031', alt_phones: ['+18572047719', '+16174829000'], region: 'Massachusetts', postal_code: '02110', company: 'Harbor Health', title: 'Director of IT' });
    expect(byLast(rows, 'Nguyen')).toMatchObject({ first_name: 'Hương', phone: '+14083142295' });
    expect(byLast(rows, 'Fernández')).toMatchObject({ phone: '+34912345678', country: 'ES' });
    expect(byLast(rows, 'Ivanov')).toMatchObject({ phone: '+74951234567', country: 'RU' });
    expect(byLast(rows, 'Horváth')).toMatchObject({ phone: '+421259301111', country: 'SK' });
  });

  it("Pipedrive: 'Person - ' columns, comma-separated numbers in one cell, Person created", () => {
    importJson(vendor('pipedrive.csv'));
    const rows = leads();
    expect(byLast(rows, 'Souza')).toMatchObject({
      first_name: 'Ana', company: 'Rio Tech Ltda', title: 'Gerente de Compras', email: 'ana.souza@riotech.com.br',
      phone: '+551134567890', alt_phones: ['+551134567891', '+5511987654321'], country: 'BR', inbound_at: local(2026, 11, 20, 10, 11, 12),
    });
    // The first e-mail column (Work) is the e-mail, the others custom fields and its fallback.
    expect(byLast(rows, 'Hughes')).toMatchObject({ phone: '+447911123456', email: 'tom.hughes@gmail.com', country: 'GB' });
    expect(byLast(rows, 'Hughes').custom['Person - Email - Home']).toBe('tom.hughes@gmail.com');
    expect(byLast(rows, 'Wong')).toMatchObject({ phone: '+14159823307', alt_phones: ['+14159823308'], email: 'mia@ggdental.com' });
    expect(byLast(rows, 'Wong').custom['Person - Email - Other']).toBe('mia.wong@yahoo.com');
    expect(byLast(rows, 'Martin')).toMatchObject({ phone: '+33142685317', country: 'FR' });
  });

  it("Google Contacts: ' ::: ' multi-value cells, names with suffixes, Phone N - Type kept as a label", () => {
    const s = importJson(vendor('google-contacts.csv'));
    expect(s.mapping).toEqual(expect.arrayContaining([
      { column: 'Phone 1 - Value', field: 'phone' },
      { column: 'Phone 2 - Value', field: 'alt_phone' },
      { column: 'Phone 1 - Type', field: 'custom:Phone 1 - Type' },
      { column: 'E-mail 1 - Value', field: 'email' },
      { column: 'Organization 1 - Name', field: 'company' },
      { column: 'Organization 1 - Title', field: 'title' },
      { column: 'Address 1 - Country', field: 'country' },
    ]));
    const rows = leads();
    expect(byLast(rows, 'King')).toMatchObject({
      first_name: 'Martin Luther', company: 'King Center', title: 'Founder', email: 'mlk@kingcenter.example.org',
      phone: '+14045268900', alt_phones: ['+14045268901'], country: 'US', region: 'GA', postal_code: '30312',
    });
    expect(byLast(rows, 'King').custom).toMatchObject({ suffix: 'Jr.', other_emails: 'martin.king@example.com' });
    expect(byLast(rows, 'Smith') && rows.filter((r) => r.last_name === 'Smith').map((r) => [r.first_name, r.custom.suffix ?? null])).toEqual([
      ['Olga', 'PhD'],
      ['John', null],
    ]);
    expect(byLast(rows, 'Lefèvre')).toMatchObject({ first_name: 'Zoë', phone: '+33142685317', alt_phones: ['+33612345678'], country: 'FR' });
    expect(byLast(rows, 'Tanaka')).toMatchObject({ phone: '+81663456789', country: 'JP' });
  });

  it("Outlook: Job Title is the title and Title (Mr./Dr.) a custom field; the company's main line comes last", () => {
    const s = importJson(vendor('outlook.csv'));
    expect(s.mapping).toEqual(expect.arrayContaining([
      { column: 'Title', field: 'custom:Title' },
      { column: 'Job Title', field: 'title' },
      { column: 'Business Phone', field: 'phone' },
      { column: 'Company Main Phone', field: 'alt_phone' },
      { column: 'Business Fax', field: 'custom:Business Fax' },
      { column: 'E-mail Address', field: 'email' },
      { column: 'Business Country/Region', field: 'country' },
      { column: 'Account', field: 'custom:Account' },
    ]));
    const rows = leads();
    expect(byLast(rows, 'Okafor')).toMatchObject({ title: 'Sales Director', company: 'Harbor Logistics', phone: '+16174829031', alt_phones: ['+18572047719', '+16174829000'], country: 'US', region: 'MA' });
    expect(byLast(rows, 'Okafor').custom.Title).toBe('Mr.');
    expect(byLast(rows, 'Kowalska')).toMatchObject({ title: null, phone: '+48601234567', country: 'PL' });
    expect(byLast(rows, 'Weiß')).toMatchObject({ phone: '+493086427150', alt_phones: ['+493086427151', '+49301234567'], country: 'DE', company: 'Weiß & Söhne GmbH' });
    expect(byLast(rows, 'Sharma')).toMatchObject({ phone: '+912223456789', country: 'IN' });
  });

  it("Zoho: 'Nov 20, 2026 02:55 PM' dates; an unknown country is named in a warning", () => {
    const r = run(vendor('zoho.csv'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/line 7: country 'Atlantis' not recognised; used the default US/);
    const rows = leads();
    expect(byLast(rows, 'Rossi')).toMatchObject({ company: 'Acme, S.p.A.', phone: '+390212345678', alt_phones: ['+393471234567'], country: 'IT', inbound_at: local(2026, 11, 20, 14, 55) });
    expect(byLast(rows, 'Lopez')).toMatchObject({ inbound_at: local(2026, 10, 5, 9, 5), country: 'US' });
    expect(byLast(rows, 'Chen')).toMatchObject({ phone: '+862161234567', country: 'CN' });
    expect(byLast(rows, 'Marin')).toMatchObject({ phone: '+13054421187', country: 'Atlantis' });
  });
});

describe('callq import: encodings', () => {
  it('a UTF-8 file with one stray Windows-1252 byte stays UTF-8 and names the line', () => {
    const s = importJson(vendor('utf8-stray-byte.csv'));
    expect(s).toMatchObject({ encoding: 'utf-8', undecodable_lines: [5] });
    expect(leads().map((r) => r.first_name)).toEqual(['José', 'Zoë', 'Jürgen', 'Ren\uFFFD', 'Łukasz']);
    const r = run(vendor('utf8-stray-byte.csv'), '--dry-run');
    expect(r.stderr).toMatch(/line 5: bytes that are not valid UTF-8/);
    expect(r.stderr).toMatch(/not valid UTF-8 \(line 5\).*--encoding/s);
  });

  it('detects ISO-8859-2 and Shift_JIS', () => {
    expect(importJson(vendor('iso-8859-2-polish.csv')).encoding).toBe('iso-8859-2');
    expect(leads().map((r) => `${r.first_name} ${r.last_name}, ${r.company}`)).toEqual([
      'Łukasz Wójcik, Kraków Freight Sp. z o.o.',
      'Agnieszka Żółkiewska, Łódź Tekstylia S.A.',
      'Michał Gąsiorowski, Gdańsk Stocznia Usługi',
      'Zofia Ślęzak, Śląskie Źródła Sp. j.',
    ]);
    expect(importJson(vendor('shift-jis.csv'), '--dry-run').encoding).toBe('shift_jis');
  });

  it('reads Shift_JIS names and companies', () => {
    importJson(vendor('shift-jis.csv'));
    expect(leads().map((r) => [r.first_name, r.last_name, r.company, r.country])).toEqual([
      ['太郎', '山田', '株式会社サクラロボティクス', 'JP'],
      ['花子', '鈴木', '東京商事株式会社', 'JP'],
      ['ひろし', '田中', '大阪精密工業', 'JP'],
      ['美咲', '佐藤', 'よこはまデザイン', 'JP'],
    ]);
  });

  it('accepts any encoding label TextDecoder knows, and refuses others naming examples', () => {
    expect(importJson(vendor('iso-8859-2-polish.csv'), '--encoding', 'ISO-8859-2', '--dry-run').encoding).toBe('iso-8859-2');
    expect(importJson(vendor('shift-jis.csv'), '--encoding', 'sjis', '--dry-run').encoding).toBe('shift_jis');
    const bad = run(vendor('shift-jis.csv'), '--encoding', 'klingon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown --encoding 'klingon'.*iso-8859-2/);
  });

  it('says so when the encoding is a guess between code pages that read the bytes differently', () => {
    // 'è' (0xE8) is a letter in Windows-1252 and, as 'č', in ISO-8859-2.
    const path = join(dir, 'french.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('First Name,Last Name,Phone\r\nRen'), Buffer.from([0xe9]), Buffer.from(',Lef'), Buffer.from([0xe8]), Buffer.from('vre,(212) 734-5521\r\n')]));
    const r = run(path, '--json', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ encoding: 'windows-1252', encoding_candidates: expect.arrayContaining(['iso-8859-2']) });
    expect(r.stderr).toMatch(/encoding is not certain; read as windows-1252, but it could also be .*iso-8859-2.*--encoding/);
  });
});
