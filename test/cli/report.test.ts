// `callq report` arguments refused before anything is read (exit 2), on one store. The reports
// themselves, with every figure worked out by hand, run on both stores: test/both/report.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, initDb, tempDir } from '../helpers.js';

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
