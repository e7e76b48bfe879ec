import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseZoneColumn,
  resolveLeadZones,
  zonesForCountry,
  zonesForPhone,
  zonesForRegion,
} from '../../src/io/timezones.js';

const NY = 'America/New_York';
const CHI = 'America/Chicago';
const DEN = 'America/Denver';
const LA = 'America/Los_Angeles';

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function expectWellFormed(zones: string[]): void {
  expect(zones).toEqual([...new Set(zones)].sort());
  for (const z of zones) expect(isValidZone(z), z).toBe(true);
}

const data = JSON.parse(
  readFileSync(new URL('../../src/io/tz-data/tz-data.json', import.meta.url), 'utf8'),
) as { zones: string[]; phoneStarts: number[]; countries: Record<string, number> };

describe('generated data', () => {
  it('names only zones that Intl knows', () => {
    const bad = data.zones.filter((z) => !isValidZone(z));
    expect(bad).toEqual([]);
  });

  it('is compact', () => {
    const bytes = readFileSync(new URL('../../src/io/tz-data/tz-data.json', import.meta.url)).length;
    expect(bytes).toBeLessThan(300_000);
  });

  it('gives well-formed zones for every range of the phone table', () => {
    expect(data.phoneStarts.length).toBeGreaterThan(1000);
    let known = 0;
    for (const start of data.phoneStarts) {
      if (start < 100_000_000) continue; // E.164 never starts with 0
      const zones = zonesForPhone(`+${start}55`);
      expectWellFormed(zones);
      if (zones.length) known++;
    }
    expect(known).toBeGreaterThan(1000);
  });
});

