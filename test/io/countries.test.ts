import { describe, expect, it } from 'vitest';
import { parseCountry } from '../../src/io/countries.js';

describe('parseCountry', () => {
  it.each([
    ['US', 'US'],
    ['usa', 'US'],
    ['U.S.A.', 'US'],
    ['United States of America', 'US'],
    ['UK', 'GB'],
    ['U.K.', 'GB'],
    ['DEU', 'DE'],
    ['Deutschland', 'DE'],
    ['Polska', 'PL'],
    ['Россия', 'RU'],
    ['España', 'ES'],
    ['espana', 'ES'],
    ['Italia', 'IT'],
    ['Brasil', 'BR'],
    ['日本', 'JP'],
    ['Österreich', 'AT'],
    ['Slovakia (Slovak Republic)', 'SK'],
    ['Korea, Republic of', 'KR'],
    ['+44', 'GB'],
    ['44', 'GB'],
    ['0049', 'DE'],
    ['+1', 'US'],
    ['7', 'RU'],
    ['+33', 'FR'],
    ['Atlantis', undefined],
    ['ZZ', undefined],
    ['+999', undefined],
    ['', undefined],
  ])('%j → %s', (text, code) => {
    expect(parseCountry(text)).toBe(code);
  });
});
