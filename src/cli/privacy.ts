// Personal data every user of the machine may read, said where people will see it.
import type { Context } from './context.js';
import { everyoneReadsDatabase } from '../io/output-file.js';
import { printInfo } from '../ui/output.js';

/**
 * A SQLite database every user of the machine may read is said on stderr by the commands a team
 * lead and the nightly job run (init, status, maintain), not by a rep's: callq makes its files
 * owner-only, but a file made by hand or copied keeps the mode it was given (docs/setup.md,
 * "Files and privacy").
 */
export function warnIfEveryoneReads(ctx: Context): void {
  if (ctx.store !== 'sqlite') return;
  const warning = everyoneReadsDatabase(ctx.dbPath);
  if (warning) printInfo(ctx, warning);
}