describe('zonesForPhone', () => {
  it.each([
    ['New York', '+12125550142', [NY]],
    ['Los Angeles', '+12135550100', [LA]],
    ['Los Angeles (310)', '+13105550100', [LA]],
    ['Chicago', '+13125550100', [CHI]],
    ['Phoenix (no DST)', '+16025550100', ['America/Phoenix']],
    ['Honolulu', '+18085550100', ['Pacific/Honolulu']],
    // 907 covers all of Alaska, the Aleutians (America/Adak) included
    ['Anchorage', '+19075550100', ['America/Adak', 'America/Anchorage']],
    ['Toronto', '+14165550100', ['America/Toronto']],
    ['Vancouver', '+16045550100', ['America/Vancouver']],
    ['Montreal', '+15145550100', ['America/Toronto']],
    ['Puerto Rico', '+17875550100', ['America/Puerto_Rico']],
    ['Jamaica', '+18765550100', ['America/Jamaica']],
    ['London', '+442079460000', ['Europe/London']],
    ['Berlin', '+493012345678', ['Europe/Berlin']],
    ['Paris', '+33142685300', ['Europe/Paris']],
    ['Dublin', '+35318000000', ['Europe/Dublin']],
    ['Vilnius', '+37052123456', ['Europe/Vilnius']],
    ['Managua (no DST)', '+50522223333', ['America/Managua']],
    ['Sydney', '+61292501234', ['Australia/Sydney']],
    ['Melbourne', '+61398765432', ['Australia/Sydney']],
    ['Brisbane (no DST)', '+61731234567', ['Australia/Brisbane']],
    ['Perth', '+61892251234', ['Australia/Perth']],
    ['Darwin', '+61889812345', ['Australia/Darwin']],
    ['Adelaide', '+61882123456', ['Australia/Adelaide']],
    ['Mumbai', '+912212345678', ['Asia/Kolkata']],
    ['São Paulo', '+551133334444', ['America/Sao_Paulo']],
    ['São Paulo mobile', '+5511987654321', ['America/Sao_Paulo']],
    ['Manaus', '+559233334444', ['America/Manaus']],
    ['Mexico City', '+525512345678', ['America/Mexico_City']],
    ['Tijuana', '+526641234567', ['America/Tijuana']],
    ['Vladivostok', '+74232123456', ['Asia/Vladivostok']],
    ['Tokyo', '+81312345678', ['Asia/Tokyo']],
  ])('%s %s', (_city, phone, zones) => {
    expect(zonesForPhone(phone)).toEqual(zones);
  });

  it.each([
    // area codes that span two zones keep both
    ['North Dakota 701', '+17015550100', [DEN, 'America/North_Dakota/Center']],
    ['Indiana overlay 930 (812 is split)', '+19305550100', [CHI, NY]],
    ['Kentucky overlay 364 (270 is split)', '+13645550100', [CHI, NY]],
    ['Oregon overlay 458 (541 is split)', '+14585550100', [DEN, LA]],
    ['Nevada 775', '+17755550100', ['America/Boise', LA]],
  ])('%s spans zones', (_what, phone, zones) => {
    expect(zonesForPhone(phone)).toEqual(zones);
  });

  it.each([
    // split area codes resolve by exchange
    ['Tallahassee 850-222', '+18502220000', [NY]],
    ['Pensacola 850-438', '+18504380000', [CHI]],
    ['Gary 219-881', '+12198810000', [CHI]],
    ['South Bend 219 default', '+12192320000', [NY]],
    ['Cranbrook BC 250-426', '+12504260000', ['America/Edmonton']],
    ['Victoria BC 250-384', '+12503840000', ['America/Vancouver']],
  ])('%s', (_what, phone, zones) => {
    expect(zonesForPhone(phone)).toEqual(zones);
  });

  it.each([
    ['toll-free +1 800', '+18005550100'],
    ['toll-free +1 888', '+18885550100'],
    ['Australian mobile (not geographic)', '+61412345678'],
    ['Russian mobile (not geographic)', '+79161234567'],
    ['Spanish mobile (could be the Canaries)', '+34612345678'],
    ['Indonesian mobile', '+628121234567'],
    ['unassigned calling code', '+99912345678'],
    ['calling code only', '+1'],
    ['no plus', '12125550142'],
    ['national format', '(212) 555-0142'],
    ['empty', ''],
    ['garbage', 'call me maybe'],
    ['too long', '+1212555014212345678'],
  ])('%s -> []', (_what, phone) => {
    expect(zonesForPhone(phone)).toEqual([]);
  });

  it('tolerates spacing and punctuation after the +', () => {
    expect(zonesForPhone('+1 (212) 555-0142')).toEqual([NY]);
    expect(zonesForPhone(' +44 20 7946 0000 ')).toEqual(['Europe/London']);
  });

  it('returns a fresh array each time', () => {
    const a = zonesForPhone('+12125550142');
    a.push('Mars/Olympus');
    expect(zonesForPhone('+12125550142')).toEqual([NY]);
  });
});

