// A hostile environment: a read-only database file or folder, a full disk (a tiny tmpfs, and a
// file-size limit), a database locked by another process past the busy timeout, and a reader that
// goes away mid-output. Each gives a clear message and the documented exit code, and the database
// is left exactly as it was. Those are SQLite's (file modes, a full disk under the file, its write
// lock); a reader that goes away runs on both stores; PostgreSQL's counterparts are at the end (a
// role that may only read, an export file over the size limit) and in test/pg/errors.test.ts (a
// server that is not there, a row lock held past the busy timeout, a connection lost).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, callq, initDb, openRaw, queryDb, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { copySqliteInto } from '../both/seed-from-sqlite.js';
import { CLEAN_ENV, NOW, contentDigest, describeRun, health, otherUser, pgContentDigest, pgSessionsGone, run } from './support.js';

// The read-only tests run the CLI as a user that permissions stop (see otherUser()), so every
// test's folder is made where that user can enter.
const other = otherUser();
afterAll(() => typeof other !== 'string' && other.cleanup());

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('callq-env-', typeof other === 'string' ? undefined : other.base));
  db = join(dir, 'team.db');
  initDb(db);
  seedLeads(db, [{ first_name: 'Avery', score: 90 }, { first_name: 'Blake', score: 80 }, { first_name: 'Casey', status: 'sales-ready' }]);
});
afterEach(() => {
  chmodSync(dir, 0o700);
  cleanup();
});

const healthy = { integrity: 'ok', foreignKeyProblems: [] };

describe('a read-only database', () => {
  /** Runs callq as the other user; skips the test, saying why, when there is none. */
  const cmd = (args: string[]) => {
    if (typeof other === 'string') throw new Error(other);
    return run(['--db', db, '--rep', 'ana', '--now', NOW, ...args], { prefix: other.prefix, bin: other.bin, cwd: '/' });
  };
  const WRITES = [['next'], ['log', '1', 'no-answer', '--force'], ['config', 'set', 'hours.end', '18:00'], ['dnc', 'add', '+12127345599'], ['maintain']];

  it('file read-only, folder writable: reads work; every write exits 2 saying why; nothing changes', async (ctx) => {
    ctx.skip(typeof other === 'string', `no user that file permissions stop: ${other}`);
    const before = contentDigest(db);
    chmodSync(dir, 0o777);
    // callq creates the database owner-only, and SQLite its -shm with the same mode (the read-only
    // connection above left one): made readable for everyone, all of them are.
    for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) chmodSync(f, 0o444);
    for (const args of [['status'], ['queue'], ['show', '1'], ['export', 'calls', '--since', '2026-01-01']]) {
      const r = await cmd(args);
      expect([0, 3], `${args.join(' ')}: ${describeRun(r)}`).toContain(r.code);
    }
    expect((await cmd(['queue'])).stdout).toContain('Avery');
    for (const args of WRITES) {
      const r = await cmd(args);
      expect(r.code, `${args.join(' ')}: ${describeRun(r)}`).toBe(2);
      expect(r.stderr).toMatch(/^callq: cannot write: attempt to write a readonly database\. callq needs write permission on the database file and its folder/);
    }
    chmodSync(db, 0o644);
    expect(contentDigest(db)).toBe(before);
    expect(health(db)).toEqual(healthy);
  });

  it('folder read-only (no room for -wal and -shm): every command exits 2 naming the folder problem; nothing changes', async (ctx) => {
    ctx.skip(typeof other === 'string', `no user that file permissions stop: ${other}`);
    const before = contentDigest(db);
    health(db); // a read-write connection closing last removes the -wal and -shm files
    expect(existsSync(`${db}-shm`)).toBe(false);
    chmodSync(db, 0o666);
    chmodSync(dir, 0o555);
    for (const args of [['status'], ['queue'], ...WRITES]) {
      const r = await cmd(args);
      expect(r.code, `${args.join(' ')}: ${describeRun(r)}`).toBe(2);
      expect(r.stderr).toMatch(/folder is not writable: SQLite \(in WAL mode\) must create NAME-wal and NAME-shm/);
    }
    chmodSync(dir, 0o755);
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(contentDigest(db)).toBe(before);
    expect(health(db)).toEqual(healthy);
  });
});

