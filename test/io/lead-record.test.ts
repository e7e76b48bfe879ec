import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LEAD_FIELDS, mapColumns } from '../../src/io/fields.js';
import {
  hasInvisible,
  isPersonalEmail,
  LEAD_COLUMNS,
  leadFromTuple,
  leadTuple,
  mergeLead,
  normaliseEmail,
  normaliseRecord,
  parseScore,
  parseTimestamp,
  recordLayout,
  splitName,
  splitPhones,
  isNameSuffix,
  unfilledColumns,
  type LeadDefaults,
  type NewLead,
  type StoredLead,
} from '../../src/io/lead-record.js';
import { resolveSettings } from '../../src/core/settings.js';
import { queueRank } from '../../src/core/priority.js';

const weights = resolveSettings(new Map()).weights;
const NOW = '2026-11-23T15:00:00.000Z';
const defaults: LeadDefaults = { country: 'US', list: null, source: null, campaign: null, inbound: false, now: NOW, defaultZone: null, weights };

const HEADER = ['First Name', 'Last Name', 'Company', 'Email', 'Phone', 'Mobile', 'State', 'Country', 'Lead Source', 'Lead Score', 'Created Date', 'Time Zone', 'Industry'];
const layout = recordLayout(mapColumns(HEADER));

function row(values: Partial<Record<(typeof HEADER)[number], string>>): string[] {
  return HEADER.map((h) => values[h] ?? '');
}

function lead(values: Partial<Record<(typeof HEADER)[number], string>>, d: Partial<LeadDefaults> = {}): NewLead {
  const result = normaliseRecord(row(values), layout, { ...defaults, ...d });
  if (result.kind !== 'lead') throw new Error(`expected a lead, got ${JSON.stringify(result)}`);
  return result.lead;
}

