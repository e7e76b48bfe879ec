import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { controlMark, safeOutput, safeText } from '../../src/ui/safe-text.js';
import { nameToShow } from '../../src/ui/lead-json.js';
import { renderTable } from '../../src/ui/table.js';
import { displayWidth } from '../../src/ui/width.js';

describe('safeText: stored text as one visible line', () => {
  it.each([
    ['set the window title', 'Ana\x1b]0;pwned\x07', 'Ana␛]0;pwned␇'],
    ['clear the screen', 'Acme\x1b[2J\x1b[H', 'Acme␛[2J␛[H'],
    ['hide text', 'VP\x1b[8m hidden', 'VP␛[8m hidden'],
    ['carriage return and backspaces', 'paid\rDUE\x08\x08', 'paid␍DUE␈␈'],
    ['line break and tab', 'a\nb\tc', 'a␊b␉c'],
    ['NUL and the unit separator', '\x00\x1f', '␀␟'],
    ['DEL', 'x\x7f', 'x␡'],
    ['C1 controls (CSI, NEL)', '\u009b31m\u0085', '<U+009B>31m<U+0085>'],
    ['bidi embeddings and overrides', '\u202a\u202b\u202c\u202d\u202e', '<U+202A><U+202B><U+202C><U+202D><U+202E>'],
    ['bidi isolates', '\u2066\u2067\u2068\u2069', '<U+2066><U+2067><U+2068><U+2069>'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a<U+2028>b<U+2029>'],
  ])('%s', (_, stored, shown) => {
    expect(safeText(stored)).toBe(shown);
  });

  it('leaves ordinary text in any script as it is (the same string)', () => {
    for (const text of ['Ana Lee', 'José García', '山田太郎', 'שלום עולם', 'مرحبا', '👩‍💻 Ops', 'e\u0301', 'a\u00a0b', '']) {
      expect(safeText(text)).toBe(text);
    }
  });

  it('is idempotent, and its marks are one column each', () => {
    const once = safeText('\x1b]0;x\x07\r\x08\x7f');
    expect(safeText(once)).toBe(once);
    expect(displayWidth(once)).toBe([...once].length);
    expect(controlMark('\x1b')).toBe('␛');
  });

  it('names a lead on one safe line', () => {
    expect(nameToShow({ first_name: 'Ana\x1b[2J', last_name: null })).toBe('Ana␛[2J');
    expect(nameToShow({ first_name: null, last_name: null })).toBe('');
  });
});

describe('safeOutput: a whole rendered text', () => {
  it("keeps callq's colour codes and line breaks, marks any other control", () => {
    const c = new Chalk({ level: 1 });
    const text = `${c.bold('Ana')}\n${c.cyan('Acme')} \x1b]0;x\x07\r\x1b[2J`;
    expect(safeOutput(text)).toBe(`${c.bold('Ana')}\n${c.cyan('Acme')} ␛]0;x␇␍␛[2J`);
  });
});

describe('renderTable', () => {
  it('prints every cell as one safe line, aligned by its marks', () => {
    const table = renderTable(['name', 'note'], [['Ana\x1b[8m', 'a\nb'], ['Bo', '\u202eok']]);
    expect(table.split('\n')).toEqual(['name     note', '───────  ──────────', 'Ana␛[8m  a␊b', 'Bo       <U+202E>ok']);
  });
});
