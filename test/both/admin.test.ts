// maintain, forget, backup and restore through the built binary, on a SQLite file and on a
// PostgreSQL database (test/stores.ts). Data is seeded with SQL, as the states maintain acts on
// arise over weeks of work.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { callq, initDb, json, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { findPgBin } from '../pg/cluster.js';
import { suppressionHash } from '../../src/core/suppression.js';

const NOW = '2026-11-24T07:00:00.000Z';
const PAST = '2026-11-24T06:00:00.000Z';
const FUTURE = '2026-11-24T09:00:00.000Z';
const LONG_AGO = '2025-10-01T12:00:00.000Z'; // more than 365 days before NOW
const RECENT = '2026-11-14T12:00:00.000Z';
const CREATED = '2026-11-01T12:00:00.000Z';

/** The PostgreSQL client tools of the test cluster's version (they may not be on PATH). */
function pgEnv(kind: TestStoreKind): Record<string, string> {
  if (kind !== 'postgres') return {};
  const found = findPgBin();
  return 'bin' in found ? { CALLQ_PG_BIN: found.bin } : {};
}

let phoneCounter = 0;

async function addLead(s: TestStore, fields: Record<string, unknown> = {}): Promise<number> {
  phoneCounter++;
  const row: Record<string, unknown> = {
    first_name: `Lead${phoneCounter}`,
    last_name: 'Test',
    company: `Company ${phoneCounter}`,
    phone: `+1212555${String(1000 + phoneCounter).slice(-4)}`,
    email: `lead${phoneCounter}@example.com`,
    timezone: 'America/New_York',
    source: 'webinar',
    list: 'test',
    created_at: CREATED,
    updated_at: CREATED,
    ...fields,
  };
  const cols = Object.keys(row);
  const [r] = await s.query<{ id: number }>(
    `INSERT INTO leads(${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING id`,
    ...Object.values(row),
  );
  return Number(r.id);
}

async function addCall(s: TestStore, leadId: number, notes: string, phone: string, at = LONG_AGO): Promise<void> {
  await s.query(
    `INSERT INTO calls(lead_id, rep, called_at, disposition, contact, notes, phone) VALUES (?, 'ana', ?, 'not-interested', 1, ?, ?) RETURNING id`,
    leadId,
    at,
    notes,
    phone,
  );
}

/** Every row of the tables maintain and forget touch, ids as numbers, in id order. */
async function snapshot(s: TestStore): Promise<string> {
  const tables = [];
  for (const t of ['leads', 'calls', 'suppressions']) {
    const rows = await s.query(`SELECT * FROM ${t} ORDER BY id`);
    tables.push(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))));
  }
  return JSON.stringify(tables);
}

const lead = async (s: TestStore, id: number) => (await s.query('SELECT * FROM leads WHERE id = ?', id))[0];

/** One lead in each state maintain acts on, and a twin it must leave alone. */
async function seedStates(s: TestStore) {
  const expired = await addLead(s, { claim_rep: 'bo', claim_token: 't1', claim_expires_at: PAST });
  const live = await addLead(s, { claim_rep: 'cy', claim_token: 't2', claim_expires_at: FUTURE });
  const over = await addLead(s, { status: 'working', attempts: 8, attempts_since_contact: 8 });
  const under = await addLead(s, { status: 'working', attempts: 3, attempts_since_contact: 3 });
  const due = await addLead(s, { status: 'nurture', nurture_until: PAST, next_eligible_at: PAST });
  const notDue = await addLead(s, { status: 'nurture', nurture_until: '2027-01-10T14:00:00.000Z', next_eligible_at: '2027-01-10T14:00:00.000Z' });
  const oldDq = await addLead(s, { status: 'disqualified', disqualify_reason: 'no-budget', closed_at: LONG_AGO, title: 'CFO', phone_raw: '(212) 555-0101' });
  const oldDnc = await addLead(s, { status: 'do-not-call', closed_at: LONG_AGO, phone: '+12125550188', alt_phones: '["+12125550199"]' });
  const recentDq = await addLead(s, { status: 'disqualified', disqualify_reason: 'competitor', closed_at: RECENT });
  await addCall(s, oldDq, 'said to call never', '+12125550101');
  await addCall(s, recentDq, 'uses a competitor', '+12125550102', RECENT);
  return { expired, live, over, under, due, notDue, oldDq, oldDnc, recentDq };
}

const REPORT_KEYS = [
  'backup', 'checkpoint', 'dry_run', 'exhausted', 'expired_claims', 'imports_cleaned', 'integrity', 'notes_erased', 'nurture_returned',
  'optimized', 'purged', 'retention_days', 'seconds', 'steps', 'temp_files', 'vacuumed',
];

