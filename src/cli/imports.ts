// callq imports (list the batches) and callq import undo BATCH.
import { basename } from 'node:path';
import { openContextStore, type Context } from './context.js';
import { flagOption, type OptionValues } from './args.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

export async function list(ctx: Context): Promise<void> {
  const store = await openContextStore(ctx);
  try {
    const batches = await store.imports.list();
    if (batches.length === 0) throw new NothingToDoError("no imports yet. Import a list with 'callq import FILE'.");
    if (ctx.json) return printJson(ctx, batches);
    printData(
      ctx,
      renderTable(
        ['batch', 'when (UTC)', 'rep', 'read', 'inserted', 'updated', 'dup', 'suppr', 'rejected', 'file'],
        batches.map((b) => [
          // Only a batch that is not simply complete says its state: (running), (interrupted), …
          String(b.batch) + (b.state === 'complete' ? '' : ` (${b.state})`),
          b.created_at.slice(0, 16).replace('T', ' '),
          b.rep ?? '',
          String(b.rows_read),
          String(b.inserted),
          String(b.updated),
          String(b.duplicates),
          String(b.suppressed),
          String(b.rejected),
          basename(b.file),
        ]),
      ),
    );
  } finally {
    await store.close();
  }
}

export async function undo(ctx: Context, [batch]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  const id = Number(batch);
  if (!/^\d+$/.test(batch ?? '') || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`invalid batch '${batch ?? ''}': expected a batch number as shown by 'callq imports'.`);
  }
  const store = await openContextStore(ctx);
  try {
    const result = await store.imports.undo(id, force, ctx.now);
    if (ctx.json) printJson(ctx, result);
    else {
      printInfo(
        ctx,
        `Undid import batch ${result.batch}: removed ${result.removed} lead(s) it had created` +
          (result.called ? `, ${result.called} of them already called (with their call history)` : '') +
          '.' +
          (result.updated_kept ? ` The ${result.updated_kept} lead(s) it had updated keep the merged values.` : ''),
      );
    }
  } finally {
    await store.close();
  }
}
