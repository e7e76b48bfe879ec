// A server that takes the connection and never answers (a stuck server, a half-open tunnel, a
// laptop whose VPN dropped behind a proxy): a rep's command gives up after the connect timeout
// with exit 75 and what to check, instead of never ending (docs/setup.md, "Connection
// settings"). `connect_timeout` in the URL, else PGCONNECT_TIMEOUT, as libpq reads them; 15 s
// when neither is set. The stand-in server is a plain TCP listener on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { callqAsync, tempDir, type RunResult } from '../helpers.js';
import { DEFAULT_CONNECT_TIMEOUT_S } from '../../src/db/pg/session.js';

describe('a server that never answers', () => {
  let server: Server;
  let url: string;
  let dir: string;
  let cleanup: () => void;
  const held: Socket[] = [];
  let accepted = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    server = createServer((socket) => {
      accepted++;
      held.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgres://callq@127.0.0.1:${(server.address() as { port: number }).port}/sales`;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    cleanup?.();
  });

  function expectGaveUp(r: RunResult, seconds: number, named: RegExp): void {
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toContain(`the server did not answer within ${seconds} s`);
    expect(r.stderr).toMatch(named);
    expect(r.stderr).toContain('Nothing was changed');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }

  it('connect_timeout in the URL ends every command with exit 75, naming the setting', async () => {
    const before = accepted;
    const runs = await Promise.all(
      [['status'], ['next'], ['log', '1', 'no-answer'], ['import', join(dir, 'none.csv')], ['backup', join(dir, 'team.dump')]].map((args) =>
        callqAsync(['--db', `${url}?connect_timeout=2`, ...args], { env: { CALLQ_REP: 'ana' } }),
      ),
    );
    for (const r of [...runs.slice(0, 3), runs[4]!]) expectGaveUp(r, 2, /connect_timeout in the URL/);
    expect(accepted - before).toBeGreaterThanOrEqual(4);
    // import names the missing file before connecting.
    expect(runs[3]!.code).toBe(2);
    expect(runs[3]!.stderr).toContain('none.csv');
  });

  it('PGCONNECT_TIMEOUT when the URL says nothing; 1 is taken as 2, as libpq does', async () => {
    expectGaveUp(await callqAsync(['--db', url, 'status'], { env: { PGCONNECT_TIMEOUT: '1' } }), 2, /PGCONNECT_TIMEOUT/);
  });

  it(`with neither, a command still ends: after ${DEFAULT_CONNECT_TIMEOUT_S} s`, async () => {
    expectGaveUp(await callqAsync(['--db', url, 'next'], { env: { CALLQ_REP: 'ana' } }), DEFAULT_CONNECT_TIMEOUT_S, /connect_timeout/);
  }, 120_000);

  it('a value that is not a whole number of seconds is exit 2 before connecting', async () => {
    const before = accepted;
    const bad = await callqAsync(['--db', `${url}?connect_timeout=10s`, 'status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('connect_timeout in the URL is "10s", which is not a whole number of seconds');
    const env = await callqAsync(['--db', url, 'status'], { env: { PGCONNECT_TIMEOUT: 'soon' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('PGCONNECT_TIMEOUT is "soon"');
    expect(accepted).toBe(before);
  });
});
