// Claims and outcomes on PostgreSQL: the same results as the SQLite store on the same leads and
// the same sequence of claims and outcomes, and the guarantees that hold under concurrency
// (a locked lead is skipped, a stolen or expired claim records nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { loadSettings, storeSetting } from '../../src/db/settings.js';
import { claimNextLead, type QueueFilters } from '../../src/db/queue.js';
import { recordOutcome } from '../../src/db/outcomes.js';
import { outcomeLead, planOutcome } from '../../src/core/outcome.js';
import type { LeadRow } from '../../src/core/lead.js';
import type { Settings } from '../../src/core/settings.js';
import { ConflictError } from '../../src/core/errors.js';
import type { PgClient } from '../../src/db/pg/open.js';
import { loadSettingsPg, storeSettingPg } from '../../src/db/pg/settings.js';
import { claimNextLeadPg, queueCandidatesPg, releaseClaimPg } from '../../src/db/pg/queue.js';
import { RECENT_INSTANTS } from '../../src/core/queue-order.js';
import { recordOutcomePg } from '../../src/db/pg/outcomes.js';
import { seedLeads, type SeedLead } from '../seed.js';
import { tempDir } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import { migratePg, PG_SCHEMA_VERSION } from '../../src/db/pg/migrations.js';

const BASE = Date.parse('2026-11-24T14:30:00.000Z'); // Tuesday 09:30 New York, 14:30 London, 06:30 Los Angeles
const at = (minutes: number) => new Date(BASE + minutes * 60_000);

