// Import batches on PostgreSQL (table imports, docs/importing.md): one import at a time through a
// session advisory lock, the clean-up of interrupted ones, listing and undo. As on SQLite
// (db/imports.ts), but a batch's importer is found alive by the lock its session holds, not by
// a process id on this host.
import type { ClientBase } from 'pg';
import { BusyError, NothingToDoError, UsageError } from '../../core/errors.js';
import { claimedByRepsError, importBatch, type BatchClaim, type ImportBatch, type StoredBatch, type UndoResult } from '../store/imports.js';
import { waitingAsLongAsItTakes } from './session.js';

/** The import lock: advisory lock (IMPORT_LOCK_CLASS, IMPORT_LOCK_ID), 'call' 'qimp' in ASCII. */
const IMPORT_LOCK_CLASS = 0x63616c6c;
const IMPORT_LOCK_ID = 0x71696d70;

/** Whether the session with backend pid `pid` holds the import lock (SQL, `pid` an expression). */
const holdsImportLock = (pid: string) =>
  `EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND k.pid = ${pid}
     AND k.classid = ${IMPORT_LOCK_CLASS}::oid AND k.objid = ${IMPORT_LOCK_ID}::oid AND k.objsubid = 2)`;

/**
 * Takes the import lock for this session: imports serialise (each one's duplicate checks must
 * see every lead before it), so a second one says whom it waits for and waits. Held until
 * unlockImports or the session's end (a killed importer frees it at once).
 */
export async function lockImports(client: ClientBase, notice: (line: string) => void): Promise<true> {
  const free = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [IMPORT_LOCK_CLASS, IMPORT_LOCK_ID]);
  if (free.rows[0].ok) return true;
  const { rows } = await client.query<{ id: number }>(`SELECT id FROM imports WHERE state IN ('running', 'publishing') ORDER BY id DESC LIMIT 1`);
  notice(`Waiting for ${rows[0] ? `import batch ${rows[0].id}` : 'another import'} to finish: imports run one at a time.`);
  // As long as the other import takes: the session's lock_timeout (the busy timeout, for rows a
  // rep may hold) would otherwise end the wait after a few seconds with "busy".
  await waitingAsLongAsItTakes(client, 'SELECT pg_advisory_lock($1, $2)', [IMPORT_LOCK_CLASS, IMPORT_LOCK_ID], 'session');
  return true;
}

export async function unlockImports(client: ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [IMPORT_LOCK_CLASS, IMPORT_LOCK_ID]);
}

/**
 * What interrupted imports left: a batch still 'running' whose session no longer holds the
 * import lock was killed; it is marked 'failed' and whatever it had written removed (its leads
 * are written in its last transaction, so there are none unless that committed). Returns one
 * line per batch, for the caller to print. `only` limits it to one batch.
 */
export interface CleanedPgBatch {
  batch: number;
  /** Leads it had written that were removed. */
  removed: number;
}

/** The batches an interrupted import left (what cleanupPgImports would clean), without changing them. */
export async function interruptedPgImports(client: ClientBase): Promise<CleanedPgBatch[]> {
  const { rows } = await client.query<{ id: number; n: number }>(
    `SELECT id, (SELECT count(*) FROM leads l WHERE l.import_id = i.id) AS n FROM imports i
      WHERE (state IN ('running', 'publishing') AND NOT ${holdsImportLock('i.pid')})
         OR (state = 'failed' AND EXISTS (SELECT 1 FROM leads l WHERE l.import_id = i.id)) ORDER BY id`,
  );
  return rows.map((r) => ({ batch: r.id, removed: r.n }));
}

