// `callq import` on both stores: the same files give the same summaries and the same leads,
// duplicates and merges, on SQLite and on PostgreSQL (the rest of import: import.test.ts).
// Each step runs on the two stores at once: they share nothing, and the two child processes
// overlap their waits (the PostgreSQL round trips, SQLite's syncs).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callqAsync, FIXTURES, json } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { comparable, dump } from './import-files.js';

const NOW = '2026-11-23T15:00:00Z';
const fixture = (...path: string[]) => join(FIXTURES, ...path);

async function importJson(s: TestStore, file: string, ...args: string[]) {
  const r = await callqAsync(['--db', s.db, '--now', NOW, 'import', file, '--country', 'US', '--json', ...args]);
  expect(r.code, `${s.kind}: ${r.stderr}`).toBe(0);
  return json(r);
}

const VENDORS = ['salesforce.csv', 'hubspot.csv', 'apollo.csv', 'zoominfo.csv', 'pipedrive.csv', 'google-contacts.csv', 'outlook.csv', 'zoho.csv', 'utf8-stray-byte.csv', 'iso-8859-2-polish.csv', 'shift-jis.csv'];

/**
 * Scenarios run on both stores, whose summaries and leads must be identical. Each vendor file
 * alone, with its counts and values, runs on both stores in vendors.test.ts.
 */
const SCENARIOS: [string, string[][]][] = [
  ['every vendor file, then half of them again with --on-duplicate update', [...VENDORS.map((v) => [fixture('vendors', v)]), ...VENDORS.filter((_, i) => i % 2 === 0).map((v) => [fixture('vendors', v), '--on-duplicate', 'update', '--source', 'again'])]],
  ['duplicates.csv twice, then with --on-duplicate update', [[fixture('import', 'duplicates.csv')], [fixture('import', 'duplicates.csv')], [fixture('import', 'duplicates.csv'), '--on-duplicate', 'update', '--campaign', 'spring']]],
  ['identity chains, then updates', [[fixture('import', 'identity-chains.csv')], [fixture('import', 'identity-update.csv'), '--on-duplicate', 'update']]],
  ['identity chains, then the updates skipped', [[fixture('import', 'identity-chains.csv')], [fixture('import', 'identity-update.csv')]]],
  ['the updates first, then identity chains merged', [[fixture('import', 'identity-update.csv')], [fixture('import', 'identity-chains.csv'), '--on-duplicate', 'update', '--list', 'L2']]],
  ['bad phones, ragged rows, embedded newlines, headers', [[fixture('import', 'bad-phones.csv')], [fixture('import', 'ragged.csv')], [fixture('import', 'embedded-newlines.csv')], [fixture('import', 'headers-variants.csv'), '--on-duplicate', 'update']]],
];

describe.skipIf(STORE_KINDS.length < 2)('callq import: the same files give the same leads on SQLite and PostgreSQL', () => {
  const stores: TestStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.cleanup();
  });

  it.each(SCENARIOS)('%s', async (_name, steps) => {
    const [lite, pg] = [await newTestStore('sqlite'), await newTestStore('postgres')];
    stores.push(lite, pg);
    for (const step of steps) {
      const [a, b] = await Promise.all([importJson(lite, step[0], ...step.slice(1)), importJson(pg, step[0], ...step.slice(1))]);
      expect(comparable(b), `${step.join(' ')}`).toEqual(comparable(a));
      expect(b.moved_to_dnc, `${step.join(' ')}: moved_to_dnc`).toBe(a.moved_to_dnc);
      expect(b.notes, `${step.join(' ')}: notes`).toEqual(a.notes);
      expect(b.lock).toBe('none');
    }
    const [da, db] = [await dump(lite), await dump(pg)];
    expect(da.leads.length).toBeGreaterThan(0);
    expect(db).toEqual(da);
  }, 300_000);
});
