// The store operations for backup, restore, maintenance, erasure (src/db/store.ts;
// docs/operations.md). What only one store has (SQLite's WAL checkpoint and byte-level scrub,
// PostgreSQL's VACUUM) stays inside its implementation; the reports keep one shape.
import type { CheckpointResult, MaintenanceReport as SqliteMaintenanceReport } from '../maintenance.js';
import type { TempSweep } from '../../io/output-file.js';
import type { StepName } from '../../core/maintenance.js';
import type { ListEntry, SuppressionKey } from '../../core/suppression.js';
import type { CarriedList } from '../restore-list.js';
import { existsSync } from 'node:fs';
import { isPostgresUrl } from '../store.js';
import { peopleAmong, type PersonNames } from '../../core/identity.js';

/** The report of `maintain`, one shape on both stores (docs/operations.md). */
export type MaintenanceReport = Omit<SqliteMaintenanceReport, 'integrity'> & {
  /** 'ok', or on PostgreSQL without amcheck 'not checked (amcheck not available)'. */
  integrity: string;
};

export interface MaintainRequest {
  now: Date;
  dryRun: boolean;
  /** Overrides the retention setting (days). */
  retentionDays?: number;
  backup?: { dir: string; keep: number };
  vacuum: boolean;
  onStep?: (name: StepName) => void;
  onProgress?: (name: StepName, done: number, total: number) => void;
}

export interface BackupReport {
  path: string;
  bytes: number;
  /** 'ok': the copy was checked (SQLite: integrity_check; PostgreSQL: the archive reads back whole). */
  integrity: 'ok';
}

export interface RestoreReport {
  /** The database restored: the file's path, or the URL without its password. */
  path: string;
  from: string;
  /** The schema version after the restore (an older backup is migrated). */
  schema_version: number;
  backup_schema_version: number;
  leads: number;
  replaced: boolean;
  /** SQLite: the replaced file was too damaged to check whether another process had it open. */
  unchecked_lock: boolean;
  integrity: string;
  /**
   * What was kept of the replaced database's do-not-call list (entries the backup lacked, the
   * leads they moved, the people forgotten since and erased again); null when nothing was replaced.
   */
  list_kept: CarriedList | null;
  /** Why the replaced database's list could not be read (a damaged file), when it could not. */
  list_unread?: string;
  /**
   * PostgreSQL: the backup's GRANTs could not be replayed here (a role they name does not exist,
   * or amcheck's functions are missing) and were left out; the data is whole.
   */
  privileges_skipped?: boolean;
}

/** Who `forget` would erase: their leads and how many calls. */
export interface PersonFound {
  leads: number[];
  calls: number;
  /**
   * The leads grouped by who they are (core/identity.ts peopleAmong), each group's ids and the
   * name of its first lead: more than one group when a phone number is shared by colleagues.
   */
  people: { ids: number[]; first_name: string | null; last_name: string | null }[];
}

/** Leads found for `forget`, as PersonFound's people (both stores). */
export function peopleFound(leads: readonly (PersonNames & { id: number; last_name: string | null })[]): PersonFound['people'] {
  return peopleAmong(leads).map((g) => ({ ids: g.map((l) => l.id), first_name: g[0].first_name, last_name: g[0].last_name }));
}

export interface ForgetReport {
  leads: number;
  calls: number;
  /** Suppression entries now holding only a hash for the person's values. */
  suppressions: number;
  /** SQLite: the file was rebuilt to remove old copies; PostgreSQL: VACUUM ran on the tables after the commit. */
  vacuumed: boolean;
  /** SQLite's WAL checkpoint after the erasure; null on PostgreSQL. */
  checkpoint: CheckpointResult | null;
  /** Temporary copies killed runs left beside the database and hand-off files. */
  temp_files: TempSweep;
  /** What the store may still hold of the person after the erasure (PostgreSQL); empty on SQLite. */
  retains: string[];
  /** Other leads whose own data (fields, answers, their calls' notes) still names one of the person's values. */
  mentions: Mention[];
  /** The hand-off files written earlier with the person's leads in them (callq cannot erase those). */
  handoff_files: string[];
}

/** A value of the forgotten person found in another lead's data: someone else's record, kept as it is. */
export interface Mention {
  value: string;
  lead: number;
}

/**
 * The columns a mention of a person is looked for in: another lead's own text, and its calls'
 * notes (the person's own leads and calls are gone by then). On both stores.
 */
export const MENTION_COLUMNS = ['first_name', 'last_name', 'company', 'title', 'email', 'phone_raw', 'alt_phones', 'custom', 'qualification', 'handoff_note'] as const;

export interface AdminStore {
  /** Nightly maintenance: every step in order, the integrity check first (exit 5 on damage). */
  maintain(request: MaintainRequest): Promise<MaintenanceReport>;
  /** A consistent, checked copy of the database written to `file` (owner-only, temp then rename). */
  backup(file: string, options: { replace: boolean }): Promise<BackupReport>;
  /** The leads and calls `forget` would erase for this phone or email. */
  findPerson(key: SuppressionKey): Promise<PersonFound>;
  /** Erases the person (leads, calls, notes) and keeps only hash-only suppressions, in one transaction. */
  forgetPerson(key: SuppressionKey, now: Date): Promise<ForgetReport>;
  /** The team's default country (to read a phone number given without one). */
  defaultCountry(): Promise<string>;
}

/**
 * Replaces the database `target` names with the backup `file`. Not an operation of an open
 * store: a SQLite file is replaced only while nobody (this process included) has it open, and a
 * PostgreSQL database may still lack callq's schema.
 */
export async function restoreBackup(target: string, file: string, options: { force: boolean; now: Date }): Promise<RestoreReport> {
  if (isPostgresUrl(target)) {
    const { restorePg } = await import('../pg/backup.js');
    return restorePg(target, file, options);
  }
  const { restoreDatabase } = await import('../backup.js');
  const { openDatabase, schemaVersion } = await import('../open.js');
  const { carryOverList, readList } = await import('../restore-list.js');
  // The list of the database being replaced, kept through the restore (restore-list.ts).
  let list: ListEntry[] | null = null;
  let listUnread: string | undefined;
  if (options.force && existsSync(target)) {
    try {
      const old = openDatabase(target, { readonly: true });
      try {
        list = readList(old);
      } finally {
        old.close();
      }
    } catch (err) {
      listUnread = (err as Error).message;
    }
  }
  const result = restoreDatabase(file, target, options);
  // Opening brings an older backup up to this version's schema and back to WAL mode.
  const db = openDatabase(target);
  let kept: CarriedList | null = null;
  let version: number;
  try {
    version = schemaVersion(db);
    if (list) kept = carryOverList(db, target, list, options.now);
  } finally {
    db.close();
  }
  return {
    list_kept: kept,
    ...(listUnread === undefined ? {} : { list_unread: listUnread }),
    path: result.path,
    from: result.from,
    schema_version: version,
    backup_schema_version: result.schema_version,
    leads: result.leads - (kept?.erased ?? 0),
    replaced: result.replaced,
    unchecked_lock: result.unchecked_lock,
    integrity: 'ok',
  };
}
