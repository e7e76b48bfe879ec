import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { countryCode, nanpNumber, normalisePhone, otherNumber } from '../../src/io/phone.js';

describe('normalisePhone', () => {
  it.each([
    ['(212) 734-5524', 'US', '+12127345524'],
    ['480.947.3314', 'US', '+14809473314'],
    ['1-907-343-2264', 'US', '+19073432264'],
    ['317 632 9907', 'US', '+13176329907'],
    ['+1 (646) 298-4412', 'GB', '+16462984412'],
    ['+44 20 7946 0325', 'US', '+442079460325'],
    ['020 7946 0327', 'GB', '+442079460327'],
    ['+91 98450 12345', 'IN', '+919845012345'],
    ['030 86427150', 'DE', '+493086427150'],
    ['416-862-3341', 'CA', '+14168623341'],
    ['2127345524', 'CA', '+12127345524'],
  ])('%s (%s) → %s', (raw, country, e164) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: true, e164 });
  });

  it('keeps an extension apart from the number', () => {
    expect(normalisePhone('(808) 521-4472 x12', 'US')).toEqual({ ok: true, e164: '+18085214472', ext: '12' });
  });

  it.each([
    ['', 'no-phone'],
    ['   ', 'no-phone'],
    ['n/a', 'invalid-phone'],
    ['TBD', 'invalid-phone'],
    ['123', 'invalid-phone'],
    ['(212) 734-55', 'invalid-phone'],
    ['212-734-55219', 'invalid-phone'],
    ['000-000-0000', 'invalid-phone'],
    ['(123) 456-7890', 'invalid-phone'],
    ['(555) 123-4567', 'invalid-phone'], // max metadata: 555 is not a US area code
    ['020 7946 0326', 'invalid-phone'], // a UK number read as US
    ['call after 3pm', 'invalid-phone'],
  ])('%j is rejected as %s', (raw, reason) => {
    const result = normalisePhone(raw, 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('says which country a national number was read for', () => {
    const result = normalisePhone('020 7946 0326', 'US');
    expect(result).toMatchObject({ ok: false, detail: "'020 7946 0326' is not a valid US phone number" });
  });
});

// The fast paths must answer exactly what the library answers, wherever they answer.
function library(text: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(text, country as never);
  return parsed && parsed.isValid() ? parsed.number : null;
}

const countries = getCountries();
const formats = [
  (d: string) => d,
  (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
  (d: string) => d.replace(/(\d{3})(\d{3})/, '$1.$2.'),
  (d: string) => d.replace(/(\d{2})/g, '$1 ').trim(),
  (d: string) => `1-${d.slice(0, 3)}-${d.slice(3)}`,
];

describe('fast paths agree with libphonenumber-js', () => {
  it('on North American numbers in common formats, whatever the default country', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{10}$/),
        fc.integer({ min: 0, max: formats.length - 1 }),
        fc.constantFrom('', '+1 ', '1'),
        fc.constantFrom('US', 'CA', 'JM', 'PR', 'GB', 'DE'),
        (digits, format, prefix, country) => {
          const text = prefix + formats[format](digits);
          const fast = nanpNumber(text, country);
          if (fast !== undefined) expect(fast).toBe(library(text, country));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('on near-valid numbers of every country, national and international', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...countries),
        fc.stringMatching(/^[0-9]{1,4}$/),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(...countries, ''),
        (country, tail, form, otherDefault) => {
          const example = getExampleNumber(country, examples);
          if (!example) return;
          const national = example.nationalNumber.slice(0, Math.max(1, example.nationalNumber.length - tail.length)) + tail;
          const number = parsePhoneNumberFromString(`+${example.countryCallingCode}${national}`);
          if (!number) return;
          const text = [number.formatNational(), number.formatInternational(), number.number, number.formatNational().replace(/\D/g, ''), `00${number.number.slice(1)}`][form];
          const defaultCountry = otherDefault || country;
          const fast = nanpNumber(text, defaultCountry) ?? otherNumber(text, defaultCountry);
          if (fast !== undefined) expect(fast).toBe(library(text, defaultCountry));
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it('on random digits with and without calling codes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...countries),
        fc.stringMatching(/^[0-9]{5,13}$/),
        fc.constantFrom('plus', 'national', 'zero', 'paren-zero'),
        (country, digits, form) => {
          const cc = getCountryCallingCode(country);
          const text = { plus: `+${cc} ${digits}`, national: digits, zero: `0${digits}`, 'paren-zero': `+${cc} (0)${digits}` }[form];
          const fast = nanpNumber(text, country) ?? otherNumber(text, country);
          if (fast !== undefined) expect(fast).toBe(library(text, country));
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it('answers for most real-looking numbers (so the fast path is actually taken)', () => {
    let answered = 0;
    for (const country of ['US', 'CA', 'GB', 'DE', 'FR', 'AU', 'IN']) {
      const example = getExampleNumber(country as never, examples)!;
      for (const text of [example.formatNational(), example.formatInternational()]) if ((nanpNumber(text, country) ?? otherNumber(text, country)) !== undefined) answered++;
    }
    expect(answered).toBeGreaterThanOrEqual(12);
  });
});

describe('countryCode', () => {
  it.each([
    ['US', 'US'],
    ['us', 'US'],
    ['USA', 'US'],
    ['United States', 'US'],
    ['UK', 'GB'],
    ['United Kingdom', 'GB'],
    ['Canada', 'CA'],
    ['IN', 'IN'],
    ['Deutschland', 'DE'],
    ['Narnia', undefined],
    ['', undefined],
  ])('%j → %s', (text, code) => {
    expect(countryCode(text)).toBe(code);
  });
});

describe('messages about bad numbers', () => {
  it('cut a runaway value instead of echoing it whole', () => {
    const result = normalisePhone('9'.repeat(10_000), 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.detail.length).toBeLessThan(80);
      expect(result.detail).toMatch(/^'9{37}…' is not/);
    }
  });
});
