import { describe, expect, it } from 'vitest';
import {
  byVolume,
  funnelRow,
  hoursGrid,
  isSmallSample,
  median,
  rate,
  reasonGroups,
  reasonLabel,
  repRows,
  type FunnelTally,
} from '../../src/core/reports.js';
import { parsePeriod } from '../../src/core/period.js';
import { UsageError } from '../../src/core/errors.js';
import { bar, barWidth, withBars } from '../../src/ui/chart.js';

describe('rates and medians', () => {
  it.each([
    [1, 4, 0.25],
    [0, 4, 0],
    [3, 0, null],
    [0, 0, null],
  ])('rate(%d, %d) = %s, never NaN or Infinity', (part, whole, expected) => {
    expect(rate(part, whole)).toBe(expected);
  });

  it.each([
    [0, false],
    [1, true],
    [19, true],
    [20, false],
  ])('a sample of %d is small: %s', (n, small) => {
    expect(isSmallSample(n)).toBe(small);
  });

  it.each([
    [[], null],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5, 5, 5, 1], 5],
    [[10, 1, 1, 1, 10, 10], 5.5],
    [[-3, 0, 3], 0],
  ])('median(%j) = %s', (values, expected) => {
    expect(median([...values])).toBe(expected);
    expect(median(Float64Array.from(values))).toBe(expected);
  });

  it('median agrees with sorting on many random inputs, duplicates included', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 2000; t++) {
      const values = Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * (t % 2 ? 5 : 1000)));
      const sorted = [...values].sort((a, b) => a - b);
      const n = sorted.length;
      const expected = n === 0 ? null : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      expect(median([...values])).toBe(expected);
    }
  });
});

