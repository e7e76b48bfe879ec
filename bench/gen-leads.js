#!/usr/bin/env node
// Lead-list generator for callq benchmarks and test data.
//
//   node bench/gen-leads.js N FILE [--seed S] [--dupes 0.01] [--bad 0.005]
//                                  [--columns 9|full] [--now ISO] [--bom] [--crlf]
//                                  [--label] [--quiet]
//
// Writes N realistic, varied B2B lead rows as CSV to FILE ("-" = stdout), streaming
// (memory stays flat), deterministic for a given seed, no dependencies.
//
//   --seed S       PRNG seed (number or string; default 1). Same seed + options = same bytes.
//   --dupes R      share of rows that repeat an earlier person (same phone number in
//                  another format, often the e-mail in another case) (default 0.01)
//   --bad R        share of unusable rows: empty phone, 'n/a', '123', words; plus rows with
//                  an invalid e-mail but a good phone (importable) (default 0.005)
//   --columns 9    First Name,Last Name,Company,Title,Email,Phone,State,Country,Lead Source
//   --columns full the 9 columns + Mobile,Job Level,Zip,Campaign,Lead Score,Time Zone,
//                  Created Date,Industry,Employees
//   --now ISO      reference instant for Created Date (default 2026-11-23T12:00:00Z)
//   --bom          start with a UTF-8 BOM (Excel "CSV UTF-8")
//   --crlf         CRLF line endings (default LF)
//   --label        add a last column `_expect`: ok | duplicate | reject:<kind> | bad-email
//   --quiet        no summary on stderr
//
// On completion a one-line JSON summary goes to stderr, including what an importer
// should report for the file with default country US:
//   {"rows":N,"expect":{"valid":..,"duplicates":..,"rejected":..},"bad":{..},...}
//
// Phone numbers: US/Canada (~75%) use real area codes of every US time zone (incl.
// Arizona, Hawaii, Alaska, split Indiana/Kentucky/Florida/Idaho/Dakotas) and Canadian
// provinces, exchanges 2xx-9xx but never N11, 555, 950, 958, 959, 976; the UK, Germany,
// France, Australia and India use real geographic/mobile prefixes (not Ofcom's 07700 900xxx
// drama range: libphonenumber rejects it as invalid). Subscriber digits are
// pseudo-random (a keyed permutation of a per-country counter), so every generated
// person has a distinct phone and e-mail (up to hundreds of millions of rows): the only
// duplicates are the intended ones. Numbers are synthetic, not anyone's on purpose.

import { createWriteStream } from 'node:fs';

// ---------------------------------------------------------------------------------
// CLI

const USAGE = `usage: node bench/gen-leads.js N FILE [--seed S] [--dupes 0.01] [--bad 0.005]
                                [--columns 9|full] [--now ISO] [--bom] [--crlf] [--label] [--quiet]
  FILE "-" writes to stdout.`;

function parseArgs(argv) {
  const o = { seed: '1', dupes: 0.01, bad: 0.005, columns: '9', now: '2026-11-23T12:00:00Z',
    bom: false, crlf: false, label: false, quiet: false, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const val = () => (v !== undefined ? v : argv[++i]);
    switch (a) {
      case '--seed': o.seed = String(val()); break;
      case '--dupes': o.dupes = Number(val()); break;
      case '--bad': o.bad = Number(val()); break;
      case '--columns': o.columns = String(val()); break;
      case '--now': o.now = String(val()); break;
      case '--bom': o.bom = true; break;
      case '--crlf': o.crlf = true; break;
      case '--label': o.label = true; break;
      case '--quiet': case '-q': o.quiet = true; break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default:
        if (a.startsWith('--')) fail(`unknown option ${a}`);
        o.pos.push(a);
    }
  }
  if (o.pos.length !== 2) fail('expected N and FILE');
  o.n = Number(o.pos[0].replace(/_/g, ''));
  o.file = o.pos[1];
  if (!Number.isInteger(o.n) || o.n < 0) fail(`N must be a non-negative integer, got ${o.pos[0]}`);
  if (!(o.dupes >= 0 && o.bad >= 0 && o.dupes + o.bad <= 1)) fail('--dupes and --bad must be rates in [0,1]');
  if (o.columns !== '9' && o.columns !== 'full') fail('--columns must be 9 or full');
  o.nowMs = Date.parse(o.now);
  if (Number.isNaN(o.nowMs)) fail(`--now: not an ISO date: ${o.now}`);
  return o;
}

