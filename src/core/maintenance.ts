// Nightly maintenance, planned without I/O (docs/operations.md): the retention cutoff,
// backup names and rotation, and the pacing that keeps each write transaction short enough
// that a rep's claim never waits long behind it.
import { UsageError } from './errors.js';
import type { SuppressionKey } from './suppression.js';
import { personSuppressionKeys } from './suppression.js';
import { parseAltPhones } from './lead.js';

const DAY_MS = 86_400_000;

/** Leads closed before this instant have their personal data purged. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

export function parseRetention(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 36_500) {
    throw new UsageError(`invalid --retention '${text}': expected a number of days from 0 to 36500, like 365.`);
  }
  return Number(text);
}

export function parseKeep(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > 10_000) {
    throw new UsageError(`invalid --keep '${text}': expected how many backups to keep, a whole number from 1, like 14.`);
  }
  return Number(text);
}

// Backups are named by the UTC instant they were taken, so names sort in time order and rotation
// can tell ours from any other file in the folder. Rotation only ever deletes names matching this.
// A PostgreSQL backup (pg_dump's custom format) ends in .dump instead.
export const BACKUP_NAME = /^callq-\d{4}-\d{2}-\d{2}T\d{6}Z\.db$/;
export const PG_BACKUP_NAME = /^callq-\d{4}-\d{2}-\d{2}T\d{6}Z\.dump$/;

/**
 * callq-2026-11-24T020000Z.db for 2026-11-24 02:00:00 UTC. `at` is the run's clock (--now), but
 * never later than `realNow`: a copy is made now, and a what-if run with a future --now (or a
 * clock set wrong for a night) would otherwise name it in the future, where rotation would keep
 * it as the newest and delete one real backup too many every night until that date.
 */
export function backupFileName(at: Date, realNow: Date, extension: 'db' | 'dump' = 'db'): string {
  const iso = new Date(Math.min(at.getTime(), realNow.getTime())).toISOString(); // 2026-11-24T02:00:00.000Z
  return `callq-${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z.${extension}`;
}

export interface RotationPlan {
  keep: string[];
  remove: string[];
}

/** Of the file names in a backup folder, the newest `keep` of ours stay and our older ones go. */
export function planRotation(names: readonly string[], keep: number, pattern: RegExp = BACKUP_NAME): RotationPlan {
  const ours = names.filter((n) => pattern.test(n)).sort().reverse();
  return { keep: ours.slice(0, keep), remove: ours.slice(keep) };
}

// Pacing. A rep's claim that finds the write lock taken sleeps and retries on SQLite's busy-handler
// schedule: at 1, 3, 8, 18, 33, 53, 78, 103, 128, 178 … ms. While retries are at most 25 ms apart
// (up to 128 ms), a pause longer than that between two maintenance transactions is sure to contain
// one. So a transaction of about BATCH_TARGET_MS followed by BATCH_PAUSE_MS lets the rep in within
// about 50 ms; the cost per row varies (cache, I/O), and even a batch that takes four times the
// target keeps the rep's wait near 130 ms.
export const BATCH_TARGET_MS = 25;
export const BATCH_PAUSE_MS = 26;
export const BATCH_MIN = 50;
export const BATCH_MAX = 10_000;
export const BATCH_FIRST = 500;

/** The next batch size, scaled so that a transaction takes about BATCH_TARGET_MS. */
export function nextBatchSize(size: number, elapsedMs: number): number {
  const scaled = elapsedMs <= 0 ? size * 2 : Math.round((size * BATCH_TARGET_MS) / elapsedMs);
  return Math.max(BATCH_MIN, Math.min(BATCH_MAX, scaled, size * 2));
}

/** What a do-not-call lead must leave on the suppression list: its phones and email (not the domain). */
export function doNotCallKeys(lead: { phone: string | null; phone_ext?: string | null; alt_phones: string | null; email: string | null }): SuppressionKey[] {
  return personSuppressionKeys({ ...lead, alt_phones: parseAltPhones(lead.alt_phones) });
}


export type StepName =
  | 'integrity check'
  | 'interrupted imports'
  | 'expired claims'
  | 'exhausted'
  | 'nurture returned'
  | 'purged'
  | 'checkpoint'
  | 'optimize'
  | 'backup'
  | 'temp files'
  | 'vacuum';

export interface StepReport {
  name: StepName;
  /** Rows changed (or, in a dry run, that would change); null for steps that count nothing. */
  count: number | null;
  ms: number;
  /** A short human result where a count says nothing (e.g. 'ok', 'truncate', the backup path). */
  detail?: string;
}
