import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, json, ROOT, useTempDb } from '../helpers.js';
import { SCHEMA_VERSION } from '../../src/db/migrations.js';

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

  it('uses CALLQ_DB when --db is absent, and --db over CALLQ_DB', () => {
    const other = join(dir, 'other.db');
    expect(callq(['init'], { env: { CALLQ_DB: db } }).code).toBe(0);
    expect(callq(['--db', other, 'init']).code).toBe(0);
    expect(existsSync(db)).toBe(true);
    const s = json(callq(['status', '--json', '--db', other], { env: { CALLQ_DB: db } }));
    expect(s.db).toBe(other);
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

  it('status prints JSON with path, version, counts, claims and queue size', () => {
    callq(['--db', db, 'init']);
    const r = callq(['--db', db, 'status', '--json', '--now', '2026-11-24T15:00:00Z']);
    expect(r.code).toBe(0);
    const s = json(r);
    expect(s).toMatchObject({ db, schema_version: SCHEMA_VERSION, now: '2026-11-24T15:00:00.000Z', leads: 0, claims: [], queue_now: 0 });
    expect(Object.keys(s.by_status)).toEqual([
      'new', 'working', 'callback', 'nurture', 'sales-ready', 'handed-off', 'disqualified', 'do-not-call', 'exhausted',
    ]);
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

  it('an empty rep name is refused', () => {
    const r = callq(['--db', db, '--rep', ' ', 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rep/);
  });

  it('config set, get, list and unset round-trip', () => {
    expect(callq(['--db', db, 'init']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'set', 'hours.end', '18:00']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'get', 'hours.end']).stdout.trim()).toBe('18:00');
    const list = json(callq(['--db', db, 'config', 'list', '--json']));
    expect(list.find((s: any) => s.key === 'hours.end')).toMatchObject({ value: '18:00', default: false });
    expect(list.find((s: any) => s.key === 'max-attempts')).toMatchObject({ value: '8', default: true });
    const human = callq(['--db', db, 'config', 'list']);
    expect(human.stdout).toMatch(/hours\.end\s+18:00\s+\(set\)/);
    expect(callq(['--db', db, 'config', 'unset', 'hours.end']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'get', 'hours.end']).stdout.trim()).toBe('17:00');
  });

  it('config set refuses invalid values with exit 2 and leaves the setting as it was', () => {
    expect(callq(['--db', db, 'init']).code).toBe(0);
    callq(['--db', db, 'config', 'set', 'max-attempts', '5']);
    const r = callq(['--db', db, 'config', 'set', 'max-attempts', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid value 'lots' for max-attempts/);
    expect(callq(['--db', db, 'config', 'get', 'max-attempts']).stdout.trim()).toBe('5');
    const u = callq(['--db', db, 'config', 'get', 'no.such']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown setting 'no.such'/);
  });

  it('a team-defined disposition and source weight can be set', () => {
    expect(callq(['--db', db, 'init']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'set', 'disposition.sent-info', 'nurture contact']).code).toBe(0);
    expect(callq(['--db', db, 'config', 'set', 'weight.source.webinar', '15']).code).toBe(0);
    const list = json(callq(['--db', db, 'config', 'list', '--json']));
    expect(list.map((s: any) => s.key)).toEqual(expect.arrayContaining(['disposition.sent-info', 'weight.source.webinar']));
  });
});
