// `callq next` runs once per call, for every rep and every dialler script, so it skips loading
// and building the full commander program (~10 ms of a ~40 ms budget). Only an invocation made
// entirely of next's own flags takes this path; anything else — help, a typo, an unknown flag —
// goes through commander, which gives the proper messages. test/cli/fast-next.test.ts keeps
// this list equal to commander's definition of `next`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { GlobalOptions } from './context.js';

export const NEXT_FLAGS = {
  db: { type: 'string' },
  rep: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  list: { type: 'string' },
  campaign: { type: 'string' },
  source: { type: 'string' },
  skip: { type: 'boolean' },
  explain: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

export interface FastNext {
  global: GlobalOptions;
  opts: Record<string, unknown>;
}

/** The parsed options when `args` (argv after the script) is a plain `next` invocation; else null. */
export function parseFastNext(args: string[]): FastNext | null {
  if (!args.includes('next')) return null;
  let parsed;
  try {
    parsed = parseArgs({ args, options: NEXT_FLAGS, strict: true, allowPositionals: true });
  } catch {
    return null;
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'next') return null;
  return {
    global: { db: v.db, rep: v.rep, now: v.now, json: v.json, color: v['no-color'] ? false : undefined },
    opts: { list: v.list, campaign: v.campaign, source: v.source, skip: v.skip, explain: v.explain },
  };
}
