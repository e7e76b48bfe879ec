// A Country cell as an ISO 3166-1 alpha-2 code. Exports write countries every way: codes ('DE',
// 'DEU'), English names ('Germany', 'U.S.A.', 'UK'), the country's own name ('Deutschland',
// 'Polska', 'Россия'), a CRM's long form ('Slovakia (Slovak Republic)') or, in a Country Code
// column, the calling code ('+49', '49', '0049').
//
// The common answers come from the table shipped for time zones (phone.ts countryCode, cached
// per value). Only a value it does not know builds the larger tables, once per thread: names in
// many languages from Intl.DisplayNames (Node has full ICU) and calling codes from the phone
// metadata (its main country for a shared code).
import { getCountries, Metadata } from 'libphonenumber-js/max';
import { countryCode } from './phone.js';

/** Languages whose country names are recognised besides English and the tz table's aliases. */
const LANGUAGES = [
  'en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ru', 'uk', 'cs', 'sk', 'hu', 'ro', 'bg', 'hr', 'sr', 'sl', 'el', 'tr',
  'sv', 'da', 'nb', 'fi', 'et', 'lv', 'lt', 'ja', 'zh', 'ko', 'ar', 'he', 'hi', 'th', 'vi', 'id', 'ms',
];

/** Country names by their nameKey, one table per language of LANGUAGES, each built on first need. */
const names: Map<string, string>[] = [];
let metadata: (Metadata & { getCountryCodesForCallingCode(code: string): string[] | undefined }) | undefined;
const answers = new Map<string, string | undefined>();

/** Letters and digits of any script, lower case, without accents or punctuation. */
function nameKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function nameTable(language: string): Map<string, string> {
  const table = new Map<string, string>();
  let display: Intl.DisplayNames;
  try {
    display = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
  } catch {
    return table;
  }
  for (const code of getCountries()) {
    const name = display.of(code);
    const key = name && nameKey(name);
    if (key && !table.has(key)) table.set(key, code);
  }
  return table;
}

/**
 * The country a name names in the first language that has it (English first). The languages'
 * tables are built one by one, as far as a name needs: all of them cost ~90 ms, as much as a
 * small import's whole work, and most lists name countries in English.
 */
function namedCountry(key: string): string | undefined {
  for (let i = 0; i < LANGUAGES.length; i++) {
    const code = (names[i] ??= nameTable(LANGUAGES[i])).get(key);
    if (code) return code;
  }
  return undefined;
}

/** Calling code → the main country sharing it (+1 → US, +44 → GB, +7 → RU); undefined for non-geographic codes. */
function countryOfCallingCode(calling: string): string | undefined {
  metadata ??= new Metadata() as Metadata & { getCountryCodesForCallingCode(code: string): string[] | undefined };
  const main = metadata.getCountryCodesForCallingCode(calling)?.[0];
  return main === '001' ? undefined : main;
}

/**
 * ISO alpha-2 code of a country cell (with a numbering plan), or undefined when it is not one
 * callq can place.
 */
export function parseCountry(text: string): string | undefined {
  const known = countryCode(text);
  if (known !== undefined) return known;
  if (answers.has(text)) return answers.get(text);
  const code = slowCountry(text.trim());
  if (answers.size >= 1024) answers.clear();
  answers.set(text, code);
  return code;
}

function slowCountry(s: string): string | undefined {
  if (s === '') return undefined;
  const calling = /^(?:\+|00)?\s*(\d{1,3})$/.exec(s);
  if (calling) return countryOfCallingCode(calling[1]);
  // 'U.S.A.', 'U.K.': the letters alone.
  const letters = s.replace(/[.\s]/g, '');
  if (letters !== s && /^[A-Za-z]{2,3}$/.test(letters)) {
    const code = countryCode(letters);
    if (code) return code;
  }
  const named = namedCountry(nameKey(s));
  if (named) return named;
  // 'Slovakia (Slovak Republic)', 'Korea (South)': the name outside, then the one inside.
  const paren = /^(.*?)\s*\((.*)\)\s*$/.exec(s);
  if (paren) return parseCountry(paren[1]) ?? parseCountry(paren[2]);
  return undefined;
}
