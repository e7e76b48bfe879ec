// One CSV record → a normalised new lead, a reject with its reason, or a blank line to skip.
// Pure: no I/O, the clock comes in as `defaults.now`. Runs in the import's worker threads.
import type { PriorityWeights } from '../core/settings.js';
import { newLeadRanker, queueRank } from '../core/priority.js';
import { resolveLeadZones, type ZoneSource } from './timezones.js';
import { normalisePhone } from './phone.js';
import { parseCountry } from './countries.js';
import type { ColumnMapping, LeadField } from './fields.js';
import type { LeadRow } from '../core/lead.js';
import { isDoNotCallFlag, isPersonalEmail, namesAnotherPerson, type PersonNames } from '../core/identity.js';

/** A lead as the import stores it: the leads columns it fills (alt_phones still an array). */
export type NewLead = Omit<Pick<LeadRow, (typeof LEAD_COLUMNS)[number]>, 'phone' | 'phone_raw' | 'alt_phones' | 'timezone_source' | 'score'> & {
  /** E.164; null only on a row flagged do-not-call whose phone is missing or invalid (never a lead). */
  phone: string | null;
  phone_raw: string;
  alt_phones: string[];
  timezone_source: ZoneSource;
  /** 0–100; null when the row gives none (stored as 0, but a merge leaves the old score). */
  score: number | null;
  /** 1 when the row's own do-not-call flag is set: the row is suppressed, not imported. */
  do_not_call: 1 | null;
  /** On a row flagged do-not-call, its valid e-mails besides `email` (a JSON array), listed with it; null otherwise. */
  dnc_emails: string | null;
};

export type RejectReason = 'no-phone' | 'invalid-phone' | 'malformed' | 'do-not-call-no-contact';
export type WarningKind = 'invalid-email' | 'invalid-date' | 'future-date' | 'invalid-score' | 'invalid-alt-phone' | 'unknown-timezone' | 'phone-from-alternate' | 'unknown-country';

export interface RecordWarning {
  kind: WarningKind;
  detail: string;
}

export type RecordResult =
  | { kind: 'lead'; lead: NewLead; warnings: RecordWarning[] }
  | { kind: 'reject'; reason: RejectReason; detail: string }
  | { kind: 'blank' };

export interface LeadDefaults {
  /** Country for numbers without a country code when the row has no Country (ISO alpha-2). */
  country: string;
  /** --list: the list of every row. */
  list: string | null;
  /** --source / --campaign: fill rows whose column is blank or missing. */
  source: string | null;
  campaign: string | null;
  /** --inbound: every row arrived now. */
  inbound: boolean;
  /** ISO time of the import (created_at; inbound_at under --inbound). */
  now: string;
  defaultZone: string | null;
  weights: PriorityWeights;
}

/**
 * Bidirectional overrides and zero-width characters: invisible on a card, they can make a name
 * display as something else or two equal values compare unequal, so mapped fields drop them.
 * The zero-width joiner and non-joiner are kept between two letters, marks or pictographs: there
 * they are spelling (Persian محمد‌رضا, Indic conjuncts, the emoji 👩‍💻), not noise.
 */
const INVISIBLE =
  /[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2069\uFEFF]|(?<![\p{L}\p{M}\p{Extended_Pictographic}])[\u200C\u200D]|[\u200C\u200D](?![\p{L}\p{M}\p{Extended_Pictographic}])/gu;

/** Whether `text` (a record, or a whole chunk of the file) holds any such character. */
export function hasInvisible(text: string): boolean {
  return text.search(INVISIBLE) >= 0;
}

/** How far past the import an inbound time may be before it counts as wrong (clocks that differ a little). */
const FUTURE_SLACK_MS = 10 * 60_000;

/** Column indexes per field, computed once per file. */
export interface RecordLayout {
  width: number;
  single: Partial<Record<Exclude<LeadField, 'alt_phone'>, number>>;
  altPhones: number[];
  /** Other e-mail columns (kept as custom fields), tried in order when the e-mail cell is empty or invalid. */
  altEmails: number[];
  custom: { index: number; key: string }[];
}

