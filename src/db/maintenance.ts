// Nightly maintenance (docs/operations.md). Safe while reps work: each step first finds its
// candidate leads with a plain read (which never blocks anyone in WAL mode), then changes them in
// short immediate transactions that re-check the condition under the lock, pausing between them
// so a rep's claim gets the write lock within a few tens of milliseconds.
import { describeTempSweep, maintenanceSteps, type BatchOptions } from './maintenance-steps.js';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DB } from './open.js';
import { addSuppressions } from './suppressions.js';
import { loadSettings } from './settings.js';
import { batchState, cleanupImports, type CleanedBatch } from './imports.js';
import { checkDatabase, describeProblems, planBackupRotation, removeBackups, writeBackup } from './backup.js';
import { IntegrityError } from '../core/errors.js';
import { removeStaleTemps, type TempSweep } from '../io/output-file.js';
import {
  BATCH_FIRST,
  BATCH_PAUSE_MS,
  backupFileName,
  doNotCallKeys,
  nextBatchSize,
  retentionCutoff,
  type StepName,
  type StepReport,
} from '../core/maintenance.js';

export type { BatchOptions };

/**
 * Applies `change` to the ids in short immediate transactions, a batch at a time, and returns the
 * sum of what it returned (rows changed). A dry run changes nothing and returns how many ids
 * would be tried. `change` receives the batch as a JSON array, for `id IN (SELECT value FROM
 * json_each(@ids))`: one statement per batch runs several times faster than one per row.
 */
async function inBatches(db: DB, ids: readonly number[], change: (batch: string) => number, options: BatchOptions): Promise<number> {
  if (options.dryRun) return ids.length;
  let lockedMs = 0; // measured inside the transaction: waiting for the lock is not our work
  const apply = db.transaction((batch: string) => {
    const started = performance.now();
    const n = change(batch);
    lockedMs = performance.now() - started;
    return n;
  });
  let changed = 0;
  let size = BATCH_FIRST;
  for (let done = 0; done < ids.length; ) {
    const batch = ids.slice(done, done + size);
    changed += apply.immediate(JSON.stringify(batch));
    size = nextBatchSize(size, lockedMs);
    done += batch.length;
    options.onProgress?.(done, ids.length);
    await sleep(BATCH_PAUSE_MS); // the window in which a waiting rep takes the lock
  }
  return changed;
}

// A claim is live only while claim_expires_at > now; a rep's live claim is never touched here.
const NOT_CLAIMED = '(claim_expires_at IS NULL OR claim_expires_at <= @now)';
const IN_BATCH = 'id IN (SELECT value FROM json_each(@batch))';
const ids = (db: DB, sql: string, params: Record<string, unknown>) => db.prepare(sql).pluck().all(params) as number[];

/** Finds the leads matching `where`, then runs `update` (which re-checks `where`) on them in batches. */
function updateInBatches(db: DB, where: string, update: string, params: Record<string, unknown>, options: BatchOptions): Promise<number> {
  const statement = db.prepare(`${update} WHERE ${IN_BATCH} AND ${where}`);
  return inBatches(db, ids(db, `SELECT id FROM leads WHERE ${where}`, params), (batch) => statement.run({ ...params, batch }).changes, options);
}

/** Clears claims whose lease has run out, so the leads are plainly free again. */
export function expireClaims(db: DB, now: Date, options: BatchOptions): Promise<number> {
  return updateInBatches(
    db,
    `claim_rep IS NOT NULL AND ${NOT_CLAIMED}`,
    'UPDATE leads SET claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = @now',
    { now: now.toISOString() },
    options,
  );
}

/** Callable leads at or past max-attempts without contact become 'exhausted' (returned to marketing). */
export function exhaustLeads(db: DB, now: Date, maxAttempts: number, options: BatchOptions): Promise<number> {
  return updateInBatches(
    db,
    `status IN ('new','working','callback','nurture') AND attempts_since_contact >= @max AND ${NOT_CLAIMED}`,
    "UPDATE leads SET status = 'exhausted', closed_at = @now, updated_at = @now",
    { now: now.toISOString(), max: maxAttempts },
    options,
  );
}

