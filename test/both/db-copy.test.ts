// callq db copy: a team's database built with the real commands, copied SQLite → PostgreSQL →
// SQLite (and file → file), every table compared row by row on both sides; refusals and exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, callq, json, openRaw, queryDb, tempDir, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York
const hasPg = STORE_KINDS.includes('postgres');

/** Every table callq keeps, each with an order that is total on both stores (the test cluster's locale is C). */
const TABLES: Record<string, string> = {
  settings: 'key',
  imports: 'id',
  handoffs: 'id',
  leads: 'id',
  lead_zones: 'timezone',
  lead_alt_phones: 'lead_id, phone',
  calls: 'id',
  suppressions: 'id',
  import_updates: 'import_id, lead_id',
};
const ID_TABLES = ['imports', 'handoffs', 'leads', 'calls', 'suppressions'];

const work = tempDir('callq-copy-');
afterAll(() => work.cleanup());
let built: string | undefined;
/** The team's database, built once for the file (the copies never change it). */
function teamDb(): string {
  if (!built) {
    const path = join(work.dir, 'team.db');
    buildTeamDb(path);
    built = path;
  }
  return built;
}

function ok(r: RunResult): RunResult {
  expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r;
}

/** A team's database made as ops and reps make one: imports, calls, do-not-call, a hand-off, settings. */
function buildTeamDb(db: string): void {
  const q = (args: string[], rep = 'ana') => callq(['--db', db, '--rep', rep, '--now', NOW, ...args]);
  ok(q(['import', join(FIXTURES, 'import', 'utf8.csv'), '--list', 'trade-show', '--source', 'expo']));
  ok(q(['import', join(FIXTURES, 'import', 'headers-variants.csv'), '--list', 'webinar']));
  ok(q(['import', join(FIXTURES, 'vendors', 'salesforce.csv'), '--campaign', 'q4']));
  ok(q(['config', 'set', 'hours.end', '18:00']));
  ok(q(['config', 'set', 'weight.source.webinar', '15']));
  ok(q(['dnc', 'add', '+1 415 555 0199', '--reason', 'asked on call']));
  ok(q(['dnc', 'add', '@competitor.example', '--source', 'legal']));
  // Calls by three reps: a qualification (handed off below), a callback, notes COPY must escape.
  const claim = (rep: string) => json<{ lead: { id: number } }>(ok(q(['next', '--json'], rep))).lead.id;
  const first = claim('ana');
  ok(q(['log', String(first), 'qualified', '--need', 'call tracking', '--timeframe', 'Q1', '--authority', 'VP Sales', '--note', 'demo on Friday'], 'ana'));
  const second = claim('bob');
  ok(q(['log', String(second), 'no-answer', '--note', 'tab\there, new\nline, back\\slash, \\N and "quotes"'], 'bob'));
  const third = claim('cy');
  ok(q(['log', String(third), 'callback', '--at', 'tomorrow 11:00', '--note', 'Ünïcödé ☎'], 'cy'));
  const fourth = claim('ana');
  ok(q(['log', String(fourth), 'do-not-call'], 'ana'));
  ok(q(['export', 'sales-ready', '--out', join(work.dir, `handoff-${Date.now()}.csv`)]));
  claim('dee'); // a call under way: dee holds a live claim
}

/** Every row of every table, in each table's order. */
async function dump(query: (sql: string) => Promise<unknown[]>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES)) out[table] = await query(`SELECT * FROM ${table} ORDER BY ${order}`);
  return out;
}

const dumpFile = (path: string) => dump(async (sql) => queryDb(path, sql));

/** The indexes callq's migrations made (not those behind keys), which a copy sets aside while loading and builds again. */
const SQLITE_INDEXES = `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`;
const PG_INDEXES = `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%\_pkey' AND indexname NOT LIKE '%\_key' ORDER BY indexname`;

