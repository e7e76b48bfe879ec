// Which encoding a CSV file that is not valid UTF-8 is in, from its first bytes.
//
// Only reached when the bytes are not UTF-8 (a pure UTF-8 file never gets here). Two cases:
// - Mostly UTF-8: more valid multi-byte UTF-8 characters than invalid bytes (a UTF-8 file into
//   which one Windows-1252 'é' was pasted). It stays UTF-8: reading it all as Windows-1252 would
//   turn every good 'é' into 'Ã©'; the bad bytes become U+FFFD and the import names their lines.
// - Otherwise every candidate decodes the sample and is scored: a byte that reads as a letter
//   next to letters scores, a control character or a symbol inside a word costs, a word mixing
//   Latin and another script costs, and a word wholly in Cyrillic, Greek, kana, hangul or Han
//   scores, and a capital letter after a small one costs. The best wins; candidates scoring nearly as well that give different text are
//   returned too, so the import can say it was unsure and name --encoding.

/** Tried in this order; on equal scores the earlier wins (Windows-1252 is the most common). */
const SINGLE_BYTE = ['windows-1252', 'iso-8859-2', 'windows-1250', 'windows-1251', 'iso-8859-7', 'koi8-r'];
const MULTI_BYTE = ['shift_jis', 'euc-jp', 'gbk', 'big5', 'euc-kr'];

/** How much of the file is looked at. */
const SAMPLE_BYTES = 64 * 1024;

export interface DetectedEncoding {
  encoding: string;
  /** Other encodings that read the sample almost as well, and differently. */
  candidates: string[];
}

/** Valid multi-byte UTF-8 characters and bytes that are not part of one. */
export function utf8Balance(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    let ok = need > 0;
    let k = 1;
    for (; ok && k <= need && i + k < bytes.length; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    // A character cut off by the end of the sample is not evidence either way.
    if (ok && k <= need) break;
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

export function detectEncoding(head: Buffer): DetectedEncoding {
  const sample = head.subarray(0, SAMPLE_BYTES);
  const { valid, invalid } = utf8Balance(sample);
  if (valid > invalid) return { encoding: 'utf-8', candidates: [] };

  const scored: { encoding: string; score: number; text: string }[] = [];
  for (const encoding of [...SINGLE_BYTE, ...MULTI_BYTE]) {
    let text: string;
    try {
      text = encoding === 'windows-1252' ? decodeWindows1252(sample) : new TextDecoder(encoding, { fatal: true }).decode(trimCut(sample, encoding));
    } catch {
      continue;
    }
    scored.push({ encoding, score: plausibility(text, encoding), text });
  }
  let best = scored[0];
  for (const s of scored) if (s.score > best.score) best = s;
  const margin = Math.max(1, Math.abs(best.score) * 0.1);
  const candidates = scored.filter((s) => s !== best && s.score >= best.score - margin && s.text !== best.text).map((s) => s.encoding);
  return { encoding: best.encoding, candidates };
}

/** The sample without a multi-byte character the sample's end may have cut in two. */
function trimCut(sample: Uint8Array, encoding: string): Uint8Array {
  if (SINGLE_BYTE.includes(encoding)) return sample;
  let end = sample.length;
  while (end > 0 && end > sample.length - 2 && sample[end - 1] >= 0x80) end--;
  return sample.subarray(0, end);
}

const LATIN = /\p{Script=Latin}/u;
const OTHER_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{M}]+/gu;

/** How much the decoded sample looks like text (see the top of the file). */
export function plausibility(text: string, encoding: string): number {
  let score = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    const ch = text[i];
    if ((c >= 0x80 && c <= 0x9f) || (c >= 0xe000 && c <= 0xf8ff) || c === 0xfffd) score -= 5;
    else if (c >= 0xff61 && c <= 0xff9f) score -= 1; // half-width katakana: what Latin bytes read as in Shift_JIS
    else if (c >= 0x3040 && c <= 0x30ff) score += 6; // kana: Japanese (GB and Big5 bytes hardly ever read as kana)
    else if (/\p{L}/u.test(ch)) score += c >= 0x2e80 ? 2 : 1; // a CJK character stands for two bytes
    else if (/\p{L}/u.test(text[i - 1] ?? '') || /\p{L}/u.test(text[i + 1] ?? '')) score -= 1;
  }
  for (const [word] of text.matchAll(WORD)) {
    if (!/[^\x00-\x7f]/.test(word)) continue;
    // 'mÜller', 'аЛЕКСАНДР': a capital after a small letter is a sign of the wrong code page.
    if (/\p{Ll}\p{Lu}/u.test(word)) score -= 1;
    if (!OTHER_SCRIPT.test(word)) continue;
    if (/[A-Za-z]/.test(word) || (LATIN.test(word) && /[^\p{Script=Latin}]/u.test(word))) score -= 2;
    else if (word.length >= 3 && encoding !== 'windows-1252') score += 1;
  }
  return score;
}

// Windows-1252 differs from Latin-1 in 0x80–0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ);
// Node's TextDecoder('windows-1252') wrongly gives the C1 controls there. Undefined bytes stay C1.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((c) => String.fromCharCode(c));

export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  return /[\x80-\x9f]/.test(latin1) ? latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]) : latin1;
}