/** Whether this machine lets an unprivileged user namespace mount a tmpfs. */
function canMountTmpfs(): boolean {
  const probe = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt || mount -t tmpfs -o size=64k tmpfs /tmp'], { encoding: 'utf8' });
  return probe.status === 0;
}

describe('a full disk', () => {
  /** A do-not-call list bigger than the room left. */
  function bigList(): string {
    const file = join(dir, 'state-dnc.txt');
    writeFileSync(file, 'phone\n' + Array.from({ length: 20_000 }, (_, i) => `+1212${String(2_000_000 + i * 3).padStart(7, '0')}`).join('\n') + '\n');
    return file;
  }

  it.skipIf(!canMountTmpfs())('a tiny tmpfs: writes that do not fit exit 1 saying the disk is full; the database is as before', () => {
    const list = bigList();
    const before = contentDigest(db);
    const mnt = join(dir, 'mnt');
    const out = join(dir, 'out');
    mkdirSync(mnt);
    mkdirSync(out);
    // Inside a private mount namespace: a 320 KB tmpfs holding the 100 KB database. Each command's
    // exit code and stderr go outside it; the database files are copied out at the end.
    const commands: [string, string[]][] = [
      ['dnc-import', ['--db', join(mnt, 'team.db'), 'dnc', 'import', list]],
      ['export', ['--db', join(mnt, 'team.db'), 'export', 'calls', '--out', join(mnt, 'calls.csv')]],
      ['stdout', ['--db', db, 'dnc', 'list', '--json']],
      ['status', ['--db', join(mnt, 'team.db'), 'status']],
    ];
    // Some output to export and to list: 2,000 calls and suppressions in the database first.
    const raw = openRaw(db);
    raw.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
      INSERT INTO calls(lead_id, rep, called_at, disposition, notes) SELECT 1, 'ana', '${NOW}', 'no-answer', printf('%.60c', 'n') FROM s;
      WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
      INSERT INTO suppressions(kind, value, value_hash, created_at) SELECT 'email', 'x' || i || '@example.com', hex(randomblob(16)), '${NOW}' FROM s;`);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const withData = contentDigest(db);
    expect(withData).not.toBe(before);
    const script = [
      'set -u',
      `mount -t tmpfs -o size=${Math.ceil(Number(readFileSync(db).length) / 1024) + 96}k tmpfs '${mnt}'`,
      `cp '${db}' '${mnt}/team.db'`,
      ...commands.map(([name, args]) => {
        const redirect = name === 'stdout' ? `> '${mnt}/list.ndjson'` : `> /dev/null`;
        return `'${process.execPath}' '${BIN}' ${args.map((a) => `'${a}'`).join(' ')} ${redirect} 2> '${out}/${name}.err'; echo $? > '${out}/${name}.code'`;
      }),
      `cp '${mnt}'/team.db* '${out}/'`,
      `ls -a '${mnt}' > '${out}/left.txt'`,
    ].join('\n');
    const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'bash', '-c', script], { env: CLEAN_ENV, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = (name: string) => ({ code: Number(readFileSync(join(out, `${name}.code`), 'utf8')), stderr: readFileSync(join(out, `${name}.err`), 'utf8') });

    expect(result('dnc-import')).toEqual({ code: 1, stderr: expect.stringMatching(/^callq: the disk is full \(.*\); nothing was changed\. Free some space/) });
    expect(result('export')).toEqual({ code: 1, stderr: expect.stringMatching(/^callq: the disk is full \(ENOSPC.*\); nothing was changed/) });
    expect(result('stdout')).toEqual({ code: 1, stderr: 'callq: cannot write the output: ENOSPC: no space left on device, write.\n' });
    // Even a read needs room for the -shm file beside the database: it says why it cannot run.
    expect(result('status')).toEqual({ code: 1, stderr: expect.stringMatching(/^callq: the disk refused a write \(.*\): is the disk full/) });
    // The export left no partial or temporary file behind.
    expect(readFileSync(join(out, 'left.txt'), 'utf8').split('\n').filter((f) => f.includes('calls'))).toEqual([]);
    // The database copied out of the full disk is intact and unchanged.
    expect(health(join(out, 'team.db'))).toEqual(healthy);
    expect(contentDigest(join(out, 'team.db'))).toBe(withData);
  }, 60_000);

  it('a file-size limit (ulimit -f): the write is refused with a clear message (no SIGXFSZ crash); the database is as before', async () => {
    const list = bigList();
    const before = contentDigest(db);
    const blocks = Math.ceil(readFileSync(db).length / 1024) + 16; // bash counts 1 KB blocks
    const r = await run(['--db', db, 'dnc', 'import', list], { prefix: ['bash', '-c', `ulimit -f ${blocks}; exec "$@"`, 'bash'] });
    expect(r.signal, describeRun(r)).toBeNull();
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(/^callq: (the disk is full|the disk refused a write \(.*\): is the disk full, the file over a size limit \(ulimit -f\))/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(health(db)).toEqual(healthy);
    expect(contentDigest(db)).toBe(before);
  }, 30_000);
});

describe('a database locked by another process', () => {
  /** Holds the write lock from another process until `ms` have passed or, without `ms`, until the returned function is called. */
  async function holdLock(ms?: number): Promise<() => Promise<void>> {
    const child = spawn(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
      const db = new Database(${JSON.stringify(db)});
      db.exec('BEGIN EXCLUSIVE');
      process.stdout.write('locked\\n');
      const release = () => { db.exec('ROLLBACK'); db.close(); process.exit(0); };
      ${ms === undefined ? "process.stdin.once('data', release);" : `setTimeout(release, ${ms});`}`]);
    await new Promise<void>((done, fail) => {
      child.stdout.once('data', () => done());
      child.once('exit', (code) => fail(new Error(`locker exited ${code}`)));
    });
    return () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        if (ms === undefined) child.stdin.write('release\n');
      });
  }

  it('longer than the 5 s busy timeout: writes exit 75 saying so after 5 s, reads are served meanwhile; nothing changes', async () => {
    expect(callq(['--db', db, '--now', NOW, 'queue']).code).toBe(0); // zone windows cached, as in daily use
    const before = contentDigest(db);
    // Held until every command below has ended: reads that finish did so while the writer held it.
    const released = await holdLock();
    const base = ['--db', db, '--rep', 'ana', '--now', NOW];
    const writes = [['next'], ['log', '1', 'no-answer', '--force'], ['config', 'set', 'hours.end', '18:00'], ['dnc', 'add', '+12127345599'], ['maintain'], ['export', 'sales-ready', '--out', join(dir, 'h.csv')], ['release', '1']];
    const reads = [['status'], ['queue'], ['why', '1'], ['show', '1'], ['export', 'calls'], ['dnc', 'list']];
    const [w, rd] = await Promise.all([
      Promise.all(writes.map((args) => run([...base, ...args], { timeoutMs: 20_000 }))),
      Promise.all(reads.map((args) => run([...base, ...args], { timeoutMs: 20_000 }))),
    ]);
    for (const [i, r] of w.entries()) {
      const what = `${writes[i].join(' ')}: ${describeRun(r)}`;
      expect(r.code, what).toBe(75);
      expect(r.stderr, what).toMatch(/the database stayed busy \(another process held its write lock longer than the busy timeout\); nothing was changed\. Try again in a moment/);
      expect(r.ms, what).toBeGreaterThan(4500);
    }
    for (const [i, r] of rd.entries()) {
      const what = `${reads[i].join(' ')}: ${describeRun(r)}`;
      expect([0, 3], what).toContain(r.code);
    }
    await released();
    expect(health(db)).toEqual(healthy);
    expect(contentDigest(db)).toBe(before);
    expect(existsSync(join(dir, 'h.csv'))).toBe(false);
    // Once the lock is gone, work goes on.
    const next = await run([...base, 'next', '--json']);
    expect(next.code, describeRun(next)).toBe(0);
  }, 40_000);

  it('shorter than the busy timeout: a write that finds the lock taken waits for it, and succeeds once it is free', async () => {
    const release = await holdLock();
    // A busy timeout far longer than the hold, however slow the machine.
    const child = spawn(process.execPath, [BIN, '--db', db, '--rep', 'ana', '--now', NOW, 'next', '--json'], { env: { ...CLEAN_ENV, CALLQ_BUSY_TIMEOUT: '25s' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((done) => child.on('close', done));
    // The lock is released only once the command has the database open (its write comes then,
    // whatever the load); the command cannot end before it, since it needs the lock.
    await hasOpen(child, db);
    expect(child.exitCode).toBeNull();
    await release();
    expect(await exit, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ lead: { first_name: 'Avery' } });
    expect(health(db)).toEqual(healthy);
  }, 30_000);
});

