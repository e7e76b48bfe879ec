// `callq export` on both stores: the same history (made once through the binary on SQLite, then
// copied row for row) gives the same files, byte for byte, on a SQLite file and on PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { BASE_ENV, BIN, callq, tempDir, type RunResult } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { copySqliteInto, seededHistory } from './seed-from-sqlite.js';
import { NURTURE_COLUMNS } from '../../src/db/store/exports.js';

const NOW = '2026-11-24T16:00:00Z';

/**
 * Leads 1–3 sales-ready (qualified by kim, lee, kim), 4 disqualified (no-budget), 5 do-not-call
 * (with alternate phones), 6 exhausted, 7 called once without contact, 8 never called.
 */
const seeded = seededHistory((source) => {
  seedLeads(source, [
    { first_name: 'Ana', company: 'Acme, Inc.' },
    { first_name: 'Bo' },
    { first_name: '=Cy', source: 'trade-show' },
    { first_name: 'Di' },
    { first_name: 'Ed', alt_phones: ['+12125550101', '+12125550102'] },
    { first_name: 'Fay' },
    { first_name: 'Gus', campaign: 'fall' },
    { first_name: 'Hal' },
  ]);
  const raw = new Database(source);
  raw.prepare(`UPDATE leads SET custom = '{"Industry":"Software","Employees":"50"}' WHERE id = 1`).run();
  raw.prepare(`UPDATE leads SET custom = '{"Website":"bo.example"}' WHERE id = 2`).run();
  raw.prepare(`UPDATE leads SET status = 'exhausted', attempts = 8, closed_at = '2026-11-20T10:00:00.000Z' WHERE id = 6`).run();
  raw.close();
  const log = (at: string, rep: string, args: string[]) => {
    const r = callq(['--db', source, '--rep', rep, '--now', at, 'log', ...args, '--force']);
    expect(r.code, r.stderr).toBe(0);
  };
  const answers = (id: number) => ['--need', `need ${id}`, '--timeframe', 'Q1', '--authority', 'VP Sales', '--note', id === 3 ? '=HYPERLINK("x")' : `demo for ${id}`];
  log('2026-11-23T14:00:00Z', 'kim', ['7', 'no-answer', '--duration', '20s']);
  log('2026-11-23T15:00:00Z', 'kim', ['1', 'qualified', ...answers(1), '--duration', '5m']);
  log('2026-11-23T15:30:00Z', 'lee', ['2', 'qualified', ...answers(2), '--budget', '10k']);
  log('2026-11-23T16:00:00Z', 'kim', ['3', 'qualified', ...answers(3)]);
  log('2026-11-24T14:00:00Z', 'lee', ['4', 'disqualified', '--reason', 'no-budget', '--note', 'no money']);
  log('2026-11-24T14:30:00Z', 'lee', ['5', 'do-not-call']);
}, 120_000);

/** A test store holding the source's rows, and the binary run against it. */
async function storeOf(kind: TestStoreKind) {
  const store = await seeded.store(kind);
  const run = (...args: string[]): RunResult => callq(['--db', store.db, '--rep', 'ana', '--now', NOW, ...args]);
  return { store, run, file: (name: string) => join(store.dir, name) };
}

const csvRows = (text: string): Record<string, string>[] => parse(text, { columns: true, bom: true });
const ndjson = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

