import { describe, expect, it } from 'vitest';
import { STATUSES, TRANSITIONS, assertTransition, canTransition, type LeadStatus } from '../../src/core/lifecycle.js';
import { UsageError } from '../../src/core/errors.js';

const allowed: [LeadStatus, LeadStatus][] = STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as [LeadStatus, LeadStatus]));

describe('life cycle', () => {
  it.each(allowed)('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each<[LeadStatus, LeadStatus]>([
    ['do-not-call', 'new'],
    ['do-not-call', 'working'],
    ['do-not-call', 'sales-ready'],
    ['disqualified', 'working'],
    ['disqualified', 'sales-ready'],
    ['exhausted', 'working'],
    ['handed-off', 'sales-ready'],
    ['handed-off', 'working'],
    ['sales-ready', 'working'],
    ['sales-ready', 'callback'],
    ['new', 'handed-off'],
    ['working', 'handed-off'],
    ['working', 'new'],
    ['callback', 'new'],
  ])('%s → %s is refused with exit 2', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to, 7)).toThrow(UsageError);
    expect(() => assertTransition(from, to, 7)).toThrow(new RegExp(`lead 7 from '${from}' to '${to}'`));
  });

  it('has an entry for every status and only known targets', () => {
    for (const from of STATUSES) for (const to of TRANSITIONS[from]) expect(STATUSES).toContain(to);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATUSES].sort());
  });

  it('nothing leaves do-not-call', () => {
    expect(TRANSITIONS['do-not-call']).toEqual([]);
  });
});
