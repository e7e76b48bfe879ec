// callq maintain on a SQLite file: what only SQLite's maintenance has (the WAL checkpoint and its
// step, the temp files step's report, --backup's file copies and their rotation, a damaged file)
// and the flags refused before any store opens. What maintain does to the data, its report's
// counts, step table, dry run and settings run on both stores in test/both/admin.test.ts; the
// PostgreSQL-only steps (dumps, amcheck) are in test/pg/admin.test.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { callq, initDb, json, openRaw, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';

const NOW = '2026-11-24T07:00:00.000Z';
const PAST = '2026-11-24T06:00:00.000Z';
const FUTURE = '2026-11-24T09:00:00.000Z';
const LONG_AGO = '2025-10-01T12:00:00.000Z'; // more than 365 days before NOW
const RECENT = '2026-11-14T12:00:00.000Z';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

/** Sets columns of one lead with plain SQL (the states maintain looks for). */
function setLead(id: number, fields: Record<string, unknown>): void {
  const raw = openRaw(db);
  const cols = Object.keys(fields).map((k) => `${k} = @${k}`).join(', ');
  raw.prepare(`UPDATE leads SET ${cols} WHERE id = @id`).run({ ...fields, id });
  raw.close();
}

function addCall(leadId: number, notes: string, phone: string): void {
  const raw = openRaw(db);
  raw.prepare(`INSERT INTO calls(lead_id, rep, called_at, disposition, contact, notes, phone) VALUES (?, 'ana', ?, 'not-interested', 1, ?, ?)`).run(leadId, LONG_AGO, notes, phone);
  raw.close();
}

const lead = (id: number) => {
  const raw = openRaw(db);
  const row = raw.prepare('SELECT * FROM leads WHERE id = ?').get(id) as Record<string, any>;
  raw.close();
  return row;
};

/** One lead in each state maintain acts on, and a twin it must leave alone. */
function seedStates() {
  const ids = seedLeads(db, Array.from({ length: 11 }, () => ({})));
  const [expired, live, over, overClaimed, under, due, notDue, oldDq, oldDnc, recentDq, oldExhausted] = ids;
  setLead(expired, { claim_rep: 'bo', claim_token: 't1', claim_expires_at: PAST });
  setLead(live, { claim_rep: 'cy', claim_token: 't2', claim_expires_at: FUTURE });
  setLead(over, { status: 'working', attempts: 8, attempts_since_contact: 8 });
  setLead(overClaimed, { status: 'working', attempts: 9, attempts_since_contact: 9, claim_rep: 'di', claim_token: 't3', claim_expires_at: FUTURE });
  setLead(under, { status: 'working', attempts: 3, attempts_since_contact: 3 });
  setLead(due, { status: 'nurture', nurture_until: PAST, next_eligible_at: PAST });
  setLead(notDue, { status: 'nurture', nurture_until: '2027-01-10T14:00:00.000Z', next_eligible_at: '2027-01-10T14:00:00.000Z' });
  setLead(oldDq, { status: 'disqualified', disqualify_reason: 'no-budget', closed_at: LONG_AGO, title: 'CFO', custom: '{"fav":"tea"}', phone_raw: '(212) 555-0101' });
  setLead(oldDnc, { status: 'do-not-call', closed_at: LONG_AGO, alt_phones: '["+12125550199"]' });
  setLead(recentDq, { status: 'disqualified', disqualify_reason: 'competitor', closed_at: RECENT });
  setLead(oldExhausted, { status: 'exhausted', closed_at: LONG_AGO });
  addCall(oldDq, 'said they have no budget this year', lead(oldDq).phone);
  addCall(oldDnc, 'asked never to be called again', lead(oldDnc).phone);
  addCall(recentDq, 'uses a competitor', lead(recentDq).phone);
  return { expired, live, over, overClaimed, under, due, notDue, oldDq, oldDnc, recentDq, oldExhausted };
}

const maintain = (...args: string[]) => callq(['--db', db, '--now', NOW, 'maintain', ...args]);

