// Statements built in JS: their parameters (statementParams), and names for statements prepared
// once per connection, from their text: the few shapes a process sends are each hashed once,
// not on every claim or outcome. The hash is two 32-bit FNV-1a lanes rather than a digest from
// node:crypto, which a rep's command would load for it alone (docs/design.md, "Start-up of the
// rep's commands"); a name only tells apart the few dozen shapes one connection prepares.
const names = new Map<string, string>();

/** 64 bits of `text` as 16 hex digits: FNV-1a with two different offset bases and a final mix. */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

/** `prefix` followed by a hash of `sql`. */
export function statementName(prefix: string, sql: string): string {
  const key = prefix + '\0' + sql;
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= 64) names.clear();
    names.set(key, (name = `${prefix}${hash64(sql)}`));
  }
  return name;
}

/** A parameter list for one statement: `v(value)` adds a value and returns its placeholder ($1, $2 …). */
export function statementParams(): { values: unknown[]; v: (value: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    v: (value) => {
      values.push(value);
      return `$${values.length}`;
    },
  };
}