/** Resolves once the child process has `path` open (Linux /proc); the test's own timeout bounds the wait. */
async function hasOpen(child: ChildProcess, path: string): Promise<void> {
  const real = realpathSync(path); // what /proc shows: the path with symlinks resolved
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the command ended (exit ${child.exitCode}) before it opened ${path}`);
    const fds = `/proc/${child.pid}/fd`;
    try {
      if (readdirSync(fds).some((fd) => readlinkSafe(join(fds, fd)) === real)) return;
    } catch {
      // the process is starting or ending: look again
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

function readlinkSafe(link: string): string | null {
  try {
    return readlinkSync(link);
  } catch {
    return null;
  }
}

describe.each(STORE_KINDS)('a reader that goes away (callq ... | head) on %s', (kind) => {
  /** The --db of the test: the file, or a PostgreSQL database holding the same rows. */
  let target: string;
  let store: TestStore | undefined;

  /** Runs callq, reads the first chunk of stdout, then closes the pipe. */
  function readThenClose(args: string[]): Promise<{ code: number | null; stderr: string; first: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [BIN, '--db', target, '--now', NOW, ...args], { env: CLEAN_ENV });
      let stderr = '';
      let first = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.once('data', (d) => {
        first = String(d);
        child.stdout.destroy();
      });
      child.on('close', (code) => done({ code, stderr, first }));
    });
  }

  beforeEach(async () => {
    const raw = openRaw(db);
    raw.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 4000)
      INSERT INTO leads(first_name, phone, status, disqualify_reason, closed_at, qualification, handoff_note, created_at, updated_at)
      SELECT 'Lead' || i, '+1212' || (3000000 + i), CASE WHEN i % 2 THEN 'disqualified' ELSE 'sales-ready' END, 'no-budget', '${NOW}',
             '{"need":"x","timeframe":"Q1","authority":"VP"}', printf('%.300c', 'n'), '${NOW}', '${NOW}' FROM s;`);
    raw.close();
    target = db;
    if (kind === 'postgres') {
      // One database for the describe's tests (the same rows as each test's file): they only read,
      // but for the do-not-call entries one imports and the hand-off the last one must not make.
      if (!store) {
        store = await newTestStore(kind, { migrated: true });
        await copySqliteInto(db, store);
      }
      target = store.db;
    }
  });
  afterAll(async () => {
    await store?.cleanup();
    store = undefined;
  });

  const digest = () => (kind === 'sqlite' ? Promise.resolve(contentDigest(db)) : pgContentDigest(target));

  it.each([[['export', 'cleanup']], [['export', 'cleanup', '--json']], [['dnc', 'list']]])('%j stops quietly with exit 141, no stack trace', async (args) => {
    if (args[0] === 'dnc') {
      writeFileSync(join(dir, 'list.txt'), Array.from({ length: 5000 }, (_, i) => `person${i}@example.com`).join('\n'));
      expect(callq(['--db', target, 'dnc', 'import', join(dir, 'list.txt')]).code).toBe(0);
    }
    const r = await readThenClose(args);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(141);
    expect(r.stderr).not.toMatch(/unexpected|EPIPE|at /);
  });

  it('an export of sales-ready leads to a closed pipe marks nothing', async () => {
    const before = await digest();
    const r = await readThenClose(['export', 'sales-ready']);
    expect(r.code, r.stderr).toBe(141);
    if (kind === 'postgres') await pgSessionsGone(target);
    expect(await digest()).toBe(before);
    const handedOff = kind === 'sqlite' ? queryDb(db, "SELECT count(*) AS n FROM leads WHERE status = 'handed-off'") : await store!.query("SELECT count(*) AS n FROM leads WHERE status = 'handed-off'");
    expect(handedOff).toEqual([{ n: 0 }]);
  });
});

