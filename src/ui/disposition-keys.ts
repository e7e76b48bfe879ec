// One key per disposition for the rep's screen (callq work). The defaults are fixed so a rep's
// fingers learn them; dispositions the team adds get the first free letter of their name.
import type { Disposition } from '../core/dispositions.js';

/** Keys the session keeps for itself: skip, history, help, quit, note-first. */
export const SESSION_KEYS = { skip: 's', history: 'h', help: '?', quit: 'Q', noteFirst: '+' } as const;

const DEFAULT_KEYS: Readonly<Record<string, string>> = {
  'no-answer': 'n',
  busy: 'b',
  voicemail: 'v',
  gatekeeper: 'g',
  'bad-number': 'x',
  callback: 'c',
  nurture: 'u',
  'not-interested': 'i',
  disqualified: 'd',
  'do-not-call': 'D',
  qualified: 'q',
};

/** Extra keys that mean the same disposition (shown in help, not in the legend). */
const ALIASES: Readonly<Record<string, string>> = { '!': 'do-not-call' };

export interface DispositionKeys {
  /** Key → disposition, aliases included. */
  byKey: Map<string, Disposition>;
  /** Disposition name → the key shown on screen (absent when no key was free). */
  keyOf: Map<string, string>;
}

export function dispositionKeys(dispositions: readonly Disposition[]): DispositionKeys {
  const byKey = new Map<string, Disposition>();
  const keyOf = new Map<string, string>();
  const taken = new Set<string>([...Object.values(SESSION_KEYS), ...Object.keys(ALIASES)]);
  const assign = (d: Disposition, key: string) => {
    byKey.set(key, d);
    keyOf.set(d.name, key);
    taken.add(key);
  };
  // Defaults first, so a team-defined name never steals a key a rep already knows.
  for (const d of dispositions) {
    const key = DEFAULT_KEYS[d.name];
    if (key) assign(d, key);
  }
  for (const [alias, name] of Object.entries(ALIASES)) {
    const d = dispositions.find((x) => x.name === name);
    if (d) byKey.set(alias, d);
  }
  const spare = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
  for (const d of dispositions) {
    if (keyOf.has(d.name)) continue;
    const letters = [...d.name.toLowerCase()].filter((ch) => /[a-z0-9]/.test(ch));
    const key = [...letters, ...spare].find((ch) => !taken.has(ch) && !Object.values(DEFAULT_KEYS).includes(ch));
    if (key) assign(d, key);
  }
  return { byKey, keyOf };
}