describe('parseZoneColumn', () => {
  it.each([
    ['America/New_York', [NY]],
    ['america/new_york', [NY]],
    ['AMERICA/LOS_ANGELES', [LA]],
    ['Asia/Kolkata', ['Asia/Kolkata']],
    ['asia/kolkata', ['Asia/Kolkata']],
    ['Europe/Kyiv', ['Europe/Kyiv']],
    ['US/Eastern', [NY]],
    ['Egypt', ['Africa/Cairo']], // IANA backward link without a slash
    ['EST', [NY]],
    ['EDT', [NY]],
    ['ET', [NY]],
    ['est', [NY]],
    ['Eastern', [NY]],
    ['Eastern Time', [NY]],
    ['Eastern Standard Time', [NY]],
    ['(UTC-05:00) Eastern Time (US & Canada)', [NY]],
    ['E.S.T.', [NY]],
    ['CST', [CHI]],
    ['Central', [CHI]],
    ['Central Time (US & Canada)', [CHI]],
    ['MST', [DEN]],
    ['Mountain', [DEN]],
    ['US Mountain Standard Time', ['America/Phoenix']],
    ['Arizona', ['America/Phoenix']],
    ['PST', [LA]],
    ['PDT', [LA]],
    ['Pacific', [LA]],
    ['AKST', ['America/Anchorage']],
    ['HST', ['Pacific/Honolulu']],
    ['Hawaii', ['Pacific/Honolulu']],
    ['AST', ['America/Halifax']],
    ['NST', ['America/St_Johns']],
    ['GMT', ['UTC']],
    ['UTC', ['UTC']],
    ['Etc/UTC', ['UTC']],
    ['Z', ['UTC']],
    ['BST', ['Europe/London']],
    ['GMT Standard Time', ['Europe/London']],
    ['CET', ['Europe/Paris']],
    ['CEST', ['Europe/Paris']],
    ['AEST', ['Australia/Sydney']],
    ['JST', ['Asia/Tokyo']],
    ['UTC-5', ['Etc/GMT+5']],
    ['GMT+1', ['Etc/GMT-1']],
    ['-08:00', ['Etc/GMT+8']],
    ['UTC+0', ['UTC']],
    // several
    ['EST;PST', [LA, NY]],
    ['America/Chicago | America/Denver', [CHI, DEN]],
    ['Eastern, Central', [CHI, NY]],
    ['EST|EDT|America/New_York', [NY]],
    ['America/Denver&America/Phoenix', [DEN, 'America/Phoenix']],
    [' PST ; ', [LA]],
  ])('%j', (value, zones) => {
    expect(parseZoneColumn(value)).toEqual(zones);
  });

  it.each([
    [''],
    ['   '],
    ['Mars/Olympus'],
    ['Nowhere'],
    ['IST'], // India, Ireland or Israel: not guessed
    ['AGT'], // ICU accepts Java-style ids; they are not IANA names
    ['UTC+05:30'], // no IANA zone for a fractional fixed offset
    ['UTC+15'],
    ['EST;Mars'], // one bad part spoils the lot (never drop a zone silently)
    ['42'],
  ])('%j -> null', (value) => {
    expect(parseZoneColumn(value)).toBeNull();
  });

  it('gives valid zones for every recognised spelling', () => {
    for (const v of ['EST', 'CST', 'MST', 'PST', 'AKST', 'HST', 'AST', 'NST', 'GMT', 'UTC', 'BST', 'CET', 'EET', 'WET', 'MSK', 'JST', 'KST', 'AEST', 'ACST', 'AWST', 'NZST', 'SAST', 'UTC-12', 'UTC+14']) {
      const zones = parseZoneColumn(v);
      expect(zones, v).not.toBeNull();
      expectWellFormed(zones!);
    }
  });
});

