import { describe, expect, it } from 'vitest';
import { describeField, headerKey, headerRank, mapColumns, parseMapOption, recognise, requirePhoneColumn } from '../../src/io/fields.js';
import { recordLayout } from '../../src/io/lead-record.js';
import { UsageError } from '../../src/core/errors.js';

describe('header recognition', () => {
  it.each([
    ['First Name', 'first_name'],
    ['first_name', 'first_name'],
    ['FirstName', 'first_name'],
    ['FIRST-NAME', 'first_name'],
    ['Surname', 'last_name'],
    ['Name', 'full_name'],
    ['Company Name', 'company'],
    ['Organization', 'company'],
    ['Organisation', 'company'],
    ['Job Title', 'title'],
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['Phone Number', 'phone'],
    ['Telephone', 'phone'],
    ['Mobile', 'alt_phone'],
    ['Cell Phone', 'alt_phone'],
    ['Phone 2', 'alt_phone'],
    ['State/Province', 'region'],
    ['Zip', 'postal_code'],
    ['Postcode', 'postal_code'],
    ['Lead Source', 'source'],
    ['Campaign Name', 'campaign'],
    ['Lead Score', 'score'],
    ['Time Zone', 'timezone'],
    ['Created Date', 'inbound_at'],
    ['Submitted At', 'inbound_at'],
    ['External ID', 'external_id'],
    ['Lead Owner', 'owner'],
    // A European Excel's headers.
    ['País', 'country'],
    ['Vorname', 'first_name'],
    ['Nachname', 'last_name'],
    ['Telefon', 'phone'],
    ['Téléphone', 'phone'],
    ['Teléfono', 'phone'],
    ['Handy', 'alt_phone'],
    ['Firma', 'company'],
    ['Société', 'company'],
    ['Prénom', 'first_name'],
    ['E-Mail', 'email'],
    ['PLZ', 'postal_code'],
    ['Branche', undefined],
    // Words that are as often something else stay custom: acreage, a status, an extension.
    ['Land', undefined],
    ['Estado', undefined],
    ['Poste', undefined],
    ['Industry', undefined],
  ])('%j → %s', (header, field) => {
    expect(recognise(header)).toBe(field);
  });

  it('compares letters and digits only, without accents or case', () => {
    expect(headerKey('  Téléphone_Nº 2 ')).toBe('telephonen2');
  });
});

describe('vendor export headers', () => {
  it.each([
    // Apollo
    ['First Phone', 'phone', 1],
    ['Work Direct Phone', 'phone', 1],
    ['Mobile Phone', 'alt_phone', 2],
    ['Home Phone', 'alt_phone', 3],
    ['Other Phone', 'alt_phone', 3],
    ['Corporate Phone', 'phone', 4],
    ['Company Phone', 'phone', 4],
    ['Company Name for Emails', undefined, 1],
    // ZoomInfo
    ['Direct Phone Number', 'phone', 1],
    ['Mobile phone', 'alt_phone', 2],
    ['Company HQ Phone', 'phone', 4],
    ['Person State', 'region', 1],
    ['Person Zip Code', 'postal_code', 1],
    ['Company State', undefined, 1],
    // HubSpot
    ['Phone Number', 'phone', 1],
    ['Mobile Phone Number', 'alt_phone', 2],
    ['Create Date', 'inbound_at', 1],
    ['Country/Region', 'country', 1],
    ['Original Source', 'source', 1],
    // Pipedrive
    ['Person - Phone - Work', 'phone', 1],
    ['Person - Phone - Mobile', 'alt_phone', 2],
    ['Person - Phone - Home', 'alt_phone', 3],
    ['Person - Phone - Other', 'alt_phone', 3],
    ['Person - Email - Work', 'email', 1],
    ['Person - Email - Home', 'email', 2],
    ['Person - Email - Other', 'email', 3],
    ['Person - Name', 'full_name', 1],
    ['Person - First name', 'first_name', 1],
    ['Person - Organization', 'company', 1],
    ['Person - Job title', 'title', 1],
    ['Person - Postal address - Country', 'country', 1],
    ['Person - Person created', 'inbound_at', 1],
    ['Person - Label', undefined, 1],
    // Google Contacts
    ['Phone 1 - Value', 'phone', 1],
    ['Phone 2 - Value', 'alt_phone', 3],
    ['Phone 1 - Type', undefined, 1],
    ['E-mail 1 - Value', 'email', 1],
    ['Organization 1 - Name', 'company', 1],
    ['Organization 1 - Title', 'title', 1],
    ['Address 1 - Country', 'country', 1],
    // Outlook
    ['Business Phone', 'phone', 1],
    ['Business Phone 2', 'alt_phone', 3],
    ['Company Main Phone', 'phone', 4],
    ['Business Fax', undefined, 1],
    ['E-mail Address', 'email', 1],
    ['Job Title', 'title', 1],
    ['Title', 'title', 2],
    ['Account', 'company', 2],
    ['Business Country/Region', 'country', 1],
    // Salesforce, Zoho
    ['Company / Account', 'company', 1],
    ['Created Time', 'inbound_at', 1],
  ])('%j → %s (rank %i)', (header, field, rank) => {
    expect([recognise(header), headerRank(header)]).toEqual([field, rank]);
  });
});

