// TLS as psql has it, against real servers over TCP on 127.0.0.1 (docs/setup.md, "Connection
// settings"): one that accepts only encrypted connections (a self-signed certificate), one
// without TLS. Without sslmode callq encrypts where the server offers it and connects plainly
// where it does not, as libpq's default `prefer` does; sslmode over a unix socket is ignored, as
// libpq ignores it; `require`, `verify-full` and `disable` mean what they mean to psql, for every
// command including restore. Whether a connection was encrypted is read in the server's log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, freePort, tempDir, type RunResult } from '../helpers.js';
import { clusterConfig, startCluster, type PgCluster } from './cluster.js';
import { connectPg } from '../../src/db/pg/open.js';
import { pgInfo } from './db.js';
import { Terminal } from '../terminal.js';

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

interface Certificates {
  /** A certificate authority, and another that signed nothing here. */
  ca: string;
  otherCa: string;
  serverCrt: string;
  serverKey: string;
  /** A client certificate for the user `callq`, signed by `ca`. */
  clientCrt: string;
  clientKey: string;
}

function makeCertificates(dir: string): Certificates {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=callq test ${ca}`);
  }
  const signed = (name: string, subject: string, extensions: string | null) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    if (extensions) writeFileSync(path(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2',
      ...(extensions ? ['-extfile', `${name}.ext`] : []));
    chmodSync(path(`${name}.key`), 0o600);
  };
  signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  signed('client', '/CN=callq', null);
  return {
    ca: path('ca.crt'),
    otherCa: path('other-ca.crt'),
    serverCrt: path('server.crt'),
    serverKey: path('server.key'),
    clientCrt: path('client.crt'),
    clientKey: path('client.key'),
  };
}

/** A home folder whose ~/.postgresql holds `files` (name → the file to copy there), as psql users keep them. */
function homeWith(dir: string, name: string, files: Record<string, string>): string {
  const home = join(dir, name);
  mkdirSync(join(home, '.postgresql'), { recursive: true, mode: 0o700 });
  for (const [file, from] of Object.entries(files)) {
    copyFileSync(from, join(home, '.postgresql', file));
    chmodSync(join(home, '.postgresql', file), 0o600);
  }
  return home;
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
  let certs: Certificates;
  const tcp = (cluster: PgCluster, query = '') => `postgres://callq@127.0.0.1:${cluster.port}/postgres${query}`;
  const run = (db: string, args: string[], env: Record<string, string> = {}) =>
    callq(['--db', db, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana', ...env } });

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    certs = makeCertificates(dir);
    const settings = { log_connections: 'on' };
    tlsOnly = startCluster({
      tcpPort: await freePort(),
      settings: { ...settings, ssl: 'on', ssl_ca_file: "'root.crt'" },
      dataFiles: {
        'server.crt': readFileSync(certs.serverCrt, 'utf8'),
        'server.key': readFileSync(certs.serverKey, 'utf8'),
        'root.crt': readFileSync(certs.ca, 'utf8'),
        // The `certs` database lets in only a client with a certificate the CA signed for `callq`.
        // `unencrypted` lets clients in only without TLS.
        'pg_hba.conf':
          'local all all trust\nhostssl certs all 127.0.0.1/32 cert\nhostssl unencrypted all 127.0.0.1/32 reject\n' +
          'hostnossl unencrypted all 127.0.0.1/32 trust\nhostssl all all 127.0.0.1/32 trust\n',
      },
    });
    plain = startCluster({ tcpPort: await freePort(), settings });
    for (const cluster of [tlsOnly, plain]) {
      const r = run(tcp(cluster, cluster === plain ? '?sslmode=disable' : '?sslmode=require'), ['init']);
      expect(r.code, r.stderr).toBe(0);
    }
    const admin = await connectPg(clusterConfig(tlsOnly, 'postgres'));
    await admin.query('CREATE DATABASE certs');
    await admin.query('CREATE DATABASE unencrypted');
    await admin.end();
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

  it('prefer asks again without TLS when the server lets this client in only unencrypted (hostnossl), as libpq does', () => {
    const from = logSize(tlsOnly);
    const db = `postgres://callq@127.0.0.1:${tlsOnly.port}/unencrypted`;
    const r = run(db, ['init']);
    expect(r.code, r.stderr).toBe(0);
    const status = run(db, ['status']);
    expect(status.stdout, status.stderr).toMatch(/store +PostgreSQL, not encrypted \(TCP\)/);
    const lines = callqConnections(tlsOnly, from);
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).not.toContain('SSL enabled');
    const strict = run(`${db}?sslmode=require`, ['status']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/pg_hba\.conf/);
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
    const ok = run(tcp(tlsOnly, `?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.ca)}`), ['status']);
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

  it("verify-full and verify-ca find the root certificate where psql does: PGSSLROOTCERT, else ~/.postgresql/root.crt", () => {
    const home = homeWith(dir, 'home-ca', { 'root.crt': certs.ca });
    for (const mode of ['verify-full', 'verify-ca']) {
      const r = run(tcp(tlsOnly, `?sslmode=${mode}`), ['status'], { HOME: home });
      expect(r.code, `${mode}: ${r.stderr}`).toBe(0);
    }
    const fromEnv = run(tcp(tlsOnly, '?sslmode=verify-full'), ['status'], { PGSSLROOTCERT: certs.ca });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    // A CA that did not sign the server's certificate: refused, as psql refuses it.
    const wrong = run(tcp(tlsOnly, '?sslmode=verify-full'), ['status'], { PGSSLROOTCERT: certs.otherCa });
    expectClean(wrong);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Check sslmode');
    const missing = run(tcp(tlsOnly, '?sslmode=verify-full'), ['status'], { PGSSLROOTCERT: join(dir, 'nowhere.crt') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.crt');
    // As in libpq, require with a root certificate at hand checks the server's against it.
    const requireChecks = run(tcp(tlsOnly, '?sslmode=require'), ['status'], { HOME: homeWith(dir, 'home-other-ca', { 'root.crt': certs.otherCa }) });
    expect(requireChecks.code).toBe(2);
  });

  it("a server that asks for a client certificate gets the one psql would send: PGSSLCERT and PGSSLKEY, else ~/.postgresql/postgresql.crt and .key", () => {
    const db = `postgres://callq@127.0.0.1:${tlsOnly.port}/certs`;
    const without = run(db, ['init']);
    expectClean(without);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/requires a valid client certificate \(with TLS\); .*no encryption \(without\)/);
    const home = homeWith(dir, 'home-client', { 'postgresql.crt': certs.clientCrt, 'postgresql.key': certs.clientKey });
    const init = run(db, ['init'], { HOME: home });
    expect(init.code, init.stderr).toBe(0);
    const fromEnv = run(db, ['status'], { PGSSLCERT: certs.clientCrt, PGSSLKEY: certs.clientKey });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toMatch(/store +PostgreSQL, encrypted/);
  });

  it.skipIf(spawnSync('ss', ['-V']).status !== 0)("a rep's session keeps its idle TCP connection checked (keepalive), so a router's entry for it does not lapse", async () => {
    const work = new Terminal(['--db', tcp(plain), '--rep', 'ana', '--now', NOW, 'work']);
    try {
      await work.waitFor('No lead to call');
      const sockets = execFileSync('ss', ['-tnoH', 'state', 'established', `( dport = :${plain.port} )`], { encoding: 'utf8' });
      expect(sockets).toMatch(/timer:\(keepalive,/);
    } finally {
      work.kill('SIGKILL');
    }
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
