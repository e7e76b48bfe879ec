// Nightly maintenance on PostgreSQL (docs/operations.md, "On PostgreSQL"): the same steps and
// report as on SQLite (src/db/maintenance.ts) where they mean something. Each step reads its
// candidate leads, then changes them in short transactions that re-check the condition; a lead
// a rep holds is left alone. Row locks block only the rows changed, and claims skip locked rows
// (FOR UPDATE SKIP LOCKED), so reps keep working. No WAL checkpoint (the server does it);
// VACUUM (ANALYZE) of leads and calls stands for SQLite's optimize; the integrity check is
// amcheck (./integrity.ts); backups are pg_dump archives (./backup.ts).
import { describeTempSweep, maintenanceSteps, type BatchOptions } from '../maintenance-steps.js';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PgClient } from './open.js';
import type { PgConnection } from './store/connection.js';
import { loadSettingsPg } from './settings.js';
import { checkIntegrityPg } from './integrity.js';
import { writePgBackup } from './backup.js';
import { IntegrityError } from '../../core/errors.js';
import { removeStaleTemps, type TempSweep } from '../../io/output-file.js';
import { backupFileName, doNotCallKeys, planRotation, PG_BACKUP_NAME, retentionCutoff } from '../../core/maintenance.js';
import type { SuppressionKey } from '../../core/suppression.js';
import type { MaintainRequest, MaintenanceReport } from '../store/admin.js';
import { redactUrl } from '../store.js';
import { cleanupPgImports, interruptedPgImports } from './import-batches.js';
import { ERASED_TABLES, vacuumIfOwner } from './forget.js';

const NOT_OWNER = "skipped: only the tables' owner (the role that ran 'callq init') or a superuser may VACUUM them";

/** Leads changed per transaction: each holds its rows' locks only this long. */
const BATCH = 1000;

// A claim is live only while claim_expires_at > now; a rep's live claim is never touched here.
const NOT_CLAIMED = '(claim_expires_at IS NULL OR claim_expires_at <= $1)';


async function ids(client: PgClient, sql: string, params: unknown[]): Promise<number[]> {
  return (await client.query<{ id: number }>(sql, params)).rows.map((r) => r.id);
}

/** Runs `change` (given a batch of ids, in one transaction) over all `candidates`; returns the sum of what it returned. */
async function inBatches(conn: PgConnection, candidates: number[], change: (c: PgClient, batch: number[]) => Promise<number>, options: BatchOptions): Promise<number> {
  if (options.dryRun) return candidates.length;
  let changed = 0;
  for (let done = 0; done < candidates.length; done += BATCH) {
    const batch = candidates.slice(done, done + BATCH);
    changed += await conn.transaction((c) => change(c, batch));
    options.onProgress?.(Math.min(done + BATCH, candidates.length), candidates.length);
  }
  return changed;
}

/** Finds the leads matching `where` ($1 is now), then runs `set` on them in batches, re-checking `where`. */
async function updateInBatches(conn: PgConnection, where: string, set: string, params: unknown[], options: BatchOptions): Promise<number> {
  const candidates = await ids(conn.client, `SELECT id FROM leads WHERE ${where} ORDER BY id`, params);
  const batchParam = `$${params.length + 1}`;
  return inBatches(
    conn,
    candidates,
    async (c, batch) => (await c.query(`UPDATE leads SET ${set} WHERE id = ANY(${batchParam}::bigint[]) AND ${where}`, [...params, batch])).rowCount ?? 0,
    options,
  );
}

export function expireClaimsPg(conn: PgConnection, now: Date, options: BatchOptions): Promise<number> {
  return updateInBatches(
    conn,
    `claim_rep IS NOT NULL AND ${NOT_CLAIMED}`,
    'claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = $1',
    [now.toISOString()],
    options,
  );
}

export function exhaustLeadsPg(conn: PgConnection, now: Date, maxAttempts: number, options: BatchOptions): Promise<number> {
  return updateInBatches(
    conn,
    `status IN ('new','working','callback','nurture') AND attempts_since_contact >= $2 AND ${NOT_CLAIMED}`,
    "status = 'exhausted', closed_at = $1, updated_at = $1",
    [now.toISOString(), maxAttempts],
    options,
  );
}

export function returnNurtureLeadsPg(conn: PgConnection, now: Date, options: BatchOptions): Promise<number> {
  return updateInBatches(
    conn,
    `status = 'nurture' AND nurture_until <= $1 AND ${NOT_CLAIMED}`,
    `status = 'working', updated_at = $1, next_eligible_at = CASE WHEN next_eligible_at <= $1 THEN NULL ELSE next_eligible_at END`,
    [now.toISOString()],
    options,
  );
}

