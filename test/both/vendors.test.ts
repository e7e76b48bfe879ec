// Real exports end to end on both stores: each product's export (test/fixtures/vendors, written
// by make-vendor-fixtures.js) imported through the binary into a store of its own, counts and
// stored values checked. What the importer prints of them: test/cli/vendors.test.ts.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES } from '../helpers.js';
import { STORE_KINDS, type TestStoreKind } from '../stores.js';
import { importedOnce } from './import-files.js';

const NOW = '2026-11-23T15:00:00Z';
const vendor = (name: string) => join(FIXTURES, 'vendors', name);

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

const byLast = (rows: Stored[], last: string) => {
  const row = rows.find((r) => r.last_name === last);
  expect(row, `a lead named ${last}`).toBeDefined();
  return row!;
};

/** An exported time without an offset is read in the importing machine's zone. */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).toISOString();

// identity: no row has a DNC flag set, an extension shared with a colleague, or a reused id,
// so these counts hold whatever the identity rules decide; ZoomInfo's Okafor shares Nguyen's
// company number and is someone else at it (kept_apart, below).
const COUNTS: [string, number, number, Record<string, number>, Record<string, number>][] = [
  ['salesforce.csv', 8, 6, { 'no-phone': 1, 'invalid-phone': 1 }, {}],
  ['hubspot.csv', 6, 6, {}, { 'invalid-email': 1 }],
  ['apollo.csv', 5, 4, { 'no-phone': 1 }, {}],
  ['zoominfo.csv', 7, 7, {}, {}],
  ['pipedrive.csv', 5, 4, { 'no-phone': 1 }, {}],
  ['google-contacts.csv', 6, 5, { 'no-phone': 1 }, {}],
  ['outlook.csv', 5, 4, { 'no-phone': 1 }, {}],
  ['zoho.csv', 6, 5, { 'invalid-phone': 1 }, { 'unknown-country': 1 }],
  ['utf8-stray-byte.csv', 5, 5, {}, { undecodable: 1 }],
  ['iso-8859-2-polish.csv', 4, 4, {}, {}],
  ['shift-jis.csv', 4, 4, {}, {}],
];

