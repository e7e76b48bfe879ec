// The store operations for hand-offs, clean-up lists, call exports, reports, the do-not-call list (src/db/store.ts).
// Exports stream: rows come a page at a time (an array of rows per step), so memory stays flat
// and the per-row cost is that of a plain loop on either store.
import type { BatchKeys, HandoffLead, ProfileName } from '../../core/export-profiles.js';
import type { FunnelTally, GroupField, LostTally, RepTally, ZoneQuarterTally } from '../../core/reports.js';
import type { Period } from '../../core/period.js';
import type { SuppressionKey } from '../../core/suppression.js';
import { parseAltPhones } from '../../core/lead.js';
import { ConflictError } from '../../core/errors.js';

/** Which leads a sales-ready export holds. */
export type HandoffSelection =
  /** Sales-ready leads not yet handed off: the normal run. */
  | { kind: 'pending' }
  /** Every lead that is sales-ready or handed off (`--all`). */
  | { kind: 'all' }
  /** The leads of one past hand-off batch (`--batch ID`). */
  | { kind: 'batch'; id: number };

export interface HandoffBatch {
  id: number;
  created_at: string;
  destination: string | null;
  lead_count: number;
  profile: string;
  rep: string | null;
}

/** A sales-ready export as read: all from one snapshot of the database. */
export interface HandoffRead {
  count: number;
  /** Qualification and custom keys in order of first appearance (leads in id order). */
  keys: BatchKeys;
  /** The leads in id order (the order `--batch` reproduces), a page at a time. */
  leads: AsyncIterable<readonly HandoffLead[]>;
}

export interface HandoffRecord {
  /** Ids of the exported leads that were sales-ready when read: the ones this hand-off marks. */
  leadIds: readonly number[];
  destination: string;
  profile: ProfileName;
  rep: string;
  now: Date;
  /** Makes the file visible (rename); runs last inside the transaction, so a failure marks nothing. */
  publish: () => void;
}

/** A period of an export: `since` inclusive, `until` exclusive (either may be open). */
export interface CallWindow {
  since: Date | null;
  until: Date | null;
}

/**
 * `column` within `w`, as conditions each starting with ' AND ', and their values; `placeholder`
 * writes the store's placeholder for the n-th value (1-based).
 */
export function windowSql(column: string, w: CallWindow, placeholder: (n: number) => string): { sql: string; params: string[] } {
  let sql = '';
  const params: string[] = [];
  if (w.since) sql += ` AND ${column} >= ${placeholder(params.push(w.since.toISOString()))}`;
  if (w.until) sql += ` AND ${column} < ${placeholder(params.push(w.until.toISOString()))}`;
  return { sql, params };
}

export interface SuppressionRow {
  id: number;
  kind: string;
  value: string | null;
  value_hash: string;
  reason: string | null;
  source: string | null;
  created_at: string;
}

export interface DoNotCallAdded {
  /** Keys that were not listed yet. */
  added: number;
  /** Leads moved to do-not-call because they match a key. */
  leads_suppressed: number;
}

/** Rows a page at a time. */
export type Pages<T> = AsyncIterable<readonly T[]>;

export interface ExportStore {
  handoffBatch(id: number): Promise<HandoffBatch | undefined>;
  /**
   * Reads a sales-ready export in one read snapshot: `write` gets the count, the keys and the
   * leads, and the snapshot ends when `write` settles.
   */
  readHandoff<T>(selection: HandoffSelection, write: (read: HandoffRead) => Promise<T>): Promise<T>;
  /**
   * Records a hand-off once its file is complete, in one transaction: one handoffs row, every
   * lead marked handed-off with its id, then `publish`. A lead that changed meanwhile aborts it
   * all (ConflictError). Returns the batch id, or null when there was nothing to mark.
   */
  recordHandoff(record: HandoffRecord): Promise<number | null>;
  /** Clean-up rows (CLEANUP_COLUMNS), in id order; `window` bounds closed_at. */
  cleanupRows(window: CallWindow): Pages<unknown[]>;
  countCleanup(window: CallWindow): Promise<number>;
  /** Nurture rows (NURTURE_COLUMNS, nurtureSql), soonest back first; `window` bounds when they were nurtured. */
  nurtureRows(window: CallWindow): Pages<unknown[]>;
  countNurture(window: CallWindow): Promise<number>;
  /** Call log rows (CALL_COLUMNS), oldest first; `until` is exclusive. */
  callRows(window: CallWindow): Pages<unknown[]>;
  countCalls(window: CallWindow): Promise<number>;

