// Colour follows --no-color, NO_COLOR, FORCE_COLOR and TERM=dumb, into a pipe and on a terminal.
import { beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import pty from 'node-pty';
import { BIN, callq, initDb, ROOT, useTempDb } from '../helpers.js';

let db: string;
useTempDb('c.db', (_d, path) => (db = path));
beforeEach(() => initDb(db));

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;
const BASE = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ana' };

/** `callq status` with stdout a pipe, in exactly this environment (no NO_COLOR unless given). */
function piped(env: Record<string, string>, flags: string[] = []): string {
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...flags, 'status'], { env: { ...BASE, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('schema');
  return r.stdout;
}

/** `callq status` on a pseudo-terminal (node-pty sets TERM from `name`). */
function onTerminal(env: Record<string, string>, flags: string[] = []): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    const term = pty.spawn(process.execPath, [BIN, '--db', db, ...flags, 'status'], { name: env.TERM ?? 'xterm-256color', cols: 100, rows: 30, cwd: ROOT, env: { ...BASE, ...env } });
    term.onData((d) => (out += d));
    term.onExit(({ exitCode }) => (exitCode === 0 && out.includes('schema') ? done(out) : fail(new Error(`exit ${exitCode}: ${out}`))));
  });
}

describe('colour into a pipe', () => {
  it.each([
    [{}, [], false],
    [{ FORCE_COLOR: '1' }, [], true],
    [{ FORCE_COLOR: '2' }, [], true],
    [{ FORCE_COLOR: '3' }, [], true],
    [{ FORCE_COLOR: '' }, [], true], // set but empty: on
    [{ FORCE_COLOR: '0' }, [], false],
    [{ FORCE_COLOR: '1', TERM: 'dumb' }, [], true], // forcing wins over a dumb terminal
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, [], false], // NO_COLOR wins over FORCE_COLOR
    [{ FORCE_COLOR: '1', NO_COLOR: '' }, [], true], // an empty NO_COLOR does not count
    [{ FORCE_COLOR: '1' }, ['--no-color'], false], // the flag wins
  ])('env %j flags %j → colour %s', (env, flags, coloured) => {
    expect(ANSI.test(piped(env as Record<string, string>, flags as string[]))).toBe(coloured);
  });

  it('callq queue --explain is coloured only when forced', () => {
    const fill = spawnSync(process.execPath, [BIN, '--db', db, 'import', `${ROOT}/data/sample-leads.csv`, '--list', 's'], { env: BASE, encoding: 'utf8' });
    expect(fill.status, fill.stderr).toBe(0);
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [BIN, '--db', db, '--now', '2026-11-24T16:00:00Z', 'queue', '--limit', '3', '--explain'], { env: { ...BASE, ...env }, encoding: 'utf8' });
    const forced = run({ FORCE_COLOR: '1' });
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(ANSI);
    const plain = run({});
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toBe(forced.stdout.replace(/\u001b\[[0-9;]*m/g, ''));
  });
});

describe('colour on a terminal', () => {
  it('is on by default', async () => expect(await onTerminal({ TERM: 'xterm-256color' })).toMatch(ANSI));
  it('is off with TERM=dumb', async () => expect(await onTerminal({ TERM: 'dumb' })).not.toMatch(ANSI));
  it('is off with NO_COLOR=1', async () => expect(await onTerminal({ TERM: 'xterm-256color', NO_COLOR: '1' })).not.toMatch(ANSI));
  it('is off with FORCE_COLOR=0', async () => expect(await onTerminal({ TERM: 'xterm-256color', FORCE_COLOR: '0' })).not.toMatch(ANSI));
  it('is off with --no-color', async () => expect(await onTerminal({ TERM: 'xterm-256color' }, ['--no-color'])).not.toMatch(ANSI));
});
