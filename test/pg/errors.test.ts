// PostgreSQL failures as a rep meets them, through the built binary: a server that is not there,
// a database that does not exist, a row lock held past the busy timeout, a connection ended
// mid-command. Each is an exit code and one message naming the database (password hidden),
// never a stack trace (src/db/pg/errors.ts; docs/setup.md, "Exit codes on PostgreSQL").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BASE_ENV, BIN, callq, freePort, json, tempDir, type RunResult } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York

function expectNoStack(r: RunResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('unexpected failure');
}

/** Runs the CLI without blocking this process (the test holds locks meanwhile);. */
function callqInBackground(args: string[], env: Record<string, string>): { done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, CALLQ_REP: 'ana', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))) };
}

/** Waits until a callq session of the database is waiting for a lock; its backend pid. */
async function waitingBackend(client: PgClient, database: string): Promise<number> {
  for (;;) {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'callq' AND wait_event_type = 'Lock'`,
      [database],
    );
    if (rows.length) return rows[0].pid;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(pgInfo.unavailable)('PostgreSQL failures a rep meets', () => {
  let db: TestDatabase;
  let client: PgClient;

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    client = await db.connect();
    await client.query(
      `INSERT INTO leads(id, first_name, last_name, phone, timezone, timezone_source, score, status, attempts, queue_rank, created_at, updated_at)
       VALUES (1, 'Ana', 'Test', '+12125550101', 'America/New_York', 'column', 50, 'new', 0, 25, '2026-11-01T12:00:00.000Z', '2026-11-01T12:00:00.000Z')`,
    );
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('a server that is not there: exit 75, the URL without its password, what to check', async () => {
    const port = await freePort();
    const r = callq(['--db', `postgres://callq:s3cret@127.0.0.1:${port}/callq`, 'next']);
    expect(r.code).toBe(75);
    expect(r.stderr).toContain(`cannot reach PostgreSQL at postgres://callq:***@127.0.0.1:${port}/callq`);
    expect(r.stderr).toContain('refused');
    expect(r.stderr).toContain('PGHOST');
    expect(r.stderr).not.toContain('s3cret');
    expectNoStack(r);
    const empty = tempDir();
    try {
      const socket = callq(['--db', `postgres://callq@localhost/callq?host=${encodeURIComponent(empty.dir)}`, 'status']);
      expect(socket.code).toBe(75);
      expect(socket.stderr).toContain('no server listens on its socket');
      expectNoStack(socket);
    } finally {
      empty.cleanup();
    }
  });

  it('a database that does not exist: exit 2, naming it', () => {
    const url = db.url.replace(`/${db.name}?`, '/no_such_callq_db?');
    const r = callq(['--db', url, 'log', '1', 'no-answer']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('database "no_such_callq_db" does not exist');
    expect(r.stderr).toContain(`PostgreSQL at ${url}`);
    expectNoStack(r);
  });

  it("sslmode over the unix socket is ignored, as libpq ignores it, and node-postgres's warning never shows (TCP: test/pg/tls.test.ts)", () => {
    for (const r of [
      callq(['--db', `${db.url}&sslmode=require`, '--json', 'status']),
      callq(['--db', `${db.url}&sslmode=verify-full`, '--json', 'status']),
      callq(['--db', db.url, '--json', 'status'], { env: { PGSSLMODE: 'require' } }),
      callq(['--db', db.url, '--json', 'status'], { env: { PGSSLMODE: 'disable' } }),
    ]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(json(r).store.transport).toBe('unix socket');
    }
  });

  it('a user the server does not know: exit 2, what to check', () => {
    const r = callq(['--db', db.url.replace('postgres://callq@', 'postgres://nobody_here@'), 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot connect to PostgreSQL at postgres:\/\/nobody_here@/);
    expect(r.stderr).toContain('PGUSER');
    expectNoStack(r);
  });

  it('a row lock held past the busy timeout: exit 75, nothing recorded (CALLQ_BUSY_TIMEOUT, then the busy-timeout setting)', async () => {
    const claim = callq(['--db', db.url, '--now', NOW, '--json', 'next']);
    expect(claim.code, claim.stderr).toBe(0);
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM leads WHERE id = 1 FOR UPDATE');
      const r = callq(['--db', db.url, '--now', NOW, 'log', '1', 'no-answer'], { env: { CALLQ_BUSY_TIMEOUT: '300' } });
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toContain('the database stayed busy');
      expect(r.stderr).toContain('busy-timeout');
      expectNoStack(r);

      await client.query(`INSERT INTO settings(key, value, updated_at, updated_by) VALUES ('busy-timeout', '200ms', $1, 'ops')`, [NOW]);
      const bySetting = callq(['--db', db.url, '--now', NOW, 'release', '1']);
      expect(bySetting.code, bySetting.stderr).toBe(75);
      expectNoStack(bySetting);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await client.query('SELECT count(*) AS n FROM calls')).rows).toEqual([{ n: 0 }]);
    const logged = callq(['--db', db.url, '--now', NOW, 'log', '1', 'no-answer']);
    expect(logged.code, logged.stderr).toBe(0);
    await client.query(`DELETE FROM settings WHERE key = 'busy-timeout'`);
  });

  it('the session waits for locks as long as the busy timeout: the setting, overridden by CALLQ_BUSY_TIMEOUT', async () => {
    const { openStore } = await import('../../src/db/store.js');
    const lockTimeout = async () => {
      const store = (await openStore(db.url)) as Awaited<ReturnType<typeof openStore>> & { conn: { client: PgClient } };
      try {
        return (await store.conn.client.query('SHOW lock_timeout')).rows[0].lock_timeout;
      } finally {
        await store.close();
      }
    };
    const saved = process.env.CALLQ_BUSY_TIMEOUT;
    delete process.env.CALLQ_BUSY_TIMEOUT;
    try {
      expect(await lockTimeout()).toBe('5s');
      await client.query(`INSERT INTO settings(key, value, updated_at, updated_by) VALUES ('busy-timeout', '2m', $1, 'ops')`, [NOW]);
      expect(await lockTimeout()).toBe('2min');
      process.env.CALLQ_BUSY_TIMEOUT = '750';
      expect(await lockTimeout()).toBe('750ms');
    } finally {
      if (saved === undefined) delete process.env.CALLQ_BUSY_TIMEOUT;
      else process.env.CALLQ_BUSY_TIMEOUT = saved;
      await client.query(`DELETE FROM settings WHERE key = 'busy-timeout'`);
    }
  });

  it("runs without JIT compilation, which cost a new process's claim ~100 ms; a URL's own options win", async () => {
    const { openStore } = await import('../../src/db/store.js');
    const jit = async (url: string) => {
      const store = (await openStore(url)) as Awaited<ReturnType<typeof openStore>> & { conn: { client: PgClient } };
      try {
        return (await store.conn.client.query('SHOW jit')).rows[0].jit;
      } finally {
        await store.close();
      }
    };
    expect(await jit(db.url)).toBe('off');
    expect(await jit(`${db.url}&options=${encodeURIComponent('-c jit=on')}`)).toBe('on');
  });

  it('a connection ended mid-command: exit 75, nothing half-done', async () => {
    const claim = callq(['--db', db.url, '--now', '2026-11-24T19:30:00Z', '--json', 'next']);
    expect(claim.code, claim.stderr).toBe(0);
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM leads WHERE id = 1 FOR UPDATE');
      const run = callqInBackground(['--db', db.url, '--now', '2026-11-24T19:30:00Z', 'log', '1', 'busy'], { CALLQ_BUSY_TIMEOUT: '10m' });
      const pid = await waitingBackend(client, db.name);
      await client.query('SELECT pg_terminate_backend($1)', [pid]);
      const r = await run.done;
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toContain(`lost PostgreSQL at ${db.url}`);
      expectNoStack(r);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await client.query('SELECT count(*) AS n FROM calls')).rows).toEqual([{ n: 1 }]);
  });
});
