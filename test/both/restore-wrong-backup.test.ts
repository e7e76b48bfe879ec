// `callq restore` given the wrong thing: a folder of backups, or a backup written from the other
// store. Each is exit 2 with what to do instead, and nothing is restored (docs/operations.md,
// "Backup and restore by hand").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { callq, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { findPgBin } from '../pg/cluster.js';
import { pgInfo } from '../pg/db.js';

const NOW = '2026-11-24T15:00:00Z';

function pgEnv(): Record<string, string> {
  const found = findPgBin();
  return 'bin' in found ? { CALLQ_PG_BIN: found.bin } : {};
}

function expectClean(r: RunResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('unexpected failure');
}

describe.each(STORE_KINDS)('restore given the wrong thing (%s)', (kind) => {
  let s: TestStore;
  const run = (args: string[]) => callq(['--db', s.db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana', ...pgEnv() } });

  beforeEach(async () => {
    s = await newTestStore(kind, { migrated: true });
    expect(run(['init']).code).toBe(0);
    expect(run(['dnc', 'add', '+12125550100']).code).toBe(0);
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('a folder of backups: exit 2, pass one file in it; the database is unchanged', async () => {
    const folder = join(s.dir, 'backups');
    mkdirSync(folder);
    expect(run(['backup', join(folder, 'one')]).code).toBe(0);
    await s.release();
    const r = run(['restore', folder, '--force']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(folder);
    expect(r.stderr).toContain('nothing was restored');
    expectClean(r);
    expect(await s.query('SELECT count(*) AS n FROM suppressions')).toEqual([{ n: 1 }]);
  });
});

describe.skipIf(pgInfo.unavailable)('restore of a backup from the other store', () => {
  let file: TestStore;
  let pg: TestStore;
  const run = (db: string, args: string[]) => callq(['--db', db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana', ...pgEnv() } });

  beforeEach(async () => {
    file = await newTestStore('sqlite');
    pg = await newTestStore('postgres', { migrated: true });
    for (const db of [file.db, pg.db]) {
      expect(run(db, ['init']).code).toBe(0);
      expect(run(db, ['dnc', 'add', '+12125550100']).code).toBe(0);
    }
  });
  afterEach(async () => {
    await file.cleanup();
    await pg.cleanup();
  });

  it('a PostgreSQL backup into a file: exit 2 saying which store it belongs to, not a damaged backup (5)', () => {
    const dump = join(pg.dir, 'team.dump');
    expect(run(pg.db, ['backup', dump]).code).toBe(0);
    const before = statSync(file.db).mtimeMs;
    const r = run(file.db, ['restore', dump, '--force']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('is a PostgreSQL backup');
    expect(r.stderr).toContain('--db postgres://');
    expect(r.stderr).not.toContain('Try an older backup');
    expectClean(r);
    expect(statSync(file.db).mtimeMs).toBe(before);
    const fresh = join(file.dir, 'new.db');
    expect(run(fresh, ['restore', dump]).code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  it('a SQLite backup into PostgreSQL: exit 2 saying which store it belongs to', async () => {
    const copy = join(file.dir, 'team-backup.db');
    expect(run(file.db, ['backup', copy]).code).toBe(0);
    await pg.release();
    const r = run(pg.db, ['restore', copy, '--force']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('A SQLite backup is restored into a SQLite file');
    expectClean(r);
    expect(await pg.query('SELECT count(*)::int AS n FROM suppressions')).toEqual([{ n: 1 }]);
  });
});
