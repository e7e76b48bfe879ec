// `callq report` on both stores: the fixture call history of test/cli/report.test.ts (figures
// worked out by hand there), logged once through the binary on SQLite and copied row for row into
// each store, gives the same figures — and the same bytes — on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, json, type RunResult } from '../helpers.js';
import { logReportHistory } from '../report-history.js';
import { STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { seededHistory } from './seed-from-sqlite.js';

const NOW = '2026-11-18T20:00:00Z';

const seeded = seededHistory(logReportHistory, 180_000);

async function storeOf(kind: TestStoreKind): Promise<{ store: TestStore; report: (...args: string[]) => RunResult }> {
  const store = await seeded.store(kind);
  return { store, report: (...args) => callq(['--db', store.db, '--now', NOW, 'report', ...args], { env: { COLUMNS: '100' } }) };
}

const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe.each(STORE_KINDS)('report on %s', (kind) => {
  let s: Awaited<ReturnType<typeof storeOf>>;
  beforeAll(async () => {
    s = await storeOf(kind);
  });
  afterAll(async () => s?.store.cleanup());

  it('funnel: counts, rates and medians per source and in all', () => {
    const r = s.report('funnel', '--csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      csv(
        'source,leads,attempted,contacted,sales_ready,disqualified,exhausted,do_not_call,contact_rate,conversion,conversion_of_contacted,median_attempts_to_qualify,median_seconds_to_first_call',
        'webinar,5,4,4,2,2,0,0,1,0.4,0.5,2.5,18000',
        'trade-show,4,4,3,1,0,1,1,0.75,0.25,0.3333,3,96750',
        'purchased-list,3,3,1,0,1,1,0,0.3333,0,0,,90000',
        '(all),12,11,8,3,3,2,1,0.7273,0.25,0.375,3,90000',
      ),
    );
    const since = json(s.report('funnel', '--since', '2026-11-01', '--json'));
    expect(since.groups.map((g: { group: string; leads: number }) => [g.group, g.leads])).toEqual([['webinar', 5], ['purchased-list', 3], ['trade-show', 3]]);
    expect(since.groups[2].median_seconds_to_first_call).toBe(101_700);
  });

  it('reasons: lost leads by source and reason', () => {
    const out = json(s.report('reasons', '--json'));
    expect(out.total).toMatchObject({ leads: 12, lost: 6 });
    expect(out.groups.map((g: { group: string; lost: number }) => [g.group, g.lost])).toEqual([['webinar', 2], ['trade-show', 2], ['purchased-list', 2]]);
    expect(out.groups[0].reasons.map((r: { reason: string; leads: number }) => [r.reason, r.leads])).toEqual([['no-budget', 1], ['not-interested', 1]]);
  });

  it('reps: dials, contacts, active hours and talk time per rep', () => {
    const r = s.report('reps', '--csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      csv(
        'rep,dials,contacts,contact_rate,sales_ready,active_hours,dials_per_hour,talk_time_s',
        'ana,14,7,0.5,3,11,1.27,2415',
        'ben,9,4,0.4444,0,9,1,590',
        '(all),23,11,0.4783,3,20,1.15,3005',
      ),
    );
    const day = json(s.report('reps', '--since', '2026-11-17', '--until', '2026-11-18', '--json'));
    expect(day.reps.map((x: { rep: string; dials: number; active_hours: number }) => [x.rep, x.dials, x.active_hours])).toEqual([['ana', 5, 4], ['ben', 3, 3]]);
  });

  it("hours: contact rate by the lead's local hour and weekday", () => {
    const r = s.report('hours', '--csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      csv('weekday,hour,dials,contacts,contact_rate', 'Mon,9,4,1,0.25', 'Mon,10,1,0,0', 'Mon,12,1,1,1', 'Mon,13,1,0,0', 'Mon,14,1,1,1', 'Tue,9,6,2,0.3333', 'Tue,10,2,1,0.5', 'Wed,10,4,4,1', 'Fri,9,1,0,0'),
    );
    expect(json(s.report('hours', '--json')).unknown_zone).toEqual({ dials: 2, contacts: 1, contact_rate: 0.5 });
  });

  it('a period with nothing in it gives zeros, not an error', () => {
    const r = s.report('funnel', '--since', '2026-12-01', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ groups: [], total: { leads: 0, conversion: null, median_seconds_to_first_call: null } });
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('report: SQLite and PostgreSQL side by side', () => {
  it('every report, as a table and as JSON, over several periods, is the same bytes on both stores', async () => {
    const [lite, pg] = [await storeOf('sqlite'), await storeOf('postgres')];
    try {
      const periods = [[], ['--since', '2026-11-01'], ['--since', '2026-11-17', '--until', '2026-11-18']];
      const shapes = [['funnel'], ['funnel', '--by', 'campaign'], ['reasons'], ['reasons', '--by', 'campaign'], ['reps'], ['hours']];
      for (const shape of shapes) {
        for (const period of periods) {
          // The table shows every figure as people read it; JSON every figure as scripts read it.
          for (const form of [[], ['--json']]) {
            const args = [...shape, ...period, ...form];
            const [a, b] = [lite.report(...args), pg.report(...args)];
            expect(a.code, `${args.join(' ')}: ${a.stderr}`).toBe(0);
            expect(b, args.join(' ')).toEqual(a);
          }
        }
      }
    } finally {
      await lite.store.cleanup();
      await pg.store.cleanup();
    }
  }, 300_000);
});