export function recordLayout(mappings: readonly ColumnMapping[]): RecordLayout {
  const layout: RecordLayout = { width: mappings.length, single: {}, altPhones: [], altEmails: [], custom: [] };
  for (const m of mappings) {
    if (m.field === 'ignore') continue;
    if (m.field === 'custom') {
      layout.custom.push({ index: m.index, key: m.key! });
      if (m.fallback === 'email') layout.altEmails.push(m.index);
    } else if (m.field === 'alt_phone') layout.altPhones.push(m.index);
    else layout.single[m.field] ??= m.index;
  }
  // Alternates are tried, and kept, in order of preference (mobile before a company's main line).
  const rank = (index: number) => mappings[index]?.rank ?? 1;
  layout.altPhones.sort((a, b) => rank(a) - rank(b) || a - b);
  layout.altEmails.sort((a, b) => rank(a) - rank(b) || a - b);
  return layout;
}

/**
 * `visible`: the caller knows no field holds an invisible character (it checked the whole chunk
 * of text the record came from), so fields need not be searched one by one.
 */
export function normaliseRecord(record: readonly string[], layout: RecordLayout, defaults: LeadDefaults, visible = false): RecordResult {
  if (record.every((cell) => cell.trim() === '')) return { kind: 'blank' };
  if (record.length > layout.width && record.slice(layout.width).some((cell) => cell.trim() !== '')) {
    return { kind: 'reject', reason: 'malformed', detail: `${record.length} fields, header has ${layout.width}` };
  }
  const cell = (field: Exclude<LeadField, 'alt_phone'>): string | null => {
    const index = layout.single[field];
    const value = index === undefined ? undefined : visible ? record[index]?.trim() : record[index]?.replace(INVISIBLE, '').trim();
    return value ? value : null;
  };
  const warnings: RecordWarning[] = [];

  const countryText = cell('country');
  const knownCountry = countryText === null ? undefined : parseCountry(countryText);
  const country = countryText === null ? null : (knownCountry ?? countryText);
  // A country callq cannot place (a typo, 'ZZ') does not decide how phones are read.
  const phoneCountry = knownCountry ?? defaults.country;
  if (countryText !== null && knownCountry === undefined) {
    warnings.push({ kind: 'unknown-country', detail: `country '${shown(countryText)}' not recognised; used the default ${defaults.country}` });
  }

  // Phone: the Phone column (its first number, when the cell holds several), else the first
  // valid alternate: the cell's other numbers, then the alternate columns in preference order.
  const [rawPhone = '', ...rawAlternates] = splitPhones(cell('phone') ?? '');
  let phone = normalisePhone(rawPhone, phoneCountry);
  let phoneRaw = rawPhone;
  const alternates: string[] = [];
  // An alternate-phone cell may hold several numbers too (callq's own export writes them
  // separated by ';'), so an exported file re-imports with every alternate.
  for (const index of layout.altPhones) if (record[index]) rawAlternates.push(...splitPhones(record[index]));
  for (const raw of rawAlternates) {
    const alt = normalisePhone(raw, phoneCountry);
    if (!alt.ok) {
      warnings.push({ kind: 'invalid-alt-phone', detail: `alternate phone ${alt.detail}; dropped` });
    } else if (!phone.ok) {
      if (phone.reason === 'invalid-phone') warnings.push({ kind: 'phone-from-alternate', detail: `${phone.detail}; used ${raw} instead` });
      phone = alt;
      phoneRaw = raw;
    } else if (alt.e164 !== phone.e164 && !alternates.includes(alt.e164)) {
      alternates.push(alt.e164);
    }
  }
  // A row flagged do-not-call is never a lead, so its phone need not be usable: whatever else
  // identifies the person (its e-mails) still goes on the list (docs/importing.md "Do-not-call").
  const doNotCall = isDoNotCallFlag(cell('do_not_call'));
  if (!phone.ok && !doNotCall) return { kind: 'reject', reason: phone.reason, detail: phone.detail };

  // Set aside for the custom fields: what a cell held besides the value its field keeps.
  let extra: [string, string][] | undefined;
  let email = cell('email');
  if (email !== null) {
    let normalised = normaliseEmail(email);
    if (!normalised && MANY_EMAILS.test(email)) {
      // Several addresses in one cell: the first valid one is the e-mail, the others are kept.
      const all = email.split(MANY_EMAILS).map((e) => e.trim()).filter(Boolean);
      const at = all.findIndex((e) => normaliseEmail(e) !== null);
      if (at >= 0) {
        normalised = normaliseEmail(all[at]);
        const others = all.filter((_, i) => i !== at).map((e) => normaliseEmail(e) ?? e);
        if (others.length) (extra ??= []).push(['other_emails', others.join('; ')]);
      }
    }
    if (!normalised) warnings.push({ kind: 'invalid-email', detail: `invalid e-mail '${shown(email)}' dropped` });
    email = normalised;
  }
  // Pipedrive's Work e-mail empty, its Home one given: the first valid other e-mail column.
  for (let i = 0; email === null && i < layout.altEmails.length; i++) {
    const other = record[layout.altEmails[i]]?.trim();
    if (other) email = normaliseEmail(other.split(MANY_EMAILS)[0]);
  }
  // A row flagged do-not-call lists every e-mail it gives: the other addresses of its e-mail
  // cell and its other e-mail columns too, not only the one a lead would keep.
  const others = new Set<string>();
  if (doNotCall) {
    for (const text of [cell('email'), ...layout.altEmails.map((i) => record[i])]) {
      for (const part of text ? text.split(MANY_EMAILS) : []) {
        const other = normaliseEmail(part.replace(INVISIBLE, ''));
        if (other !== null && other !== email) others.add(other);
      }
    }
  }
  const dncEmails = others.size ? JSON.stringify([...others]) : null;
  if (doNotCall && !phone.ok) {
    const emails = [...(email === null ? [] : [email]), ...others];
    if (!emails.some(isPersonalEmail)) {
      const why = phone.reason === 'no-phone' ? 'it has no phone' : phone.detail;
      const mail = emails.length ? `its e-mail ${emails.join(', ')} is a shared mailbox, which reaches colleagues too` : 'no valid e-mail';
      return { kind: 'reject', reason: 'do-not-call-no-contact', detail: `flagged do-not-call, but nothing on it can go on the do-not-call list: ${why}, and ${mail}` };
    }
  }

  let first = cell('first_name');
  let last = cell('last_name');
  const full = cell('full_name');
  if (full !== null && first === null && last === null) {
    const parts = splitName(full);
    [first, last] = parts;
    if (parts[2]?.suffix) (extra ??= []).push(['suffix', parts[2].suffix]);
    if (parts[2]?.honorific) (extra ??= []).push(['honorific', parts[2].honorific]);
  }

  // Outlook's 'Title' column (when a file has no 'Job Title') holds Mr./Dr.: not a job.
  let title = cell('title');
  if (title !== null && HONORIFIC_TITLE.test(title)) {
    (extra ??= []).push(['honorific', title]);
    title = null;
  }

  const scoreText = cell('score');
  const score = scoreText === null ? null : parseScore(scoreText);
  if (scoreText !== null && score === null) warnings.push({ kind: 'invalid-score', detail: `score '${scoreText}' is not a number; ignored` });

  let inbound: string | null = defaults.inbound ? defaults.now : null;
  const inboundText = defaults.inbound ? null : cell('inbound_at');
  if (inboundText !== null) {
    inbound = parseTimestamp(inboundText);
    if (inbound === null) warnings.push({ kind: 'invalid-date', detail: `date '${inboundText}' not understood; left empty` });
    else if (Date.parse(inbound) > Date.parse(defaults.now) + FUTURE_SLACK_MS) {
      // A lead cannot have come in after the import: a wrong date, or a UTC time without its
      // offset read in this machine's zone. Kept, it would earn the full fresh-lead bonus until then.
      warnings.push({ kind: 'future-date', detail: `inbound time '${inboundText}' is after the import; read as the import time` });
      inbound = defaults.now;
    }
  }

  const region = cell('region');
  const zoneText = cell('timezone');
  const e164 = phone.ok ? phone.e164 : null;
  const zones = resolveLeadZones({ timezone: zoneText, phone: e164, country, region, defaultZone: defaults.defaultZone });
  if (zoneText !== null && zones.source !== 'column') {
    warnings.push({ kind: 'unknown-timezone', detail: `time zone '${zoneText}' not recognised; ${zones.source === 'unknown' ? 'zone unknown' : `used the ${zones.source}`}` });
  }

  const source = cell('source') ?? defaults.source;
  const campaign = cell('campaign') ?? defaults.campaign;
  const lead: NewLead = {
    external_id: cell('external_id'),
    first_name: first,
    last_name: last,
    company: cell('company'),
    title,
    email,
    phone: e164,
    phone_raw: phoneRaw,
    phone_ext: phone.ok ? (phone.ext ?? extensionCell(cell('phone_ext'))) : null,
    external_system: null, // the import's, decided from the header and the first ids (io/external-ids.ts)
    do_not_call: doNotCall ? 1 : null,
    dnc_emails: dncEmails,
    alt_phones: alternates,
    country,
    region,
    postal_code: cell('postal_code'),
    timezone: zones.zones.length ? zones.zones.join(',') : null,
    timezone_source: zones.source,
    source,
    campaign,
    list: defaults.list ?? cell('list'),
    score,
    owner: cell('owner'),
    custom: customFields(record, layout, extra),
    inbound_at: inbound,
    queue_rank: rankerOf(defaults)({ score: score ?? 0, source, campaign }),
  };
  return { kind: 'lead', lead, warnings };
}

