// The queue through the binary on both stores: what `next` serves (score, calling hours in the
// lead's own zones, holidays, inbound freshness, filters, weights), held and expired claims,
// the empty queue's explanation, `queue`, `why`, `release`, `show`, and many processes at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callq, callqAsync, json } from '../helpers.js';
import { openDatabase } from '../../src/db/open.js';
import { seedStore, type SeedLead } from '../seed.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';

// Tuesday 2026-11-24, 11:00 in New York (16:00 UTC), 08:00 in Los Angeles.
const TUE_11_NY = '2026-11-24T16:00:00Z';

describe.each(STORE_KINDS)('the queue on %s', (kind) => {
  let store: TestStore;
  let db: string;
  beforeEach(async () => {
    store = await newTestStore(kind, { migrated: true });
    db = store.db;
    // An empty callq database, as `callq init` leaves it (PostgreSQL's comes migrated).
    if (kind === 'sqlite') openDatabase(db, { create: true }).close();
  });
  afterEach(() => store.cleanup());
  const q = (args: string[], rep = 'ana') => callq(['--db', db, '--rep', rep, ...args]);
  const seed = (leads: SeedLead[]) => seedStore(store, leads);
  const one = async (sql: string, ...params: unknown[]) => Object.values((await store.query(sql, ...params))[0] ?? {})[0] ?? null;

  describe('callq next', () => {
    it('claims the highest-scoring callable lead and prints its card', async () => {
      const [low, high] = await seed([{ score: 20, first_name: 'Low' }, { score: 90, first_name: 'High', company: 'Acme Corp' }]);
      const r = q(['next', '--now', TUE_11_NY]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('High');
      expect(r.stdout).toContain('Acme Corp');
      expect(r.stdout).toContain('+1 (212)');
      expect(r.stdout).toMatch(/Tue 11:00 New York/);
      const [row] = await store.query('SELECT claim_rep, claim_token, claim_expires_at FROM leads WHERE id = ?', high);
      expect(row.claim_rep).toBe('ana');
      expect(row.claim_token).toMatch(/^[0-9a-f]{16}$/);
      expect(row.claim_expires_at).toBe('2026-11-24T16:15:00.000Z');
      expect(await one('SELECT claim_rep FROM leads WHERE id = ?', low)).toBeNull();
    });

    it('--json gives the lead, the claim and every score term', async () => {
      const [id] = await seed([{ score: 80, source: 'webinar' }]);
      const out = json(q(['next', '--json', '--now', TUE_11_NY]));
      expect(out.lead).toMatchObject({ id, status: 'new', phone: expect.stringMatching(/^\+1212/) });
      expect(out.lead.name).toBeTruthy();
      expect(out.claim).toMatchObject({ rep: 'ana', expires_at: '2026-11-24T16:15:00.000Z' });
      expect(out.again).toBe(false);
      const names = out.score.terms.map((t: any) => t.name);
      expect(names).toEqual(['score', 'attempts', 'source', 'campaign', 'waiting']);
      const sum = out.score.terms.reduce((a: number, t: any) => a + t.points, 0);
      expect(out.score.total).toBeCloseTo(sum, 2);
      expect(out.score.terms[0]).toMatchObject({ name: 'score', weight: 0.5, points: 40 });
    });

    it('gives back a held lead whose calling hours have closed, rather than showing it as the call to make', async () => {
      // New York closes at 17:00 (22:00 UTC); Los Angeles is open until 17:00 there (01:00 UTC).
      const [ny, la] = await seed([{ score: 90, first_name: 'Nia' }, { score: 10, first_name: 'Leo', phone: '+14155550142', timezone: 'America/Los_Angeles' }]);
      expect(json(q(['next', '--json', '--now', '2026-11-24T21:59:30Z'])).lead.id).toBe(ny);
      const after = q(['next', '--now', '2026-11-24T22:05:00Z']);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stderr).toContain(`Lead #${ny} Nia`);
      expect(after.stderr).toContain('went back to the queue: its calling hours have closed since you took it. Do not dial it now.');
      expect(after.stdout).toContain('Leo');
      expect(await one('SELECT claim_rep FROM leads WHERE id = ?', ny)).toBeNull();
      expect(await one('SELECT claim_rep FROM leads WHERE id = ?', la)).toBe('ana');
      // Held while its hours are open, it is shown again as ever.
      expect(json(q(['next', '--json', '--now', '2026-11-24T22:06:00Z']))).toMatchObject({ again: true, lead: { id: la } });
      // With nothing else callable, the queue is empty (exit 3) and the held lead is free.
      expect(q(['release', String(la), '--now', '2026-11-24T22:07:00Z']).code).toBe(0);
      expect(json(q(['next', '--json', '--now', '2026-11-25T00:58:00Z'])).lead.id).toBe(la);
      const late = q(['next', '--now', '2026-11-25T01:05:00Z']);
      expect(late.code).toBe(3);
      expect(late.stderr).toContain(`Lead #${la} Leo Test went back to the queue`);
      expect(await one('SELECT claim_rep FROM leads WHERE id = ?', la)).toBeNull();
    });

    it('shows a held lead again instead of claiming a second one; --skip moves on', async () => {
      const [a, b] = await seed([{ score: 90 }, { score: 80 }]);
      expect(json(q(['next', '--json', '--now', TUE_11_NY])).lead.id).toBe(a);
      const again = json(q(['next', '--json', '--now', '2026-11-24T16:05:00Z']));
      expect(again.lead.id).toBe(a);
      expect(again.again).toBe(true);
      expect(q(['next', '--now', '2026-11-24T16:05:00Z']).stdout).toMatch(/You already hold this lead/);
      const skipped = json(q(['next', '--skip', '--json', '--now', '2026-11-24T16:06:00Z']));
      expect(skipped.lead.id).toBe(b);
      expect(await one('SELECT claim_rep FROM leads WHERE id = ?', a)).toBeNull();
    });

    it('never gives a colleague the lead someone holds; an expired lease returns it', async () => {
      const [a, b] = await seed([{ score: 90 }, { score: 80 }]);
      expect(json(q(['next', '--json', '--now', TUE_11_NY], 'ana')).lead.id).toBe(a);
      expect(json(q(['next', '--json', '--now', TUE_11_NY], 'bob')).lead.id).toBe(b);
      // 20 minutes later both leases (15m) have expired: a third rep gets the best lead again.
      expect(json(q(['next', '--json', '--now', '2026-11-24T16:20:00Z'], 'cy')).lead.id).toBe(a);
    });

    it('serves only leads inside calling hours in their own zone', async () => {
      const [ny, la] = await seed([
        { score: 10, timezone: 'America/New_York' },
        { score: 99, timezone: 'America/Los_Angeles' },
      ]);
      // 11:00 in New York is 08:00 in Los Angeles: only New York is open.
      expect(json(q(['next', '--json', '--now', TUE_11_NY])).lead.id).toBe(ny);
      // 13:00 New York = 10:00 Los Angeles: the better Los Angeles lead now comes first.
      expect(json(q(['next', '--json', '--now', '2026-11-24T18:00:00Z'], 'bob')).lead.id).toBe(la);
    });

    it('a lead spanning two zones is called only when inside hours in both', async () => {
      await seed([{ score: 90, timezone: 'America/Chicago,America/Denver' }]);
      // 09:30 Chicago = 08:30 Denver: Denver is not open yet.
      expect(q(['next', '--now', '2026-11-24T15:30:00Z']).code).toBe(3);
      // 10:30 Chicago = 09:30 Denver.
      expect(q(['next', '--now', '2026-11-24T16:30:00Z']).code).toBe(0);
    });

    it('an empty queue says why and when the next lead opens (exit 3)', async () => {
      await seed([{ timezone: 'America/New_York' }]);
      // Friday 17:30 in New York: next open is Monday 09:00 New York (14:00 UTC).
      const r = q(['next', '--now', '2026-11-27T22:30:00Z']);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/1 outside calling hours/);
      expect(r.stderr).toContain('The next lead becomes callable at Mon 30 Nov 14:00 UTC.');
      expect(r.stderr).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
      const j = json(q(['next', '--json', '--now', '2026-11-27T22:30:00Z']));
      expect(j).toMatchObject({ code: 3, outside_hours: 1, next_open: '2026-11-30T14:00:00.000Z' });
    });

    it('an empty database makes next exit 3 with a hint to import', async () => {
      const r = q(['next', '--now', TUE_11_NY]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/callq import/);
    });

    it('holidays and weekends close the queue', async () => {
      await seed([{}]);
      expect(q(['next', '--now', '2026-11-28T16:00:00Z']).code).toBe(3); // Saturday
      q(['config', 'set', 'hours.holidays', '11-26']);
      expect(q(['next', '--now', '2026-11-26T16:00:00Z']).code).toBe(3); // Thanksgiving
      expect(q(['next', '--now', '2026-11-25T16:00:00Z']).code).toBe(0);
    });

    it('no setting can widen hours past 08:00–21:00 local', async () => {
      await seed([{}]);
      q(['config', 'set', 'hours.start', '06:00']);
      q(['config', 'set', 'hours.end', '23:00']);
      expect(q(['next', '--now', '2026-11-24T12:30:00Z']).code).toBe(3); // 07:30 New York
      expect(q(['next', '--now', '2026-11-25T02:30:00Z']).code).toBe(3); // 21:30 New York
      expect(q(['next', '--now', '2026-11-25T01:30:00Z']).code).toBe(0); // 20:30 New York
    });

    it('a fresh inbound lead outranks every scored lead', async () => {
      const [, fresh] = await seed([{ score: 100 }, { score: 0, inbound_at: '2026-11-24T15:55:00Z', first_name: 'Inbound' }]);
      const out = json(q(['next', '--json', '--now', TUE_11_NY]));
      expect(out.lead.id).toBe(fresh);
      expect(out.reason).toBe('fresh');
      expect(out.score.terms.map((t: any) => t.name)).toContain('fresh');
      expect(q(['queue', '--explain', '--now', TUE_11_NY]).stdout).toMatch(/fresh\s+inbound 5 min ago\s+×\s+200 =\s+178\.2/);
      // Days later its freshness is worth nothing, and --explain no longer lists it.
      const later = q(['queue', '--explain', '--now', '2026-12-08T16:00:00Z']);
      expect(later.stdout).toContain('Inbound');
      expect(later.stdout).not.toMatch(/fresh\s+inbound/);
    });

    it('filters by list, campaign and source', async () => {
      const [, b, c] = await seed([
        { score: 90, list: 'a', source: 'webinar' },
        { score: 10, list: 'b', campaign: 'q4' },
        { score: 20, list: 'a', source: 'Trade Show' },
      ]);
      expect(json(q(['next', '--json', '--list', 'b', '--now', TUE_11_NY])).lead.id).toBe(b);
      expect(json(q(['next', '--json', '--source', 'trade show', '--now', TUE_11_NY], 'bob')).lead.id).toBe(c);
      const none = q(['next', '--campaign', 'nope', '--now', TUE_11_NY], 'cy');
      expect(none.code).toBe(3);
      expect(none.stderr).toContain('no lead still to call matches (campaign nope): a list, campaign or source is matched whole (in any case); check the name');
      expect(none.stderr).not.toMatch(/Import a list/);
    });

    it('source weights reorder the queue at once', async () => {
      const [a, b] = await seed([{ score: 60, source: 'purchased-list' }, { score: 40, source: 'webinar' }]);
      expect(json(q(['queue', '--json', '--now', TUE_11_NY]))[0].lead.id).toBe(a);
      q(['config', 'set', 'weight.source.webinar', '15']);
      const order = json(q(['queue', '--json', '--now', TUE_11_NY]));
      expect(order.map((e: any) => e.lead.id)).toEqual([b, a]);
      expect(order[0].score.terms.find((t: any) => t.name === 'source')).toMatchObject({ weight: 15, points: 15 });
    });
  });

  describe('callq queue, why, release, show', () => {
    it('queue previews the order without claiming', async () => {
      const ids = await seed([{ score: 10 }, { score: 70 }, { score: 40 }]);
      const r = q(['queue', '--now', TUE_11_NY]);
      expect(r.code).toBe(0);
      const list = json(q(['queue', '--json', '--now', TUE_11_NY]));
      expect(list.map((e: any) => e.lead.id)).toEqual([ids[1], ids[2], ids[0]]);
      expect(list.map((e: any) => e.position)).toEqual([1, 2, 3]);
      expect(await one('SELECT count(*) AS n FROM leads WHERE claim_rep IS NOT NULL')).toBe(0);
      expect(json(q(['queue', '--json', '--limit', '1', '--now', TUE_11_NY]))).toHaveLength(1);
      const explained = q(['queue', '--explain', '--now', TUE_11_NY]);
      expect(explained.stdout).toMatch(/score\s+70\s+×\s+0\.5 =\s+35\.0/);
      expect(q(['queue', '--limit', 'zero']).code).toBe(2);
    });

    it("a lead in a country's many zones shows the span of their clocks, and the card still says it is inside hours", async () => {
      // A toll-free number with only a country: every zone of it. 20:00 UTC is 10:00 in Honolulu, 15:00 in New York.
      const zones = 'America/Chicago,America/Los_Angeles,America/New_York,Pacific/Honolulu';
      const [id] = await seed([{ timezone: zones, phone: '+18005550199', company: 'Tollfree Inc' }]);
      const at = '2026-11-24T20:00:00Z';
      const queue = q(['queue', '--now', at]);
      expect(queue.code).toBe(0);
      const row = queue.stdout.split('\n').find((l) => l.includes('Tollfree Inc'))!;
      expect(row).toMatch(/Tue 10:00–15:00 in 4 zones {2}score$/);
      expect(row.length).toBeLessThan(160);
      const card = q(['next', '--now', at]);
      expect(card.stdout).toMatch(/lead time Tue 10:00–15:00 in 4 zones {2}inside calling hours/);
      expect(json(q(['show', String(id), '--json'])).lead.timezones).toEqual(zones.split(','));
    });

    it('why lists every blocker and when the lead is callable', async () => {
      const [id] = await seed([{ timezone: 'America/Los_Angeles' }]);
      q(['next', '--now', '2026-11-24T18:00:00Z'], 'bob');
      // Now 07:30 in Los Angeles (outside hours) and bob holds the claim until 18:15Z.
      const j = json(q(['why', String(id), '--json', '--now', '2026-11-24T15:30:00Z']));
      expect(j.callable).toBe(false);
      expect(j.blockers.map((b: any) => b.rule)).toEqual(['claim', 'hours']);
      expect(j.blockers[0]).toMatchObject({ until: '2026-11-24T18:15:00.000Z' });
      expect(j.blockers[1]).toMatchObject({ until: '2026-11-24T17:00:00.000Z' });
      expect(j.callable_at).toBe('2026-11-24T18:15:00.000Z');
      const human = q(['why', String(id), '--now', '2026-11-24T15:30:00Z']);
      expect(human.stdout).toMatch(/claimed by bob/);
      expect(human.stdout).toMatch(/outside calling hours/);
      expect(q(['why', '999']).code).toBe(2);
      expect(q(['why', 'abc']).code).toBe(2);
    });

    it('why says a lead with an unknown time zone is never served until one is set', async () => {
      const [id] = await seed([{ timezone: null }]);
      const j = json(q(['why', String(id), '--json', '--now', TUE_11_NY]));
      expect(j.blockers.map((b: any) => b.rule)).toEqual(['timezone']);
      expect(j.callable_at).toBeNull();
      expect(q(['next', '--now', TUE_11_NY]).stderr).toMatch(/1 with an unknown time zone/);
    });

    it('release gives the claim back; releasing what you do not hold is refused', async () => {
      const [id] = await seed([{}]);
      q(['next', '--now', TUE_11_NY], 'bob');
      const other = q(['release', String(id), '--now', TUE_11_NY], 'ana');
      expect(other.code).toBe(4);
      expect(other.stderr).toMatch(/claimed by bob/);
      expect(q(['release', '--now', TUE_11_NY], 'bob').code).toBe(0);
      expect(q(['release', '--now', TUE_11_NY], 'bob').code).toBe(3);
      expect(json(q(['next', '--json', '--now', TUE_11_NY], 'ana')).lead.id).toBe(id);
    });

    it('show prints the card and the history', async () => {
      const [id] = await seed([{ first_name: 'Grace', last_name: 'Hopper', company: 'Navy' }]);
      const r = q(['show', String(id), '--now', TUE_11_NY]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Grace Hopper');
      expect(r.stdout).toContain('no calls yet');
      const j = json(q(['show', String(id), '--json']));
      expect(j.lead).toMatchObject({ id, name: 'Grace Hopper', company: 'Navy', status: 'new' });
      expect(j.calls).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('many processes claiming at once never receive the same lead', async () => {
      await seed(Array.from({ length: 40 }, (_, i) => ({ score: i % 100 })));
      const reps = Array.from({ length: 8 }, (_, i) => `rep${i}`);
      const claimed: number[] = [];
      await Promise.all(
        reps.map(async (rep) => {
          for (;;) {
            // Each rep logs nothing, so it must skip to move on: --skip releases and claims the next.
            const r = await callqAsync(['--db', db, '--rep', rep, 'next', '--json', '--now', TUE_11_NY]);
            if (r.code === 3) return;
            expect(r.code).toBe(0);
            const out = JSON.parse(r.stdout);
            if (out.again) return;
            claimed.push(out.lead.id);
            // Hold it: mark it called by someone so it leaves the queue, as a real log would.
            await store.query("UPDATE leads SET status = 'disqualified', claim_rep = NULL, claim_expires_at = NULL WHERE id = ?", out.lead.id);
          }
        }),
      );
      expect(claimed).toHaveLength(40);
      expect(new Set(claimed).size).toBe(40);
    }, 120_000);
  });
});
