// `callq export` arguments refused before anything is read (exit 2), on one store. The exports
// themselves run on both stores: test/both/export.test.ts and test/both/export-files.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { callq, initDb, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'export.db');
  initDb(db);
});
afterEach(() => cleanup());

const NOW = '2026-11-24T16:00:00Z';
const q = (args: string[]) => callq(['--db', db, '--rep', 'ana', '--now', NOW, ...args]);

describe('export arguments', () => {
  it.each([
    [['sales-ready', '--profile', 'pipedrive'], /pipedrive/],
    [['sales-ready', '--batch', 'x'], /--batch/],
    [['sales-ready', '--batch', '1', '--all'], /--batch/],
    [['sales-ready', '--no-mark', '--excel', '--json'], /--excel/],
    [['cleanup', '--since', 'last tuesday'], /--since/],
    [['cleanup', '--since', '2026-02-30'], /--since/],
    [['calls', '--since', '2026-11-25', '--until', '2026-11-24'], /--until/],
  ])('%j is a usage error (exit 2)', (args, message) => {
    const r = q(['export', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('refuses an --out in a folder that does not exist (exit 2), and writes nothing', () => {
    const r = q(['export', 'calls', '--out', join(dir, 'missing/c.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folder .*missing does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