describe('normaliseRecord', () => {
  it('normalises a complete row', () => {
    const result = normaliseRecord(
      row({ 'First Name': ' Ann ', 'Last Name': 'Lee', Company: 'Summit', Email: ' Ann.Lee@Summit.COM ', Phone: '(212) 734-5525', Mobile: '646 298 4412', State: 'NY', Country: 'USA', 'Lead Source': 'webinar', 'Lead Score': '87,5', Industry: 'Logistics' }),
      layout,
      defaults,
    );
    expect(result).toEqual({
      kind: 'lead',
      warnings: [],
      lead: {
        external_id: null,
        first_name: 'Ann',
        last_name: 'Lee',
        company: 'Summit',
        title: null,
        email: 'ann.lee@summit.com',
        phone: '+12127345525',
        phone_raw: '(212) 734-5525',
        phone_ext: null,
        external_system: null,
        do_not_call: null,
        dnc_emails: null,
        alt_phones: ['+16462984412'],
        country: 'US',
        region: 'NY',
        postal_code: null,
        timezone: 'America/New_York',
        timezone_source: 'phone',
        source: 'webinar',
        campaign: null,
        list: null,
        score: 88,
        owner: null,
        custom: '{"Industry":"Logistics"}',
        inbound_at: null,
        queue_rank: queueRank({ score: 88, attempts: 0, source: 'webinar', campaign: null, last_call_at: null, created_at: NOW }, weights),
      },
    });
  });

  it.each([
    [{ Phone: '' }, 'no-phone'],
    [{ Phone: 'n/a' }, 'invalid-phone'],
    [{ Phone: '020 7946 0326' }, 'invalid-phone'],
  ])('rejects %j as %s', (values, reason) => {
    expect(normaliseRecord(row({ 'First Name': 'X', ...values }), layout, defaults)).toMatchObject({ kind: 'reject', reason });
  });

  it("reads a national number in the row's country", () => {
    expect(lead({ Phone: '020 7946 0327', Country: 'UK' })).toMatchObject({ phone: '+442079460327', country: 'GB' });
  });

  it('takes the mobile when the phone is missing, and says so when the phone was bad', () => {
    expect(lead({ Phone: '', Mobile: '303-917-4402' })).toMatchObject({ phone: '+13039174402', phone_raw: '303-917-4402', alt_phones: [] });
    const result = normaliseRecord(row({ Phone: '123', Mobile: '303-917-4402' }), layout, defaults);
    expect(result).toMatchObject({ kind: 'lead', warnings: [{ kind: 'phone-from-alternate' }] });
  });

  it('keeps a row flagged do-not-call whose phone is unusable for its e-mail, and rejects one with nothing usable', () => {
    const flagged = recordLayout(mapColumns(['Email', 'Phone', 'Do Not Call']));
    expect(normaliseRecord(['Ann@Summit.com', '123 x7', 'yes'], flagged, defaults)).toMatchObject({
      kind: 'lead',
      lead: { phone: null, phone_ext: null, phone_raw: '123 x7', email: 'ann@summit.com', do_not_call: 1 },
    });
    expect(normaliseRecord(['ann@', '123', 'yes'], flagged, defaults)).toEqual({
      kind: 'reject',
      reason: 'do-not-call-no-contact',
      detail: "flagged do-not-call, but nothing on it can go on the do-not-call list: '123' is not a valid US phone number, and no valid e-mail",
    });
    expect(normaliseRecord(['', '', 'true'], flagged, defaults)).toMatchObject({ kind: 'reject', reason: 'do-not-call-no-contact', detail: expect.stringContaining('it has no phone, and no valid e-mail') });
    // Every other e-mail it gives is listed with it: the cell's other addresses, the other e-mail columns.
    const many = recordLayout(mapColumns(['Email', 'Phone', 'Do Not Call', 'Email Home']));
    expect(normaliseRecord(['a@x.com; B@y.com, bad@', '', 'yes', 'c@z.com;a@x.com'], many, defaults)).toMatchObject({
      kind: 'lead',
      lead: { phone: null, email: 'a@x.com', dnc_emails: '["b@y.com","c@z.com"]' },
    });
    expect(normaliseRecord(['', '', 'yes', 'bad@, c@z.com'], many, defaults)).toMatchObject({ kind: 'lead', lead: { email: null, dnc_emails: '["c@z.com"]' } });
    expect(normaliseRecord(['a@x.com; b@y.com', '212-734-5525', '', 'c@z.com'], many, defaults)).toMatchObject({ kind: 'lead', lead: { dnc_emails: null } });
    // Not flagged: the phone decides, as ever.
    expect(normaliseRecord(['ann@summit.com', '123', 'no'], flagged, defaults)).toMatchObject({ kind: 'reject', reason: 'invalid-phone' });
    expect(normaliseRecord(['ann@summit.com', '', ''], flagged, defaults)).toMatchObject({ kind: 'reject', reason: 'no-phone' });
  });

  it('drops bidirectional overrides and zero-width characters from mapped fields', () => {
    expect(lead({ 'First Name': 'A\u202Enna\u200B', Company: '\u2066Acme\u2069', Phone: '(212) 734-5526' })).toMatchObject({ first_name: 'Anna', company: 'Acme' });
  });

  it('keeps the zero-width joiner and non-joiner where they spell a word or an emoji, and drops them elsewhere', () => {
    const persian = 'محمد\u200Cرضا';
    const hindi = 'क्\u200Dष';
    const emoji = '👩\u200D💻 Devs';
    expect(lead({ 'First Name': persian, 'Last Name': hindi, Company: emoji, Phone: '(212) 734-5526' })).toMatchObject({ first_name: persian, last_name: hindi, company: emoji });
    expect(lead({ 'First Name': '\u200DAnn\u200C', Company: 'Acme \u200DCorp', Phone: '(212) 734-5526' })).toMatchObject({ first_name: 'Ann', company: 'Acme Corp' });
  });

  it('skips the search for invisible characters only when told the text holds none', () => {
    const fields = row({ 'First Name': 'A\u202Enna', Phone: '(212) 734-5526' });
    expect(hasInvisible(fields.join(','))).toBe(true);
    expect(hasInvisible(row({ 'First Name': 'Anna', Phone: '(212) 734-5526' }).join(','))).toBe(false);
    expect(normaliseRecord(fields, layout, defaults, false)).toMatchObject({ lead: { first_name: 'Anna' } });
    expect(normaliseRecord(row({ 'First Name': ' Anna ', Phone: '(212) 734-5526' }), layout, defaults, true)).toMatchObject({ lead: { first_name: 'Anna' } });
  });

  it("reads phones with the default country when the row's country is unknown ('ZZ'), keeping what was written", () => {
    expect(lead({ Phone: '(212) 734-5526', Country: 'ZZ' })).toMatchObject({ phone: '+12127345526', country: 'ZZ' });
  });

  it('reads several alternates from one cell separated by ; or , (as callq exports them)', () => {
    expect(lead({ Phone: '317 632 9907', Mobile: '+1 303 917 4402; (646) 298-4412, 317-632-9907' })).toMatchObject({
      phone: '+13176329907',
      alt_phones: ['+13039174402', '+16462984412'],
    });
  });

  it('drops an invalid e-mail or alternate with a warning, keeping the row', () => {
    const result = normaliseRecord(row({ Phone: '317 632 9907', Email: 'pi.pope@@popesystems.com', Mobile: '12' }), layout, defaults);
    expect(result).toMatchObject({ kind: 'lead', lead: { email: null, alt_phones: [] } });
    expect(result.kind === 'lead' && result.warnings.map((w) => w.kind)).toEqual(['invalid-alt-phone', 'invalid-email']);
  });

  it('skips blank records and rejects extra non-empty fields', () => {
    expect(normaliseRecord(['', ' ', ''], layout, defaults)).toEqual({ kind: 'blank' });
    expect(normaliseRecord([...row({ Phone: '(212) 734-5525' }), '', ''], layout, defaults)).toMatchObject({ kind: 'lead' });
    expect(normaliseRecord([...row({ Phone: '(212) 734-5525' }), 'extra'], layout, defaults)).toEqual({
      kind: 'reject',
      reason: 'malformed',
      detail: `${HEADER.length + 1} fields, header has ${HEADER.length}`,
    });
  });

  it('pads short rows', () => {
    expect(normaliseRecord(['Gus', 'Hart', 'Acme', '', '414-273-9915'], layout, defaults)).toMatchObject({ kind: 'lead', lead: { phone: '+14142739915' } });
  });

  it('fills source and campaign from the flags only when blank; --list names every row', () => {
    expect(lead({ Phone: '(212) 734-5525', 'Lead Source': 'webinar' }, { source: 'vendor', list: 'q4' })).toMatchObject({ source: 'webinar', list: 'q4' });
    expect(lead({ Phone: '(212) 734-5525' }, { source: 'vendor', campaign: 'spring' })).toMatchObject({ source: 'vendor', campaign: 'spring' });
  });

  it('reads Created Date as the inbound time, or --inbound as now', () => {
    expect(lead({ Phone: '(212) 734-5525', 'Created Date': '2026-11-23T14:55:00Z' }).inbound_at).toBe('2026-11-23T14:55:00.000Z');
    expect(lead({ Phone: '(212) 734-5525', 'Created Date': '2026-01-01' }, { inbound: true }).inbound_at).toBe(NOW);
    const bad = normaliseRecord(row({ Phone: '(212) 734-5525', 'Created Date': 'last tuesday' }), layout, defaults);
    expect(bad).toMatchObject({ kind: 'lead', lead: { inbound_at: null }, warnings: [{ kind: 'invalid-date' }] });
  });

  it('reads an inbound time after the import as the import time, with a warning (it would keep the fresh-lead bonus until then)', () => {
    const later = normaliseRecord(row({ Phone: '(212) 734-5525', 'Created Date': '2027-06-01 10:00' }), layout, defaults);
    expect(later).toMatchObject({ kind: 'lead', lead: { inbound_at: NOW }, warnings: [{ kind: 'future-date' }] });
    // A few minutes ahead (clocks differ a little) is taken as written.
    const soon = new Date(Date.parse(NOW) + 5 * 60_000).toISOString();
    expect(normaliseRecord(row({ Phone: '(212) 734-5525', 'Created Date': soon }), layout, defaults)).toMatchObject({ lead: { inbound_at: soon }, warnings: [] });
  });

  it('resolves every candidate zone, from the column first', () => {
    expect(lead({ Phone: '(212) 734-5525', 'Time Zone': 'Central' })).toMatchObject({ timezone: 'America/Chicago', timezone_source: 'column' });
    // A toll-free number says nothing about where the lead is: the state decides.
    expect(lead({ Phone: '+1 800 234 5678', State: 'AZ' })).toMatchObject({ timezone_source: 'region', timezone: 'America/Denver,America/Phoenix' });
    const unknown = normaliseRecord(row({ Phone: '(212) 734-5525', 'Time Zone': 'Mars/Base' }), layout, defaults);
    expect(unknown).toMatchObject({ kind: 'lead', lead: { timezone_source: 'phone' }, warnings: [{ kind: 'unknown-timezone' }] });
  });

  it('keeps custom fields in a null-prototype object, so __proto__ is only a key', () => {
    const l = recordLayout(mapColumns(['Phone', '__proto__', 'constructor']));
    const result = normaliseRecord(['(212) 734-5525', 'polluted', 'x'], l, defaults);
    expect(result.kind === 'lead' && JSON.parse(result.lead.custom!)).toEqual(JSON.parse('{"__proto__":"polluted","constructor":"x"}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('splits a full name when there are no first/last columns', () => {
    const l = recordLayout(mapColumns(['Name', 'Phone']));
    expect(normaliseRecord(['Mary Ann Smith', '(212) 734-5525'], l, defaults)).toMatchObject({ lead: { first_name: 'Mary Ann', last_name: 'Smith' } });
  });

  it('round-trips through the tuple sent between threads', () => {
    const l = lead({ Phone: '(212) 734-5525', Mobile: '646 298 4412', Industry: 'x' });
    expect(leadFromTuple(leadTuple(l))).toEqual(l);
  });
});

describe('unfilledColumns', () => {
  // A value for every field, valid, so that each column the layout can fill is filled.
  const VALUES: Record<string, string> = {
    external_id: 'X-1', first_name: 'Ann', last_name: 'Lee', full_name: 'Ann Lee', company: 'Acme', title: 'CTO', email: 'ann@acme.com',
    phone: '(212) 734-5526', alt_phone: '303-917-4402', country: 'US', region: 'NY', postal_code: '10001', timezone: 'America/New_York',
    source: 'web', campaign: 'fall', list: 'L1', score: '70', owner: 'bo', inbound_at: '2026-11-20T10:00:00Z',
  };
  const fieldsOf = fc.subarray([...LEAD_FIELDS].filter((f) => f !== 'phone' && VALUES[f] !== undefined));

  const options = fc.record({ custom: fc.boolean(), source: fc.option(fc.constant('fair')), campaign: fc.option(fc.constant('q4')), list: fc.option(fc.constant('L9')), inbound: fc.boolean() });
  const importOf = (fields: string[], o: { custom: boolean; source: string | null; campaign: string | null; list: string | null; inbound: boolean }) => {
    const mapping = mapColumns(['phone', ...fields.map((f) => f.replace(/_/g, ' ')), ...(o.custom ? ['Industry'] : [])]);
    return { mapping, layout: recordLayout(mapping), d: { ...defaults, source: o.source, campaign: o.campaign, list: o.list, inbound: o.inbound } };
  };
  const emptyColumns = (result: ReturnType<typeof normaliseRecord>) => {
    if (result.kind !== 'lead') throw new Error(JSON.stringify(result));
    const tuple = leadTuple(result.lead);
    // The extension depends on the number, not the layout; the id's system is set by the import
    // itself wherever there is an id (io/external-ids.ts).
    const later = (c: string) => c === 'phone_ext' || (c === 'external_system' && result.lead.external_id !== null);
    return new Set(LEAD_COLUMNS.filter((c, i) => !later(c) && (tuple[i] === null || (c === 'score' && result.lead.score === null))));
  };

  it('names only columns every lead of the layout leaves empty, whichever cells are blank', () => {
    fc.assert(
      fc.property(fieldsOf, options, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (fields, o, blank) => {
        const { mapping, layout: l, d } = importOf(fields, o);
        const values = mapping.map((m, i) => (i > 0 && blank[i] ? '' : m.field === 'custom' ? 'Software' : (VALUES[m.field] ?? '')));
        const empty = emptyColumns(normaliseRecord(values, l, d));
        for (const column of unfilledColumns(l, d)) expect(empty).toContain(column);
      }),
      { numRuns: 500 },
    );
  });

  it('names every column a row with every cell filled leaves empty', () => {
    fc.assert(
      fc.property(fieldsOf, options, (fields, o) => {
        const { mapping, layout: l, d } = importOf(fields, o);
        const values = mapping.map((m) => (m.field === 'custom' ? 'Software' : (VALUES[m.field as keyof typeof VALUES] ?? '')));
        const empty = emptyColumns(normaliseRecord(values, l, d));
        // A full name fills first and last only on rows without either: a filled row leaves one empty.
        if (fields.includes('full_name')) for (const c of ['first_name', 'last_name'] as const) empty.delete(c);
        expect(unfilledColumns(l, d)).toEqual(empty);
      }),
      { numRuns: 300 },
    );
  });
});

describe('field parsers', () => {
  it.each([
    ['87', 87],
    ['87,5', 88],
    ['87.4', 87],
    ['150', 100],
    ['-3', 0],
    ['90%', 90],
    ['hot', null],
  ])('score %j → %s', (text, score) => expect(parseScore(text)).toBe(score));

  it.each([
    [' Ann.Lee@Summit.COM ', 'ann.lee@summit.com'],
    ['mailto:bo@bell.io', 'bo@bell.io'],
    ['zoë@café.fr', 'zoë@café.fr'],
    ['pi.pope@@popesystems.com', null],
    ['no-at-sign.com', null],
    ['a@b', null],
    ['a b@c.com', null],
    // As Outlook and Gmail write an address with its name.
    ['Bob Ray <Bob@Ray.com>', 'bob@ray.com'],
    ['"Ray, Bob" <bob@ray.com>', 'bob@ray.com'],
    ['<bob@ray.com>', 'bob@ray.com'],
    ['Bob <not an address>', null],
  ])('email %j → %s', (text, email) => expect(normaliseEmail(text)).toBe(email));

  // The definition the ASCII fast path must agree with: EMAIL alone, as it was written first.
  const EMAIL = /^[^\s@<>()[\],;:"\p{C}]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}$/u;
  const reference = (text: string) => {
    const named = /^[^<>@]*<([^<>\s]+@[^<>\s]+)>$/.exec(text.trim());
    const email = (named ? named[1] : text.trim()).replace(/^mailto:/i, '').toLowerCase();
    return EMAIL.test(email) ? email : null;
  };
  it('accepts exactly the e-mails the full pattern accepts (ASCII fast path)', () => {
    const part = fc.stringMatching(/^[a-zA-Z0-9.\-_+@ ()<>"\t\u00e9\u00c9\u0130\u212a\u200b\u0000]{0,12}$/);
    const email = fc.tuple(fc.constantFrom('', ' ', 'mailto:', 'MAILTO:'), part, fc.constantFrom('@', '@@', ''), part, fc.constantFrom('.com', '.c', '.CO', '.fr ', '.é', '')).map((p) => p.join(''));
    fc.assert(fc.property(email, (text) => normaliseEmail(text) === reference(text)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => normaliseEmail(text) === reference(text)), { numRuns: 5_000 });
    expect(normaliseEmail('Ann@Acme.com')).toBe('ann@acme.com');
  });

  it.each([
    ['ann.lee@summit.com', true],
    ['info@summit.com', false],
    ['sales@summit.com', false],
    ['information@summit.com', true],
  ])('%s identifies a person: %s', (email, personal) => expect(isPersonalEmail(email)).toBe(personal));

  it.each([
    ['Mary Ann Smith', ['Mary Ann', 'Smith']],
    ['Smith, Mary', ['Mary', 'Smith']],
    ['Cher', ['Cher', null]],
    ['Martin Luther King, Jr.', ['Martin Luther', 'King', { suffix: 'Jr.' }]],
    ['Olga Smith, PhD', ['Olga', 'Smith', { suffix: 'PhD' }]],
    ['Olga Smith, Ph.D., MBA', ['Olga', 'Smith', { suffix: 'Ph.D., MBA' }]],
    ['John Smith Jr.', ['John', 'Smith', { suffix: 'Jr.' }]],
    ['Henry Ford III', ['Henry', 'Ford', { suffix: 'III' }]],
    ['Jane Roe Esq.', ['Jane', 'Roe', { suffix: 'Esq.' }]],
    ['Smith, John', ['John', 'Smith']],
    ['Smith, John, Jr.', ['John', 'Smith', { suffix: 'Jr.' }]],
    ['King Jr., Martin', ['Martin', 'King', { suffix: 'Jr.' }]],
    ['Dr. Jane Doe', ['Jane', 'Doe', { honorific: 'Dr.' }]],
    ['Mrs. Ann Lee MD', ['Ann', 'Lee', { suffix: 'MD', honorific: 'Mrs.' }]],
    ['Li Ma', ['Li', 'Ma']],
    ['Ma, Yo-Yo', ['Yo-Yo', 'Ma']],
    ['Jr.', ['Jr.', null]],
  ])('name %j → %j', (full, parts) => expect(splitName(full)).toEqual(parts));

  it.each([
    ['+1 404-526-8900', ['+1 404-526-8900']],
    ['+1 404-526-8900 ::: +1 404-526-8901', ['+1 404-526-8900', '+1 404-526-8901']],
    ['(212) 734-5521; (212) 734-5522', ['(212) 734-5521', '(212) 734-5522']],
    ['+55 11 3456-7890, +55 11 3456-7891', ['+55 11 3456-7890', '+55 11 3456-7891']],
    ['(212) 734-5521\n(917) 604-3381', ['(212) 734-5521', '(917) 604-3381']],
    ['4155550100,,101', ['4155550100,,101']],
    // A slash is the German area code's, never a separator.
    ['+49 (0)2166 / 123456-0', ['+49 (0)2166 / 123456-0']],
    ['0049 7361/1234567', ['0049 7361/1234567']],
    ['(212) 734-5521, ext 5', ['(212) 734-5521, ext 5']],
    ['+1 212 736 3001;ext=101', ['+1 212 736 3001;ext=101']],
    ['tel:+1-212-736-3001;ext=101; +1 212 555 0100', ['tel:+1-212-736-3001;ext=101', '+1 212 555 0100']],
    ['  ', []],
  ])('phone cell %j → %j', (cell, phones) => expect(splitPhones(cell)).toEqual(phones));

  it.each([
    ['Jr.', true],
    ['Ph.D.', true],
    ['iii', true],
    ['MBA', true],
    ['Ma', false],
    ['John', false],
  ])('%j is a name suffix: %s', (word, yes) => expect(isNameSuffix(word)).toBe(yes));

  // Times without an offset are read in the importing machine's zone, like --now.
  const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).toISOString();
  it.each([
    ['2026-11-23T14:55:00Z', '2026-11-23T14:55:00.000Z'],
    ['2026-11-23T09:55:00-05:00', '2026-11-23T14:55:00.000Z'],
    ['2026-11-23T20:25+0530', '2026-11-23T14:55:00.000Z'],
    ['2026-11-23 14:55', local(2026, 11, 23, 14, 55)],
    ['2026-11-23', local(2026, 11, 23)],
    ['11/23/2026 2:55 PM', local(2026, 11, 23, 14, 55)],
    ['11/23/2026 12:10 AM', local(2026, 11, 23, 0, 10)],
    ['11/23/26', local(2026, 11, 23)],
    ['23.11.2026 14:55', local(2026, 11, 23, 14, 55)],
    ['Nov 23, 2026 02:55 PM', local(2026, 11, 23, 14, 55)],
    ['Nov 23, 2026', local(2026, 11, 23)],
    ['November 23, 2026 9:05 AM', local(2026, 11, 23, 9, 5)],
    ['Sept 3, 2026', local(2026, 9, 3)],
    ['23 Nov 2026', local(2026, 11, 23)],
    ['23-Nov-2026 14:55', local(2026, 11, 23, 14, 55)],
    ['23-Nov-26', local(2026, 11, 23)],
    ['Nov 31, 2026', null],
    ['Foo 3, 2026', null],
    ['Nov 23, 2026 13:00 PM', null],
    ['2026-02-30', null],
    ['13/01/2026', null],
    ['11/23/2026 13:00 PM', null],
    ['yesterday', null],
  ])('timestamp %j → %s', (text, iso) => {
    expect(parseTimestamp(text)).toBe(iso);
  });
});

describe('mergeLead', () => {
  const stored: StoredLead = {
    external_id: 'CRM-1', external_system: null, phone_ext: null, first_name: 'Ann', last_name: 'Lee', company: 'Summit', title: null, email: 'ann@summit.com',
    phone: '+12127345525', alt_phones: null, country: 'US', region: 'NY', postal_code: null, timezone: 'America/New_York',
    timezone_source: 'phone', source: 'webinar', campaign: null, list: 'q3', score: 40, owner: null, custom: '{"Industry":"Logistics"}',
    inbound_at: null, queue_rank: 0, attempts: 3, last_call_at: '2026-11-20T15:00:00.000Z', created_at: '2026-11-01T12:00:00.000Z',
  };
  const incoming = (values: Parameters<typeof lead>[0], d: Partial<LeadDefaults> = {}) => lead(values, d);

  it('changes nothing when the row says nothing new', () => {
    expect(mergeLead(stored, incoming({ Phone: '(212) 734-5525', 'First Name': 'Ann', Email: 'ANN@summit.com', Industry: 'Logistics' }), weights)).toBeNull();
  });

  it('replaces given values, never erases with blanks, fills attribution only when blank', () => {
    const merged = mergeLead(
      stored,
      incoming({ Phone: '(212) 734-5525', Company: 'Summit Logistics', 'Lead Source': 'vendor', 'Lead Score': '90', Industry: 'Freight' }, { campaign: 'spring', list: 'q4' }),
      weights,
    )!;
    expect(merged).toMatchObject({ company: 'Summit Logistics', first_name: 'Ann', email: 'ann@summit.com', source: 'webinar', campaign: 'spring', list: 'q3', score: 90 });
    expect(JSON.parse(merged.custom!)).toEqual({ Industry: 'Freight' });
    expect(merged.queue_rank).toBe(queueRank({ ...stored, score: 90, campaign: 'spring' }, weights));
  });

  it('keeps the phone and adds a different one as an alternate', () => {
    const merged = mergeLead(stored, incoming({ Phone: '646 298 4412', Email: 'ann@summit.com' }), weights)!;
    expect(merged.alt_phones).toBe('["+16462984412"]');
    expect(merged).not.toHaveProperty('phone');
  });

  it('keeps the stored score when the row has none', () => {
    expect(mergeLead(stored, incoming({ Phone: '(212) 734-5525', Company: 'New' }), weights)!.score).toBe(40);
  });

  it('replaces the zone only from an equal or better source, and a later inbound time wins', () => {
    const fromColumn = mergeLead(stored, incoming({ Phone: '(212) 734-5525', 'Time Zone': 'Central' }), weights)!;
    expect(fromColumn).toMatchObject({ timezone: 'America/Chicago', timezone_source: 'column' });
    const columnStored = { ...stored, timezone: 'America/Chicago', timezone_source: 'column' };
    expect(mergeLead(columnStored, incoming({ Phone: '(212) 734-5525', Company: 'X' }), weights)!.timezone).toBe('America/Chicago');
    expect(mergeLead(stored, incoming({ Phone: '(212) 734-5525', 'Created Date': '2026-11-23T14:00:00Z' }), weights)!.inbound_at).toBe('2026-11-23T14:00:00.000Z');
  });
});

describe('normaliseRecord: vendor cells', () => {
  const header = ['Name', 'Title', 'E-mail 1 - Value', 'Phone 1 - Value', 'Company Main Phone', 'Mobile Phone', 'Country Code'];
  const vendorLayout = recordLayout(mapColumns(header));
  const normalise = (values: string[]) => {
    const result = normaliseRecord(values, vendorLayout, defaults);
    if (result.kind !== 'lead') throw new Error(`expected a lead, got ${JSON.stringify(result)}`);
    return result;
  };

  it('takes the first number of a multi-value cell and keeps the rest, then mobile, then the main line', () => {
    const { lead } = normalise(['Ann Lee', '', '', '+1 404-526-8900 ::: +1 404-526-8901', '(404) 526-8000', '(404) 526-8902', '']);
    expect(lead.phone).toBe('+14045268900');
    expect(lead.alt_phones).toEqual(['+14045268901', '+14045268902', '+14045268000']);
  });

  it('takes the first valid e-mail of a multi-value cell and keeps the others in custom other_emails', () => {
    const { lead, warnings } = normalise(['Ann Lee', '', 'not-an-email ::: Ann@Acme.com ; ann.lee@gmail.com', '(212) 734-5521', '', '', '']);
    expect(lead.email).toBe('ann@acme.com');
    expect(JSON.parse(lead.custom!)).toMatchObject({ other_emails: 'not-an-email; ann.lee@gmail.com' });
    expect(warnings).toEqual([]);
  });

  it('falls back on the next e-mail column when the first is empty or invalid, keeping every column', () => {
    const emails = recordLayout(mapColumns(['Phone', 'Person - Email - Work', 'Person - Email - Home', 'Person - Email - Other']));
    const email = (cells: string[]) => {
      const result = normaliseRecord(['(212) 734-5521', ...cells], emails, defaults);
      return result.kind === 'lead' ? ([result.lead.email, JSON.parse(result.lead.custom ?? '{}')] as [string | null, unknown]) : [result, null];
    };
    expect(email(['', 'Tom@Home.example', 'tom@other.example'])).toEqual(['tom@home.example', { 'Person - Email - Home': 'Tom@Home.example', 'Person - Email - Other': 'tom@other.example' }]);
    expect(email(['', '', 'tom@other.example'])[0]).toBe('tom@other.example');
    expect(email(['work@acme.example', 'tom@home.example', ''])[0]).toBe('work@acme.example');
    expect(email(['', '', ''])[0]).toBe(null);
  });

  it('keeps an honorific Title as a custom field, a job title as the title, and a name suffix as custom suffix', () => {
    const dr = normalise(['Martin Luther King, Jr.', 'Dr.', '', '(212) 734-5521', '', '', '']).lead;
    expect([dr.first_name, dr.last_name, dr.title, JSON.parse(dr.custom!)]).toEqual(['Martin Luther', 'King', null, { suffix: 'Jr.', honorific: 'Dr.' }]);
    expect(normalise(['Ann Lee', 'CFO', '', '(212) 734-5521', '', '', '']).lead.title).toBe('CFO');
    expect(normalise(['Ann Lee', 'Professor', '', '(212) 734-5521', '', '', '']).lead.title).toBe('Professor');
    expect(normalise(['Ann Lee', 'Mrs', '', '(212) 734-5521', '', '', '']).lead).toMatchObject({ title: null, custom: '{"honorific":"Mrs"}' });
  });

  it.each([
    ['+44', '020 7946 0321', 'GB', '+442079460321'],
    ['49', '030 86427150', 'DE', '+493086427150'],
    ['0049', '030 86427150', 'DE', '+493086427150'],
    ['Polska', '12 345 67 89', 'PL', '+48123456789'],
  ])('reads a national number with the Country Code %j', (code, phone, country, e164) => {
    const { lead, warnings } = normalise(['Ann Lee', '', '', phone, '', '', code]);
    expect([lead.country, lead.phone, warnings]).toEqual([country, e164, []]);
  });

  it('warns about a country it cannot place, naming it and the default used', () => {
    const { lead, warnings } = normalise(['Ann Lee', '', '', '+1 (212) 734-5521', '', '', 'Atlantis']);
    expect(lead.country).toBe('Atlantis');
    expect(warnings).toEqual([{ kind: 'unknown-country', detail: "country 'Atlantis' not recognised; used the default US" }]);
  });
});
