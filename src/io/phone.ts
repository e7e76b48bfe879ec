// Phone numbers to E.164 with libphonenumber-js and its `max` metadata.
//
// Why `max`: the default `min` metadata only checks a number's length, so (555) 123-4567 or
// (123) 456-7890 would pass as US numbers and reach a rep as dead dials; `max` checks the
// digit patterns of every number type, and costs the same per number.
//
// Why fast paths: the library spends ~10 µs on a number, mostly recompiling its patterns on
// every call, which would dominate a million-row import. For numbers written with digits and
// ordinary punctuation, nanpNumber() and otherNumber() follow the library's own parsing rules
// over the same metadata with the patterns compiled once: ~0.5 µs. They answer only where they
// are sure to agree with the library (test/io/phone.test.ts checks that on random numbers in
// random formats for many countries); anything else (extensions, letters, IDD prefixes,
// carrier codes, most invalid numbers) goes through the library.
import { isSupportedCountry, parsePhoneNumberFromString, Metadata } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { countryCode as countryOf } from './timezones.js';

export type PhoneResult =
  | { ok: true; e164: string; ext?: string }
  | { ok: false; reason: 'no-phone' | 'invalid-phone'; detail: string };

/** E.164 form of `raw`, read as a number of `defaultCountry` unless it starts with + or 00/011. */
export function normalisePhone(raw: string, defaultCountry: string): PhoneResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'no-phone', detail: 'no phone number' };
  const fast = nanpNumber(text, defaultCountry) ?? otherNumber(text, defaultCountry);
  if (fast !== undefined) {
    return fast ? { ok: true, e164: fast } : { ok: false, reason: 'invalid-phone', detail: notValid(text, defaultCountry) };
  }
  const parsed = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  if (!parsed) return { ok: false, reason: 'invalid-phone', detail: `'${shown(text)}' is not a phone number` };
  if (!parsed.isValid()) return { ok: false, reason: 'invalid-phone', detail: notValid(text, defaultCountry) };
  return parsed.ext ? { ok: true, e164: parsed.number, ext: parsed.ext } : { ok: true, e164: parsed.number };
}

function notValid(text: string, country: string): string {
  return text.startsWith('+') ? `'${shown(text)}' is not a valid phone number` : `'${shown(text)}' is not a valid ${country} phone number`;
}

/** A value as quoted in a message: a runaway cell is cut, not echoed whole. */
function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Fast paths: the library's own rules and metadata, with the patterns compiled once

