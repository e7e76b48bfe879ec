// A server that asks for a password (SCRAM-SHA-256, PostgreSQL's default): callq connects with
// the URL's password or one from ~/.pgpass, through the rep's fast commands (`next`, `log`,
// with node-postgres bundled in build/pg.cjs, its crypto loaded on first use) and the full
// program alike, and a wrong or missing password is a clear message (exit 2), never a stack trace.
// The test cluster trusts local connections; this file makes one role of it ask for a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York
const ROLE = 'callq_scram';
const PASSWORD = 's3cret: pass/word@';

describe.skipIf(pgInfo.unavailable)('a PostgreSQL server that asks for a password', () => {
  let db: TestDatabase;
  let admin: PgClient;
  let dir: string;
  let cleanup: () => void;
  let hbaFile: string;
  let hbaBefore: string;
  const url = (password?: string) =>
    `postgres://${ROLE}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@localhost:${pgInfo.port}/${db.name}?host=${encodeURIComponent(pgInfo.socketDir)}`;

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    admin = await db.connect();
    await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.query(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD ${admin.escapeLiteral(PASSWORD)}`);
    // This role, and only it, must give a password on the cluster's socket.
    hbaFile = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0].hba_file;
    hbaBefore = readFileSync(hbaFile, 'utf8');
    writeFileSync(hbaFile, `local all ${ROLE} scram-sha-256\n${hbaBefore}`);
    await admin.query('SELECT pg_reload_conf()');
    ({ dir, cleanup } = tempDir());
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'Name,Phone\nAna Lee,+1 212 555 0100\nBo Chen,+1 212 555 0101\n');
    const imported = callq(['--db', url(PASSWORD), '--now', NOW, 'import', csv]);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    if (hbaBefore !== undefined) {
      writeFileSync(hbaFile, hbaBefore);
      await admin.query('SELECT pg_reload_conf()');
    }
    await admin?.end();
    cleanup?.();
    await db?.drop();
  });

  it('claims and logs with the password in the URL (the fast commands) and reports status (the full program)', () => {
    const next = callq(['--db', url(PASSWORD), '--rep', 'ana', '--now', NOW, 'next']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('Ana Lee');
    const logged = callq(['--db', url(PASSWORD), '--rep', 'ana', '--now', NOW, 'log', '1', 'no-answer']);
    expect(logged.code, logged.stderr).toBe(0);
    const status = callq(['--db', url(PASSWORD), '--now', NOW, 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/store\s+PostgreSQL/);
    expect(status.stdout).not.toContain(PASSWORD);
  });

  it('takes the password from ~/.pgpass when the URL has none', () => {
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const pgpass = join(home, '.pgpass');
    writeFileSync(pgpass, `*:*:*:${ROLE}:${PASSWORD.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`);
    chmodSync(pgpass, 0o600);
    const next = callq(['--db', url(), '--rep', 'bo', '--now', NOW, 'next'], { env: { HOME: home } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('Bo Chen');
    const status = callq(['--db', url(), '--now', NOW, 'status'], { env: { HOME: home } });
    expect(status.code, status.stderr).toBe(0);
  });

  it('warns that a password in --db is on the command line, where other users can read it; CALLQ_DB is not', () => {
    const warning = 'callq: warning: the password in --db can be read by other users of this machine while callq runs (ps)';
    const given = callq(['--db', url(PASSWORD), '--now', NOW, 'status']);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).toContain(warning);
    expect(given.stderr).not.toContain(PASSWORD);
    const fromEnv = callq(['--now', NOW, 'status'], { env: { CALLQ_DB: url(PASSWORD) } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).not.toContain(warning);
  });

  it('says a ~/.pgpass others may read is ignored, where the password is missing', () => {
    const home = join(dir, 'open-home');
    mkdirSync(home, { recursive: true });
    const pgpass = join(home, '.pgpass');
    writeFileSync(pgpass, `*:*:*:${ROLE}:whatever\n`);
    chmodSync(pgpass, 0o644);
    const r = callq(['--db', url(), '--now', NOW, 'status'], { env: { HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`none was given. ${pgpass} is there but ignored: others may read it (mode 0644); make it owner-only (chmod 600 ${pgpass}).`);
  });

  it('names the failure when the password is wrong or missing, on both paths', () => {
    for (const args of [['--rep', 'cy', '--now', NOW, 'next'], ['--now', NOW, 'status']]) {
      const wrong = callq(['--db', url('not it'), ...args]);
      expect(wrong.code, wrong.stderr).toBe(2);
      expect(wrong.stderr).toMatch(/^callq: cannot connect to .*password authentication failed for user "callq_scram"/m);
      expect(wrong.stderr).not.toMatch(/\n\s+at /);
      expect(wrong.stderr).not.toContain('not it');
      const missing = callq(['--db', url(), ...args], { env: { HOME: join(dir, 'no-home') } });
      expect(missing.code, missing.stderr).toBe(2);
      expect(missing.stderr).toMatch(/^callq: cannot connect to .*: the server asks for a password and none was given\. Check the URL/m);
      expect(missing.stderr).not.toMatch(/SASL|must be a string/);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
