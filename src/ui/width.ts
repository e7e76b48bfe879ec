// How many terminal columns a string takes. Names come from CSV files in any script: 山田太郎 takes
// 8 columns, "é" written as e + U+0301 takes 1, 👩‍💻 and 🇫🇷 take 2. String length gets all of
// these wrong and slicing can split a surrogate pair, so tables and the card measure and cut
// here, by grapheme cluster (Intl.Segmenter). The segmenter costs ~25 ms to start (ICU data), so
// text made only of characters that are one column each and never combine (ASCII, Latin,
// Greek, Cyrillic, the card's punctuation, rules and ☎, the control pictures safe-text.ts prints),
// nearly every cell, is measured by counting code points, and `callq next` never builds it.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
// One column each, and none of them joins a neighbour into a cluster (no combining marks, joiners
// or variation selectors; U+00AD, the soft hyphen, is left out).
const SIMPLE = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2400-\u2426\u2500-\u259f\u2600-\u2613]*$/;

let segmenter: Intl.Segmenter | undefined;
const graphemes = (text: string): Iterable<Intl.SegmentData> => (segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' })).segment(text);

/** Columns `text` takes on a terminal, colour codes aside. */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text;
  if (SIMPLE.test(plain)) return plain.length; // no surrogate pairs in SIMPLE: one unit, one column
  let width = 0;
  for (const { segment } of graphemes(plain)) width += clusterWidth(segment);
  return width;
}

/** `text` cut to at most `width` columns, whole grapheme clusters only, ending in '…' when cut (colour codes are dropped then). */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const plain = text.replace(ANSI, '');
  const room = Math.max(0, width - 1);
  if (SIMPLE.test(plain)) return plain.slice(0, room) + '…';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes(plain)) {
    const w = clusterWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/** `text` in pieces of at most `width` columns each, cut between grapheme clusters: for wrapping text without spaces. */
export function chunkToWidth(text: string, width: number): string[] {
  const plain = text.replace(ANSI, '');
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  const clusters = SIMPLE.test(plain) ? plain.split('') : Array.from(graphemes(plain), (g) => g.segment);
  for (const cluster of clusters) {
    const w = clusterWidth(cluster);
    if (piece && used + w > width) {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += cluster;
    used += w;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

// Emoji drawn as pictures (2 columns): Emoji_Presentation characters, anything followed by the
// emoji variation selector U+FE0F, ZWJ sequences, flags (a pair of regional indicators), and
// keycaps. Text-style symbols such as ☎ (no U+FE0F) stay 1 column, as terminals draw them.
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const REGIONAL_INDICATOR = /\p{Regional_Indicator}/u;
// Combining marks, format characters (zero-width space, joiners, soft hyphen) and controls alone take no column.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;

function clusterWidth(cluster: string): number {
  if (ZERO_WIDTH.test(cluster)) return 0;
  const first = cluster.codePointAt(0)!;
  if (cluster.length > 1) {
    if (cluster.includes('\ufe0f') || cluster.includes('\u20e3')) return 2;
    if (cluster.includes('\u200d') && PICTOGRAPHIC.test(cluster)) return 2;
    if (REGIONAL_INDICATOR.test(cluster)) return cluster.length >= 4 ? 2 : 1;
  }
  if (first < 0x1100) return 1;
  if (EMOJI_PRESENTATION.test(String.fromCodePoint(first))) return 2;
  return isWide(first) ? 2 : 1;
}

// East Asian Wide (W) and Fullwidth (F) blocks of Unicode's EastAsianWidth.txt (the emoji among
// them are caught by Emoji_Presentation above): Hangul, CJK, kana, Yi, fullwidth forms.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, enclosed CJK, CJK compatibility
  [0x3400, 0x4dbf], // CJK unified ideographs extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth ASCII forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x17000, 0x18cff], // Tangut, Khitan
  [0x1b000, 0x1b2ff], // kana supplement and extensions, Nüshu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK extensions B–F, compatibility supplement
  [0x30000, 0x3fffd], // CJK extensions G–H
];

function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (codePoint < WIDE[mid][0]) hi = mid - 1;
    else if (codePoint > WIDE[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}