  /** Report tallies (src/core/reports.ts shapes them). */
  funnelTallies(field: GroupField, period: Period): Promise<{ groups: FunnelTally[]; total: FunnelTally }>;
  lostTallies(field: GroupField, period: Period): Promise<{ leadsByGroup: Map<string | null, number>; lost: LostTally[] }>;
  repTallies(period: Period): Promise<RepTally[]>;
  zoneQuarterTallies(period: Period): Promise<ZoneQuarterTally[]>;

  /** The team's default country, which phones without a country code are read in. */
  defaultCountry(): Promise<string>;
  /** Lists the keys (ignoring ones listed already) and moves matching leads to do-not-call, in one transaction. */
  addDoNotCall(keys: readonly SuppressionKey[], reason: string | null, source: string, now: Date): Promise<DoNotCallAdded>;
  /** Takes keys off the list; returns how many were listed. */
  removeDoNotCall(keys: readonly SuppressionKey[]): Promise<number>;
  /** The list, oldest first, optionally one kind only. */
  listDoNotCall(kind: string | undefined): Pages<SuppressionRow>;
}

/** Clean-up export (for Marketing): its columns, in the order the queries select them. */
export const CLEANUP_COLUMNS = [
  'callq_id', 'external_id', 'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'phone_ext', 'alt_phone',
  'country', 'region', 'postal_code', 'source', 'campaign', 'list', 'status', 'reason', 'closed_at',
  'attempts', 'last_call_at', 'last_disposition',
] as const;
export const CLEANUP_PHONE_COLUMNS = ['phone', 'alt_phone'];

/** Nurture export (for Marketing): its columns, in the order nurtureSql selects them. */
export const NURTURE_COLUMNS = [
  'callq_id', 'external_id', 'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'phone_ext',
  'country', 'region', 'source', 'campaign', 'list', 'nurture_until', 'nurtured_at', 'nurtured_by', 'note',
  'attempts', 'contacts', 'last_call_at',
] as const;
export const NURTURE_PHONE_COLUMNS = ['phone'];

/** The id of lead `l`'s latest call that gave it `status` (the call that nurtured it, qualified it), as a subquery. */
function lastCallInto(status: 'nurture' | 'sales-ready'): string {
  return `(SELECT c.id FROM calls c WHERE c.lead_id = l.id AND c.status_after = '${status}' ORDER BY c.called_at DESC, c.id DESC LIMIT 1)`;
}

/**
 * Every lead in nurture (interested later) whose personal data is still there, soonest back
 * first: until when, and who put it there, when and with what note (the call that did), for
 * Marketing's nurture campaigns meanwhile. `within`: conditions on `n.called_at`, when they were
 * nurtured (windowSql). A lead still comes back to the queue on its date.
 */
export function nurtureSql(within: string): string {
  return `SELECT l.id AS callq_id, l.external_id, l.first_name, l.last_name, l.company, l.title, l.email, l.phone, l.phone_ext,
      l.country, l.region, l.source, l.campaign, l.list, l.nurture_until, n.called_at AS nurtured_at, n.rep AS nurtured_by, n.notes AS note,
      l.attempts, l.contacts, l.last_call_at
    FROM leads l LEFT JOIN calls n ON n.id = ${lastCallInto('nurture')}
    WHERE l.status = 'nurture' AND l.purged_at IS NULL${within}
    ORDER BY l.nurture_until, l.id`;
}

/** Call log export: its columns, in the order the queries select them. */
export const CALL_COLUMNS = [
  'call_id', 'called_at', 'rep', 'lead_id', 'first_name', 'last_name', 'company', 'phone', 'dialled',
  'disposition', 'contact', 'reason', 'notes', 'callback_at', 'nurture_until', 'duration_s',
  'status_before', 'status_after', 'forced', 'source', 'campaign', 'list',
] as const;

