import { describe, expect, it, vi } from 'vitest';
import { chunkToWidth, displayWidth, truncateToWidth } from '../../src/ui/width.js';
import { pad, renderTable } from '../../src/ui/table.js';

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['Ana Smith', 9],
    ['José Hernández', 14], // precomposed accents
    ['Jose\u0301', 4], // e + combining acute: one column
    ['Zoë Ångström', 12],
    ['山田太郎', 8],
    ['山田 Taro', 9],
    ['김민준', 6], // Hangul syllables
    ['ｆｕｌｌ', 8], // fullwidth Latin
    ['Ｔ社', 4],
    ['😀', 2],
    ['👩‍💻', 2], // ZWJ sequence: one cluster, one picture
    ['👨‍👩‍👧‍👦 family', 9],
    ['🇫🇷', 2], // flag: two regional indicators
    ['🇯🇵🇫🇷', 4],
    ['❤️', 2], // text heart + emoji variation selector
    ['☎ call', 6], // text-style symbol stays one column
    ['1️⃣', 2], // keycap
    ['a\u200bb', 2], // zero-width space
    ['\u001b[1mbold\u001b[22m', 4], // colour codes take no room
    ['─'.repeat(5), 5],
    ['Владимир', 8],
  ])('%j is %i columns', (text, width) => expect(displayWidth(text)).toBe(width));

  it('measures ASCII, Latin, Cyrillic and the card\'s symbols without starting the grapheme segmenter (~25 ms)', async () => {
    vi.resetModules();
    const original = Intl.Segmenter;
    let built = 0;
    (Intl as { Segmenter: typeof original }).Segmenter = class extends original {
      constructor(...args: ConstructorParameters<typeof original>) {
        super(...args);
        built++;
      }
    };
    try {
      const fresh = await import('../../src/ui/width.js');
      for (const text of ['Ana Smith', 'José Hernández · Zoë', 'Владимир', '☎ +1 (212) 555-0142', '─'.repeat(78), 'callback — in 2h × 3']) fresh.displayWidth(text);
      expect(built).toBe(0);
      expect(fresh.displayWidth('山田')).toBe(4);
      expect(built).toBe(1);
    } finally {
      (Intl as { Segmenter: typeof original }).Segmenter = original;
    }
  });
});

describe('truncateToWidth', () => {
  it.each([
    ['Ana Smith', 20, 'Ana Smith'],
    ['Ana Smith', 5, 'Ana …'],
    ['山田太郎', 8, '山田太郎'],
    ['山田太郎', 7, '山田太…'],
    ['山田太郎', 6, '山田…'], // a wide character that does not fit is left out whole
    ['Jose\u0301 Garcia', 5, 'Jose\u0301…'], // the accent stays with its letter
    ['ab😀cd', 4, 'ab…'],
    ['ab😀cd', 5, 'ab😀…'],
    ['👩‍💻👩‍💻👩‍💻', 5, '👩‍💻👩‍💻…'], // never half a ZWJ sequence
    ['🇫🇷🇯🇵', 3, '🇫🇷…'], // never half a flag
    ['\u001b[1mlong bold text\u001b[22m', 6, 'long …'],
  ])('%j in %i columns → %j', (text, width, cut) => {
    const out = truncateToWidth(text, width);
    expect(out).toBe(cut);
    expect(displayWidth(out)).toBeLessThanOrEqual(width);
    expect(out.isWellFormed()).toBe(true); // no lone surrogate
  });
});

describe('chunkToWidth', () => {
  it.each([
    ['abcdefg', 3, ['abc', 'def', 'g']],
    ['山田太郎', 4, ['山田', '太郎']],
    ['山田太郎', 3, ['山', '田', '太', '郎']], // a wide character never straddles two pieces
    ['a山b', 2, ['a', '山', 'b']],
    ['👩‍💻👩‍💻x', 2, ['👩‍💻', '👩‍💻', 'x']],
    ['e\u0301e\u0301e\u0301', 2, ['e\u0301e\u0301', 'e\u0301']],
    ['', 5, []],
  ])('%j in pieces of %i columns → %j', (text, width, pieces) => expect(chunkToWidth(text, width)).toEqual(pieces));
});

describe('renderTable', () => {
  it('lines columns up by display width, not string length', () => {
    const out = renderTable(
      ['name', 'company', 'status'],
      [
        ['Ana Smith', 'Acme', 'new'],
        ['山田太郎', 'ヤマダ商事', 'new'],
        ['Jose\u0301 👩‍💻', 'Café 🇫🇷', 'working'],
      ],
    );
    const lines = out.split('\n');
    const statusColumn = displayWidth(lines[0].slice(0, lines[0].indexOf('status')));
    for (const line of [lines[2], lines[3], lines[4]]) {
      const before = line.slice(0, line.search(/(new|working)$/));
      expect(displayWidth(before)).toBe(statusColumn);
    }
    expect(displayWidth(lines[1])).toBe(displayWidth(pad(lines[0], displayWidth(lines[1]))));
  });

  it('truncates the last column by grapheme cluster with an ellipsis', () => {
    const out = renderTable(['id', 'note'], [['1', '山田太郎山田太郎山田太郎']], { width: 15 });
    const row = out.split('\n')[2];
    expect(row).toBe('1   山田太郎山…'); // the last column gets 15 - 4 = 11 columns
    expect(displayWidth(row)).toBeLessThanOrEqual(15);
  });

  it('cuts the columns it may shrink, widest first, until the table fits', () => {
    const cells = [['1', 'Maximiliane Östergaard-Lindqvist', 'Bretagne Agroalimentaire Coopérative SA', 'new', 'highest score among callable leads']];
    const headers = ['#', 'name', 'company', 'status', 'why'];
    const out = renderTable(headers, cells, { width: 60, shrink: [1, 2] });
    const lines = out.split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(lines[2]).toBe('1  Maximiliane Öste…  Bretagne Agroalim…  new     highest s…');
    // Without leave to shrink, only the last column is cut, and the table stays wider.
    expect(displayWidth(renderTable(headers, cells, { width: 60 }).split('\n')[2])).toBeGreaterThan(60);
    // A column is never cut below its header or 8 columns; then the last one is cut to its header.
    const narrow = renderTable(headers, cells, { width: 20, shrink: [1, 2] }).split('\n');
    expect(narrow[2]).toBe('1  Maximil…  Bretagn…  new     hi…');
  });

  it('leaves out the columns it may drop, in order, only while the table cannot fit otherwise', () => {
    const cells = [['1', 'Maximiliane Östergaard-Lindqvist', 'Bretagne Agroalimentaire Coopérative SA', 'new', 'Tue 10:00 New York', 'score']];
    const headers = ['#', 'name', 'company', 'status', 'lead time', 'why'];
    const options = { shrink: [1, 2], drop: [0, 3] };
    // Wide enough with both shrunk: nothing dropped.
    expect(renderTable(headers, cells, { ...options, width: 60 }).split('\n')[0]).toMatch(/^#\s+name\s+company\s+status\s+lead time\s+why$/);
    // 45 columns: the position goes first, then the status, and the rest fits on one line.
    const narrow = renderTable(headers, cells, { ...options, width: 45 }).split('\n');
    expect(narrow[0]).toMatch(/^name\s+company\s+lead time\s+why$/);
    expect(narrow[2]).toBe('Maximil…  Bretagn…  Tue 10:00 New York  score');
    for (const line of narrow) expect(displayWidth(line)).toBeLessThanOrEqual(45);
  });
});