export async function cleanupPgImports(client: ClientBase, only?: number): Promise<CleanedPgBatch[]> {
  const cleaned: CleanedPgBatch[] = [];
  for (const { batch } of await interruptedPgImports(client)) {
    if (only !== undefined && batch !== only) continue;
    await client.query('BEGIN');
    try {
      await client.query(`UPDATE imports SET state = 'failed', pid = NULL WHERE id = $1`, [batch]);
      const removed = (await client.query('DELETE FROM leads WHERE import_id = $1', [batch])).rowCount ?? 0;
      await client.query('DELETE FROM import_updates WHERE import_id = $1', [batch]);
      await client.query('COMMIT');
      cleaned.push({ batch, removed });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }
  return cleaned;
}

/** What the import prints about a batch it cleaned. */
export function describeCleanedBatch(b: CleanedPgBatch): string {
  return `Import batch ${b.batch} had been interrupted or had failed; removed the ${b.removed} lead(s) it had written (none was ever callable).`;
}

interface BatchRow extends StoredBatch {
  state: string;
  pid: number | null;
  alive: boolean;
}

const BATCH = `SELECT i.*, ${holdsImportLock('i.pid')} AS alive FROM imports i`;

/** A batch's state as `callq imports` shows it: a running one whose session is gone was interrupted. */
function batchState(b: BatchRow): string {
  if (b.undone_at) return 'undone';
  if ((b.state === 'running' || b.state === 'publishing') && !b.alive) return 'interrupted';
  return b.state;
}

export async function listPgImports(client: ClientBase): Promise<ImportBatch[]> {
  const { rows } = await client.query<BatchRow>(`${BATCH} ORDER BY i.id`);
  return rows.map((b) => importBatch(b, batchState(b)));
}

/**
 * Removes the leads a batch created (not the ones it merely updated) and marks it undone, in
 * one transaction (db/imports.ts undoImport). Refuses when any of them has been called or is claimed
 * by a rep now, unless forced.
 */
export async function undoPgImport(client: ClientBase, batchId: number, force: boolean, now: Date): Promise<UndoResult> {
  const first = (await client.query<BatchRow>(`${BATCH} WHERE i.id = $1`, [batchId])).rows[0];
  let cleaned = 0;
  if (first && !first.undone_at && first.state !== 'complete') {
    if (batchState(first) !== 'interrupted' && first.state !== 'failed') {
      throw new BusyError(`import batch ${batchId} is still running; nothing was changed. Undo it once it has finished.`);
    }
    cleaned = (await cleanupPgImports(client, batchId))[0]?.removed ?? 0;
  }
  await client.query('BEGIN');
  try {
    const batch = (await client.query<BatchRow>(`${BATCH} WHERE i.id = $1 FOR UPDATE OF i`, [batchId])).rows[0];
    if (!batch) throw new UsageError(`there is no import batch ${batchId}. Run 'callq imports' to list them.`);
    if (batch.undone_at) throw new NothingToDoError(`import batch ${batchId} was already undone at ${batch.undone_at}.`);
    // Every lead of the batch is locked first, so that no claim is taken between this check and
    // the delete (a claim skips locked leads).
    const claims = (
      await client.query<BatchClaim>(
        `WITH batch AS (SELECT id, claim_rep, claim_expires_at FROM leads WHERE import_id = $1 FOR UPDATE)
         SELECT claim_rep AS rep, id AS lead_id FROM batch WHERE claim_expires_at > $2 ORDER BY id`,
        [batchId, now.toISOString()],
      )
    ).rows;
    if (claims.length > 0 && !force) throw claimedByRepsError(batchId, claims);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM leads l WHERE l.import_id = $1
         AND (l.attempts > 0 OR l.status <> 'new' OR EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id))`,
      [batchId],
    );
    const called = rows[0].n;
    if (called > 0 && !force) {
      throw new UsageError(
        `${called} lead(s) of import batch ${batchId} have been called or moved on since; undoing would delete them and their call history. ` +
          `Nothing was changed. Add --force to remove them anyway.`,
        { batch: batchId, called },
      );
    }
    const removed = (await client.query('DELETE FROM leads WHERE import_id = $1', [batchId])).rowCount ?? 0;
    await client.query('UPDATE imports SET undone_at = $1 WHERE id = $2', [now.toISOString(), batchId]);
    await client.query('COMMIT');
    return { batch: batchId, removed: removed + cleaned, called, updated_kept: batch.state === 'complete' ? batch.updated : 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
