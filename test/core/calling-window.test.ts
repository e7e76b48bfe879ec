import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addBusinessDays,
  describeHours,
  isOpen,
  isOpenIn,
  isValidZone,
  localParts,
  nearestAllowed,
  laterAllowed,
  nextOpen,
  startOfNextLocalDay,
  windowCloses,
  zonedTimeToUtc,
  type CallingHours,
} from '../../src/core/calling-window.js';

const WEEKDAYS: CallingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] };
const EVERY_DAY: CallingHours = { ...WEEKDAYS, days: [0, 1, 2, 3, 4, 5, 6] };
const WIDE: CallingHours = { ...EVERY_DAY, start: '06:00', end: '23:00' }; // wider than the law allows
const THANKSGIVING: CallingHours = { ...WEEKDAYS, holidays: ['2026-11-26'] };
const CHRISTMAS: CallingHours = { ...WEEKDAYS, holidays: ['12-25'] };

const NY = 'America/New_York', LA = 'America/Los_Angeles', CHI = 'America/Chicago', DEN = 'America/Denver';
const PHX = 'America/Phoenix', LON = 'Europe/London', KOL = 'Asia/Kolkata', SYD = 'Australia/Sydney';
const NAMES: Record<string, CallingHours> = { WEEKDAYS, EVERY_DAY, WIDE, THANKSGIVING, CHRISTMAS };

const iso = (d: Date | null) => (d ? d.toISOString().replace(':00.000Z', 'Z') : null);
const at = (s: string) => new Date(s);

describe('localParts', () => {
  it.each([
    [NY, '2026-11-23T14:05:07Z', { year: 2026, month: 11, day: 23, weekday: 1, hour: 9, minute: 5, second: 7, dateKey: '2026-11-23' }],
    [KOL, '2026-11-23T20:00:00Z', { year: 2026, month: 11, day: 24, weekday: 2, hour: 1, minute: 30, second: 0, dateKey: '2026-11-24' }],
    [SYD, '2026-11-23T14:05:00Z', { year: 2026, month: 11, day: 24, weekday: 2, hour: 1, minute: 5, second: 0, dateKey: '2026-11-24' }],
    [LON, '2026-07-15T23:30:00Z', { year: 2026, month: 7, day: 16, weekday: 4, hour: 0, minute: 30, second: 0, dateKey: '2026-07-16' }],
  ])('%s at %s', (zone, instant, parts) => {
    expect(localParts(at(instant), zone)).toEqual(parts);
  });
});

describe('isValidZone', () => {
  it.each([
    [NY, true], [KOL, true], ['UTC', true], ['Mars/Olympus_Mons', false], ['', false], ['EST-ish', false],
  ])('%s -> %s', (zone, valid) => expect(isValidZone(zone)).toBe(valid));
});