describe('zonesForRegion', () => {
  it.each<[string | undefined, string, string[]]>([
    ['US', 'NY', [NY]],
    [undefined, 'NY', [NY]],
    [undefined, 'New York', [NY]],
    [undefined, 'new york', [NY]],
    [undefined, 'N.Y.', [NY]],
    [undefined, 'US-NY', [NY]],
    [undefined, 'ca', [LA]],
    ['United States', 'California', [LA]],
    [undefined, 'AZ', [DEN, 'America/Phoenix']],
    [undefined, 'Hawaii', ['Pacific/Honolulu']],
    [undefined, 'DC', [NY]],
    [undefined, 'Washington DC', [NY]],
    [undefined, 'Washington', [LA]],
    [undefined, 'Florida', [CHI, NY]],
    [undefined, 'Tennessee', [CHI, NY]],
    [undefined, 'TX', [CHI, DEN]],
    [undefined, 'Idaho', ['America/Boise', LA]],
    [undefined, 'Ontario', ['America/Atikokan', 'America/Toronto', 'America/Winnipeg']],
    [undefined, 'ON', ['America/Atikokan', 'America/Toronto', 'America/Winnipeg']],
    ['CA', 'BC', ['America/Creston', 'America/Dawson_Creek', 'America/Edmonton', 'America/Fort_Nelson', 'America/Vancouver']],
    ['Canada', 'Québec', ['America/Blanc-Sablon', 'America/Halifax', 'America/Toronto']],
    [undefined, 'quebec', ['America/Blanc-Sablon', 'America/Halifax', 'America/Toronto']],
    [undefined, 'Manitoba', ['America/Winnipeg']],
    [undefined, 'NSW', ['Australia/Broken_Hill', 'Australia/Lord_Howe', 'Australia/Sydney']],
    ['AU', 'nsw', ['Australia/Broken_Hill', 'Australia/Lord_Howe', 'Australia/Sydney']],
    [undefined, 'Victoria', ['Australia/Melbourne']],
    [undefined, 'QLD', ['Australia/Brisbane', 'Australia/Lindeman']],
    ['Australia', 'WA', ['Australia/Eucla', 'Australia/Perth']],
    ['AU', 'NT', ['Australia/Darwin']],
    ['Canada', 'NT', ['America/Edmonton', 'America/Inuvik']],
    [undefined, 'AU-TAS', ['Australia/Hobart']],
  ])('(%s, %j)', (country, region, zones) => {
    expect(zonesForRegion(country, region)).toEqual(zones);
  });

  it('gives every zone of a state that spans zones', () => {
    const indiana = zonesForRegion('US', 'Indiana');
    expect(indiana).toContain(CHI);
    expect(indiana).toContain('America/Indiana/Indianapolis');
    expect(indiana).toContain('America/Indiana/Tell_City');
    const kentucky = zonesForRegion('US', 'KY');
    expect(kentucky).toContain(CHI);
    expect(kentucky).toContain(NY);
  });

  it.each<[string | undefined, string]>([
    [undefined, ''],
    [undefined, 'Atlantis'],
    ['Germany', 'Bavaria'],
    ['US', 'ON'],
    ['CA', 'NY'],
    ['AU', 'Texas'],
  ])('(%s, %j) -> []', (country, region) => {
    expect(zonesForRegion(country, region)).toEqual([]);
  });

  it('gives valid zones for every region code', () => {
    const codes = {
      US: 'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP',
      CA: 'AB BC MB NB NL NS NT NU ON PE QC SK YT',
      AU: 'NSW ACT JBT VIC QLD SA WA TAS NT',
    };
    for (const [country, list] of Object.entries(codes)) {
      for (const code of list.split(' ')) {
        const zones = zonesForRegion(country, code);
        expect(zones.length, `${country}-${code}`).toBeGreaterThan(0);
        expectWellFormed(zones);
      }
    }
  });
});

