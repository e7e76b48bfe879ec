// callq work keeps one PostgreSQL connection for a rep's whole session. When the server ends it
// between two calls (a restart, a failover, an administrator, idle_session_timeout), the next
// key opens another and goes on (src/db/pg/store/connection.ts, PgConnection.live); the rep loses
// neither the session nor the outcome just keyed. When the database stops answering without a
// word (a network gone), Ctrl-C still ends the session (src/cli/work.ts, SHUTDOWN_WAIT_MS), and
// next, log and work give the connection up by themselves after the busy timeout plus the
// connect timeout (PgConnection.answered).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { seedStore } from '../seed.js';
import { newTestStore, type TestStore } from '../stores.js';
import { Terminal } from '../terminal.js';
import { pgInfo } from './db.js';
import { join } from 'node:path';
import { clusterConfig } from './cluster.js';
import { connectPg } from '../../src/db/pg/open.js';
import { callq, callqAsync, json } from '../helpers.js';

const NOW = '2026-11-24T16:00:00Z'; // Tuesday 11:00 in New York

describe.skipIf(pgInfo.unavailable)('callq work when the server ends its connection', () => {
  let store: TestStore;
  let terminal: Terminal | undefined;
  /** A proxy a test put between the rep and the server (blackHoleProxy), closed after it. */
  let proxy: Awaited<ReturnType<typeof blackHoleProxy>> | undefined;
  beforeEach(async () => {
    store = await newTestStore('postgres', { migrated: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && terminal) console.log(terminal.describe());
    terminal?.kill('SIGKILL');
    terminal = undefined;
    proxy?.close();
    proxy = undefined;
    await store.cleanup();
  });

  /** Ends the rep's connection as an administrator would, and waits until its server process is gone. */
  async function endRepConnections(): Promise<number> {
    const rows = await store.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid, 60000) AS ended FROM pg_stat_activity WHERE application_name = 'callq' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    expect(rows.every((r) => r.ended)).toBe(true);
    return rows.length;
  }

  it('the next key opens a new connection: the outcome is saved and the session goes on', async () => {
    const [avery, blake] = await seedStore(store, [
      { first_name: 'Avery', last_name: 'Test', score: 90 },
      { first_name: 'Blake', last_name: 'Test', score: 80 },
    ]);
    terminal = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work']);
    await terminal.waitFor('Avery Test');
    await terminal.waitFor('outcome key ›');
    expect(await endRepConnections()).toBe(1);
    terminal.write('n');
    await terminal.waitFor(`✓ Saved no-answer for #${avery} Avery Test`);
    await terminal.waitFor('Blake Test');
    await terminal.waitFor('outcome key ›');
    // Twice in one session, and the claim on screen is the rep's own.
    expect(await endRepConnections()).toBe(1);
    terminal.write('b');
    await terminal.waitFor(`✓ Saved busy for #${blake} Blake Test`);
    terminal.write('Q');
    expect(await terminal.exitCode()).toBe(0);
    const calls = await store.query<{ lead_id: number; disposition: string; rep: string }>('SELECT lead_id, disposition, rep FROM calls ORDER BY id');
    expect(calls).toEqual([
      { lead_id: avery, disposition: 'no-answer', rep: 'ana' },
      { lead_id: blake, disposition: 'busy', rep: 'ana' },
    ]);
    expect(await store.query('SELECT id FROM leads WHERE claim_rep IS NOT NULL')).toEqual([]);
  });

  it('a server that is gone for good still ends the session with exit 75 and what to check', async () => {
    await seedStore(store, [{ first_name: 'Avery', last_name: 'Test', score: 90 }]);
    terminal = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work']);
    await terminal.waitFor('outcome key ›');
    // The database takes no more connections, and the session's is ended: reconnecting fails.
    const admin = await connectPg(clusterConfig(pgInfo, 'postgres'));
    try {
      await admin.query(`ALTER DATABASE ${JSON.stringify(new URL(store.db).pathname.slice(1))} ALLOW_CONNECTIONS false`);
    } finally {
      await admin.end();
    }
    expect(await endRepConnections()).toBe(1);
    terminal.write('n');
    await terminal.waitFor(/callq: .*PostgreSQL at postgres:\/\/.*not currently accepting connections.*try again later/);
    expect(await terminal.exitCode()).toBe(75);
    expect(terminal.screen).not.toMatch(/\n\s+at /);
  });

  it('a database that stops answering mid-save: Ctrl-C still ends the session (exit 130), saying what may not have been saved', async () => {
    await seedStore(store, [{ first_name: 'Avery', last_name: 'Test', score: 90 }]);
    const proxy = await blackHoleProxy(join(pgInfo.socketDir, `.s.PGSQL.${pgInfo.port}`));
    try {
      const url = new URL(store.db);
      terminal = new Terminal(['--db', `postgres://callq@127.0.0.1:${proxy.port}${url.pathname}?sslmode=disable`, '--rep', 'ana', '--now', NOW, 'work']);
      await terminal.waitFor('outcome key ›');
      proxy.silence();
      terminal.write('n');
      // The save has gone out (and met silence): the rep gives up on it.
      await proxy.swallowed;
      terminal.write('\x03');
      await terminal.waitFor(/did not answer within 5 s: what was being saved may or may not have been/);
      expect(await terminal.exitCode()).toBe(130);
    } finally {
      proxy.close();
    }
  });

  describe('a database that falls silent in the middle of a command', () => {
    // The answer wait is the busy timeout plus the connect timeout: 1 s + 2 s here.
    const env = { CALLQ_BUSY_TIMEOUT: '1s' };
    /** The store's database through a proxy that goes silent at the first statement holding `marker`. */
    async function throughProxy(marker: string): Promise<string> {
      proxy = await blackHoleProxy(join(pgInfo.socketDir, `.s.PGSQL.${pgInfo.port}`), marker);
      return `postgres://callq@127.0.0.1:${proxy.port}${new URL(store.db).pathname}?sslmode=disable&connect_timeout=2`;
    }
    function expectGaveUp(r: { code: number; stderr: string }): void {
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toContain('the server did not answer within 3 s');
      expect(r.stderr).toContain('Is the network (VPN) connected?');
      expect(r.stderr).toContain('may or may not have been saved');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }

    it('next ends with exit 75 after the busy timeout and the connect timeout, rather than waiting for TCP', async () => {
      const [id] = await seedStore(store, [{ first_name: 'Avery', last_name: 'Test', score: 90 }]);
      const url = await throughProxy('pg_advisory_xact_lock'); // the claim's transaction
      const r = await callqAsync(['--db', url, '--now', NOW, 'next'], { env });
      expectGaveUp(r);
      expect(proxy!.wasSilenced()).toBe(true);
      // The claim never reached the server: the lead is anyone's, and the rep gets it directly.
      expect(await store.query('SELECT claim_rep FROM leads WHERE id = ?', id)).toEqual([{ claim_rep: null }]);
      expect(json(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'next', '--json'])).lead.id).toBe(id);
    });

    it('log ends with exit 75 too; the outcome, never received, is saved once when logged again', async () => {
      const [id] = await seedStore(store, [{ first_name: 'Avery', last_name: 'Test', score: 90 }]);
      expect(json(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'next', '--json'])).lead.id).toBe(id);
      const url = await throughProxy('INSERT INTO calls');
      expectGaveUp(await callqAsync(['--db', url, '--now', NOW, 'log', String(id), 'no-answer'], { env }));
      expect(await store.query('SELECT count(*)::int AS n FROM calls')).toEqual([{ n: 0 }]);
      expect(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'log', String(id), 'no-answer']).code).toBe(0);
      expect(await store.query('SELECT lead_id, disposition FROM calls')).toEqual([{ lead_id: id, disposition: 'no-answer' }]);
    });

    it('work ends the session by itself with exit 75, without waiting for Ctrl-C', async () => {
      await seedStore(store, [{ first_name: 'Avery', last_name: 'Test', score: 90 }]);
      const url = await throughProxy('INSERT INTO calls');
      terminal = new Terminal(['--db', url, '--rep', 'ana', '--now', NOW, 'work'], { NO_COLOR: '1', ...env });
      await terminal.waitFor('outcome key ›');
      terminal.write('n');
      await terminal.waitFor(/did not answer within 3 s[\s\S]*may or may not have been saved/);
      expect(await terminal.exitCode()).toBe(75);
      expect(terminal.screen).not.toMatch(/\n\s+at /);
    });
  });
});

/**
 * A TCP port that passes bytes to and from a unix socket until `silence()`, or until the client
 * sends bytes holding `marker`, then passes none and closes nothing; `swallowed` settles when the
 * client's first bytes after that arrive.
 */
async function blackHoleProxy(
  socketPath: string,
  marker?: string,
): Promise<{ port: number; silence(): void; wasSilenced(): boolean; swallowed: Promise<void>; close(): void }> {
  let silent = false;
  let swallow!: () => void;
  const swallowed = new Promise<void>((resolve) => (swallow = resolve));
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    sockets.push(client, upstream);
    client.on('data', (d) => {
      if (marker !== undefined && d.includes(marker)) silent = true;
      if (silent) swallow();
      else upstream.write(d);
    });
    upstream.on('data', (d) => silent || client.write(d));
    for (const s of [client, upstream]) s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    silence: () => void (silent = true),
    wasSilenced: () => silent,
    swallowed,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
