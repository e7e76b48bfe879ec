// Import batches (table imports): their states, the lock slices an import and its clean-up
// write in, one import at a time, clean-up of interrupted ones, publishing, listing, undo.
// The writing side of `callq import` is in import-writer.ts.
import { retryWhileBusy, type DB } from './open.js';
import { BusyError, NothingToDoError, UsageError } from '../core/errors.js';
import { MERGED_COLUMNS, type MergedLead } from '../io/lead-record.js';
import { IMPORT_PATIENCE_MS, inSlices } from './slices.js';
import { sleepSync } from '../io/sleep.js';

import { claimedByRepsError, type BatchClaim, type ImportCounts, type StoredBatch } from './store/imports.js';

export type { ImportCounts };

export interface ImportBatchRow extends StoredBatch {
  state: 'running' | 'publishing' | 'complete' | 'failed';
  pid: number | null;
}

/** A batch's state as `callq imports` shows it: a running one whose process is gone was interrupted. */
export function batchState(b: Pick<ImportBatchRow, 'state' | 'pid' | 'undone_at'>): string {
  if (b.undone_at) return 'undone';
  if ((b.state === 'running' || b.state === 'publishing') && !processAlive(b.pid)) return 'interrupted';
  return b.state;
}

/** Whether the process that started a batch is still running (same host: SQLite in WAL mode is never shared across hosts). */
function processAlive(pid: number | null): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes the batch row, 'running', once no other import runs: imports serialise (each one's
 * duplicate checks must see every lead before it), so a second one waits for the first.
 */
export function claimImportSlot(db: DB, options: { fileName: string; rep: string; now: Date }, notice: (line: string) => void): number {
  let told = false;
  for (;;) {
    const result = retryWhileBusy(db, () => db.transaction((): number | { waitFor: number; pid: number } => {
      const running = db.prepare(`SELECT id, pid FROM imports WHERE state IN ('running', 'publishing') ORDER BY id`).all() as { id: number; pid: number | null }[];
      const live = running.find((r) => processAlive(r.pid));
      if (live) return { waitFor: live.id, pid: live.pid! };
      return Number(
        db
          .prepare(`INSERT INTO imports(file_name, rep, created_at, state, pid) VALUES (?, ?, ?, 'running', ?)`)
          .run(options.fileName, options.rep, options.now.toISOString(), process.pid).lastInsertRowid,
      );
    }).immediate(), IMPORT_PATIENCE_MS);
    if (typeof result === 'number') return result;
    if (!told) notice(`Waiting for import batch ${result.waitFor} (process ${result.pid}) to finish: imports run one at a time.`);
    told = true;
    sleepSync(200);
  }
}

/**
 * What interrupted imports left: a batch whose process is gone while 'running' (killed, crashed,
 * Ctrl-C), or one marked 'failed' whose leads are still there, has its leads removed (they were
 * never callable) and is marked 'failed'; one that died while publishing is published (its
 * file had been read to the end and its counts recorded). Short transactions throughout.
 * Returns one line per batch handled, for the caller to print.
 */
export function cleanupImports(db: DB, only?: number): CleanedBatch[] {
  const lines: CleanedBatch[] = [];
  const batches = db
    .prepare(
      `SELECT id, state, pid FROM imports i WHERE (state IN ('running', 'publishing')
         OR (state = 'failed' AND EXISTS (SELECT 1 FROM leads l WHERE l.import_id = i.id))
         OR EXISTS (SELECT 1 FROM import_updates u WHERE u.import_id = i.id AND i.state <> 'publishing')) ORDER BY id`,
    )
    .all() as { id: number; state: string; pid: number | null }[];
  for (const b of batches) {
    if (only !== undefined && b.id !== only) continue;
    if ((b.state === 'running' || b.state === 'publishing') && processAlive(b.pid)) continue;
    if (b.state === 'publishing') {
      publishBatch(db, b.id, null);
      lines.push({ batch: b.id, removed: 0, published: true, line: `Import batch ${b.id} had stopped while publishing its leads; finished publishing it.` });
    } else {
      db.prepare(`UPDATE imports SET state = 'failed' WHERE id = ? AND state = 'running'`).run(b.id);
      const removed = removeBatchLeads(db, b.id, null);
      lines.push({
        batch: b.id,
        removed,
        published: false,
        line: `Import batch ${b.id} had been interrupted or had failed; removed the ${removed} lead(s) it had written (none was ever callable).`,
      });
    }
  }
  return lines;
}

