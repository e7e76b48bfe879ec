import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { LOG_FLAGS, NEXT_FLAGS, parseFastCommand, parseFastNext } from '../../src/cli/fast-next.js';
import { callq } from '../helpers.js';

/** The flags commander defines for `name`, with the global ones (also on every command, hidden): each once. */
function commanderFlags(name: string) {
  const program = buildProgram('0.0.0');
  const command = program.commands.find((c) => c.name() === name)!;
  return [...program.options, ...command.options].filter((o) => o.long !== '--version');
}

/** What commander hands the action of the command `argv` names: its operands, options and the global options; or the error code. */
async function commanderReads(argv: string[]) {
  const program = buildProgram('0.0.0');
  const quiet = (c: Command) => c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  quiet(program);
  let seen: unknown = null;
  for (const command of program.commands) {
    quiet(command);
    command.action((...received: unknown[]) => {
      const c = received[received.length - 1] as Command;
      // As program.ts reads the global options: from the command line, nearest the command first.
      const given = (key: string) => [c, program].find((x) => x.getOptionValueSource(key) === 'cli')?.getOptionValue(key);
      const [db, rep, now, json, color] = ['db', 'rep', 'now', 'json', 'color'].map(given);
      const { color: _c, db: _d, rep: _r, now: _n, json: _j, ...opts } = c.opts();
      seen = {
        command: c.name(),
        global: { db, rep, now, json, color: color === false ? false : undefined },
        args: received.slice(0, -2).flat(),
        opts: Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
      };
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return (err as { code: string }).code;
  }
  return seen;
}

describe('the fast path for callq next and callq log', () => {
  it.each([
    ['next', NEXT_FLAGS, []],
    // --answer is variadic: commander alone parses it.
    ['log', LOG_FLAGS, ['answer']],
  ] as const)('accepts exactly the flags commander defines for %s and the global ones', (name, flags, leftOut) => {
    const options = commanderFlags(name).filter((o) => !(leftOut as readonly string[]).includes(o.long!.replace(/^--/, '')));
    expect(Object.keys(flags).sort()).toEqual([...new Set(options.map((o) => o.long!.replace(/^--/, '')))].sort());
    for (const o of options) expect(flags[o.long!.replace(/^--/, '') as keyof typeof flags].type, o.long).toBe(o.required ? 'string' : 'boolean');
  });

  it.each([
    [['next'], { global: { json: undefined }, opts: {} }],
    [['--db', 'x.db', 'next', '--json', '--rep', 'ana'], { global: { db: 'x.db', rep: 'ana', json: true }, opts: {} }],
    [['next', '--skip', '--list', 'q4', '--no-color'], { global: { color: false }, opts: { skip: true, list: 'q4' } }],
    [['next', '--now=2026-11-24T16:00:00Z'], { global: { now: '2026-11-24T16:00:00Z' }, opts: {} }],
  ])('parses %j', (args, expected) => {
    expect(parseFastNext(args)).toMatchObject(expected);
  });

  it.each([
    [['next']],
    [['--db', 'x.db', 'next', '--json', '--rep', 'ana']],
    [['next', '--skip', '--list', 'q4', '--no-color', '--explain', '--campaign', 'c', '--source', 's']],
    [['next', '--now=2026-11-24T16:00:00Z', '--list', 'next']],
    [['--json', 'log', '42', 'no-answer']],
    [['log', '42', 'callback', '--at', 'tomorrow 10:00', '--note', 'in a meeting', '--rep', 'ben']],
    [['log', '7', 'qualified', '--need', 'x', '--timeframe', 'Q1', '--authority', 'VP', '--budget', '10k', '--note', 'demo', '--duration', '3m']],
    [['log', '7', 'disqualified', '--reason', 'no-budget', '--force', '--token', 'abc', '--no-color']],
    [['log', '7', 'nurture', '--until=in 3 months', '--note', '']],
    [['log', '7', 'no-answer', '--note', 'a', '--note', 'b']],
  ])('reads %j as commander does', async (argv) => {
    const fast = parseFastCommand(argv);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(await commanderReads(argv));
  });

  it.each([
    [['next', '--help']], [['next', '--bogus']], [['next', 'extra']], [['queue']], [['help', 'next']], [['next', '--list']], [['--version']],
    [['--skip', 'next']], [['--note', 'x', 'log', '1', 'no-answer']], [['log', '1']], [['log', '1', 'no-answer', 'extra']],
    [['log', '1', 'qualified', '--answer', 'a=1', 'b=2']], [['log', '--', '1', 'no-answer']], [['log', '-1', 'no-answer']],
    [['log', '1', 'no-answer', '--note']], [['log', '1', 'no-answer', '--note', '--force']], [['log', '1', 'no-answer', '--force=yes']],
    [['--db', 'log', 'next']],
  ])('leaves %j to commander', (argv) => {
    expect(parseFastCommand(argv)).toBeNull();
  });

  it("an unknown flag on next still gets commander's message and exit 2; help still works", () => {
    const bad = callq(['next', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
    const help = callq(['next', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/claim the best lead/);
  });

  it('a flag of log before its name is refused as commander refuses it, and --answer still works through commander', () => {
    const bad = callq(['--force', 'log', '1', 'no-answer']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--force'/);
    const help = callq(['log', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--answer <key=value\.\.\.>/);
  });
});
