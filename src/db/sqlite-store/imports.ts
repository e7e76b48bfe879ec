// ImportStore on a SQLite file (src/db/store/imports.ts): the import writer of
// db/import-writer.ts (whole or in slices), batches, listing and undo of db/imports.ts. Those are
// loaded on first use: the rep's commands, which open the same store, never need them.
import { truncateWal, type DB } from '../open.js';
import { loadSettings } from '../settings.js';
import type { LeadWriter } from '../import-writer.js';
import { importBatch, type ImportStore, type ImportWriter } from '../store/imports.js';

export function sqliteImports(db: DB): ImportStore {
  return {
    settings: async () => loadSettings(db),
    async begin(options) {
      const { beginImport } = await import('../import-writer.js');
      const writer = beginImport(db, options);
      const outcomes = { inserted: 0, updated: 0, duplicate: 0, suppressed: 0 };
      const result: ImportWriter = {
        batchId: options.dryRun ? null : writer.batchId,
        lock: options.dryRun ? null : writer.lock,
        async add(leads) {
          for (const lead of leads) outcomes[writer.add(lead)]++;
        },
        async finish(counts, batchOptions, fileHash) {
          counts.inserted = outcomes.inserted;
          counts.updated = outcomes.updated;
          counts.duplicates = outcomes.duplicate;
          counts.suppressed = outcomes.suppressed;
          // A do-not-call entry added while the import ran moves leads from inserted to suppressed.
          writer.finish(counts, batchOptions, fileHash);
        },
        async fail(err) {
          const undone = writer.abort();
          return isDiskFull(err) ? diskFull(db, err, undone ? null : writer) : err;
        },
        interrupt() {
          writer.abort();
        },
      };
      return result;
    },
    async list() {
      const { batchState, listImports } = await import('../imports.js');
      return listImports(db).map((b) => importBatch(b, batchState(b)));
    },
    async undo(batch, force, now) {
      const { undoImport } = await import('../imports.js');
      return undoImport(db, batch, force, now);
    },
  };
}

/** 'Disk full' as SQLite or the file system says it (a size limit, ulimit -f, reads as EFBIG: an I/O error). */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EFBIG' || code === 'SQLITE_IOERR_WRITE';
}

/**
 * After a write failed for lack of space, the WAL still holds the slices written before: it is
 * checkpointed and truncated, so the disk is not left full, and then the batch's leads (never
 * callable) are removed if the first attempt found no room, and the WAL truncated again. The
 * message says what happened; exit 1.
 */
function diskFull(db: DB, err: unknown, pending: LeadWriter | null): Error {
  let truncated = truncateWal(db);
  const undone = pending === null || (truncated && pending.abort());
  if (pending !== null && undone) truncated = truncateWal(db);
  return Object.assign(
    new Error(
      `the disk is full (or the database reached a file-size limit): ${(err as Error).message}. The import stopped` +
        (undone
          ? ' and nothing of it was kept'
          : "; none of its leads became callable, and the next import or 'callq maintain' removes those it had written") +
        (truncated ? '; the write-ahead log was emptied.' : "; the write-ahead log could not be emptied yet: run 'callq maintain' once there is room.") +
        ' Free some space and import again.',
    ),
    { code: 'CALLQ_DISK_FULL' },
  );
}