/** Nurture leads whose date has come go back to 'working', due at once. */
export function returnNurtureLeads(db: DB, now: Date, options: BatchOptions): Promise<number> {
  return updateInBatches(
    db,
    `status = 'nurture' AND nurture_until <= @now AND ${NOT_CLAIMED}`,
    `UPDATE leads SET status = 'working', updated_at = @now,
       next_eligible_at = CASE WHEN next_eligible_at <= @now THEN NULL ELSE next_eligible_at END`,
    { now: now.toISOString() },
    options,
  );
}

export interface PurgeResult {
  purged: number;
  notesErased: number;
}

/**
 * Erases the personal data of disqualified and do-not-call leads closed before the retention
 * cutoff. What reports need stays: status, reason, source, campaign, list, region, dates, counts.
 * phone is NOT NULL in the schema, so a purged lead's phone is '' (and purged_at is set).
 * A do-not-call lead's phones and email are put on the suppression list first, in the same
 * transaction, so the request outlives the data. Call notes and dialled numbers are erased too
 * (the only change the append-only calls table allows).
 */
export async function purgePersonalData(db: DB, now: Date, retentionDays: number, options: BatchOptions): Promise<PurgeResult> {
  const where = `status IN ('disqualified','do-not-call') AND closed_at < @cutoff AND purged_at IS NULL`;
  const params = { now: now.toISOString(), cutoff: retentionCutoff(now, retentionDays) };
  const readDoNotCall = db.prepare(`SELECT phone, phone_ext, alt_phones, email FROM leads WHERE ${IN_BATCH} AND ${where} AND status = 'do-not-call'`);
  const purge = db.prepare(
    `UPDATE leads SET first_name = NULL, last_name = NULL, email = NULL, company = NULL, title = NULL,
       phone = '', phone_raw = NULL, phone_ext = NULL, alt_phones = NULL, postal_code = NULL, external_id = NULL, external_system = NULL, custom = NULL,
       qualification = NULL, handoff_note = NULL, purged_at = @now, updated_at = @now
     WHERE ${IN_BATCH} AND ${where} RETURNING id`,
  ).pluck();
  const eraseNotes = db.prepare(
    'UPDATE calls SET notes = NULL, phone = NULL WHERE lead_id IN (SELECT value FROM json_each(?)) AND (notes IS NOT NULL OR phone IS NOT NULL)',
  );
  let notesErased = 0;
  const change = (batch: string): number => {
    const dnc = readDoNotCall.all({ ...params, batch }) as { phone: string; phone_ext: string | null; alt_phones: string | null; email: string | null }[];
    addSuppressions(db, dnc.flatMap(doNotCallKeys), 'do-not-call', 'maintain', now);
    const purged = purge.all({ ...params, batch }) as number[];
    notesErased += eraseNotes.run(JSON.stringify(purged)).changes;
    return purged.length;
  };
  const candidates = ids(db, `SELECT id FROM leads WHERE ${where}`, params);
  if (options.dryRun) {
    const notes = db.prepare(
      `SELECT count(*) FROM calls WHERE lead_id IN (SELECT id FROM leads WHERE ${where}) AND (notes IS NOT NULL OR phone IS NOT NULL)`,
    );
    return { purged: candidates.length, notesErased: notes.pluck().get(params) as number };
  }
  // Zero the freed bytes, so the erased values do not linger in the page.
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const purged = await inBatches(db, candidates, change, options);
    return { purged, notesErased };
  } finally {
    db.pragma(`secure_delete = ${secure}`);
  }
}

export interface CheckpointResult {
  /** 'truncate' when the WAL was emptied, else 'passive' (a reader kept an older snapshot). */
  mode: 'truncate' | 'passive';
  wal_frames: number;
  checkpointed_frames: number;
}

// How long a TRUNCATE checkpoint may wait for readers; it blocks new writers meanwhile.
const TRUNCATE_WAIT_MS = 50;

