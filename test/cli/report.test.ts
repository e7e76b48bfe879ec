// `callq report` arguments refused before anything is read (exit 2), on one store. The reports
// themselves, with every figure worked out by hand, run on both stores: test/both/report.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, initDb, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';

let cleanup: () => void;
let db: string;
beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  db = join(t.dir, 'reports.db');
  initDb(db);
});
afterAll(() => cleanup());

const report = (...args: string[]) => callq(['--db', db, '--now', '2026-11-18T20:00:00Z', 'report', ...args]);

describe('report arguments', () => {
  it.each([
    [['sideways'], /unknown report 'sideways'/],
    [['funnel', '--by', 'region'], /invalid --by 'region'/],
    [['reps', '--by', 'source'], /--by is for the funnel and reasons/],
    [['funnel', '--csv', '--json'], /one of --json and --csv/],
    [['funnel', '--since', 'last tuesday'], /cannot read --since 'last tuesday'/],
    [['funnel', '--since', '2026-02-30'], /cannot read --since/],
    [['hours', '--since', '2026-11-18', '--until', '2026-11-01'], /not before --until/],
  ])('%j is a usage error (exit 2) on stderr', (args, message) => {
    const r = report(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe("report reps counts a team's own disposition beside callq's", () => {
  it('a call logged with a disposition added in settings is counted under its name', () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'team.db');
      initDb(file);
      const at = '2026-11-24T16:00:00Z';
      const run = (...args: string[]) => callq(['--db', file, '--rep', 'ana', '--now', at, ...args]);
      expect(run('config', 'set', 'disposition.sent-info', 'retry contact after=3d').code).toBe(0);
      seedLeads(file, [{ score: 90 }, { score: 80 }, { score: 70 }]);
      for (const disposition of ['sent-info', 'no-answer', 'sent-info']) {
        const next = JSON.parse(run('next', '--json').stdout);
        const logged = run('log', String(next.lead.id), disposition);
        expect(logged.code, logged.stderr).toBe(0);
      }
      const out = JSON.parse(run('report', 'reps', '--json').stdout);
      expect(out.reps[0].dispositions).toEqual({ 'sent-info': 2, 'no-answer': 1 });
      expect(Object.keys(out.total.dispositions)).toEqual(['sent-info', 'no-answer']);
    } finally {
      t.cleanup();
    }
  });
});
