// Import batch numbers after imports that wrote nothing: a file whose structure is broken, a file
// with only a header. The next batch gets the next number on both stores, so the "Undo with:
// callq import undo N" an ops person reads, and `callq imports`, are the same whichever store
// the team uses (docs/importing.md).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// Lead ids: the one a CRM holds as callq_id must always name the same person. Undoing or
// forgetting the newest leads never frees their ids for the next import (docs/schema.md).
describe.each(STORE_KINDS)('lead ids are never handed out twice (%s)', (kind) => {
  let s: TestStore;
  let dir: string;
  const run = (args: string[]) => callq(['--db', s.db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana' } });
  const list = (name: string, rows: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, ['First Name,Phone,Email', ...rows].join('\n') + '\n');
    return file;
  };
  const ids = async () => (await s.query<{ id: number; first_name: string }>('SELECT id, first_name FROM leads ORDER BY id')).map((l) => [l.id, l.first_name]);

  beforeEach(async () => {
    s = await newTestStore(kind);
    dir = mkdtempSync(join(tmpdir(), 'callq-ids-'));
  });
  afterEach(async () => {
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after an undo and after a forget of the newest leads, the next import continues past them', async () => {
    expect(run(['import', list('a.csv', ['Ann,+1 212 555 0101,ann@a.example', 'Bo,+1 212 555 0102,bo@a.example'])]).code).toBe(0);
    expect(run(['import', list('b.csv', ['Cy,+1 212 555 0103,cy@b.example', 'Di,+1 212 555 0104,di@b.example'])]).code).toBe(0);
    expect(run(['import', 'undo', '2']).code).toBe(0);
    expect(run(['import', list('c.csv', ['Ed,+1 212 555 0105,ed@c.example'])]).code).toBe(0);
    expect(await ids()).toEqual([[1, 'Ann'], [2, 'Bo'], [5, 'Ed']]);
    expect(run(['forget', 'ed@c.example', '--yes']).code).toBe(0);
    expect(run(['import', list('d.csv', ['Flo,+1 212 555 0106,flo@d.example'])]).code).toBe(0);
    expect(await ids()).toEqual([[1, 'Ann'], [2, 'Bo'], [6, 'Flo']]);
  });

  it('a copy to the other store keeps handing out ids past the ones undone', async () => {
    expect(run(['import', list('a.csv', ['Ann,+1 212 555 0101,', 'Bo,+1 212 555 0102,'])]).code).toBe(0);
    expect(run(['import', 'undo', '1']).code).toBe(0);
    const other = await newTestStore(kind === 'sqlite' ? (STORE_KINDS.includes('postgres') ? 'postgres' : 'sqlite') : 'sqlite');
    try {
      const copied = callq(['--db', s.db, 'db', 'copy', '--to', other.db]);
      expect(copied.code, copied.stderr).toBe(0);
      expect(callq(['--db', other.db, '--now', NOW, 'import', list('b.csv', ['Cy,+1 212 555 0103,'])]).code).toBe(0);
      expect(await other.query('SELECT id, first_name FROM leads')).toEqual([{ id: 3, first_name: 'Cy' }]);
    } finally {
      await other.cleanup();
    }
  });
});