describe('the period (--since / --until)', () => {
  const now = new Date('2026-11-18T20:00:00Z'); // Wednesday; 15:00 in New York, 05:00 Thursday in Tokyo

  it.each([
    ['today', 'UTC', '2026-11-18T00:00:00.000Z'],
    ['today', 'America/New_York', '2026-11-18T05:00:00.000Z'],
    ['today', 'Asia/Tokyo', '2026-11-18T15:00:00.000Z'],
    ['yesterday', 'UTC', '2026-11-17T00:00:00.000Z'],
    ['7d', 'UTC', '2026-11-11T20:00:00.000Z'],
    ['0d', 'UTC', '2026-11-18T20:00:00.000Z'],
    ['2026-11-01', 'UTC', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'], // still EDT at midnight on the 1st
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-11-01T09:00', 'America/Chicago', '2026-11-01T15:00:00.000Z'],
    ['2026-11-01T09:00Z', 'America/Chicago', '2026-11-01T09:00:00.000Z'],
    ['2026-11-01 09:00+0100', 'UTC', '2026-11-01T08:00:00.000Z'],
    ['2026-11-01T09:00:30-05:00', 'UTC', '2026-11-01T14:00:30.000Z'],
    [' TODAY ', 'UTC', '2026-11-18T00:00:00.000Z'],
    // As exports and --json write instants.
    ['2026-12-01T00:00:00.000Z', 'America/Chicago', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T09:30:15.5', 'UTC', '2026-12-01T09:30:15.500Z'],
  ])('%j in %s starts at %s', (text, zone, iso) => {
    expect(parsePeriod(text, undefined, now, zone).since?.toISOString()).toBe(iso);
    expect(parsePeriod(undefined, text, now, zone).until?.toISOString()).toBe(iso);
  });

  it('no flags: an open period', () => {
    expect(parsePeriod(undefined, undefined, now, 'UTC')).toEqual({ since: null, until: null });
  });

  it.each(['last week', '2026-13-01', '2026-02-30', '2026-11-01T25:00', '7', '-7d', 'd', ''])('refuses %j with the accepted forms', (text) => {
    expect(() => parsePeriod(text, undefined, now, 'UTC')).toThrow(UsageError);
    expect(() => parsePeriod(text, undefined, now, 'UTC')).toThrow(/Accepted forms: 'today'/);
  });

  it('refuses an empty period', () => {
    expect(() => parsePeriod('today', 'today', now, 'UTC')).toThrow(/not before --until/);
    expect(() => parsePeriod('2026-11-18', '2026-11-01', now, 'UTC')).toThrow(UsageError);
  });
});

const tally = (group: string | null, leads: number, over: Partial<FunnelTally> = {}): FunnelTally => ({
  group,
  leads,
  attempted: 0,
  contacted: 0,
  sales_ready: 0,
  disqualified: 0,
  exhausted: 0,
  do_not_call: 0,
  attempts_to_qualify: { value: null, n: 0 },
  seconds_to_first_call: { value: null, n: 0 },
  ...over,
});

describe('funnel rows', () => {
  it('rates over the right denominators, null where nothing was attempted or contacted', () => {
    const row = funnelRow(tally('webinar', 10, { attempted: 8, contacted: 4, sales_ready: 2, attempts_to_qualify: { value: 3, n: 2 } }));
    expect(row).toMatchObject({ contact_rate: 0.5, conversion: 0.2, conversion_of_contacted: 0.5, median_attempts_to_qualify: 3 });
    expect(funnelRow(tally('new-list', 5))).toMatchObject({ contact_rate: null, conversion: 0, conversion_of_contacted: null, median_seconds_to_first_call: null });
  });

  it('biggest first, ties by name, no group last among equals', () => {
    const rows = [tally(null, 3), tally('b', 3), tally('a', 3), tally('z', 9)];
    expect(byVolume(rows, (r) => r.leads).map((r) => r.group)).toEqual(['z', 'a', 'b', null]);
  });
});

describe('reasons', () => {
  it('labels: a disqualification by its reason, do-not-call and exhausted by their status', () => {
    expect(reasonLabel({ status: 'disqualified', reason: 'no-budget' })).toBe('no-budget');
    expect(reasonLabel({ status: 'disqualified', reason: null })).toBe('unspecified');
    expect(reasonLabel({ status: 'do-not-call', reason: 'no-budget' })).toBe('do-not-call');
    expect(reasonLabel({ status: 'exhausted', reason: null })).toBe('exhausted');
  });

  it('shares of the lost and of all leads per group, a group with nothing lost, and the total', () => {
    const { groups, total } = reasonGroups(
      new Map([
        ['webinar', 10],
        ['referral', 4],
      ]),
      [
        { group: 'webinar', status: 'disqualified', reason: 'no-budget', leads: 3 },
        { group: 'webinar', status: 'exhausted', reason: null, leads: 1 },
      ],
    );
    expect(groups).toEqual([
      {
        group: 'webinar',
        leads: 10,
        lost: 4,
        reasons: [
          { reason: 'no-budget', status: 'disqualified', leads: 3, share_of_lost: 0.75, share_of_leads: 0.3 },
          { reason: 'exhausted', status: 'exhausted', leads: 1, share_of_lost: 0.25, share_of_leads: 0.1 },
        ],
      },
      { group: 'referral', leads: 4, lost: 0, reasons: [] },
    ]);
    expect(total).toMatchObject({ group: null, leads: 14, lost: 4 });
  });
});

describe('rep rows', () => {
  it('contact rate and dials per active hour; a rep with no active hours gets no rate', () => {
    const { reps, total } = repRows([
      { rep: 'ben', dials: 10, contacts: 3, sales_ready: 1, talk_time_s: 600, active_hours: 4, dispositions: { 'no-answer': 7, qualified: 1, busy: 2 } },
      { rep: 'ana', dials: 30, contacts: 12, sales_ready: 2, talk_time_s: 1800, active_hours: 5, dispositions: { 'no-answer': 18, qualified: 2, 'not-interested': 10 } },
    ]);
    expect(reps.map((r) => [r.rep, r.contact_rate, r.dials_per_hour])).toEqual([
      ['ana', 0.4, 6],
      ['ben', 0.3, 2.5],
    ]);
    expect(total).toEqual({
      dials: 40, contacts: 15, sales_ready: 3, talk_time_s: 2400, active_hours: 9, contact_rate: 0.375, dials_per_hour: 40 / 9,
      dispositions: { 'no-answer': 25, 'not-interested': 10, qualified: 3, busy: 2 },
    });
    // Most frequent first.
    expect(Object.keys(total.dispositions)).toEqual(['no-answer', 'not-interested', 'qualified', 'busy']);
    expect(repRows([]).total).toMatchObject({ dials: 0, contact_rate: null, dials_per_hour: null });
  });
});

describe("hours grid: the lead's local weekday and hour", () => {
  const q = (iso: string) => Date.parse(iso) / 900_000;

  it('follows daylight saving time: 13:30Z is 09:30 in New York before Nov 1, 08:30 after', () => {
    const grid = hoursGrid([
      { zone: 'America/New_York', quarter: q('2026-10-30T13:30:00Z'), dials: 3, contacts: 1 }, // Fri, EDT
      { zone: 'America/New_York', quarter: q('2026-11-02T13:30:00Z'), dials: 2, contacts: 2 }, // Mon, EST
    ]);
    expect(grid.cells[5][9]).toEqual({ dials: 3, contacts: 1, contact_rate: 1 / 3 });
    expect(grid.cells[1][8]).toEqual({ dials: 2, contacts: 2, contact_rate: 1 });
    expect(grid.total).toEqual({ dials: 5, contacts: 3, contact_rate: 0.6 });
  });

  it('on the day of the change itself (Sunday 2026-11-01, 06:00Z) both sides are right', () => {
    const grid = hoursGrid([
      { zone: 'America/New_York', quarter: q('2026-11-01T05:45:00Z'), dials: 1, contacts: 0 }, // 01:45 EDT
      { zone: 'America/New_York', quarter: q('2026-11-01T06:00:00Z'), dials: 1, contacts: 0 }, // 01:00 EST
      { zone: 'America/New_York', quarter: q('2026-11-01T15:00:00Z'), dials: 1, contacts: 1 }, // 10:00 EST
    ]);
    expect(grid.cells[0][1].dials).toBe(2);
    expect(grid.cells[0][10].contacts).toBe(1);
  });

  it('half-hour zones: 04:15Z and 04:45Z are 09:45 and 10:15 in Kolkata', () => {
    const grid = hoursGrid([
      { zone: 'Asia/Kolkata', quarter: q('2026-11-17T04:15:00Z'), dials: 1, contacts: 0 },
      { zone: 'Asia/Kolkata', quarter: q('2026-11-17T04:45:00Z'), dials: 1, contacts: 1 },
    ]);
    expect(grid.cells[2][9].dials).toBe(1);
    expect(grid.cells[2][10].contacts).toBe(1);
  });

  it('unknown and unreadable zones are counted apart, not placed', () => {
    const grid = hoursGrid([
      { zone: null, quarter: q('2026-11-17T15:00:00Z'), dials: 4, contacts: 1 },
      { zone: 'Mars/Olympus', quarter: q('2026-11-17T15:00:00Z'), dials: 1, contacts: 0 },
    ]);
    expect(grid.unknown_zone).toEqual({ dials: 5, contacts: 1, contact_rate: 0.2 });
    expect(grid.total).toEqual({ dials: 0, contacts: 0, contact_rate: null });
    expect(grid.by_hour.every((h) => h.dials === 0)).toBe(true);
  });
});

describe('bar charts', () => {
  it.each([
    [1, 1, 4, '████'],
    [0.5, 1, 4, '██'],
    [1, 8, 1, '▏'],
    [3, 8, 1, '▍'],
    [0.01, 1, 4, '▏'], // anything above zero shows
    [2, 1, 3, '███'], // never past its width
    [0, 1, 4, ''],
    [null, 1, 4, ''],
    [1, 0, 4, ''],
  ])('bar(%s, %s, %s) = %j', (value, max, width, expected) => {
    expect(bar(value, max, width)).toBe(expected);
  });

  it('fits what is left of 80 columns, or draws none', () => {
    expect(barWidth(40, undefined, { max: 30 })).toBe(30);
    expect(barWidth(60, 80)).toBe(19);
    expect(barWidth(77, 80)).toBe(0);
    expect(barWidth(60, 120, { max: 100 })).toBe(59);
  });

  it('bars start after the widest row, none beside the header and rule', () => {
    expect(withBars('a  b\n─  ─\nx  1\nlonger  2', ['█', '██']).split('\n')).toEqual(['a  b', '─  ─', 'x  1      █', 'longer  2 ██']);
  });
});
