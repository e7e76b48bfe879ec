// The queue's SQL: which leads may be called now, in what order, and the atomic claim.
// Eligibility mirrors core/eligibility.ts (which explains it lead by lead for `callq why`):
// a callable status, no live claim by someone else, next_eligible_at passed (retry, min-gap,
// per-day limit, nurture date are all folded into it when an outcome is logged), fewer than
// max-attempts attempts without contact, and every candidate zone of the lead inside calling
// hours now. test/db/eligibility-property.test.ts checks on random leads, settings and instants
// that this queue serves exactly the leads `judgeLead` calls callable, and serves each at its
// `callableAt` and not a millisecond before.
//
// Plans that do not depend on statistics: every query on `leads` names its index with INDEXED BY.
// A database made by `callq import` has no sqlite_stat1 until `maintain` runs ANALYZE, and without
// it SQLite guesses that `status = 'new'` matches ten rows, so it would read every new lead through
// leads_status instead of a range of the partial index meant for the query. INDEXED BY is what
// SQLite provides for time-critical queries: the plan cannot change with statistics or with a new
// condition, and a query the index cannot serve fails to prepare (test/db/queue-plans.test.ts)
// rather than quietly scanning.
import { statement, type DB } from './open.js';
import type { LeadRow } from './leads.js';
import type { Settings } from '../core/settings.js';
import { isOpen, nextOpen, zonesOf } from '../core/calling-window.js';
import { compareQueued, freshCanWin, inboundCeiling, RECENT_INSTANTS, TopScores } from '../core/queue-order.js';
import { freshness, freshnessHorizon, total } from '../core/priority.js';
import { closesAt, computeWindows, hoursKey, openAt, windowsValid, type ZoneWindows } from '../core/zone-windows.js';
import { callbackDueFor, claimedByOtherUntil, delayMs } from '../core/eligibility.js';

export interface QueueFilters {
  list?: string;
  campaign?: string;
  source?: string;
  /** Leads not to serve (those skipped in a work session, the one `next --skip` gives back). */
  exclude?: number[];
}

import type { QueueReason } from '../core/queue-order.js';
export type { QueueReason };

export interface QueueEntry {
  lead: LeadRow;
  reason: QueueReason;
  /** Score at `now` (callbacks are ordered before any score). */
  total: number;
}

const MAIN_STATUSES = `status IN ('new','working','nurture')`;
/** Attempts left (maintain moves the others to exhausted; until it runs, they are not served). */
const UNDER_LIMIT = 'attempts_since_contact < @maxAttempts';

const folding = new WeakSet<DB>();

/**
 * The filters as SQL: list, campaign and source compared without regard to case in any script
 * ('ÉCLAIR' finds 'éclair'; SQLite's NOCASE folds A–Z only), by JavaScript's case mapping,
 * registered on the connection as callq_fold the first time a filter needs it.
 */