export interface CleanedBatch {
  batch: number;
  /** Leads of an interrupted batch removed. */
  removed: number;
  /** True when the batch had died while publishing and was published. */
  published: boolean;
  line: string;
}

/** Removes a failed batch's leads and staged merges, a slice at a time. Returns how many leads. */
export function removeBatchLeads(db: DB, batchId: number, pause: (() => void) | null): number {
  const del = db.prepare('DELETE FROM leads WHERE id IN (SELECT id FROM leads WHERE import_id = ? ORDER BY id LIMIT ?)');
  const removed = inSlices(db, (size) => del.run(batchId, size).changes, pause);
  db.prepare('DELETE FROM import_updates WHERE import_id = ?').run(batchId);
  return removed;
}

/** Writes a row's merged values into the lead it duplicates (named parameters: the merged columns, updated_at, id). */
export function mergeStatement(db: DB) {
  return db.prepare(`UPDATE leads SET ${MERGED_COLUMNS.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at WHERE id = @id`);
}

/**
 * Publishes a batch marked 'publishing': staged merges applied, then its leads turned from
 * 'importing' to 'new', a slice per transaction; then 'complete'. Each slice is idempotent, so
 * whoever finds the batch's process gone can run it again from the start (roll forward).
 */
export function publishBatch(db: DB, batchId: number, pause: (() => void) | null): void {
  const update = mergeStatement(db);
  const next = db.prepare('SELECT lead_id, merged FROM import_updates WHERE import_id = ? ORDER BY lead_id LIMIT ?');
  const done = db.prepare('DELETE FROM import_updates WHERE import_id = ? AND lead_id BETWEEN ? AND ?');
  const updatedAt = (db.prepare('SELECT created_at FROM imports WHERE id = ?').pluck().get(batchId) as string) ?? new Date().toISOString();
  inSlices(
    db,
    (size) => {
      const rows = next.all(batchId, size) as { lead_id: number; merged: string }[];
      for (const r of rows) update.run({ ...(JSON.parse(r.merged) as MergedLead), updated_at: updatedAt, id: r.lead_id });
      if (rows.length) done.run(batchId, rows[0].lead_id, rows[rows.length - 1].lead_id);
      return rows.length;
    },
    pause,
  );
  // The batch's ids, lowest first, by ranges of the primary key: a lookup through an index on
  // the batch or the status would step over every lead already published, slice after slice.
  const flip = db.prepare(`UPDATE leads SET status = 'new' WHERE id BETWEEN ? AND ? AND import_id = ? AND status = 'importing'`);
  const { lo, hi } = db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM leads WHERE import_id = ?').get(batchId) as { lo: number | null; hi: number | null };
  let from = lo ?? 1;
  inSlices(
    db,
    (size) => {
      if (hi === null || from > hi) return 0;
      flip.run(from, from + size - 1, batchId);
      from += size;
      return size;
    },
    pause,
  );
  db.prepare(`UPDATE imports SET state = 'complete', pid = NULL WHERE id = ?`).run(batchId);
}

/**
 * The batch's leads that a do-not-call entry added since the import started matches (the
 * import read the list once, at its start), or that `dnc add` moved to do-not-call meanwhile:
 * deleted from the batch (they would not have been imported). Returns how many.
 */
