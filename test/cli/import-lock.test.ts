// How an import holds the write lock (--lock auto|whole|slices): with nobody working it takes the
// database whole (one transaction, indexes built by sorting), with a team at work it goes in
// slices; both store exactly the same leads; a whole import is all or nothing, even when killed.
// SQLite only: --lock is how an import holds SQLite's single write lock; on PostgreSQL an import
// writes its batch in one transaction at the end whatever --lock says (its summary says lock
// 'none': test/both/import-parity.test.ts).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, FIXTURES, callq, initDb, json, queryDb, useTempDb } from '../helpers.js';
import { generateLeads } from '../gen-leads.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, p) => ((dir = d), (db = p)));

const NOW = '2026-11-23T15:00:00Z'; // a Monday, 10:00 in New York
const minutesBefore = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString();
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ops' };

/** A list from bench/gen-leads.js (written in-process, the same bytes: test/gen-leads.ts). */
function generate(rows: number, name: string, seed: number): string {
  const file = join(dir, name);
  generateLeads(rows, file, seed);
  return file;
}

const importInto = (target: string, file: string, ...args: string[]) => {
  const r = callq(['--db', target, '--now', NOW, 'import', file, '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return json(r);
};

/** Everything an import writes, as comparable rows (ids included: both ways number leads alike). */
function contents(target: string) {
  const q = (sql: string) => queryDb(target, sql);
  return {
    leads: q('SELECT * FROM leads ORDER BY id'),
    alt: q('SELECT phone, lead_id FROM lead_alt_phones ORDER BY lead_id, phone'),
    zones: q('SELECT timezone FROM lead_zones ORDER BY timezone'),
    suppressions: q('SELECT kind, value, value_hash, reason, source FROM suppressions ORDER BY id'),
    schema: q(`SELECT type, name, sql FROM sqlite_schema ORDER BY name`),
    batches: q(`SELECT id, state, pid, rows_read, inserted, updated, duplicates, suppressed, rejected FROM imports ORDER BY id`),
  };
}

const rep = (name: string, ...args: string[]) => callq(['--db', db, '--rep', name, '--now', NOW, ...args]);

describe('import --lock', () => {
  // Two shapes: a file larger than the table (the lookup and queue indexes set aside and sorted
  // afterwards, duplicates found through the key index) and a table larger than the file
  // (indexes kept live). Each imported whole into one copy and in slices into another.
  it.each([
    ['a file larger than the table', 40, 3000],
    ['a table larger than the file', 4000, 300],
  ])('whole and slices store exactly the same leads: %s', (_shape, base, rows) => {
    initDb(db);
    importInto(db, generate(base, 'base.csv', 11));
    // The list repeats some stored people (merged with --on-duplicate update) and itself.
    const list = generate(rows, 'list.csv', 12);
    const lines = readFileSync(list, 'utf8').trimEnd().split('\n');
    const stored = readFileSync(join(dir, 'base.csv'), 'utf8').trimEnd().split('\n').slice(1, 21);
    const flagged = 'Jordan,Flagged,Acme,CEO,flagged@example.com,+12127340199,NY,US,web,true';
    // Stored people come back with a campaign (merged), the first 30 rows twice (repeats), one row flagged do-not-call.
    const rowsOut = [...lines.slice(1).map((l) => `${l},,`), ...stored.map((l) => `${l},spring-promo,`), ...lines.slice(1, 31).map((l) => `${l},,`), `${flagged.replace(/,true$/, '')},,true`];
    writeFileSync(list, [lines[0] + ',Campaign,Do Not Call', ...rowsOut].join('\n') + '\n');
    const other = join(dir, 'other.db');
    copyFileSync(db, other);

    const whole = importInto(db, list, '--on-duplicate', 'update', '--lock', 'whole');
    const slices = importInto(other, list, '--on-duplicate', 'update', '--lock', 'slices');
    expect(whole.lock).toBe('whole');
    expect(slices.lock).toBe('slices');
    expect(whole.updated).toBeGreaterThan(0);
    expect(whole.duplicates).toBeGreaterThanOrEqual(30);
    expect(whole.suppressed).toBeGreaterThanOrEqual(1);
    expect({ ...whole, seconds: 0, lock: null }).toEqual({ ...slices, seconds: 0, lock: null });
    const a = contents(db);
    const b = contents(other);
    expect(a.leads.length).toBe(queryDb(db, 'SELECT inserted FROM imports WHERE id = 1')[0].inserted + whole.inserted);
    expect(a).toEqual(b);
    expect(queryDb(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
    // The batch is callable at once, like any complete import.
    expect(queryDb(db, `SELECT count(*) AS n FROM leads WHERE import_id = 2 AND status = 'new'`)[0].n).toBe(whole.inserted);
  });

  it('auto takes the database whole when nobody works, and goes in slices while a claim is held', () => {
    initDb(db);
    importInto(db, generate(30, 'base.csv', 21)); // nobody yet: whole
    expect(queryDb(db, 'SELECT state FROM imports')[0].state).toBe('complete');
    const r = rep('amy', 'next', '--json');
    expect(r.code, r.stderr).toBe(0);
    const during = importInto(db, generate(50, 'list.csv', 22));
    expect(during.lock).toBe('slices');
    expect(rep('amy', 'release', String(json(r).lead?.id ?? json(r).id)).code).toBe(0);
    expect(importInto(db, generate(50, 'list2.csv', 23)).lock).toBe('whole');
  });

  it(`auto counts a call logged in the last 15 minutes as a team at work`, () => {
    initDb(db);
    importInto(db, generate(30, 'base.csv', 31));
    const claim = json(callq(['--db', db, '--rep', 'amy', '--now', minutesBefore(20), 'next', '--json']));
    const id = String(claim.lead?.id ?? claim.id);
    expect(callq(['--db', db, '--rep', 'amy', '--now', minutesBefore(10), 'log', id, 'no-answer']).code).toBe(0);
    expect(importInto(db, generate(20, 'a.csv', 32)).lock).toBe('slices');
    // Twenty minutes on, the same call no longer counts.
    const later = callq(['--db', db, '--now', new Date(Date.parse(NOW) + 10 * 60_000).toISOString(), 'import', generate(20, 'b.csv', 33), '--json']);
    expect(later.code, later.stderr).toBe(0);
    expect(json(later).lock).toBe('whole');
  });

  it('--lock whole and --lock slices override auto; a bad mode is refused before anything is written', () => {
    initDb(db);
    importInto(db, generate(30, 'base.csv', 41));
    expect(rep('amy', 'next', '--json').code).toBe(0);
    expect(importInto(db, generate(20, 'a.csv', 42), '--lock', 'whole').lock).toBe('whole');
    expect(importInto(db, generate(20, 'b.csv', 43), '--lock', 'slices').lock).toBe('slices');
    const bad = callq(['--db', db, '--now', NOW, 'import', generate(20, 'c.csv', 44), '--lock', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --lock 'sometimes': use auto \(the default\), whole or slices/);
    expect(queryDb(db, 'SELECT count(*) AS n FROM imports')[0].n).toBe(3);
    // The human summary says the database was taken whole.
    const human = callq(['--db', db, '--now', NOW, 'import', generate(20, 'd.csv', 45), '--lock', 'whole']);
    expect(human.stderr).toMatch(/as batch 4 in [\d.]+ s \(in one transaction: nobody else could write meanwhile\):/);
  });

  it('a vendor file with alternate phones and a do-not-call flag gives the same leads both ways', () => {
    initDb(db);
    const other = join(dir, 'other.db');
    copyFileSync(db, other);
    const file = join(FIXTURES, 'vendors', 'salesforce.csv');
    const whole = importInto(db, file, '--lock', 'whole', '--id-system', 'salesforce');
    const slices = importInto(other, file, '--lock', 'slices', '--id-system', 'salesforce');
    expect({ ...whole, seconds: 0, lock: null }).toEqual({ ...slices, seconds: 0, lock: null });
    expect(contents(db)).toEqual(contents(other));
  });

  describe('a whole import holds the write lock from its first row to its commit', () => {
    /** Starts `callq import FIFO --lock whole` and feeds it the header and `first` rows of `file`. */
    async function startHeld(file: string, first: number) {
      const fifo = join(dir, 'feed.csv');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const child = spawn(process.execPath, [BIN, '--db', db, '--now', NOW, 'import', fifo, '--lock', 'whole', '--json'], { env: ENV });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exit = new Promise<number | null>((done) => child.on('close', (code, signal) => done(code ?? (signal ? 128 : null))));
      const feed = createWriteStream(fifo);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      feed.write(lines.slice(0, first + 1).join('\n') + '\n');
      // Wait (up to the test's own timeout) until the import holds the write lock for its rows:
      // its batch row committed ('running'), and the lock taken again.
      const probe = new Database(db);
      probe.pragma('busy_timeout = 0');
      const running = probe.prepare(`SELECT count(*) FROM imports WHERE state = 'running'`).pluck();
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the import ended early: ${stderr}`);
        if (running.get() === 0) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        try {
          probe.exec('BEGIN IMMEDIATE');
          probe.exec('ROLLBACK');
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_BUSY') break;
          throw err;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      probe.close();
      return {
        child,
        exit,
        output: () => ({ stdout, stderr }),
        finish: () => feed.end(lines.slice(first + 1).join('\n') + '\n'),
        /** Closes the feed as a pipeline's writer does when Ctrl-C stops it too. */
        close: () => feed.destroy(),
      };
    }

    it('reps wait (exit 75 past busy-timeout), readers go on, and the batch appears whole at the commit', async () => {
      initDb(db);
      const base = importInto(db, generate(20, 'base.csv', 51)).inserted;
      const file = generate(400, 'list.csv', 52);
      const held = await startHeld(file, 100);
      const busy = callq(['--db', db, '--rep', 'amy', '--now', NOW, 'next'], { env: { CALLQ_BUSY_TIMEOUT: '100' } });
      expect(busy.code).toBe(75);
      expect(busy.stderr).toMatch(/busy/i);
      // Reading still works, and sees none of the batch.
      const status = callq(['--db', db, '--now', NOW, 'status', '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect(queryDb(db, 'SELECT count(*) AS n FROM leads')[0].n).toBe(base);
      held.finish();
      expect(await held.exit).toBe(0);
      const summary = JSON.parse(held.output().stdout);
      expect(summary.lock).toBe('whole');
      expect(queryDb(db, `SELECT count(*) AS n FROM leads WHERE import_id = 2 AND status = 'new'`)[0].n).toBe(summary.inserted);
      expect(rep('amy', 'next', '--json').code).toBe(0);
    });

    it('killed halfway, it leaves no lead; the next import says so and clears the batch row', async () => {
      initDb(db);
      const base = importInto(db, generate(20, 'base.csv', 61)).inserted;
      const held = await startHeld(generate(400, 'list.csv', 62), 150);
      held.child.kill('SIGKILL');
      await held.exit;
      expect(queryDb(db, 'SELECT count(*) AS n FROM leads')[0].n).toBe(base);
      const listed = callq(['--db', db, 'imports', '--json']);
      expect(json(listed).map((b: { batch?: number; id?: number; state: string }) => b.state)).toEqual(['complete', 'interrupted']);
      const next = callq(['--db', db, '--now', NOW, 'import', generate(10, 'again.csv', 63)]);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toMatch(/Import batch 2 had been interrupted or had failed; removed the 0 lead\(s\)/);
      expect(queryDb(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
      // Its indexes and triggers are all there (the drop inside its transaction was rolled back).
      expect(queryDb(db, `SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('leads_phone', 'leads_email', 'leads_queue', 'leads_zone_insert')`)[0].n).toBe(4);
    });

    it('Ctrl-C rolls it back and removes its batch row (exit 130)', async () => {
      initDb(db);
      const base = importInto(db, generate(20, 'base.csv', 71)).inserted;
      const held = await startHeld(generate(400, 'list.csv', 72), 150);
      held.child.kill('SIGINT');
      held.close();
      const code = await held.exit;
      expect(code, JSON.stringify(held.output())).toBe(130);
      expect(queryDb(db, 'SELECT count(*) AS n FROM leads')[0].n).toBe(base);
      expect(queryDb(db, 'SELECT id, state FROM imports')).toEqual([{ id: 1, state: 'complete' }]);
    });
  });
});