/** An extension column's value: its digits ('x101', 'ext. 101' → '101'); null when it holds none. */
function extensionCell(text: string | null): string | null {
  const digits = text?.replace(/^\s*(?:ext\.?|extension|x|#)\s*/i, '');
  return digits && /^\d{1,10}$/.test(digits) ? digits : null;
}

/** The ranker of an import's new leads: one per LeadDefaults, that is per import and thread. */
const rankers = new WeakMap<LeadDefaults, ReturnType<typeof newLeadRanker>>();
function rankerOf(defaults: LeadDefaults): ReturnType<typeof newLeadRanker> {
  let ranker = rankers.get(defaults);
  if (!ranker) rankers.set(defaults, (ranker = newLeadRanker(defaults.weights, defaults.now)));
  return ranker;
}

/**
 * The lead columns a file with this layout leaves empty on every lead: no column for them and
 * no default (score counts as empty: stored as 0). The import skips them when it writes, and
 * keeps indexes that only such columns would enter.
 */
export function unfilledColumns(layout: RecordLayout, defaults: Pick<LeadDefaults, 'inbound' | 'source' | 'campaign' | 'list'>): Set<string> {
  const has = (field: Exclude<LeadField, 'alt_phone'>) => layout.single[field] !== undefined;
  const empty: Record<string, boolean> = {
    external_id: !has('external_id'),
    first_name: !has('first_name') && !has('full_name'),
    last_name: !has('last_name') && !has('full_name'),
    company: !has('company'),
    title: !has('title'),
    email: !has('email'),
    alt_phones: layout.altPhones.length === 0,
    country: !has('country'),
    region: !has('region'),
    postal_code: !has('postal_code'),
    source: !has('source') && defaults.source === null,
    campaign: !has('campaign') && defaults.campaign === null,
    list: !has('list') && defaults.list === null,
    score: !has('score'),
    owner: !has('owner'),
    custom: layout.custom.length === 0,
    inbound_at: !has('inbound_at') && !defaults.inbound,
    external_system: !has('external_id'),
  };
  return new Set(Object.keys(empty).filter((c) => empty[c]));
}

/** Unmapped columns as a JSON object; a null-prototype object, so no header can reach a prototype. */
function customFields(record: readonly string[], layout: RecordLayout, extra?: [string, string][]): string | null {
  let custom: Record<string, string> | null = null;
  for (const { index, key } of layout.custom) {
    const value = record[index]?.trim();
    if (!value) continue;
    custom ??= Object.create(null) as Record<string, string>;
    custom[key] = value;
  }
  // A column of the same name wins over what callq set aside.
  for (const [key, value] of extra ?? []) {
    custom ??= Object.create(null) as Record<string, string>;
    custom[key] ??= value;
  }
  return custom ? JSON.stringify(custom) : null;
}

/** A value as quoted in a message: a runaway cell is cut, not echoed whole. */
function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

// Google Contacts joins several values of one cell with ' ::: '; others use ';', ',' or a line break.
const MANY_PHONES = /[;,:\n]/;
const MANY_EMAILS = /\s*(?::::|[;,\n])\s*/;

/**
 * The numbers of a phone cell: several when separated by ' ::: ', ';' or a line break, or by
 * commas between whole numbers (a comma inside a number, '555-0100,,101', is a dialling pause).
 * A slash is never a separator: German numbers write the area code before one
 * ('+49 (0)2166 / 123456-0'), and both sides may look like whole numbers.
 */
export function splitPhones(cell: string): string[] {
  if (!MANY_PHONES.test(cell)) return cell.trim() ? [cell.trim()] : [];
  // ';ext=101' is RFC 3966's extension, part of one number, not a separator.
  const parts = cell.split(/:::|;(?!\s*ext\s*=)|\n/i).map((p) => p.trim()).filter(Boolean);
  return parts.flatMap((p) => {
    const pieces = p.split(',').map((q) => q.trim());
    return pieces.length > 1 && pieces.every((q) => q.replace(/\D/g, '').length >= 7) ? pieces : [p];
  });
}

const HONORIFIC = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|herr|frau|mme|mlle|mister|madam|doctor|professor)\.?$/i;
// In a title column 'Professor' or 'Doctor' may be the job; the abbreviations are not.
const HONORIFIC_TITLE = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|herr|frau|mme|mlle)\.?$/i;
const SUFFIX = /^(?:jr|sr|ii|iii|iv|phd|md|mba|esq|cpa|dds|dmd|dvm|rn|jd|llm|cfa|pmp|msc|bsc|mphil|dphil|facs|obe|mbe|cbe|kc|qc)$/;