describe.each(STORE_KINDS)('admin commands on %s', (kind) => {
  let s: TestStore;
  const run = (args: string[], input?: string): RunResult => callq(['--db', s.db, '--now', NOW, ...args], { env: pgEnv(kind), input });

  beforeEach(async () => {
    s = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(s.db);
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('maintain expires claims, exhausts, returns nurture leads and purges past retention, with one JSON shape; a second run changes nothing', async () => {
    const ids = await seedStates(s);
    const r = run(['maintain', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(Object.keys(report).sort()).toEqual(REPORT_KEYS);
    expect(report).toMatchObject({
      dry_run: false,
      integrity: 'ok',
      imports_cleaned: [],
      expired_claims: 1,
      exhausted: 1,
      nurture_returned: 1,
      purged: 2,
      notes_erased: 1,
      retention_days: 365,
      optimized: true,
      backup: null,
      vacuumed: false,
    });
    expect(report.steps.map((step: { name: string }) => step.name)).toEqual(expect.arrayContaining(['integrity check', 'expired claims', 'exhausted', 'nurture returned', 'purged']));

    expect(await lead(s, ids.expired)).toMatchObject({ claim_rep: null, claim_token: null, claim_expires_at: null });
    expect(await lead(s, ids.live)).toMatchObject({ claim_rep: 'cy', claim_expires_at: FUTURE });
    expect(await lead(s, ids.over)).toMatchObject({ status: 'exhausted', closed_at: NOW });
    expect((await lead(s, ids.under)).status).toBe('working');
    expect(await lead(s, ids.due)).toMatchObject({ status: 'working', next_eligible_at: null });
    expect((await lead(s, ids.notDue)).status).toBe('nurture');
    expect(await lead(s, ids.oldDq)).toMatchObject({ status: 'disqualified', disqualify_reason: 'no-budget', first_name: null, title: null, phone: '', phone_raw: null, purged_at: NOW });
    expect(await lead(s, ids.oldDnc)).toMatchObject({ status: 'do-not-call', phone: '', alt_phones: null, email: null });
    expect((await lead(s, ids.recentDq)).first_name).not.toBeNull();
    expect(await s.query('SELECT notes, phone FROM calls WHERE lead_id = ?', ids.oldDq)).toEqual([{ notes: null, phone: null }]);
    expect((await s.query('SELECT notes FROM calls WHERE lead_id = ?', ids.recentDq))[0].notes).toBe('uses a competitor');
    // The do-not-call lead's phones outlive its data on the suppression list.
    const suppressed = (await s.query<{ value: string }>("SELECT value FROM suppressions WHERE kind = 'phone' ORDER BY value")).map((x) => x.value);
    expect(suppressed).toEqual(['+12125550188', '+12125550199']);

    const before = await snapshot(s);
    const again = run(['maintain', '--json', '--vacuum']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ expired_claims: 0, exhausted: 0, nurture_returned: 0, purged: 0, notes_erased: 0, vacuumed: true });
    expect(await snapshot(s)).toBe(before);
  });

  it('maintain removes the unpublished leads of an import whose process is gone', async () => {
    // No process (nor PostgreSQL session) has this pid.
    const [batch] = await s.query<{ id: number }>(
      `INSERT INTO imports(file_name, created_at, state, pid) VALUES ('list.csv', ?, 'running', 2147483646) RETURNING id`,
      PAST,
    );
    const kept = await addLead(s);
    await addLead(s, { status: 'importing', import_id: batch.id });
    await addLead(s, { status: 'importing', import_id: batch.id });
    const dry = run(['maintain', '--json', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry).imports_cleaned).toEqual([{ batch: Number(batch.id), removed: 2, published: false }]);
    expect((await s.query('SELECT id FROM leads')).length).toBe(3);

    const r = run(['maintain', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).imports_cleaned).toEqual([{ batch: Number(batch.id), removed: 2, published: false }]);
    expect((await s.query('SELECT id FROM leads')).map((l) => Number(l.id))).toEqual([kept]);
    expect(await s.query('SELECT state FROM imports')).toEqual([{ state: 'failed' }]);
    expect(json(run(['maintain', '--json'])).imports_cleaned).toEqual([]);
  });

  it('maintain --dry-run counts what it would change and changes nothing', async () => {
    await seedStates(s);
    const before = await snapshot(s);
    const r = run(['maintain', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ dry_run: true, expired_claims: 1, exhausted: 1, nurture_returned: 1, purged: 2, notes_erased: 1, optimized: false, vacuumed: false });
    expect(await snapshot(s)).toBe(before);
    const human = run(['maintain', '--dry-run']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('maintenance dry run: nothing was changed');
    expect(await snapshot(s)).toBe(before);
  });

  it('forget deletes the person, their calls and notes, and keeps hash-only suppressions', async () => {
    const zeb = await addLead(s, { first_name: 'Zebediah', phone: '+14155559876', email: 'zeb@pondmail.org', alt_phones: '["+14155550777"]' });
    const olive = await addLead(s, { first_name: 'Olive', phone: '+14155550100', email: 'olive@example.com' });
    await addCall(s, zeb, 'allergic to geese', '+14155559876');
    await addCall(s, olive, 'did not pick up', '+14155550100');
    // The number was already on the do-not-call list in clear text.
    await s.query(
      "INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES ('phone', ?, ?, 'do-not-call', 'dnc', '2026-11-01T00:00:00Z') RETURNING id",
      '+14155559876',
      suppressionHash('phone', '+14155559876'),
    );

    const r = run(['forget', '(415) 555-9876', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ kind: 'phone', leads: 1, calls: 1, suppressions: 3 });
    expect(await s.query('SELECT id FROM leads ORDER BY id')).toEqual([{ id: olive }]);
    expect((await s.query('SELECT lead_id FROM calls')).map((c) => Number(c.lead_id))).toEqual([olive]);
    const rows = await s.query<{ kind: string; value: string | null; value_hash: string }>('SELECT kind, value, value_hash FROM suppressions ORDER BY kind, value_hash');
    expect(rows.every((row) => row.value === null)).toBe(true);
    expect(rows.map((row) => row.value_hash).sort()).toEqual(
      [suppressionHash('phone', '+14155559876'), suppressionHash('phone', '+14155550777'), suppressionHash('email', 'zeb@pondmail.org')].sort(),
    );
    // Nothing readable about Zeb is left in any table callq reads.
    expect(JSON.stringify(await s.query('SELECT * FROM leads')) + JSON.stringify(await s.query('SELECT * FROM calls'))).not.toMatch(/Zebediah|geese|9876|0777|pondmail/);

    const again = run(['forget', '+14155559876', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ leads: 0, calls: 0 });
  });

  it('backup then restore gives back the same leads; restore over data needs --force', async () => {
    await seedStates(s);
    const zeb = await addLead(s, { first_name: 'Zebediah' });
    await addCall(s, zeb, 'call back in spring', '+12125550000', RECENT);
    const original = await snapshot(s);
    const file = join(s.dir, kind === 'postgres' ? 'before.dump' : 'before.db');

    const b = run(['backup', file, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(json(b)).toMatchObject({ path: file, integrity: 'ok' });
    expect(json(b).bytes).toBe(statSync(file).size);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A second backup to the same name needs --force.
    const twice = run(['backup', file]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already exists');

    await s.query('DELETE FROM leads WHERE id = ? RETURNING id', zeb);
    await addLead(s, { first_name: 'Newcomer' });
    expect(await snapshot(s)).not.toBe(original);

    // Restore refuses a database other sessions use: the test's own connection is closed first.
    await s.release();
    const refused = run(['restore', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(await snapshot(s)).not.toBe(original);

    await s.release();
    const r = run(['restore', file, '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ from: file, leads: 10, replaced: true, integrity: 'ok' });
    expect(await snapshot(s)).toBe(original);
    // The restored database works: new leads get new ids, and maintain runs on it.
    const maxId = Math.max(...(await s.query<{ id: number }>('SELECT id FROM leads')).map((l) => Number(l.id)));
    expect(await addLead(s)).toBeGreaterThan(maxId);
    expect(run(['maintain', '--json']).code).toBe(0);
  });

  it('a restore keeps the do-not-call list: requests and forgets made since the backup stay, and the leads they name are not served again', async () => {
    const zoe = await addLead(s, { first_name: 'Zoë', last_name: 'Łukasiewicz', phone: '+14155550123', email: 'zoe.lukas@initech.example' });
    const al = await addLead(s, { first_name: 'Al', phone: '+14155550199', email: 'al@acme.example' });
    const tom = await addLead(s, { first_name: 'Tom', phone: '+14155550188', email: 'tom@initech.example' });
    await addCall(s, zoe, 'Zoë asked for a demo', '+14155550123', RECENT);
    const file = join(s.dir, kind === 'postgres' ? 'before.dump' : 'before.db');
    expect(run(['backup', file]).code).toBe(0);
    // After the backup: Zoë is forgotten, Al asks not to be called.
    expect(run(['forget', '+14155550123', '--yes']).code).toBe(0);
    expect(run(['dnc', 'add', 'al@acme.example']).code).toBe(0);
    const listBefore = await s.query('SELECT kind, value, value_hash FROM suppressions ORDER BY kind, value_hash');

    await s.release();
    const r = run(['restore', file, '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ leads: 2, list_kept: { entries: listBefore.length, moved_to_dnc: 1, erased: 1 } });
    // Zoë's data did not come back; Al is do-not-call; Tom, whom nobody asked about, is as backed up.
    expect(await s.query('SELECT id FROM leads WHERE id = ?', zoe)).toEqual([]);
    expect(Number((await s.query<{ n: number }>('SELECT count(*) AS n FROM calls WHERE lead_id = ?', zoe))[0].n)).toBe(0);
    expect((await s.query('SELECT status FROM leads WHERE id = ?', al))[0].status).toBe('do-not-call');
    expect((await s.query('SELECT status FROM leads WHERE id = ?', tom))[0].status).toBe('new');
    expect(await s.query('SELECT kind, value, value_hash FROM suppressions ORDER BY kind, value_hash')).toEqual(listBefore);
    await s.release();
    const text = run(['restore', file, '--force']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain('kept the do-not-call list of the replaced database: ');
    // Restoring again finds the same list and the same leads: nothing more to carry.
    await s.release();
    expect(json(run(['restore', file, '--force', '--json'])).list_kept).toMatchObject({ erased: 1, moved_to_dnc: 1 });
    if (kind === 'sqlite') expect(readFileSync(s.db).includes(Buffer.from('Łukasiewicz'))).toBe(false);
  });

  it("maintain leaves a held lead and an old exhausted one alone, keeps a purged do-not-call lead's contacts suppressed, and prints its step table", async () => {
    const ids = await seedStates(s);
    // Over max-attempts, but a rep holds it right now.
    const overClaimed = await addLead(s, { status: 'working', attempts: 9, attempts_since_contact: 9, claim_rep: 'di', claim_token: 't3', claim_expires_at: FUTURE });
    const oldExhausted = await addLead(s, { status: 'exhausted', closed_at: LONG_AGO });
    await s.query(`UPDATE leads SET email = 'never@dnc.example', custom = '{"fav":"tea"}' WHERE id IN (?, ?)`, ids.oldDnc, ids.oldDq);
    await addCall(s, ids.oldDnc, 'asked never to be called again', '+12125550188');
    const r = run(['maintain']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^expired claims\s+1\b/m);
    expect(r.stdout).toMatch(/^exhausted\s+1\b/m);
    expect(r.stdout).toMatch(/^nurture returned\s+1\b/m);
    expect(r.stdout).toMatch(/^purged\s+2\s+2 call notes erased/m);
    // PostgreSQL's row says what amcheck checked (its JSON says 'ok', as SQLite's does).
    expect(r.stdout).toMatch(kind === 'sqlite' ? /^integrity check\s+ok/m : /^integrity check\s+\d+ indexes, \d+ tables checked with amcheck/m);
    expect(r.stdout).toMatch(/^vacuum\s+skipped/m);
    expect(r.stdout).toMatch(/^total \d+\.\d s$/m);

    expect(await lead(s, overClaimed)).toMatchObject({ status: 'working', claim_rep: 'di' });
    expect(await lead(s, oldExhausted)).toMatchObject({ status: 'exhausted', purged_at: null });
    expect(await lead(s, ids.oldDq)).toMatchObject({ custom: null, alt_phones: null, email: null, company: null, last_name: null, source: 'webinar', list: 'test' });
    expect(await s.query('SELECT notes, phone FROM calls WHERE lead_id = ?', ids.oldDnc)).toEqual([{ notes: null, phone: null }]);
    // The do-not-call lead's phones and e-mail stay on the list although the lead is purged.
    const suppressed = await s.query<{ kind: string; value: string }>('SELECT kind, value FROM suppressions ORDER BY kind, value');
    expect(suppressed).toEqual([
      { kind: 'email', value: 'never@dnc.example' },
      { kind: 'phone', value: '+12125550188' },
      { kind: 'phone', value: '+12125550199' },
    ]);
  });

  it('maintain --dry-run names the backup it would take and takes none; --retention and the retention and max-attempts settings apply', async () => {
    const ids = await seedStates(s);
    const backups = join(s.dir, 'backups');
    const dry = run(['maintain', '--dry-run', '--json', '--backup', backups]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry)).toMatchObject({
      dry_run: true,
      checkpoint: null,
      backup: { path: join(backups, `callq-2026-11-24T070000Z.${kind === 'postgres' ? 'dump' : 'db'}`), bytes: null, kept: 1, removed: 0 },
    });
    expect(existsSync(backups)).toBe(false);

    const short = run(['maintain', '--json', '--retention', '5']);
    expect(short.code, short.stderr).toBe(0);
    expect(json(short)).toMatchObject({ purged: 3, retention_days: 5, exhausted: 1 });
    expect((await lead(s, ids.recentDq)).purged_at).toBe(NOW);

    expect(run(['config', 'set', 'retention', '3000']).code).toBe(0);
    expect(run(['config', 'set', 'max-attempts', '3']).code).toBe(0);
    const r = run(['maintain', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ retention_days: 3000, exhausted: 1, purged: 0 });
    expect((await lead(s, ids.under)).status).toBe('exhausted');
  });
});
