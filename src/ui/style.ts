// Colour through chalk, on a terminal only, following the usual conventions (most decisive first):
//   --no-color, or NO_COLOR set to anything but ''  → off (resolved into ctx.color)
//   FORCE_COLOR=0 (or false)                        → off
//   FORCE_COLOR=1, 2, 3, true or set but empty      → on, even into a pipe or file
//   TERM=dumb                                       → off
//   otherwise                                       → on when the stream is a terminal
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Context } from '../cli/context.js';

export function colorWanted(ctx: Pick<Context, 'color'>, stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!ctx.color) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function paint(ctx: Pick<Context, 'color'>, stream: NodeJS.WriteStream): ChalkInstance {
  if (!colorWanted(ctx, stream)) return new Chalk({ level: 0 });
  // chalk reads FORCE_COLOR's level (1 basic, 2 256 colours, 3 true colour) and the terminal's.
  return chalk.level > 0 ? chalk : new Chalk({ level: 1 });
}
