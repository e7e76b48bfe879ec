import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { NEXT_FLAGS, parseFastNext } from '../../src/cli/fast-next.js';
import { callq } from '../helpers.js';

describe('the fast path for callq next', () => {
  it("accepts exactly the flags commander defines for next and the global ones", () => {
    const program = buildProgram('0.0.0');
    const next = program.commands.find((c) => c.name() === 'next')!;
    // The global options are also on every command (hidden): each name once.
    const longs = [...new Set([...program.options, ...next.options].map((o) => o.long!.replace(/^--/, '')))].filter((l) => l !== 'version');
    expect(Object.keys(NEXT_FLAGS).sort()).toEqual(longs.sort());
    for (const o of [...program.options, ...next.options].filter((o) => o.long !== '--version')) {
      expect(NEXT_FLAGS[o.long!.replace(/^--/, '') as keyof typeof NEXT_FLAGS].type, o.long).toBe(o.required ? 'string' : 'boolean');
    }
  });

  it.each([
    [['next'], { global: { json: undefined }, opts: {} }],
    [['--db', 'x.db', 'next', '--json', '--rep', 'ana'], { global: { db: 'x.db', rep: 'ana', json: true }, opts: {} }],
    [['next', '--skip', '--list', 'q4', '--no-color'], { global: { color: false }, opts: { skip: true, list: 'q4' } }],
    [['next', '--now=2026-11-24T16:00:00Z'], { global: { now: '2026-11-24T16:00:00Z' }, opts: {} }],
  ])('parses %j', (args, expected) => {
    expect(parseFastNext(args)).toMatchObject(expected);
  });

  it.each([[['next', '--help']], [['next', '--bogus']], [['next', 'extra']], [['queue']], [['help', 'next']], [['next', '--list']], [['--version']]])(
    'leaves %j to commander',
    (args) => expect(parseFastNext(args)).toBeNull(),
  );

  it("an unknown flag on next still gets commander's message and exit 2; help still works", () => {
    const bad = callq(['next', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
    const help = callq(['next', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/claim the best lead/);
  });
});