describe.each(STORE_KINDS)('callq import of vendor exports on %s', { timeout: 120_000 }, (kind: TestStoreKind) => {
  // Each export imported once, into a store of its own; the tests read what it left.
  const { imported, summary } = importedOnce(kind, NOW, () => Object.fromEntries(COUNTS.map(([name]) => [name, () => [vendor(name)]])));

  async function leads(name: string): Promise<Stored[]> {
    const rows = await imported[name].store.query(
      'SELECT first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, inbound_at, custom FROM leads ORDER BY id',
    );
    return rows.map((r) => ({ ...r, alt_phones: r.alt_phones ? JSON.parse(r.alt_phones) : [], custom: r.custom ? JSON.parse(r.custom) : {} }));
  }

  it.each(COUNTS)('%s: %i rows, %i inserted', async (name, rowsRead, inserted, rejected, warnings) => {
    const s = summary(name);
    expect(s).toMatchObject({ rows_read: rowsRead, inserted, duplicates: 0, rejected: Object.values(rejected).reduce((a, b) => a + b, 0) });
    expect(s.rejected_by_reason).toEqual(rejected);
    expect(s.warnings_by_kind).toEqual(warnings);
    expect(await leads(name)).toHaveLength(inserted);
  });

  it('Salesforce: Company / Account, Create Date, countries as names and codes; the report footer is not leads', async () => {
    // Lines 11-15 are the report's name, copyright, confidentiality, author and company: skipped
    // and said so, not eight rows read with five rejected for having no phone.
    expect(summary('salesforce.csv')).toMatchObject({ footer_lines: [11, 15], notes: expect.arrayContaining([expect.stringMatching(/^lines 11–15 are the report's footer \('Copyright \(c\) 2000-2026 salesforce\.com/)]) });
    const rows = await leads('salesforce.csv');
    expect(byLast(rows, 'García')).toMatchObject({ first_name: 'José', company: 'Café Olé Imports, Inc.', title: 'VP Operations', email: 'jose.garcia@cafeole.com', phone: '+12127345521', country: 'US', region: 'NY', postal_code: '10014', inbound_at: local(2026, 11, 20) });
    expect(byLast(rows, 'Müller')).toMatchObject({ first_name: 'Zoë', phone: '+493086427150', alt_phones: ['+4915123456789'], country: 'DE', inbound_at: local(2026, 11, 21, 9, 5) });
    expect(byLast(rows, 'Wójcik')).toMatchObject({ first_name: 'Łukasz', phone: '+48123456789', country: 'PL' });
    expect(byLast(rows, '山田')).toMatchObject({ first_name: '太郎', phone: '+81312345678', country: 'JP' });
    expect(byLast(rows, 'Brown')).toMatchObject({ phone: '+442079460321', country: 'GB' });
    expect(byLast(rows, 'Quinn')).toMatchObject({ phone: '+14159823307', country: 'US' });
    expect(byLast(rows, 'García').custom).toMatchObject({ Salutation: 'Mr.', 'Lead Status': 'Open - Not Contacted', Street: '410 W 14th St' });
  });

  it('HubSpot: Phone Number with Mobile Phone Number as alternate, a mobile alone as the phone, Create Date', async () => {
    const s = summary('hubspot.csv');
    expect(s.mapping).toEqual(expect.arrayContaining([{ column: 'Phone Number', field: 'phone' }, { column: 'Mobile Phone Number', field: 'alt_phone' }, { column: 'Create Date', field: 'inbound_at' }]));
    const rows = await leads('hubspot.csv');
    expect(byLast(rows, "O'Brien")).toMatchObject({ first_name: 'Siobhán', phone: '+35316778899', country: 'IE', company: 'Liffey Analytics', inbound_at: local(2026, 11, 20, 9, 14) });
    expect(byLast(rows, 'Durand')).toMatchObject({ phone: '+33612345678', alt_phones: [], country: 'FR' });
    expect(byLast(rows, 'Cole')).toMatchObject({ phone: '+13039174402', alt_phones: ['+13039174403'], region: 'CO', company: 'Rocky Mountain Solar, LLC' });
    expect(byLast(rows, 'Lima')).toMatchObject({ email: null, postal_code: '02110' });
  });

  it('Apollo: the direct line is the phone, then mobile, then the corporate line; Title is the job title', async () => {
    expect(summary('apollo.csv').mapping).toEqual(expect.arrayContaining([{ column: 'First Phone', field: 'phone' }, { column: 'Corporate Phone', field: 'alt_phone' }]));
    const rows = await leads('apollo.csv');
    expect(byLast(rows, 'Lee')).toMatchObject({ title: 'Director of Engineering', company: 'Hudson Data, Inc.', phone: '+16467832210', alt_phones: ['+19176043381', '+12126394000'] });
    expect(byLast(rows, 'Clarke')).toMatchObject({ phone: '+442079460958', alt_phones: [], country: 'GB' });
    expect(byLast(rows, '山田')).toMatchObject({ phone: '+819012345678', country: 'JP' });
    expect(byLast(rows, 'Becker')).toMatchObject({ phone: '+13126457782', alt_phones: ['+13126457783'], title: 'VP Sales, North America' });
  });

  it('ZoomInfo: Direct Phone Number first, Company HQ Phone last; countries in their own language', async () => {
    expect(summary('zoominfo.csv').mapping).toEqual(expect.arrayContaining([
      { column: 'Direct Phone Number', field: 'phone' },
      { column: 'Mobile phone', field: 'alt_phone' },
      { column: 'Company HQ Phone', field: 'alt_phone' },
      { column: 'Person State', field: 'region' },
      { column: 'Person Zip Code', field: 'postal_code' },
      { column: 'Company State', field: 'custom:Company State' },
    ]));
    const rows = await leads('zoominfo.csv');
    expect(byLast(rows, 'Walsh')).toMatchObject({ phone: '+16174829031', alt_phones: ['+18572047719', '+16174829000'], region: 'Massachusetts', postal_code: '02110', company: 'Harbor Health', title: 'Director of IT' });
    expect(byLast(rows, 'Nguyen')).toMatchObject({ first_name: 'Hương', phone: '+14083142295' });
    // Her colleague with only the company's number: a lead of her own, and the summary says so.
    expect(byLast(rows, 'Okafor')).toMatchObject({ first_name: 'Chidinma', phone: '+14083142295', email: 'chidinma.okafor@valleyfoods.com', company: 'Valley Foods, Inc.' });
    expect(summary('zoominfo.csv').kept_apart).toBe(1);
    expect(byLast(rows, 'Fernández')).toMatchObject({ phone: '+34912345678', country: 'ES' });
    expect(byLast(rows, 'Ivanov')).toMatchObject({ phone: '+74951234567', country: 'RU' });
    expect(byLast(rows, 'Horváth')).toMatchObject({ phone: '+421259301111', country: 'SK' });
  });

  it("Pipedrive: 'Person - ' columns, comma-separated numbers in one cell, Person created", async () => {
    summary('pipedrive.csv');
    const rows = await leads('pipedrive.csv');
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

  it("Google Contacts: ' ::: ' multi-value cells, names with suffixes, Phone N - Type kept as a label", async () => {
    expect(summary('google-contacts.csv').mapping).toEqual(expect.arrayContaining([
      { column: 'Phone 1 - Value', field: 'phone' },
      { column: 'Phone 2 - Value', field: 'alt_phone' },
      { column: 'Phone 1 - Type', field: 'custom:Phone 1 - Type' },
      { column: 'E-mail 1 - Value', field: 'email' },
      { column: 'Organization 1 - Name', field: 'company' },
      { column: 'Organization 1 - Title', field: 'title' },
      { column: 'Address 1 - Country', field: 'country' },
    ]));
    const rows = await leads('google-contacts.csv');
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

  it("Outlook: Job Title is the title and Title (Mr./Dr.) a custom field; the company's main line comes last", async () => {
    expect(summary('outlook.csv').mapping).toEqual(expect.arrayContaining([
      { column: 'Title', field: 'custom:Title' },
      { column: 'Job Title', field: 'title' },
      { column: 'Business Phone', field: 'phone' },
      { column: 'Company Main Phone', field: 'alt_phone' },
      { column: 'Business Fax', field: 'custom:Business Fax' },
      { column: 'E-mail Address', field: 'email' },
      { column: 'Business Country/Region', field: 'country' },
      { column: 'Account', field: 'custom:Account' },
    ]));
    const rows = await leads('outlook.csv');
    expect(byLast(rows, 'Okafor')).toMatchObject({ title: 'Sales Director', company: 'Harbor Logistics', phone: '+16174829031', alt_phones: ['+18572047719', '+16174829000'], country: 'US', region: 'MA' });
    expect(byLast(rows, 'Okafor').custom.Title).toBe('Mr.');
    expect(byLast(rows, 'Kowalska')).toMatchObject({ title: null, phone: '+48601234567', country: 'PL' });
    expect(byLast(rows, 'Weiß')).toMatchObject({ phone: '+493086427150', alt_phones: ['+493086427151', '+49301234567'], country: 'DE', company: 'Weiß & Söhne GmbH' });
    expect(byLast(rows, 'Sharma')).toMatchObject({ phone: '+912223456789', country: 'IN' });
  });

  it("Zoho: 'Nov 20, 2026 02:55 PM' dates; an unknown country kept as written", async () => {
    summary('zoho.csv');
    const rows = await leads('zoho.csv');
    expect(byLast(rows, 'Rossi')).toMatchObject({ company: 'Acme, S.p.A.', phone: '+390212345678', alt_phones: ['+393471234567'], country: 'IT', inbound_at: local(2026, 11, 20, 14, 55) });
    expect(byLast(rows, 'Lopez')).toMatchObject({ inbound_at: local(2026, 10, 5, 9, 5), country: 'US' });
    expect(byLast(rows, 'Chen')).toMatchObject({ phone: '+862161234567', country: 'CN' });
    expect(byLast(rows, 'Marin')).toMatchObject({ phone: '+13054421187', country: 'Atlantis' });
  });

  it('a UTF-8 file with one stray Windows-1252 byte stays UTF-8 and names the line', async () => {
    expect(summary('utf8-stray-byte.csv')).toMatchObject({ encoding: 'utf-8', undecodable_lines: [5] });
    expect((await leads('utf8-stray-byte.csv')).map((r) => r.first_name)).toEqual(['José', 'Zoë', 'Jürgen', 'Ren\uFFFD', 'Łukasz']);
  });

  it('detects and reads ISO-8859-2 and Shift_JIS', async () => {
    expect(summary('iso-8859-2-polish.csv').encoding).toBe('iso-8859-2');
    expect((await leads('iso-8859-2-polish.csv')).map((r) => `${r.first_name} ${r.last_name}, ${r.company}`)).toEqual([
      'Łukasz Wójcik, Kraków Freight Sp. z o.o.',
      'Agnieszka Żółkiewska, Łódź Tekstylia S.A.',
      'Michał Gąsiorowski, Gdańsk Stocznia Usługi',
      'Zofia Ślęzak, Śląskie Źródła Sp. j.',
    ]);
    expect(summary('shift-jis.csv').encoding).toBe('shift_jis');
    expect((await leads('shift-jis.csv')).map((r) => [r.first_name, r.last_name, r.company, r.country])).toEqual([
      ['太郎', '山田', '株式会社サクラロボティクス', 'JP'],
      ['花子', '鈴木', '東京商事株式会社', 'JP'],
      ['ひろし', '田中', '大阪精密工業', 'JP'],
      ['美咲', '佐藤', 'よこはまデザイン', 'JP'],
    ]);
  });
});
