// `callq report` on both stores: the fixture call history (test/fixtures/reports/history.json),
// logged once through the binary on SQLite and copied row for row into each store. Every expected
// figure is worked out by hand below, and the two stores give the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callq, initDb, json, type RunResult } from '../helpers.js';
import { logReportHistory } from '../report-history.js';
import { newTestStore, STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { seededHistory } from './seed-from-sqlite.js';

const NOW = '2026-11-18T20:00:00Z';

const seeded = seededHistory(logReportHistory, 180_000);

/** A store holding the history, and `callq report` run on it (`columns`: the terminal's width). */
async function storeOf(kind: TestStoreKind, columns?: string): Promise<{ store: TestStore; report: (...args: string[]) => RunResult }> {
  const store = await seeded.store(kind);
  return { store, report: (...args) => callq(['--db', store.db, '--now', NOW, 'report', ...args], columns ? { env: { COLUMNS: columns } } : {}) };
}

/** The whitespace-separated cells of every stdout line that starts with `label`. */
function rows(r: RunResult, label: string): string[][] {
  return r.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells[0] === label);
}

/** CSV text from its lines. */
const csv = (...lines: string[]) => lines.join('\n') + '\n';

/** The cells of a row, without the bar drawn after the numbers. */
const numbers = (cells: string[]) => cells.filter((c) => !/^[█▏▎▍▌▋▊▉]+$/.test(c));

// Per lead (created → calls, UTC):
//  webinar         1 NY    11-16 13:00 → 14:00 no-answer, 19:00 qualified               attempts 2, first call after 1h
//                  2 NY    11-16 13:00 → 11-17 15:00 gatekeeper, 11-18 15:00 no-budget   2, 26h
//                  3 CHI   11-16 13:00 → 16:00 voicemail, 11-17 no-answer, 11-18 qualified 3, 3h
//                  4 LA    11-16 13:00 → 20:00 not-interested                            1, 7h
//                  5 NY    never called
//  trade-show      6 IST   11-16 00:00 → 11-17 04:15 no-answer, 11-18 04:45 do-not-call  2, 28h15m
//                  7 NY    10-29 12:00 → 10-30 13:30, 11-02, 11-03: no contact ×3 → exhausted  3, 25h30m
//                  8 CHI   11-16 13:00 → 15:00 gatekeeper, 11-17 callback, 11-18 qualified 3, 2h
//                  9 ?     11-16 13:00 → 11-17 18:00 no-answer, 11-18 gatekeeper        2, 29h
//  purchased-list 10 NY    11-16 13:00 → 14:30, 18:30, 11-17 14:30: no contact ×3 → exhausted 3, 1h30m
//                 11 LA    11-16 13:00 → 11-17 17:00 bad-number → disqualified bad-data  1, 28h
//                 12 NY    11-16 13:00 → 11-17 14:00 nurture                              1, 25h
const FUNNEL = {
  webinar: {
    group: 'webinar', leads: 5, attempted: 4, contacted: 4, sales_ready: 2, disqualified: 2, exhausted: 0, do_not_call: 0,
    contact_rate: 1, conversion: 0.4, conversion_of_contacted: 0.5,
    median_attempts_to_qualify: 2.5, // leads 1 and 3: (2 + 3) / 2
    median_seconds_to_first_call: 18_000, // 1h, 3h, 7h, 26h → (3h + 7h) / 2 = 5h
  },
  'trade-show': {
    group: 'trade-show', leads: 4, attempted: 4, contacted: 3, sales_ready: 1, disqualified: 0, exhausted: 1, do_not_call: 1,
    contact_rate: 0.75, conversion: 0.25, conversion_of_contacted: 0.3333,
    median_attempts_to_qualify: 3,
    median_seconds_to_first_call: 96_750, // 2h, 25h30m, 28h15m, 29h → (91800 + 101700) / 2
  },
  'purchased-list': {
    group: 'purchased-list', leads: 3, attempted: 3, contacted: 1, sales_ready: 0, disqualified: 1, exhausted: 1, do_not_call: 0,
    contact_rate: 0.3333, conversion: 0, conversion_of_contacted: 0,
    median_attempts_to_qualify: null,
    median_seconds_to_first_call: 90_000, // 1h30m, 25h, 28h
  },
  total: {
    group: null, leads: 12, attempted: 11, contacted: 8, sales_ready: 3, disqualified: 3, exhausted: 2, do_not_call: 1,
    contact_rate: 0.7273, conversion: 0.25, conversion_of_contacted: 0.375,
    median_attempts_to_qualify: 3, // 2, 3, 3
    median_seconds_to_first_call: 90_000, // the 6th of 11: 1h 1h30m 2h 3h 7h [25h] 25h30m 26h 28h 28h15m 29h
  },
};