describe.each(STORE_KINDS)('export on %s', (kind) => {
  let store: TestStore;
  afterEach(async () => store?.cleanup());

  it('hands the sales-ready leads off once, in one batch; --batch re-exports it byte for byte', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const first = s.run('export', 'sales-ready', '--out', s.file('handoff.csv'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Exported 3 leads to .*handoff\.csv \(profile default\)\. Hand-off batch 1: 3 leads marked handed-off\./);
    const rows = csvRows(readFileSync(s.file('handoff.csv'), 'utf8'));
    expect(rows.map((r) => [r.callq_id, r.first_name, r.qualified_by, r.status])).toEqual([
      ['1', 'Ana', 'kim', 'sales-ready'],
      ['2', 'Bo', 'lee', 'sales-ready'],
      ['3', "'=Cy", 'kim', 'sales-ready'],
    ]);
    expect(rows[0]).toMatchObject({ company: 'Acme, Inc.', Industry: 'Software', Employees: '50', Website: '', qualification_need: 'need 1', qualified_at: '2026-11-23T15:00:00.000Z' });
    expect(rows[1]).toMatchObject({ qualification_budget: '10k', Website: 'bo.example' });
    expect(rows[2].handoff_note).toBe(`'=HYPERLINK("x")`);

    expect(await store.query('SELECT id, status, handoff_id FROM leads WHERE id <= 4 ORDER BY id')).toEqual([
      { id: 1, status: 'handed-off', handoff_id: 1 },
      { id: 2, status: 'handed-off', handoff_id: 1 },
      { id: 3, status: 'handed-off', handoff_id: 1 },
      { id: 4, status: 'disqualified', handoff_id: null },
    ]);
    expect(await store.query('SELECT id, created_at, destination, lead_count, profile, rep FROM handoffs')).toEqual([
      { id: 1, created_at: '2026-11-24T16:00:00.000Z', destination: s.file('handoff.csv'), lead_count: 3, profile: 'default', rep: 'ana' },
    ]);

    // Nothing is handed off twice: exit 3, no file.
    const second = s.run('export', 'sales-ready', '--out', s.file('second.csv'));
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/no sales-ready leads waiting to be handed off; nothing was written/);
    expect(existsSync(s.file('second.csv'))).toBe(false);

    const again = s.run('export', 'sales-ready', '--batch', '1', '--out', s.file('again.csv'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Re-exported hand-off batch 1: 3 leads/);
    expect(readFileSync(s.file('again.csv'))).toEqual(readFileSync(s.file('handoff.csv')));
    expect(await store.query('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 1 }]);
    expect(s.run('export', 'sales-ready', '--batch', '2').code).toBe(2);

    const all = s.run('export', 'sales-ready', '--all', '--json');
    expect(all.code, all.stderr).toBe(0);
    expect(ndjson(all.stdout).map((l) => [l.callq_id, l.first_name])).toEqual([[1, 'Ana'], [2, 'Bo'], [3, '=Cy']]);
    // Ana asks Sales never to call again: the batch still says when she was qualified, and by whom.
    const [{ phone }] = await store.query<{ phone: string }>('SELECT phone FROM leads WHERE id = 1');
    expect(s.run('dnc', 'add', phone).code).toBe(0);
    const later = csvRows(s.run('export', 'sales-ready', '--batch', '1').stdout);
    expect(later[0]).toMatchObject({ callq_id: '1', status: 'do-not-call', qualified_at: '2026-11-23T15:00:00.000Z', qualified_by: 'kim' });
  }, 120_000);

  it('--no-mark writes the file and hands nothing off; --json prints the summary', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const r = s.run('export', 'sales-ready', '--no-mark', '--json', '--profile', 'hubspot', '--out', s.file('preview.ndjson'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ exported: 3, marked: 0, batch: null, profile: 'hubspot', format: 'ndjson' });
    expect(ndjson(readFileSync(s.file('preview.ndjson'), 'utf8'))).toHaveLength(3);
    expect(await store.query("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: 3 }]);
    expect(await store.query('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);
  });

  it('nurture: the leads interested later, soonest back first, with who nurtured them, when, and the note', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const none = s.run('export', 'nurture');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no nurture leads to export; nothing was written.');
    const log = (at: string, rep: string, args: string[]) => {
      const r = callq(['--db', store.db, '--rep', rep, '--now', at, 'log', ...args, '--force']);
      expect(r.code, r.stderr).toBe(0);
    };
    log('2026-11-20T15:00:00Z', 'kim', ['8', 'nurture', '--until', '2027-06-01', '--note', 'budget opens in June']);
    log('2026-11-24T15:00:00Z', 'lee', ['7', 'nurture', '--until', '2027-02-01', '--note', '=ask again after the merger']);
    const rows = csvRows(s.run('export', 'nurture').stdout);
    expect(rows.map((r) => [r.callq_id, r.first_name, r.campaign, r.nurture_until, r.nurtured_at, r.nurtured_by, r.note, r.attempts, r.contacts])).toEqual([
      ['7', 'Gus', 'fall', '2027-02-01T14:00:00.000Z', '2026-11-24T15:00:00.000Z', 'lee', "'=ask again after the merger", '2', '1'],
      ['8', 'Hal', '', '2027-06-01T13:00:00.000Z', '2026-11-20T15:00:00.000Z', 'kim', 'budget opens in June', '1', '1'],
    ]);
    expect(Object.keys(rows[0])).toEqual([...NURTURE_COLUMNS]);
    // --since: nurtured on or after; --json as NDJSON.
    const since = s.run('export', 'nurture', '--since', '2026-11-23', '--json');
    expect(since.code, since.stderr).toBe(0);
    expect(ndjson(since.stdout).map((l) => [l.callq_id, l.note])).toEqual([[7, '=ask again after the merger']]);
    expect(csvRows(s.run('export', 'nurture', '--until', '2026-11-23').stdout).map((r) => r.callq_id)).toEqual(['8']);
    // Neither is in the clean-up list: they are not lost.
    expect(csvRows(s.run('export', 'cleanup').stdout).map((r) => r.callq_id)).not.toContain('7');
  });

  it('cleanup: disqualified, do-not-call and exhausted leads with their reason', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const r = s.run('export', 'cleanup');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Exported 3 disqualified, do-not-call or exhausted leads\./);
    const rows = csvRows(r.stdout);
    expect(rows.map((x) => [x.callq_id, x.first_name, x.status, x.reason, x.closed_at, x.last_disposition])).toEqual([
      ['4', 'Di', 'disqualified', 'no-budget', '2026-11-24T14:00:00.000Z', 'disqualified'],
      ['5', 'Ed', 'do-not-call', 'do-not-call', '2026-11-24T14:30:00.000Z', 'do-not-call'],
      ['6', 'Fay', 'exhausted', 'no-contact', '2026-11-20T10:00:00.000Z', ''],
    ]);
    expect(rows[1].alt_phone).toBe('+12125550101;+12125550102');
    expect(rows[0].alt_phone).toBe('');
    // Exhausted after someone was reached before (a callback, then eight unanswered calls): not a
    // lead nobody ever reached.
    await store.query('UPDATE leads SET contacts = 2 WHERE id = 6');
    expect(csvRows(s.run('export', 'cleanup').stdout).find((x) => x.callq_id === '6')?.reason).toBe('no-recent-contact');

    const since = s.run('export', 'cleanup', '--since', '2026-11-24', '--json');
    expect(since.code, since.stderr).toBe(0);
    expect(ndjson(since.stdout).map((l) => [l.callq_id, l.attempts])).toEqual([[4, 1], [5, 1]]);
    // --until: before it, so a daily cron job's `--since yesterday --until today` sends each lead once.
    const day = s.run('export', 'cleanup', '--since', '2026-11-24', '--until', '2026-11-24T14:15Z');
    expect(day.code, day.stderr).toBe(0);
    expect(csvRows(day.stdout).map((r) => r.callq_id)).toEqual(['4']);
    expect(day.stderr).toContain('Exported 1 disqualified, do-not-call or exhausted lead closed since 2026-11-24T00:00:00.000Z and before 2026-11-24T14:15:00.000Z.');

    const none = s.run('export', 'cleanup', '--since', '2026-11-24T15:00Z', '--out', s.file('none.csv'));
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no disqualified, do-not-call or exhausted leads to export closed since 2026-11-24T15:00:00.000Z; nothing was written/);
    expect(existsSync(s.file('none.csv'))).toBe(false);
  });

  it('calls: the call log oldest first, within --since/--until', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const r = s.run('export', 'calls', '--json');
    expect(r.code, r.stderr).toBe(0);
    const calls = ndjson(r.stdout);
    expect(calls.map((c) => [c.call_id, c.lead_id, c.rep, c.disposition, c.contact, c.duration_s])).toEqual([
      [1, 7, 'kim', 'no-answer', 0, 20],
      [2, 1, 'kim', 'qualified', 1, 300],
      [3, 2, 'lee', 'qualified', 1, null],
      [4, 3, 'kim', 'qualified', 1, null],
      [5, 4, 'lee', 'disqualified', 1, null],
      [6, 5, 'lee', 'do-not-call', 1, null],
    ]);
    // Each call says where its lead came from: a spreadsheet pivots the calls by source or campaign.
    expect(calls[0]).toMatchObject({ called_at: '2026-11-23T14:00:00.000Z', first_name: 'Gus', status_before: 'new', status_after: 'working', forced: 1, campaign: 'fall' });
    expect(calls[3]).toMatchObject({ first_name: '=Cy', source: 'trade-show', campaign: null });
    expect(Object.keys(calls[0]).slice(-3)).toEqual(['source', 'campaign', 'list']);
    expect(calls[1]).toMatchObject({ first_name: 'Ana', company: 'Acme, Inc.', notes: 'demo for 1', status_after: 'sales-ready' });
    expect(calls[1].dialled).toBe(calls[1].phone);

    const day = s.run('export', 'calls', '--since', '2026-11-23T15:00Z', '--until', '2026-11-24');
    expect(day.code, day.stderr).toBe(0);
    expect(csvRows(day.stdout).map((c) => c.call_id)).toEqual(['2', '3', '4']);
    expect(day.stderr).toMatch(/Exported 3 calls since 2026-11-23T15:00:00.000Z and before 2026-11-24T00:00:00.000Z\./);

    const none = s.run('export', 'calls', '--since', '2026-11-25');
    expect(none.code).toBe(3);
    expect(none.stdout).toBe('');
  });

  it('refuses a database callq never created (exit 2) and creates nothing', async () => {
    store = await newTestStore(kind);
    for (const args of [['export', 'calls'], ['report', 'funnel'], ['dnc', 'list']]) {
      const r = callq(['--db', store.db, '--now', NOW, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/no (callq )?database at/);
    }
    if (kind === 'sqlite') expect(existsSync(store.db)).toBe(false);
    else expect(await store.query("SELECT to_regclass('leads') AS t")).toEqual([{ t: null }]);
  });

  it('an empty store has nothing to export: exit 3', async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') expect(callq(['--db', store.db, 'init']).code).toBe(0);
    for (const what of ['sales-ready', 'cleanup', 'calls']) {
      const r = callq(['--db', store.db, '--now', NOW, 'export', what]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(3);
      expect(r.stdout).toBe('');
    }
  });
});

describe.each(STORE_KINDS)('export on %s while the leads change', (kind) => {
  let bulk: string;
  let cleanupBulk = () => {};
  let store: TestStore | undefined;
  beforeAll(() => {
    const t = tempDir();
    cleanupBulk = t.cleanup;
    bulk = join(t.dir, 'bulk.db');
    expect(callq(['--db', bulk, 'init']).code).toBe(0);
    const raw = new Database(bulk);
    raw.exec(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 5000)
       INSERT INTO leads(first_name, last_name, company, phone, status, qualification, handoff_note, closed_at, created_at, updated_at)
       SELECT 'First' || i, 'Last' || i, 'Company ' || i, '+1212' || substr('0000000' || i, -7), 'sales-ready',
              '{"need":"x","timeframe":"Q1","authority":"VP"}', printf('%.1000c', 'n'), '${NOW}', '${NOW}', '${NOW}'
       FROM seq`,
    );
    raw.close();
  });
  afterAll(async () => {
    await store?.cleanup();
    cleanupBulk();
  });

  it('a lead that changes while the file is written aborts the hand-off: exit 4, nothing marked', async () => {
    store = await newTestStore(kind, { migrated: true });
    await copySqliteInto(bulk, store);
    const child = spawn(process.execPath, [BIN, '--db', store.db, '--now', NOW, 'export', 'sales-ready'], { env: { ...BASE_ENV, CALLQ_REP: 'ana' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    // Stop reading after the first chunk: the export blocks on the full pipe mid-way.
    await new Promise<void>((started) => child.stdout.once('data', () => (child.stdout.pause(), started())));
    await store.query("UPDATE leads SET status = 'do-not-call' WHERE id = 4000 RETURNING id");
    child.stdout.resume();
    expect(await exited, stderr).toBe(4);
    expect(stderr).toMatch(/lead 4000 changed while the file was being written \(it is now do-not-call\); nothing was handed off/);
    expect(await store.query("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: 4_999 }]);
    expect(await store.query('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);

    // Run again, it reads every page of the 4,999 leads, in id order, and hands them off.
    const again = callq(['--db', store.db, '--now', NOW, '--json', 'export', 'sales-ready', '--out', join(store.dir, 'again.ndjson')]);
    expect(again.code, again.stderr).toBe(0);
    const ids = ndjson(readFileSync(join(store.dir, 'again.ndjson'), 'utf8')).map((r) => r.callq_id);
    expect(ids).toEqual([...Array(5000).keys()].map((i) => i + 1).filter((id) => id !== 4000));
    // The aborted hand-off gave its batch number back: this is batch 1 on both stores.
    const { batch } = JSON.parse(again.stdout);
    expect(batch).toBe(1);
    expect(await store.query('SELECT count(*) AS n FROM leads WHERE handoff_id = ?', batch)).toEqual([{ n: 4_999 }]);
    expect(await store.query("SELECT count(*) AS n FROM leads WHERE status = 'handed-off'")).toEqual([{ n: 4_999 }]);
  }, 120_000);
});

describe.runIf(STORE_KINDS.includes('postgres'))('export: SQLite and PostgreSQL side by side', () => {
  it('the same commands on the same data give the same bytes and leave the same rows', async () => {
    const [lite, pg] = [await storeOf('sqlite'), await storeOf('postgres')];
    try {
      const commands = [
        ['export', 'sales-ready', '--profile', 'salesforce'],
        ['export', 'sales-ready', '--batch', '1'],
        ['export', 'sales-ready', '--batch', '1', '--profile', 'hubspot', '--json'],
        ['export', 'sales-ready', '--all', '--excel'],
        ['export', 'sales-ready'],
        ['export', 'cleanup'],
        ['export', 'cleanup', '--raw', '--json'],
        ['export', 'cleanup', '--since', '2026-11-24'],
        ['export', 'calls'],
        ['export', 'calls', '--json', '--until', '2026-11-24'],
        ['export', 'calls', '--since', '2026-12-01'],
      ];
      for (const args of commands) {
        const [a, b] = [lite.run(...args), pg.run(...args)];
        expect(b, args.join(' ')).toEqual(a);
      }
      const rows = (s: TestStore) => s.query('SELECT id, status, handoff_id, updated_at FROM leads ORDER BY id');
      expect(await rows(pg.store)).toEqual(await rows(lite.store));
      const batches = (s: TestStore) => s.query('SELECT * FROM handoffs ORDER BY id');
      expect(await batches(pg.store)).toEqual(await batches(lite.store));
    } finally {
      await lite.store.cleanup();
      await pg.store.cleanup();
    }
  }, 240_000);
});
