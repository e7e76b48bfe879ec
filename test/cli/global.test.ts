// The CLI contract where no store is involved or only the SQLite file is (help, --version, usage
// errors, an empty --db, the ./callq.db default, --now, --rep and TZ). --db, CALLQ_DB, status and
// config on both stores: test/both/global.test.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, initDb, ROOT, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

describe('the CLI contract', () => {
  it('--version prints the package version on stdout', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const r = callq(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('--help lists commands with examples and exit codes', () => {
    const r = callq(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['init', 'status', 'config']) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/Exit codes: 0 ok/);
  });

  it('help CMD shows that command with examples', () => {
    const r = callq(['help', 'config']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/callq config set hours.end 18:00/);
  });

  it('an unknown command or flag is a usage error (exit 2) on stderr', () => {
    const a = callq(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown command/);
    expect(a.stdout).toBe('');
    const b = callq(['status', '--bogus']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown option/);
  });

  it('init creates and migrates the file at --db', () => {
    const r = callq(['--db', db, 'init']);
    expect(r.code).toBe(0);
    expect(existsSync(db)).toBe(true);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(db);
  });

  it('an empty --db is refused with exit 2, before or after the command, and nothing is created', () => {
    for (const args of [['--db', '', 'init'], ['init', '--db', ''], ['--db', '  ', 'status']]) {
      const r = callq(args, { cwd: dir, env: { CALLQ_DB: db } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('empty --db');
      expect(r.stdout).toBe('');
    }
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('falls back to ./callq.db in the working directory', () => {
    const r = callq(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'callq.db'))).toBe(true);
  });

  it('status in human form goes to stdout without colour under NO_COLOR', () => {
    callq(['--db', db, 'init']);
    const r = callq(['--db', db, 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(db);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('an invalid --now is refused with exit 2 and a helpful message', () => {
    const r = callq(['--db', db, 'status', '--now', 'yesterday-ish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --now 'yesterday-ish'.*ISO-8601/);
    expect(r.stdout).toBe('');
  });

  it("a bare --now date is that day's midnight in the viewer's zone, as a date and time without an offset is", () => {
    callq(['--db', db, 'init']);
    const at = (now: string) => JSON.parse(callq(['--db', db, 'status', '--json', '--now', now], { env: { TZ: 'America/New_York' } }).stdout).now;
    expect(at('2026-12-08')).toBe('2026-12-08T05:00:00.000Z');
    expect(at('2026-12-08T00:00')).toBe('2026-12-08T05:00:00.000Z');
    expect(at('2026-12-08T00:00Z')).toBe('2026-12-08T00:00:00.000Z');
  });

  it('an empty rep name is refused', () => {
    const r = callq(['--db', db, '--rep', ' ', 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rep/);
  });

  it('an empty TZ shows times in UTC, as the C library reads it, where Intl knows no zone', () => {
    initDb(db);
    const [id] = seedLeads(db, [{ next_eligible_at: '2026-11-24T18:00:00.000Z' }]);
    const r = callq(['--db', db, '--now', '2026-11-24T16:00:00Z', 'why', String(id)], { env: { TZ: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('callable again at Tue 24 Nov 18:00 UTC.');
  });
});