describe.each(STORE_KINDS)('report on %s', (kind) => {
  let s: Awaited<ReturnType<typeof storeOf>>;
  beforeAll(async () => {
    s = await storeOf(kind);
  });
  afterAll(async () => s?.store.cleanup());
  const report = (...args: string[]) => s.report(...args);

  describe('report funnel', () => {
    it('JSON: counts, rates and medians per source, biggest source first, and the total', () => {
      const r = report('funnel', '--json');
      expect(r.code).toBe(0);
      const out = json(r);
      expect(out).toMatchObject({ report: 'funnel', by: 'source', period: { field: 'created_at', since: null, until: null }, small_sample_below: 20 });
      expect(out.groups).toEqual([FUNNEL.webinar, FUNNEL['trade-show'], FUNNEL['purchased-list']]);
      expect(out.total).toEqual(FUNNEL.total);
    });

    it('table: stages with a conversion bar, rates and medians, lost leads; small samples marked', () => {
      const r = report('funnel');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Funnel by source — all time/);
      const [stages, quality, lost] = rows(r, 'webinar').map(numbers);
      expect(stages).toEqual(['webinar', '5', '4', '4', '2', '40.0%*']);
      expect(quality).toEqual(['webinar', '100.0%*', '50.0%*', '2.5*', '5h00m*']);
      expect(lost).toEqual(['webinar', '2', '40.0%*', '0', '0.0%*', '0', '0.0%*']);
      expect(rows(r, 'webinar')[0].at(-1)).toMatch(/^█+[▏▎▍▌▋▊▉]?$/); // the best conversion has the longest bar
      expect(rows(r, 'trade-show').map(numbers)[1]).toEqual(['trade-show', '75.0%*', '33.3%*', '3*', '1d02h*']);
      // No lead of purchased-list became sales-ready: no median, and no bar for 0%.
      expect(rows(r, 'purchased-list').map(numbers)[1]).toEqual(['purchased-list', '33.3%*', '0.0%*', '—', '1d01h*']);
      expect(rows(r, 'purchased-list')[0]).toEqual(['purchased-list', '3', '3', '1', '0', '0.0%*']);
      expect(rows(r, '(all)').map(numbers)[0]).toEqual(['(all)', '12', '11', '8', '3', '25.0%*']);
      expect(r.stdout).toContain('* fewer than 20 behind the figure');
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    });

    it('CSV: one row per source and the total, rates as fractions', () => {
      const r = report('funnel', '--csv');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        csv(
          'source,leads,attempted,contacted,sales_ready,disqualified,exhausted,do_not_call,contact_rate,conversion,conversion_of_contacted,median_attempts_to_qualify,median_seconds_to_first_call',
          'webinar,5,4,4,2,2,0,0,1,0.4,0.5,2.5,18000',
          'trade-show,4,4,3,1,0,1,1,0.75,0.25,0.3333,3,96750',
          'purchased-list,3,3,1,0,1,1,0,0.3333,0,0,,90000',
          '(all),12,11,8,3,3,2,1,0.7273,0.25,0.375,3,90000',
        ),
      );
    });

    it('--since filters leads by created_at: lead 7 (created 10-29) drops out', () => {
      const out = json(report('funnel', '--since', '2026-11-01', '--json'));
      expect(out.period).toEqual({ field: 'created_at', since: '2026-11-01T00:00:00.000Z', until: null });
      // trade-show now ties purchased-list at 3 leads and follows it by name.
      expect(out.groups.map((g: any) => g.group)).toEqual(['webinar', 'purchased-list', 'trade-show']);
      expect(out.groups[2]).toEqual({
        ...FUNNEL['trade-show'],
        leads: 3, attempted: 3, exhausted: 0, contact_rate: 1, conversion: 0.3333, conversion_of_contacted: 0.3333,
        median_seconds_to_first_call: 101_700, // 2h, 28h15m, 29h
      });
      expect(out.total.leads).toBe(11);
    });

    it('--by campaign: a lead without a campaign is in the null group, listed last among equals', () => {
      const out = json(report('funnel', '--by', 'campaign', '--json'));
      expect(out.by).toBe('campaign');
      expect(out.groups.map((g: any) => [g.group, g.leads, g.attempted, g.contacted, g.sales_ready])).toEqual([
        ['c-expo', 4, 4, 3, 1],
        ['c-fall', 4, 4, 4, 2],
        [null, 4, 3, 1, 0], // leads 5, 10, 11, 12
      ]);
      expect(report('funnel', '--by', 'campaign').stdout).toMatch(/^\(none\)\s+4\s+3\s+1\s+0\s+0\.0%\*/m);
    });
  });

  describe('report reasons', () => {
    const reason = (r: string, status: string, leads: number, ofLost: number, ofLeads: number) => ({ reason: r, status, leads, share_of_lost: ofLost, share_of_leads: ofLeads });

    it('JSON: lost leads by source and reason, do-not-call and exhausted as their own rows', () => {
      const out = json(report('reasons', '--json'));
      expect(out).toMatchObject({ report: 'reasons', by: 'source', period: { field: 'created_at', since: null, until: null } });
      expect(out.groups).toEqual([
        { group: 'webinar', leads: 5, lost: 2, reasons: [reason('no-budget', 'disqualified', 1, 0.5, 0.2), reason('not-interested', 'disqualified', 1, 0.5, 0.2)] },
        { group: 'trade-show', leads: 4, lost: 2, reasons: [reason('do-not-call', 'do-not-call', 1, 0.5, 0.25), reason('exhausted', 'exhausted', 1, 0.5, 0.25)] },
        { group: 'purchased-list', leads: 3, lost: 2, reasons: [reason('bad-data', 'disqualified', 1, 0.5, 0.3333), reason('exhausted', 'exhausted', 1, 0.5, 0.3333)] },
      ]);
      expect(out.total).toEqual({
        leads: 12,
        lost: 6,
        reasons: [
          reason('exhausted', 'exhausted', 2, 0.3333, 0.1667),
          reason('bad-data', 'disqualified', 1, 0.1667, 0.0833),
          reason('do-not-call', 'do-not-call', 1, 0.1667, 0.0833),
          reason('no-budget', 'disqualified', 1, 0.1667, 0.0833),
          reason('not-interested', 'disqualified', 1, 0.1667, 0.0833),
        ],
      });
    });

    it('table: a block per source with shares and bars', () => {
      const r = report('reasons');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Why leads were lost, by source — all time/);
      expect(r.stdout).toContain('webinar: 5 leads, 2 lost (40.0%*)');
      expect(r.stdout).toContain('all sources: 12 leads, 6 lost (50.0%*)');
      expect(rows(r, 'no-budget').map(numbers)).toEqual([
        ['no-budget', '1', '50.0%*', '20.0%*'],
        ['no-budget', '1', '16.7%*', '8.3%*'],
      ]);
      expect(rows(r, 'exhausted').at(-1)).toEqual(['exhausted', '2', '33.3%*', '16.7%*', '█'.repeat(30)]);
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    });

    it('CSV: one row per source and reason, then the totals', () => {
      const r = report('reasons', '--csv');
      expect(r.stdout).toBe(
        csv(
          'source,reason,status,leads,share_of_lost,share_of_leads',
          'webinar,no-budget,disqualified,1,0.5,0.2',
          'webinar,not-interested,disqualified,1,0.5,0.2',
          'trade-show,do-not-call,do-not-call,1,0.5,0.25',
          'trade-show,exhausted,exhausted,1,0.5,0.25',
          'purchased-list,bad-data,disqualified,1,0.5,0.3333',
          'purchased-list,exhausted,exhausted,1,0.5,0.3333',
          '(all),exhausted,exhausted,2,0.3333,0.1667',
          '(all),bad-data,disqualified,1,0.1667,0.0833',
          '(all),do-not-call,do-not-call,1,0.1667,0.0833',
          '(all),no-budget,disqualified,1,0.1667,0.0833',
          '(all),not-interested,disqualified,1,0.1667,0.0833',
        ),
      );
    });
  });

  describe('report reps', () => {
    // ana: 14 calls, 7 contacts, 3 qualified; talk 630 + 660 + 75 + 780 + 90 + 180 = 2415 s.
    // Her calls fall in 11 distinct clock hours: 11-16 14 15 16 18 19, 11-17 04 14 15 16, 11-18 04 16.
    // ben: 9 calls, 4 contacts; talk 300 + 90 + 90 + 90 + 20 = 590 s; hours 10-30 13, 11-02 14, 11-03 14,
    // 11-16 20, 11-17 15 17 18, 11-18 15 18 = 9.
    const ANA = { rep: 'ana', dials: 14, contacts: 7, sales_ready: 3, talk_time_s: 2415, active_hours: 11, contact_rate: 0.5, dials_per_hour: 1.27 };
    const BEN = { rep: 'ben', dials: 9, contacts: 4, sales_ready: 0, talk_time_s: 590, active_hours: 9, contact_rate: 0.4444, dials_per_hour: 1 };

    /** Each rep's calls by disposition, counted by the database itself, most frequent first. */
    async function dispositionsOf(rep: string | null): Promise<Record<string, number>> {
      const found = await s.store.query<{ disposition: string; n: number }>(
        `SELECT disposition, count(*) AS n FROM calls ${rep === null ? '' : 'WHERE rep = ?'} GROUP BY disposition ORDER BY count(*) DESC, disposition`,
        ...(rep === null ? [] : [rep]),
      );
      return Object.fromEntries(found.map((r) => [r.disposition, Number(r.n)]));
    }
    const without = ({ dispositions: _, ...r }: any) => r;

    it('JSON: per rep dials, contacts, sales-ready, active hours, dials per hour, talk time and calls by outcome', async () => {
      const out = json(report('reps', '--json'));
      expect(out.period).toEqual({ field: 'called_at', since: null, until: null });
      expect(out.reps.map(without)).toEqual([ANA, BEN]);
      expect(without(out.total)).toEqual({ dials: 23, contacts: 11, sales_ready: 3, talk_time_s: 3005, active_hours: 20, contact_rate: 0.4783, dials_per_hour: 1.15 });
      // Calls by outcome: as the database counts them, most frequent first, adding up to the dials.
      expect(out.reps[0].dispositions).toStrictEqual(await dispositionsOf('ana'));
      expect(out.reps[1].dispositions).toStrictEqual(await dispositionsOf('ben'));
      expect(out.total.dispositions).toStrictEqual(await dispositionsOf(null));
      expect(Object.keys(out.total.dispositions).length).toBeGreaterThan(3);
      for (const r of [...out.reps, out.total]) expect(Object.values(r.dispositions as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(r.dials);
    });

    it('--since/--until filter calls by called_at: the day of 11-17', () => {
      const out = json(report('reps', '--since', '2026-11-17', '--until', '2026-11-18', '--json'));
      expect(out.reps.map(without)).toEqual([
        { rep: 'ana', dials: 5, contacts: 2, sales_ready: 0, talk_time_s: 390, active_hours: 4, contact_rate: 0.4, dials_per_hour: 1.25 },
        { rep: 'ben', dials: 3, contacts: 1, sales_ready: 0, talk_time_s: 110, active_hours: 3, contact_rate: 0.3333, dials_per_hour: 1 },
      ]);
    });

    it("--since today is the viewer's midnight before --now", () => {
      const out = json(report('reps', '--since', 'today', '--json'));
      expect(out.period.since).toBe('2026-11-18T00:00:00.000Z');
      expect(out.reps.map(without)).toEqual([
        { rep: 'ana', dials: 3, contacts: 3, sales_ready: 2, talk_time_s: 1245, active_hours: 2, contact_rate: 1, dials_per_hour: 1.5 },
        { rep: 'ben', dials: 2, contacts: 2, sales_ready: 0, talk_time_s: 300, active_hours: 2, contact_rate: 1, dials_per_hour: 1 },
      ]);
    });

    it('table and CSV, with each rep\'s calls by outcome', async () => {
      const t = report('reps');
      expect(t.code).toBe(0);
      expect(rows(t, 'ana')[0]).toEqual(['ana', '14', '7', '50.0%*', '3', '11', '1.3', '40m15s']);
      expect(rows(t, 'ben')[0]).toEqual(['ben', '9', '4', '44.4%*', '0', '9', '1.0', '9m50s']);
      expect(rows(t, '(all)')[0]).toEqual(['(all)', '23', '11', '47.8%', '3', '20', '1.1', '50m05s']);
      // The outcomes, in tables that fit 80 columns, each with a row per rep.
      const all = await dispositionsOf(null);
      const ana = await dispositionsOf('ana');
      expect(t.stdout).toContain('Outcomes');
      const headers = rows(t, 'rep').slice(1).flatMap((h) => h.slice(1));
      expect(headers).toEqual(Object.keys(all));
      expect(rows(t, 'ana').slice(1).flatMap((r) => r.slice(1)).map(Number)).toEqual(Object.keys(all).map((d) => ana[d] ?? 0));
      expect(Math.max(...t.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
      const c = report('reps', '--csv');
      const outcomes = Object.keys(all);
      const counts = async (rep: string | null) => {
        const d = await dispositionsOf(rep);
        return outcomes.map((k) => d[k] ?? 0).join(',');
      };
      expect(c.stdout).toBe(
        csv(
          `rep,dials,contacts,contact_rate,sales_ready,active_hours,dials_per_hour,talk_time_s,${outcomes.join(',')}`,
          `ana,14,7,0.5,3,11,1.27,2415,${await counts('ana')}`,
          `ben,9,4,0.4444,0,9,1,590,${await counts('ben')}`,
          `(all),23,11,0.4783,3,20,1.15,3005,${await counts(null)}`,
        ),
      );
    });

    it('a period without calls is an empty report, not an error', () => {
      const r = report('reps', '--since', '2026-12-01', '--json');
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ reps: [], total: { dials: 0, contact_rate: null, dials_per_hour: null } });
      expect(report('reps', '--since', '2026-12-01').stdout).toContain('No calls in this period.');
    });
  });

  describe('report hours', () => {
    // Local times (EST UTC-5, CST UTC-6, PST UTC-8, IST UTC+5:30; lead 7's first call is in EDT, UTC-4):
    //  Mon 09: 1 no-answer, 10 no-answer, 8 gatekeeper, 7 (11-02) no-answer   4 dials, 1 contact
    //  Mon 10: 3 voicemail · Mon 12: 4 not-interested · Mon 13: 10 no-answer · Mon 14: 1 qualified
    //  Tue 09: 7 voicemail, 10 busy, 8 callback, 6 no-answer (09:45 IST), 11 bad-number, 12 nurture   6, 2
    //  Tue 10: 3 no-answer, 2 gatekeeper                                                   2, 1
    //  Wed 10: 8 qualified, 3 qualified, 6 do-not-call (10:15 IST), 2 no-budget            4, 4
    //  Fri 09: 7 no-answer at 13:30Z = 09:30 EDT (08:30 if DST were ignored)               1, 0
    //  Lead 9 has no known zone: 2 dials, 1 contact, not placed.
    const cell = (dials: number, contacts: number) => ({ dials, contacts, contact_rate: Math.round((contacts / dials) * 1e4) / 1e4 });

    it("JSON: contact rate by the lead's local hour, weekday and both, exact across DST and half-hour zones", () => {
      const out = json(report('hours', '--json'));
      expect(out).toMatchObject({ report: 'hours', zone: 'lead', period: { field: 'called_at', since: null, until: null } });
      expect(out.by_hour).toEqual([
        { hour: 9, ...cell(11, 3) },
        { hour: 10, ...cell(7, 5) },
        { hour: 12, ...cell(1, 1) },
        { hour: 13, ...cell(1, 0) },
        { hour: 14, ...cell(1, 1) },
      ]);
      expect(out.by_weekday).toEqual([
        { weekday: 'Mon', ...cell(8, 3) },
        { weekday: 'Tue', ...cell(8, 3) },
        { weekday: 'Wed', ...cell(4, 4) },
        { weekday: 'Fri', ...cell(1, 0) },
      ]);
      expect(out.cells).toEqual([
        { weekday: 'Mon', hour: 9, ...cell(4, 1) },
        { weekday: 'Mon', hour: 10, ...cell(1, 0) },
        { weekday: 'Mon', hour: 12, ...cell(1, 1) },
        { weekday: 'Mon', hour: 13, ...cell(1, 0) },
        { weekday: 'Mon', hour: 14, ...cell(1, 1) },
        { weekday: 'Tue', hour: 9, ...cell(6, 2) },
        { weekday: 'Tue', hour: 10, ...cell(2, 1) },
        { weekday: 'Wed', hour: 10, ...cell(4, 4) },
        { weekday: 'Fri', hour: 9, ...cell(1, 0) },
      ]);
      expect(out.total).toEqual(cell(21, 10));
      expect(out.unknown_zone).toEqual(cell(2, 1));
    });

    it('--since filters calls: from 11-17 on, Monday, Friday and the Tuesday call of 11-03 are gone', () => {
      const out = json(report('hours', '--since', '2026-11-17T00:00Z', '--json'));
      expect(out.by_weekday.map((d: any) => [d.weekday, d.dials, d.contacts])).toEqual([['Tue', 7, 3], ['Wed', 4, 4]]);
    });

    it('table: by hour and weekday with bars, and the weekday × hour grid', () => {
      const r = report('hours');
      expect(r.code).toBe(0);
      expect(rows(r, '09:00').map(numbers)).toEqual([['09:00', '11', '3', '27.3%*']]);
      expect(rows(r, '10:00')[0]).toEqual(['10:00', '7', '5', '71.4%*', expect.stringMatching(/^█{10,}/)]);
      expect(rows(r, 'Wed').map(numbers)).toEqual([['Wed', '4', '4', '100.0%*'], ['Wed', '·', '100*', '·', '·', '·']]);
      expect(rows(r, 'Mon')[1]).toEqual(['Mon', '25*', '0*', '100*', '0*', '100*']);
      expect(r.stdout).toContain('2 calls (1 contacts) to leads with no known time zone are not placed above.');
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    });

    it('CSV: the grid in long form', () => {
      expect(report('hours', '--csv').stdout).toBe(
        csv('weekday,hour,dials,contacts,contact_rate', 'Mon,9,4,1,0.25', 'Mon,10,1,0,0', 'Mon,12,1,1,1', 'Mon,13,1,0,0', 'Mon,14,1,1,1', 'Tue,9,6,2,0.3333', 'Tue,10,2,1,0.5', 'Wed,10,4,4,1', 'Fri,9,1,0,0'),
      );
    });
  });

  it('a period with nothing in it gives zeros, not an error', () => {
    const r = report('funnel', '--since', '2026-12-01', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ groups: [], total: { leads: 0, conversion: null, median_seconds_to_first_call: null } });
  });
});