export function lateSuppressed(db: DB, batchId: number, suppressedUpTo: number): number {
  const ids = new Set(db.prepare(`SELECT id FROM leads WHERE import_id = ? AND status = 'do-not-call'`).pluck().all(batchId) as number[]);
  const late = db.prepare('SELECT kind, value FROM suppressions WHERE id > ? AND value IS NOT NULL').all(suppressedUpTo) as { kind: string; value: string }[];
  const byPhone = db.prepare(`SELECT id FROM leads WHERE phone = ? AND import_id = ? AND status = 'importing'`).pluck();
  const byAlt = db.prepare(`SELECT a.lead_id FROM lead_alt_phones a JOIN leads l ON l.id = a.lead_id WHERE a.phone = ? AND l.import_id = ? AND l.status = 'importing'`).pluck();
  const byEmail = db.prepare(`SELECT id FROM leads WHERE email = ? AND import_id = ? AND status = 'importing'`).pluck();
  const byDomain = db.prepare(`SELECT id FROM leads WHERE email LIKE '%@' || ? ESCAPE '\\' AND import_id = ? AND status = 'importing'`).pluck();
  for (const s of late) {
    const found =
      s.kind === 'phone'
        ? [...byPhone.all(s.value, batchId), ...byAlt.all(s.value, batchId)]
        : s.kind === 'email'
          ? byEmail.all(s.value.toLowerCase(), batchId)
          : byDomain.all(s.value.toLowerCase().replace(/^@/, '').replace(/[\\%_]/g, '\\$&'), batchId);
    for (const id of found as number[]) ids.add(id);
  }
  const del = db.prepare('DELETE FROM leads WHERE id = ?');
  for (const id of ids) del.run(id);
  return ids.size;
}

// ---------------------------------------------------------------------------------------------
// Listing and undoing batches

export function listImports(db: DB): ImportBatchRow[] {
  return db.prepare('SELECT * FROM imports ORDER BY id').all() as ImportBatchRow[];
}

export interface UndoResult {
  batch: number;
  removed: number;
  /** Of those, leads that had been called (removed only with --force, with their calls). */
  called: number;
  /** Leads the batch merged into, which keep the merged values. */
  updated_kept: number;
}

/**
 * Removes the leads a batch created (not the ones it merely updated) and marks it undone, in
 * one transaction. Refuses when any of them has been called or is claimed by a rep now, unless forced.
 */
export function undoImport(db: DB, batchId: number, force: boolean, now: Date): UndoResult {
  const first = db.prepare('SELECT * FROM imports WHERE id = ?').get(batchId) as ImportBatchRow | undefined;
  let cleaned = 0;
  if (first && !first.undone_at && first.state !== 'complete') {
    if (batchState(first) !== 'interrupted' && first.state !== 'failed') {
      throw new BusyError(`import batch ${batchId} is still running (process ${first.pid}); nothing was changed. Undo it once it has finished.`);
    }
    // An interrupted or failed batch: its leads were never callable. One that died while
    // publishing is published first (roll forward), then undone like any other.
    cleaned = cleanupImports(db, batchId)[0]?.removed ?? 0;
  }
  return db.transaction((): UndoResult => {
    const batch = db.prepare('SELECT * FROM imports WHERE id = ?').get(batchId) as ImportBatchRow | undefined;
    if (!batch) throw new UsageError(`there is no import batch ${batchId}. Run 'callq imports' to list them.`);
    if (batch.undone_at) throw new NothingToDoError(`import batch ${batchId} was already undone at ${batch.undone_at}.`);
    const claims = db
      .prepare('SELECT claim_rep AS rep, id AS lead_id FROM leads WHERE import_id = ? AND claim_expires_at > ? ORDER BY id')
      .all(batchId, now.toISOString()) as BatchClaim[];
    if (claims.length > 0 && !force) throw claimedByRepsError(batchId, claims);
    const called = db
      .prepare(
        `SELECT count(*) FROM leads l WHERE l.import_id = ?
           AND (l.attempts > 0 OR l.status <> 'new' OR EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id))`,
      )
      .pluck()
      .get(batchId) as number;
    if (called > 0 && !force) {
      throw new UsageError(
        `${called} lead(s) of import batch ${batchId} have been called or moved on since; undoing would delete them and their call history. ` +
          `Nothing was changed. Add --force to remove them anyway.`,
        { batch: batchId, called },
      );
    }
    const removed = db.prepare('DELETE FROM leads WHERE import_id = ?').run(batchId).changes;
    db.prepare('UPDATE imports SET undone_at = ? WHERE id = ?').run(now.toISOString(), batchId);
    return { batch: batchId, removed: removed + cleaned, called, updated_kept: batch.state === 'complete' ? batch.updated : 0 };
  }).immediate();
}
