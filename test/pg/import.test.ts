// `callq import` on PostgreSQL with others at work: two imports at once run one after the other,
// a rep claims and logs while an import is merging its batch, never seeing any of it, and a
// number put on the do-not-call list meanwhile is not callable once the batch commits.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callqAsync, json, tempDir } from '../helpers.js';
import type { PgClient } from '../../src/db/pg/open.js';
import { loadSettingsPg } from '../../src/db/pg/settings.js';
import { claimNextLeadPg } from '../../src/db/pg/queue.js';
import { recordOutcomePg } from '../../src/db/pg/outcomes.js';
import { outcomeLead, planOutcome } from '../../src/core/outcome.js';
import type { LeadRow } from '../../src/core/lead.js';
import { leadFile } from '../both/import-files.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const NOW = '2026-11-24T15:00:00.000Z'; // Tuesday 10:00 in New York

/** Waits for something another process does; fails (never gives up silently) after a minute. */
async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(pgInfo.unavailable)('callq import on PostgreSQL while others work', () => {
  let db: TestDatabase;
  let t: ReturnType<typeof tempDir>;
  const clients: PgClient[] = [];
  const connect = async () => {
    const c = await db.connect();
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => {});
    await db?.drop();
    t?.cleanup();
  });

  const runWith = (env: Record<string, string>, file: string, ...args: string[]) =>
    callqAsync(['--db', db.url, '--now', NOW, 'import', file, '--country', 'US', '--json', ...args], { env });
  const run = (file: string, ...args: string[]) => runWith({}, file, ...args);

  it('two imports started at once both complete, one after the other, with the right counts', async () => {
    db = await freshDatabase();
    t = tempDir();
    const a = leadFile(join(t.dir, 'a.csv'), 20_000, 0);
    // b repeats a's last 5,000 leads: whichever runs second finds them as duplicates.
    const b = leadFile(join(t.dir, 'b.csv'), 10_000, 15_000);
    // A busy timeout far shorter than an import: the second waits for the first, however long it takes.
    const [ra, rb] = await Promise.all([runWith({ CALLQ_BUSY_TIMEOUT: '100' }, a), runWith({ CALLQ_BUSY_TIMEOUT: '100' }, b)]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const [sa, sb] = [json(ra), json(rb)];
    const [first, second] = sa.batch < sb.batch ? [sa, sb] : [sb, sa];
    expect([first.batch, second.batch]).toEqual([1, 2]);
    expect(first).toMatchObject({ inserted: first.rows_read, duplicates: 0 });
    expect(second).toMatchObject({ inserted: second.rows_read - 5_000, duplicates: 5_000 });
    const c = await connect();
    expect(Number((await c.query('SELECT count(*) AS n FROM leads')).rows[0].n)).toBe(25_000);
    expect((await c.query(`SELECT id, state, inserted FROM imports ORDER BY id`)).rows).toEqual([
      { id: 1, state: 'complete', inserted: first.inserted },
      { id: 2, state: 'complete', inserted: second.inserted },
    ]);
  }, 180_000);

  it('a rep claims and logs while an import merges its batch, and never sees a lead of it before it commits', async () => {
    db = await freshDatabase();
    t = tempDir();
    const first = json(await run(leadFile(join(t.dir, 'first.csv'), 200, 0)));
    expect(first.inserted).toBe(200);
    const rep = await connect();
    const holder = await connect();
    // A lead the import will merge into, held by another transaction: the import's merge then
    // waits inside its last transaction, after its new leads are written — observable, no timing.
    const merged = (await holder.query<{ id: number; phone: string }>('SELECT id, phone FROM leads WHERE import_id = 1 ORDER BY id LIMIT 1')).rows[0];
    const second = leadFile(join(t.dir, 'second.csv'), 30_000, 1_000);
    writeFileSync(second, `F0,L0,New Name Co,p0@example0.com,${merged.phone},gen\n`, { flag: 'a' });
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM leads WHERE id = $1 FOR UPDATE', [merged.id]);
    const importing = run(second, '--on-duplicate', 'update');
    await waitFor('the import to wait on the held lead while merging', async () => {
      const { rows } = await rep.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE leads l SET%'`);
      return rows.length > 0;
    });

    // Meanwhile: the batch is running, none of its leads is visible, a rep claims and logs.
    expect((await rep.query(`SELECT state FROM imports WHERE id = 2`)).rows).toEqual([{ state: 'running' }]);
    // Its importer alive (it holds the import lock), `callq imports` says running, not interrupted.
    const listed = await callqAsync(['--db', db.url, 'imports', '--json']);
    expect(json(listed).map((b: { batch: number; state: string }) => [b.batch, b.state])).toEqual([
      [1, 'complete'],
      [2, 'running'],
    ]);
    expect(Number((await rep.query('SELECT count(*) AS n FROM leads')).rows[0].n)).toBe(200);
    const settings = await loadSettingsPg(rep);
    const now = new Date(NOW);
    for (let i = 0; i < 3; i++) {
      const claim = await claimNextLeadPg(rep, now, settings, 'bo', {});
      expect(claim, 'a lead to claim').not.toBeNull();
      expect(claim!.lead.import_id).toBe(1);
      expect(claim!.lead.id).not.toBe(merged.id);
      const d = settings.dispositions.find((x) => x.name === 'no-answer')!;
      const plan = (lead: LeadRow) => planOutcome(outcomeLead(lead), { disposition: d, note: 'no answer', answers: {}, rep: 'bo', viewerZone: 'UTC' }, now, settings);
      const logged = await recordOutcomePg(rep, { leadId: claim!.lead.id, rep: 'bo', now, force: false, token: claim!.token }, settings, plan, claim!.lead);
      expect(logged.lead).toMatchObject({ id: claim!.lead.id, status: 'working', last_disposition: 'no-answer', claim_rep: null });
    }
    expect(Number((await rep.query('SELECT count(*) AS n FROM calls')).rows[0].n)).toBe(3);

    await holder.query('COMMIT');
    const done = await importing;
    expect(done.code, done.stderr).toBe(0);
    expect(json(done)).toMatchObject({ batch: 2, inserted: 30_000, updated: 1 });
    expect(Number((await rep.query('SELECT count(*) AS n FROM leads')).rows[0].n)).toBe(30_200);
    expect((await rep.query('SELECT company FROM leads WHERE id = $1', [merged.id])).rows[0].company).toBe('New Name Co');
    expect((await rep.query(`SELECT state FROM imports WHERE id = 2`)).rows).toEqual([{ state: 'complete' }]);
  }, 180_000);

  it('dnc add while an import writes its batch wins: a lead of the batch it lists is not callable once the batch commits', async () => {
    db = await freshDatabase();
    t = tempDir();
    expect(json(await run(leadFile(join(t.dir, 'first.csv'), 200, 0))).inserted).toBe(200);
    const watcher = await connect();
    const holder = await connect();
    // As above: a held lead the import merges into keeps it inside its last transaction, its new leads written.
    const merged = (await holder.query<{ phone: string; id: number }>('SELECT id, phone FROM leads WHERE import_id = 1 ORDER BY id LIMIT 1')).rows[0];
    const second = leadFile(join(t.dir, 'second.csv'), 2_000, 1_000);
    writeFileSync(second, `F0,L0,New Name Co,p0@example0.com,${merged.phone},gen\n`, { flag: 'a' });
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM leads WHERE id = $1 FOR UPDATE', [merged.id]);
    const importing = run(second, '--on-duplicate', 'update');
    const waiting = (query: string) => async () =>
      (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [query])).rows.length > 0;
    await waitFor('the import to wait on the held lead while merging', waiting('UPDATE leads l SET%'));

    // The number of the batch's first new lead (F1000) goes on the list meanwhile.
    const listed = '+12122001000';
    const adding = callqAsync(['--db', db.url, '--now', NOW, 'dnc', 'add', listed]);
    let added: Awaited<typeof adding> | null = null;
    void adding.then((r) => (added = r));
    // It either ends at once (it could not see the batch's leads) or waits for the batch to commit.
    await waitFor('dnc add to end or to wait for the import', async () => added !== null || (await waiting('INSERT INTO suppressions%')()));
    await holder.query('COMMIT');
    const [done, dnc] = await Promise.all([importing, adding]);
    expect(done.code, done.stderr).toBe(0);
    expect(dnc.code, dnc.stderr).toBe(0);
    expect(json(done)).toMatchObject({ batch: 2, updated: 1 });
    expect((await watcher.query(`SELECT status FROM leads WHERE phone = $1`, [listed])).rows).toEqual([{ status: 'do-not-call' }]);
    expect(Number((await watcher.query(`SELECT count(*) AS n FROM leads WHERE import_id = 2 AND status = 'new'`)).rows[0].n)).toBe(1_999);
  }, 180_000);
});
