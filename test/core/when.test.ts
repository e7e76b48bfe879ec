import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  WhenError,
  formatBothZones,
  formatDuration,
  formatInZone,
  parseDate,
  parseDuration,
  parseWhen,
} from '../../src/core/when.js';

// Monday 2026-11-23: 09:05 EST in New York, 15:05 CET in Berlin.
const NOW = new Date('2026-11-23T14:05:00Z');
const NY = 'America/New_York', BER = 'Europe/Berlin';
const iso = (d: Date) => d.toISOString().replace(':00.000Z', 'Z');

describe('parseWhen', () => {
  it.each([
    [NY, '2026-11-24 10:00', '2026-11-24T15:00Z'],
    [NY, '2026-11-24T10:00', '2026-11-24T15:00Z'],
    [NY, '2026-11-24 3pm', '2026-11-24T20:00Z'],
    [NY, '2026-11-24', '2026-11-24T14:00Z'],
    [NY, '2026-11-24T10:00:00Z', '2026-11-24T10:00Z'],
    [NY, '2026-11-24T10:00:00.000Z', '2026-11-24T10:00Z'],
    [NY, '2026-11-24T10:00+01:00', '2026-11-24T09:00Z'],
    [NY, '2026-11-24 10:00 -0500', '2026-11-24T15:00Z'],
    [NY, 'now', '2026-11-23T14:05Z'],
    [NY, 'today 15:30', '2026-11-23T20:30Z'],
    [NY, '  Today   3:30PM ', '2026-11-23T20:30Z'],
    [NY, 'tomorrow 10:00', '2026-11-24T15:00Z'],
    [NY, 'tomorrow 10am', '2026-11-24T15:00Z'],
    [NY, 'tomorrow 10', '2026-11-24T15:00Z'],
    [NY, 'Tomorrow at 2:30 pm', '2026-11-24T19:30Z'],
    [NY, 'tomorrow', '2026-11-24T14:00Z'],
    [NY, 'tomorrow noon', '2026-11-24T17:00Z'],
    [NY, 'in 2h', '2026-11-23T16:05Z'],
    [NY, 'in 90m', '2026-11-23T15:35Z'],
    [NY, 'in 1h30m', '2026-11-23T15:35Z'],
    [NY, 'in 1 hour 30 minutes', '2026-11-23T15:35Z'],
    [NY, 'in an hour', '2026-11-23T15:05Z'],
    [NY, 'in 3 days', '2026-11-26T14:05Z'],
    [NY, 'in 2 weeks', '2026-12-07T14:05Z'],
    [NY, 'mon 9:30', '2026-11-23T14:30Z'], // Monday 09:05 now: today is still ahead
    [NY, 'mon 9:00', '2026-11-30T14:00Z'], // already past today: next Monday
    [NY, 'monday 9:30am', '2026-11-23T14:30Z'],
    [NY, 'next monday', '2026-11-30T14:00Z'],
    [NY, 'next tuesday', '2026-11-24T14:00Z'],
    [NY, 'friday 2pm', '2026-11-27T19:00Z'],
    [NY, 'fri', '2026-11-27T14:00Z'],
    [NY, 'on thursday at 10:00', '2026-11-26T15:00Z'],
    [NY, '10:00', '2026-11-23T15:00Z'],
    [NY, '3pm', '2026-11-23T20:00Z'],
    [NY, '15:30', '2026-11-23T20:30Z'],
    [NY, 'at 4:15 p.m.', '2026-11-23T21:15Z'],
    [NY, '9:00', '2026-11-24T14:00Z'], // past today: tomorrow
    [NY, '8am', '2026-11-24T13:00Z'],
    [NY, 'noon', '2026-11-23T17:00Z'],
    [NY, '12am', '2026-11-24T05:00Z'],
    [NY, 'next week', '2026-11-30T14:00Z'],
    [NY, 'next week 10am', '2026-11-30T15:00Z'],
    [BER, '2026-11-24 10:00', '2026-11-24T09:00Z'],
    [BER, 'today 15:30', '2026-11-23T14:30Z'],
    [BER, 'tomorrow 10:00', '2026-11-24T09:00Z'],
    [BER, 'tomorrow', '2026-11-24T08:00Z'],
    [BER, 'in 2h', '2026-11-23T16:05Z'],
    [BER, '16:00', '2026-11-23T15:00Z'],
    [BER, '15:00', '2026-11-24T14:00Z'],
    [BER, 'noon', '2026-11-24T11:00Z'],
    [BER, 'mon 9:30', '2026-11-30T08:30Z'],
    [BER, 'next tuesday', '2026-11-24T08:00Z'],
    [BER, 'friday 2pm', '2026-11-27T13:00Z'],
    [BER, 'next week', '2026-11-30T08:00Z'],
  ])('%s: %j -> %s', (zone, text, expected) => {
    expect(iso(parseWhen(text, NOW, zone))).toBe(expected);
  });

  it.each([
    ['mon 9:30 said on a Monday at 08:00 means today', 'mon 9:30', '2026-11-23T13:00:00Z', '2026-11-23T14:30Z'],
    ['in 3 days keeps the wall time across fall back', 'in 3 days', '2026-10-30T14:00:00Z', '2026-11-02T15:00Z'],
    ['in 2h counts elapsed time across fall back', 'in 2h', '2026-11-01T05:00:00Z', '2026-11-01T07:00Z'],
    ['tomorrow 2:30 on spring forward: just after the gap', 'tomorrow 2:30', '2026-03-07T15:00:00Z', '2026-03-08T07:00Z'],
  ])('%s', (_why, text, now, expected) => {
    expect(iso(parseWhen(text, new Date(now), NY))).toBe(expected);
  });

  it.each([
    ['garbage', /Cannot read "garbage" as a time.*tomorrow 10am/],
    ['', /Cannot read/],
    ['yesterday', /Cannot read/],
    ['today', /Cannot read/],
    ['10', /Cannot read/],
    ['tomorrow 25:00', /Cannot read/],
    ['13pm', /Cannot read/],
    ['in 2 parsecs', /Cannot read/],
    ['next weekend', /Cannot read/],
    ['2026-02-30 10:00', /not a real date/],
    ['today 08:00', /"today 08:00" is in the past \(Mon 23 Nov 08:00 EST\)/],
    ['2026-11-20 10:00', /is in the past/],
    ['2026-11-23T14:00:00Z', /is in the past/],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseWhen(text, NOW, NY)).toThrow(WhenError);
    expect(() => parseWhen(text, NOW, NY)).toThrow(message);
  });

  it('is a usage error (exit 2)', () => {
    expect(() => parseWhen('garbage', NOW, NY)).toThrow(UsageError);
  });
});

