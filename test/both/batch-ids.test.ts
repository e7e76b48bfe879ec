// Import batch numbers after imports that wrote nothing: a file whose structure is broken, a file
// with only a header. The next batch gets the next number on both stores, so the "Undo with:
// callq import undo N" an ops person reads, and `callq imports`, are the same whichever store
// the team uses (docs/importing.md).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, FIXTURES, json } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

const NOW = '2026-11-24T15:00:00Z';

describe.each(STORE_KINDS)('batch numbers after imports that wrote nothing (%s)', (kind) => {
  let s: TestStore;
  const run = (args: string[]) => callq(['--db', s.db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana' } });

  beforeEach(async () => {
    s = await newTestStore(kind);
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('a failed or empty import leaves no gap: the next batch is the next number', () => {
    const first = run(['import', join(FIXTURES, 'import', 'utf8.csv')]);
    expect(first.stdout + first.stderr).toContain('Undo with: callq import undo 1');
    expect(run(['import', join(FIXTURES, 'import', 'unclosed-quote.csv')]).code).toBe(2);
    expect(run(['import', join(FIXTURES, 'import', 'only-header.csv')]).code).toBe(3);
    const next = run(['import', join(FIXTURES, 'import', 'semicolon.csv')]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout + next.stderr).toContain('Undo with: callq import undo 2');
    expect(json<{ batch: number }[]>(run(['imports', '--json'])).map((b) => b.batch).sort()).toEqual([1, 2]);
  });
});