/** Copies every lead (all columns, ids kept) from a SQLite file into PostgreSQL. */
async function copyLeads(db: DB, client: PgClient): Promise<void> {
  const rows = db.prepare('SELECT * FROM leads ORDER BY id').all() as Record<string, unknown>[];
  for (const row of rows) {
    const cols = Object.keys(row);
    await client.query(`INSERT INTO leads(${cols.join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, Object.values(row));
  }
}

function planFor(disposition: string, now: Date, settings: Settings, rep: string) {
  const d = settings.dispositions.find((x) => x.name === disposition)!;
  return (lead: LeadRow) =>
    planOutcome(
      outcomeLead(lead),
      {
        disposition: d,
        note: disposition === 'qualified' ? 'wants a demo' : `note ${disposition}`,
        at: new Date(now.getTime() + 90 * 60_000),
        until: new Date(now.getTime() + 30 * 86_400_000),
        reason: disposition === 'disqualified' ? 'no-budget' : undefined,
        answers: { need: 'tracking', timeframe: 'Q1', authority: 'VP' },
        rep,
        viewerZone: 'UTC',
      },
      now,
      settings,
    );
}

const settle = async <T>(f: () => T | Promise<T>): Promise<{ ok: T } | { error: string }> => {
  try {
    return { ok: await f() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

function seedScenario(path: string): void {
  const leads: SeedLead[] = [];
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'America/Chicago,America/New_York', null];
  for (let i = 0; i < 48; i++) {
    leads.push({
      timezone: zones[i % zones.length],
      score: (i * 37) % 101,
      source: ['webinar', 'referral', 'purchased-list'][i % 3],
      campaign: i % 4 === 0 ? 'q4' : null,
      list: i % 2 ? 'a' : 'b',
      inbound_at: i % 9 === 0 ? at(-(i % 40)).toISOString() : null,
      status: i % 10 === 7 ? 'working' : 'new',
      attempts: i % 10 === 7 ? 2 : 0,
      next_eligible_at: i % 10 === 7 ? at(20 + i).toISOString() : null,
      created_at: new Date(BASE - (i % 13) * 86_400_000).toISOString(),
      alt_phones: i % 8 === 3 ? ['+13125550188', '+13125550189'] : undefined,
    });
  }
  // Two people reached the same way as lead 1 (same phone, same e-mail), and a colleague on an extension.
  leads.push({ phone: '+12125550100', email: 'one@example.com', timezone: 'America/New_York', score: 99 });
  leads.push({ phone: '+12125550100', email: 'other@example.com', timezone: 'America/New_York', score: 10 });
  leads.push({ phone: '+12125550177', email: 'one@example.com', timezone: 'America/Chicago', score: 10 });
  // Closed zone (never served): do-not-call logged by ops on 52 reaches 53 by e-mail; on 54 (extension 7) not 55 (extension 8).
  leads.push({ phone: '+12125550155', email: 'shared@example.com', timezone: 'America/Los_Angeles' });
  leads.push({ phone: '+12125550156', email: 'shared@example.com', timezone: 'America/Los_Angeles' });
  leads.push({ phone: '+12125550157', email: null, timezone: 'America/Los_Angeles' });
  leads.push({ phone: '+12125550157', email: null, timezone: 'America/Los_Angeles' });
  seedLeads(path, leads);
  const db = openDatabase(path);
  db.prepare(`UPDATE leads SET phone_ext = CASE id WHEN 54 THEN '7' ELSE '8' END WHERE id IN (54, 55)`).run();
  // Due callbacks: one per rep, one for anyone, one only past the grace period; and a lead at its attempt limit.
  const cb = db.prepare(`UPDATE leads SET status = 'callback', callback_at = ?, callback_rep = ?, next_eligible_at = ? WHERE id = ?`);
  cb.run(at(5).toISOString(), 'ben', at(5).toISOString(), 2);
  cb.run(at(1).toISOString(), null, at(1).toISOString(), 8);
  cb.run(at(-30).toISOString(), 'cid', at(-30).toISOString(), 14);
  cb.run(at(30).toISOString(), 'ana', at(30).toISOString(), 20);
  db.prepare(`UPDATE leads SET attempts_since_contact = 3, attempts = 3 WHERE id = 26`).run();
  db.prepare(`UPDATE leads SET phone_ext = '101' WHERE phone = '+12125550100' AND score = 10`).run();
  db.close();
}

/** The same leads in a SQLite file (seeded by `seed`) and in a fresh PostgreSQL database. */
async function onBothStores(seed: (path: string) => void): Promise<{ lite: DB; pgdb: TestDatabase; client: PgClient; close: () => Promise<void> }> {
  const tmp = tempDir();
  const path = join(tmp.dir, 'leads.db');
  seed(path);
  const lite = openDatabase(path);
  const pgdb = await freshDatabase();
  const client = await pgdb.connect();
  await copyLeads(lite, client);
  return {
    lite,
    pgdb,
    client,
    async close() {
      lite.close();
      await client.end();
      await pgdb.drop();
      tmp.cleanup();
    },
  };
}

describe.skipIf(pgInfo.unavailable)('PostgreSQL claims and outcomes mirror SQLite', () => {
  let stores: Awaited<ReturnType<typeof onBothStores>>;
  let client: PgClient;
  let lite: DB;
  beforeAll(async () => {
    stores = await onBothStores(seedScenario);
    ({ lite, client } = stores);
    for (const [key, value] of [['max-attempts', '4'], ['weight.source.referral', '12'], ['max-per-day', '3']]) {
      storeSetting(lite, key, value, 'ops', at(-60));
      await storeSettingPg(client, key, value, 'ops', at(-60));
    }
  });
  afterAll(async () => stores?.close());

  it('serves the same leads in the same order with the same reasons, and records the same outcomes', async () => {
    let settingsLite = loadSettings(lite);
    let settingsPg = await loadSettingsPg(client);
    expect(settingsPg).toEqual(settingsLite);
    const reps = ['ana', 'ben', 'cid'];
    const dispositions = ['no-answer', 'callback', 'busy', 'voicemail', 'gatekeeper', 'do-not-call', 'qualified', 'nurture', 'bad-number', 'not-interested', 'disqualified'];
    const served: string[] = [];
    let logged = 0;
    let alsoSuppressed = 0;
    for (let step = 0; step < 90; step++) {
      const now = at(step * 3);
      const rep = reps[step % 3];
      if (step === 75) {
        // Calling hours change in the afternoon: every group's stored windows go stale at once.
        storeSetting(lite, 'hours.end', '13:00', 'ops', now);
        await storeSettingPg(client, 'hours.end', '13:00', 'ops', now);
        settingsLite = loadSettings(lite);
        settingsPg = await loadSettingsPg(client);
      }
      const filters: QueueFilters = step % 7 === 6 ? { list: 'A' } : step % 11 === 10 ? { source: 'Referral', exclude: [1, 3] } : {};
      const a = claimNextLead(lite, now, settingsLite, rep, filters);
      const b = await claimNextLeadPg(client, now, settingsPg, rep, filters);
      expect(b && { id: b.lead.id, reason: b.reason }, `step ${step}`).toEqual(a && { id: a.lead.id, reason: a.reason });
      if (!a || !b) continue;
      expect(b.total).toBeCloseTo(a.total, 9);
      expect({ ...b.lead, claim_token: null }).toEqual({ ...a.lead, claim_token: null });
      served.push(`${rep}:${a.lead.id}:${a.reason}`);
      // Every fifth claim is kept (the rep sees it again as 'held'); a colleague sometimes tries to log it.
      if (step % 5 === 2) {
        const other = reps[(step + 1) % 3];
        const x = await settle(() => recordOutcome(lite, { leadId: a.lead.id, rep: other, now, force: false }, settingsLite, planFor('busy', now, settingsLite, other)));
        // The colleague's copy of the lead (b.lead) shows someone else's claim: decided on the stored lead.
        const y = await settle(() => recordOutcomePg(client, { leadId: b.lead.id, rep: other, now, force: false }, settingsPg, planFor('busy', now, settingsPg, other), b.lead));
        expect(y).toEqual(x);
        continue;
      }
      const disposition = dispositions[step % dispositions.length];
      const x = await settle(() =>
        recordOutcome(lite, { leadId: a.lead.id, rep, now, force: false, token: a.token }, settingsLite, planFor(disposition, now, settingsLite, rep)),
      );
      const y = await settle(() =>
        // Every other outcome starts from the row the claim returned, as callq work would.
        recordOutcomePg(client, { leadId: b.lead.id, rep, now, force: false, token: b.token }, settingsPg, planFor(disposition, now, settingsPg, rep), step % 2 ? b.lead : undefined),
      );
      const strip = (r: typeof x) => ('ok' in r ? { ...r.ok, lead: { ...r.ok.lead, claim_token: null } } : r);
      expect(strip(y), `step ${step}: ${disposition}`).toEqual(strip(x));
      if ('ok' in x) logged++;
      if ('ok' in x && x.ok.alsoSuppressed > 0) alsoSuppressed += x.ok.alsoSuppressed;
    }
    // The scenario reached what it is meant to test.
    expect(served.some((s) => s.endsWith(':held'))).toBe(true);
    expect(served.some((s) => s.endsWith(':callback-mine'))).toBe(true);
    expect(served.some((s) => s.endsWith(':callback'))).toBe(true);
    expect(served.some((s) => s.endsWith(':fresh'))).toBe(true);
    expect(logged).toBeGreaterThan(30);
    expect(alsoSuppressed).toBeGreaterThan(0);

    // Outcomes logged outside the queue (--force), reaching other leads by e-mail and by extension.
    const forced: number[] = [];
    for (const id of [52, 54]) {
      const now = at(300);
      const x = recordOutcome(lite, { leadId: id, rep: 'ops', now, force: true }, settingsLite, planFor('do-not-call', now, settingsLite, 'ops'));
      const y = await recordOutcomePg(client, { leadId: id, rep: 'ops', now, force: true }, settingsPg, planFor('do-not-call', now, settingsPg, 'ops'));
      expect(y).toEqual(x);
      forced.push(y.alsoSuppressed);
    }
    expect(forced).toEqual([1, 0]);

    const tables = ['leads', 'calls', 'suppressions', 'lead_alt_phones', 'lead_zones'];
    for (const table of tables) {
      const order = table === 'lead_alt_phones' ? 'lead_id, phone' : table === 'lead_zones' ? 'timezone' : 'id';
      const cols = table === 'lead_zones' ? 'timezone' : '*';
      const mask = (r: Record<string, unknown>) => ('claim_token' in r ? { ...r, claim_token: r.claim_token === null ? null : 'token' } : r);
      const fromLite = (lite.prepare(`SELECT ${cols} FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[]).map(mask);
      const fromPg = (await client.query(`SELECT ${cols} FROM ${table} ORDER BY ${order}`)).rows.map(mask);
      expect(fromPg, table).toEqual(fromLite);
    }
    const dnc = (await client.query(`SELECT count(*) AS n FROM leads WHERE status = 'do-not-call'`)).rows[0].n;
    expect(dnc).toBeGreaterThan(0);
  });
});