/**
 * Copies the WAL into the database without blocking anyone (PASSIVE), then tries to empty it
 * (TRUNCATE) waiting at most TRUNCATE_WAIT_MS for readers; if a reader holds on, PASSIVE stands.
 */
export function checkpoint(db: DB, truncateWaitMs = TRUNCATE_WAIT_MS): CheckpointResult {
  type Row = { busy: number; log: number; checkpointed: number };
  const passive = (db.pragma('wal_checkpoint(PASSIVE)') as Row[])[0];
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${truncateWaitMs}`);
  try {
    const truncate = (db.pragma('wal_checkpoint(TRUNCATE)') as Row[])[0];
    const mode = truncate.busy === 0 ? 'truncate' : 'passive';
    return { mode, wal_frames: Math.max(passive.log, 0), checkpointed_frames: Math.max(passive.checkpointed, 0) };
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** Refreshes the planner's statistics where useful; analysis_limit keeps ANALYZE (and its write lock) short. */
export function optimize(db: DB): void {
  db.pragma('analysis_limit = 400');
  db.pragma('optimize');
}

/** What cleanupImports would handle, for a dry run: the batches left running by a process that is gone, or failed with leads. */
function interruptedImports(db: DB): CleanedBatch[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.state, i.pid, (SELECT count(*) FROM leads l WHERE l.import_id = i.id) AS n FROM imports i
       WHERE i.state IN ('running', 'publishing') OR (i.state = 'failed' AND EXISTS (SELECT 1 FROM leads l WHERE l.import_id = i.id))`,
    )
    .all() as { id: number; state: string; pid: number | null; n: number }[];
  return rows
    .filter((r) => r.state === 'failed' || batchState({ state: r.state as 'running', pid: r.pid, undone_at: null }) === 'interrupted')
    .map((r) => ({ batch: r.id, removed: r.state === 'publishing' ? 0 : r.n, published: r.state === 'publishing', line: '' }));
}

export interface MaintenanceOptions {
  now: Date;
  dryRun: boolean;
  /** Overrides the retention setting (days). */
  retentionDays?: number;
  backup?: { dir: string; keep: number };
  vacuum: boolean;
  /** Where the database lives (named in the integrity message). */
  dbPath: string;
  onStep?: (name: StepName) => void;
  onProgress?: (name: StepName, done: number, total: number) => void;
}

export interface MaintenanceReport {
  dry_run: boolean;
  integrity: 'ok';
  /** Batches of interrupted imports cleaned (leads removed) or, if they died publishing, published. */
  imports_cleaned: Omit<CleanedBatch, 'line'>[];
  expired_claims: number;
  exhausted: number;
  nurture_returned: number;
  purged: number;
  notes_erased: number;
  retention_days: number;
  checkpoint: CheckpointResult | null;
  optimized: boolean;
  backup: { path: string; bytes: number | null; kept: number; removed: number; removed_files: string[] } | null;
  /** Temporary files of killed runs (exports, rejects files, backups) removed, and any that could not be. */
  temp_files: { removed: string[]; failed: { path: string; error: string }[] };
  vacuumed: boolean;
  seconds: number;
  steps: StepReport[];
}

/**
 * Every step in order. The integrity check comes first: a damaged file is never written to and
 * never rotates a good backup away.
 */
