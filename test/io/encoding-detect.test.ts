import { describe, expect, it } from 'vitest';
import { decodeWindows1252, detectEncoding, utf8Balance } from '../../src/io/encoding-detect.js';
import { parseEncodingOption } from '../../src/io/csv-read.js';
import { UsageError } from '../../src/core/errors.js';

/** `text` in a single-byte encoding, by a table built from the decoder. */
function encode(text: string, encoding: string): Buffer {
  const decode = encoding === 'windows-1252' ? (b: Uint8Array) => decodeWindows1252(Buffer.from(b)) : (b: Uint8Array) => new TextDecoder(encoding).decode(b);
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decode(Uint8Array.of(b)), b);
  return Buffer.from([...text].map((ch) => table.get(ch)!));
}

const POLISH = 'Imię,Nazwisko,Firma\nŁukasz,Wójcik,Zażółć Gęślą Jaźń\nAgnieszka,Żółkiewska,Łódź Śródmieście\n';
const RUSSIAN = 'Имя,Фамилия,Компания\nАлександр,Иванов,Ромашка\nОльга,Петрова,Россия\n';

describe('detectEncoding', () => {
  it.each([
    ['Polish in ISO-8859-2', encode(POLISH, 'iso-8859-2'), 'iso-8859-2', []],
    ['Polish in Windows-1250', encode(POLISH, 'windows-1250'), 'windows-1250', []],
    ['Russian in Windows-1251', encode(RUSSIAN, 'windows-1251'), 'windows-1251', []],
    ['Russian in KOI8-R', encode(RUSSIAN, 'koi8-r'), 'koi8-r', []],
    ['German in Windows-1252 (the same text in ISO-8859-2)', encode('Name\nJürgen Müller\nÄnne Größe\n', 'windows-1252'), 'windows-1252', []],
    ['Windows-1252 punctuation', encode('Name\nRené O’Brien – Café\n', 'windows-1252'), 'windows-1252', []],
    ['UTF-8 with one stray byte', Buffer.concat([Buffer.from('José,Zoë,Müller\n'), Buffer.from([0x52, 0xe9, 0x0a])]), 'utf-8', []],
  ])('%s → %s', (_, bytes, encoding, candidates) => {
    expect(detectEncoding(bytes)).toEqual({ encoding, candidates });
  });

  it('reads Shift_JIS Japanese as Shift_JIS', () => {
    // 山田太郎,サクラ in Shift_JIS.
    const bytes = Buffer.from([0x8e, 0x52, 0x93, 0x63, 0x91, 0xbe, 0x98, 0x59, 0x2c, 0x83, 0x54, 0x83, 0x4e, 0x83, 0x89, 0x0a]);
    expect(new TextDecoder('shift_jis').decode(bytes)).toBe('山田太郎,サクラ\n');
    expect(detectEncoding(bytes).encoding).toBe('shift_jis');
  });

  it('says when code pages read the letters differently and as plausibly', () => {
    // 'è' in Windows-1252 is 'č' in ISO-8859-2.
    expect(detectEncoding(encode('Name\nRené Lefèvre\n', 'windows-1252'))).toEqual({ encoding: 'windows-1252', candidates: ['iso-8859-2', 'windows-1250'] });
  });

  it.each([
    [[0x4a, 0x6f, 0x73, 0xc3, 0xa9], { valid: 1, invalid: 0 }],
    [[0x4a, 0x6f, 0x73, 0xe9, 0x2c], { valid: 0, invalid: 1 }],
    [[0xc3, 0xa9, 0xe9, 0xe2, 0x82, 0xac], { valid: 2, invalid: 1 }],
    [[0x41, 0xe2, 0x82], { valid: 0, invalid: 0 }],
  ])('utf8Balance(%j) → %j', (bytes, balance) => {
    expect(utf8Balance(Uint8Array.from(bytes))).toEqual(balance);
  });
});

describe('parseEncodingOption', () => {
  it.each([
    ['utf8', 'utf-8'],
    ['UTF-16', 'utf-16le'],
    ['latin1', 'windows-1252'],
    ['ansi', 'windows-1252'],
    ['cp1252', 'windows-1252'],
    ['iso-8859-2', 'iso-8859-2'],
    ['latin2', 'iso-8859-2'],
    ['cp1250', 'windows-1250'],
    ['windows-1251', 'windows-1251'],
    ['Shift-JIS', 'shift_jis'],
    ['sjis', 'shift_jis'],
    ['gbk', 'gbk'],
    ['big5', 'big5'],
    ['euc-kr', 'euc-kr'],
  ])('%j → %s', (label, encoding) => {
    expect(parseEncodingOption(label)).toBe(encoding);
  });

  it.each(['klingon', 'ebcdic', ''])('refuses %j', (label) => {
    expect(() => parseEncodingOption(label)).toThrow(UsageError);
  });
});
