// Stored text made safe to print (docs/design.md, "Lead data never drives the terminal"). Names,
// companies, notes, custom fields and file names come from vendors' files and reps' notes, and may
// hold terminal control sequences (ESC ] 0;… BEL sets the window title, ESC [2J clears the screen,
// a bare CR or backspaces overwrite what was printed) or bidi overrides that reverse text on
// screen. Every such character is printed as a visible mark instead: the control picture Unicode
// has for it (␛ ␇ ␈ ␍ ␊ ␉ ␡, U+2400–U+2421), and for those without one (C1 controls U+0080–U+009F,
// line and paragraph separators, bidi embeddings, overrides and isolates) its code point, <U+202E>.
// The stored value is never changed: JSON keeps it exactly, CSV exports keep its bytes.
// Cheap on purpose: one regex test, and nothing is replaced in text that holds none.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// callq's own colours (chalk's SGR sequences) are kept in whole rendered texts, with line breaks.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_OUTPUT = /\x1b\[[0-9;]*m|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The visible mark of one unsafe character: ␛ for ESC, <U+202E> for a right-to-left override. */
export function controlMark(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** `text` as one visible line: every control character (line breaks and tabs too) and bidi control marked. */
export function safeText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, controlMark) : text;
}

/** A stored value that may be null, for a line: '' for null. */
export function safeValue(text: string | null | undefined): string {
  return text == null ? '' : safeText(String(text));
}

/**
 * A whole rendered text about to be written (output.ts, the work screen): its line breaks and
 * colour codes kept, any other control marked. The last guard for a value a view forgot; values
 * are made safe where they are laid out, since an SGR sequence in a value (ESC [8m hides text)
 * cannot be told from callq's own colours here.
 */
export function safeOutput(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_IN_OUTPUT, (m) => (m.length > 1 ? m : controlMark(m))) : text;
}
