// The store operations for settings, leads, the queue, claims, outcomes, status (src/db/store.ts).
// Each operation is one transaction (a claim, an outcome, a setting with the ranks it changes);
// a write another process holds up is retried until the busy timeout, then fails as busy (exit 75).
import type { LeadRow } from '../../core/lead.js';
import type { OutcomePlan } from '../../core/outcome.js';
import type { Settings } from '../../core/settings.js';
import type { Claim, EmptyQueue, QueueEntry, QueueFilters } from '../queue.js';
import type { CallRow } from '../calls.js';
import type { ActiveClaim } from '../leads.js';
import type { Recorded, RecordOptions } from '../outcomes.js';
import type { SuppressionRow } from '../suppressions.js';
import type { leadSuppressionKeys } from '../../core/suppression.js';

export type { ActiveClaim, CallRow, Claim, EmptyQueue, QueueEntry, QueueFilters, Recorded, RecordOptions, SuppressionRow };

/** What a lead is reached by, for the do-not-call check (`callq why`). */
export type SuppressionSubject = Parameters<typeof leadSuppressionKeys>[0];

export interface RepStore {
  /** The schema version of the database. */
  schemaVersion(): Promise<number>;

  /** The team's settings over the defaults. */
  loadSettings(): Promise<Settings>;
  /** Only the settings the team set (key → value as stored). */
  storedSettings(): Promise<Map<string, string>>;
  /**
   * Stores one (validated) setting. In the same transaction, timezone.default is given to the
   * leads whose zone is unknown (and to those that had the earlier default); after it, when the
   * setting weighs in the queue order, every queued lead's rank is recomputed in slices of their
   * own (the order is mixed meanwhile). Returns how many leads took the default zone (0 for any
   * other key).
   */
  storeSetting(key: string, value: string, rep: string, now: Date): Promise<number>;
  /**
   * Removes a setting (back to its default), followed up as for storeSetting. Null when it was
   * not set, else how many leads lost the default zone (timezone.default; 0 for any other key).
   */
  removeSetting(key: string, now: Date): Promise<number | null>;

  /** The live claim `rep` holds, if any. */
  heldClaim(rep: string, now: Date): Promise<LeadRow | undefined>;
  /** Claims the best eligible lead for `rep` (or returns the one held, reason 'held'); null when nothing is callable. */
  claimNext(now: Date, settings: Settings, rep: string, filters: QueueFilters): Promise<Claim | null>;
  /** Gives a claim back; false when `rep` held no live claim on the lead. */
  release(leadId: number, rep: string, now: Date): Promise<boolean>;
  /** Extends `rep`'s claim by one lease while its token is unchanged (callq work); false when lost. */
  renew(leadId: number, rep: string, token: string, now: Date, settings: Settings): Promise<boolean>;
  /** Why nothing can be served now, and when something will be. */
  explainEmptyQueue(now: Date, settings: Settings, rep: string, filters: QueueFilters): Promise<EmptyQueue>;
  /** When one zone group's (a lead's `timezone` value) calling hours close, or null when they are closed at `now`. */
  zoneGroupCloses(timezone: string | null, now: Date, settings: Settings): Promise<Date | null>;
  /** The best `limit` leads callable by `rep` at `now`, best first, without claiming (callq queue). */
  queueCandidates(now: Date, settings: Settings, rep: string, filters: QueueFilters, limit: number): Promise<QueueEntry[]>;
  /** How many leads are callable right now (callq status). */
  queueSize(now: Date, settings: Settings): Promise<number>;

  getLead(id: number): Promise<LeadRow | undefined>;
  /** A lead's calls, newest first. */
  callsForLead(leadId: number, limit?: number): Promise<CallRow[]>;
  /**
   * The other leads whose own number is this lead's bare number (colleagues at a company's main
   * number, docs/importing.md "Duplicates"), lowest ids first, at most `limit`; none for a lead
   * at an extension.
   */
  sharingNumber(lead: Pick<LeadRow, 'id' | 'phone' | 'phone_ext'>, limit: number): Promise<NumberSharer[]>;
  /** Leads per status (statuses without leads are absent). */
  countByStatus(): Promise<Record<string, number>>;
  /** Claims not yet expired at `now`, by rep. */
  activeClaims(now: Date): Promise<ActiveClaim[]>;
  /** The first do-not-call entry matching the lead's phone(s), e-mail or e-mail domain. */
  suppressionFor(lead: SuppressionSubject): Promise<SuppressionRow | undefined>;

  /**
   * Records an outcome: the claim checked, then the call row, the lead update and any
   * suppressions together or nothing. `plan` is made from the lead as stored when written.
   * `known` is the lead as the caller just read it: PostgreSQL tries the write from it without
   * reading it again (a stale copy costs a read, never a wrong outcome).
   */
  recordOutcome(o: RecordOptions, settings: Settings, plan: (lead: LeadRow) => OutcomePlan, known?: LeadRow): Promise<Recorded>;
}

/** A lead sharing another's number, as its card names it. */
export interface NumberSharer {
  id: number;
  first_name: string | null;
  last_name: string | null;
}