function fail(msg) {
  process.stderr.write(`gen-leads: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------
// Randomness: mulberry32 for choices, a keyed Feistel permutation for unique ids.

function hashSeed(str) {
  let h = 2166136261 >>> 0; // FNV-1a
  for (let i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 16777619); }
  return h >>> 0;
}

function mulberry32(a) {
  return function () {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

// A bijection on [0, m) (m <= 2^32) from a 4-round Feistel network with cycle walking.
function makePerm(m, key) {
  let bits = Math.max(2, Math.ceil(Math.log2(m)));
  if (bits % 2) bits++;
  const h = bits / 2;
  const half = 2 ** h;
  const mask = half - 1;
  const k = [mix32(key ^ 0x1234567), mix32(key ^ 0x89abcde), mix32(key ^ 0x2468ace), mix32(key ^ 0x13579bd)];
  const enc = (v) => {
    let l = Math.floor(v / half);
    let r = v & mask;
    for (let i = 0; i < 4; i++) {
      const f = mix32((r + k[i]) | 0) & mask;
      const nl = r;
      r = (l ^ f) & mask;
      l = nl;
    }
    return l * half + r;
  };
  return (c) => {
    let v = c % m;
    do { v = enc(v); } while (v >= m);
    return v;
  };
}

// ---------------------------------------------------------------------------------
// Vocabulary

const US_STATES = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas',
  KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts',
  MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana',
  NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico',
  NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma',
  OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina',
  SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia',
  WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};
const CA_PROVINCES = {
  ON: 'Ontario', QC: 'Quebec', BC: 'British Columbia', AB: 'Alberta', SK: 'Saskatchewan',
  MB: 'Manitoba', NS: 'Nova Scotia', NB: 'New Brunswick', NL: 'Newfoundland and Labrador',
};

// area code, state, 3-digit ZIP prefix, IANA zone(s) ('|' = the area code spans zones)
const ET = 'America/New_York', CT = 'America/Chicago', MT = 'America/Denver', PT = 'America/Los_Angeles';
const US_AREA = `
212 NY 100 ${ET}|646 NY 100 ${ET}|718 NY 112 ${ET}|917 NY 101 ${ET}|516 NY 115 ${ET}|518 NY 122 ${ET}
585 NY 146 ${ET}|716 NY 142 ${ET}|315 NY 132 ${ET}|617 MA 021 ${ET}|781 MA 018 ${ET}|508 MA 017 ${ET}
203 CT 068 ${ET}|860 CT 061 ${ET}|401 RI 029 ${ET}|603 NH 030 ${ET}|207 ME 041 ${ET}|802 VT 054 ${ET}
201 NJ 070 ${ET}|973 NJ 071 ${ET}|732 NJ 088 ${ET}|215 PA 191 ${ET}|412 PA 152 ${ET}|717 PA 171 ${ET}
610 PA 194 ${ET}|302 DE 198 ${ET}|410 MD 212 ${ET}|301 MD 208 ${ET}|202 DC 200 ${ET}|703 VA 220 ${ET}
804 VA 232 ${ET}|757 VA 234 ${ET}|304 WV 253 ${ET}|704 NC 282 ${ET}|919 NC 276 ${ET}|336 NC 274 ${ET}
803 SC 292 ${ET}|843 SC 294 ${ET}|404 GA 303 ${ET}|678 GA 300 ${ET}|912 GA 314 ${ET}|305 FL 331 ${ET}
407 FL 328 ${ET}|813 FL 336 ${ET}|904 FL 322 ${ET}|954 FL 333 ${ET}|561 FL 334 ${ET}|850 FL 323 ${ET}|${CT}
216 OH 441 ${ET}|614 OH 432 ${ET}|513 OH 452 ${ET}|419 OH 436 ${ET}|313 MI 482 ${ET}|248 MI 480 ${ET}
616 MI 495 ${ET}|906 MI 498 America/Detroit|America/Menominee
317 IN 462 America/Indiana/Indianapolis|260 IN 468 America/Indiana/Indianapolis
574 IN 466 America/Indiana/Indianapolis|219 IN 463 ${CT}|812 IN 474 America/Indiana/Indianapolis|${CT}
502 KY 402 America/Kentucky/Louisville|859 KY 405 ${ET}|270 KY 420 ${CT}|615 TN 372 ${CT}
901 TN 381 ${CT}|865 TN 379 ${ET}|205 AL 352 ${CT}|251 AL 366 ${CT}|601 MS 392 ${CT}|504 LA 701 ${CT}
225 LA 708 ${CT}|501 AR 722 ${CT}|312 IL 606 ${CT}|773 IL 606 ${CT}|847 IL 600 ${CT}|630 IL 601 ${CT}
414 WI 532 ${CT}|608 WI 537 ${CT}|612 MN 554 ${CT}|651 MN 551 ${CT}|515 IA 503 ${CT}|319 IA 522 ${CT}
314 MO 631 ${CT}|816 MO 641 ${CT}|402 NE 681 ${CT}|308 NE 688 ${CT}|${MT}|316 KS 672 ${CT}
913 KS 662 ${CT}|405 OK 731 ${CT}|918 OK 741 ${CT}|214 TX 752 ${CT}|469 TX 750 ${CT}|972 TX 750 ${CT}
512 TX 787 ${CT}|713 TX 770 ${CT}|281 TX 773 ${CT}|210 TX 782 ${CT}|817 TX 761 ${CT}|915 TX 799 ${MT}
701 ND 581 ${CT}|${MT}|605 SD 571 ${CT}|${MT}|303 CO 802 ${MT}|720 CO 802 ${MT}|719 CO 809 ${MT}
801 UT 841 ${MT}|385 UT 840 ${MT}|505 NM 871 ${MT}|406 MT 596 ${MT}|307 WY 820 ${MT}
208 ID 837 America/Boise|${PT}|480 AZ 852 America/Phoenix|602 AZ 850 America/Phoenix
520 AZ 857 America/Phoenix|928 AZ 860 America/Phoenix|702 NV 891 ${PT}|775 NV 895 ${PT}
213 CA 900 ${PT}|310 CA 902 ${PT}|323 CA 900 ${PT}|415 CA 941 ${PT}|408 CA 951 ${PT}|650 CA 940 ${PT}
510 CA 946 ${PT}|619 CA 921 ${PT}|858 CA 921 ${PT}|916 CA 958 ${PT}|714 CA 928 ${PT}|949 CA 926 ${PT}
503 OR 972 ${PT}|971 OR 970 ${PT}|206 WA 981 ${PT}|425 WA 980 ${PT}|253 WA 984 ${PT}|509 WA 992 ${PT}
808 HI 968 Pacific/Honolulu|907 AK 995 America/Anchorage`;
// area code, province, postal-code letter, zone
const CA_AREA = `
416 ON M America/Toronto|647 ON M America/Toronto|905 ON L America/Toronto|613 ON K America/Toronto
519 ON N America/Toronto|514 QC H America/Toronto|438 QC H America/Toronto|418 QC G America/Toronto
604 BC V America/Vancouver|778 BC V America/Vancouver|250 BC V America/Vancouver
403 AB T America/Edmonton|587 AB T America/Edmonton|780 AB T America/Edmonton
306 SK S America/Regina|204 MB R America/Winnipeg|902 NS B America/Halifax|506 NB E America/Moncton
709 NL A America/St_Johns`;

function parseArea(text) {
  // Entries are separated by '|' except where a '|' continues a zone list: a token
  // starting with a letter after '|' belongs to the previous entry.
  const out = [];
  for (const tok of text.replace(/\n/g, '|').split('|').map((s) => s.trim()).filter(Boolean)) {
    if (/^[A-Za-z]/.test(tok)) { out[out.length - 1].tz.push(tok); continue; }
    const [ac, region, zip, tz] = tok.split(/\s+/);
    out.push({ ac, region, zip, tz: [tz] });
  }
  return out;
}
const US_AC = parseArea(US_AREA);
const CA_AC = parseArea(CA_AREA);

// NANP exchanges: 200-999 except N11, 555 and special-use 950, 958, 959, 976.
const EXCHANGES = [];
for (let e = 200; e < 1000; e++) {
  if (e % 100 === 11 || e === 555 || e === 950 || e === 958 || e === 959 || e === 976) continue;
  EXCHANGES.push(String(e));
}

// Non-NANP locations and numbering plans. nsn = national significant number (no trunk 0).
const LOC = {
  GB: {
    London: { region: ['England', 'England'], tz: 'Europe/London', zip: ['EC1A', 'EC2M', 'WC2N', 'SW1A', 'SE1', 'E14', 'N1', 'W1D', 'NW1'] },
    Manchester: { region: ['England', 'Greater Manchester'], tz: 'Europe/London', zip: ['M1', 'M2', 'M3', 'M4', 'M15'] },
    Glasgow: { region: ['Scotland', 'Scotland'], tz: 'Europe/London', zip: ['G1', 'G2', 'G3', 'G12'] },
  },
  DE: {
    Berlin: { region: ['BE', 'Berlin'], tz: 'Europe/Berlin', zip: [10115, 14199] },
    Munich: { region: ['BY', 'Bayern'], tz: 'Europe/Berlin', zip: [80331, 81929] },
    Hamburg: { region: ['HH', 'Hamburg'], tz: 'Europe/Berlin', zip: [20095, 22769] },
    Frankfurt: { region: ['HE', 'Hessen'], tz: 'Europe/Berlin', zip: [60306, 60599] },
  },
  FR: {
    Paris: { region: ['IDF', 'Île-de-France'], tz: 'Europe/Paris', zip: [75001, 75020] },
    Lyon: { region: ['ARA', 'Auvergne-Rhône-Alpes'], tz: 'Europe/Paris', zip: [69001, 69009] },
    Marseille: { region: ['PAC', "Provence-Alpes-Côte d'Azur"], tz: 'Europe/Paris', zip: [13001, 13016] },
  },
  AU: {
    NSW: { region: ['NSW', 'New South Wales'], tz: 'Australia/Sydney', zip: [2000, 2234] },
    VIC: { region: ['VIC', 'Victoria'], tz: 'Australia/Melbourne', zip: [3000, 3207] },
    QLD: { region: ['QLD', 'Queensland'], tz: 'Australia/Brisbane', zip: [4000, 4179] },
    WA: { region: ['WA', 'Western Australia'], tz: 'Australia/Perth', zip: [6000, 6199] },
    SA: { region: ['SA', 'South Australia'], tz: 'Australia/Adelaide', zip: [5000, 5199] },
  },
  IN: {
    Mumbai: { region: ['MH', 'Maharashtra'], tz: 'Asia/Kolkata', zip: [400001, 400104] },
    Bengaluru: { region: ['KA', 'Karnataka'], tz: 'Asia/Kolkata', zip: [560001, 560103] },
    Delhi: { region: ['DL', 'Delhi'], tz: 'Asia/Kolkata', zip: [110001, 110096] },
  },
};

// prefixes: nsn prefix -> city (null = mobile: city picked at random); k = digits after it;
// groups = digit grouping of the nsn for display.
const PLANS = {
  GB: {
    cc: '44',
    fixed: { prefixes: { 207: 'London', 203: 'London', 208: 'London', 161: 'Manchester', 141: 'Glasgow' }, k: 7, groups: (p) => (p[0] === '2' ? [2, 4, 4] : [3, 3, 4]) },
    mobile: { prefixes: { 74: null, 75: null, 78: null }, k: 8, groups: () => [4, 6] },
    mobileShare: 0.3,
    styles: [['intl', 30], ['national', 35], ['intlTrunk', 10], ['nationalCompact', 10], ['e164', 10], ['intlDash', 5]],
  },
  DE: {
    cc: '49',
    fixed: { prefixes: { 30: 'Berlin', 89: 'Munich', 40: 'Hamburg', 69: 'Frankfurt' }, k: 8, groups: () => [2, 8] },
    mobile: { prefixes: { 151: null, 152: null, 157: null, 162: null, 176: null, 177: null, 179: null }, k: 8, groups: () => [3, 8] },
    mobileShare: 0.25,
    styles: [['intl', 30], ['national', 25], ['slash', 15], ['intlTrunk', 10], ['nationalCompact', 10], ['intlDash', 10]],
  },
  FR: {
    cc: '33',
    fixed: { prefixes: { 1: 'Paris', 472: 'Lyon', 478: 'Lyon', 491: 'Marseille' }, k: 0, groups: () => [1, 2, 2, 2, 2] },
    mobile: { prefixes: { 61: null, 62: null, 64: null, 66: null, 67: null, 75: null, 76: null, 77: null }, k: 7, groups: () => [1, 2, 2, 2, 2] },
    mobileShare: 0.3,
    styles: [['intl', 30], ['national', 35], ['dots', 15], ['intlTrunk', 5], ['nationalCompact', 10], ['e164', 5]],
  },
  AU: {
    cc: '61',
    fixed: { prefixes: { 29: 'NSW', 28: 'NSW', 39: 'VIC', 38: 'VIC', 73: 'QLD', 89: 'WA', 88: 'SA' }, k: 7, groups: () => [1, 4, 4] },
    mobile: { prefixes: { 40: null, 41: null, 42: null, 43: null }, k: 7, groups: () => [3, 3, 3] },
    mobileShare: 0.35,
    styles: [['intl', 30], ['national', 25], ['paren', 20], ['nationalCompact', 15], ['e164', 10]],
  },
  IN: {
    cc: '91',
    fixed: { prefixes: { 222: 'Mumbai', 226: 'Mumbai', 802: 'Bengaluru', 804: 'Bengaluru', 112: 'Delhi', 114: 'Delhi' }, k: 7, groups: () => [2, 4, 4] },
    mobile: { prefixes: { 6: null, 7: null, 8: null, 9: null }, k: 9, groups: () => [5, 5] },
    mobileShare: 0.7,
    styles: [['intl', 40], ['intlDash', 15], ['national', 15], ['nationalCompact', 10], ['e164', 20]],
  },
};
// FR fixed numbers are '1'+8 digits or '4xx'+6: normalise k per prefix.
for (const c of Object.keys(PLANS)) {
  for (const kind of ['fixed', 'mobile']) {
    const plan = PLANS[c][kind];
    plan.list = Object.entries(plan.prefixes).map(([p, city]) => ({
      p, city, k: c === 'FR' && kind === 'fixed' ? 9 - p.length : plan.k,
    }));
  }
}

const CITIES = Object.fromEntries(Object.entries(LOC).map(([c, v]) => [c, Object.keys(v)]));

const COUNTRY = {
  // share of rows, Country column spellings [value, weight]
  US: { share: 68, names: [['US', 40], ['USA', 20], ['United States', 22], ['', 18]] },
  CA: { share: 7, names: [['CA', 45], ['Canada', 55]] },
  GB: { share: 7, names: [['UK', 45], ['GB', 30], ['United Kingdom', 25]] },
  DE: { share: 5, names: [['DE', 50], ['Germany', 50]] },
  FR: { share: 4, names: [['FR', 60], ['France', 40]] },
  AU: { share: 5, names: [['AU', 60], ['Australia', 40]] },
  IN: { share: 4, names: [['IN', 60], ['India', 40]] },
};

const FIRST_EN = `James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Steven
Kimberly Andrew Emily Joshua Michelle Kevin Amanda Brian Melissa George Stephanie Timothy Rebecca Ryan Laura Jason
Megan Eric Rachel Jacob Hannah Nicholas Olivia Tyler Emma Brandon Grace Aaron Chloé José María Zoë Renée André
Siobhán Ahmed Fatima Wei Mei Hiroshi Yuki Priya Omar Layla Diego Camila Luis Sofia Mateo Valentina Kwame Amara
Dmitri Olga Connor Aoife Niamh Liam Noah Ethan Ava Isabella Mia Lucas Jamal Keisha DeShawn Tanisha Marcus Jade
Thanh Jean-Paul Mary-Kate Björn Ingrid Søren Zoltán Agnieszka Ngozi Tomás Inés`.split(/\s+/);
const LAST_EN = `Smith Johnson Williams Brown Jones García Miller Davis Rodríguez Martinez Hernández Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Pérez Thompson White Harris Sanchez Clark Ramirez Lewis
Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris
Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
Richardson Watson Brooks Chavez Wood Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers
Long Ross Foster O'Brien O'Connor O'Neill McDonald MacKenzie D'Angelo Müller Schröder Kowalski Nowak Wójcik
Dvořák Østergaard Johansson Lindström Nakamura Tanaka Yamamoto Chen Wang Zhang Liu Huang Tran Pham
Van_der_Berg De_la_Cruz St._Clair Al-Farsi Okafor Adeyemi Mensah Haddad Khalil Cohen Levy Friedman Rossi Russo
Esposito Bianchi Costa Silva Santos Oliveira Fernandes Fitzgerald Sullivan Gallagher Nakashima-Reyes`
  .split(/\s+/).map((s) => s.replace(/_/g, ' '));
const FIRST_DE = `Lukas Leon Finn Jonas Paul Felix Maximilian Elias Jürgen Jörg Björn Sören Günter Matthias Stefan
Andreas Michael Tobias Florian Sebastian Anna Lena Lea Hannah Mia Sophie Marie Katharina Julia Sabine Ute Birgit
Käthe Jana Franziska Anja Claudia Monika Ingrid Heike Dörte Sven Uwe Klaus Wolfgang Dieter Horst Karl-Heinz
Hans-Peter Ralf`.split(/\s+/);
const LAST_DE = `Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer
Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz
Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang
Scholz Möller Weiß Jung Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Groß
von_Bergen`.split(/\s+/).map((s) => s.replace(/_/g, ' '));
const FIRST_FR = `Jean Jean-Luc Pierre Michel Philippe Alain Nicolas François Stéphane Sébastien Jérôme Olivier
Laurent Thierry Antoine Julien Mathieu Hugo Louis Gabriel Marie Nathalie Isabelle Sylvie Catherine Hélène Valérie
Céline Sandrine Amélie Élodie Camille Chloé Manon Léa Inès Zoé Margaux Anaïs Aurélie Clémence Gaëlle Benoît Loïc
Noël`.split(/\s+/);
const LAST_FR = `Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre
Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François
Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément
Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly
Roger Roche Roy Meyer Lucas Meunier Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt Leroux Colin
Fernandez Le_Gall D'Almeida`.split(/\s+/).map((s) => s.replace(/_/g, ' '));
const FIRST_IN = `Aarav Vivaan Aditya Arjun Rohan Rahul Vikram Sanjay Amit Rajesh Suresh Anil Karthik Pranav Siddharth
Nikhil Varun Manish Deepak Arun Priya Ananya Diya Saanvi Aadhya Kavya Sneha Pooja Neha Divya Lakshmi Meera Anjali
Shreya Ritu Sunita Kavitha Swati Nandini Isha`.split(/\s+/);
const LAST_IN = `Sharma Verma Gupta Patel Shah Mehta Iyer Iyengar Reddy Rao Nair Menon Pillai Kumar Singh Chopra
Malhotra Kapoor Banerjee Chatterjee Mukherjee Das Bose Sen Ghosh Joshi Kulkarni Deshpande Patil Jain Agarwal Bhat
Naidu Chowdhury Srinivasan Krishnan Subramanian Venkatesh Mishra Pandey Tiwari Saxena`.split(/\s+/);

const ROOTS_EN = `Acme Apex Summit Pioneer Northwind Bluewater Redwood Ironclad Keystone Lakeshore Granite Silverline
Brightpath Cobalt Evergreen Harbor Highland Liberty Meridian Nexus Orion Pinnacle Quantum Riverside Sterling
Trident Vanguard Westfield Zenith Atlas Beacon Cascade Crestview Delta Eagle Frontier Golden_Gate Horizon Insight
Juniper Kingsley Landmark Magnolia Northstar Oakridge Paragon Prairie Red_Rock Sequoia Tidewater Unity Vertex
Willow_Creek Yellowstone Bayside Canyon Copperleaf Driftwood Elmwood Foxhall Greystone Hawthorne Ivy Jetstream
Kestrel Lighthouse Mariner Neptune Old_Mill Patriot Quarry Ridgeline Sawtooth Timberline Upland Wolverine
Blue_Ridge Clearwater Fairview Ashford Brookline Cedar_Point Silver_Lake Stonebridge Three_Rivers Twin_Peaks
Whitestone Bridgewater Hillcrest Maplewood Pinecrest Rockport Sandpiper Starling Trailhead Waypoint`
  .split(/\s+/).map((s) => s.replace(/_/g, ' '));
// suffix, industry
const SUFFIX_EN = [
  ['Logistics', 'Transportation & Logistics'], ['Freight', 'Transportation & Logistics'],
  ['Manufacturing', 'Manufacturing'], ['Industries', 'Manufacturing'], ['Steel', 'Manufacturing'],
  ['Plastics', 'Manufacturing'], ['Packaging', 'Manufacturing'], ['Robotics', 'Manufacturing'],
  ['Software', 'Software'], ['Systems', 'Information Technology'], ['Networks', 'Telecommunications'],
  ['Telecom', 'Telecommunications'], ['Data', 'Information Technology'], ['Analytics', 'Software'],
  ['Security', 'Information Technology'], ['Labs', 'Biotechnology'], ['Pharma', 'Pharmaceuticals'],
  ['Health', 'Healthcare'], ['Medical Supply', 'Healthcare'], ['Dental Group', 'Healthcare'],
  ['Financial Group', 'Financial Services'], ['Capital', 'Financial Services'], ['Insurance', 'Insurance'],
  ['Construction', 'Construction'], ['Builders', 'Construction'], ['Electric', 'Construction'],
  ['HVAC Services', 'Construction'], ['Energy', 'Energy & Utilities'], ['Solar', 'Energy & Utilities'],
  ['Foods', 'Food & Beverage'], ['Brewing', 'Food & Beverage'], ['Retail', 'Retail'], ['Apparel', 'Retail'],
  ['Consulting', 'Professional Services'], ['Partners', 'Professional Services'], ['Staffing', 'Staffing & Recruiting'],
  ['Legal', 'Legal Services'], ['Realty', 'Real Estate'], ['Printing', 'Printing & Publishing'],
  ['Aerospace', 'Aerospace & Defense'], ['Marine', 'Transportation & Logistics'], ['Academy', 'Education'],
];
const ROOTS_DE = `Nordwind Rheinland Alpen Bergmann Hansa Elbe Spree Isar Donau Schwarzwald Harz Weser Nordstern
Adler Falken Eichen Linden Sonnen Stern Kronen Brücken Mühlen Hafen Südwerk Ostsee Westfalen Taunus Bodensee
Lahn Mosel`.split(/\s+/);
const SUFFIX_DE = [
  ['Logistik', 'Transportation & Logistics'], ['Maschinenbau', 'Manufacturing'], ['Software', 'Software'],
  ['Systeme', 'Information Technology'], ['Medizintechnik', 'Healthcare'], ['Energie', 'Energy & Utilities'],
  ['Bau', 'Construction'], ['Verpackung', 'Manufacturing'], ['Elektrotechnik', 'Manufacturing'],
  ['Automation', 'Manufacturing'], ['Datentechnik', 'Information Technology'], ['Präzisionstechnik', 'Manufacturing'],
  ['Lebensmittel', 'Food & Beverage'], ['Chemie', 'Chemicals'], ['Kunststoff', 'Manufacturing'],
  ['Metallbau', 'Manufacturing'], ['Versicherung', 'Insurance'], ['Beratung', 'Professional Services'],
  ['Immobilien', 'Real Estate'], ['Handel', 'Wholesale'],
];
const ROOTS_FR = `Lumière Atlantique Provence Seine Azur Mistral Loire Rhône Garonne Bretagne Alpes Cévennes Vendôme
Saint-Michel Horizon Étoile Phare Chêne Vallée Armor Océane Cigale Oliviers Gironde Normandie`.split(/\s+/);
const SUFFIX_FR = [
  ['Logistique', 'Transportation & Logistics'], ['Industries', 'Manufacturing'], ['Informatique', 'Information Technology'],
  ['Santé', 'Healthcare'], ['Énergie', 'Energy & Utilities'], ['Conseil', 'Professional Services'],
  ['Distribution', 'Wholesale'], ['Transports', 'Transportation & Logistics'], ['Ingénierie', 'Professional Services'],
  ['Emballage', 'Manufacturing'], ['Télécom', 'Telecommunications'], ['Assurances', 'Insurance'],
  ['Immobilier', 'Real Estate'], ['Services', 'Professional Services'], ['Agroalimentaire', 'Food & Beverage'],
];
const LEGAL = {
  US: ['', '', ' Inc.', ', Inc.', ' LLC', ', LLC', ' Corp.', ' Co.'],
  CA: ['', ' Inc.', ' Ltd.', ', Ltd.', ' Corp.'],
  GB: [' Ltd', ' Ltd', ' Limited', ' plc', ''],
  AU: [' Pty Ltd', ' Pty Ltd', ' Pty. Ltd.', ''],
  IN: [' Pvt. Ltd.', ' Private Limited', ' Ltd.', ''],
  DE: [' GmbH', ' GmbH', ' AG', ' GmbH & Co. KG', ' KG', ' SE'],
  FR: [' SAS', ' SA', ' SARL', ''],
};
const TLD = { US: '.com', CA: '.ca', GB: '.co.uk', AU: '.com.au', IN: '.in', DE: '.de', FR: '.fr' };
const EMPLOYEES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001-10000', '10000+'];
const EMP_W = [6, 18, 26, 18, 12, 11, 5, 4];

// title, job level
const TITLES_EN = [
  ['CEO', 'C-Level'], ['CFO', 'C-Level'], ['CIO', 'C-Level'], ['CTO', 'C-Level'], ['COO', 'C-Level'],
  ['Chief Revenue Officer', 'C-Level'], ['Chief Information Security Officer', 'C-Level'], ['Owner', 'C-Level'],
  ['President', 'C-Level'], ['Founder & CEO', 'C-Level'],
  ['VP Sales', 'VP'], ['VP, Sales', 'VP'], ['VP of Marketing', 'VP'], ['VP Operations', 'VP'],
  ['SVP Engineering', 'VP'], ['VP Information Technology', 'VP'], ['Vice President, Finance', 'VP'],
  ['IT Director', 'Director'], ['Director of IT', 'Director'], ['Director, Procurement', 'Director'],
  ['Director of Operations', 'Director'], ['Sales Director', 'Director'], ['Marketing Director', 'Director'],
  ['Director of Facilities', 'Director'], ['HR Director', 'Director'], ['Director of Supply Chain', 'Director'],
  ['Procurement Manager', 'Manager'], ['IT Manager', 'Manager'], ['Operations Manager', 'Manager'],
  ['Office Manager', 'Manager'], ['Purchasing Manager', 'Manager'], ['Facilities Manager', 'Manager'],
  ['Sales Manager', 'Manager'], ['Plant Manager', 'Manager'], ['Fleet Manager', 'Manager'],
  ['Network Manager', 'Manager'], ['Marketing Manager', 'Manager'], ['Sales Operations Manager', 'Manager'],
  ['Buyer', 'Individual Contributor'], ['Senior Buyer', 'Individual Contributor'],
  ['Systems Administrator', 'Individual Contributor'], ['Network Engineer', 'Individual Contributor'],
  ['Business Analyst', 'Individual Contributor'], ['Procurement Specialist', 'Individual Contributor'],
  ['IT Specialist', 'Individual Contributor'], ['Accountant', 'Individual Contributor'],
];
const TITLES_DE = [
  ['Geschäftsführer', 'C-Level'], ['Geschäftsführerin', 'C-Level'], ['Leiter IT', 'Director'],
  ['Leiterin Einkauf', 'Director'], ['Einkaufsleiter', 'Director'], ['IT-Leiter', 'Director'],
  ['Vertriebsleiter', 'Director'], ['Teamleiter Logistik', 'Manager'], ['Einkäufer', 'Individual Contributor'],
  ['Systemadministrator', 'Individual Contributor'], ['Head of Procurement', 'Director'], ['CTO', 'C-Level'],
];
const TITLES_FR = [
  ['Directeur Général', 'C-Level'], ['PDG', 'C-Level'], ['DSI', 'C-Level'], ['Directeur Commercial', 'Director'],
  ['Directrice Marketing', 'Director'], ['Responsable Achats', 'Manager'], ['Responsable Informatique', 'Manager'],
  ['Acheteur', 'Individual Contributor'], ['Chef de projet IT', 'Manager'], ['Directeur des Opérations', 'Director'],
  ['Head of Sales', 'Director'],
];

const SOURCES = [['webinar', 15], ['trade-show', 12], ['purchased-list', 25], ['website', 18], ['referral', 7],
  ['content-download', 15], ['linkedin', 8]];
const CAMPAIGNS = {
  webinar: ['2026-Q3 Webinar: Zero-Trust Networking', 'Webinar - Cutting Fleet Costs', '2026-Q4 Webinar: AI in Procurement'],
  'trade-show': ['Dreamforce 2026 Booth', 'CES 2026', 'Hannover Messe 2026', 'ProMat 2026 - Chicago'],
  'purchased-list': ['ZoomInfo Q2 List', 'Vendor List - Manufacturing', 'Data Axle - IT Decision Makers', 'Q3 Purchased List'],
  website: ['Website - Demo Request', 'Website - Contact Us', 'Pricing Page', 'Free Trial Signup'],
  referral: ['Partner Referral Program', 'Customer Referral'],
  'content-download': ["Ebook: 2026 Buyer's Guide", 'Whitepaper: Cost of Downtime, 2026', 'ROI Calculator', 'Case Study - Northwind'],
  linkedin: ['LinkedIn Lead Gen - Q4', 'LinkedIn Sponsored InMail'],
};

// ---------------------------------------------------------------------------------
// Helpers

function fold(s) {
  return s.toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/ł/g, 'l')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9-]/g, '');
}