describe('isOpenIn: one zone', () => {
  it.each([
    // zone, hours, instant, open?, why
    [NY, 'WEEKDAYS', '2026-11-23T13:59:00Z', false, 'NY Mon 08:59 EST'],
    [NY, 'WEEKDAYS', '2026-11-23T14:00:00Z', true, 'NY Mon 09:00 EST'],
    [NY, 'WEEKDAYS', '2026-11-23T21:59:59Z', true, 'NY Mon 16:59:59'],
    [NY, 'WEEKDAYS', '2026-11-23T22:00:00Z', false, 'NY Mon 17:00 (end is exclusive)'],
    [NY, 'WEEKDAYS', '2026-07-15T13:00:00Z', true, 'NY Wed 09:00 EDT'],
    [NY, 'WEEKDAYS', '2026-07-15T12:59:00Z', false, 'NY Wed 08:59 EDT'],
    [LA, 'WEEKDAYS', '2026-11-23T16:59:00Z', false, 'LA Mon 08:59 PST'],
    [LA, 'WEEKDAYS', '2026-11-23T17:00:00Z', true, 'LA Mon 09:00 PST'],
    [LA, 'WEEKDAYS', '2026-11-24T00:30:00Z', true, 'LA Mon 16:30 PST (Tuesday in UTC)'],
    [CHI, 'WEEKDAYS', '2026-11-23T15:00:00Z', true, 'Chicago Mon 09:00 CST'],
    [CHI, 'WEEKDAYS', '2026-11-23T23:00:00Z', false, 'Chicago Mon 17:00 CST'],
    [NY, 'WEEKDAYS', '2026-11-28T15:00:00Z', false, 'NY Saturday 10:00'],
    [NY, 'WEEKDAYS', '2026-11-29T15:00:00Z', false, 'NY Sunday 10:00'],
    [NY, 'EVERY_DAY', '2026-11-29T15:00:00Z', true, 'NY Sunday 10:00 when Sundays are allowed'],
    // US spring forward 2026-03-08: 09:00 is EDT (13:00Z) that day, EST (14:00Z) the day before
    [NY, 'EVERY_DAY', '2026-03-07T13:30:00Z', false, 'Sat before spring forward 08:30 EST'],
    [NY, 'EVERY_DAY', '2026-03-07T14:00:00Z', true, 'Sat before spring forward 09:00 EST'],
    [NY, 'EVERY_DAY', '2026-03-08T12:59:00Z', false, 'spring forward day 08:59 EDT'],
    [NY, 'EVERY_DAY', '2026-03-08T13:00:00Z', true, 'spring forward day 09:00 EDT'],
    [NY, 'EVERY_DAY', '2026-03-08T20:59:00Z', true, 'spring forward day 16:59 EDT'],
    [NY, 'EVERY_DAY', '2026-03-08T21:00:00Z', false, 'spring forward day 17:00 EDT'],
    // US fall back 2026-11-01
    [NY, 'EVERY_DAY', '2026-10-31T13:00:00Z', true, 'Sat before fall back 09:00 EDT'],
    [NY, 'EVERY_DAY', '2026-11-01T13:30:00Z', false, 'fall back day 08:30 EST'],
    [NY, 'EVERY_DAY', '2026-11-01T14:00:00Z', true, 'fall back day 09:00 EST'],
    [NY, 'EVERY_DAY', '2026-11-01T22:00:00Z', false, 'fall back day 17:00 EST'],
    // Arizona keeps MST all year; Denver moves to MDT in summer
    [PHX, 'WEEKDAYS', '2026-07-15T15:30:00Z', false, 'Phoenix summer 08:30 MST'],
    [DEN, 'WEEKDAYS', '2026-07-15T15:30:00Z', true, 'Denver summer 09:30 MDT'],
    [PHX, 'WEEKDAYS', '2026-01-14T16:00:00Z', true, 'Phoenix winter 09:00 MST'],
    [DEN, 'WEEKDAYS', '2026-01-14T16:00:00Z', true, 'Denver winter 09:00 MST'],
    [LON, 'WEEKDAYS', '2026-11-23T08:59:00Z', false, 'London 08:59 GMT'],
    [LON, 'WEEKDAYS', '2026-11-23T09:00:00Z', true, 'London 09:00 GMT'],
    [LON, 'WEEKDAYS', '2026-07-15T08:00:00Z', true, 'London 09:00 BST'],
    [KOL, 'WEEKDAYS', '2026-11-23T03:29:00Z', false, 'Kolkata 08:59 IST'],
    [KOL, 'WEEKDAYS', '2026-11-23T03:30:00Z', true, 'Kolkata 09:00 IST (UTC+5:30)'],
    [KOL, 'WEEKDAYS', '2026-11-23T11:29:00Z', true, 'Kolkata 16:59 IST'],
    [KOL, 'WEEKDAYS', '2026-11-23T11:30:00Z', false, 'Kolkata 17:00 IST'],
    [SYD, 'WEEKDAYS', '2026-11-22T21:59:00Z', false, 'Sydney Mon 08:59 AEDT'],
    [SYD, 'WEEKDAYS', '2026-11-22T22:00:00Z', true, 'Sydney Mon 09:00 AEDT (southern summer, UTC+11)'],
    [SYD, 'WEEKDAYS', '2026-07-14T23:00:00Z', true, 'Sydney Wed 09:00 AEST (southern winter, UTC+10)'],
    [SYD, 'WEEKDAYS', '2026-07-14T22:59:00Z', false, 'Sydney Wed 08:59 AEST'],
    [NY, 'THANKSGIVING', '2026-11-26T15:00:00Z', false, 'one-off holiday YYYY-MM-DD'],
    [NY, 'THANKSGIVING', '2026-11-25T15:00:00Z', true, 'the day before the holiday'],
    [NY, 'CHRISTMAS', '2026-12-25T15:00:00Z', false, 'yearly holiday MM-DD'],
    [NY, 'CHRISTMAS', '2026-12-24T15:00:00Z', true, 'the day before the yearly holiday'],
    [KOL, 'CHRISTMAS', '2026-12-24T20:00:00Z', false, 'holiday judged by local date (already the 25th in Kolkata)'],
    // the legal limit: a 06:00–23:00 setting still only opens 08:00–21:00
    [NY, 'WIDE', '2026-11-23T12:30:00Z', false, 'wide hours 07:30 local'],
    [NY, 'WIDE', '2026-11-23T13:00:00Z', true, 'wide hours 08:00 local'],
    [NY, 'WIDE', '2026-11-24T01:59:00Z', true, 'wide hours 20:59 local'],
    [NY, 'WIDE', '2026-11-24T02:00:00Z', false, 'wide hours 21:00 local'],
    [NY, 'WIDE', '2026-11-24T03:00:00Z', false, 'wide hours 22:00 local'],
  ])('%s %s %s -> %s (%s)', (zone, hours, instant, open) => {
    expect(isOpenIn(zone, at(instant), NAMES[hours])).toBe(open);
  });
});

