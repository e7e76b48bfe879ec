// `callq log` on both stores, through the built binary: every disposition's effect, attempt
// accounting, claim checks and refusals, team-defined dispositions. Each scenario gets a new store.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { callq, json, tempDir } from '../helpers.js';
import { seedStore, type SeedLead } from '../seed.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';

// Tuesday 2026-11-24 11:00 New York.
const NOW = '2026-11-24T16:00:00Z';

describe.each(STORE_KINDS)('log on %s', (kind) => {
  let store: TestStore;
  // PostgreSQL's database is a clone of the migrated template, what `init` makes; on SQLite each
  // scenario gets a copy of one file `init` made (a process less per scenario).
  let initialised = '';
  let cleanupInitialised = () => {};
  // A store holding one lead (score 99) that `next` gave ana at NOW, made once: a scenario that
  // starts from such a claim starts from a copy (a `next` less per scenario).
  let claimedBase: TestStore | undefined;
  let claimedId = 0;
  /** No command has run on the scenario's store yet, nor a lead been seeded. */
  let untouched = false;
  beforeAll(async () => {
    if (kind === 'sqlite') {
      const t = tempDir();
      cleanupInitialised = t.cleanup;
      initialised = join(t.dir, 'init.db');
      expect(callq(['--db', initialised, 'init']).code).toBe(0);
      expect(existsSync(`${initialised}-wal`)).toBe(false); // the file alone is the whole database
    }
    const base = await newTestStore(kind, { migrated: true });
    claimedBase = base;
    if (kind === 'sqlite') copyFileSync(initialised, base.db);
    [claimedId] = await seedStore(base, [{ score: 99 }]);
    const out = json(callq(['--db', base.db, '--rep', 'ana', '--now', NOW, 'next', '--json']));
    expect(out.lead.id).toBe(claimedId);
    expect(out.claim.rep).toBe('ana');
  });
  afterAll(async () => {
    cleanupInitialised();
    await claimedBase?.cleanup();
  });
  beforeEach(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') copyFileSync(initialised, store.db);
    untouched = true;
  });
  afterEach(async () => store?.cleanup());

  const q = (args: string[], rep = 'ana', now = NOW) => {
    untouched = false;
    return callq(['--db', store.db, '--rep', rep, '--now', now, ...args]);
  };
  const seed = (leads: SeedLead[]) => {
    untouched = false;
    return seedStore(store, leads);
  };

  /** Seeds one lead and claims it for `rep`; the first thing a scenario does, by default, gives a copy of claimedBase. */
  async function claimed(lead: SeedLead = {}, rep = 'ana'): Promise<number> {
    if (untouched && Object.keys(lead).length === 0 && rep === 'ana') {
      untouched = false;
      await store.cleanup();
      store = await newTestStore(kind, { from: claimedBase });
      return claimedId;
    }
    const [id] = await seed([{ score: 99, ...lead }]);
    const out = json(q(['next', '--json'], rep));
    expect(out.lead.id).toBe(id);
    return id;
  }

  const row = async (id: number): Promise<any> => (await store.query('SELECT * FROM leads WHERE id = ?', id))[0];
  const calls = (id: number): Promise<any[]> => store.query('SELECT * FROM calls WHERE lead_id = ? ORDER BY id', id);
  async function snapshot(): Promise<string> {
    return JSON.stringify([
      await store.query('SELECT * FROM leads ORDER BY id'),
      await store.query('SELECT * FROM calls ORDER BY id'),
      await store.query('SELECT * FROM suppressions ORDER BY id'),
    ]);
  }

  describe('every disposition has its effect', () => {
    it.each([
      ['no-answer', '2026-11-24T20:00:00.000Z'], // +4h
      ['busy', '2026-11-24T17:00:00.000Z'], // +30m, but min-gap 1h wins
      ['gatekeeper', '2026-11-24T18:00:00.000Z'], // +2h
      ['voicemail', '2026-11-25T16:00:00.000Z'], // 1 business day
    ])('%s: working, retry at %s, claim released', async (disposition, retryAt) => {
      const id = await claimed();
      const r = q(['log', String(id), disposition, '--note', 'tried', '--json']);
      expect(r.code).toBe(0);
      const out = json(r);
      expect(out).toMatchObject({ status: 'working', disposition, next_eligible_at: retryAt });
      const lead = await row(id);
      expect(lead).toMatchObject({ status: 'working', attempts: 1, claim_rep: null, claim_token: null, next_eligible_at: retryAt, last_disposition: disposition, first_call_at: '2026-11-24T16:00:00.000Z' });
      expect(lead.contacts).toBe(disposition === 'gatekeeper' ? 1 : 0);
      expect(await calls(id)).toMatchObject([{ rep: 'ana', disposition, notes: 'tried', status_before: 'new', status_after: 'working', called_at: '2026-11-24T16:00:00.000Z' }]);
    });

    it('the read-back says when the queue serves the lead again: when its calling hours open, if the retry ends after they close', async () => {
      // 15:30 in New York: a gatekeeper's 2 h ends at 17:30, after hours; served Wednesday 09:00.
      const id = await claimed();
      await store.query('UPDATE leads SET claim_expires_at = ? WHERE id = ?', '2026-11-24T20:40:00.000Z', id);
      const late = q(['log', String(id), 'gatekeeper'], 'ana', '2026-11-24T20:30:00Z');
      expect(late.code).toBe(0);
      expect(late.stderr).toContain('back in the queue from Wed 25 Nov 09:00 EST (lead) · 14:00 UTC (you), when its calling hours open');
      expect((await row(id)).next_eligible_at).toBe('2026-11-24T22:30:00.000Z'); // stored as the retry's end
      // The day's second attempt holds it until the lead's midnight: said as the morning it is served.
      q(['config', 'set', 'retry.busy', '1m']);
      q(['config', 'set', 'min-gap', '1m']);
      const [other] = await seed([{ score: 50 }]);
      expect(json(q(['next', '--json'], 'bo', '2026-11-24T17:00:00Z')).lead.id).toBe(other);
      q(['log', String(other), 'busy'], 'bo', '2026-11-24T17:00:00Z');
      expect(json(q(['next', '--json'], 'bo', '2026-11-24T17:05:00Z')).lead.id).toBe(other);
      const second = q(['log', String(other), 'busy'], 'bo', '2026-11-24T17:05:00Z');
      expect(second.stderr).toContain('back in the queue from Wed 25 Nov 09:00 EST (lead) · 14:00 UTC (you), when its calling hours open');
      expect(second.stderr).not.toMatch(/00:00 EST/);
      // Inside hours, the retry's end is the time said.
      const [third] = await seed([{ score: 10 }]);
      expect(json(q(['next', '--json'], 'cy', '2026-11-24T17:10:00Z')).lead.id).toBe(third);
      expect(q(['log', String(third), 'gatekeeper'], 'cy', '2026-11-24T17:10:00Z').stderr).toContain('back in the queue from Tue 24 Nov 14:10 EST (lead) · 19:10 UTC (you).');
    });

    it('voicemail on a Friday retries on Monday', async () => {
      const id = await claimed();
      expect(q(['log', String(id), 'voicemail'], 'ana', '2026-11-27T16:00:00Z').code).toBe(4); // claim made Tuesday expired
      await store.query('UPDATE leads SET claim_expires_at = ? WHERE id = ?', '2026-11-27T16:10:00.000Z', id);
      q(['log', String(id), 'voicemail'], 'ana', '2026-11-27T16:00:00Z');
      expect((await row(id)).next_eligible_at).toBe('2026-11-30T16:00:00.000Z');
    });

    it('bad-number moves to the next alternate phone, then disqualifies (bad-data)', async () => {
      const id = await claimed({ phone: '+12125550101', alt_phones: ['+12125550102'] });
      const out = json(q(['log', String(id), 'bad-number', '--json']));
      expect(out.status).toBe('working');
      expect(await row(id)).toMatchObject({ phone: '+12125550102', alt_phones: null, status: 'working' });
      expect((await calls(id))[0].phone).toBe('+12125550101');
      // Claim again and log bad-number on the last phone.
      expect(json(q(['next', '--json'], 'ana', '2026-11-24T16:01:00Z')).lead.id).toBe(id);
      q(['log', String(id), 'bad-number'], 'ana', '2026-11-24T16:02:00Z');
      expect(await row(id)).toMatchObject({ status: 'disqualified', disqualify_reason: 'bad-data', closed_at: '2026-11-24T16:02:00.000Z' });
    });

    it("callback: comes back to this rep at that time, to anyone after the grace period, said back in both zones", async () => {
      const [id] = await seed([{ timezone: 'America/Los_Angeles' }]);
      // 10:00 in Los Angeles.
      expect(json(q(['next', '--json'], 'ana', '2026-11-24T18:00:00Z')).lead.id).toBe(id);
      const r = q(['log', String(id), 'callback', '--at', 'tomorrow 10:00', '--note', 'in a meeting'], 'ana', '2026-11-24T18:00:00Z');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/callback for ana at Wed 25 Nov 10:00 PST/);
      expect(await row(id)).toMatchObject({ status: 'callback', callback_at: '2026-11-25T18:00:00.000Z', callback_rep: 'ana' });
      expect((await calls(id))[0]).toMatchObject({ disposition: 'callback', callback_at: '2026-11-25T18:00:00.000Z', contact: 1 });
      // Before it is due nobody gets it; when due only ana; after 15 minutes anyone.
      expect(q(['next'], 'bob', '2026-11-25T17:59:00Z').code).toBe(3);
      expect(q(['next'], 'bob', '2026-11-25T18:05:00Z').code).toBe(3);
      const mine = json(q(['next', '--json'], 'ana', '2026-11-25T18:00:00Z'));
      expect(mine).toMatchObject({ reason: 'callback-mine', lead: { id } });
      q(['release'], 'ana', '2026-11-25T18:01:00Z');
      expect(json(q(['next', '--json'], 'bob', '2026-11-25T18:16:00Z'))).toMatchObject({ reason: 'callback', lead: { id } });
    });

    it('a callback outside calling hours is refused with the nearest allowed time, nothing written', async () => {
      const id = await claimed();
      const before = await snapshot();
      const r = q(['log', String(id), 'callback', '--at', 'tomorrow 19:30']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/outside calling hours/);
      expect(r.stderr).toMatch(/Nearest allowed time: Wed 25 Nov 16:59 EST/);
      // They asked for the evening: the first allowed time after it is offered too.
      expect(r.stderr).toMatch(/The first after the time asked: Thu 26 Nov 09:00 EST .*\(--at 2026-11-26T14:00:00\.000Z\)/);
      expect(await snapshot()).toBe(before);
      expect(q(['log', String(id), 'callback']).stderr).toMatch(/needs --at/);
      expect(q(['log', String(id), 'callback', '--at', 'whenever']).code).toBe(2);
      expect(await snapshot()).toBe(before);
    });

    it('a number that may ring in many zones: WHEN is read in the rep\'s zone, a refusal names a few blocking zones, and why lists only the closed ones', async () => {
      // A toll-free number: any of five US zones. The rep's zone is UTC here.
      const zones = 'America/New_York,America/Chicago,America/Denver,America/Los_Angeles,Pacific/Honolulu';
      const [id] = await seed([{ score: 50, timezone: zones }]);
      const before = await snapshot();
      // 15:00 UTC tomorrow is 05:00 in Honolulu and 07:00 in Los Angeles.
      const refused = q(['log', String(id), 'callback', '--at', 'tomorrow 15:00', '--force']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "Wed 25 Nov 15:00 UTC (your time) is outside calling hours (Mon–Fri 09:00–17:00 local) in 3 of the 5 zones this lead's number may ring in (America/Denver, America/Los_Angeles, Pacific/Honolulu)",
      );
      expect(refused.stderr.length).toBeLessThan(600);
      expect(await snapshot()).toBe(before);
      // 21:00 UTC is 16:00 in New York and 11:00 in Honolulu: inside hours everywhere, and read as the rep meant it.
      expect(q(['log', String(id), 'callback', '--at', 'tomorrow 21:00', '--force']).code).toBe(0);
      expect(await row(id)).toMatchObject({ status: 'callback', callback_at: '2026-11-25T21:00:00.000Z' });
      const why = q(['why', String(id)], 'ana', '2026-11-25T16:00:00Z');
      expect(why.stdout).toMatch(/outside calling hours \(Mon–Fri 09:00–17:00 local\) in America\/Los_Angeles and Pacific\/Honolulu \(of the 5 zones its number may ring in\); local time 08:00 \/ 06:00/);
      expect(why.stdout).not.toMatch(/hours: .*America\/New_York/);
    });

    it("a colleague's do-not-call on the same number tells the rep holding the other lead so, not to claim it again", async () => {
      const [dan, eve] = await seed([{ score: 90, phone: '+12125550111' }, { score: 80, phone: '+12125550111' }]);
      expect(json(q(['next', '--json'], 'ana')).lead.id).toBe(dan);
      expect(json(q(['next', '--json'], 'bob')).lead.id).toBe(eve);
      expect(q(['log', String(dan), 'do-not-call'], 'ana').code).toBe(0);
      const r = q(['log', String(eve), 'callback', '--at', 'tomorrow 15:00'], 'bob');
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`lead ${eve} is do-not-call now (its number or e-mail went on the do-not-call list, from a colleague's call or the list itself): do not call it.`);
      expect(r.stderr).not.toMatch(/--force|callq next/);
      const forced = q(['log', String(eve), 'callback', '--at', 'tomorrow 15:00', '--force'], 'bob');
      expect(forced.code).toBe(2);
      expect(forced.stderr).toMatch(/'do-not-call' is final/);
      expect(await calls(eve)).toEqual([]);
    });

    it('says the year back when it is not this one, and refuses a callback more than a year away (a mistyped year)', async () => {
      const id = await claimed();
      const before = await snapshot();
      const far = q(['log', String(id), 'callback', '--at', '2028-01-05 10:00']);
      expect(far.code).toBe(2);
      expect(far.stderr).toContain('is more than a year away: a typo in the year?');
      expect(q(['log', String(id), 'nurture', '--until', '3026-03-31']).stderr).toContain('more than five years away');
      expect(await snapshot()).toBe(before);
      const next = q(['log', String(id), 'callback', '--at', '2027-01-05 10:00']);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr + next.stdout).toMatch(/Tue 5 Jan 2027 10:00 EST/);
    });

    it('a callback on a lead whose time zone is unknown is refused: the queue would never serve it', async () => {
      const [id] = await seed([{ score: 50, timezone: null }]);
      const before = await snapshot();
      const r = q(['log', String(id), 'callback', '--at', 'tomorrow 15:00', '--force']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`lead ${id}'s time zone is unknown`);
      expect(r.stderr).toContain('this callback would never come back');
      expect(await snapshot()).toBe(before);
    });

    it('a callback refused for a lead in two zones names the zone whose hours block it, and the nearest time in both', async () => {
      const id = await claimed({ timezone: 'America/Chicago,America/New_York' });
      const before = await snapshot();
      // 16:30 in Chicago is inside 09:00–17:00, 17:30 in New York is not.
      const r = q(['log', String(id), 'callback', '--at', '2026-11-24T22:30:00Z']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Tue 24 Nov 17:30 EST in America\/New_York · 22:30 UTC \(you\) is outside calling hours \(Mon–Fri 09:00–17:00 local\)/);
      expect(r.stderr).toMatch(/16:30 CST in America\/Chicago would be inside them/);
      expect(r.stderr).not.toMatch(/16:30 CST[^;]* is outside/);
      expect(r.stderr).toMatch(
        /Nearest allowed time: Tue 24 Nov 16:59 EST in America\/New_York \/ Tue 24 Nov 15:59 CST in America\/Chicago · 21:59 UTC \(you\) \(--at 2026-11-24T21:59:00.000Z\)/,
      );
      expect(await snapshot()).toBe(before);
      // The suggested time is accepted.
      expect(q(['log', String(id), 'callback', '--at', '2026-11-24T21:59:00.000Z']).code).toBe(0);
    });

    it('nurture: back in the queue on the date', async () => {
      const id = await claimed();
      const out = json(q(['log', String(id), 'nurture', '--until', '2027-02-01', '--note', 'budget in Q1', '--json']));
      expect(out.status).toBe('nurture');
      expect(await row(id)).toMatchObject({ status: 'nurture', nurture_until: '2027-02-01T14:00:00.000Z', next_eligible_at: '2027-02-01T14:00:00.000Z' });
      expect(q(['next'], 'bob', '2027-01-29T16:00:00Z').code).toBe(3);
      expect(json(q(['next', '--json'], 'bob', '2027-02-01T16:00:00Z')).lead.id).toBe(id);
      expect(q(['log', String(id), 'nurture'], 'bob', '2027-02-01T16:01:00Z').stderr).toMatch(/needs --until/);
    });

    it('not-interested disqualifies with that reason (or the one given)', async () => {
      const a = await claimed();
      q(['log', String(a), 'not-interested']);
      expect(await row(a)).toMatchObject({ status: 'disqualified', disqualify_reason: 'not-interested' });
      const b = await claimed();
      q(['log', String(b), 'not-interested', '--reason', 'competitor']);
      expect(await row(b)).toMatchObject({ status: 'disqualified', disqualify_reason: 'competitor' });
      expect((await calls(b))[0].reason).toBe('competitor');
    });

    it('disqualified needs a reason from the list', async () => {
      const id = await claimed();
      const before = await snapshot();
      const missing = q(['log', String(id), 'disqualified']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/needs --reason, one of: no-budget/);
      const bad = q(['log', String(id), 'disqualified', '--reason', 'too-rich']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/unknown reason 'too-rich'/);
      expect(await snapshot()).toBe(before);
      expect(q(['log', String(id), 'disqualified', '--reason', 'no-budget']).code).toBe(0);
      expect(await row(id)).toMatchObject({ status: 'disqualified', disqualify_reason: 'no-budget', closed_at: '2026-11-24T16:00:00.000Z' });
    });

    it("an answer to a question the team added (qualify.optional) goes to Sales with the others", async () => {
      const id = await claimed();
      q(['config', 'set', 'qualify.optional', 'budget,seats']);
      const r = q(['log', String(id), 'qualified', '--need', 'x', '--timeframe', 'Q1', '--authority', 'VP', '--answer', 'seats=25', '--note', 'demo']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse((await row(id)).qualification)).toEqual({ need: 'x', timeframe: 'Q1', authority: 'VP', seats: '25' });
    });

    it('qualified needs the required answers and a hand-off note', async () => {
      const id = await claimed();
      const before = await snapshot();
      const r = q(['log', String(id), 'qualified', '--need', 'call tracking', '--note', 'demo']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--timeframe, --authority/);
      expect(q(['log', String(id), 'qualified', '--need', 'x', '--timeframe', 'Q1', '--authority', 'VP']).stderr).toMatch(/hand-off note/);
      // An answer to a question the team does not ask is refused, not dropped on the way to Sales.
      const extra = q(['log', String(id), 'qualified', '--need', 'x', '--timeframe', 'Q1', '--authority', 'VP', '--answer', 'seats=25', '--note', 'demo']);
      expect(extra.code).toBe(2);
      expect(extra.stderr).toContain(
        "'seats' is not a qualification question of this team (it asks need, timeframe, authority, budget), so it would not reach Sales; nothing was recorded. " +
          "Add it with: callq config set qualify.optional 'budget,seats'",
      );
      expect(await snapshot()).toBe(before);
      const ok = q(['log', String(id), 'qualified', '--need', 'call tracking', '--timeframe', 'Q1', '--authority', 'VP Sales', '--budget', '20k', '--note', 'wants a demo', '--duration', '6m30s']);
      expect(ok.code).toBe(0);
      const lead = await row(id);
      expect(lead).toMatchObject({ status: 'sales-ready', handoff_note: 'wants a demo', contacts: 1 });
      expect(JSON.parse(lead.qualification)).toEqual({ need: 'call tracking', timeframe: 'Q1', authority: 'VP Sales', budget: '20k' });
      expect((await calls(id))[0]).toMatchObject({ disposition: 'qualified', duration_s: 390, contact: 1 });
    });

    it('do-not-call suppresses phone and email at once; other reps never get the lead or its twins', async () => {
      const id = await claimed({ phone: '+12125550199', email: 'Pat@Example.com'.toLowerCase() });
      const [twin] = await seed([{ score: 98, phone: '+12125550199', email: 'other@elsewhere.com' }]);
      const out = json(q(['log', String(id), 'do-not-call', '--json']));
      expect(out).toMatchObject({ status: 'do-not-call', also_suppressed: 1 });
      expect((await row(id)).status).toBe('do-not-call');
      expect((await row(twin)).status).toBe('do-not-call');
      expect(await store.query('SELECT kind, value FROM suppressions ORDER BY kind')).toEqual([
        { kind: 'email', value: 'pat@example.com' },
        { kind: 'phone', value: '+12125550199' },
      ]);
      expect(q(['next'], 'bob').code).toBe(3);
      // Nothing brings it back: no outcome may move it.
      const again = q(['log', String(id), 'qualified', '--force', '--need', 'a', '--timeframe', 'b', '--authority', 'c', '--note', 'd']);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/'do-not-call' is final/);
    });
  });

  describe('attempt accounting', () => {
    it('exhausts a lead after max-attempts without contact', async () => {
      q(['config', 'set', 'max-attempts', '3']);
      q(['config', 'set', 'max-per-day', '5']);
      q(['config', 'set', 'min-gap', '1m']);
      q(['config', 'set', 'retry.no-answer', '1m']);
      const id = await claimed();
      q(['log', String(id), 'no-answer'], 'ana', '2026-11-24T16:00:00Z');
      for (const t of ['2026-11-24T16:10:00Z', '2026-11-24T16:20:00Z']) {
        expect(json(q(['next', '--json'], 'ana', t)).lead.id).toBe(id);
        q(['log', String(id), 'no-answer'], 'ana', t);
      }
      expect(await row(id)).toMatchObject({ status: 'exhausted', attempts: 3, attempts_since_contact: 3, closed_at: '2026-11-24T16:20:00.000Z' });
      expect((await calls(id)).at(-1)).toMatchObject({ status_after: 'exhausted' });
    });

    it('a contact resets the no-contact count', async () => {
      q(['config', 'set', 'max-attempts', '2']);
      q(['config', 'set', 'retry.no-answer', '1m']);
      q(['config', 'set', 'retry.gatekeeper', '1m']);
      q(['config', 'set', 'min-gap', '1m']);
      q(['config', 'set', 'max-per-day', '9']);
      const id = await claimed();
      q(['log', String(id), 'no-answer'], 'ana', '2026-11-24T16:00:00Z');
      json(q(['next', '--json'], 'ana', '2026-11-24T16:05:00Z'));
      q(['log', String(id), 'gatekeeper'], 'ana', '2026-11-24T16:05:00Z');
      json(q(['next', '--json'], 'ana', '2026-11-24T16:10:00Z'));
      q(['log', String(id), 'no-answer'], 'ana', '2026-11-24T16:10:00Z');
      expect(await row(id)).toMatchObject({ status: 'working', attempts: 3, contacts: 1, attempts_since_contact: 1 });
    });

    it('max-per-day holds a lead until the next local day', async () => {
      q(['config', 'set', 'retry.busy', '1m']);
      q(['config', 'set', 'min-gap', '1m']);
      const id = await claimed();
      q(['log', String(id), 'busy'], 'ana', '2026-11-24T16:00:00Z');
      json(q(['next', '--json'], 'ana', '2026-11-24T16:05:00Z'));
      q(['log', String(id), 'busy'], 'ana', '2026-11-24T16:05:00Z');
      // Second attempt today: not before local midnight in New York.
      expect((await row(id)).next_eligible_at).toBe('2026-11-25T05:00:00.000Z');
      const why = json(q(['why', String(id), '--json'], 'ana', '2026-11-24T18:00:00Z'));
      expect(why.blockers.map((b: any) => b.rule)).toEqual(['per-day']);
      expect(why.callable_at).toBe('2026-11-25T14:00:00.000Z');
    });

    it("max-per-day counts the lead's day for a number in many zones, whatever the rep's zone (an offshore rep's midnight falls in US hours)", async () => {
      q(['config', 'set', 'retry.busy', '1m']);
      q(['config', 'set', 'min-gap', '1m']);
      const [id] = await seed([{ score: 99, timezone: 'America/New_York,America/Chicago,America/Denver,America/Los_Angeles' }]);
      // A rep in Kolkata: 18:25 UTC is 23:55 there, 18:35 UTC 00:05 the next day; 13:25 and 13:35 in New York.
      const kolkata = (args: string[], now: string) => callq(['--db', store.db, '--rep', 'ana', '--now', now, ...args], { env: { TZ: 'Asia/Kolkata' } });
      for (const now of ['2026-11-24T18:25:00Z', '2026-11-24T18:35:00Z']) {
        expect(json(kolkata(['next', '--json'], now)).lead.id).toBe(id);
        expect(kolkata(['log', String(id), 'busy'], now).code).toBe(0);
      }
      expect(kolkata(['next'], '2026-11-24T18:45:00Z').code).toBe(3);
      expect(await row(id)).toMatchObject({ day_attempts: 2, attempt_day: '2026-11-24' });
    });
  });

  describe('claims and refusals', () => {
    it('refuses a log without a claim (exit 4) unless --force; nothing written', async () => {
      const [id] = await seed([{}]);
      const before = await snapshot();
      const r = q(['log', String(id), 'no-answer']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/you hold no claim on lead/);
      expect(await snapshot()).toBe(before);
      expect(q(['log', String(id), 'no-answer', '--force']).code).toBe(0);
      expect(await calls(id)).toMatchObject([{ forced: 1 }]);
    });

    it("refuses a colleague's claim even with --force", async () => {
      const id = await claimed({}, 'bob');
      const before = await snapshot();
      const r = q(['log', String(id), 'no-answer', '--force'], 'ana');
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/claimed by bob/);
      expect(await snapshot()).toBe(before);
    });

    it('refuses an expired claim (exit 4), accepts it with --force', async () => {
      const id = await claimed();
      const late = q(['log', String(id), 'no-answer'], 'ana', '2026-11-24T16:20:00Z');
      expect(late.code).toBe(4);
      expect(late.stderr).toContain(`your claim on lead ${id} expired 5m00s ago; nothing was recorded.`);
      expect(q(['log', String(id), 'no-answer', '--force'], 'ana', '2026-11-24T16:20:00Z').code).toBe(0);
    });

    it('refuses a stale token after the lead was claimed again', async () => {
      const id = await claimed();
      const token = json(q(['next', '--json'])).claim.token;
      const wrong = q(['log', String(id), 'busy', '--token', 'deadbeefdeadbeef']);
      expect(wrong.code).toBe(4);
      // A mistyped token is not called a newer claim.
      expect(wrong.stderr).toContain(`the token given does not match your claim on lead ${id} (a newer claim of yours replaced it, or the token is mistyped)`);
      expect(q(['log', String(id), 'busy', '--token', token]).code).toBe(0);
    });

    it('refuses unknown leads and dispositions, and flags that do not fit (exit 2)', async () => {
      const id = await claimed();
      const unknown = q(['log', '999', 'busy']);
      expect(unknown.stderr).toMatch(/unknown lead 999/);
      expect(unknown.code).toBe(2);
      const d = q(['log', String(id), 'teleported']);
      expect(d.code).toBe(2);
      expect(d.stderr).toMatch(/unknown disposition 'teleported': use one of no-answer, busy/);
      expect(q(['log', String(id), 'busy', '--at', 'in 2h']).stderr).toMatch(/--at is only for callbacks/);
      expect(q(['log', String(id), 'busy', '--duration', 'long']).code).toBe(2);
      expect(q(['log', String(id), 'busy', '--answer', 'nokey']).code).toBe(2);
    });

    it('an illegal transition is an error, not a silent change', async () => {
      const id = await claimed();
      q(['log', String(id), 'disqualified', '--reason', 'no-need']);
      const r = q(['log', String(id), 'callback', '--at', 'tomorrow 10:00', '--force']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot move lead \d+ from 'disqualified' to 'callback'/);
    });
  });

  describe('team-defined dispositions', () => {
    it('a disposition added in settings works with its chosen effect', async () => {
      q(['config', 'set', 'disposition.sent-info', 'retry contact after=3d']);
      const id = await claimed();
      const out = json(q(['log', String(id), 'sent-info', '--note', 'emailed the deck', '--json']));
      expect(out).toMatchObject({ status: 'working', contact: true, next_eligible_at: '2026-11-27T16:00:00.000Z' });
      q(['config', 'set', 'disposition.busy', 'off']);
      const id2 = await claimed();
      expect(q(['log', String(id2), 'busy']).stderr).toMatch(/unknown disposition 'busy'/);
    });
  });
});

describe('help', () => {
  it('log --help lists the dispositions and examples', () => {
    const r = callq(['help', 'log']);
    expect(r.stdout).toMatch(/callq log 42 callback --at 'tomorrow 10:00'/);
  });
});