describe('callq db copy between files', () => {
  let source: string;
  beforeAll(() => {
    source = teamDb();
  });

  it('copies every table into a new file, ids and times unchanged, and prints the counts', async () => {
    const target = join(work.dir, 'copy.db');
    const r = ok(callq(['--db', source, 'db', 'copy', '--to', target, '--json']));
    const before = await dumpFile(source);
    // The scenario really filled what a copy must carry.
    for (const table of ['settings', 'imports', 'handoffs', 'leads', 'lead_zones', 'lead_alt_phones', 'calls', 'suppressions']) {
      expect(before[table].length, table).toBeGreaterThan(0);
    }
    expect(await dumpFile(target)).toEqual(before);
    expect(queryDb(target, SQLITE_INDEXES)).toEqual(queryDb(source, SQLITE_INDEXES));
    expect(queryDb(target, SQLITE_INDEXES).length).toBeGreaterThan(10);
    const report = json(r);
    expect(report).toMatchObject({ source, target, schema_version: expect.any(Number) });
    expect(report.tables).toEqual(Object.fromEntries(Object.keys(TABLES).map((t) => [t, before[t].length])));
    expect(report.rows).toBe(Object.values(before).reduce((a, rows) => a + rows.length, 0));
    // A new lead takes the next id after the copied ones.
    const maxLead = Math.max(...before.leads.map((l: any) => l.id));
    ok(callq(['--db', target, '--now', NOW, 'import', join(FIXTURES, 'import', 'semicolon.csv')]));
    expect(queryDb(target, 'SELECT min(id) AS id FROM leads WHERE import_id = (SELECT max(id) FROM imports)')[0].id).toBe(maxLead + 1);
  });

  it('says what it copied in words without --json', () => {
    const target = join(work.dir, 'words.db');
    const r = ok(callq(['--db', source, 'db', 'copy', '--to', target]));
    const leads = queryDb(source, 'SELECT count(*) AS n FROM leads')[0].n;
    expect(r.stdout).toContain(`copied ${source} to ${target}`);
    expect(r.stdout).toMatch(new RegExp(`\\n  leads +${leads}\\n`));
  });

  it('refuses a target that holds data, and the source itself, with exit 2, changing nothing', async () => {
    const full = join(work.dir, 'full.db');
    ok(callq(['--db', full, '--now', NOW, 'import', join(FIXTURES, 'import', 'utf8.csv')]));
    const before = await dumpFile(full);
    const r = callq(['--db', source, 'db', 'copy', '--to', full]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the target ${full} is not empty`);
    expect(r.stderr).toMatch(/\d+ leads/);
    expect(await dumpFile(full)).toEqual(before);

    const self = callq(['--db', source, 'db', 'copy', '--to', source]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('is the source database itself');
    // The same file under another name.
    const link = join(work.dir, 'link.db');
    symlinkSync(source, link);
    const viaLink = callq(['--db', source, 'db', 'copy', '--to', link]);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain('is the source database itself');
  });

  it('copies into an existing database without leads (made by callq init), replacing its settings', async () => {
    const empty = join(work.dir, 'empty.db');
    ok(callq(['--db', empty, 'init']));
    ok(callq(['--db', empty, 'config', 'set', 'hours.start', '08:30']));
    ok(callq(['--db', source, 'db', 'copy', '--to', empty]));
    expect(await dumpFile(empty)).toEqual(await dumpFile(source));
  });

  it('refuses a missing source, a missing --to, and a target it cannot open, with exit 2', () => {
    const missing = callq(['--db', join(work.dir, 'nope.db'), 'db', 'copy', '--to', join(work.dir, 'x.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no database at');
    expect(existsSync(join(work.dir, 'x.db'))).toBe(false);
    const noTarget = callq(['--db', source, 'db', 'copy']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--to');
    const noFolder = join(work.dir, 'no-such-folder', 'copy.db');
    const bad = callq(['--db', source, 'db', 'copy', '--to', noFolder]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(noFolder);
  });
});

describe.skipIf(!hasPg)('callq db copy SQLite → PostgreSQL → SQLite', () => {
  let source: string;
  let pg: TestStore;
  beforeAll(async () => {
    source = teamDb();
    pg = await newTestStore('postgres');
  });
  afterAll(() => pg?.cleanup());

  it('copies every table into an empty PostgreSQL database and back into a new file, row for row', async () => {
    const r = ok(callq(['--db', source, 'db', 'copy', '--to', pg.db, '--json']));
    const before = await dumpFile(source);
    expect(await dump((sql) => pg.query(sql))).toEqual(before);
    expect(json(r).tables.leads).toBe(before.leads.length);
    // The same indexes but leads_claims: PostgreSQL finds a rep's claim through rep_claims (schema
    // 9); and lists have an index of their own there (schema 10).
    const expected = [...queryDb(source, SQLITE_INDEXES).filter((i: any) => i.name !== 'leads_claims'), { name: 'leads_list_queue' }];
    expect(await pg.query(PG_INDEXES)).toEqual(expected.sort((a: any, b: any) => (a.name < b.name ? -1 : 1)));
    // Each id sequence hands out the id after the largest copied (an empty table starts at 1).
    for (const table of ID_TABLES) {
      const max = Math.max(0, ...before[table].map((row: any) => row.id));
      const [{ next }] = await pg.query(`SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS next`);
      expect(next, table).toBe(max + 1);
    }
    // The copy was counted by PostgreSQL's planner statistics too (callq runs ANALYZE after it).
    const [{ analyzed }] = await pg.query(`SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'leads'`);
    expect(analyzed).toBe(true);

    const back = join(work.dir, 'from-pg.db');
    const r2 = ok(callq(['--db', pg.db, 'db', 'copy', '--to', back, '--json']));
    expect(json(r2)).toMatchObject({ source: pg.db, target: back });
    expect(await dumpFile(back)).toEqual(before);
    expect(queryDb(back, SQLITE_INDEXES)).toEqual(queryDb(source, SQLITE_INDEXES));

    // And from one PostgreSQL database into another.
    const other = await newTestStore('postgres');
    try {
      ok(callq(['--db', pg.db, 'db', 'copy', '--to', other.db]));
      expect(await dump((sql) => other.query(sql))).toEqual(before);
    } finally {
      await other.cleanup();
    }

    // dee's call under way is still dee's: `next` shows the claim again rather than a second lead.
    const [{ id: held }] = queryDb(source, `SELECT id FROM leads WHERE claim_rep = 'dee'`) as { id: number }[];
    const again = json<{ lead: { id: number }; again: boolean }>(ok(callq(['--db', pg.db, '--rep', 'dee', '--now', NOW, 'next', '--json'])));
    expect(again).toMatchObject({ lead: { id: held }, again: true });
  });

  it('refuses a PostgreSQL target with leads, and the source database under another spelling of its URL', async () => {
    const before = await dump((sql) => pg.query(sql));
    const again = callq(['--db', source, 'db', 'copy', '--to', pg.db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`the target ${pg.db} is not empty`);
    expect(await dump((sql) => pg.query(sql))).toEqual(before);

    const respelled = pg.db.replace(/^postgres:/, 'postgresql:');
    const self = callq(['--db', pg.db, 'db', 'copy', '--to', respelled]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('is the source database itself');
  });

  it('writes nothing when a row cannot go into PostgreSQL (one transaction)', async () => {
    const bad = join(work.dir, 'nul.db');
    ok(callq(['--db', source, 'db', 'copy', '--to', bad]));
    // SQLite text may hold a NUL character; PostgreSQL's cannot. The last table fails after the others were written.
    const raw = openRaw(bad);
    raw.prepare(`UPDATE suppressions SET reason = 'a' || char(0) || 'b' WHERE id = (SELECT max(id) FROM suppressions)`).run();
    raw.close();
    const target = await newTestStore('postgres');
    try {
      const r = callq(['--db', bad, 'db', 'copy', '--to', target.db]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('suppressions');
      for (const table of Object.keys(TABLES)) {
        const [{ n }] = await target.query(`SELECT count(*) AS n FROM ${table}`);
        expect(n, table).toBe(0);
      }
    } finally {
      await target.cleanup();
    }
  });
});
