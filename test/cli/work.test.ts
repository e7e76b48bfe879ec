// callq work without a terminal, on one store (it refuses before serving anything). The work
// screen itself runs through a real pseudo-terminal on both stores: test/both/work.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, initDb, openRaw, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';

const NOW = '2026-11-24T16:00:00Z';

let cleanup: () => void;
let db: string;
beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  db = join(t.dir, 'work.db');
  initDb(db);
});
afterEach(() => cleanup());

function liveClaims() {
  const raw = openRaw(db);
  try {
    return raw.prepare('SELECT id, claim_rep FROM leads WHERE claim_rep IS NOT NULL').all();
  } finally {
    raw.close();
  }
}

describe('callq work without a terminal', () => {
  it('refuses with exit 2 and points to next and log', () => {
    seedLeads(db, [{ first_name: 'Avery' }]);
    const r = callq(['--db', db, '--now', NOW, 'work']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(r.stderr).toContain("'callq next --json'");
    expect(r.stderr).toContain("'callq log LEAD DISPOSITION'");
    expect(liveClaims()).toEqual([]);
  });
});
