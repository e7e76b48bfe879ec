// Imports while reps work: the import holds the write lock only in short slices, its leads stay
// out of the queue until the batch is published, an interrupted one is cleaned up, imports run one
// at a time, a dry run takes no write lock, and a busy database exits 75 (not 4).
// The import is stopped between two slices through CALLQ_IMPORT_PAUSE (a FIFO handshake), so
// each test acts at a known point without sleeps or timing thresholds.
// SQLite only: its slices, write lock, busy timeout and write-ahead log. On PostgreSQL an import
// writes its batch in one transaction at the end and serialises on an advisory lock: test/pg/
// import.test.ts (reps at work, two imports at once); killed, stopped and undone imports on both
// stores: test/both/import.test.ts; maintain's clean-up on both: test/both/admin.test.ts.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, callq, json, openRaw, queryDb, useTempDb } from '../helpers.js';
import { generateLeads } from '../gen-leads.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, p) => ((dir = d), (db = p)));

const NOW = '2026-11-23T15:00:00Z'; // a Monday, 10:00 in New York
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ops' };

const query = <T = any>(sql: string, ...params: unknown[]): T[] => queryDb<T>(db, sql, ...params);

/** A list from bench/gen-leads.js (written in-process, the same bytes: test/gen-leads.ts). */
function generate(rows: number, name: string, seed = 7): string {
  const file = join(dir, name);
  generateLeads(rows, file, seed);
  return file;
}

/** Three callable leads of an earlier, complete import. */
function seedCallable(): void {
  const file = join(dir, 'seed.csv');
  writeFileSync(file, 'First Name,Phone,Time Zone\nAvery,+12127346101,America/New_York\nBlake,+12127346102,America/New_York\nCasey,+12127346103,America/New_York\n');
  const r = callq(['--db', db, '--now', NOW, 'import', file, '--json']);
  expect(r.code, r.stderr).toBe(0);
}

