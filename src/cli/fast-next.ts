// `callq next` and `callq log` run once per call, for every rep and every dialler script, so they
// skip loading and building the full commander program (docs/design.md, "Start-up of the rep's
// commands"). Only an invocation made entirely of the command's own flags takes this path, with
// the command's flags after its name and the global ones anywhere, as commander accepts them;
// anything else — help, a typo, an unknown flag, `--answer` (a variadic option, whose parsing is
// commander's) — goes through commander, which gives the proper messages.
// test/cli/fast-next.test.ts keeps these lists equal to commander's definitions and checks that
// the fast path reads every invocation as commander does.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { GlobalOptions } from './context.js';

const GLOBAL_FLAGS = {
  db: { type: 'string' },
  rep: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

export const NEXT_FLAGS = {
  ...GLOBAL_FLAGS,
  list: { type: 'string' },
  campaign: { type: 'string' },
  source: { type: 'string' },
  skip: { type: 'boolean' },
  explain: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

/** log's flags but `--answer`, which the fast path leaves to commander. */
export const LOG_FLAGS = {
  ...GLOBAL_FLAGS,
  note: { type: 'string' },
  at: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  need: { type: 'string' },
  timeframe: { type: 'string' },
  authority: { type: 'string' },
  budget: { type: 'string' },
  duration: { type: 'string' },
  force: { type: 'boolean' },
  token: { type: 'string' },
} satisfies ParseArgsConfig['options'];

const COMMANDS = {
  next: { flags: NEXT_FLAGS, operands: 0 },
  log: { flags: LOG_FLAGS, operands: 2 },
} as const;

export interface FastCommand {
  command: keyof typeof COMMANDS;
  global: GlobalOptions;
  /** The command's operands (log: LEAD DISPOSITION). */
  args: string[];
  /** The command's own options, as commander would give them (absent when not given). */
  opts: Record<string, unknown>;
}

/** The parsed invocation when `args` (argv after the script) is a plain `next` or `log`; else null. */
export function parseFastCommand(args: string[]): FastCommand | null {
  const command = args.find((a) => a === 'next' || a === 'log') as FastCommand['command'] | undefined;
  if (!command || args.includes('--')) return null;
  const { flags, operands } = COMMANDS[command];
  let parsed;
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: true, tokens: true });
  } catch {
    return null;
  }
  const { values: v, positionals, tokens } = parsed;
  if (positionals.length !== operands + 1 || positionals[0] !== command) return null;
  // Before the command's name commander knows only the global options.
  const at = tokens.findIndex((t) => t.kind === 'positional');
  if (tokens.slice(0, at).some((t) => t.kind === 'option' && !(t.name in GLOBAL_FLAGS))) return null;
  const opts: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(v)) if (!(name in GLOBAL_FLAGS) && value !== undefined) opts[name] = value;
  return {
    command,
    global: { db: v.db as string | undefined, rep: v.rep as string | undefined, now: v.now as string | undefined, json: v.json as boolean | undefined, color: v['no-color'] ? false : undefined },
    args: positionals.slice(1),
    opts,
  };
}

/** The parsed options when `args` is a plain `next` invocation; else null. */
export function parseFastNext(args: string[]): Pick<FastCommand, 'global' | 'opts'> | null {
  const fast = parseFastCommand(args);
  return fast?.command === 'next' ? fast : null;
}
