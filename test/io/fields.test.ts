import { describe, expect, it } from 'vitest';
import { describeField, headerKey, mapColumns, parseMapOption, recognise, requirePhoneColumn } from '../../src/io/fields.js';
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
    ['País', undefined],
    ['Industry', undefined],
  ])('%j → %s', (header, field) => {
    expect(recognise(header)).toBe(field);
  });

  it('compares letters and digits only, without accents or case', () => {
    expect(headerKey('  Téléphone_Nº 2 ')).toBe('telephonen2');
  });
});

describe('mapColumns', () => {
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