/** The parts of the library's numbering plan this module reads (typed loosely upstream). */
interface Plan {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

interface Matcher {
  test(national: string): boolean;
}

interface CompiledPlan {
  country: string;
  callingCode: string;
  idd?: RegExp;
  prefixForParsing?: RegExp;
  prefixTransform: boolean;
  leadingDigits?: RegExp;
  nationalNumber: Matcher;
  /** Null when the plan has no per-type patterns (then the national pattern decides). */
  types: { fixedLine?: Matcher; other: Matcher[] } | null;
}

// The order getNumberType() tries types in, after FIXED_LINE.
const OTHER_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

type FullMetadata = Metadata & { getCountryCodesForCallingCode(code: string): string[] | undefined; hasCountry(country: string): boolean };
let metadata: FullMetadata | undefined;
const meta = (): FullMetadata => (metadata ??= new Metadata() as FullMetadata);
const plans = new Map<string, CompiledPlan | null>();
const plansByCallingCode = new Map<string, CompiledPlan[] | null>();

// Same checks as the library's matchesEntirely() and isNumberTypeEqualTo(), compiled once.
function whole(source: string, lengths?: number[]): Matcher {
  const re = new RegExp(`^(?:${source})$`);
  return lengths ? { test: (s) => lengths.includes(s.length) && re.test(s) } : re;
}

function planOf(country: string): CompiledPlan | undefined {
  let compiled = plans.get(country);
  if (compiled !== undefined) return compiled ?? undefined;
  const metadata = meta();
  if (!metadata.hasCountry(country)) {
    plans.set(country, null);
    return undefined;
  }
  metadata.selectNumberingPlan(country as CountryCode);
  const plan = metadata.numberingPlan as unknown as Plan;
  const typed = (name: string) => {
    const t = plan.type(name);
    return t && t.pattern() ? whole(t.pattern(), t.possibleLengths()) : undefined;
  };
  const optional = (source: string | undefined) => (source ? new RegExp(`^(?:${source})`) : undefined);
  compiled = {
    country,
    callingCode: plan.callingCode(),
    idd: optional(plan.IDDPrefix()),
    prefixForParsing: optional(plan.nationalPrefixForParsing()),
    prefixTransform: Boolean(plan.nationalPrefixTransformRule()),
    leadingDigits: optional(plan.leadingDigits()),
    nationalNumber: whole(plan.nationalNumberPattern()),
    types: plan.hasTypes() ? { fixedLine: typed('FIXED_LINE'), other: OTHER_TYPES.map(typed).filter((m): m is Matcher => m !== undefined) } : null,
  };
  plans.set(country, compiled);
  return compiled;
}

/** The countries sharing a calling code, main country first; undefined for unknown or non-geographic codes. */
function countriesOf(callingCode: string): CompiledPlan[] | undefined {
  let sharing = plansByCallingCode.get(callingCode);
  if (sharing === undefined) {
    const countries = meta().getCountryCodesForCallingCode(callingCode);
    sharing = !countries || countries.includes('001') ? null : countries.map((c) => planOf(c)!);
    plansByCallingCode.set(callingCode, sharing);
  }
  return sharing ?? undefined;
}

function isCallingCode(code: string): boolean {
  return meta().getCountryCodesForCallingCode(code) !== undefined;
}

function hasType(plan: CompiledPlan, national: string): boolean {
  if (!plan.nationalNumber.test(national)) return false;
  if (!plan.types) return true;
  if (plan.types.fixedLine?.test(national)) return true;
  return plan.types.other.some((re) => re.test(national));
}

/** Which of the countries sharing a calling code a national number belongs to, as the library decides it. */
function countryOfNumber(countries: CompiledPlan[], national: string): CompiledPlan | undefined {
  if (countries.length === 1) return countries[0];
  return countries.find((p) => (p.leadingDigits ? p.leadingDigits.test(national) : hasType(p, national)));
}

// Digits with the punctuation people type; a leading + at most. No letters, no extension.
const PLAIN = /^\+?[\d\s().\-/]+$/;

/**
 * For a North American number in a plain format: its E.164 form, or null when it is invalid;
 * undefined when the input is not of that shape (the caller asks the library instead).
 */
export function nanpNumber(text: string, defaultCountry: string): string | null | undefined {
  if (!PLAIN.test(text)) return undefined;
  const plus = text.charCodeAt(0) === 43;
  const digits = text.replace(/\D/g, '');
  const defaultPlan = planOf(defaultCountry);
  const nanp = defaultPlan?.callingCode === '1';
  let national: string;
  let fallbackCountry = 'US'; // the plan the library validates against when no country matches
  if (digits.length === 11 && digits[0] === '1' && digits[1] >= '2') {
    if (!plus && !nanp) return undefined;
    national = digits.slice(1);
  } else if (digits.length === 10 && digits[0] >= '2' && !plus && nanp) {
    national = digits;
    fallbackCountry = defaultCountry;
  } else {
    return undefined;
  }
  const plan = countryOfNumber(countriesOf('1')!, national) ?? planOf(fallbackCountry)!;
  return hasType(plan, national) ? `+1${national}` : null;
}

/**
 * For any other number in a plain format that the library would find valid: its E.164 form.
 * Undefined otherwise (invalid, or a case these rules do not cover: IDD prefixes, carrier
 * codes, national prefixes written after +CC); the caller then asks the library.
 */
export function otherNumber(text: string, defaultCountry: string): string | undefined {
  if (!PLAIN.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 17) return undefined;
  let callingCode: string;
  let national: string;
  let fallback: CompiledPlan;
  if (text.charCodeAt(0) === 43) {
    if (digits[0] === '0') return undefined;
    // Calling codes are prefix-free: the first 1–3 digits that are one are it.
    const length = [1, 2, 3].find((n) => isCallingCode(digits.slice(0, n)));
    if (length === undefined) return undefined;
    callingCode = digits.slice(0, length);
    const countries = countriesOf(callingCode);
    if (!countries) return undefined;
    national = digits.slice(callingCode.length);
    fallback = countries[0];
    if (fallback.prefixForParsing?.test(national)) return undefined;
  } else {
    const plan = planOf(defaultCountry);
    if (!plan || plan.idd?.test(digits) || digits.startsWith(plan.callingCode)) return undefined;
    callingCode = plan.callingCode;
    national = digits;
    fallback = plan;
    const prefix = plan.prefixForParsing?.exec(digits);
    if (prefix) {
      if (prefix.length > 1 && prefix[prefix.length - 1]) return undefined; // carrier codes, transforms
      national = digits.slice(prefix[0].length);
      // The library keeps the prefix when only the longer form fits the national pattern.
      if (plan.nationalNumber.test(digits) && !plan.nationalNumber.test(national)) return undefined;
    }
  }
  if (national.length < 2) return undefined;
  const plan = countryOfNumber(countriesOf(callingCode)!, national) ?? fallback;
  return hasType(plan, national) ? `+${callingCode}${national}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// Countries

/**
 * ISO 3166-1 alpha-2 code of a country written as a code, alpha-3 code or common name ('US',
 * 'usa', 'United States', 'UK', 'Deutschland') that has a numbering plan; undefined when unknown.
 * The names come from the table shipped for time zones.
 */
export function countryCode(text: string): string | undefined {
  const code = countryOf(text);
  return code && isSupportedCountry(code) ? code : undefined;
}
