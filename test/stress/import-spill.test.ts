// An import with more keys than the importer's old key table held (about 2M: phones and
// personal e-mails of over a million rows), written in slices of its own: the counts and the
// database must come out exactly as the generator says, with every index whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, ROOT, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('callq-spill-')));
afterAll(() => cleanup());

const ROWS = 1_150_000;

describe('an import beyond the key table', () => {
  it('finds exactly the duplicates the generator made, and leaves every index whole', () => {
    const file = join(dir, 'big.csv');
    const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-leads.js'), String(ROWS), file, '--seed', '11'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const expected = JSON.parse(gen.stderr.trim().split('\n').pop()!).expect as { valid: number; duplicates: number; rejected: number };

    const db = join(dir, 'spill.db');
    const run = spawnSync(process.execPath, [BIN, '--db', db, 'import', file, '--json'], { encoding: 'utf8', env: { ...process.env, CALLQ_REP: 'ops' }, timeout: 1_200_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows_read: ROWS, inserted: expected.valid, duplicates: expected.duplicates, rejected: expected.rejected });

    const check = new Database(db, { readonly: true });
    try {
      // More keys (phones and e-mails, a handful of shared mailboxes among them) than the
      // table's 2,097,152: the fallback did run.
      const keys = check.prepare(`SELECT count(*) + count(email) FROM leads`).pluck().get() as number;
      expect(keys).toBeGreaterThan(2_097_152);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.prepare(`SELECT count(*) FROM (SELECT phone FROM leads GROUP BY phone HAVING count(*) > 1)`).pluck().get()).toBe(0);
      const indexes = check.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'leads' AND name IN ('leads_phone', 'leads_email', 'leads_queue')`).pluck().all();
      expect(indexes.sort()).toEqual(['leads_email', 'leads_phone', 'leads_queue']);
    } finally {
      check.close();
    }
  }, 1_300_000);
});
