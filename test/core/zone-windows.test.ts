import { describe, expect, it } from 'vitest';
import { computeWindows, hoursKey, openAt, windowsValid } from '../../src/core/zone-windows.js';
import { isOpen, type CallingHours } from '../../src/core/calling-window.js';

const HOURS: CallingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['11-26'] };
const FROM = new Date('2026-11-23T00:00:00Z'); // Monday

describe('stored calling windows', () => {
  it('list the open intervals of the week in UTC, skipping weekends and holidays', () => {
    const w = computeWindows(['America/New_York'], FROM, HOURS);
    expect(w.open).toEqual([
      ['2026-11-23T14:00:00.000Z', '2026-11-23T22:00:00.000Z'],
      ['2026-11-24T14:00:00.000Z', '2026-11-24T22:00:00.000Z'],
      ['2026-11-25T14:00:00.000Z', '2026-11-25T22:00:00.000Z'],
      ['2026-11-27T14:00:00.000Z', '2026-11-27T22:00:00.000Z'],
    ]);
    expect(w.until).toBe('2026-11-30T00:00:00.000Z');
  });

  it('for a number in two zones, only the overlap', () => {
    const w = computeWindows(['America/Chicago', 'America/Denver'], FROM, HOURS);
    expect(w.open[0]).toEqual(['2026-11-23T16:00:00.000Z', '2026-11-23T23:00:00.000Z']);
  });

  it('agree with the calling-window rules minute by minute', () => {
    const zones = ['Europe/London'];
    const w = computeWindows(zones, FROM, HOURS);
    for (let t = FROM.getTime(); t < Date.parse(w.until); t += 15 * 60_000) {
      expect(openAt(w, new Date(t)), new Date(t).toISOString()).toBe(isOpen(zones, new Date(t), HOURS));
    }
  });

  it('are valid only for their settings and their week', () => {
    const w = computeWindows(['America/New_York'], FROM, HOURS);
    expect(windowsValid(w, new Date('2026-11-25T12:00:00Z'), hoursKey(HOURS))).toBe(true);
    expect(windowsValid(w, new Date('2026-11-30T00:00:00Z'), hoursKey(HOURS))).toBe(false);
    expect(windowsValid(w, new Date('2026-11-22T23:59:00Z'), hoursKey(HOURS))).toBe(false);
    expect(windowsValid(w, new Date('2026-11-25T12:00:00Z'), hoursKey({ ...HOURS, end: '18:00' }))).toBe(false);
    expect(windowsValid(null, FROM, hoursKey(HOURS))).toBe(false);
  });
});