export async function runMaintenance(db: DB, options: MaintenanceOptions): Promise<MaintenanceReport> {
  const started = performance.now();
  const { steps, step, batch } = maintenanceSteps(options);
  const { now, dryRun } = options;
  // Checkpoint from this connection every 500 pages (the default is 1000): then a rep's commit,
  // which adds a few pages, never crosses the threshold and never does maintenance's copying.
  if (!dryRun) db.pragma('wal_autocheckpoint = 500');

  const problems = await step('integrity check', () => checkDatabase(db), () => null, () => 'ok');
  if (problems.length) {
    steps.pop();
    throw new IntegrityError(
      `the database ${options.dbPath} failed its integrity check (${describeProblems(problems)}). ` +
        'Nothing was changed. Stop using it and restore the latest good backup with `callq restore FILE --force`.',
      { integrity: problems.slice(0, 20) },
    );
  }
  const settings = loadSettings(db);
  const retentionDays = options.retentionDays ?? settings.retentionDays;
  // A dry run (read-only) only counts the batches an import's process left behind.
  const cleaned = await step(
    'interrupted imports',
    () => (dryRun ? interruptedImports(db) : cleanupImports(db)),
    (c) => c.length,
    (c) => c.map((b) => (b.published ? `batch ${b.batch} published` : `batch ${b.batch}: ${b.removed} leads removed`)).join('; ') || 'none',
  );
  const expired = await step('expired claims', () => expireClaims(db, now, batch('expired claims')), (n) => n);
  const exhausted = await step('exhausted', () => exhaustLeads(db, now, settings.maxAttempts, batch('exhausted')), (n) => n);
  const nurture = await step('nurture returned', () => returnNurtureLeads(db, now, batch('nurture returned')), (n) => n);
  const purge = await step('purged', () => purgePersonalData(db, now, retentionDays, batch('purged')), (r) => r.purged, (r) => `${r.notesErased} call notes erased`);
  const ckpt = dryRun ? null : await step('checkpoint', () => checkpoint(db), () => null, (c) => `${c.mode} (${c.checkpointed_frames} frames)`);
  if (!dryRun) await step('optimize', () => optimize(db), () => null, () => 'done');

  // Before the backup, whose own clean-up would otherwise remove them unreported.
  const temps = await step(
    'temp files',
    () => removeTempsNearby(db, options.dbPath, options.backup ? [options.backup.dir] : [], { dryRun }),
    (t) => t.removed.length,
    describeTempSweep,
  );
  let backup: MaintenanceReport['backup'] = null;
  if (options.backup) {
    const { dir, keep } = options.backup;
    backup = await step(
      'backup',
      () => {
        // The copy is made now: named by the real clock when --now is later (core/maintenance.ts).
        const name = backupFileName(now, new Date());
        const written = dryRun ? null : writeBackup(db, join(dir, name), { replace: true, check: 'quick_check', createFolder: true });
        const plan = planBackupRotation(dir, keep, name);
        if (!dryRun) removeBackups(dir, plan.remove);
        return { path: join(dir, name), bytes: written?.bytes ?? null, kept: plan.keep.length, removed: plan.remove.length, removed_files: plan.remove };
      },
      () => null,
      (b) => `${b.path} (kept ${b.kept}, removed ${b.removed})`,
    );
  }
  let vacuumed = false;
  if (options.vacuum && !dryRun) {
    await step('vacuum', () => {
      db.exec('VACUUM');
      checkpoint(db); // VACUUM rewrote every page through the WAL
    }, () => null, () => 'done');
    vacuumed = true;
  }

  return {
    dry_run: dryRun,
    integrity: 'ok',
    imports_cleaned: cleaned.map(({ line: _line, ...rest }) => rest),
    expired_claims: expired,
    exhausted,
    nurture_returned: nurture,
    purged: purge.purged,
    notes_erased: purge.notesErased,
    retention_days: retentionDays,
    checkpoint: ckpt,
    optimized: !dryRun,
    backup,
    temp_files: temps,
    vacuumed,
    seconds: Math.round(performance.now() - started) / 1000,
    steps,
  };
}

/**
 * Removes the temporary files killed callq runs left (hidden copies of leads): in the database's
 * folder, the given folders (backups) and every folder a hand-off was exported to.
 */
export function removeTempsNearby(db: DB, dbPath: string, folders: readonly string[], options: { dryRun?: boolean } = {}): TempSweep {
  const destinations = db
    .prepare("SELECT DISTINCT destination FROM handoffs WHERE destination IS NOT NULL AND destination <> 'stdout'")
    .pluck()
    .all() as string[];
  const all = new Set([dirname(dbPath), ...folders, ...destinations.map((d) => dirname(d))]);
  const sweep: TempSweep = { removed: [], failed: [] };
  for (const folder of all) {
    const s = removeStaleTemps(folder, options);
    sweep.removed.push(...s.removed);
    sweep.failed.push(...s.failed);
  }
  return sweep;
}
