// Colour through chalk, switched off by --no-color, NO_COLOR, or a non-terminal stream.
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Context } from '../cli/context.js';

export function paint(ctx: Pick<Context, 'color'>, stream: NodeJS.WriteStream): ChalkInstance {
  if (!ctx.color || !stream.isTTY) return new Chalk({ level: 0 });
  return chalk.level > 0 ? chalk : new Chalk({ level: 1 });
}
