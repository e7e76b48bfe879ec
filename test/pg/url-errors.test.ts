// A postgres:// URL as people type it: a password with @ or / left unencoded, a password given as
// a `password=` parameter, a URL that cannot be read at all. Every command says what is wrong
// (exit 2) without a stack trace and without any part of the password (src/db/store.ts
// redactUrl, src/db/pg/errors.ts; docs/setup.md, "Connection settings").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir, type RunResult } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York
const SOCKET = () => `host=${encodeURIComponent(pgInfo.socketDir)}`;

function expectClean(r: RunResult, secret: string): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('unexpected failure');
  expect(r.stdout + r.stderr).not.toContain(secret);
}

describe.skipIf(pgInfo.unavailable)('URLs as people type them', () => {
  let db: TestDatabase;
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    ({ dir, cleanup } = tempDir());
  });
  afterAll(async () => {
    await db?.drop();
    cleanup?.();
  });

  it.each([
    ['an unclosed IPv6 host', 'postgres://callq:Xy7secret@[::1/sales'],
    ['a port that is not a number', 'postgres://callq:Xy7secret@db.example.com:54x2/sales'],
    ['a / in the password', 'postgres://callq:Xy7/secret@db.example.com:5432/sales'],
  ])('%s: exit 2, how to write the URL, no stack trace and no password, on every command', (_, url) => {
    for (const args of [['status'], ['next'], ['log', '1', 'no-answer'], ['queue'], ['maintain'], ['backup', join(dir, 'b.dump')], ['db', 'copy', '--to', join(dir, 'c.db')]]) {
      const r = callq(['--db', url, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana' } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('the URL cannot be read');
      expect(r.stderr).toContain('percent-encoded');
      expectClean(r, 'secret');
    }
    expect(existsSync(join(dir, 'c.db'))).toBe(false);
  });

  it('a password with an unencoded @ is hidden whole in messages', () => {
    const url = `postgres://callq:p@ssXy7@localhost:${pgInfo.port}/no_such_db?${SOCKET()}`;
    for (const args of [['status'], ['next'], ['report', 'funnel']]) {
      const r = callq(['--db', url, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`postgres://callq:***@localhost:${pgInfo.port}/no_such_db`);
      expectClean(r, 'ssXy7');
    }
  });

  it('a password= parameter is hidden in messages', () => {
    const url = `postgres://callq@localhost:${pgInfo.port}/no_such_db?password=Xy7secret&${SOCKET()}`;
    const r = callq(['--db', url, '--now', NOW, 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password=***');
    expectClean(r, 'Xy7secret');
  });

  it('an sslmode psql would refuse, or allow, is exit 2 naming the value and where it came from, on the rep fast path too', () => {
    const url = `postgres://callq:Xy7secret@localhost:${pgInfo.port}/${db.name}?${SOCKET()}`;
    for (const args of [['status'], ['next'], ['log', '1', 'no-answer']]) {
      const bad = callq(['--db', `${url}&sslmode=verify_full`, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana' } });
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toContain('sslmode in the URL is "verify_full", which is not an sslmode: use disable, prefer, require, verify-ca or verify-full');
      expectClean(bad, 'Xy7secret');
      const allow = callq(['--db', url, '--now', NOW, ...args], { env: { CALLQ_REP: 'ana', PGSSLMODE: 'allow' } });
      expect(allow.code, allow.stderr).toBe(2);
      expect(allow.stderr).toContain('PGSSLMODE is allow, which callq does not offer');
      expectClean(allow, 'Xy7secret');
    }
    // A valid sslmode in the URL wins over a bad PGSSLMODE, as in psql: this one connects.
    const ok = callq(['--db', `${url}&sslmode=disable`, '--now', NOW, 'status'], { env: { PGSSLMODE: 'bogus' } });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('backup works with a password holding @ (the cluster trusts the socket, so any password connects)', () => {
    const url = `postgres://callq:p@ssXy7@localhost:${pgInfo.port}/${db.name}?${SOCKET()}`;
    const file = join(dir, 'at.dump');
    const backup = callq(['--db', url, '--now', NOW, 'backup', file, '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    expectClean(backup, 'ssXy7');
    const status = callq(['--db', url, '--now', NOW, 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('callq:***@localhost');
    expectClean(status, 'ssXy7');
  });
});