/** A fresh database holding `leads` (seeded as on SQLite), and two sessions on it. */
async function twoSessionsOn(leads: SeedLead[]): Promise<{ pgdb: TestDatabase; client: PgClient; other: PgClient }> {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'leads.db');
    seedLeads(path, leads);
    const lite = openDatabase(path);
    const pgdb = await freshDatabase();
    const client = await pgdb.connect();
    const other = await pgdb.connect();
    await copyLeads(lite, client);
    lite.close();
    return { pgdb, client, other };
  } finally {
    tmp.cleanup();
  }
}

describe.skipIf(pgInfo.unavailable)('PostgreSQL claims under concurrency', () => {
  let pgdb: TestDatabase;
  let client: PgClient;
  let other: PgClient;
  let settings: Settings;
  let first: Awaited<ReturnType<typeof claimNextLeadPg>>;
  beforeAll(async () => {
    ({ pgdb, client, other } = await twoSessionsOn([
      { score: 90, timezone: 'America/New_York' },
      { score: 80, timezone: 'America/New_York' },
      { score: 70, timezone: 'America/New_York' },
      { score: 60, timezone: 'America/Los_Angeles' },
    ]));
    settings = await loadSettingsPg(client);
  });
  afterAll(async () => {
    await client?.end();
    await other?.end();
    await pgdb?.drop();
  });

  it('reads each open zone group through the queue index, a bounded range each', async () => {
    const { rows } = await client.query(
      `EXPLAIN (FORMAT JSON) SELECT t.* FROM unnest($1::text[]) AS z(tz) CROSS JOIN LATERAL (
         SELECT id FROM leads WHERE timezone = z.tz AND status IN ('new','working','nurture')
           AND (next_eligible_at IS NULL OR next_eligible_at <= $2) ORDER BY queue_rank DESC LIMIT 16) AS t`,
      [['America/New_York', 'America/Chicago'], at(0).toISOString()],
    );
    await client.query('SET enable_seqscan = off'); // a four-lead table would be scanned otherwise
    const { rows: forced } = await client.query(
      `EXPLAIN (FORMAT JSON) SELECT t.* FROM unnest($1::text[]) AS z(tz) CROSS JOIN LATERAL (
         SELECT id FROM leads WHERE timezone = z.tz AND status IN ('new','working','nurture')
           AND (next_eligible_at IS NULL OR next_eligible_at <= $2) ORDER BY queue_rank DESC LIMIT 16) AS t`,
      [['America/New_York', 'America/Chicago'], at(0).toISOString()],
    );
    await client.query('RESET enable_seqscan');
    expect(JSON.stringify(rows)).toContain('Limit');
    const plan = JSON.stringify(forced);
    expect(plan).toContain('"Index Name":"leads_queue"');
    expect(plan).not.toContain('"Node Type":"Sort"');
  });

  it('skips a lead another transaction is claiming instead of waiting for it, and never serves it twice', async () => {
    // `other` holds the best lead's row lock, as a claim in progress does.
    await other.query('BEGIN');
    await other.query('SELECT id FROM leads WHERE id = 1 FOR UPDATE');
    first = await claimNextLeadPg(client, at(0), settings, 'ana', {});
    expect(first?.lead.id).toBe(2);
    // The other transaction claims lead 1 and commits: the next claim must not take it.
    await other.query(`UPDATE leads SET claim_rep = 'ben', claim_token = 't', claim_expires_at = $1 WHERE id = 1`, [at(15).toISOString()]);
    await other.query('COMMIT');
    const second = await claimNextLeadPg(client, at(0), settings, 'cid', {});
    expect(second?.lead.id).toBe(3);
    // Los Angeles is closed at 06:30: nothing more.
    expect(await claimNextLeadPg(client, at(0), settings, 'dee', {})).toBeNull();
    expect((await claimNextLeadPg(client, at(1), settings, 'ana', {}))?.reason).toBe('held');
    const preview = await queueCandidatesPg(client, at(0), settings, 'ben', {}, 10);
    expect(preview.map((e) => e.lead.id)).toEqual([1]);
  });

  it('refuses an outcome on a stolen or expired claim and records nothing', async () => {
    const busy = (rep: string, now: Date) => planFor('busy', now, settings, rep);
    const calls = async () => Number((await client.query('SELECT count(*) AS n FROM calls')).rows[0].n);
    // ana's claim on lead 2 (from the test above) expires at +15 min; ben takes the lead at +16.
    const stolen = await claimNextLeadPg(client, at(16), settings, 'ben', { exclude: [1, 3] });
    expect(stolen?.lead.id).toBe(2);
    await expect(recordOutcomePg(client, { leadId: 2, rep: 'ana', now: at(17), force: false }, settings, busy('ana', at(17)))).rejects.toThrow(
      new ConflictError('lead 2 is claimed by ben (for another 14m00s unless they log or give it back); nothing was recorded.', {
        claimed_by: 'ben',
        claim_expires_at: at(31).toISOString(),
      }),
    );
    await expect(recordOutcomePg(client, { leadId: 2, rep: 'ben', now: at(40), force: false, token: stolen!.token }, settings, busy('ben', at(40)))).rejects.toThrow(
      'your claim on lead 2 expired 9m00s ago; nothing was recorded',
    );
    expect(await calls()).toBe(0);
    // ana's stale copy of the lead (her own claim, before it expired) does not fool the write either.
    await expect(
      recordOutcomePg(client, { leadId: 2, rep: 'ana', now: at(14), force: false, token: first!.token }, settings, busy('ana', at(14)), first!.lead),
    ).rejects.toThrow('lead 2 is claimed by ben (for another 17m00s');
    expect(await calls()).toBe(0);
    // A stale token (the lead was claimed again since) is refused too.
    const again = await claimNextLeadPg(client, at(41), settings, 'ben', { exclude: [1, 3] });
    expect(again?.lead.id).toBe(2);
    await expect(recordOutcomePg(client, { leadId: 2, rep: 'ben', now: at(42), force: false, token: stolen!.token }, settings, busy('ben', at(42)))).rejects.toThrow(
      /the token given does not match your claim on lead 2/,
    );
    const ok = await recordOutcomePg(client, { leadId: 2, rep: 'ben', now: at(42), force: false, token: again!.token }, settings, busy('ben', at(42)));
    expect(ok.lead.claim_rep).toBeNull();
    expect(ok.lead.status).toBe('working');
    expect(await calls()).toBe(1);
    expect(await releaseClaimPg(client, 3, 'cid', at(43))).toBe(false); // expired at +15
  });

  it('records nothing when the claim is taken over between the read and the write', async () => {
    const claim = await claimNextLeadPg(client, at(100), settings, 'eve', { exclude: [2, 3] });
    expect(claim?.lead.id).toBe(1);
    // A takeover in progress: the row is locked by an uncommitted update when eve logs.
    await other.query('BEGIN');
    await other.query(`UPDATE leads SET claim_rep = 'fay', claim_token = 'x', claim_expires_at = $1 WHERE id = 1`, [at(130).toISOString()]);
    const logging = settle(() => recordOutcomePg(client, { leadId: 1, rep: 'eve', now: at(101), force: false, token: claim!.token }, settings, planFor('no-answer', at(101), settings, 'eve')));
    // eve read the lead as hers and her write now waits on the row: wait (within the test's timeout) until the server says so.
    const watcher = await pgdb.connect();
    try {
      for (;;) {
        const { rows } = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH upd AS%'`,
        );
        if (rows.length) break;
      }
    } finally {
      await watcher.end();
    }
    await other.query('COMMIT');
    expect(await logging).toEqual({ error: 'ConflictError: lead 1 is claimed by fay (for another 29m00s unless they log or give it back); nothing was recorded.' });
    expect(Number((await client.query('SELECT count(*) AS n FROM calls WHERE lead_id = 1')).rows[0].n)).toBe(0);
  });
});

