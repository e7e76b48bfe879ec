import { describe, expect, it } from 'vitest';
import { countOutcome, countSkip, dialsPerHour, newTally } from '../../src/core/session-tally.js';

const START = new Date('2026-11-24T14:00:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

describe('session tally', () => {
  it('counts dials, contacts, sales-ready and skips', () => {
    let t = newTally(START);
    t = countOutcome(t, { contact: false, status: 'working' });
    t = countOutcome(t, { contact: true, status: 'callback' });
    t = countOutcome(t, { contact: true, status: 'sales-ready' });
    t = countSkip(t);
    expect(t).toEqual({ startedAt: START, dials: 3, contacts: 2, salesReady: 1, skipped: 1 });
  });

  it.each([
    [0, 0, null],
    [3, 4.9, null], // too soon to say
    [3, 5, 36],
    [30, 60, 30],
    [45, 90, 30],
  ])('%i dials after %s minutes: %s an hour', (dials, minutes, rate) => {
    let t = newTally(START);
    for (let i = 0; i < dials; i++) t = countOutcome(t, { contact: false, status: 'working' });
    const got = dialsPerHour(t, at(minutes));
    if (rate === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(rate, 6);
  });
});
