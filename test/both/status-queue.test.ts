// Counting the queue on both stores, through the built binary, whether the leads counted are a
// small part of the table (SQLite counts them through the queue index) or most of it (SQLite
// reads the table once):
// - `callq status`'s "queue now": the leads callable at that instant. Claimed leads, retries
//   not due, nurture not due and closed statuses are left out; due callbacks are in;
// - `callq next` on an empty queue: why nothing can be called, and when something will be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callq, json, type RunResult } from '../helpers.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';
import { seedStore, type SeedLead } from '../seed.js';

const EARLY = '2026-11-24T14:30:00Z'; // Tuesday 09:30 New York, 06:30 Los Angeles
const NOW = '2026-11-24T15:00:00Z'; // 10:00 New York, 07:00 Los Angeles: before its calling hours
const LATER = '2026-11-24T18:00:00Z'; // 13:00 New York, 10:00 Los Angeles
const SUNDAY = '2026-11-22T15:00:00Z'; // no zone group is inside calling hours
const MONDAY_NY = '2026-11-23T14:00:00.000Z'; // 09:00 New York: the first lead callable after SUNDAY

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

  it('an empty queue says how many leads wait and why, and when the first is callable', () => {
    const r = run(SUNDAY, 'zed', ['--json', 'next']);
    expect(r.code, r.stderr).toBe(3);
    // 96 leads in a queue status (New York's 6, Los Angeles' 90) and ben's callback.
    expect(json(r)).toMatchObject({
      callable: 97,
      outside_hours: 96,
      waiting_retry: 3, // RetryDue (Tuesday), RetryLater, NurtureLater
      claimed_by_others: 1, // ana's claim on Second runs until Tuesday 15:15
      callbacks_later: 1,
      unknown_timezone: 0,
      next_open: MONDAY_NY,
    });
  });

  it('after hours a due callback counts as outside calling hours, and the message adds up', () => {
    const night = '2026-11-25T02:00:00Z'; // Tuesday 21:00 New York, 18:00 Los Angeles
    const r = run(night, 'zed', ['--json', 'next']);
    expect(r.code, r.stderr).toBe(3);
    expect(json(r)).toMatchObject({
      callable: 97,
      outside_hours: 97, // the 96 in a queue status and ben's due callback
      waiting_retry: 2, // RetryLater, NurtureLater
      claimed_by_others: 0,
      callbacks_later: 0,
      next_open: '2026-11-25T14:00:00.000Z',
    });
    const text = run(night, 'zed', ['next']);
    expect(text.stderr).toContain('no lead can be called right now. Of 97 lead(s) still to call: 97 outside calling hours, 2 waiting for a retry time.');
  });

  it('the human status gives the claims and the instant in the reader\'s time, and why tells the claim without ISO instants', () => {
    const human = run(NOW, 'ops', ['status']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/claims +ana → lead \d+ \(until Tue 24 Nov 15:15 UTC\)/);
    expect(human.stdout).toMatch(/queue now +\d+ callable at Tue 24 Nov 15:00 UTC/);
    expect(human.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    const second = json(run(NOW, 'ops', ['--json', 'status'])).claims[0].lead_id;
    const why = run(NOW, 'ops', ['why', String(second)]);
    expect(why.stdout).toContain('• claim: claimed by ana — lifts Tue 24 Nov 15:15 UTC');
    expect(why.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    // Logging it is refused with how long ana's claim still runs.
    const refused = run(NOW, 'ops', ['log', String(second), 'no-answer']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`lead ${second} is claimed by ana (for another 15m00s unless they log or give it back); nothing was recorded.`);
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

describe.each(STORE_KINDS)('an empty queue explained on %s when few leads are left to call', (kind) => {
  let store: TestStore;
  afterAll(async () => {
    await store?.cleanup();
  });

  it('counts the few leads in a queue status among many closed ones', async () => {
    store = await newTestStore(kind, { migrated: true });
    await seedStore(store, [
      ...Array.from({ length: 3 }, (): SeedLead => ({ timezone: NY })),
      { timezone: LA, status: 'working', attempts: 1, next_eligible_at: TOMORROW },
      ...Array.from({ length: 60 }, (_, i): SeedLead => ({ timezone: i % 2 ? NY : LA, status: i % 3 ? 'disqualified' : 'sales-ready' })),
    ]);
    const r = callq(['--db', store.db, '--now', SUNDAY, '--rep', 'zed', '--json', 'next']);
    expect(r.code, r.stderr).toBe(3);
    expect(json(r)).toMatchObject({ callable: 4, outside_hours: 4, waiting_retry: 1, claimed_by_others: 0, callbacks_later: 0, next_open: MONDAY_NY });
    const status = callq(['--db', store.db, '--now', LATER, '--json', 'status']);
    expect(json(status).queue_now).toBe(3);
  });
});
