// callq imports (list the batches) and callq import undo BATCH.
import { basename } from 'node:path';
import type { Context } from './context.js';
import { flagOption, type OptionValues } from './args.js';
import { openDatabase } from '../db/open.js';
import { batchState, listImports, undoImport } from '../db/imports.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

export async function list(ctx: Context): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const batches = listImports(db).map((b) => ({
      batch: b.id,
      state: batchState(b),
      file: b.file_name,
      created_at: b.created_at,
      rep: b.rep,
      rows_read: b.rows_read,
      inserted: b.inserted,
      updated: b.updated,
      duplicates: b.duplicates,
      suppressed: b.suppressed,
      rejected: b.rejected,
      undone_at: b.undone_at,
      file_hash: b.file_hash,
      options: JSON.parse(b.options) as Record<string, unknown>,
    }));
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
    db.close();
  }
}

export async function undo(ctx: Context, [batch]: string[], values: OptionValues): Promise<void> {
  const force = flagOption(values, 'force');
  const id = Number(batch);
  if (!/^\d+$/.test(batch ?? '') || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`invalid batch '${batch ?? ''}': expected a batch number as shown by 'callq imports'.`);
  }
  const db = openDatabase(ctx.dbPath);
  try {
    const result = undoImport(db, id, force, ctx.now);
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
    db.close();
  }
}