interface PausedImport {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the import has committed slice `n` and stopped. */
  slice(n: number): Promise<void>;
  /** Lets the import write one more slice (`next`) or run to the end (`go`). */
  resume(what: 'next' | 'go'): void;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startPaused(file: string, ...args: string[]): PausedImport {
  const fifo = join(dir, `pause-${Math.random().toString(36).slice(2)}`);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const child = spawn(process.execPath, [BIN, '--db', db, '--now', NOW, 'import', file, ...args], { env: { ...ENV, CALLQ_IMPORT_PAUSE: fifo } });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async slice(n) {
      // The import announces each stop by creating FIFO.slice-N before it blocks on the FIFO.
      for (;;) {
        if (existsSync(`${fifo}.slice-${n}`)) return;
        if (child.exitCode !== null) throw new Error(`the import ended (exit ${child.exitCode}) before slice ${n}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    resume(what) {
      writeFileSync(fifo, `${what}\n`);
    },
    exit,
  };
}

const rep = (name: string, ...args: string[]) => callq(['--db', db, '--rep', name, '--now', NOW, ...args]);

describe('an import while reps work', () => {
  it('reps claim and log between slices; the batch is invisible until published, then callable', async () => {
    seedCallable();
    const file = generate(12_000, 'list.csv');
    const imp = startPaused(file, '--json');
    await imp.slice(1);
    const written = query(`SELECT count(*) AS n FROM leads WHERE status = 'importing'`)[0].n;
    expect(written).toBeGreaterThan(0);
    expect(json(callq(['--db', db, 'imports', '--json'])).map((b: any) => b.state)).toEqual(['complete', 'running']);

    // Reps work: they are served only the three published leads, and their outcomes are kept.
    const served: number[] = [];
    for (const name of ['ana', 'bo', 'cy']) {
      const next = rep(name, 'next', '--json');
      expect(next.code, next.stderr).toBe(0);
      served.push(json(next).lead.id);
    }
    expect(served.sort()).toEqual([1, 2, 3]);
    expect(rep('dee', 'next').code).toBe(3); // only importing leads left: nothing to call
    expect(rep('ana', 'log', String(served[0]), 'no-answer').code).toBe(0);
    expect(rep('bo', 'log', String(served[1]), 'voicemail').code).toBe(0);
    expect(rep('ana', 'queue').code).toBe(3); // the queue is empty: the batch's leads are not in it

    imp.resume('next');
    await imp.slice(2);
    expect(rep('cy', 'log', String(served[2]), 'busy').code).toBe(0);
    imp.resume('go');
    const { code } = await imp.exit;
    expect(code, imp.stderr()).toBe(0);

    expect(query(`SELECT count(*) AS n FROM leads WHERE status = 'importing'`)[0].n).toBe(0);
    expect(query('SELECT count(*) AS n FROM calls')[0].n).toBe(3);
    expect(json(callq(['--db', db, 'imports', '--json'])).map((b: any) => b.state)).toEqual(['complete', 'complete']);
    const next = rep('dee', 'next', '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(json(next).lead.id).toBeGreaterThan(3);
    expect(query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  }, 120_000);

  it('killed mid-way: nothing callable, shown as interrupted, and maintain removes what it wrote', async () => {
    seedCallable();
    const file = generate(12_000, 'list.csv');
    const imp = startPaused(file);
    await imp.slice(1);
    imp.child.kill('SIGKILL');
    await imp.exit;
    const left = query(`SELECT count(*) AS n FROM leads WHERE import_id = 2`)[0].n;
    expect(left).toBeGreaterThan(0);
    expect(json(callq(['--db', db, 'imports', '--json']))[1]).toMatchObject({ batch: 2, state: 'interrupted' });
    expect(callq(['--db', db, 'imports']).stdout).toMatch(/^2 \(interrupted\)/m);
    const queue = json(rep('ana', 'queue', '--json', '--limit', '50'));
    expect(queue.map((e: any) => e.lead?.id ?? e.id).sort()).toEqual([1, 2, 3]);

    const maintain = callq(['--db', db, '--now', NOW, 'maintain', '--json']);
    expect(maintain.code, maintain.stderr).toBe(0);
    expect(json(maintain).imports_cleaned).toEqual([{ batch: 2, removed: left, published: false }]);
    expect(query(`SELECT count(*) AS n FROM leads WHERE import_id = 2`)[0].n).toBe(0);
    expect(json(callq(['--db', db, 'imports', '--json']))[1]).toMatchObject({ batch: 2, state: 'failed' });
    // Running it again changes nothing.
    expect(json(callq(['--db', db, '--now', NOW, 'maintain', '--json'])).imports_cleaned).toEqual([]);
  }, 120_000);

  it('a second import waits for the first, and both complete', async () => {
    const first = startPaused(generate(6_000, 'a.csv', 1));
    await first.slice(1);
    const second = spawn(process.execPath, [BIN, '--db', db, '--now', NOW, 'import', generate(500, 'b.csv', 2), '--json'], { env: ENV });
    let err = '';
    let out = '';
    second.stderr.on('data', (d) => (err += d));
    second.stdout.on('data', (d) => (out += d));
    const secondExit = new Promise<number | null>((done) => second.on('close', done));
    // It says it waits (and so has written nothing) while the first is stopped.
    for (;;) {
      if (/Waiting for import batch 1 \(process \d+\) to finish/.test(err)) break;
      if (second.exitCode !== null) throw new Error(`the second import ended early: ${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(1);
    first.resume('go');
    expect((await first.exit).code, first.stderr()).toBe(0);
    expect(await secondExit, err).toBe(0);
    expect(JSON.parse(out).batch).toBe(2);
    expect(query(`SELECT id, state FROM imports ORDER BY id`)).toEqual([
      { id: 1, state: 'complete' },
      { id: 2, state: 'complete' },
    ]);
  }, 120_000);

  it('dnc add while the import runs wins, for leads already written and leads still to come', async () => {
    const file = join(dir, 'list.csv');
    const lines = ['First Name,Phone,Time Zone'];
    for (let i = 0; i < 5000; i++) lines.push(`P${i},+1212734${String(i).padStart(4, '0')},America/New_York`);
    writeFileSync(file, lines.join('\n') + '\n');
    const imp = startPaused(file, '--json');
    await imp.slice(1);
    expect(query(`SELECT status FROM leads WHERE phone = '+12127340000'`)).toEqual([{ status: 'importing' }]);
    expect(rep('ana', 'dnc', 'add', '+12127340000', '+12127344999').code).toBe(0);
    imp.resume('go');
    const { code } = await imp.exit;
    expect(code, imp.stderr()).toBe(0);
    expect(JSON.parse(imp.stdout())).toMatchObject({ inserted: 4998, suppressed: 2 });
    // Whatever the slice, neither lead is callable: both count as suppressed, none is stored.
    expect(query(`SELECT count(*) AS n FROM leads WHERE phone IN ('+12127340000', '+12127344999')`)[0].n).toBe(0);
    const batch = json(callq(['--db', db, 'imports', '--json']))[0];
    expect(batch).toMatchObject({ state: 'complete', inserted: 4998, suppressed: 2 });
    expect(query(`SELECT count(*) AS n FROM leads WHERE status = 'new'`)[0].n).toBe(4998);
  }, 120_000);
});

describe('dry runs and a busy database', () => {
  /** A test connection holding the write lock (BEGIN IMMEDIATE) until released. */
  function holdWriteLock(): () => void {
    const conn = openRaw(db);
    conn.exec('BEGIN IMMEDIATE');
    return () => {
      conn.exec('ROLLBACK');
      conn.close();
    };
  }

  it('--dry-run takes no write lock: it runs while another connection holds it, with the counts of the real import', () => {
    seedCallable();
    const file = generate(3_000, 'list.csv');
    const release = holdWriteLock();
    let dry;
    try {
      dry = callq(['--db', db, '--now', NOW, 'import', file, '--dry-run', '--json'], { env: { CALLQ_BUSY_TIMEOUT: '100' } });
    } finally {
      release();
    }
    expect(dry.code, dry.stderr).toBe(0);
    expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(3);
    const real = callq(['--db', db, '--now', NOW, 'import', file, '--json']);
    const pick = (r: any) => ({ rows_read: r.rows_read, inserted: r.inserted, updated: r.updated, duplicates: r.duplicates, suppressed: r.suppressed, rejected: r.rejected });
    expect(pick(json(dry))).toEqual(pick(json(real)));
  });

  it('exits 75 when the lock is held past the busy timeout (env or setting), and 4 still for a stolen claim', () => {
    seedCallable();
    const claim = json(rep('ana', 'next', '--json'));
    const release = holdWriteLock();
    try {
      const envWait = callq(['--db', db, '--rep', 'bo', '--now', NOW, 'next'], { env: { CALLQ_BUSY_TIMEOUT: '150ms' } });
      expect(envWait.code).toBe(75);
      expect(envWait.stderr).toMatch(/the database stayed busy .*Try again in a moment/);
      const log = callq(['--db', db, '--rep', 'ana', '--now', NOW, 'log', String(claim.lead.id), 'no-answer'], { env: { CALLQ_BUSY_TIMEOUT: '200' } });
      expect(log.code).toBe(75);
      const bad = callq(['--db', db, '--rep', 'bo', '--now', NOW, 'next'], { env: { CALLQ_BUSY_TIMEOUT: 'soon' } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/invalid CALLQ_BUSY_TIMEOUT 'soon'/);
    } finally {
      release();
    }
    // The setting, when the environment says nothing (an empty variable counts as unset).
    expect(callq(['--db', db, 'config', 'set', 'busy-timeout', '250ms']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'set', 'busy-timeout', 'later']).code).toBe(2);
    const release2 = holdWriteLock();
    try {
      const r = callq(['--db', db, '--rep', 'bo', '--now', NOW, 'next'], { env: { CALLQ_BUSY_TIMEOUT: '' } });
      expect(r.code).toBe(75);
    } finally {
      release2();
    }
    // A claim stolen after its lease expired is a conflict: exit 4.
    const late = '2026-11-23T15:20:00Z';
    expect(callq(['--db', db, '--rep', 'bo', '--now', late, 'next']).code).toBe(0);
    const stolen = callq(['--db', db, '--rep', 'ana', '--now', late, 'log', String(claim.lead.id), 'no-answer']);
    expect(stolen.code).toBe(4);
  });

  it('a full disk (file-size limit) stops the import: exit 1, nothing kept, no big WAL left behind', () => {
    seedCallable();
    const file = generate(30_000, 'list.csv');
    const reader = openRaw(db); // a rep's open connection keeps the WAL file in place
    try {
      reader.prepare('SELECT count(*) FROM leads').get();
      const blocks = Math.ceil(statSync(db).size / 1024) + 1500; // bash counts 1 KB blocks
      const r = spawnSync('bash', ['-c', `ulimit -f ${blocks}; exec "$@"`, 'bash', process.execPath, BIN, '--db', db, '--now', NOW, 'import', file], {
        env: ENV,
        encoding: 'utf8',
      });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/callq: the disk is full \(or the database reached a file-size limit\).*nothing of it was kept; the write-ahead log was emptied/);
      expect(statSync(`${db}-wal`).size).toBe(0);
      expect(query('SELECT count(*) AS n FROM leads')[0].n).toBe(3);
      expect(query('SELECT count(*) AS n FROM imports')[0].n).toBe(1);
      expect(query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      reader.close();
    }
  });
});