describe('mapColumns', () => {
  const fields = (headers: string[]) => mapColumns(headers).map((m) => (m.field === 'custom' ? `custom:${m.key}` : m.field));

  it.each([
    [['Company HQ Phone', 'Mobile phone', 'Direct Phone Number'], ['alt_phone', 'alt_phone', 'phone']],
    [['Home Phone', 'Corporate Phone', 'Mobile Phone'], ['alt_phone', 'alt_phone', 'phone']],
    [['Company Main Phone', 'Business Phone'], ['alt_phone', 'phone']],
    [['Mobile'], ['phone']],
    [['Title', 'Job Title'], ['custom:Title', 'title']],
    [['Title'], ['title']],
    [['Company', 'Account'], ['company', 'custom:Account']],
    [['Person - Email - Home', 'Person - Email - Work'], ['custom:Person - Email - Home', 'email']],
    [['Title', 'Role'], ['title', 'custom:Role']],
    [['Position', 'Job Title'], ['custom:Position', 'title']],
  ])('%j → %j', (headers, expected) => {
    expect(fields(headers)).toEqual(expected);
  });

  it('orders alternate phones by preference and says which phone is primary', () => {
    const mapping = mapColumns(['Company HQ Phone', 'Home Phone', 'Mobile phone', 'Direct Phone Number']);
    expect(describeField(mapping[3])).toBe('phone (primary; the other phone columns are alternates)');
    expect(describeField(mapColumns(['Phone'])[0])).toBe('phone');
    expect(recordLayout(mapping).altPhones).toEqual([2, 1, 0]);
  });

  it('maps the fixture header variants and keeps the rest as uniquely named custom fields', () => {
    const headers = ['FirstName', 'last_name', 'Company Name', 'Job Title', 'E-mail', 'Phone Number', 'Mobile', 'State/Province', 'Zip', 'Lead Source', 'Industry', '', 'Notes', 'Notes'];
    const mapping = mapColumns(headers);
    expect(mapping.map((m) => (m.field === 'custom' ? `custom:${m.key}` : m.field))).toEqual([
      'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'alt_phone', 'region', 'postal_code', 'source',
      'custom:Industry', 'custom:column_12', 'custom:Notes', 'custom:Notes_2',
    ]);
    expect(describeField(mapping[6])).toBe('alternate phone');
  });

  it('turns a second phone column into an alternate and a second e-mail into a custom field', () => {
    const mapping = mapColumns(['Phone', 'Phone', 'Email', 'Email']);
    expect(mapping.map((m) => m.field)).toEqual(['phone', 'alt_phone', 'email', 'custom']);
    expect(mapping[3].key).toBe('Email');
  });

  it('lets --map override recognition, by exact, case-insensitive or loose header', () => {
    const mapping = mapColumns(['Tel. privé', 'Phone', 'Société', 'Notes'], parseMapOption('tel. PRIVÉ=phone,Societe=company,Notes=ignore'));
    expect(mapping.map((m) => m.field)).toEqual(['phone', 'alt_phone', 'company', 'ignore']);
  });

  it('lets --map name an empty or repeated header as the printed mapping names it (column_3, Notes_2)', () => {
    const empty = mapColumns(['First Name', 'Last Name', ''], parseMapOption('column_3=phone'));
    expect(empty.map((m) => m.field)).toEqual(['first_name', 'last_name', 'phone']);
    const repeated = mapColumns(['First Name', 'Phone', 'Notes', 'Notes'], parseMapOption('Notes_2=alt_phone'));
    expect(repeated.map((m) => m.field)).toEqual(['first_name', 'phone', 'custom', 'alt_phone']);
    expect(repeated[2].key).toBe('Notes');
  });

  it("ignores the history columns of callq's own export, only in a file that is one (it has callq_id)", () => {
    const own = mapColumns(['callq_id', 'first_name', 'phone', 'status', 'attempts', 'qualification_need', 'handoff_note', 'Revenue']);
    expect(own.map((m) => m.field)).toEqual(['ignore', 'first_name', 'phone', 'ignore', 'ignore', 'ignore', 'ignore', 'custom']);
    expect(describeField(own[3])).toBe("ignored (callq's own column: the lead's history stays in callq)");
    // A vendor's own Status column is the vendor's fact, kept as a custom field.
    const vendor = mapColumns(['First Name', 'Phone', 'Status', 'attempts']);
    expect(vendor.map((m) => m.field)).toEqual(['first_name', 'phone', 'custom', 'custom']);
    // --map still decides.
    expect(mapColumns(['callq_id', 'phone', 'status'], parseMapOption('status=custom')).map((m) => m.field)).toEqual(['ignore', 'phone', 'custom']);
  });

  it('refuses a --map column the file does not have, naming its columns', () => {
    expect(() => mapColumns(['Phone'], parseMapOption('Fone=phone'))).toThrow(/--map names a column 'Fone'.*'Phone'/);
  });

  it('a header that would pollute a prototype is just a custom key', () => {
    const mapping = mapColumns(['Phone', '__proto__', 'constructor']);
    expect(mapping.slice(1).map((m) => m.key)).toEqual(['__proto__', 'constructor']);
  });
});