describe('zonesForCountry', () => {
  it.each([
    ['UK', ['Europe/London']],
    ['GB', ['Europe/London']],
    ['gb', ['Europe/London']],
    ['United Kingdom', ['Europe/London']],
    ['England', ['Europe/London']],
    ['Germany', ['Europe/Berlin', 'Europe/Busingen']],
    ['DE', ['Europe/Berlin', 'Europe/Busingen']],
    ['Deutschland', ['Europe/Berlin', 'Europe/Busingen']],
    ['France', ['Europe/Paris']],
    ['FR', ['Europe/Paris']],
    ['Ireland', ['Europe/Dublin']],
    ['India', ['Asia/Kolkata']],
    ['Japan', ['Asia/Tokyo']],
    ['Côte d’Ivoire', ['Africa/Abidjan']],
    ['Ivory Coast', ['Africa/Abidjan']],
    ['the Netherlands', ['Europe/Amsterdam']],
  ])('%j', (country, zones) => {
    expect(zonesForCountry(country)).toEqual(zones);
  });

  it.each(['US', 'us', 'USA', 'U.S.A.', 'United States', 'united states of america'])(
    '%j gives every US zone',
    (country) => {
      const zones = zonesForCountry(country);
      expectWellFormed(zones);
      for (const z of [NY, CHI, DEN, LA, 'America/Phoenix', 'America/Anchorage', 'Pacific/Honolulu']) {
        expect(zones).toContain(z);
      }
      expect(zones).not.toContain('America/Toronto');
    },
  );

  it.each([
    ['Canada', ['America/Toronto', 'America/Vancouver', 'America/St_Johns']],
    ['CA', ['America/Toronto', 'America/Vancouver', 'America/St_Johns']],
    ['Australia', ['Australia/Sydney', 'Australia/Perth', 'Australia/Adelaide']],
    ['Brazil', ['America/Sao_Paulo', 'America/Manaus', 'America/Noronha']],
    ['MX', ['America/Mexico_City', 'America/Tijuana', 'America/Cancun']],
    ['Russia', ['Europe/Moscow', 'Asia/Vladivostok']],
    ['ID', ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']],
  ])('multi-zone %j gives all its zones', (country, some) => {
    const zones = zonesForCountry(country);
    expectWellFormed(zones);
    for (const z of some) expect(zones).toContain(z);
  });

  it.each(['', 'Atlantis', 'XX', 'Narnia'])('%j -> []', (country) => {
    expect(zonesForCountry(country)).toEqual([]);
  });

  it('gives valid zones for every country', () => {
    for (const code of Object.keys(data.countries)) {
      const zones = zonesForCountry(code);
      expect(zones.length, code).toBeGreaterThan(0);
      expectWellFormed(zones);
    }
  });
});

describe('resolveLeadZones', () => {
  it('takes the explicit column first', () => {
    expect(
      resolveLeadZones({ timezone: 'PST', phone: '+12125550142', region: 'NY', country: 'US', defaultZone: 'UTC' }),
    ).toEqual({ zones: [LA], source: 'column' });
  });

  it('then the phone number', () => {
    expect(
      resolveLeadZones({ timezone: '', phone: '+12125550142', region: 'CA', country: 'US', defaultZone: 'UTC' }),
    ).toEqual({ zones: [NY], source: 'phone' });
  });

  it('falls through an unrecognisable column', () => {
    expect(resolveLeadZones({ timezone: 'somewhere nice', phone: '+12125550142' })).toEqual({
      zones: [NY],
      source: 'phone',
    });
  });

  it('keeps every zone of a number that spans two', () => {
    expect(resolveLeadZones({ phone: '+19305550100', region: 'IN' })).toEqual({
      zones: [CHI, NY],
      source: 'phone',
    });
  });

  it('then the region when the phone says nothing', () => {
    expect(resolveLeadZones({ phone: '+18005550100', region: 'TX', country: 'US', defaultZone: 'UTC' })).toEqual({
      zones: [CHI, DEN],
      source: 'region',
    });
  });

  it('reads the region in the country of the phone when no country is given', () => {
    expect(resolveLeadZones({ phone: '+61412345678', region: 'WA' })).toEqual({
      zones: ['Australia/Eucla', 'Australia/Perth'],
      source: 'region',
    });
    expect(resolveLeadZones({ phone: '+18005550100', region: 'ON' })).toEqual({
      zones: ['America/Atikokan', 'America/Toronto', 'America/Winnipeg'],
      source: 'region',
    });
  });

  it('then the country', () => {
    expect(resolveLeadZones({ phone: null, region: 'Bavaria', country: 'Germany', defaultZone: 'UTC' })).toEqual({
      zones: ['Europe/Berlin', 'Europe/Busingen'],
      source: 'country',
    });
    const r = resolveLeadZones({ phone: '+18005550100', country: 'CA' });
    expect(r.source).toBe('country');
    expect(r.zones).toContain('America/Toronto');
    expect(r.zones).not.toContain(NY);
  });

  it("uses the phone's calling code as the country when none is given", () => {
    const r = resolveLeadZones({ phone: '+61412345678' });
    expect(r.source).toBe('country');
    expect(r.zones).toContain('Australia/Perth');
    expect(r.zones).toContain('Australia/Sydney');
  });

  it('then the configured default', () => {
    expect(resolveLeadZones({ country: 'Atlantis', defaultZone: 'America/Chicago' })).toEqual({
      zones: [CHI],
      source: 'default',
    });
    expect(resolveLeadZones({ defaultZone: 'EST' })).toEqual({ zones: [NY], source: 'default' });
  });

  it('says unknown rather than guessing', () => {
    expect(resolveLeadZones({})).toEqual({ zones: [], source: 'unknown' });
    expect(
      resolveLeadZones({ timezone: null, phone: null, country: null, region: null, defaultZone: null }),
    ).toEqual({ zones: [], source: 'unknown' });
    expect(resolveLeadZones({ timezone: '??', phone: 'n/a', region: 'Atlantis', defaultZone: 'Mars/Olympus' })).toEqual({
      zones: [],
      source: 'unknown',
    });
  });
});
