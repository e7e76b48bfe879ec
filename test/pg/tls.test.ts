// TLS as psql has it, against real servers over TCP on 127.0.0.1 (docs/setup.md, "Connection
// settings"): one that accepts only encrypted connections (a self-signed certificate), one
// without TLS. Without sslmode callq encrypts where the server offers it and connects plainly
// where it does not, as libpq's default `prefer` does; sslmode over a unix socket is ignored, as
// libpq ignores it; `require`, `verify-full` and `disable` mean what they mean to psql, for every
// command including restore. Whether a connection was encrypted is read in the server's log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, freePort, tempDir, type RunResult } from '../helpers.js';
import { startCluster, type PgCluster } from './cluster.js';
import { pgInfo } from './db.js';

const NOW = '2026-11-24T15:00:00Z';
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('TLS tests skipped: openssl is not installed to make a certificate.');

/** The server log's `connection authorized` lines for callq's connections since `from`. */
function callqConnections(cluster: PgCluster, from: number): string[] {
  return readFileSync(join(cluster.dir, 'server.log'), 'utf8')
    .slice(from)
    .split('\n')
    .filter((line) => line.includes('connection authorized') && line.includes('application_name=callq'));
}

const logSize = (cluster: PgCluster) => readFileSync(join(cluster.dir, 'server.log'), 'utf8').length;

function expectClean(r: RunResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('unexpected failure');
}

describe.skipIf(pgInfo.unavailable || !hasOpenssl)('TLS as psql has it', () => {
  let tlsOnly: PgCluster;
  let plain: PgCluster;
  let dir: string;
  let cleanup: () => void;
  let cert: string;
  const tcp = (cluster: PgCluster, query = '') => `postgres://callq@127.0.0.1:${cluster.port}/postgres${query}`;
  const run = (db: string, args: string[], env: Record<string, string> = {}) =>
    callq(['--db', db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana', ...env } });

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const settings = { log_connections: 'on' };
    tlsOnly = startCluster({
      tcpPort: await freePort(),
      settings: { ...settings, ssl: 'on' },
      dataFiles: {
        'server.crt': readFileSync(cert, 'utf8'),
        'server.key': readFileSync(key, 'utf8'),
        'pg_hba.conf': 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n',
      },
    });
    plain = startCluster({ tcpPort: await freePort(), settings });
    for (const cluster of [tlsOnly, plain]) {
      const r = run(tcp(cluster, cluster === plain ? '?sslmode=disable' : '?sslmode=require'), ['init']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(() => {
    tlsOnly?.stop();
    plain?.stop();
    cleanup?.();
  });

  it('without sslmode, a server that only takes encrypted connections is reached encrypted, on every command', () => {
    const from = logSize(tlsOnly);
    for (const args of [['status'], ['queue'], ['next'], ['maintain']]) {
      const r = run(tcp(tlsOnly), args);
      expectClean(r);
      expect([0, 3], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
    }
    const lines = callqConnections(tlsOnly, from);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toContain('SSL enabled');
    const status = run(tcp(tlsOnly), ['status']);
    expect(status.stdout).toMatch(/store +PostgreSQL, encrypted \(TLSv1\.[23]\)/);
    expect(JSON.parse(run(tcp(tlsOnly), ['status', '--json']).stdout).store.transport).toMatch(/^TLSv1\.[23]$/);
  });

  it('without sslmode, a server without TLS is reached plainly (prefer, as psql)', () => {
    const from = logSize(plain);
    for (const db of [tcp(plain), tcp(plain, '?sslmode=prefer')]) {
      const r = run(db, ['status']);
      expectClean(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('PostgreSQL');
    }
    const r = run(tcp(plain), ['status'], { PGSSLMODE: 'prefer' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/store +PostgreSQL, not encrypted \(TCP\)/);
    const lines = callqConnections(plain, from);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain('SSL enabled');
  });

  it('require encrypts without checking the certificate; a server without TLS is refused with exit 2', () => {
    const ok = run(tcp(tlsOnly), ['status'], { PGSSLMODE: 'require' });
    expect(ok.code, ok.stderr).toBe(0);
    const refused = run(tcp(plain, '?sslmode=require'), ['status']);
    expectClean(refused);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('does not support SSL');
    expect(refused.stderr).toContain('Check sslmode');
  });

  it('verify-full accepts the certificate sslrootcert vouches for, and refuses it otherwise (exit 2)', () => {
    const ok = run(tcp(tlsOnly, `?sslmode=verify-full&sslrootcert=${encodeURIComponent(cert)}`), ['status']);
    expect(ok.code, ok.stderr).toBe(0);
    const unknown = run(tcp(tlsOnly, '?sslmode=verify-full'), ['status']);
    expectClean(unknown);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/self[- ]signed certificate/);
    expect(unknown.stderr).toContain('sslrootcert');
  });

  it('disable against a server that only takes encrypted connections is refused, naming it', () => {
    const r = run(tcp(tlsOnly, '?sslmode=disable'), ['status']);
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no encryption');
  });

  it('sslmode is ignored over a unix socket, as libpq ignores it', () => {
    const socket = (cluster: PgCluster, mode: string) =>
      `postgres://callq@localhost:${cluster.port}/postgres?host=${encodeURIComponent(cluster.socketDir)}&sslmode=${mode}`;
    for (const mode of ['require', 'verify-full', 'prefer']) {
      const r = run(socket(plain, mode), ['status']);
      expect(r.code, `${mode}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/store +PostgreSQL, over a unix socket/);
    }
    const r = run(`postgres://callq@localhost:${plain.port}/postgres?host=${encodeURIComponent(plain.socketDir)}`, ['status'], { PGSSLMODE: 'require' });
    expect(r.code, r.stderr).toBe(0);
  });

  it('backup and restore keep the same meaning of sslmode as every other command', () => {
    const imported = run(tcp(tlsOnly, '?sslmode=require'), ['import', join(__dirname, '..', 'fixtures', 'import', 'utf8.csv'), '--country', 'US']);
    expect(imported.code, imported.stderr).toBe(0);
    const file = join(dir, 'team.dump');
    const backup = run(tcp(tlsOnly, '?sslmode=require'), ['backup', file]);
    expect(backup.code, backup.stderr).toBe(0);
    const from = logSize(tlsOnly);
    const restore = run(tcp(tlsOnly, '?sslmode=require'), ['restore', file, '--force']);
    expectClean(restore);
    expect(restore.code, restore.stderr).toBe(0);
    expect(callqConnections(tlsOnly, from).length).toBeGreaterThan(0);
    const status = run(tcp(tlsOnly), ['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
  });
});
