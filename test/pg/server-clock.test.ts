// A team on many machines acts at one time: the database server's (src/core/server-clock.ts).
// Each rep process here runs with its clock moved (test/fixtures/clock/shift-clock.cjs, preloaded),
// as a laptop whose clock is off; what callq does is checked against the server's own clock,
// read before and after each command.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, FIXTURES, json } from '../helpers.js';
import { newTestStore, type TestStore } from '../stores.js';
import { pgInfo } from './db.js';

const HOUR = 3_600_000;
const SHIFT = join(FIXTURES, 'clock', 'shift-clock.cjs');
/**
 * `iso` lies between two clock readings taken around the command (ms), give or take the error of
 * callq's reading of the server's clock (half a round trip at most: 5 s is far beyond it, and far
 * below the shifts the machines here are given).
 */
function within(iso: string, before: number, after: number): void {
  const t = Date.parse(iso);
  expect(t).toBeGreaterThanOrEqual(before - 5_000);
  expect(t).toBeLessThanOrEqual(after + 5_000);
}

const offBy = (ms: number) => ({ NODE_OPTIONS: `--require ${SHIFT}`, CALLQ_TEST_CLOCK_SHIFT_MS: String(ms) });

describe.skipIf(pgInfo.unavailable)("the database server's clock on PostgreSQL", () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await newTestStore('postgres', { migrated: true });
  });
  afterEach(async () => {
    await store.cleanup();
  });

  const serverMs = async () => Number((await store.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms'))[0]!.ms);

  /** Runs a command, returning it with the server's clock read just before and just after. */
  async function bracketed(args: string[], env: Record<string, string>) {
    const before = await serverMs();
    const r = callq(['--db', store.db, ...args], { env });
    const after = await serverMs();
    return { r, before, after };
  }


  it("a machine 3 hours behind acts at the server's time, and is told its clock is off", async () => {
    const { r, before, after } = await bracketed(['--json', 'status'], offBy(-3 * HOUR));
    expect(r.code, r.stderr).toBe(0);
    within(json(r).now, before, after);
    expect(r.stderr).toContain("warning: this machine's clock is 3 h 0 min behind the database server's");
    const ahead = callq(['--db', store.db, 'status'], { env: offBy(25 * 60_000) });
    expect(ahead.stderr).toContain('25 min ahead of the database server');
  });

  it('a few seconds off: the server\'s time, without a word; --now still wins', async () => {
    const { r, before, after } = await bracketed(['--json', 'status'], offBy(20_000));
    expect(r.code, r.stderr).toBe(0);
    within(json(r).now, before, after);
    expect(r.stderr).toBe('');
    const given = callq(['--db', store.db, '--json', '--now', '2026-11-24T16:00:00Z', 'status'], { env: offBy(-3 * HOUR) });
    expect(json(given).now).toBe('2026-11-24T16:00:00.000Z');
    expect(given.stderr).toBe('');
  });

  it("calling hours, claims and outcomes go by the server: a laptop's clock neither blocks a call nor frees a colleague's claim", async () => {
    // A lead whose local time is now 12:xx (a fixed-offset zone), called any day, 09:00-17:00.
    const hour = new Date(await serverMs()).getUTCHours();
    const offset = 12 - hour; // -11 … 12
    const zone = offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const file = join(store.dir, 'lead.csv');
    writeFileSync(file, `first_name,last_name,phone,timezone\nAna,Lima,+12125550142,${zone}\n`);
    expect(callq(['--db', store.db, 'import', file]).code).toBe(0);
    expect(callq(['--db', store.db, 'config', 'set', 'hours.days', 'mon-sun']).code).toBe(0);

    // Ana's laptop is 5 hours behind: by its clock the lead's local time is 07:xx, before hours.
    const claim = await bracketed(['--json', '--rep', 'ana', 'next'], offBy(-5 * HOUR));
    expect(claim.r.code, claim.r.stderr).toBe(0);
    const lead = json(claim.r).lead;
    expect(lead.name).toBe('Ana Lima');
    const [row] = await store.query<{ claim_expires_at: string; claim_rep: string }>('SELECT claim_expires_at, claim_rep FROM leads');
    expect(row!.claim_rep).toBe('ana');
    within(new Date(Date.parse(row!.claim_expires_at) - 15 * 60_000).toISOString(), claim.before, claim.after);

    // Bob's laptop is 20 minutes ahead: by its clock Ana's 15-minute claim has lapsed. It has not.
    const bob = callq(['--db', store.db, '--json', '--rep', 'bob', 'next'], { env: offBy(20 * 60_000) });
    expect(bob.code, bob.stdout).toBe(3);
    expect((await store.query('SELECT claim_rep FROM leads'))[0]).toEqual({ claim_rep: 'ana' });

    // Ana's outcome is filed at the server's time.
    const log = await bracketed(['--json', '--rep', 'ana', 'log', String(lead.id), 'no-answer'], offBy(-5 * HOUR));
    expect(log.r.code, log.r.stderr).toBe(0);
    const [call] = await store.query<{ called_at: string }>('SELECT called_at FROM calls');
    within(call!.called_at, log.before, log.after);
  });
});

describe('one host, one clock: SQLite', () => {
  it("acts at the machine's own clock, as every rep on the host shares it", async () => {
    const store = await newTestStore('sqlite');
    try {
      expect(callq(['--db', store.db, 'init']).code).toBe(0);
      const before = Date.now() - 3 * HOUR;
      const r = callq(['--db', store.db, '--json', 'status'], { env: offBy(-3 * HOUR) });
      const after = Date.now() - 3 * HOUR;
      expect(r.code, r.stderr).toBe(0);
      within(json(r).now, before, after);
      expect(r.stderr).toBe('');
    } finally {
      await store.cleanup();
    }
  });
});