describe.skipIf(pgInfo.unavailable)('PostgreSQL claims when the best leads are all being claimed', () => {
  let pgdb: TestDatabase;
  let client: PgClient;
  let other: PgClient;
  beforeAll(async () => {
    // Twenty leads in one zone group, best first by score: lead 1 is the best, lead 20 the last.
    ({ pgdb, client, other } = await twoSessionsOn(Array.from({ length: 20 }, (_, i) => ({ score: 95 - i * 4, timezone: 'America/New_York' }))));
  });
  afterAll(async () => {
    await client?.end();
    await other?.end();
    await pgdb?.drop();
  });

  it('looks past every candidate being claimed to the best free one, without waiting', async () => {
    const settings = await loadSettingsPg(client);
    // Another session holds the row locks of the nine best leads, as nine claims in progress do:
    // more than one pick considers at a time and more than a claim first reads per zone group.
    await other.query('BEGIN');
    const locked = await other.query<{ id: number }>('SELECT id FROM leads ORDER BY queue_rank DESC LIMIT 9 FOR UPDATE');
    expect(locked.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const claim = await claimNextLeadPg(client, at(0), settings, 'ana', {});
    expect(claim?.lead.id).toBe(10);
    expect((await claimNextLeadPg(client, at(0), settings, 'ben', {}))?.lead.id).toBe(11);
    await other.query('ROLLBACK');
    // Once the locks are gone, the best lead is served again; ana still holds hers.
    expect((await claimNextLeadPg(client, at(0), settings, 'cid', {}))?.lead.id).toBe(1);
    expect(await claimNextLeadPg(client, at(1), settings, 'ana', {})).toMatchObject({ reason: 'held', lead: { id: 10 } });
  });
});

describe.skipIf(pgInfo.unavailable)('PostgreSQL claims in one round trip, and the longer way when one statement cannot decide', () => {
  let stores: Awaited<ReturnType<typeof onBothStores>>;
  let client: PgClient;
  let lite: DB;
  /** Round trips the PostgreSQL session makes (each client.query is one). */
  let trips = 0;
  beforeAll(async () => {
    // In one zone group: ten scored leads (score 100), the best by stored rank; inbound leads that
    // came in 20 to 30 minutes ago, each at an instant of its own: four times more than the claim
    // steps through one by one, score 0, and the fourteen oldest, 90. Fresh enough and scored
    // better, those fourteen are the best although neither among the newest instants nor among
    // the group's best stored ranks.
    const leads: SeedLead[] = [];
    const newest = RECENT_INSTANTS * 4;
    for (let i = 0; i < newest + 14; i++) {
      const arrived = at(-20 - (10 * i) / (newest + 14)).toISOString();
      leads.push({ score: i < newest ? 0 : 90, inbound_at: arrived, created_at: arrived });
    }
    for (let i = 0; i < 10; i++) leads.push({ score: 100, created_at: at(-60).toISOString() });
    // Inbound two months ago: its freshness, 0.5 to the power of 2,880, is below what PostgreSQL's
    // power() returns without an underflow error; it counts as none, as in JS.
    leads.push({ score: 100, inbound_at: at(-60 * 24 * 60).toISOString(), created_at: at(-60).toISOString() });
    stores = await onBothStores((path) => seedLeads(path, leads));
    ({ lite, client } = stores);
    const query = client.query.bind(client);
    client.query = ((...args: Parameters<PgClient['query']>) => {
      trips++;
      return query(...args);
    }) as PgClient['query'];
  });
  afterAll(async () => stores?.close());

  it('serves the order SQLite serves, in one round trip (a held claim too) unless stale windows need more', async () => {
    let settingsLite = loadSettings(lite);
    let settingsPg = await loadSettingsPg(client);
    const tripsPerClaim: number[] = [];
    const reasons: string[] = [];
    const scores: number[] = [];
    for (let step = 0; step < 40; step++) {
      const now = at(step === 0 ? 0 : 1);
      if (step === 30) {
        // The calling hours change: every group's stored windows are stale for the next claim.
        storeSetting(lite, 'hours.end', '18:00', 'ops', now);
        await storeSettingPg(client, 'hours.end', '18:00', 'ops', now);
        settingsLite = loadSettings(lite);
        settingsPg = await loadSettingsPg(client);
      }
      const a = claimNextLead(lite, now, settingsLite, 'ana', {});
      trips = 0;
      const b = await claimNextLeadPg(client, now, settingsPg, 'ana', {});
      tripsPerClaim.push(trips);
      expect(b && { id: b.lead.id, reason: b.reason }, `step ${step}`).toEqual(a && { id: a.lead.id, reason: a.reason });
      expect(b!.total).toBeCloseTo(a!.total, 9);
      reasons.push(b!.reason);
      scores.push(b!.lead.score);
      if (step === 20) continue; // kept: the next claim gives it back as 'held'
      recordOutcome(lite, { leadId: a!.lead.id, rep: 'ana', now, force: false, token: a!.token }, settingsLite, planFor('no-answer', now, settingsLite, 'ana'));
      await recordOutcomePg(client, { leadId: b!.lead.id, rep: 'ana', now, force: false, token: b!.token }, settingsPg, planFor('no-answer', now, settingsPg, 'ana'), b!.lead);
    }
    // The inbound leads first, the older fourteen among them. The first claim stores the zone
    // groups' windows (the longer way); then each claim is one round trip, a held claim included.
    expect(reasons.slice(0, 30).every((r) => r === 'fresh' || r === 'held')).toBe(true);
    expect(scores.slice(0, 14)).toEqual(Array(14).fill(90));
    expect(tripsPerClaim[0]).toBeGreaterThan(1);
    expect(tripsPerClaim.slice(1, 30)).toEqual(Array(29).fill(1));
    expect(reasons[21]).toBe('held');
    // The hours changed: that claim recomputes the windows the longer way, the next is one round trip again.
    expect(tripsPerClaim[30]).toBeGreaterThan(1);
    expect(tripsPerClaim.slice(31)).toEqual(Array(9).fill(1));
  });
});

/** A claim by ana at `at(0)`, and the prepared statements it executed (each `EXECUTE name(values)`), to EXPLAIN them. */
async function recordedClaim(
  client: PgClient, settings: Settings, filters: QueueFilters = {},
): Promise<{ claim: Awaited<ReturnType<typeof claimNextLeadPg>>; executes: string[] }> {
  const sent: string[] = [];
  const query = client.query.bind(client);
  client.query = ((...args: Parameters<PgClient['query']>) => {
    const q = args[0] as unknown;
    sent.push(typeof q === 'string' ? q : (q as { text: string }).text);
    return query(...args);
  }) as PgClient['query'];
  try {
    const claim = await claimNextLeadPg(client, at(0), settings, 'ana', filters);
    return { claim, executes: sent.join(';').match(/EXECUTE callq_[0-9a-f]+\([^;]*\)/g) ?? [] };
  } finally {
    client.query = query;
  }
}

describe.skipIf(pgInfo.unavailable)('PostgreSQL claims read only the due callbacks, whatever the statistics say', () => {
  /** The plan of the claim's own statement (generic, as claims run it) on a database at `version`. */
  async function claimPlan(version: number, filters: QueueFilters = {}): Promise<string> {
    const pgdb = await freshDatabase({ migrated: false });
    const client = await pgdb.connect();
    try {
      await migrateForTodaysClaim(client, version);
      // A list as an import leaves it: 3,000 new leads in one zone group, and statistics taken
      // then (the import's ANALYZE), when no lead was a callback. One lead in fifty came from a
      // webinar (list, campaign and source say so).
      await client.query(
        `INSERT INTO leads(first_name, phone, timezone, score, queue_rank, list, campaign, source, created_at, updated_at)
         SELECT 'Lead ' || i, '+1212555' || lpad(i::text, 4, '0'), 'America/New_York', i % 100, i % 100,
           CASE WHEN i % 50 = 0 THEN 'Spring Webinar' END, CASE WHEN i % 50 = 0 THEN 'Webinar 2026' ELSE 'Cold List' END,
           CASE WHEN i % 50 = 0 THEN 'webinar' ELSE 'purchased-list' END, $1, $1
         FROM generate_series(1, 3000) i`,
        [at(-60 * 24).toISOString()],
      );
      await client.query('ANALYZE leads');
      // Then the weeks' callbacks pile up: 400 leads to call back tomorrow, none due now.
      await client.query(`UPDATE leads SET status = 'callback', callback_at = $1, callback_rep = 'bob' WHERE id <= 400`, [at(60 * 24).toISOString()]);
      const settings = await loadSettingsPg(client);
      const { claim, executes } = await recordedClaim(client, settings, filters);
      expect(claim?.lead.status).toBe('new');
      // The claim's one statement, as it ran: EXPLAIN it the same way.
      const execute = executes[0];
      await client.query(`BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_bitmapscan = off`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${execute}`);
      await client.query('ROLLBACK');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
      await pgdb.drop();
    }
  }

  it('reads callbacks through leads_callbacks and the rep\'s own through leads_callbacks_rep, never every callback through leads_status (migration 6)', async () => {
    // Before migration 6, the plan reads the callbacks through leads_status: all 400 of them, on every claim.
    expect(await claimPlan(5)).toMatch(/using leads_status/);
    const plan = await claimPlan(PG_SCHEMA_VERSION);
    expect(plan).not.toMatch(/using leads_status/);
    expect(plan).toMatch(/using leads_callbacks on/);
    // The rep's own due callbacks: a range of leads_callbacks_rep, not every callback due.
    expect(plan).toMatch(/using leads_callbacks_rep on/);
  });

  it('serves a rep working one list through the lists\' index, not every zone group\'s leads (migration 10)', async () => {
    // Before: each open zone group's range of leads_queue, read until it met leads of the list.
    expect(await claimPlan(9, { list: 'spring webinar' })).toMatch(/using leads_queue on/);
    const plan = await claimPlan(PG_SCHEMA_VERSION, { list: 'SPRING WEBINAR' });
    // The group heads and the top of the best groups: ranges of the lists' index.
    expect(plan).toMatch(/using leads_list_queue on/);
    expect(plan).not.toMatch(/using leads_queue on/);
  });
});

/**
 * Brings a new database to schema `version` only, for today's claim to run on an older schema and
 * show how it read there: what that claim needs and the version lacks is added as it is made
 * (rep_claims before version 9, callq_fold before version 12).
 */
async function migrateForTodaysClaim(client: PgClient, version: number): Promise<void> {
  await migratePg(client, version);
  if (version < 9) await client.query('CREATE TABLE rep_claims (rep text PRIMARY KEY, lead_id bigint NOT NULL)');
  if (version < 12) await client.query('CREATE FUNCTION callq_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$');
}

/**
 * Claims `claims` leads one after another on both stores at `at(0)`, each logged no-answer, and
 * checks that PostgreSQL serves what SQLite serves, each claim in one round trip (after one
 * `callq queue` has stored the zone groups' windows). Returns what PostgreSQL served, and why.
 */
async function claimsInOneTrip(
  leads: SeedLead[], claims: number, prepare?: (stores: { lite: DB; client: PgClient }) => Promise<void>,
): Promise<{ lead: LeadRow; reason: string }[]> {
  const stores = await onBothStores((path) => seedLeads(path, leads));
  try {
    const { lite, client } = stores;
    await prepare?.(stores);
    let trips = 0;
    const query = client.query.bind(client);
    client.query = ((...args: Parameters<PgClient['query']>) => {
      trips++;
      return query(...args);
    }) as PgClient['query'];
    const settingsLite = loadSettings(lite);
    const settingsPg = await loadSettingsPg(client);
    await queueCandidatesPg(client, at(0), settingsPg, 'ana', {}, 1);
    const served: { lead: LeadRow; reason: string }[] = [];
    for (let step = 0; step < claims; step++) {
      const a = claimNextLead(lite, at(0), settingsLite, 'ana', {});
      trips = 0;
      const b = await claimNextLeadPg(client, at(0), settingsPg, 'ana', {});
      expect(trips, `round trips of claim ${step}`).toBe(1);
      expect(b && { id: b.lead.id, reason: b.reason }, `step ${step}`).toEqual(a && { id: a.lead.id, reason: a.reason });
      served.push({ lead: b!.lead, reason: b!.reason });
      recordOutcome(lite, { leadId: a!.lead.id, rep: 'ana', now: at(0), force: false, token: a!.token }, settingsLite, planFor('no-answer', at(0), settingsLite, 'ana'));
      await recordOutcomePg(client, { leadId: b!.lead.id, rep: 'ana', now: at(0), force: false, token: b!.token }, settingsPg, planFor('no-answer', at(0), settingsPg, 'ana'), b!.lead);
    }
    return served;
  } finally {
    await stores.close();
  }
}

describe.skipIf(pgInfo.unavailable)("PostgreSQL claims among the day's web leads, in one round trip", () => {
  it('passes over the fresh web leads of zones still closed without reading them page by page', async () => {
    // At 09:30 in New York: forty web leads from Tokyo (23:30 there, closed) came in over the last
    // forty minutes, fresher than five from New York and ten New York leads with the best scores.
    const leads: SeedLead[] = [];
    for (let i = 0; i < 40; i++) leads.push({ timezone: 'Asia/Tokyo', score: 100, inbound_at: at(-i - 1).toISOString(), created_at: at(-i - 1).toISOString() });
    for (let i = 0; i < 5; i++) leads.push({ score: 10, inbound_at: at(-50 - i).toISOString(), created_at: at(-50 - i).toISOString() });
    for (let i = 0; i < 10; i++) leads.push({ score: 100, created_at: at(-600).toISOString() });
    const served = (await claimsInOneTrip(leads, 12)).map((c) => `${c.lead.timezone}:${c.reason}`);
    // The New York web leads first (fresh), then the scored leads; never a Tokyo lead.
    expect(served.slice(0, 5)).toEqual(Array(5).fill('America/New_York:fresh'));
    expect(served.slice(5)).toEqual(Array(7).fill('America/New_York:score'));
  });

  it('serves leads of equal rank in several zone groups by id, as SQLite does, after some were rewritten on disk', async () => {
    // 60 leads of one list, imported at once with the same score, in five zone groups open at
    // 09:30 in New York. A re-import changed the e-mails of the first three, which gives their
    // rows new places on disk on PostgreSQL: reading a group's top in the order of its rows served
    // lead 4 where SQLite serves lead 1.
    const zones = ['America/New_York', 'Europe/London', 'America/Toronto', 'Europe/Paris', 'Europe/Berlin'];
    const leads: SeedLead[] = Array.from({ length: 60 }, (_, i) => ({ timezone: zones[i % 5], score: 50, created_at: at(-600).toISOString() }));
    const served = await claimsInOneTrip(leads, 12, async ({ lite, client }) => {
      lite.prepare(`UPDATE leads SET email = 'lead' || id || '@example.com' WHERE id <= 3`).run();
      await client.query(`UPDATE leads SET email = 'lead' || id || '@example.com' WHERE id <= 3`);
    });
    expect(served.map((c) => c.lead.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('serves web leads imported at one instant best score first, though none can be passed over before all are read', async () => {
    // 300 web leads imported at one instant ten minutes ago, all equally fresh, scores 0–99.
    const arrived = at(-10).toISOString();
    const leads: SeedLead[] = Array.from({ length: 300 }, (_, i) => ({ score: (i * 37) % 100, inbound_at: arrived, created_at: arrived }));
    const served = await claimsInOneTrip(leads, 10);
    expect(served.map((c) => c.lead.score)).toEqual([99, 99, 99, 98, 98, 98, 97, 97, 97, 96]);
  });

  it('serves the best of several arrival instants in order of score, ties by id, as SQLite does', async () => {
    // Three imports of web leads, 10, 25 and 40 minutes ago, 60 leads each with scores that tie;
    // a third of each from Tokyo, closed at this hour.
    const leads: SeedLead[] = [];
    for (const minutes of [10, 25, 40]) {
      const arrived = at(-minutes).toISOString();
      for (let i = 0; i < 60; i++) {
        leads.push({ timezone: i % 3 === 0 ? 'Asia/Tokyo' : 'America/New_York', score: (i * 7) % 20, inbound_at: arrived, created_at: arrived });
      }
    }
    const served = await claimsInOneTrip(leads, 40);
    expect(served.every((c) => c.reason === 'fresh' && c.lead.timezone === 'America/New_York')).toBe(true);
    // Each claim takes the best left: scores never rise, and among equal ones ids rise.
    const keys = served.map((c) => [Date.parse(c.lead.inbound_at!), c.lead.score, c.lead.id]);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1], keys[i]];
      expect(b[0] < a[0] || (b[0] === a[0] && (b[1] < a[1] || (b[1] === a[1] && b[2] > a[2]))), `claim ${i}`).toBe(true);
    }
  });

  /**
   * How many rows the claim's one statement reads through leads_inbound on a database at
   * `version`, as EXPLAIN ANALYZE counts them, with 300 web leads of one zone group imported at one
   * instant ten minutes ago and 60 of a group still closed; and the lead it claims.
   */
  async function inboundRowsRead(version: number): Promise<{ rows: number; score: number }> {
    const pgdb = await freshDatabase({ migrated: false });
    const client = await pgdb.connect();
    try {
      await migrateForTodaysClaim(client, version);
      const arrived = at(-10).toISOString();
      await client.query(
        `INSERT INTO leads(first_name, phone, timezone, score, queue_rank, inbound_at, created_at, updated_at)
         SELECT 'Lead ' || i, '+1212555' || lpad(i::text, 4, '0'), CASE WHEN i <= 60 THEN 'Asia/Tokyo' ELSE 'America/New_York' END,
           (i * 37) % 100, (i * 37) % 100, $1, $1, $1 FROM generate_series(1, 360) i`,
        [arrived],
      );
      const settings = await loadSettingsPg(client);
      await queueCandidatesPg(client, at(0), settings, 'ana', {}, 1); // stores the zone groups' windows
      const { claim, executes } = await recordedClaim(client, settings);
      await client.query('UPDATE leads SET claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL');
      expect(executes).toHaveLength(1); // one round trip, one statement
      await client.query(`BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_bitmapscan = off`);
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${executes[0]}`);
      await client.query('ROLLBACK');
      let read = 0;
      const walk = (node: Record<string, unknown>) => {
        if (node['Index Name'] === 'leads_inbound') read += (node['Actual Rows'] as number) * (node['Actual Loops'] as number) + ((node['Rows Removed by Filter'] as number) ?? 0);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
      return { rows: read, score: claim!.lead.score };
    } finally {
      await client.end();
      await pgdb.drop();
    }
  }

  it('reads only the best few of the web leads that came in at one instant, through leads_inbound by rank (migration 7)', async () => {
    // Before migration 7, leads_inbound held no rank: the claim read every lead of the instant.
    const before = await inboundRowsRead(6);
    expect(before.score).toBe(99);
    expect(before.rows).toBeGreaterThanOrEqual(300);
    // Now the instant's leads come best rank first: a few read, the same lead served.
    const after = await inboundRowsRead(PG_SCHEMA_VERSION);
    expect(after.score).toBe(99);
    expect(after.rows).toBeGreaterThan(0);
    expect(after.rows).toBeLessThanOrEqual(12);
  });
});
