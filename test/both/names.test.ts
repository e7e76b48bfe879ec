// Sources, campaigns and lists as marketing names them, through the built binary on both stores:
// queue filters find them whatever the case, an empty filter is refused, and a weight is set by
// the name as it is written on leads ('Trade Show (EU)', 'Événements'), in any case or script.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callq, json, type RunResult } from '../helpers.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';
import { seedStore } from '../seed.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York

describe.each(STORE_KINDS)('names of sources and campaigns on %s', (kind) => {
  let store: TestStore;
  const run = (args: string[]): RunResult => callq(['--db', store.db, '--now', NOW, '--rep', 'ana', ...args]);
  const queued = (args: string[]) => {
    const r = run(['--json', 'queue', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return json(r).map((e: any) => e.lead.first_name);
  };

  beforeAll(async () => {
    store = await newTestStore(kind, { migrated: true });
    await seedStore(store, [
      { first_name: 'Trade', source: 'Trade Show (EU)', score: 10 },
      { first_name: 'Eclair', source: 'éclair', campaign: 'Événements Q4', score: 20 },
      { first_name: 'Web', source: 'web', score: 30 },
    ]);
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('filters by source, campaign and list without regard to case', () => {
    expect(queued(['--source', 'TRADE SHOW (eu)'])).toEqual(['Trade']);
    expect(queued(['--source', 'Web'])).toEqual(['Web']);
    expect(queued(['--list', 'TEST'])).toHaveLength(3);
  });

  it('in any script, whatever the database’s locale (the test cluster’s is C, which folds A–Z only)', async () => {
    // PostgreSQL folds as SQLite's file does where the server has ICU (migration 12), as this
    // machine's does; without ICU, as the database's locale does (docs/moving-to-postgres.md).
    if (kind === 'postgres') {
      const [{ icu }] = await store.query<{ icu: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AS icu`);
      expect(icu, 'this PostgreSQL has no ICU: the test needs a server built with it').toBe(true);
    }
    expect(queued(['--source', 'ÉCLAIR'])).toEqual(['Eclair']);
    expect(queued(['--campaign', 'ÉVÉNEMENTS q4'])).toEqual(['Eclair']);
    // Case, not accents: 'tëst' is another name than 'TEST'.
    expect(run(['queue', '--list', 'tëst']).code).toBe(3);
  });

  it('refuses an empty filter instead of matching nothing', () => {
    for (const key of ['source', 'campaign', 'list']) {
      const r = run(['queue', `--${key}`, ' ']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--${key} is empty`);
    }
    expect(run(['next', '--source', '']).code).toBe(2);
  });

  it('weights a source or campaign by its name as written on leads, in any case or script', () => {
    expect(queued([])).toEqual(['Web', 'Eclair', 'Trade']);
    const set = run(['--json', 'config', 'set', 'weight.source.Trade Show (EU)', '50']);
    expect(set.code, set.stderr).toBe(0);
    expect(json(set)).toEqual({ key: 'weight.source.trade-show-eu', value: '50' });
    const campaign = run(['config', 'set', 'weight.campaign.Événements Q4', '25']);
    expect(campaign.code, campaign.stderr).toBe(0);
    expect(queued([])).toEqual(['Trade', 'Eclair', 'Web']);
    expect(json(run(['--json', 'config', 'get', 'weight.source.trade show (eu)'])).value).toBe('50');
    expect(run(['config', 'unset', 'weight.campaign.ÉVÉNEMENTS-Q4']).code).toBe(0);
    expect(queued([])).toEqual(['Trade', 'Web', 'Eclair']);
  });
});
