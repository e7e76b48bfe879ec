// Names for statements prepared once per connection, from their text: the few shapes a process
// sends are each hashed once, not on every claim or outcome.
import { createHash } from 'node:crypto';

const names = new Map<string, string>();

/** `prefix` followed by a hash of `sql`. */
export function statementName(prefix: string, sql: string): string {
  const key = prefix + '\0' + sql;
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= 64) names.clear();
    names.set(key, (name = `${prefix}${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`));
  }
  return name;
}