describe.each(STORE_KINDS)('report on an empty %s store', (kind) => {
  it('reports zeros and no rates ("—"), never NaN', async () => {
    const store = await newTestStore(kind, { migrated: true });
    try {
      if (kind === 'sqlite') initDb(store.db);
      const run = (...args: string[]) => callq(['--db', store.db, 'report', ...args]);
      const out = json(run('funnel', '--json'));
      expect(out.groups).toEqual([]);
      expect(out.total).toMatchObject({ leads: 0, contact_rate: null, conversion: null, median_attempts_to_qualify: null, median_seconds_to_first_call: null });
      const t = run('funnel');
      expect(t.code).toBe(0);
      expect(rows(t, '(all)')[0]).toEqual(['(all)', '0', '0', '0', '0', '—']);
      expect(t.stdout).not.toMatch(/NaN|Infinity/);
      expect(json(run('reps', '--json'))).toMatchObject({ reps: [], total: { dials: 0, contact_rate: null, dials_per_hour: null } });
      expect(json(run('hours', '--json')).cells).toEqual([]);
      expect(run('hours').stdout).toContain('No calls to leads with a known time zone');
    } finally {
      await store.cleanup();
    }
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('report: SQLite and PostgreSQL side by side', () => {
  it('reports over other periods and groupings, as tables and as JSON, are the same bytes on both stores', async () => {
    const [lite, pg] = [await storeOf('sqlite', '100'), await storeOf('postgres', '100')];
    try {
      // What the figures checked by hand on each store above leave out.
      const day = ['--since', '2026-11-17', '--until', '2026-11-18'];
      const commands = [
        ['funnel', ...day],
        ['funnel', '--by', 'campaign', '--since', '2026-11-01', '--json'],
        ['reasons', '--since', '2026-11-01'],
        ['reasons', '--by', 'campaign', '--json'],
        ['reasons', '--by', 'campaign', ...day],
        ['reps', '--since', '2026-11-01'],
        ['hours', ...day, '--json'],
        ['hours', '--since', '2026-11-01'],
      ];
      for (const args of commands) {
        const [a, b] = [lite.report(...args), pg.report(...args)];
        expect(a.code, `${args.join(' ')}: ${a.stderr}`).toBe(0);
        expect(b, args.join(' ')).toEqual(a);
      }
    } finally {
      await lite.store.cleanup();
      await pg.store.cleanup();
    }
  }, 300_000);
});