describe('parseDate', () => {
  it.each([
    [NY, '2027-01-15', '2027-01-15T14:00Z'],
    [NY, 'in 3 months', '2027-02-23T14:00Z'],
    [NY, 'in 3m', '2027-02-23T14:00Z'],
    [NY, 'in 6 weeks', '2027-01-04T14:00Z'],
    [NY, 'in 10 days', '2026-12-03T14:00Z'],
    [NY, 'in 1 year', '2027-11-23T14:00Z'],
    [NY, 'next month', '2026-12-01T14:00Z'],
    [NY, 'next week', '2026-11-30T14:00Z'],
    [NY, 'next year', '2027-01-01T14:00Z'],
    [NY, 'tomorrow', '2026-11-24T14:00Z'],
    [NY, 'friday', '2026-11-27T14:00Z'],
    [NY, 'jan 15', '2027-01-15T14:00Z'],
    [NY, '15 jan', '2027-01-15T14:00Z'],
    [NY, '15th of January', '2027-01-15T14:00Z'],
    [NY, 'Jan 15, 2028', '2028-01-15T14:00Z'],
    [NY, '15 jan 2028', '2028-01-15T14:00Z'],
    [NY, 'dec 25', '2026-12-25T14:00Z'],
    [NY, 'nov 24', '2026-11-24T14:00Z'],
    [NY, 'nov 23', '2027-11-23T14:00Z'], // today's 09:00 has passed: next year
    [NY, 'march', '2027-03-01T14:00Z'],
    [NY, 'next march', '2027-03-01T14:00Z'],
    [NY, 'march 2028', '2028-03-01T14:00Z'],
    [NY, 'december', '2026-12-01T14:00Z'],
    [NY, 'november', '2027-11-01T13:00Z'], // EDT until 2027-11-07
    [NY, 'feb 29', '2028-02-29T14:00Z'],
    [BER, '2027-01-15', '2027-01-15T08:00Z'],
    [BER, 'next month', '2026-12-01T08:00Z'],
    [BER, 'jan 15', '2027-01-15T08:00Z'],
    [BER, 'in 3 months', '2027-02-23T08:00Z'],
    [BER, 'in 6 weeks', '2027-01-04T08:00Z'],
  ])('%s: %j -> %s', (zone, text, expected) => {
    expect(iso(parseDate(text, NOW, zone))).toBe(expected);
  });

  it('in 1 month from Jan 31 clamps to the end of February', () => {
    expect(iso(parseDate('in 1 month', new Date('2027-01-31T12:00:00Z'), NY))).toBe('2027-02-28T14:00Z');
  });

  it.each([
    ['someday', /Cannot read "someday" as a date.*jan 15/],
    ['', /Cannot read/],
    ['jan 32', /Cannot read/],
    ['in 2 hours', /Cannot read/],
    ['2026-13-01', /not a real date/],
    ['feb 30 2027', /not a real date/],
    ['2026-11-20', /is in the past/],
    ['today', /is in the past/],
    ['jan 15 2020', /is in the past/],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseDate(text, NOW, NY)).toThrow(WhenError);
    expect(() => parseDate(text, NOW, NY)).toThrow(message);
  });
});