describe('isOpen: a number in several zones must be inside hours in all', () => {
  it.each([
    [[CHI, DEN], '2026-11-23T15:30:00Z', false, 'Chicago 09:30 but Denver 08:30'],
    [[CHI, DEN], '2026-11-23T16:00:00Z', true, 'both open'],
    [[CHI, DEN], '2026-11-23T22:59:00Z', true, 'Chicago 16:59, Denver 15:59'],
    [[CHI, DEN], '2026-11-23T23:00:00Z', false, 'Chicago closed'],
    [[NY], '2026-11-23T14:00:00Z', true, 'single zone'],
    [[], '2026-11-23T16:00:00Z', false, 'no zone known'],
  ])('%j at %s -> %s (%s)', (zones, instant, open) => {
    expect(isOpen(zones, at(instant), WEEKDAYS)).toBe(open);
  });
});

describe('nextOpen', () => {
  it.each([
    [[NY], 'WEEKDAYS', '2026-11-27T22:30:00Z', '2026-11-30T14:00Z', 'Friday 17:30 NY -> Monday 09:00 NY'],
    [[NY], 'WEEKDAYS', '2026-11-23T15:00:00Z', '2026-11-23T15:00Z', 'already open: itself'],
    [[NY], 'WEEKDAYS', '2026-11-23T13:00:00Z', '2026-11-23T14:00Z', 'Monday 08:00 -> 09:00'],
    [[NY], 'THANKSGIVING', '2026-11-25T22:30:00Z', '2026-11-27T14:00Z', 'skips the holiday'],
    [[CHI, DEN], 'WEEKDAYS', '2026-11-23T15:00:00Z', '2026-11-23T16:00Z', 'waits for the later zone'],
    [[CHI, DEN], 'WEEKDAYS', '2026-11-27T23:30:00Z', '2026-11-30T16:00Z', 'two zones over a weekend'],
    [[NY], 'EVERY_DAY', '2026-03-07T22:00:00Z', '2026-03-08T13:00Z', 'into spring forward: 09:00 EDT'],
    [[NY], 'EVERY_DAY', '2026-10-31T22:00:00Z', '2026-11-01T14:00Z', 'into fall back: 09:00 EST'],
    [[KOL], 'WEEKDAYS', '2026-11-23T12:00:00Z', '2026-11-24T03:30Z', 'Kolkata 17:30 -> next 09:00 IST'],
    [[SYD], 'WEEKDAYS', '2026-11-27T07:00:00Z', '2026-11-29T22:00Z', 'Sydney Friday evening -> Monday 09:00 AEDT'],
    [[NY], 'WIDE', '2026-11-24T02:30:00Z', '2026-11-24T13:00Z', 'hard limit: 08:00, not 06:00'],
    [[KOL, LA], 'WEEKDAYS', '2026-11-23T00:00:00Z', null, 'windows never overlap (Kolkata and Los Angeles)'],
    [['Asia/Tokyo', LA], 'WEEKDAYS', '2026-11-23T02:00:00Z', '2026-11-24T00:00Z', 'Tokyo 09:00 Tue = LA 16:00 Mon: an hour of overlap'],
    [[NY], 'NONE', '2026-11-23T00:00:00Z', null, 'no calling days'],
    [[], 'WEEKDAYS', '2026-11-23T00:00:00Z', null, 'no zone'],
  ])('%j %s from %s -> %s (%s)', (zones, hours, from, expected, _what) => {
    const rules = hours === 'NONE' ? { ...WEEKDAYS, days: [] } : NAMES[hours];
    expect(iso(nextOpen(zones, at(from), rules))).toBe(expected);
  });
});