describe('callq maintain', () => {
  it("reports SQLite's steps: the WAL checkpoint (truncate) and the temp files left by killed runs", () => {
    seedStates();
    const r = maintain('--json');
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(report).toMatchObject({ dry_run: false, integrity: 'ok', expired_claims: 1, exhausted: 1, purged: 2, optimized: true });
    expect(report.checkpoint.mode).toBe('truncate');
    expect(report.steps.map((st: any) => st.name)).toEqual([
      'integrity check', 'interrupted imports', 'expired claims', 'exhausted', 'nurture returned', 'purged', 'checkpoint', 'optimize', 'temp files',
    ]);
    expect(report.temp_files).toEqual({ removed: [], failed: [] });
    expect(typeof report.seconds).toBe('number');
  });

  it("draws its table's rule in ASCII where the locale is not UTF-8 (cron's bare environment: its mail is ASCII)", () => {
    seedStates();
    const ruleOf = (env: Record<string, string>) => callq(['--db', db, '--now', NOW, 'maintain'], { env }).stdout.split('\n')[2];
    expect(ruleOf({ LANG: 'C' })).toMatch(/^-+  -+  -+/);
    expect(ruleOf({ LANG: '', LC_ALL: '' })).toMatch(/^-+  -+  -+/);
    expect(ruleOf({ LANG: 'C', LC_ALL: 'de_DE.UTF-8' })).toMatch(/^─+  ─+  ─+/);
    expect(ruleOf({})).toMatch(/^─+  ─+  ─+/); // the tests' C.UTF-8
  });

  it('--backup writes a checked copy named by the time and keeps the newest N', () => {
    seedLeads(db, Array.from({ length: 30 }, () => ({})));
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    writeFileSync(join(backups, 'notes.txt'), 'not ours');
    writeFileSync(join(backups, 'callq-manual.db'), 'not ours either');
    const times = ['2026-11-21T02:00:00Z', '2026-11-22T02:00:00Z', '2026-11-23T02:00:00Z', '2026-11-24T02:00:00Z'];
    const reports = times.map((t) => {
      const r = callq(['--db', db, '--now', t, 'maintain', '--json', '--backup', backups, '--keep', '2']);
      expect(r.code, r.stderr).toBe(0);
      return json(r).backup;
    });
    expect(reports[0]).toMatchObject({ path: join(backups, 'callq-2026-11-21T020000Z.db'), kept: 1, removed: 0 });
    expect(reports[2]).toMatchObject({ kept: 2, removed: 1, removed_files: ['callq-2026-11-21T020000Z.db'] });
    expect(reports[3].bytes).toBe(statSync(reports[3].path).size);
    expect(readdirSync(backups).sort()).toEqual(['callq-2026-11-23T020000Z.db', 'callq-2026-11-24T020000Z.db', 'callq-manual.db', 'notes.txt']);
    const copy = new Database(reports[3].path, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM leads').pluck().get()).toBe(30);
    copy.close();
    expect(readdirSync(backups).some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('refuses bad flags with exit 2, and never creates a missing database', () => {
    initDb(db);
    expect(maintain('--keep', '3').code).toBe(2);
    expect(maintain('--backup', dir, '--keep', '0').stderr).toMatch(/invalid --keep '0'/);
    expect(maintain('--retention', 'soon').stderr).toMatch(/invalid --retention 'soon'/);
    const missing = callq(['--db', join(dir, 'nope.db'), 'maintain']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no database at/);
    expect(existsSync(join(dir, 'nope.db'))).toBe(false);
  });

  it('an empty --backup is refused with exit 2, and no backup lands in the working folder', () => {
    initDb(db);
    for (const value of ['', ' ']) {
      const r = callq(['--db', db, '--now', NOW, 'maintain', '--backup', value], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('empty --backup');
    }
    expect(readdirSync(dir).filter((n) => n.startsWith('callq-'))).toEqual([]);
  });

  it('exits 5 with a clear message when the database file is damaged, and changes nothing', () => {
    seedLeads(db, Array.from({ length: 3000 }, () => ({})));
    const raw = openRaw(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    // A page of the leads table in the middle of the file (not page 1, which opening needs).
    const page = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'leads' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    raw.close();
    const victim = page[Math.floor(page.length / 2)];
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(512, 0xa7), 0, 512, (victim - 1) * pageSize);
    closeSync(fd);

    const r = maintain('--backup', join(dir, 'backups'));
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/failed its integrity check/);
    expect(r.stderr).toMatch(/restore/);
    expect(existsSync(join(dir, 'backups'))).toBe(false);
    const j = maintain('--json');
    expect(j.code).toBe(5);
    expect(json(j).integrity.length).toBeGreaterThan(0);
  });

  it('exits 5 when the file is not a database at all', () => {
    initDb(db);
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.from('this is not a SQLite header, sorry'), 0, 34, 0);
    closeSync(fd);
    const r = maintain();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/not a usable callq database|damaged/);
  });
});
