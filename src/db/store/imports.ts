// The store operations for importing lists, the list of imports, undo (src/db/store.ts).
// An import goes through an ImportWriter: rows are handed over in batches as the file is read,
// and what became of them (inserted, updated, duplicate, suppressed) is counted by the store —
// row by row on SQLite, all at once when the file has been read on PostgreSQL
// (docs/design.md, "Imports on PostgreSQL").
import { ConflictError } from '../../core/errors.js';
import type { Settings } from '../../core/settings.js';
import type { LeadTuple } from '../../io/lead-record.js';

export interface ImportCounts {
  rows_read: number;
  inserted: number;
  updated: number;
  duplicates: number;
  suppressed: number;
  rejected: number;
  /**
   * Of `inserted`, rows whose phone a lead already had but that name someone else at that
   * number (core/identity.ts anotherPersonAtPhone): filled by the writer's finish, not stored
   * with the batch.
   */
  kept_apart?: number;
  /**
   * Leads the file's own do-not-call flags moved to do-not-call: stored ones, and this file's
   * earlier rows for the same person (counted in `inserted`). Filled by the writer's finish;
   * a dry run writes no flag, so it has none.
   */
  moved_to_dnc?: number;
}

/**
 * How an import holds the write lock on SQLite (docs/importing.md, "All or nothing, while reps
 * work"): 'auto', 'whole' or 'slices'. PostgreSQL takes no lock that reps wait for, whatever is asked.
 */
export type ImportLock = 'auto' | 'whole' | 'slices';

export const IMPORT_LOCKS: readonly ImportLock[] = ['auto', 'whole', 'slices'];

export interface ImportBegin {
  fileName: string;
  rep: string;
  now: Date;
  onDuplicate: 'skip' | 'update';
  dryRun: boolean;
  /** Priority weights, for the queue rank of merged leads. */
  weights: Settings['weights'];
  /** Rows the file probably holds. */
  expectedRows: number;
  /** Lead columns this import leaves empty on every lead it inserts. */
  unfilled: ReadonlySet<string>;
  /** Called after each write transaction (a test's handshake between SQLite's slices). */
  pause?: () => void;
  /** Says something to the user (waiting for another import, what a clean-up did). */
  notice?: (line: string) => void;
  lock?: ImportLock;
}

export interface ImportWriter {
  /** The batch's number; null for a dry run. */
  readonly batchId: number | null;
  /**
   * How the import held the lock: SQLite's 'whole' or 'slices'; 'none' on PostgreSQL, where
   * nobody waits for an import; null for a dry run.
   */
  readonly lock: 'whole' | 'slices' | 'none' | null;
  /** Takes rows in file order; `leads` may be reused by the caller once this resolves. */
  add(leads: readonly LeadTuple[]): Promise<void>;
  /**
   * Fills in the counts of what became of the rows (inserted … suppressed, next to the caller's
   * rows_read and rejected), records them with the batch and commits (a dry run: writes nothing).
   */
  finish(counts: ImportCounts, options: Record<string, unknown>, fileHash: string): Promise<void>;
  /**
   * After `err` stopped the import: undoes what can be undone now and returns the error to
   * report (a full disk on SQLite gets a message saying what was kept).
   */
  fail(err: unknown): Promise<unknown>;
  /** On Ctrl-C or a kill signal, just before the process exits: what can be done synchronously. */
  interrupt(): void;
}

export interface ImportBatch extends ImportCounts {
  batch: number;
  /** running, publishing, complete, interrupted, failed, undone (docs/importing.md). */
  state: string;
  file: string;
  created_at: string;
  rep: string | null;
  undone_at: string | null;
  file_hash: string | null;
  options: Record<string, unknown>;
}

/** A row of the imports table, as both stores keep it. */
export interface StoredBatch extends ImportCounts {
  id: number;
  file_name: string;
  file_hash: string | null;
  options: string;
  rep: string | null;
  created_at: string;
  undone_at: string | null;
}

/** What `callq imports` shows of a stored batch in `state` (the store tells a live import from a dead one). */
export function importBatch(b: StoredBatch, state: string): ImportBatch {
  return {
    batch: b.id,
    state,
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
  };
}

export interface UndoResult {
  batch: number;
  removed: number;
  /** Of those, leads that had been called (removed only with --force, with their calls). */
  called: number;
  /** Leads the batch merged into, which keep the merged values. */
  updated_kept: number;
}

/** A live claim on one of a batch's leads: a rep is calling it. */
export interface BatchClaim {
  rep: string;
  lead_id: number;
}

/**
 * The refusal of an undo while reps hold claims on some of the batch's leads (both stores): the
 * rep is on the call, and the outcome they are about to log would find no lead.
 */
export function claimedByRepsError(batchId: number, claims: BatchClaim[]): ConflictError {
  const reps = [...new Set(claims.map((c) => c.rep))].join(', ');
  const leads = claims.map((c) => c.lead_id).join(', ');
  return new ConflictError(
    `${claims.length} lead(s) of import batch ${batchId} are claimed by a rep right now (${reps}; lead ${leads}): ` +
      `undoing would delete them while they are being called, and the outcome would be lost. Nothing was changed. ` +
      `Undo once they are logged or released, or add --force to remove them anyway.`,
    { batch: batchId, claimed: claims },
  );
}

export interface ImportStore {
  /** The team's settings an import needs (default country and zone, weights). */
  settings(): Promise<Settings>;
  /** Starts an import: cleans what interrupted ones left, waits for one running, makes the batch. */
  begin(options: ImportBegin): Promise<ImportWriter>;
  /** Every batch, oldest first. */
  list(): Promise<ImportBatch[]>;
  /** Removes the leads a batch created (refused when some were called or are claimed now, unless `force`). */
  undo(batch: number, force: boolean, now: Date): Promise<UndoResult>;
}