/** Adds suppression entries (clear text) unless there already is one for the key. */
export async function addSuppressionsPg(client: PgClient, keys: readonly SuppressionKey[], reason: string, source: string, now: Date): Promise<number> {
  if (!keys.length) return 0;
  const result = await client.query(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at)
     SELECT k, v, h, $4, $5, $6 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, v, h)
     ON CONFLICT (kind, value_hash) DO NOTHING`,
    [keys.map((k) => k.kind), keys.map((k) => k.value), keys.map((k) => k.hash), reason, source, now.toISOString()],
  );
  return result.rowCount ?? 0;
}

/** As purgePersonalData on SQLite: erases the personal data of closed leads past retention, keeping do-not-call requests as suppressions. */
export async function purgePersonalDataPg(conn: PgConnection, now: Date, retentionDays: number, options: BatchOptions): Promise<{ purged: number; notesErased: number }> {
  const where = `status IN ('disqualified','do-not-call') AND closed_at < $1 AND purged_at IS NULL`;
  const cutoff = retentionCutoff(now, retentionDays);
  const candidates = await ids(conn.client, `SELECT id FROM leads WHERE ${where} ORDER BY id`, [cutoff]);
  if (options.dryRun) {
    const notes = await conn.client.query<{ n: number }>(
      `SELECT count(*) AS n FROM calls WHERE lead_id IN (SELECT id FROM leads WHERE ${where}) AND (notes IS NOT NULL OR phone IS NOT NULL)`,
      [cutoff],
    );
    return { purged: candidates.length, notesErased: notes.rows[0].n };
  }
  let notesErased = 0;
  const purged = await inBatches(
    conn,
    candidates,
    async (c, batch) => {
      const dnc = await c.query<{ phone: string; phone_ext: string | null; alt_phones: string | null; email: string | null }>(
        `SELECT phone, phone_ext, alt_phones, email FROM leads WHERE id = ANY($2::bigint[]) AND ${where} AND status = 'do-not-call'`,
        [cutoff, batch],
      );
      await addSuppressionsPg(c, dnc.rows.flatMap(doNotCallKeys), 'do-not-call', 'maintain', now);
      const done = await ids(
        c,
        `UPDATE leads SET first_name = NULL, last_name = NULL, email = NULL, company = NULL, title = NULL,
           phone = '', phone_raw = NULL, phone_ext = NULL, alt_phones = NULL, postal_code = NULL, external_id = NULL, external_system = NULL, custom = NULL,
           qualification = NULL, handoff_note = NULL, purged_at = $3, updated_at = $3
         WHERE id = ANY($2::bigint[]) AND ${where} RETURNING id`,
        [cutoff, batch, now.toISOString()],
      );
      if (done.length) {
        const notes = await c.query('UPDATE calls SET notes = NULL, phone = NULL WHERE lead_id = ANY($1::bigint[]) AND (notes IS NOT NULL OR phone IS NOT NULL)', [done]);
        notesErased += notes.rowCount ?? 0;
      }
      return done.length;
    },
    options,
  );
  return { purged, notesErased };
}

export interface CleanedBatchPg {
  batch: number;
  removed: number;
  published: boolean;
}

/**
 * Import batches left behind (src/db/pg/import-batches.ts): a 'running' batch whose session no
 * longer holds the import lock is marked failed and whatever it wrote removed. An import on
 * PostgreSQL writes its leads in its last transaction, so there is usually nothing to remove.
 */
async function interruptedImportsPg(conn: PgConnection, dryRun: boolean): Promise<{ cleaned: CleanedBatchPg[]; publishing: number[] }> {
  const batches = dryRun ? await interruptedPgImports(conn.client) : await cleanupPgImports(conn.client);
  return { cleaned: batches.map((b) => ({ ...b, published: false })), publishing: [] };
}

/** The folders killed runs may have left temp files in: the backup folder and every hand-off destination's. */
async function sweepTempsPg(client: PgClient, folders: readonly string[], dryRun: boolean): Promise<TempSweep> {
  const destinations = await client.query<{ d: string }>(
    "SELECT DISTINCT destination AS d FROM handoffs WHERE destination IS NOT NULL AND destination <> 'stdout'",
  );
  const all = new Set([...folders, ...destinations.rows.map((r) => dirname(r.d))]);
  const sweep: TempSweep = { removed: [], failed: [] };
  for (const folder of all) {
    const s = removeStaleTemps(folder, { dryRun });
    sweep.removed.push(...s.removed);
    sweep.failed.push(...s.failed);
  }
  return sweep;
}

/** Every step in order; the integrity check first, so a damaged database is never written to and never rotates a good backup away. */
export async function runMaintenancePg(conn: PgConnection, request: MaintainRequest): Promise<MaintenanceReport> {
  const started = performance.now();
  const { steps, step, batch } = maintenanceSteps(request);
  const { now, dryRun } = request;
  const client = conn.client;
  const name = redactUrl(conn.url);
  // A dry run's session cannot write, whatever a step would try.
  if (dryRun) await client.query('SET default_transaction_read_only = on');

  const integrity = await step('integrity check', () => checkIntegrityPg(client, { install: !dryRun }), () => null, (r) => (r.problems.length ? 'failed' : r.detail));
  if (integrity.problems.length) {
    steps.pop();
    throw new IntegrityError(
      `the database ${name} failed its integrity check (${integrity.problems[0]}${integrity.problems.length > 1 ? `, and ${integrity.problems.length - 1} more` : ''}). ` +
        'Nothing was changed. Stop using it and restore the latest good backup with `callq restore FILE --force`.',
      { integrity: integrity.problems.slice(0, 20) },
    );
  }
  // Without statistics (a table filled moments ago, before autovacuum got to it) the planner
  // takes each batch's UPDATE through the status index, reading every lead of that status.
  if (!dryRun) {
    const never = await client.query(
      `SELECT 1 FROM pg_stat_user_tables WHERE relid = 'leads'::regclass AND last_analyze IS NULL AND last_autoanalyze IS NULL`,
    );
    if (never.rowCount) await client.query('ANALYZE leads');
  }
  const settings = await loadSettingsPg(client);
  const retentionDays = request.retentionDays ?? settings.retentionDays;
  const imports = await step(
    'interrupted imports',
    () => interruptedImportsPg(conn, dryRun),
    (r) => r.cleaned.length,
    (r) =>
      [
        ...r.cleaned.map((b) => `batch ${b.batch}: ${b.removed} leads removed`),
        ...r.publishing.map((id) => `batch ${id} stopped while publishing: left for its import to finish`),
      ].join('; ') || 'none',
  );
  const expired = await step('expired claims', () => expireClaimsPg(conn, now, batch('expired claims')), (n) => n);
  const exhausted = await step('exhausted', () => exhaustLeadsPg(conn, now, settings.maxAttempts, batch('exhausted')), (n) => n);
  const nurture = await step('nurture returned', () => returnNurtureLeadsPg(conn, now, batch('nurture returned')), (n) => n);
  const purge = await step('purged', () => purgePersonalDataPg(conn, now, retentionDays, batch('purged')), (r) => r.purged, (r) => `${r.notesErased} call notes erased`);
  // VACUUM cannot run in a transaction: this session has none open here.
  // Only the tables' owner may VACUUM them; the server skips them for anyone else, so say so.
  let optimized = false;
  if (!dryRun) {
    optimized = await step(
      'optimize',
      () => vacuumIfOwner(client, ['leads', 'calls'], '(ANALYZE)'),
      () => null,
      (ran) => (ran ? 'VACUUM (ANALYZE) leads, calls' : NOT_OWNER),
    );
  }

  const temps = await step(
    'temp files',
    () => sweepTempsPg(client, request.backup ? [request.backup.dir] : [], dryRun),
    (t) => t.removed.length,
    describeTempSweep,
  );
  let backup: MaintenanceReport['backup'] = null;
  if (request.backup) {
    const { dir, keep } = request.backup;
    backup = await step(
      'backup',
      async () => {
        // The copy is made now: named by the real clock when --now is later (core/maintenance.ts).
        const file = backupFileName(now, new Date(), 'dump');
        const written = dryRun ? null : await writePgBackup(conn.url, join(dir, file), { replace: true, createFolder: true });
        const names = existsSync(dir) ? readdirSync(dir) : [];
        const plan = planRotation(names.includes(file) ? names : [...names, file], keep, PG_BACKUP_NAME);
        if (!dryRun) for (const old of plan.remove) rmSync(join(dir, old), { force: true });
        return { path: join(dir, file), bytes: written?.bytes ?? null, kept: plan.keep.length, removed: plan.remove.length, removed_files: plan.remove };
      },
      () => null,
      (b) => `${b.path} (kept ${b.kept}, removed ${b.removed})`,
    );
  }
  let vacuumed = false;
  if (request.vacuum && !dryRun) {
    // Rewrites the tables (ACCESS EXCLUSIVE locks for the duration): run it when nobody works.
    vacuumed = await step(
      'vacuum',
      () => vacuumIfOwner(client, ERASED_TABLES, '(FULL, ANALYZE)'),
      () => null,
      (ran) => (ran ? 'VACUUM FULL' : NOT_OWNER),
    );
  }

  return {
    dry_run: dryRun,
    integrity: integrity.result,
    imports_cleaned: imports.cleaned,
    expired_claims: expired,
    exhausted,
    nurture_returned: nurture,
    purged: purge.purged,
    notes_erased: purge.notesErased,
    retention_days: retentionDays,
    checkpoint: null,
    optimized,
    backup,
    temp_files: temps,
    vacuumed,
    seconds: Math.round(performance.now() - started) / 1000,
    steps,
  };
}
