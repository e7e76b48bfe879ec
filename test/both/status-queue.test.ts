// `callq status`'s "queue now" on both stores, through the built binary: the leads callable at
// that instant, whether the open zone groups hold a small part of the table (SQLite counts them
// through the queue index) or most of it (SQLite reads the table once). Claimed leads, retries
// not due, nurture not due and closed statuses are left out; due callbacks are in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callq, json, type RunResult } from '../helpers.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';
import { seedStore, type SeedLead } from '../seed.js';

const EARLY = '2026-11-24T14:30:00Z'; // Tuesday 09:30 New York, 06:30 Los Angeles
const NOW = '2026-11-24T15:00:00Z'; // 10:00 New York, 07:00 Los Angeles: before its calling hours
const LATER = '2026-11-24T18:00:00Z'; // 13:00 New York, 10:00 Los Angeles

const LA = 'America/Los_Angeles';
const NY = 'America/New_York';
const TOMORROW = '2026-11-25T15:00:00.000Z';

const LEADS: SeedLead[] = [
  { first_name: 'Top', timezone: NY, score: 99 }, // becomes a callback due at 14:50
  { first_name: 'Second', timezone: NY, score: 98 }, // claimed by ana at NOW (lease 15 minutes)
  { first_name: 'Plain1', timezone: NY, score: 50 },
  { first_name: 'Plain2', timezone: NY, score: 50 },
  { first_name: 'RetryDue', timezone: NY, status: 'working', attempts: 1, next_eligible_at: '2026-11-24T12:00:00.000Z' },
  { first_name: 'RetryLater', timezone: NY, status: 'working', attempts: 1, next_eligible_at: TOMORROW },
  { first_name: 'NurtureLater', timezone: NY, status: 'nurture', next_eligible_at: TOMORROW },
  { first_name: 'Ready', timezone: NY, status: 'sales-ready' },
  { first_name: 'Dnc', timezone: NY, status: 'do-not-call' },
  ...Array.from({ length: 90 }, (_, i): SeedLead => ({ first_name: `West${i}`, timezone: LA, phone: `+1310555${String(1000 + i)}` })),
];

describe.each(STORE_KINDS)('status counts the queue on %s', (kind) => {
  let store: TestStore;
  const run = (now: string, rep: string, args: string[]): RunResult => callq(['--db', store.db, '--now', now, '--rep', rep, ...args]);
  const queueNow = (now: string): number => {
    const status = run(now, 'ops', ['--json', 'status']);
    expect(status.code, status.stderr).toBe(0);
    return json(status).queue_now;
  };

  beforeAll(async () => {
    store = await newTestStore(kind, { migrated: true });
    await seedStore(store, LEADS);
    const first = json(run(EARLY, 'ben', ['--json', 'next']));
    expect(first.lead.first_name).toBe('Top');
    const logged = run(EARLY, 'ben', ['log', String(first.lead.id), 'callback', '--at', '2026-11-24T14:50:00Z']);
    expect(logged.code, logged.stderr).toBe(0);
    // The callback is ben's for its grace period; ana is served the next best lead.
    const second = json(run(NOW, 'ana', ['--json', 'next']));
    expect(second.lead.first_name).toBe('Second');
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('with only a few leads in open zone groups: due callbacks and callable leads, no claimed, waiting or closed ones', () => {
    // New York: the due callback, Plain1, Plain2, RetryDue. Los Angeles is closed.
    expect(queueNow(NOW)).toBe(4);
    const text = run(NOW, 'ops', ['status']);
    expect(text.stdout).toMatch(/queue now\s+4 callable/);
  });

  it('with most of the table in open zone groups: the same rules over every lead', () => {
    // Los Angeles' 90, and in New York ana's claim has lapsed: Second is callable again.
    expect(queueNow(LATER)).toBe(90 + 5);
  });

  it('a claim taken or a lead logged changes the count at once', () => {
    // ben's callback is past its grace period: anyone's due callback comes first.
    const claim = json(run(LATER, 'cy', ['--json', 'next']));
    expect(claim.lead.first_name).toBe('Top');
    expect(queueNow(LATER)).toBe(94);
    expect(run(LATER, 'cy', ['log', String(claim.lead.id), 'do-not-call']).code).toBe(0);
    expect(queueNow(LATER)).toBe(94);
    expect(queueNow(NOW)).toBe(3);
  });
});