describe('nextOpen agrees with a brute-force scan', () => {
  const QUARTER = 15 * 60_000;
  const zoneSets = [[NY], [KOL], [SYD], ['Asia/Kathmandu'], ['Australia/Adelaide'], [CHI, DEN], [LON, NY], [PHX, DEN, LA]];
  it('finds the first open quarter-hour and nothing open before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z') / QUARTER, max: Date.parse('2027-12-31T00:00:00Z') / QUARTER }),
        fc.constantFrom(...zoneSets),
        fc.constantFrom(WEEKDAYS, EVERY_DAY, WIDE, CHRISTMAS),
        (quarter, zones, hours) => {
          const from = new Date(quarter * QUARTER);
          const found = nextOpen(zones, from, hours);
          const limit = found ? found.getTime() : from.getTime() + 8 * 86_400_000;
          for (let t = from.getTime(); t < limit; t += QUARTER) expect(isOpen(zones, new Date(t), hours)).toBe(false);
          if (found) expect(isOpen(zones, found, hours)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('windowCloses', () => {
  it.each([
    [[NY], 'WEEKDAYS', '2026-11-23T15:00:00Z', '2026-11-23T22:00Z'],
    [[CHI, DEN], 'WEEKDAYS', '2026-11-23T17:00:00Z', '2026-11-23T23:00Z'],
    [[NY], 'WIDE', '2026-11-23T20:00:00Z', '2026-11-24T02:00Z'],
    [[KOL], 'WEEKDAYS', '2026-11-23T05:00:00Z', '2026-11-23T11:30Z'],
    [[NY], 'WEEKDAYS', '2026-11-23T23:00:00Z', null],
  ])('%j %s at %s -> %s', (zones, hours, instant, expected) => {
    expect(iso(windowCloses(zones, at(instant), NAMES[hours]))).toBe(expected);
  });
});

describe('zonedTimeToUtc', () => {
  it.each([
    [NY, '2026-11-24 10:00', '2026-11-24T15:00Z', 'EST'],
    [NY, '2026-07-15 10:00', '2026-07-15T14:00Z', 'EDT'],
    [NY, '2026-03-08 01:59', '2026-03-08T06:59Z', 'just before the gap'],
    [NY, '2026-03-08 02:30', '2026-03-08T07:00Z', 'inside the gap: the instant just after it'],
    [NY, '2026-03-08 03:00', '2026-03-08T07:00Z', 'just after the gap'],
    [NY, '2026-11-01 01:30', '2026-11-01T05:30Z', 'ambiguous: the earlier (EDT) instant'],
    [NY, '2026-11-01 02:00', '2026-11-01T07:00Z', 'after the repeat'],
    [LON, '2026-03-29 01:30', '2026-03-29T01:00Z', 'London gap'],
    [LON, '2026-10-25 01:30', '2026-10-25T00:30Z', 'London ambiguous: BST'],
    [KOL, '2026-11-24 09:00', '2026-11-24T03:30Z', 'half-hour offset'],
    [SYD, '2026-04-05 02:30', '2026-04-04T15:30Z', 'Sydney ambiguous: AEDT'],
    [SYD, '2026-10-04 02:30', '2026-10-03T16:00Z', 'Sydney gap'],
    [SYD, '2026-11-24 09:00', '2026-11-23T22:00Z', 'Sydney summer'],
  ])('%s %s -> %s (%s)', (zone, local, expected) => {
    const [, y, mo, d, h, mi] = /^(\d+)-(\d+)-(\d+) (\d+):(\d+)$/.exec(local)!.map(Number);
    expect(iso(zonedTimeToUtc({ year: y, month: mo, day: d, hour: h, minute: mi }, zone))).toBe(expected);
  });

  it('keeps seconds', () => {
    const d = zonedTimeToUtc({ year: 2026, month: 11, day: 24, hour: 10, minute: 0, second: 30 }, NY);
    expect(d.toISOString()).toBe('2026-11-24T15:00:30.000Z');
  });

  it('round-trips any instant through its local wall time', () => {
    const zones = [NY, LA, LON, KOL, SYD, PHX, 'Asia/Tokyo', 'Pacific/Chatham', 'America/St_Johns'];
    fc.assert(
      fc.property(fc.integer({ min: 1_577_836_800, max: 1_893_456_000 }), fc.constantFrom(...zones), (seconds, zone) => {
        const p = localParts(new Date(seconds * 1000), zone);
        const back = zonedTimeToUtc(p, zone);
        expect(localParts(back, zone)).toEqual(p);
      }),
    );
  });
});

describe('startOfNextLocalDay', () => {
  it.each([
    [NY, '2026-11-23T15:00:00Z', '2026-11-24T05:00Z'],
    [NY, '2026-11-24T04:30:00Z', '2026-11-24T05:00Z'],
    [NY, '2026-10-31T15:00:00Z', '2026-11-01T04:00Z'],
    [NY, '2026-11-01T12:00:00Z', '2026-11-02T05:00Z'],
    [KOL, '2026-11-23T20:00:00Z', '2026-11-24T18:30Z'],
    [SYD, '2026-11-23T12:00:00Z', '2026-11-23T13:00Z'],
  ])('%s after %s -> %s', (zone, instant, expected) => {
    expect(iso(startOfNextLocalDay(zone, at(instant)))).toBe(expected);
  });
});

describe('addBusinessDays', () => {
  const BOTH_OFF: CallingHours = { ...WEEKDAYS, holidays: ['2026-11-26', '11-27'] };
  it.each([
    [NY, WEEKDAYS, '2026-11-27T20:00:00Z', 1, '2026-11-30T20:00Z', 'Friday -> Monday'],
    [NY, THANKSGIVING, '2026-11-25T20:00:00Z', 1, '2026-11-27T20:00Z', 'over a holiday'],
    [NY, BOTH_OFF, '2026-11-25T20:00:00Z', 1, '2026-11-30T20:00Z', 'over two holidays and a weekend'],
    [NY, WEEKDAYS, '2026-11-23T20:00:00Z', 5, '2026-11-30T20:00Z', 'a working week'],
    [NY, WEEKDAYS, '2026-11-28T15:00:00Z', 1, '2026-11-30T15:00Z', 'from a Saturday'],
    [NY, WEEKDAYS, '2026-10-30T14:00:00Z', 1, '2026-11-02T15:00Z', 'same wall time across fall back'],
    [SYD, WEEKDAYS, '2026-11-27T05:00:00Z', 1, '2026-11-30T05:00Z', 'Sydney Friday 16:00 -> Monday'],
    [NY, WEEKDAYS, '2026-11-23T20:00:00Z', 0, '2026-11-23T20:00Z', 'zero days'],
    [NY, { ...WEEKDAYS, days: [] }, '2026-11-23T20:00:00Z', 2, '2026-11-25T20:00Z', 'no calling days: plain days'],
  ])('%s %#: %s', (zone, hours, from, n, expected) => {
    expect(iso(addBusinessDays(zone, at(from), n, hours))).toBe(expected);
  });

  it('refuses a negative count', () => {
    expect(() => addBusinessDays(NY, at('2026-11-23T20:00:00Z'), -1, WEEKDAYS)).toThrow(RangeError);
  });
});

describe('nearestAllowed', () => {
  it.each([
    [[NY], '2026-11-23T23:00:00Z', undefined, '2026-11-23T21:59Z', '18:00 -> 16:59 the same day'],
    [[NY], '2026-11-23T13:30:00Z', undefined, '2026-11-23T14:00Z', '08:30 -> 09:00'],
    [[NY], '2026-11-23T15:00:00Z', undefined, '2026-11-23T15:00Z', 'already allowed'],
    [[NY], '2026-11-23T23:00:00Z', '2026-11-23T22:30:00Z', '2026-11-24T14:00Z', 'never before notBefore'],
    [[NY], '2026-11-28T15:00:00Z', undefined, '2026-11-27T21:59Z', 'Saturday morning: Friday is nearer'],
    [[NY], '2026-11-28T15:00:00Z', '2026-11-28T12:00:00Z', '2026-11-30T14:00Z', 'Saturday, not before now: Monday'],
    [[NY], '2026-11-23T10:00:00Z', '2026-11-23T15:30:00Z', '2026-11-23T15:30Z', 'asked before now: from now'],
    [[CHI, DEN], '2026-11-23T15:30:00Z', undefined, '2026-11-23T16:00Z', 'two zones: the overlap opens'],
    [[CHI, DEN], '2026-11-23T23:10:00Z', undefined, '2026-11-23T22:59Z', 'two zones: the overlap just closed'],
    [[], '2026-11-23T15:00:00Z', undefined, null, 'no zone'],
  ])('%j %s notBefore %s -> %s (%s)', (zones, instant, notBefore, expected, _what) => {
    const floor = notBefore === undefined ? undefined : at(notBefore);
    expect(iso(nearestAllowed(zones, at(instant), WEEKDAYS, floor))).toBe(expected);
  });
});

describe('laterAllowed', () => {
  it.each([
    [[NY], '2026-11-23T23:55:00Z', '2026-11-24T14:00Z', "'in 2h' at 16:55 asks 18:55: nearest 16:59, first after it Tuesday 09:00"],
    [[NY], '2026-11-28T15:00:00Z', '2026-11-30T14:00Z', 'Saturday morning: nearest Friday, first after it Monday'],
    [[NY], '2026-11-23T13:30:00Z', null, 'nearest is already later'],
    [[CHI, DEN], '2026-11-23T23:10:00Z', '2026-11-24T16:00Z', 'two zones: the overlap opens the next day'],
  ])('%j %s -> %s (%s)', (zones, instant, expected, _what) => {
    const asked = at(instant);
    expect(iso(laterAllowed(zones, asked, nearestAllowed(zones, asked, WEEKDAYS), WEEKDAYS))).toBe(expected);
  });
});

describe('describeHours', () => {
  it.each([
    [WEEKDAYS, 'Mon–Fri 09:00–17:00 local'],
    [{ ...EVERY_DAY, start: '08:00', end: '20:00' }, 'every day 08:00–20:00 local'],
    [{ ...WEEKDAYS, start: '06:00', end: '23:00' }, 'Mon–Fri 08:00–21:00 local (limited by law to 08:00–21:00)'],
    [{ ...WEEKDAYS, days: [1, 3, 5] }, 'Mon, Wed, Fri 09:00–17:00 local'],
    [{ ...WEEKDAYS, days: [6, 0] }, 'Sat–Sun 09:00–17:00 local'],
    [{ ...WEEKDAYS, holidays: ['12-25', '2026-11-26'] }, 'Mon–Fri 09:00–17:00 local, except 12-25, 2026-11-26'],
    [{ ...WEEKDAYS, days: [] }, 'no calling hours (no days, or start is not before end)'],
  ])('%j -> %s', (hours, text) => expect(describeHours(hours)).toBe(text));
});