/**
 * The call log joined with each lead's name, company, phone and where it came from (source,
 * campaign, list: a spreadsheet pivots the calls by them), oldest first; `within`: conditions on
 * the calls (alias `c`, windowSql).
 */
export function callRowsSql(within: string): string {
  return `SELECT c.id, c.called_at, c.rep, c.lead_id, l.first_name, l.last_name, l.company, l.phone, c.phone,
            c.disposition, c.contact, c.reason, c.notes, c.callback_at, c.nurture_until, c.duration_s,
            c.status_before, c.status_after, c.forced, l.source, l.campaign, l.list
     FROM calls c JOIN leads l ON l.id = c.lead_id WHERE TRUE${within}
     ORDER BY c.called_at, c.id`;
}
export const CALL_PHONE_COLUMNS = ['phone', 'dialled'];

/** A hand-off lead as selected, its JSON columns still text. */
export interface StoredHandoffLead extends Omit<HandoffLead, 'alt_phones' | 'qualification' | 'custom'> {
  alt_phones: string | null;
  qualification: string | null;
  custom: string | null;
}

/** A stored JSON object as the export reads it: only non-empty values, as text; anything else is empty. */
export function parseObject(text: string | null): Record<string, string> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined && v !== '') out[k] = String(v);
  return out;
}

export function handoffLead(row: StoredHandoffLead): HandoffLead {
  return { ...row, alt_phones: parseAltPhones(row.alt_phones), qualification: parseObject(row.qualification), custom: parseObject(row.custom) };
}

/** Collects a batch's keys from its leads' stored qualification and custom columns, in order. */
export class BatchKeyCollector {
  private readonly qualification = new Set<string>();
  private readonly custom = new Set<string>();
  count = 0;
  add(qualification: string | null, custom: string | null): void {
    this.count++;
    if (qualification) for (const k of Object.keys(parseObject(qualification))) this.qualification.add(k);
    if (custom) for (const k of Object.keys(parseObject(custom))) this.custom.add(k);
  }
  keys(): BatchKeys {
    return { qualification: [...this.qualification], custom: [...this.custom] };
  }
}

/** The leads a hand-off selection reads (alias `l`); `param` is the store's placeholder for the batch id. */
export function handoffWhere(selection: HandoffSelection, param: string): { sql: string; params: unknown[] } {
  switch (selection.kind) {
    case 'pending':
      return { sql: "l.status = 'sales-ready'", params: [] };
    case 'all':
      return { sql: "l.status IN ('sales-ready','handed-off')", params: [] };
    case 'batch':
      return { sql: `l.handoff_id = ${param}`, params: [selection.id] };
  }
}

/**
 * The leads of a sales-ready export, in id order (the order `--batch` reproduces), filtered by
 * `where` (handoffWhere). When and by whom a lead was qualified come from the call that made it
 * sales-ready: a later do-not-call rewrites the lead's closed_at, and a batch exported again
 * must say what it said the first time. (closed_at for a lead imported as sales-ready.)
 */
export function handoffLeadsSql(where: string): string {
  return `SELECT l.id, l.external_id, l.first_name, l.last_name, l.company, l.title, l.email, l.phone, l.phone_ext, l.alt_phones,
            l.country, l.region, l.postal_code, l.timezone, l.source, l.campaign, l.list, l.score, l.owner,
            l.status, l.disqualify_reason, l.attempts, l.contacts, l.first_call_at, l.last_call_at,
            coalesce(q.called_at, l.closed_at) AS qualified_at, q.rep AS qualified_by,
            l.qualification, l.handoff_note, l.custom
     FROM leads l LEFT JOIN calls q ON q.id = ${lastCallInto('sales-ready')} WHERE ${where} ORDER BY l.id`;
}

/** Why a hand-off was not recorded: lead `id` changed (to `status`) while its file was written. */
export function handoffConflict(id: number, status: string, destination: string): ConflictError {
  return new ConflictError(
    `lead ${id} changed while the file was being written (it is now ${status}); nothing was handed off` +
      (destination === 'stdout' ? '. Discard that output and run the export again.' : ` and ${destination} was not written. Run the export again.`),
  );
}