// PostgreSQL's counterparts of the read-only file and the full disk: a role allowed only to read
// (its server refuses the writes), and an export file over the file-size limit while the
// database has room. The same three leads as the SQLite file above.
describe.runIf(STORE_KINDS.includes('postgres'))('PostgreSQL: a role that may only read, an export file that cannot be written', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await newTestStore('postgres', { migrated: true });
    await copySqliteInto(db, store);
  });
  afterEach(() => store.cleanup());

  it('a role with SELECT only: reads work; every write exits 2 saying why; nothing changes', async () => {
    const role = `callq_reader_${process.pid}`;
    const database = new URL(store.db).pathname.slice(1);
    await store.query(`DROP ROLE IF EXISTS ${role}`);
    await store.query(`CREATE ROLE ${role} LOGIN`);
    await store.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    try {
      const url = store.db.replace(/^postgres:\/\/[^@]+@/, `postgres://${role}@`);
      // A claim that has expired: maintain has something to write.
      await store.query(`UPDATE leads SET claim_rep = 'bo', claim_token = 't', claim_expires_at = '2026-11-24T15:00:00.000Z' WHERE first_name = 'Blake'`);
      // The zone windows cached, as in daily use (a read while they are stale: the next test).
      expect(callq(['--db', store.db, '--now', NOW, 'queue']).code).toBe(0);
      const before = await pgContentDigest(store.db);
      const cmd = (args: string[]) => run(['--db', url, '--rep', 'ana', '--now', NOW, ...args]);
      for (const args of [['status'], ['queue'], ['show', '1'], ['export', 'calls', '--since', '2026-01-01']]) {
        const r = await cmd(args);
        expect([0, 3], `${args.join(' ')}: ${describeRun(r)}`).toContain(r.code);
      }
      expect((await cmd(['queue'])).stdout).toContain('Avery');
      for (const args of [['next'], ['log', '1', 'no-answer', '--force'], ['config', 'set', 'hours.end', '18:00'], ['dnc', 'add', '+12127345599'], ['maintain']]) {
        const r = await cmd(args);
        expect(r.code, `${args.join(' ')}: ${describeRun(r)}`).toBe(2);
        expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^callq: PostgreSQL at postgres://${role}@.*/${database}\\?.* refused: permission denied for .*The database user needs rights on callq's tables`));
        expect(r.stderr, args.join(' ')).not.toMatch(/unexpected failure|\n\s+at /);
      }
      expect(await pgContentDigest(store.db)).toBe(before);
    } finally {
      await store.query(`DROP OWNED BY ${role}`);
      await store.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('a role with SELECT only reads while the cached zone windows are stale: the answers come, nothing is stored', async () => {
    const role = `callq_stale_reader_${process.pid}`;
    await store.query(`DROP ROLE IF EXISTS ${role}`);
    await store.query(`CREATE ROLE ${role} LOGIN`);
    await store.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    try {
      const url = store.db.replace(/^postgres:\/\/[^@]+@/, `postgres://${role}@`);
      await store.query('UPDATE lead_zones SET windows = NULL');
      const before = await pgContentDigest(store.db);
      for (const args of [['status'], ['queue']]) {
        const r = await run(['--db', url, '--rep', 'ana', '--now', NOW, ...args]);
        expect(r.code, `${args.join(' ')}: ${describeRun(r)}`).toBe(0);
      }
      expect((await run(['--db', url, '--rep', 'ana', '--now', NOW, 'queue'])).stdout).toContain('Avery');
      expect(await store.query('SELECT count(*) AS n FROM lead_zones WHERE windows IS NOT NULL')).toEqual([{ n: 0 }]);
      expect(await pgContentDigest(store.db)).toBe(before);
    } finally {
      await store.query(`DROP OWNED BY ${role}`);
      await store.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('an export file over the file-size limit (ulimit -f): exit 1 saying so, no file, nothing handed off', async () => {
    const before = await pgContentDigest(store.db);
    const out = join(dir, 'handoff.csv');
    const r = await run(['--db', store.db, '--now', NOW, 'export', 'sales-ready', '--out', out], { prefix: ['bash', '-c', 'ulimit -f 0; exec "$@"', 'bash'] });
    expect(r.signal, describeRun(r)).toBeNull();
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(/^callq: (the disk is full|the disk refused a write \(.*\): is the disk full, the file over a size limit \(ulimit -f\))/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(readdirSync(dir).filter((f) => f.includes('handoff'))).toEqual([]);
    await pgSessionsGone(store.db);
    expect(await pgContentDigest(store.db)).toBe(before);
    expect(await store.query(`SELECT status FROM leads WHERE first_name = 'Casey'`)).toEqual([{ status: 'sales-ready' }]);
  });
});