function dedupeByFold(list) {
  const seen = new Set();
  return list.filter((s) => { const f = fold(s); if (seen.has(f)) return false; seen.add(f); return true; });
}

function csvField(s) {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

const pad2 = (n) => (n < 10 ? '0' : '') + n;

// ---------------------------------------------------------------------------------
// Generator

export function createGenerator(opts) {
  const seed = hashSeed(String(opts.seed));
  const rnd = mulberry32(seed);
  const full = opts.columns === 'full';
  const int = (n) => Math.floor(rnd() * n);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const weighted = (pairs) => {
    const tot = pairs.reduce((a, p) => a + p[1], 0);
    return () => {
      let x = rnd() * tot;
      for (const p of pairs) { if ((x -= p[1]) < 0) return p[0]; }
      return pairs[pairs.length - 1][0];
    };
  };

  const pickCountry = weighted(Object.entries(COUNTRY).map(([c, v]) => [c, v.share]));
  const countryName = Object.fromEntries(Object.entries(COUNTRY).map(([c, v]) => [c, weighted(v.names)]));
  const pickSource = weighted(SOURCES);
  const pickEmp = weighted(EMPLOYEES.map((e, i) => [e, EMP_W[i]]));

  // People/companies per country: a permutation of a per-country counter over
  // first x last x company guarantees unique (name, company) and so unique e-mails.
  const pools = {};
  const vocab = (c) => {
    if (c === 'DE') return [FIRST_DE, LAST_DE, ROOTS_DE, SUFFIX_DE];
    if (c === 'FR') return [FIRST_FR, LAST_FR, ROOTS_FR, SUFFIX_FR];
    if (c === 'IN') return [FIRST_IN, LAST_IN, ROOTS_EN, SUFFIX_EN];
    return [FIRST_EN, LAST_EN, ROOTS_EN, SUFFIX_EN];
  };
  for (const c of Object.keys(COUNTRY)) {
    const [firsts0, lasts0, roots, suffixes] = vocab(c);
    const firsts = dedupeByFold(firsts0);
    const lasts = dedupeByFold(lasts0);
    const companies = [];
    const seenDomain = new Set();
    for (let r = 0; r < roots.length; r++) {
      for (let s = 0; s < suffixes.length; s++) {
        const h = mix32(seed ^ mix32(r * 131 + s * 7 + c.charCodeAt(0) * 31 + c.charCodeAt(1)));
        const base = c === 'FR' && h % 4 === 0 ? `Groupe ${roots[r]} ${suffixes[s][0]}` : `${roots[r]} ${suffixes[s][0]}`;
        const legal = LEGAL[c][h % LEGAL[c].length];
        const sep = c === 'DE' || c === 'FR' ? '-' : '';
        const domain = fold(roots[r]) + sep + fold(suffixes[s][0]) + TLD[c];
        if (seenDomain.has(domain)) continue;
        seenDomain.add(domain);
        companies.push({
          name: csvField(base + legal),
          domain,
          industry: csvField(suffixes[s][1]),
          employees: pickEmp(),
          pattern: [0, 0, 0, 1, 2, 3][(h >>> 8) % 6], // first.last first.last ... firstlast first_last last.first
          upper: (h >>> 12) % 10 === 0, // this company's CRM keeps e-mails capitalised
        });
      }
    }
    const m = firsts.length * lasts.length * companies.length;
    pools[c] = {
      firsts: firsts.map(csvField), lasts: lasts.map(csvField),
      ff: firsts.map(fold), lf: lasts.map(fold),
      cap: firsts.map((f) => fold(f).replace(/(^|-)([a-z])/g, (_, a, b) => a + b.toUpperCase())),
      capL: lasts.map((l) => fold(l).replace(/(^|-)([a-z])/g, (_, a, b) => a + b.toUpperCase())),
      companies, m, perm: makePerm(m, seed ^ hashSeed('people' + c)), count: 0,
      titles: c === 'DE' ? [TITLES_DE, TITLES_EN] : c === 'FR' ? [TITLES_FR, TITLES_EN] : [TITLES_EN, TITLES_EN],
    };
  }

  // Phone numbering: NANP = area code x exchange x line, permuted per country.
  const nanp = {
    US: { acs: US_AC, count: 0 },
    CA: { acs: CA_AC, count: 0 },
  };
  for (const c of ['US', 'CA']) {
    const n = nanp[c];
    n.m = n.acs.length * EXCHANGES.length * 10000;
    n.perm = makePerm(n.m, seed ^ hashSeed('nanp' + c));
  }
  const nanpNumber = (c) => {
    const n = nanp[c];
    const p = n.perm(n.count++);
    const line = p % 10000;
    const q = Math.floor(p / 10000);
    const ex = EXCHANGES[q % EXCHANGES.length];
    const a = n.acs[Math.floor(q / EXCHANGES.length)];
    return { a, nsn: a.ac + ex + String(line).padStart(4, '0') };
  };
  for (const c of Object.keys(PLANS)) {
    for (const kind of ['fixed', 'mobile']) {
      const plan = PLANS[c][kind];
      plan.size = plan.list.map((e) => 10 ** e.k);
      plan.m = plan.size.reduce((a, b) => a + b, 0);
      plan.perm = makePerm(plan.m, seed ^ hashSeed(c + kind));
      plan.count = 0;
    }
    PLANS[c].pickStyle = weighted(PLANS[c].styles.map(([s, w], i) => [i, w]));
  }
  const intlNumber = (c, kind) => {
    const plan = PLANS[c][kind];
    let p = plan.perm(plan.count++);
    let i = 0;
    while (p >= plan.size[i]) p -= plan.size[i++];
    const e = plan.list[i];
    return { city: e.city, kind, nsn: e.p + (e.k ? String(p).padStart(e.k, '0') : '') };
  };

  const US_STYLES = [['paren', 30], ['dash', 18], ['dot', 10], ['intl', 10], ['oneDash', 7], ['compact', 12],
    ['parenExt', 4], ['intlParen', 3], ['e164', 3], ['dashExt', 3]];
  const pickUsStyle = weighted(US_STYLES.map(([s, w], i) => [i, w]));
  const formatNanp = (nsn, style) => {
    const a = nsn.slice(0, 3), e = nsn.slice(3, 6), l = nsn.slice(6);
    switch (US_STYLES[style][0]) {
      case 'paren': return `(${a}) ${e}-${l}`;
      case 'dash': return `${a}-${e}-${l}`;
      case 'dot': return `${a}.${e}.${l}`;
      case 'intl': return `+1 ${a} ${e} ${l}`;
      case 'oneDash': return `1-${a}-${e}-${l}`;
      case 'compact': return nsn;
      case 'parenExt': return `(${a}) ${e}-${l} x${100 + (mix32(+nsn.slice(4)) % 900)}`;
      case 'intlParen': return `+1 (${a}) ${e}-${l}`;
      case 'e164': return `+1${nsn}`;
      case 'dashExt': return `${a}-${e}-${l} ext. ${100 + (mix32(+nsn.slice(4)) % 900)}`;
    }
    return nsn;
  };
  const groupsOf = (nsn, groups) => {
    const out = [];
    let i = 0;
    for (const g of groups) { out.push(nsn.slice(i, i + g)); i += g; }
    if (i < nsn.length) out[out.length - 1] += nsn.slice(i);
    return out;
  };
  const formatIntl = (c, num, style) => {
    const P = PLANS[c];
    const g = groupsOf(num.nsn, P[num.kind].groups(num.nsn));
    const rest = g.slice(1).join(' ');
    switch (P.styles[style][0]) {
      case 'intl': return `+${P.cc} ${g.join(' ')}`;
      case 'national': return `0${g[0]} ${rest}`;
      case 'intlTrunk': return `+${P.cc} (0)${g[0]} ${rest}`;
      case 'nationalCompact': return `0${num.nsn}`;
      case 'e164': return `+${P.cc}${num.nsn}`;
      case 'intlDash': return `+${P.cc}-${g[0]}-${g.slice(1).join('')}`;
      case 'slash': return `0${g[0]}/${g.slice(1).join('')}`;
      case 'dots': return `0${g.join('.')}`;
      case 'paren': return num.kind === 'fixed' ? `(0${g[0]}) ${rest}` : `0${g.join(' ')}`;
    }
    return num.nsn;
  };

  const GB_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
  const zipFor = (c, loc, nanpArea) => {
    if (rnd() < 0.08) return '';
    if (c === 'US') {
      let z = nanpArea.zip + String(int(100)).padStart(2, '0');
      if (z[0] === '0' && rnd() < 0.25) z = z.slice(1); // Excel ate the leading zero
      return z;
    }
    if (c === 'CA') {
      const L = 'ABCEGHJKLMNPRSTVXY';
      return `${nanpArea.zip}${int(10)}${pick(L)} ${int(10)}${pick(L)}${int(10)}`;
    }
    if (c === 'GB') return `${pick(loc.zip)} ${int(10)}${GB_LETTERS[int(20)]}${GB_LETTERS[int(20)]}`;
    const [lo, hi] = loc.zip;
    return String(lo + int(hi - lo + 1)).padStart(c === 'AU' ? 4 : 5, '0');
  };

  const nowMs = opts.nowMs;
  const created = (source) => {
    let age;
    if (source === 'website' && rnd() < 0.1) age = 60e3 + rnd() * 72 * 3600e3; // fresh inbound
    else age = 86400e3 + rnd() * 730 * 86400e3;
    const d = new Date(nowMs - age);
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  };

  const regionCol = (c, abbr, name) => {
    const x = rnd();
    if (c === 'US' || c === 'CA' || c === 'AU') return x < 0.7 ? abbr : x < 0.86 ? csvField(name) : '';
    return x < 0.15 ? abbr : x < 0.35 ? csvField(name) : '';
  };

  // Build one person (a good row); returns fields array plus what dupes need.
  const person = () => {
    const c = pickCountry();
    const pool = pools[c];
    const ci = pool.count++;
    const cycle = Math.floor(ci / pool.m);
    let p = pool.perm(ci);
    const fi = p % pool.firsts.length; p = Math.floor(p / pool.firsts.length);
    const li = p % pool.lasts.length; p = Math.floor(p / pool.lasts.length);
    const co = pool.companies[p];

    // e-mail
    // The company's pattern, in lower case or (some people, some companies) capitalised: the
    // same address either way, so two people never share one (François Mathieu's
    // mathieu.francois@ is not Mathieu François's at a first.last company).
    const localPart = (F, L) => {
      switch (co.pattern) {
        case 0: return `${F}.${L}`;
        case 1: return `${F}${L}`;
        case 2: return `${F}_${L}`;
        default: return `${L}.${F}`;
      }
    };
    const suffix = cycle ? String(cycle + 1) : '';
    let email = `${localPart(pool.ff[fi], pool.lf[li])}${suffix}@${co.domain}`;
    const ex = rnd();
    if (co.upper || ex < 0.08) email = `${localPart(pool.cap[fi], pool.capL[li])}${suffix}@${co.domain}`;
    else if (ex < 0.11) email = email.toUpperCase();
    else if (ex < 0.14) email = ex < 0.125 ? ` ${email}` : `${email} `;
    else if (ex < 0.19) email = '';

    // phone + location
    let phone, num, style, region = '', tz = '', zip = '', mobile = '';
    if (c === 'US' || c === 'CA') {
      const n = nanpNumber(c);
      const a = n.a;
      num = n;
      style = pickUsStyle();
      phone = formatNanp(n.nsn, style);
      const names = c === 'US' ? US_STATES : CA_PROVINCES;
      region = regionCol(c, a.region, names[a.region]);
      tz = a.tz[a.tz.length > 1 ? int(a.tz.length) : 0];
      if (full) {
        zip = zipFor(c, null, a);
        if (rnd() < 0.3) { const m = nanpNumber(c); mobile = formatNanp(m.nsn, pickUsStyle() % 3); }
      }
    } else {
      const P = PLANS[c];
      num = intlNumber(c, rnd() < P.mobileShare ? 'mobile' : 'fixed');
      const loc = LOC[c][num.city || pick(CITIES[c])];
      style = P.pickStyle();
      phone = formatIntl(c, num, style);
      region = regionCol(c, loc.region[0], loc.region[1]);
      tz = loc.tz;
      if (full) {
        zip = zipFor(c, loc, null);
        if (num.kind === 'fixed' && rnd() < 0.35) { const m = intlNumber(c, 'mobile'); mobile = formatIntl(c, m, P.pickStyle()); }
      }
    }

    const t = pick(rnd() < 0.55 ? pool.titles[0] : pool.titles[1]);
    const source = pickSource();
    const f = [pool.firsts[fi], pool.lasts[li], co.name, csvField(t[0]), email, csvField(phone),
      region, countryName[c](), source];
    if (full) {
      const campaign = rnd() < 0.1 ? '' : csvField(pick(CAMPAIGNS[source]));
      const score = rnd() < 0.1 ? '' : String(Math.min(100, Math.floor(rnd() * 60 + rnd() * 45)));
      f.push(csvField(mobile), t[1], zip, campaign, score, rnd() < 0.35 ? '' : tz, created(source), co.industry,
        rnd() < 0.1 ? '' : co.employees);
    }
    return { f, c, style, num, email };
  };

  // A sample of recent good persons to duplicate (sampled so few objects outlive the
  // young generation: keeps GC cheap).
  const RING = 512;
  const ring = new Array(RING);
  let ringN = 0;

  const BAD_KINDS = [['no-phone', 30], ['na', 15], ['short', 15], ['words', 15], ['bad-email', 25]];
  const pickBad = weighted(BAD_KINDS);
  const NA = ['n/a', 'N/A', 'none', '-', 'NULL'];
  const SHORT = ['123', '555-12', '0', '000-000-0000', '12345', '123-456', '(000) 000-0000'];
  const WORDS = ['TBD', 'call reception', 'ask for Bob', 'unknown', 'see notes', 'ask front desk', '#VALUE!'];

  const stats = { rows: 0, duplicates: 0, bad: { 'no-phone': 0, na: 0, short: 0, words: 0, 'bad-email': 0 } };
  const dupes = opts.dupes, bad = opts.bad;
  const label = opts.label;

  const row = () => {
    stats.rows++;
    const x = rnd();
    let f, kind = 'ok';
    if (x < dupes && ringN > 0) {
      const o = ring[int(Math.min(ringN, RING))];
      f = o.f.slice();
      const styles = o.c === 'US' || o.c === 'CA' ? US_STYLES.length : PLANS[o.c].styles.length;
      let s = int(styles - 1);
      if (s >= o.style) s++;
      // The extension is part of who the person is (colleagues behind one switchboard are
      // different people): a repeat keeps it, or its absence, in another format.
      if (o.c === 'US' || o.c === 'CA') {
        const withExt = (st) => US_STYLES[st][0].endsWith('Ext');
        const alike = US_STYLES.map((_, st) => st).filter((st) => st !== o.style && withExt(st) === withExt(o.style));
        s = alike[s % alike.length];
      }
      const fmt = (st) => (o.c === 'US' || o.c === 'CA' ? formatNanp(o.num.nsn, st) : formatIntl(o.c, o.num, st));
      let ph = fmt(s);
      if (ph === fmt(o.style)) ph = fmt((o.style + 1) % styles);
      f[5] = csvField(ph);
      const e = o.email.trim();
      if (e) {
        const y = rnd();
        f[4] = y < 0.35 ? e.toUpperCase() : y < 0.6 ? e.toLowerCase() : y < 0.7 ? ` ${e}` : e;
      }
      if (rnd() < 0.4) f[8] = pickSource();
      if (rnd() < 0.2) f[3] = '';
      stats.duplicates++;
      kind = 'duplicate';
    } else {
      const p = person();
      f = p.f;
      if (x < dupes + bad) {
        const k = pickBad();
        stats.bad[k]++;
        if (k === 'bad-email') {
          const [lp, dom] = p.email.trim().split('@');
          const v = int(5);
          const base = lp || 'info';
          const d = dom || 'example-corp.com';
          f[4] = [`${base}@`, `${base}.${d}`, `${base}@@${d}`, `${base.replace('.', ' ')}@${d}`, `${base}@${d.split('.')[0]}`][v];
          kind = 'bad-email';
        } else {
          f[5] = k === 'no-phone' ? '' : k === 'na' ? pick(NA) : k === 'short' ? csvField(pick(SHORT)) : pick(WORDS);
          if (full) f[9] = ''; // no usable mobile either
          kind = 'reject:' + k;
        }
      } else if (ringN < 16 || rnd() < 0.0625) {
        ring[ringN++ % RING] = p;
      }
    }
    return label ? f.join(',') + ',' + kind : f.join(',');
  };

  const header = ['First Name', 'Last Name', 'Company', 'Title', 'Email', 'Phone', 'State', 'Country', 'Lead Source']
    .concat(full ? ['Mobile', 'Job Level', 'Zip', 'Campaign', 'Lead Score', 'Time Zone', 'Created Date', 'Industry', 'Employees'] : [])
    .concat(label ? ['_expect'] : []).join(',');

  return { header, row, stats };
}

// ---------------------------------------------------------------------------------
// Main: build lines in chunks, write with backpressure.

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const g = createGenerator(opts);
  const eol = opts.crlf ? '\r\n' : '\n';
  const out = opts.file === '-' ? process.stdout : createWriteStream(opts.file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  const write = (s) => new Promise((resolve, reject) => {
    bytes += Buffer.byteLength(s);
    if (out.write(s)) resolve();
    else {
      const onDrain = () => { out.off('error', onErr); resolve(); };
      const onErr = (e) => { out.off('drain', onDrain); reject(e); };
      out.once('drain', onDrain);
      out.once('error', onErr);
    }
  });
  out.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0); // e.g. piped into `head`
    process.stderr.write(`gen-leads: ${e.message}\n`);
    process.exit(1);
  });

  await write((opts.bom ? '\uFEFF' : '') + g.header + eol);
  const CHUNK = 512;
  const lines = [];
  for (let i = 0; i < opts.n; i += CHUNK) {
    const end = Math.min(opts.n, i + CHUNK);
    lines.length = 0;
    for (let j = i; j < end; j++) lines.push(g.row());
    await write(lines.join(eol) + eol);
  }
  if (out !== process.stdout) await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  const s = g.stats;
  const rejected = s.bad['no-phone'] + s.bad.na + s.bad.short + s.bad.words;
  if (!opts.quiet) {
    process.stderr.write(JSON.stringify({
      file: opts.file, rows: s.rows, columns: opts.columns, seed: opts.seed,
      expect: { valid: s.rows - rejected - s.duplicates, duplicates: s.duplicates, rejected },
      bad: s.bad, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    }) + '\n');
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gen-leads.js')) {
  main().catch((e) => { process.stderr.write(`gen-leads: ${e.stack || e}\n`); process.exit(1); });
}