/** Whether a word of a name is a generational suffix or a degree ('Jr.', 'III', 'Ph.D.'). */
export function isNameSuffix(word: string): boolean {
  return SUFFIX.test(word.toLowerCase().replace(/[.\s]/g, ''));
}

// No invisible or control characters (a zero-width space would slip past do-not-call matching).
const EMAIL = /^[^\s@<>()[\],;:"\p{C}]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}$/u;

// EMAIL restricted to ASCII, where \p{L} is a letter, \p{N} a digit and \p{C} a control character:
// what it accepts EMAIL accepts, several times faster for the addresses nearly every list holds.
const ASCII_EMAIL = /^[^\s@<>()[\],;:"\x00-\x1f\x7f-\uffff]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$/;

/** Trimmed, lower-cased e-mail, or null when it is not one. */
export function normaliseEmail(text: string): string | null {
  let email = text.trim().toLowerCase();
  // 'Bob Ray <bob@ray.com>', as Outlook and Gmail write an address with its name.
  const named = /^[^<>@]*<([^<>\s]+@[^<>\s]+)>$/.exec(email);
  if (named) email = named[1];
  if (email.startsWith('mailto:')) email = email.slice(7);
  return ASCII_EMAIL.test(email) || EMAIL.test(email) ? email : null;
}

// Shared mailboxes of a company: two people may both be reached at info@acme.com, so such an
// address never makes two rows the same lead.
// Whether an e-mail identifies one person is part of the identity rule (core/identity.ts).
export { isPersonalEmail } from '../core/identity.js';

export type NameParts = [first: string | null, last: string | null] | [first: string | null, last: string | null, extra: { suffix?: string; honorific?: string }];

/**
 * 'Mary Ann Smith' → ['Mary Ann', 'Smith']; 'Smith, Mary' → ['Mary', 'Smith']. Suffixes and
 * degrees are neither: 'Martin Luther King, Jr.' → ['Martin Luther', 'King', { suffix: 'Jr.' }],
 * and a leading 'Dr.' or 'Mrs.' is an honorific.
 */
export function splitName(full: string): NameParts {
  const segments = full.split(',').map((p) => p.trim()).filter(Boolean);
  const suffixes: string[] = [];
  while (segments.length > 1 && isNameSuffix(segments[segments.length - 1])) suffixes.unshift(segments.pop()!);
  let first: string | null;
  let last: string | null;
  let honorific: string | undefined;
  if (segments.length > 1) {
    // 'Smith, John' and 'King Jr., Martin': last name first.
    const lastWords = segments[0].split(/\s+/);
    while (lastWords.length > 1 && isNameSuffix(lastWords[lastWords.length - 1])) suffixes.unshift(lastWords.pop()!);
    last = lastWords.join(' ');
    first = segments.slice(1).join(' ');
  } else {
    const words = (segments[0] ?? full.trim()).split(/\s+/).filter(Boolean);
    while (words.length > 2 && isNameSuffix(words[words.length - 1])) suffixes.unshift(words.pop()!);
    if (words.length > 1 && HONORIFIC.test(words[0])) honorific = words.shift();
    if (words.length === 0) return [null, null];
    last = words.length > 1 ? words.pop()! : null;
    first = words.join(' ');
  }
  if (!suffixes.length && !honorific) return [first || null, last || null];
  const extra: { suffix?: string; honorific?: string } = {};
  if (suffixes.length) extra.suffix = suffixes.join(', ');
  if (honorific) extra.honorific = honorific;
  return [first || null, last || null, extra];
}

/** 0–100, rounded; '87,5' (decimal comma) and '87%' accepted; null when not a number. */
export function parseScore(text: string): number | null {
  const n = Number(text.trim().replace(/%$/, '').replace(/^(-?\d+),(\d+)$/, '$1.$2'));
  if (!Number.isFinite(n)) return null;
  return Math.min(100, Math.max(0, Math.round(n)));
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const SLASH_DATE = /^(\d{1,2})([/.])(\d{1,2})\2(\d{2}|\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;
// Zoho's 'Nov 23, 2026 02:55 PM', 'November 23 2026'; and '23 Nov 2026', '23-Nov-2026 14:55'.
const MONTH_FIRST = /^([a-z]{3,9})\.? (\d{1,2}),? (\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;
const DAY_FIRST = /^(\d{1,2})[ -]([a-z]{3,9})\.?[ -](\d{2}|\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** 1–12 for an English month name or its abbreviation ('Nov', 'Sept', 'November'); 0 otherwise. */
function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  return MONTHS.findIndex((m) => lower.length >= 3 && m.startsWith(lower === 'sept' ? 'sep' : lower)) + 1;
}

/** Hour of a 12- or 24-hour clock; NaN when an AM/PM hour is out of range. */
function hour24(hour: string | undefined, meridiem: string | undefined): number {
  const h = +(hour ?? 0);
  if (!meridiem) return h;
  if (h < 1 || h > 12) return NaN;
  return (h % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
}

/**
 * A CRM timestamp as ISO-8601 UTC, or null. ISO dates and times (with or without offset),
 * US 'M/D/YYYY h:mm AM', European 'D.M.YYYY HH:MM', and English month names ('Nov 23, 2026
 * 02:55 PM', '23 Nov 2026'). Without an offset the time is read in the importing machine's
 * zone, as --now is.
 */
export function parseTimestamp(text: string): string | null {
  const s = text.trim();
  let parts: [number, number, number, number, number, number] | undefined;
  let offset: string | undefined;
  const iso = ISO_DATE.exec(s);
  if (iso) {
    parts = [+iso[1], +iso[2], +iso[3], +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0)];
    offset = iso[7];
  } else if (/[a-z]{3}/i.test(s)) {
    const named = MONTH_FIRST.exec(s);
    const dayFirst = named ? null : DAY_FIRST.exec(s);
    if (named) parts = [+named[3], monthNumber(named[1]), +named[2], hour24(named[4], named[7]), +(named[5] ?? 0), +(named[6] ?? 0)];
    else if (dayFirst) {
      const year = dayFirst[3].length === 2 ? 2000 + +dayFirst[3] : +dayFirst[3];
      parts = [year, monthNumber(dayFirst[2]), +dayFirst[1], hour24(dayFirst[4], dayFirst[7]), +(dayFirst[5] ?? 0), +(dayFirst[6] ?? 0)];
    } else return null;
    if (Number.isNaN(parts[3])) return null;
  } else {
    const other = SLASH_DATE.exec(s);
    if (!other) return null;
    const year = other[4].length === 2 ? 2000 + +other[4] : +other[4];
    const [month, day] = other[2] === '/' ? [+other[1], +other[3]] : [+other[3], +other[1]];
    let hour = +(other[5] ?? 0);
    const meridiem = other[8]?.toUpperCase();
    if (meridiem) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
    }
    parts = [year, month, day, hour, +(other[6] ?? 0), +(other[7] ?? 0)];
  }
  const [y, mo, d, h, mi, se] = parts;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || se > 59) return null;
  let at: Date;
  if (offset) {
    const sign = offset.toUpperCase() === 'Z' ? 0 : offset[0] === '-' ? -1 : 1;
    const digits = offset.replace(/\D/g, '');
    const minutes = sign === 0 ? 0 : sign * (+digits.slice(0, 2) * 60 + +digits.slice(2));
    at = new Date(Date.UTC(y, mo - 1, d, h, mi, se) - minutes * 60_000);
  } else {
    at = new Date(y, mo - 1, d, h, mi, se);
  }
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Merging into a lead already stored (--on-duplicate update)

/** The stored columns an import may change, and what the queue rank also depends on. */
export type StoredLead = Pick<LeadRow, (typeof MERGED_COLUMNS)[number] | 'phone' | 'phone_ext' | 'attempts' | 'last_call_at' | 'created_at'>;

export const MERGED_COLUMNS = [
  'external_id', 'external_system', 'first_name', 'last_name', 'company', 'title', 'email', 'alt_phones', 'country', 'region', 'postal_code',
  'timezone', 'timezone_source', 'source', 'campaign', 'list', 'score', 'owner', 'custom', 'inbound_at', 'queue_rank',
] as const;

export type MergedLead = Pick<StoredLead, (typeof MERGED_COLUMNS)[number]>;

const ZONE_SOURCE_RANK: Record<string, number> = { column: 5, phone: 4, region: 3, country: 2, default: 1, unknown: 0 };
const REPLACED = ['external_id', 'external_system', 'first_name', 'last_name', 'company', 'title', 'email', 'country', 'region', 'postal_code', 'owner'] as const;
const FILLED = ['source', 'campaign', 'list'] as const;

/**
 * What a row matched to the stored lead `into` does under --on-duplicate update: `another` when
 * it names someone else (core/identity.ts namesAnotherPerson: a duplicate, never merged), else
 * its changes (null: it changes nothing). `emailHolder` is the first lead (stored or this file's)
 * holding the row's personal e-mail: a row matched by its phone may carry a colleague's address,
 * and moving it would give two leads one person's e-mail (a do-not-call on it would then reach
 * both) and lose this lead's own, so the lead keeps its e-mail.
 */
export function mergeRow(
  stored: StoredLead,
  into: number,
  incoming: NewLead,
  emailHolder: number | undefined,
  weights: PriorityWeights,
): { another: true } | { another: false; changes: MergedLead | null } {
  if (namesAnotherPerson(stored, incoming)) return { another: true };
  const row = emailHolder === undefined || emailHolder === into ? incoming : { ...incoming, email: null };
  return { another: false, changes: mergeLead(stored, row, weights) };
}

/**
 * What an imported record of the same person changes on a stored lead, or null when it changes
 * nothing (mergeRow decides first whether it is the same person). Values the
 * row gives replace stored ones and blanks never erase; source, campaign and list only fill
 * blanks (a lead keeps the attribution it arrived with); a different phone becomes an
 * alternate; custom fields are merged; the time zone is replaced only by one found from an
 * equal or better source; a later inbound time wins. Status, calls and claims are not fields here.
 */
export function mergeLead(stored: StoredLead, incoming: NewLead, weights: PriorityWeights): MergedLead | null {
  const merged: MergedLead = {
    ...Object.fromEntries(MERGED_COLUMNS.map((c) => [c, c === 'queue_rank' ? 0 : stored[c]])),
  } as MergedLead;
  for (const c of REPLACED) if (incoming[c] !== null) merged[c] = incoming[c];
  for (const c of FILLED) if (merged[c] === null && incoming[c] !== null) merged[c] = incoming[c];
  if (incoming.score !== null) merged.score = incoming.score;

  const alternates: string[] = stored.alt_phones ? (JSON.parse(stored.alt_phones) as string[]) : [];
  for (const phone of [incoming.phone, ...incoming.alt_phones]) {
    if (phone !== null && phone !== stored.phone && !alternates.includes(phone)) alternates.push(phone);
  }
  merged.alt_phones = alternates.length ? JSON.stringify(alternates) : null;

  if (incoming.custom) {
    const custom = Object.assign(Object.create(null) as Record<string, string>, stored.custom ? JSON.parse(stored.custom) : {}, JSON.parse(incoming.custom));
    merged.custom = JSON.stringify(custom);
  }
  // Another zone from a source as good or better. The same zone from another source is no
  // change (a hand-off file imported back names the zone a phone gave as a column), but for a
  // zone only assumed (timezone.default), which the file now confirms: a later change of the
  // default must not move it.
  const sameZone = incoming.timezone === stored.timezone;
  const confirmsDefault = sameZone && stored.timezone_source === 'default' && incoming.timezone_source !== 'default';
  if (
    (ZONE_SOURCE_RANK[incoming.timezone_source] ?? 0) >= (ZONE_SOURCE_RANK[stored.timezone_source ?? 'unknown'] ?? 0) &&
    incoming.timezone !== null &&
    (!sameZone || confirmsDefault)
  ) {
    merged.timezone = incoming.timezone;
    merged.timezone_source = incoming.timezone_source;
  }
  if (incoming.inbound_at !== null && (stored.inbound_at === null || incoming.inbound_at > stored.inbound_at)) merged.inbound_at = incoming.inbound_at;

  const changed = MERGED_COLUMNS.some((c) => c !== 'queue_rank' && merged[c] !== stored[c]);
  if (!changed) return null;
  merged.queue_rank = queueRank({ ...stored, score: merged.score, source: merged.source, campaign: merged.campaign }, weights);
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Passing leads between threads

/** A new lead as a flat row in LEAD_COLUMNS order (alt_phones as JSON): cheap to send between threads. */
export type LeadTuple = (string | number | null)[];

export const LEAD_COLUMNS = [
  'external_id', 'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'phone_raw', 'alt_phones', 'country', 'region',
  'postal_code', 'timezone', 'timezone_source', 'source', 'campaign', 'list', 'score', 'owner', 'custom', 'inbound_at', 'queue_rank',
  'phone_ext', 'external_system',
] as const;

/** A LeadTuple's values: the lead's columns, then what the import reads but does not store. */
export const TUPLE_COLUMNS = [...LEAD_COLUMNS, 'do_not_call', 'dnc_emails'] as const;

/** Position of each column in a LeadTuple. */
export const AT = Object.fromEntries(TUPLE_COLUMNS.map((c, i) => [c, i])) as { [C in (typeof TUPLE_COLUMNS)[number]]: number };

export function leadTuple(lead: NewLead): LeadTuple {
  return TUPLE_COLUMNS.map((c) => (c === 'alt_phones' ? (lead.alt_phones.length ? JSON.stringify(lead.alt_phones) : null) : lead[c]));
}

/** What a new lead, as a tuple, says of who it is (core/identity.ts): to tell two people at one number apart. */
export function personOf(tuple: LeadTuple): PersonNames {
  const at = (i: number) => tuple[i] as string | null;
  return { first_name: at(AT.first_name), email: at(AT.email), external_id: at(AT.external_id), external_system: at(AT.external_system) };
}

export function leadFromTuple(tuple: LeadTuple): NewLead {
  const lead = Object.fromEntries(TUPLE_COLUMNS.map((c, i) => [c, tuple[i]])) as unknown as NewLead & { alt_phones: unknown };
  lead.alt_phones = tuple[AT.alt_phones] ? (JSON.parse(tuple[AT.alt_phones] as string) as string[]) : [];
  return lead;
}