describe('parseMapOption', () => {
  it('accepts fields and aliases', () => {
    expect([...parseMapOption('A=phone, B = mobile ,C=custom,D=skip,E=name')]).toEqual([
      ['A', 'phone'],
      ['B', 'alt_phone'],
      ['C', 'custom'],
      ['D', 'ignore'],
      ['E', 'full_name'],
    ]);
  });

  it.each(['Phone', 'Phone=telephone', '=phone'])('refuses %j', (text) => {
    expect(() => parseMapOption(text)).toThrow(UsageError);
  });
});

describe('requirePhoneColumn', () => {
  it('says the first line looks like data when it holds phone numbers or e-mails', () => {
    const mapping = mapColumns(['Ann', 'Lee', '(212) 734-5525', 'ann@x.com']);
    expect(() => requirePhoneColumn(mapping, 'f.csv', 1)).toThrow(/line 1: no header row; the first line looks like data/);
  });

  it('suggests --delimiter when the whole line is one column', () => {
    const mapping = mapColumns(['First Name;Last Name;Telefon']);
    expect(() => requirePhoneColumn(mapping, 'f.csv', 1)).toThrow(/--delimiter/);
  });

  it('accepts a file whose only phone column is a mobile', () => {
    expect(() => requirePhoneColumn(mapColumns(['Name', 'Mobile']), 'f.csv', 1)).not.toThrow();
  });
});