describe('parseDuration', () => {
  it.each([
    ['3m20s', 200], ['90s', 90], ['2h', 7200], ['1h30m', 5400], ['1:30', 90], ['1:02:03', 3723], ['45', 45],
    [' 3m 20s ', 200], ['3 min', 180], ['1.5m', 90], ['0', 0], ['12:00', 720], ['1 hour 5 minutes', 3900],
  ])('%j -> %i s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'abc', '1:75', '1:60:00', '-5', '3x', 'm3', '1h 2parsecs', 'an hour', '1:2'])('%j is refused', (text) => {
    expect(() => parseDuration(text)).toThrow(WhenError);
    expect(() => parseDuration(text)).toThrow(/call duration.*3m20s/);
  });

  it.each(['99h', '8h1s', '30000'])('%j is longer than a call can be, and refused', (text) => {
    expect(() => parseDuration(text)).toThrow(/longer than 8 hours: not one call's length/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'], [45, '45s'], [60, '1m00s'], [185, '3m05s'], [200, '3m20s'], [3600, '1h00m'], [3720, '1h02m'], [7325, '2h02m'],
  ])('%i -> %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  it.each([200, 45, 185])('round-trips %i through parseDuration', (seconds) => {
    expect(parseDuration(formatDuration(seconds))).toBe(seconds);
  });

  it('refuses a negative duration', () => expect(() => formatDuration(-1)).toThrow(RangeError));
});

describe('formatInZone', () => {
  it.each([
    ['2026-11-24T15:00:00Z', NY, true, 'Tue 24 Nov 10:00 EST'],
    ['2026-11-24T15:00:00Z', NY, false, '10:00 EST'],
    ['2026-07-15T14:00:00Z', NY, true, 'Wed 15 Jul 10:00 EDT'],
    ['2026-11-24T15:00:00Z', BER, true, 'Tue 24 Nov 16:00 CET'],
    ['2026-07-15T14:00:00Z', BER, true, 'Wed 15 Jul 16:00 CEST'],
    ['2026-11-24T15:00:00Z', 'Europe/London', true, 'Tue 24 Nov 15:00 GMT'],
    ['2026-07-15T14:00:00Z', 'Europe/London', true, 'Wed 15 Jul 15:00 BST'],
    ['2026-11-24T15:00:00Z', 'Asia/Kolkata', true, 'Tue 24 Nov 20:30 IST'],
    ['2026-11-24T15:00:00Z', 'Australia/Sydney', true, 'Wed 25 Nov 02:00 AEDT'],
    ['2026-07-15T14:00:00Z', 'America/Phoenix', true, 'Wed 15 Jul 07:00 MST'],
    ['2026-11-24T15:00:00Z', 'UTC', true, 'Tue 24 Nov 15:00 UTC'],
    ['2026-11-24T15:00:00Z', 'America/Sao_Paulo', true, 'Tue 24 Nov 12:00 GMT-3'],
  ])('%s in %s (date %s) -> %s', (instant, zone, withDate, text) => {
    expect(formatInZone(new Date(instant), zone, { withDate })).toBe(text);
  });

  it('shows the date by default', () => {
    expect(formatInZone(new Date('2026-11-24T15:00:00Z'), NY)).toBe('Tue 24 Nov 10:00 EST');
  });
});

describe('formatBothZones', () => {
  it.each([
    ['2026-11-24T15:00:00Z', NY, BER, 'Tue 24 Nov 10:00 EST (lead) · 16:00 CET (you)'],
    ['2026-11-24T02:00:00Z', NY, BER, 'Mon 23 Nov 21:00 EST (lead) · Tue 24 Nov 03:00 CET (you)'],
    ['2026-11-24T15:00:00Z', NY, NY, 'Tue 24 Nov 10:00 EST'],
    ['2026-11-24T15:00:00Z', 'America/Phoenix', 'America/Denver', 'Tue 24 Nov 08:00 MST'], // same offset in winter
    ['2026-07-15T15:00:00Z', 'America/Phoenix', 'America/Denver', 'Wed 15 Jul 08:00 MST (lead) · 09:00 MDT (you)'],
  ])('%s lead %s viewer %s -> %s', (instant, lead, viewer, text) => {
    expect(formatBothZones(new Date(instant), lead, viewer)).toBe(text);
  });
});
