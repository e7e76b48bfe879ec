// Where things go: data to stdout, everything else (progress, warnings, errors) to stderr.
// Human text goes through safeOutput: a stray control character from a value is printed as a mark
// (safe-text.ts); JSON escapes them itself and keeps the exact value.
import type { Context } from '../cli/context.js';
import { safeOutput } from './safe-text.js';

/** Stable, uncoloured JSON for scripts: one document. */
export function printJson(ctx: Pick<Context, 'stdout'>, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One NDJSON line of a stream. */
export function printJsonLine(ctx: Pick<Context, 'stdout'>, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value) + '\n');
}

export function printData(ctx: Pick<Context, 'stdout'>, text: string): void {
  text = safeOutput(text);
  ctx.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function printInfo(ctx: Pick<Context, 'stderr'>, text: string): void {
  text = safeOutput(text);
  ctx.stderr.write(text.endsWith('\n') ? text : text + '\n');
}