function filterSql(db: DB, filters: QueueFilters): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  for (const key of ['list', 'campaign', 'source'] as const) {
    const value = filters[key];
    if (value !== undefined) {
      if (!folding.has(db)) {
        db.function('callq_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
        folding.add(db);
      }
      parts.push(`AND callq_fold(${key}) = ?`);
      params.push(value.toLowerCase());
    }
  }
  // One parameter however many leads a work session has skipped: one statement to prepare and cache.
  if (filters.exclude?.length) {
    parts.push('AND id NOT IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filters.exclude));
  }
  return { sql: parts.join(' '), params };
}

/**
 * The time-zone groups of leads that are inside calling hours at `now`, from each group's stored
 * windows; stale windows (settings changed, week over, or a --now far away) are recomputed.
 */
export function openZoneGroups(db: DB, now: Date, settings: Settings): string[] {
  const rows = statement(db, 'SELECT timezone, windows FROM lead_zones').all() as ZoneRow[];
  const key = hoursKey(settings.hours);
  return rows.filter((row) => openAt(currentWindows(db, row, now, settings, key), now)).map((row) => row.timezone);
}

/** When one zone group's (a lead's `timezone` value) calling hours close, or null when they are closed at `now`. */
export function zoneGroupCloses(db: DB, timezone: string | null, now: Date, settings: Settings): Date | null {
  if (!timezone) return null;
  const row = statement(db, 'SELECT timezone, windows FROM lead_zones WHERE timezone = ?').get(timezone) as ZoneRow | undefined;
  return closesAt(currentWindows(db, row ?? { timezone, windows: null }, now, settings), now);
}

interface ZoneRow {
  timezone: string;
  windows: string | null;
}

/**
 * The windows stored for each zone group, parsed once per process: a work session or a
 * dialler claiming in a loop reads the same text on every claim, and parsing it was a third of
 * a claim's time. Keyed on the stored text, so a change by another process is seen at once.
 */
const parsedWindows = new Map<string, { text: string; windows: ZoneWindows }>();

function storedWindows(row: ZoneRow): ZoneWindows | null {
  if (!row.windows) return null;
  const cached = parsedWindows.get(row.timezone);
  if (cached?.text === row.windows) return cached.windows;
  const windows = JSON.parse(row.windows) as ZoneWindows;
  parsedWindows.set(row.timezone, { text: row.windows, windows });
  return windows;
}

function currentWindows(db: DB, row: ZoneRow, now: Date, settings: Settings, key = hoursKey(settings.hours)): ZoneWindows {
  const stored = storedWindows(row);
  if (windowsValid(stored, now, key)) return stored;
  const fresh = computeWindows(zonesOf(row.timezone), now, settings.hours);
  storeWindows(db, row.timezone, fresh);
  return fresh;
}

/**
 * Caches a group's windows. Inside a claim the write lock is already held; for a read (queue,
 * status, why) it is only a cache, so it is skipped rather than waited for when another process
 * holds the lock, or when the file is read-only.
 */
function storeWindows(db: DB, timezone: string, windows: ZoneWindows): void {
  if (db.readonly) return;
  const update = statement(db, 'UPDATE lead_zones SET windows = ? WHERE timezone = ?');
  if (db.inTransaction) {
    update.run(JSON.stringify(windows), timezone);
    return;
  }
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    update.run(JSON.stringify(windows), timezone);
  } catch (err) {
    if (!/^SQLITE_(BUSY|READONLY)/.test((err as { code?: string }).code ?? '')) throw err;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** The columns ordering needs; full rows are read only for the leads that make the cut. */
interface Candidate {
  id: number;
  status: string;
  queue_rank: number;
  inbound_at: string | null;
  callback_at: string | null;
  callback_rep: string | null;
  timezone: string | null;
  reason: QueueReason;
  total: number;
}
const LIGHT = 'id, status, queue_rank, inbound_at, callback_at, callback_rep, timezone';
const LIGHT_OF_L = LIGHT.split(', ').map((c) => `l.${c}`).join(', ');

/**
 * The best `limit` leads callable by `rep` at `now`, best first. Reads only index ranges:
 * due callbacks, the top of each open zone group by stored rank, and the newest inbound leads
 * for as long as their freshness could still beat what was found.
 */
export function queueCandidates(db: DB, now: Date, settings: Settings, rep: string, filters: QueueFilters, limit: number): QueueEntry[] {
  const nowIso = now.toISOString();
  const open = openZoneGroups(db, now, settings);
  if (open.length === 0) return [];
  const f = filterSql(db, filters);
  const w = settings.weights;
  const free = `(claim_expires_at IS NULL OR claim_expires_at <= @now OR claim_rep = @rep)`;
  const found = new Map<number, Candidate>();
  const add = (row: Omit<Candidate, 'reason' | 'total'>, reason: QueueReason) => {
    if (found.has(row.id)) return;
    // A fresh inbound lead may also be the top of its zone; say why it really ranks.
    const why = reason === 'score' && freshness(row, now, w) >= 1 ? 'fresh' : reason;
    found.set(row.id, { ...row, reason: why, total: total(row.queue_rank, row, now, w) });
  };

  // Due callbacks in open zones, oldest first: this rep's as soon as due, anyone's after the
  // grace period; `limit` of each at most, each through an index range of its own (reading one
  // range for both went through every due callback of the team, looking for this rep's).
  const graceIso = new Date(now.getTime() - delayMs(settings.callbackGrace)).toISOString();
  const callbacks = (index: string, whose: string) =>
    statement(
      db,
      `SELECT ${LIGHT} FROM leads INDEXED BY ${index} WHERE status = 'callback' AND callback_at <= @now AND ${whose} AND ${free}
       AND ${UNDER_LIMIT} AND timezone IN (SELECT value FROM json_each(@open)) ${f.sql}
       ORDER BY callback_at, id LIMIT @limit`,
    );
  const bound = { now: nowIso, rep, grace: graceIso, maxAttempts: settings.maxAttempts, open: JSON.stringify(open) };
  for (const row of callbacks('leads_callbacks_rep', 'callback_rep = @rep').all({ ...bound, limit }, ...f.params) as Candidate[]) add(row, 'callback-mine');
  const others = callbacks('leads_callbacks', 'callback_rep IS NOT @rep AND (callback_rep IS NULL OR callback_at <= @grace)');
  for (const row of others.all({ ...bound, limit }, ...f.params) as Candidate[]) add(row, 'callback');

  if (found.size < limit) {
    // The top of each open zone group by stored rank, in one statement: for each group a range of
    // leads_queue read from the top, and the rows it picks looked up by rowid (NOT INDEXED keeps
    // it so). SQLite cannot merge the groups' ranges in rank order, hence one range per group.
    const top = statement(
      db,
      `SELECT ${LIGHT_OF_L} FROM json_each(@open) AS z, leads AS l NOT INDEXED
       WHERE l.id IN (SELECT id FROM leads INDEXED BY leads_queue WHERE timezone = z.value AND ${MAIN_STATUSES}
         AND (next_eligible_at IS NULL OR next_eligible_at <= @now) AND ${free} AND ${UNDER_LIMIT} ${f.sql}
         ORDER BY queue_rank DESC LIMIT @limit)`,
    );
    for (const row of top.all({ ...bound, limit }, ...f.params) as Candidate[]) add(row, 'score');

    // Inbound leads, newest instant first, while their freshness could still lift them into the
    // top `limit`. At one instant all are equally fresh and the stored rank decides, so of the
    // RECENT_INSTANTS newest instants only the best `limit` of each are read (leads_inbound is
    // (inbound_at, queue_rank DESC)): a day's web leads imported at once are one instant, and
    // every claim read and scored each of them. Older instants are read in one range, as a
    // form's export with each lead's own time has one per lead (docs/design.md).
    const horizon = freshnessHorizon(w);
    if (horizon > 0) {
      const ceiling = inboundCeiling(settings);
      const scored = new TopScores(limit);
      for (const c of found.values()) if (c.reason === 'score') scored.add(c.total);
      const inbound = `status = 'new' AND inbound_at IS NOT NULL AND inbound_at >= @since`;
      // Leads of closed groups are left out by the queries: a day's web leads from zones still
      // closed stay fresh for hours, and each was read and skipped by every claim (docs/design.md).
      const eligible = `(next_eligible_at IS NULL OR next_eligible_at <= @now) AND ${free} AND ${UNDER_LIMIT}
         AND timezone IN (SELECT value FROM json_each(@open)) ${f.sql}`;
      const instant = (first: boolean) =>
        statement(db, `SELECT inbound_at FROM leads INDEXED BY leads_inbound WHERE ${inbound} AND inbound_at ${first ? '<= @now' : '< @before'} ORDER BY inbound_at DESC LIMIT 1`);
      const bestOf = statement(
        db,
        `SELECT ${LIGHT} FROM leads INDEXED BY leads_inbound WHERE status = 'new' AND inbound_at IS NOT NULL AND inbound_at = @at AND ${eligible}
         ORDER BY queue_rank DESC, id LIMIT @limit`,
      );
      const older = statement(db, `SELECT ${LIGHT} FROM leads INDEXED BY leads_inbound WHERE ${inbound} AND inbound_at < @before AND ${eligible} ORDER BY inbound_at DESC`);
      const args = { ...bound, since: new Date(now.getTime() - horizon).toISOString(), limit };
      const couldWin = (at: string) => freshCanWin(freshness({ status: 'new', inbound_at: at }, now, w), ceiling, scored);
      const take = (rows: Candidate[]) => {
        for (const row of rows) {
          add(row, 'fresh');
          scored.add(found.get(row.id)!.total);
        }
      };
      let before: string | null = null;
      let steps = 0;
      for (; steps < RECENT_INSTANTS; steps++) {
        const next = instant(before === null).get({ ...args, before }) as { inbound_at: string } | undefined;
        if (!next || !couldWin(next.inbound_at)) break;
        before = next.inbound_at;
        take(bestOf.all({ ...args, at: before }, ...f.params) as Candidate[]);
      }
      if (steps === RECENT_INSTANTS) {
        // The rest newest instant first: each instant's rows gathered, its best `limit` taken.
        let at: string | null = null;
        let rows: Candidate[] = [];
        const flush = () => take(rows.sort((x, y) => y.queue_rank - x.queue_rank || x.id - y.id).slice(0, limit));
        for (const row of older.iterate({ ...args, before }, ...f.params) as IterableIterator<Candidate>) {
          if (row.inbound_at !== at) {
            flush();
            rows = [];
            if (!couldWin(row.inbound_at!)) break;
            at = row.inbound_at;
          }
          rows.push(row);
        }
        flush();
      }
    }
  }

  const best = [...found.values()].sort(compareQueued).slice(0, limit);
  const byId = statement(db, 'SELECT * FROM leads WHERE id = ?');
  return best.map((c) => ({ lead: byId.get(c.id) as LeadRow, reason: c.reason, total: c.total }));
}

export interface Claim {
  lead: LeadRow;
  reason: QueueReason | 'held';
  total: number;
  token: string;
}

/** The live claim `rep` holds, if any. */
export function heldClaim(db: DB, rep: string, now: Date): LeadRow | undefined {
  return statement(db, 'SELECT * FROM leads INDEXED BY leads_claims WHERE claim_rep = ? AND claim_expires_at > ? ORDER BY claim_expires_at DESC LIMIT 1').get(
    rep,
    now.toISOString(),
  ) as LeadRow | undefined;
}

/**
 * Claims the best eligible lead for `rep` in one immediate transaction, so no two processes can
 * take the same lead. A rep holding a live claim gets that lead back (reason 'held').
 */
export function claimNextLead(db: DB, now: Date, settings: Settings, rep: string, filters: QueueFilters): Claim | null {
  return db
    .transaction((): Claim | null => {
      const held = heldClaim(db, rep, now);
      if (held) return { lead: held, reason: 'held', total: total(held.queue_rank, held, now, settings.weights), token: held.claim_token! };
      const [best] = queueCandidates(db, now, settings, rep, filters, 1);
      if (!best) return null;
      const expires = new Date(now.getTime() + delayMs(settings.lease)).toISOString();
      // The token: 8 random bytes in hex, from SQLite's generator (seeded by the OS), so a claim
      // does not load Node's crypto module (docs/design.md, "Start-up of the rep's commands").
      const setClaim = statement(
        db,
        'UPDATE leads SET claim_rep = ?, claim_token = lower(hex(randomblob(8))), claim_expires_at = ?, updated_at = ? WHERE id = ? RETURNING *',
      );
      const lead = setClaim.get(rep, expires, now.toISOString(), best.lead.id) as LeadRow;
      return { lead, reason: best.reason, total: best.total, token: lead.claim_token! };
    })
    .immediate();
}

/** Gives a claim back. Returns false when `rep` did not hold a live claim on the lead. */
export function releaseClaim(db: DB, leadId: number, rep: string, now: Date): boolean {
  const result = db
    .prepare(
      `UPDATE leads SET claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = ?
       WHERE id = ? AND claim_rep = ? AND claim_expires_at > ?`,
    )
    .run(now.toISOString(), leadId, rep, now.toISOString());
  return result.changes > 0;
}

/**
 * Extends `rep`'s claim by one lease from `now`, for a rep still looking at the card (callq work).
 * An unchanged token proves no one claimed or logged the lead since, so a claim that lapsed
 * unnoticed is safely extended too. False when the claim was taken, logged, released or expired away.
 */
export function renewClaim(db: DB, leadId: number, rep: string, token: string, now: Date, settings: Settings): boolean {
  const expires = new Date(now.getTime() + delayMs(settings.lease)).toISOString();
  const result = db
    .prepare('UPDATE leads SET claim_expires_at = ? WHERE id = ? AND claim_rep = ? AND claim_token = ?')
    .run(expires, leadId, rep, token);
  return result.changes > 0;
}

/**
 * How many leads are callable right now (for `callq status`). The leads of the open zone groups
 * in a queue status are counted in the queue index alone; when they are a small part of the table
 * their rows are read through it, else the table is read once in storage order: reading 300,000
 * rows one by one through the index took 1.1 s of a 1M-lead table where a scan of the whole
 * table takes ~0.5 s (docs/design.md, "Counting the queue by the cheaper road").
 */
export function queueSize(db: DB, now: Date, settings: Settings): number {
  const open = openZoneGroups(db, now, settings);
  if (open.length === 0) return 0;
  const nowIso = now.toISOString();
  const queued = queuedIn(db, open);
  const eligible = `(${MAIN_STATUSES} AND (next_eligible_at IS NULL OR next_eligible_at <= @now)
       OR status = 'callback' AND callback_at <= @now)
     AND (claim_expires_at IS NULL OR claim_expires_at <= @now) AND ${UNDER_LIMIT}`;
  if (cheaperToScan(db, queued)) {
    return statement(db, `SELECT count(*) FROM leads NOT INDEXED WHERE timezone IN (SELECT value FROM json_each(@zones)) AND ${eligible}`)
      .pluck()
      .get({ zones: JSON.stringify(open), now: nowIso, maxAttempts: settings.maxAttempts }) as number;
  }
  const count = statement(
    db,
    `SELECT count(*) FROM leads INDEXED BY leads_queue WHERE timezone = @zone AND ${MAIN_STATUSES}
     AND (next_eligible_at IS NULL OR next_eligible_at <= @now) AND (claim_expires_at IS NULL OR claim_expires_at <= @now) AND ${UNDER_LIMIT}`,
  ).pluck();
  const callbacks = statement(
    db,
    `SELECT count(*) FROM leads INDEXED BY leads_callbacks WHERE status = 'callback' AND timezone = @zone AND callback_at <= @now
     AND (claim_expires_at IS NULL OR claim_expires_at <= @now) AND ${UNDER_LIMIT}`,
  ).pluck();
  let n = 0;
  for (const zone of open) {
    const bound = { zone, now: nowIso, maxAttempts: settings.maxAttempts };
    n += (count.get(bound) as number) + (callbacks.get(bound) as number);
  }
  return n;
}

/**
 * Reading one row through an index costs about as much as reading ten in storage order (1M
 * leads: ~4 µs against ~0.5 µs a row): a count over `rows` leads reads the whole table instead
 * once they are a tenth of its rows or more.
 */
const SCAN_SHARE = 10;

function cheaperToScan(db: DB, rows: number): boolean {
  const tableRows = (statement(db, 'SELECT max(id) FROM leads').pluck().get() as number | null) ?? 0;
  return rows * SCAN_SHARE >= tableRows;
}

/** How many leads in a queue status the zone groups `zones` hold, from the queue index alone. */
function queuedIn(db: DB, zones: readonly string[]): number {
  const inRange = statement(db, `SELECT count(*) FROM leads INDEXED BY leads_queue WHERE timezone = ? AND ${MAIN_STATUSES}`).pluck();
  return zones.reduce((n, zone) => n + (inRange.get(zone) as number), 0);
}

export interface EmptyQueue {
  /** Leads in a callable status that match the filters. */
  callable: number;
  waiting_retry: number;
  outside_hours: number;
  claimed_by_others: number;
  callbacks_later: number;
  unknown_timezone: number;
  /** The first instant a lead becomes callable, if any will. */
  next_open: string | null;
}

/** Why nothing can be served now, and when something will be. Slower than a claim; only for an empty queue. */
export function explainEmptyQueue(db: DB, now: Date, settings: Settings, rep: string, filters: QueueFilters): EmptyQueue {
  const nowIso = now.toISOString();
  const f = filterSql(db, filters);
  const groups = db.prepare('SELECT timezone FROM lead_zones').pluck().all() as string[];
  const out: EmptyQueue = { callable: 0, waiting_retry: 0, outside_hours: 0, claimed_by_others: 0, callbacks_later: 0, unknown_timezone: 0, next_open: null };
  let best: number | null = null;
  const consider = (zones: readonly string[], from: number) => {
    const at = nextOpen(zones, new Date(Math.max(from, now.getTime())), settings.hours);
    if (at && (best === null || at.getTime() < best)) best = at.getTime();
  };
  // Each group's leads in a queue status: through the queue index group by group, or, when they
  // are a tenth of the table or more, in one read of the table (as queueSize counts them).
  const measures = `count(*) AS n,
            sum(next_eligible_at > @now) AS retry,
            sum(claim_expires_at > @now AND claim_rep != @rep) AS claimed,
            min(max(coalesce(next_eligible_at, ''), CASE WHEN claim_rep != @rep THEN coalesce(claim_expires_at, '') ELSE '' END)) AS earliest`;
  const bound = { now: nowIso, rep, maxAttempts: settings.maxAttempts };
  type Group = { zone: string; n: number; retry: number | null; claimed: number | null; earliest: string | null };
  let perGroup: Group[];
  if (cheaperToScan(db, queuedIn(db, groups))) {
    perGroup = db
      .prepare(`SELECT timezone AS zone, ${measures} FROM leads NOT INDEXED WHERE timezone IS NOT NULL AND ${MAIN_STATUSES} AND ${UNDER_LIMIT} ${f.sql} GROUP BY timezone`)
      .all(bound, ...f.params) as Group[];
  } else {
    const perZone = db.prepare(`SELECT @zone AS zone, ${measures} FROM leads INDEXED BY leads_queue WHERE timezone = @zone AND ${MAIN_STATUSES} AND ${UNDER_LIMIT} ${f.sql}`);
    perGroup = groups.map((zone) => perZone.get({ ...bound, zone }, ...f.params) as Group);
  }
  for (const { zone, ...r } of perGroup) {
    if (!r.n) continue;
    out.callable += r.n;
    out.waiting_retry += r.retry ?? 0;
    out.claimed_by_others += r.claimed ?? 0;
    const zones = zonesOf(zone);
    if (!isOpen(zones, now, settings.hours)) out.outside_hours += r.n;
    consider(zones, r.earliest ? Date.parse(r.earliest) || now.getTime() : now.getTime());
  }
  const callbacks = db
    .prepare(
      `SELECT timezone, callback_at, callback_rep, claim_rep, claim_expires_at FROM leads INDEXED BY leads_callbacks
       WHERE status = 'callback' AND ${UNDER_LIMIT} ${f.sql} ORDER BY callback_at LIMIT 1000`,
    )
    .all({ maxAttempts: settings.maxAttempts }, ...f.params) as Pick<LeadRow, 'timezone' | 'callback_at' | 'callback_rep' | 'claim_rep' | 'claim_expires_at'>[];
  for (const cb of callbacks) {
    out.callable++;
    if (!cb.timezone || !cb.callback_at) continue;
    // The same rules as `callq why` (core/eligibility.ts): due for this rep, and no colleague's claim.
    const due = callbackDueFor(cb, rep, settings);
    if (due > now.getTime()) out.callbacks_later++;
    else if (!isOpen(zonesOf(cb.timezone), now, settings.hours)) out.outside_hours++;
    consider(zonesOf(cb.timezone), Math.max(due, claimedByOtherUntil(cb, rep, now) ?? 0));
  }
  // Counted through the two partial indexes that hold callable leads, rather than all of leads_status.
  const unknown = (sql: string) => db.prepare(sql).pluck().get(...f.params) as number;
  out.unknown_timezone =
    unknown(`SELECT count(*) FROM leads INDEXED BY leads_queue WHERE timezone IS NULL AND ${MAIN_STATUSES} ${f.sql}`) +
    unknown(`SELECT count(*) FROM leads INDEXED BY leads_callbacks WHERE status = 'callback' AND timezone IS NULL ${f.sql}`);
  out.callable += out.unknown_timezone;
  out.next_open = best === null ? null : new Date(best).toISOString();
  return out;
}
