import { describe, expect, it } from 'vitest';
import { DEFAULT_DISPOSITIONS, type Disposition } from '../../src/core/dispositions.js';
import { dispositionKeys, SESSION_KEYS } from '../../src/ui/disposition-keys.js';

const keysOf = (list: readonly Disposition[]) => Object.fromEntries(dispositionKeys(list).keyOf);

describe('disposition keys', () => {
  it('gives every default disposition its fixed key, and ! as a second do-not-call key', () => {
    expect(keysOf(DEFAULT_DISPOSITIONS)).toEqual({
      'no-answer': 'n', busy: 'b', voicemail: 'v', gatekeeper: 'g', 'bad-number': 'x', callback: 'c',
      nurture: 'u', 'not-interested': 'i', disqualified: 'd', 'do-not-call': 'D', qualified: 'q',
    });
    expect(dispositionKeys(DEFAULT_DISPOSITIONS).byKey.get('!')?.name).toBe('do-not-call');
  });

  it('gives team-defined dispositions the first free letter of their name, never a session or default key', () => {
    const team: Disposition[] = [
      ...DEFAULT_DISPOSITIONS,
      { name: 'sent-info', kind: 'nurture', contact: true }, // s is skip: e
      { name: 'hung-up', kind: 'retry', contact: true }, // h is history, u nurture: n taken → g taken → p
      { name: 'voicemail-full', kind: 'retry', contact: false }, // v, o? o is free
    ];
    const keys = keysOf(team);
    expect(keys['sent-info']).toBe('e');
    expect(keys['hung-up']).toBe('p');
    expect(keys['voicemail-full']).toBe('o');
    const all = Object.values(keys);
    expect(new Set(all).size).toBe(all.length);
    for (const k of Object.values(SESSION_KEYS)) expect(all).not.toContain(k);
  });

  it('leaves a default key unused when the team turned that disposition off', () => {
    const withoutBusy = DEFAULT_DISPOSITIONS.filter((d) => d.name !== 'busy');
    const keys = dispositionKeys([...withoutBusy, { name: 'bounced', kind: 'retry', contact: false }]);
    expect(keys.byKey.has('b')).toBe(false);
    expect(keys.keyOf.get('bounced')).toBe('o');
  });
});
