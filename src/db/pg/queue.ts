// The queue on PostgreSQL: the same eligibility and order as src/db/queue.ts (the rules are in
// src/core: eligibility, priority, zone windows, queue order), shaped for many processes on
// many machines (docs/design.md, "PostgreSQL store").
//
// A claim reads candidates without locking — due callbacks, the top few of each open zone group
// through leads_queue (one CROSS JOIN LATERAL, an index range per group, whatever the size of the
// table), the best few inbound leads of each recent arrival instant — orders them, then takes
// the first one that is still eligible in one UPDATE whose row is chosen with FOR UPDATE SKIP
// LOCKED. PostgreSQL re-evaluates the eligibility condition on the row's latest version when it
// locks it, so a lead another rep claimed or logged meanwhile is passed over, and a lead being
// claimed right now is skipped rather than waited for. Two reps therefore never get one lead, by
// construction.
// Nearly always all of that is one statement, ordering in SQL (oneTripSql); when it cannot
// decide alone, the candidates are ordered in JS and claimed in further round trips.
import { statementName } from './statement-names.js';
import type { ClientBase, QueryResult } from 'pg';
import type { LeadRow } from '../../core/lead.js';
import type { Settings } from '../../core/settings.js';
import { clockPoints, freshness, freshnessHorizon, freshnessTerms, total } from '../../core/priority.js';
import { closesAt, computeWindows, hoursKey, openAt, windowsValid, type ZoneWindows } from '../../core/zone-windows.js';
import { delayMs } from '../../core/eligibility.js';
import { compareQueued, freshCanWin, inboundCeiling, RECENT_INSTANTS, TopScores, type QueueReason } from '../../core/queue-order.js';
import { isOpen, nextOpen, zonesOf } from '../../core/calling-window.js';
import { callbackDueFor, claimedByOtherUntil } from '../../core/eligibility.js';
import type { EmptyQueue } from '../queue.js';

export interface QueueFilters {
  list?: string;
  campaign?: string;
  source?: string;
  /** Leads not to serve (those skipped in a work session, the one `next --skip` gives back). */
  exclude?: number[];
}

export interface QueueEntry {
  lead: LeadRow;
  reason: QueueReason;
  total: number;
}

export interface Claim {
  lead: LeadRow;
  reason: QueueReason | 'held';
  total: number;
  token: string;
}

/** How many leads of each open zone group a claim considers; four times more while they are all taken. */
const CLAIM_WIDTH = 8;
/** Advisory lock space of the per-rep claim lock (any constant; 'call' in ASCII). */
const REP_LOCK = 0x63616c6c;
/**
 * How many of the ranked candidates one pick considers, best first. The pick checks each on its
 * row, so passing all of them (a hundred and more with many zone groups open) cost more than the
 * read; the first few are nearly always free, and the rest are tried only when they were not.
 */
const PICK_CHUNK = 8;
/**
 * How many leads of each open zone group the one-statement claim reads, and how many of the best
 * it may pick from. Its pick is exact: the best N of the whole queue are among the best N of
 * each group. Taking the best 4 rather than 8 halved the statement's time on the server (18 open
 * groups: 72 leads read and scored instead of 144); when all four were taken meanwhile, which
 * 8 reps looping without pause met about once in 350 claims, the longer way claims.
 */
const ONE_TRIP_WIDTH = 4;
/**
 * How a claim's transaction starts, taking `rep`'s lock (one rep's two terminals cannot each take
 * a lead). Its commit does not wait for the disk (see claimNextLeadPg). Its statements are
 * planned once per connection with a generic plan (executeSql), and without bitmap scans: a
 * generic plan cannot see that an index range is short, and chose to read every inbound lead of
 * the freshness horizon and sort them (1 ms and growing with the inbound list) over reading the
 * newest few backwards through leads_inbound (0.1 ms). Every statement of the claim reads an index
 * range in the order it returns rows. One statement sets all that (SET LOCAL would be one each).
 */
function claimBegin(client: ClientBase, rep: string): string {
  return `BEGIN; SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
    set_config('enable_bitmapscan', 'off', true), pg_advisory_xact_lock(${REP_LOCK}, hashtext(${client.escapeLiteral(rep)}));`;
}
/** Query parameters by name, numbered in order of first use. */
class Params {
  readonly values: unknown[] = [];
  private readonly index = new Map<string, number>();
  p(name: string, value: unknown): string {
    let i = this.index.get(name);
    if (i === undefined) {
      this.values.push(value);
      this.index.set(name, (i = this.values.length));
    }
    return `$${i}`;
  }
}

interface Bound {
  now: string;
  rep: string;
  grace: string;
  maxAttempts: number;
  open: string[];
  filters: QueueFilters;
}

/**
 * The filters: list, campaign and source compared without regard to case in any script, as on
 * SQLite: the value folded by JavaScript, the column by callq_fold (migration 12), which the
 * lists' index is built on.
 */
function filterSql(q: Params, b: Bound, alias = ''): string {
  const parts: string[] = [];
  for (const key of ['list', 'campaign', 'source'] as const) {
    const value = b.filters[key];
    if (value !== undefined) parts.push(`AND callq_fold(${alias}${key}) = ${q.p(key, value.toLowerCase())}`);
  }
  if (b.filters.exclude?.length) parts.push(`AND NOT (${alias}id = ANY(${q.p('exclude', b.filters.exclude)}::bigint[]))`);
  return parts.join(' ');
}

const free = (q: Params, b: Bound, a = '') =>
  `(${a}claim_expires_at IS NULL OR ${a}claim_expires_at <= ${q.p('now', b.now)} OR ${a}claim_rep = ${q.p('rep', b.rep)})`;
const underLimit = (q: Params, b: Bound, a = '') => `${a}attempts_since_contact < ${q.p('max', b.maxAttempts)}`;
const MAIN_STATUSES = `status IN ('new','working','nurture')`;

/**
 * Every condition of eligibility on one row, as the claim re-checks it on the locked row: the
 * union of what the candidate queries ask (callback due for this rep or past the grace period,
 * or a main status past its next eligible time), in an open zone group, under the filters.
 */
function eligibleSql(q: Params, b: Bound, a = '', inOpen = `= ANY(${q.p('open', b.open)}::text[])`): string {
  return `${free(q, b, a)} AND ${underLimit(q, b, a)} AND ${a}timezone ${inOpen}
    AND ((${a}status = 'callback' AND ${a}callback_at <= ${q.p('now', b.now)}
          AND (${a}callback_rep = ${q.p('rep', b.rep)} OR ${a}callback_rep IS NULL OR ${a}callback_at <= ${q.p('grace', b.grace)}))
      OR (${a}${MAIN_STATUSES} AND (${a}next_eligible_at IS NULL OR ${a}next_eligible_at <= ${q.p('now', b.now)})))
    ${filterSql(q, b, a)}`;
}

interface ZoneRow {
  timezone: string;
  windows: string | null;
}

/**
 * The time-zone groups inside calling hours at `now`, from each group's stored windows; stale
 * ones are recomputed and stored (a cache: a concurrent writer's copy is as good as ours).
 */
export async function openZoneGroupsPg(client: ClientBase, now: Date, settings: Settings): Promise<string[]> {
  const { rows } = await client.query<ZoneRow>('SELECT timezone, windows FROM lead_zones');
  return openAmong(client, rows, now, settings, true);
}

/** The groups of `rows` open at `now` (currentWindowsPg). */
async function openAmong(client: ClientBase, rows: ZoneRow[], now: Date, settings: Settings, reading = false): Promise<string[]> {
  const windows = await currentWindowsPg(client, rows, now, settings, reading);
  return rows.filter((_, i) => openAt(windows[i], now)).map((row) => row.timezone);
}

/**
 * The windows of each of `rows` that answer for `now`: as stored, or recomputed and stored.
 * `reading`: the caller only reads (outside any transaction), so a server that refuses the write
 * (a role that may only read, a read-only server) leaves the cache as it was, as SQLite's reads
 * do on a read-only file.
 */
async function currentWindowsPg(client: ClientBase, rows: ZoneRow[], now: Date, settings: Settings, reading = false): Promise<ZoneWindows[]> {
  const key = hoursKey(settings.hours);
  const stale: [string, string][] = [];
  const windows = rows.map((row) => {
    const stored = row.windows ? (JSON.parse(row.windows) as ZoneWindows) : null;
    if (windowsValid(stored, now, key)) return stored;
    const w = computeWindows(zonesOf(row.timezone), now, settings.hours);
    stale.push([row.timezone, JSON.stringify(w)]);
    return w;
  });
  if (stale.length) {
    await client
      .query(`UPDATE lead_zones z SET windows = s.w FROM unnest($1::text[], $2::text[]) AS s(tz, w) WHERE z.timezone = s.tz`, [
        stale.map((s) => s[0]),
        stale.map((s) => s[1]),
      ])
      .catch((err: { code?: string }) => {
        // insufficient_privilege, read_only_sql_transaction
        if (!(reading && (err.code === '42501' || err.code === '25006'))) throw err;
      });
  }
  return windows;
}

interface Candidate {
  id: number;
  kind: 'cb-mine' | 'cb-other' | 'top' | 'inbound' | 'open';
  timezone: string | null;
  status: string;
  queue_rank: number;
  inbound_at: string | null;
  callback_at: string | null;
  callback_rep: string | null;
}
const LIGHT = 'id, timezone, status, queue_rank, inbound_at, callback_at, callback_rep';

interface Ranked {
  id: number;
  reason: QueueReason;
  total: number;
  callback_at: string | null;
}

/**
 * The zone groups open at `now`, as a query: from the stored windows when `key` is given (stale
 * windows count as closed: the caller recomputes them first, see staleZonesSql), else the
 * groups listed in `b.open`.
 */
function openSql(q: Params, b: Bound, key: string | null): string {
  if (key === null) return `SELECT unnest(${q.p('open', b.open)}::text[]) AS tz`;
  const now = q.p('now', b.now);
  return `SELECT timezone AS tz FROM zones WHERE valid
    AND EXISTS (SELECT 1 FROM jsonb_array_elements(w -> 'open') e
                WHERE (e ->> 0) COLLATE "C" <= ${now} AND ${now} < (e ->> 1) COLLATE "C")`;
}

/**
 * The CTE `zones`: every zone group with its stored windows, parsed once, and whether they can
 * answer for `now` under these settings (`valid`), decided once: the checks read them several
 * times, and parsing them on every read was a third of a claim's time on the server; deciding
 * validity again for the stale check took 8% of it. openSql reads it.
 */
function zonesCte(q: Params, b: Bound, key: string): string {
  return `zones AS MATERIALIZED (SELECT timezone, w, ${validWindowsSql(q, b, key, 'w')} AS valid
    FROM (SELECT timezone, windows::jsonb AS w FROM lead_zones OFFSET 0) AS z)`; // OFFSET 0: parsed once, not where w is used
}

/** Stored windows `w` that can answer for `now` under these settings (core/zone-windows.ts windowsValid). */
function validWindowsSql(q: Params, b: Bound, key: string, w = 'windows::jsonb'): string {
  const now = q.p('now', b.now);
  return `coalesce(${w} IS NOT NULL AND (${w} ->> 'key') = ${q.p('key', key)}
    AND (${w} ->> 'from') COLLATE "C" <= ${now} AND ${now} < (${w} ->> 'until') COLLATE "C", false)`;
}

function staleZonesSql(q: Params, b: Bound, key: string): string {
  return `SELECT timezone, windows FROM lead_zones WHERE NOT ${validWindowsSql(q, b, key)}`;
}

/**
 * One statement reading the candidates for `rep` at `now` without locks: `width` due callbacks
 * of this rep and of anyone, the top `width` of each open zone group (one index range each), the
 * best `width` inbound leads of each arrival instant of the freshness horizon (inboundSql), and
 * the open groups themselves.
 */
function candidatesSql(q: Params, b: Bound, width: number, since: string | null, key: string | null): string {
  const instants = since === null ? '' : `, ${instantsSql(q, b, since)}`;
  return `WITH RECURSIVE ${key === null ? '' : `${zonesCte(q, b, key)},`} open AS MATERIALIZED (${openSql(q, b, key)}) ${instants}
    ${candidateBranchesSql(q, b, width, since, true)}`;
}

/** The best `limit` callable leads of the zone group `z.tz` by stored rank, through leads_queue. */
function topOfZoneSql(q: Params, b: Bound, limit: string): string {
  return `SELECT ${LIGHT} FROM leads WHERE timezone = z.tz AND ${MAIN_STATUSES}
          AND (next_eligible_at IS NULL OR next_eligible_at <= ${q.p('now', b.now)}) AND ${free(q, b)} AND ${underLimit(q, b)} ${filterSql(q, b)}
          ORDER BY queue_rank DESC, id LIMIT ${limit}`;
}

/**
 * The CTEs `heads` and `top_zones`: the best callable lead of each open zone group, then the
 * `width` groups with the best of those, in the queue's order (stored rank, then id). The best
 * `width` leads of all open groups are all in those groups: a lead of any other group comes after
 * at least `width` groups' bests, each a callable lead. So the one-statement claim reads the top
 * of every open group one lead deep, and `width` deep only in the groups that can win: 400 pages
 * a claim instead of 510 with 25 groups open (1 pm in New York), 8 reps claiming at once.
 */
function topZonesSql(q: Params, b: Bound, width: number): string {
  const w = q.p('width', width);
  return `heads AS MATERIALIZED (SELECT z.tz, h.queue_rank, h.id FROM open z CROSS JOIN LATERAL (${topOfZoneSql(q, b, '1')}) AS h),
    top_zones AS MATERIALIZED (SELECT tz FROM heads ORDER BY queue_rank DESC, id LIMIT ${w})`;
}

/**
 * candidatesSql's branches, reading the open groups from a CTE named `open` and, when `since` is
 * given, the newest arrival instants from one named `instants` (instantsSql); `openRows` adds the
 * open groups as rows.
 */
function candidateBranchesSql(q: Params, b: Bound, width: number, since: string | null, openRows: boolean, topZones = 'open'): string {
  const lim = q.p('width', width);
  const f = filterSql(q, b);
  const inOpen = 'timezone = ANY(ARRAY(SELECT tz FROM open))';
  return `(SELECT 'cb-mine' AS kind, ${LIGHT} FROM leads WHERE status = 'callback' AND callback_at <= ${q.p('now', b.now)}
        AND callback_rep = ${q.p('rep', b.rep)} AND ${free(q, b)} AND ${underLimit(q, b)} AND ${inOpen} ${f}
        ORDER BY callback_at, id LIMIT ${lim})
     UNION ALL
     (SELECT 'cb-other', ${LIGHT} FROM leads WHERE status = 'callback' AND callback_at <= ${q.p('now', b.now)}
        AND callback_rep IS DISTINCT FROM ${q.p('rep', b.rep)} AND (callback_rep IS NULL OR callback_at <= ${q.p('grace', b.grace)})
        AND ${free(q, b)} AND ${underLimit(q, b)} AND ${inOpen} ${f}
        ORDER BY callback_at, id LIMIT ${lim})
     UNION ALL
     SELECT 'top', t.* FROM ${topZones} z CROSS JOIN LATERAL (${topOfZoneSql(q, b, lim)}) AS t
     ${openRows ? `UNION ALL
     SELECT 'open', NULL::bigint, tz, NULL, NULL::double precision, NULL, NULL, NULL FROM open` : ''}
     ${since === null ? '' : `UNION ALL ${inboundSql(q, b, since, width, inOpen)}`}`;
}

/**
 * Orders what candidatesSql read, best first, taking inbound leads while their freshness could
 * lift them among the best `width`. Sets `b.open` to the open groups. `complete` says that no
 * eligible lead was left out (every range ran out before `width`).
 */
function rankCandidates(rows: Candidate[], b: Bound, now: Date, settings: Settings, width: number): { ranked: Ranked[]; complete: boolean } {
  const w = settings.weights;
  const found = new Map<number, Ranked>();
  const add = (row: Pick<Candidate, 'id' | 'status' | 'queue_rank' | 'inbound_at' | 'callback_at'>, reason: QueueReason) => {
    if (found.has(row.id)) return;
    const why = reason === 'score' && freshness(row, now, w) >= 1 ? 'fresh' : reason;
    found.set(row.id, { id: row.id, reason: why, total: total(row.queue_rank, row, now, w), callback_at: row.callback_at });
  };
  const counts = new Map<string, number>();
  let inbound: Candidate[] = [];
  b.open = [];
  for (const row of rows) {
    if (row.kind === 'open') {
      b.open.push(row.timezone!);
      continue;
    }
    if (row.kind === 'inbound') {
      inbound.push(row);
      continue;
    }
    const group = row.kind === 'top' ? `top:${row.timezone}` : row.kind;
    counts.set(group, (counts.get(group) ?? 0) + 1);
    add(row, row.kind === 'cb-mine' ? 'callback-mine' : row.kind === 'cb-other' ? 'callback' : 'score');
  }
  const complete = [...counts.values()].every((n) => n < width);

  // Inbound leads, newest instant first, while their freshness could still lift them among the
  // best: the best `width` of each instant by stored rank, in that order (inboundSql).
  const horizon = freshnessHorizon(w);
  if (horizon > 0) {
    const ceiling = inboundCeiling(settings);
    const scored = new TopScores(width);
    for (const c of found.values()) if (c.reason === 'score') scored.add(c.total);
    const newestFirst = (x: Candidate, y: Candidate) =>
      (y.inbound_at! < x.inbound_at! ? -1 : y.inbound_at! > x.inbound_at! ? 1 : 0) || y.queue_rank - x.queue_rank || x.id - y.id;
    let instant: string | null = null;
    let points = 0;
    for (const row of inbound.sort(newestFirst)) {
      if (row.inbound_at !== instant) {
        instant = row.inbound_at;
        points = freshness(row, now, w);
        if (!freshCanWin(points, ceiling, scored)) break;
      }
      add(row, 'fresh');
      scored.add(found.get(row.id)!.total);
    }
  }
  return { ranked: [...found.values()].sort(compareQueued), complete };
}

/** Where the inbound search starts, or null when freshness can never win a point. */
function inboundSince(now: Date, settings: Settings): string | null {
  const horizon = freshnessHorizon(settings.weights);
  return horizon > 0 ? new Date(now.getTime() - horizon).toISOString() : null;
}

/**
 * The CTE `instants`: the RECENT_INSTANTS newest arrival instants of new inbound leads from
 * `since` up to `now`, newest first, each found by one step back through leads_inbound (a
 * recursive CTE: PostgreSQL has no skip scan). Its last row's instant is null when the instants
 * ran out first. Instants whose leads are all claimed, out of hours or filtered out are read too:
 * inboundSql leaves their leads out.
 */
function instantsSql(q: Params, b: Bound, since: string): string {
  const inRange = `status = 'new' AND inbound_at IS NOT NULL AND inbound_at >= ${q.p('since', since)}`;
  return `instants(at, n) AS (
      (SELECT inbound_at, 1 FROM leads WHERE ${inRange} AND inbound_at <= ${q.p('now', b.now)} ORDER BY inbound_at DESC LIMIT 1)
      UNION ALL
      SELECT (SELECT inbound_at FROM leads WHERE ${inRange} AND inbound_at < i.at ORDER BY inbound_at DESC LIMIT 1), i.n + 1
      FROM instants i WHERE i.at IS NOT NULL AND i.n < ${q.p('instants', RECENT_INSTANTS)})`;
}

/**
 * The inbound leads that may be fresh enough to win, from `since`: the best `width` by stored
 * rank of each arrival instant. Those of the instants the CTE `instants` read come through one
 * index range each; when it read RECENT_INSTANTS of them, older ones come from one range, each
 * instant's leads numbered by rank and its best `width` kept. Only
 * the open zone groups' leads (`inOpen`, a condition on `timezone`): a day's web leads from zones
 * still closed (Europe's evening, for a team calling America) stay fresh for hours, and reading
 * past them took every claim through page after page of them.
 */
function inboundSql(q: Params, b: Bound, since: string, width: number, inOpen: string): string {
  const eligible = `(next_eligible_at IS NULL OR next_eligible_at <= ${q.p('now', b.now)}) AND ${free(q, b)} AND ${underLimit(q, b)} AND ${inOpen} ${filterSql(q, b)}`;
  return `SELECT 'inbound' AS kind, t.* FROM instants i CROSS JOIN LATERAL (
      SELECT ${LIGHT} FROM leads WHERE status = 'new' AND inbound_at IS NOT NULL AND inbound_at = i.at AND ${eligible}
      ORDER BY queue_rank DESC, id LIMIT ${q.p('width', width)}) AS t
    UNION ALL
    SELECT 'inbound', ${LIGHT} FROM (
      SELECT ${LIGHT}, row_number() OVER (PARTITION BY inbound_at ORDER BY queue_rank DESC, id) AS nth FROM leads
      WHERE status = 'new' AND inbound_at IS NOT NULL AND inbound_at >= ${q.p('since', since)}
        AND inbound_at < (SELECT min(at) FROM instants) AND (SELECT count(at) FROM instants) >= ${q.p('instants', RECENT_INSTANTS)}
        AND ${eligible}) AS older
    WHERE nth <= ${q.p('width', width)}`;
}

function bind(now: Date, settings: Settings, rep: string, filters: QueueFilters, open: string[]): Bound {
  const grace = new Date(now.getTime() - delayMs(settings.callbackGrace)).toISOString();
  return { now: now.toISOString(), rep, grace, maxAttempts: settings.maxAttempts, open, filters };
}

function reasonFor(lead: LeadRow, rep: string, now: Date, settings: Settings): QueueReason {
  if (lead.status === 'callback') return lead.callback_rep === rep ? 'callback-mine' : 'callback';
  return freshness(lead, now, settings.weights) >= 1 ? 'fresh' : 'score';
}

/** The best `limit` leads callable by `rep` at `now`, best first (callq queue), without claiming. */
export async function queueCandidatesPg(client: ClientBase, now: Date, settings: Settings, rep: string, filters: QueueFilters, limit: number): Promise<QueueEntry[]> {
  const open = await openZoneGroupsPg(client, now, settings);
  if (open.length === 0) return [];
  const b = bind(now, settings, rep, filters, open);
  const q = new Params();
  const { rows: read } = await client.query<Candidate>(candidatesSql(q, b, limit, inboundSince(now, settings), null), q.values);
  const { ranked } = rankCandidates(read, b, now, settings, limit);
  const best = ranked.slice(0, limit);
  if (best.length === 0) return [];
  const { rows } = await client.query<LeadRow>('SELECT * FROM leads WHERE id = ANY($1::bigint[])', [best.map((c) => c.id)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return best.map((c) => ({ lead: byId.get(c.id)!, reason: c.reason, total: c.total }));
}

/**
 * The live claim `rep` holds, as a query: the lead rep_claims says the rep claimed last, if it
 * still carries the rep's live claim (a rep holds one at most: a claim takes the rep's lock and
 * claims nothing while the rep holds one). Not an index on leads.claim_rep: with one, every
 * claim wrote an entry into each of the leads' indexes (migration 9).
 */
function heldSql(q: Params, rep: string, now: string): string {
  return `SELECT l.* FROM rep_claims r JOIN leads l ON l.id = r.lead_id WHERE r.rep = ${q.p('rep', rep)} AND l.claim_rep = ${q.p('rep', rep)} AND l.claim_expires_at > ${q.p('now', now)}`;
}

/** The live claim `rep` holds, if any. */
export async function heldClaimPg(client: ClientBase, rep: string, now: Date): Promise<LeadRow | undefined> {
  const q = new Params();
  const { rows } = await client.query<LeadRow>(heldSql(q, rep, now.toISOString()), q.values);
  return rows[0];
}

/**
 * A claim's token: 16 hex digits of a random UUID, made by the server (as SQLite's randomblob
 * makes them), so a claim does not load Node's crypto module (docs/design.md, "Start-up of the
 * rep's commands").
 */
const CLAIM_TOKEN = `right(translate(gen_random_uuid()::text, '-', ''), 16)`;

/**
 * The CTEs that claim the lead the CTE `pick` chose for `b.rep`: `upd`, returning its row, and
 * the rep's entry in rep_claims (heldSql), written by the same statement.
 */
function claimUpdateSql(p: Params, b: Bound, expires: string): string {
  return `upd AS (UPDATE leads l SET claim_rep = ${p.p('rep', b.rep)}, claim_token = ${CLAIM_TOKEN},
       claim_expires_at = ${p.p('expires', expires)}, updated_at = ${p.p('now', b.now)}
     FROM pick WHERE l.id = pick.id RETURNING l.*),
    claimed AS (INSERT INTO rep_claims(rep, lead_id) SELECT ${p.p('rep', b.rep)}, id FROM upd
     ON CONFLICT (rep) DO UPDATE SET lead_id = excluded.lead_id)`;
}

/** Writes `values` into `sql` as literals, for statements sent with others in one round trip. */
function inline(client: ClientBase, sql: string, values: unknown[]): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
      return String(v);
    }
    if (Array.isArray(v)) return `ARRAY[${v.map(literal).join(',')}]`;
    return client.escapeLiteral(String(v));
  };
  return sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

const prepared = new WeakMap<ClientBase, Set<string>>();
// They run with a generic plan (plan_cache_mode, set for the claim's transaction only): every
// branch reads through its index whatever the values, and re-planning per claim is what it saves.

/** PREPARE statements to send ahead of the EXECUTEs that need them, in the same round trip. */
interface Preparing {
  statements: string[];
  names: string[];
}

/**
 * `EXECUTE` of `sql` prepared on this connection: the claim's statements are planned once per
 * connection rather than on every claim, while still going several to a round trip. Planning
 * them took as much of the server's time as running them. A statement not prepared yet is added
 * to `preparing`, whose PREPAREs go ahead of it in the same round trip (a new process would
 * otherwise spend a round trip on each); `sent` records them once that round trip succeeded.
 */
function executeSql(client: ClientBase, sql: string, values: unknown[], preparing: Preparing): string {
  const name = statementName('callq_', sql);
  if (!prepared.get(client)?.has(name) && !preparing.names.includes(name)) {
    preparing.statements.push(`PREPARE ${name} AS ${sql}`);
    preparing.names.push(name);
  }
  return values.length ? inline(client, `EXECUTE ${name}(${values.map((_, i) => `$${i + 1}`).join(', ')})`, values) : `EXECUTE ${name}`;
}

/** Sends `statements` with the PREPAREs they need first; returns the statements' own results. */
async function sent(client: ClientBase, preparing: Preparing, statements: string): Promise<QueryResult[]> {
  const ahead = preparing.statements.length;
  try {
    const results = (await client.query(ahead ? `${preparing.statements.join('; ')}; ${statements}` : statements)) as unknown as QueryResult | QueryResult[];
    let names = prepared.get(client);
    if (!names) prepared.set(client, (names = new Set()));
    for (const name of preparing.names) names.add(name);
    return (Array.isArray(results) ? results : [results]).slice(ahead);
  } catch (err) {
    // Some of the PREPAREs may have run before the error (they outlive a rolled-back
    // transaction): the claim deallocates them all once its transaction is rolled back.
    if (ahead) prepared.delete(client);
    throw err;
  } finally {
    preparing.statements = [];
    preparing.names = [];
  }
}

/**
 * Claims the first of `ids` still eligible and not being claimed right now, unless `rep` holds a
 * live claim already (another terminal of theirs took one since the claim began): one UPDATE
 * whose row is locked with FOR UPDATE SKIP LOCKED, re-checked by PostgreSQL on its latest version.
 */
function pickSql(p: Params, b: Bound, leadIds: number[], expires: string): string {
  const ids = p.p('ids', leadIds);
  return `WITH pick AS (
       SELECT id FROM leads WHERE id = ANY(${ids}::bigint[]) AND ${eligibleSql(p, b)}
         AND NOT EXISTS (${heldSql(p, b.rep, b.now)})
       ORDER BY array_position(${ids}::bigint[], id) LIMIT 1
       FOR UPDATE SKIP LOCKED),
     ${claimUpdateSql(p, b, expires)}
     SELECT * FROM upd`;
}

/**
 * The whole claim as one statement, for the common case: the candidates as candidatesSql reads
 * them, scored and ordered in SQL as rankCandidates and compareQueued order them (the score from
 * the stored rank, the clock's term and freshness, core/priority.ts), and the first of the best
 * ONE_TRIP_WIDTH still eligible claimed as pickSql claims it. It returns the rep's live claim
 * ('held'), or the lead it claimed ('picked'), or no row when it cannot decide alone: a zone
 * group's stored windows are stale, or the best ONE_TRIP_WIDTH were all taken meanwhile (or
 * nothing is callable). The caller then claims the longer way, which handles both.
 */
function oneTripSql(q: Params, b: Bound, key: string, since: string | null, now: Date, settings: Settings, expires: string): string {
  const w = settings.weights;
  const terms = freshnessTerms(w);
  const half = `${q.p('half', terms.halfLifeMs)}::float8`;
  const age = `greatest(0, ${q.p('now_ms', now.getTime())}::numeric - extract(epoch FROM inbound_at::timestamptz) * 1000)::float8`;
  // Only leads that came in during the last 700 half-lives are scored: 0.5^700 times any weight
  // vanishes beside a score's other terms (PostgreSQL would call the smaller results of power()
  // an underflow error where JS gives a denormal), and reading the text as a time is most of the
  // cost of scoring, while most leads' inbound_at (a CRM's creation date) is older.
  const scoredFrom = new Date(now.getTime() - 700 * terms.halfLifeMs).toISOString();
  const fresh = `CASE WHEN status = 'new' AND inbound_at >= ${q.p('scored_from', scoredFrom)}
    THEN ${q.p('fresh', terms.weight)}::float8 * power(0.5::float8, ${age} / ${half}) ELSE 0::float8 END`;
  const inOpen = '= ANY(ARRAY(SELECT tz FROM open))';
  return `WITH RECURSIVE ${zonesCte(q, b, key)}, open AS MATERIALIZED (${openSql(q, b, key)}),
    held AS MATERIALIZED (${heldSql(q, b.rep, b.now)}), ${since === null ? '' : `${instantsSql(q, b, since)},`}
    ${topZonesSql(q, b, ONE_TRIP_WIDTH)},
    cand AS MATERIALIZED (${candidateBranchesSql(q, b, ONE_TRIP_WIDTH, since, false, 'top_zones')}),
    scored AS MATERIALIZED (
      SELECT id, kind, timezone, callback_at, CASE kind WHEN 'cb-mine' THEN 0 WHEN 'cb-other' THEN 1 ELSE 2 END AS ord,
        f.fresh, queue_rank + ${q.p('clock', clockPoints(now, w))}::float8 + f.fresh AS total
      FROM cand CROSS JOIN LATERAL (SELECT ${fresh} AS fresh) f),
    best AS (
      SELECT id, row_number() OVER (ORDER BY ord, CASE WHEN ord < 2 THEN callback_at END COLLATE "C", CASE WHEN ord = 2 THEN total END DESC, id) AS pos
      FROM (SELECT DISTINCT ON (id) * FROM scored WHERE kind <> 'inbound' OR (fresh >= 1 AND timezone ${inOpen}) ORDER BY id) s
      ORDER BY pos LIMIT ${q.p('width', ONE_TRIP_WIDTH)}),
    pick AS (
      SELECT l.id FROM best JOIN leads l ON l.id = best.id
      WHERE ${eligibleSql(q, b, 'l.', inOpen)} AND NOT EXISTS (SELECT 1 FROM held)
        AND NOT EXISTS (SELECT 1 FROM zones WHERE NOT valid)
      ORDER BY best.pos LIMIT 1
      FOR UPDATE OF l SKIP LOCKED),
    ${claimUpdateSql(q, b, expires)}
    SELECT 'held' AS claim_kind, held.* FROM held UNION ALL SELECT 'picked', upd.* FROM upd`;
}

/**
 * Claims the best eligible lead for `rep`, in one short transaction of two round trips. Its
 * commit does not wait for the disk (synchronous_commit off for this transaction only): a claim
 * is a lease, and one lost in a server crash only returns its lead to the queue; outcomes keep
 * the server's durability. The round trips:
 * (1) lock the rep's name, so one rep's two terminals cannot each take a lead, and read a live
 * claim the rep already holds (returned with reason 'held'), the zone groups whose stored
 * windows are stale, and the candidates in the groups open now; (2) claim the first of the best
 * PICK_CHUNK candidates still eligible and not being claimed by someone else, and commit. When
 * all of those were taken meanwhile, the next PICK_CHUNK are tried, each in a transaction of its
 * own that takes the rep's lock again. Stale windows (once a week per group, or after the hours
 * changed) are recomputed and the candidates read again. When every candidate was taken
 * meanwhile, it looks wider. Null when nothing is callable.
 */
export async function claimNextLeadPg(client: ClientBase, now: Date, settings: Settings, rep: string, filters: QueueFilters): Promise<Claim | null> {
  const key = hoursKey(settings.hours);
  const since = inboundSince(now, settings);
  const expires = new Date(now.getTime() + delayMs(settings.lease)).toISOString();
  const quick = await claimInOneTrip(client, now, settings, rep, filters, key, since, expires);
  if (quick) return quick;
  for (let width = CLAIM_WIDTH; ; width *= 4) {
    const b = bind(now, settings, rep, filters, []);
    let inTransaction = false;
    try {
      const preparing: Preparing = { statements: [], names: [] };
      const hq = new Params();
      const heldNow = executeSql(client, heldSql(hq, rep, b.now), hq.values, preparing);
      const sq = new Params();
      const stale = executeSql(client, staleZonesSql(sq, b, key), sq.values, preparing);
      const cq = new Params();
      const candidatesNow = executeSql(client, candidatesSql(cq, b, width, since, key), cq.values, preparing);
      inTransaction = true;
      const results = await sent(
        client,
        preparing,
        `${claimBegin(client, rep)}
         ${heldNow}; ${stale}; ${candidatesNow}`,
      );
      const [heldRows, staleRows, candidateRows] = results.slice(-3);
      const held = heldRows.rows[0] as LeadRow | undefined;
      if (held) {
        await client.query('COMMIT');
        inTransaction = false;
        return { lead: held, reason: 'held', total: total(held.queue_rank, held, now, settings.weights), token: held.claim_token! };
      }
      let read = candidateRows.rows as Candidate[];
      if (staleRows.rows.length) {
        await openAmong(client, staleRows.rows as ZoneRow[], now, settings);
        const again = new Params();
        read = (await client.query<Candidate>(candidatesSql(again, b, width, since, key), again.values)).rows;
      }
      const { ranked, complete } = rankCandidates(read, b, now, settings, width);
      if (ranked.length === 0) {
        await client.query('COMMIT');
        inTransaction = false;
        return null;
      }
      // The best PICK_CHUNK first, in the transaction that holds the rep's lock; the next ones,
      // only when every one of those was taken meanwhile, each in a transaction of its own.
      for (let from = 0; from < ranked.length; from += PICK_CHUNK) {
        const p = new Params();
        const pickPreparing: Preparing = { statements: [], names: [] };
        const pick = executeSql(client, pickSql(p, b, ranked.slice(from, from + PICK_CHUNK).map((c) => c.id), expires), p.values, pickPreparing);
        const begin = inTransaction ? '' : claimBegin(client, rep);
        inTransaction = true;
        const picked = await sent(client, pickPreparing, `${begin} ${pick}; COMMIT`);
        inTransaction = false;
        const lead = picked[picked.length - 2].rows[0] as LeadRow | undefined;
        if (lead) return { lead, reason: reasonFor(lead, rep, now, settings), total: total(lead.queue_rank, lead, now, settings.weights), token: lead.claim_token! };
      }
      if (complete) return null;
    } catch (err) {
      if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
      if (!prepared.has(client)) await client.query('DEALLOCATE ALL').catch(() => undefined);
      throw err;
    }
  }
}

/**
 * The claim in one round trip (oneTripSql), in a transaction that holds the rep's lock and commits
 * without waiting for the disk, as the longer way's. Undefined when that statement could not decide.
 */
async function claimInOneTrip(
  client: ClientBase, now: Date, settings: Settings, rep: string, filters: QueueFilters,
  key: string, since: string | null, expires: string,
): Promise<Claim | undefined> {
  const preparing: Preparing = { statements: [], names: [] };
  const q = new Params();
  const claim = executeSql(client, oneTripSql(q, bind(now, settings, rep, filters, []), key, since, now, settings, expires), q.values, preparing);
  let results: QueryResult[];
  try {
    results = await sent(client, preparing, `${claimBegin(client, rep)} ${claim}; COMMIT`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (!prepared.has(client)) await client.query('DEALLOCATE ALL').catch(() => undefined);
    throw err;
  }
  const row = results[results.length - 2].rows[0] as (LeadRow & { claim_kind: 'held' | 'picked' }) | undefined;
  if (!row) return undefined;
  const { claim_kind: kind, ...lead } = row;
  const score = total(lead.queue_rank, lead, now, settings.weights);
  return { lead, reason: kind === 'held' ? 'held' : reasonFor(lead, rep, now, settings), total: score, token: lead.claim_token! };
}

/** Gives a claim back. False when `rep` did not hold a live claim on the lead. */
export async function releaseClaimPg(client: ClientBase, leadId: number, rep: string, now: Date): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE leads SET claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = $1
     WHERE id = $2 AND claim_rep = $3 AND claim_expires_at > $1`,
    [now.toISOString(), leadId, rep],
  );
  return (rowCount ?? 0) > 0;
}

/** Extends `rep`'s claim by one lease from `now` while its token is unchanged (callq work). */
export async function renewClaimPg(client: ClientBase, leadId: number, rep: string, token: string, now: Date, settings: Settings): Promise<boolean> {
  const expires = new Date(now.getTime() + delayMs(settings.lease)).toISOString();
  const { rowCount } = await client.query('UPDATE leads SET claim_expires_at = $1 WHERE id = $2 AND claim_rep = $3 AND claim_token = $4', [
    expires,
    leadId,
    rep,
    token,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * When one zone group's (a lead's `timezone` value) calling hours close, or null when they are
 * closed at `now` (its stored windows; stale ones are recomputed and stored).
 */
export async function zoneGroupClosesPg(client: ClientBase, timezone: string | null, now: Date, settings: Settings): Promise<Date | null> {
  if (!timezone) return null;
  const { rows } = await client.query<ZoneRow>('SELECT timezone, windows FROM lead_zones WHERE timezone = $1', [timezone]);
  const [windows] = await currentWindowsPg(client, rows.length ? rows : [{ timezone, windows: null }], now, settings, true);
  return closesAt(windows, now);
}

/** How many leads are callable right now (callq status): the open groups' eligible leads and due callbacks, no scoring. */
export async function queueSizePg(client: ClientBase, now: Date, settings: Settings): Promise<number> {
  const open = await openZoneGroupsPg(client, now, settings);
  if (open.length === 0) return 0;
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*) AS n FROM leads WHERE timezone = ANY($1::text[])
       AND ((${MAIN_STATUSES} AND (next_eligible_at IS NULL OR next_eligible_at <= $2)) OR (status = 'callback' AND callback_at <= $2))
       AND (claim_expires_at IS NULL OR claim_expires_at <= $2) AND attempts_since_contact < $3`,
    [open, now.toISOString(), settings.maxAttempts],
  );
  return rows[0].n;
}

/** Why nothing can be served now, and when something will be (as explainEmptyQueue on SQLite). */
export async function explainEmptyQueuePg(client: ClientBase, now: Date, settings: Settings, rep: string, filters: QueueFilters): Promise<EmptyQueue> {
  const b = bind(now, settings, rep, filters, []);
  const out: EmptyQueue = { callable: 0, waiting_retry: 0, outside_hours: 0, claimed_by_others: 0, callbacks_later: 0, unknown_timezone: 0, next_open: null };
  let best: number | null = null;
  const consider = (zones: readonly string[], from: number) => {
    const at = nextOpen(zones, new Date(Math.max(from, now.getTime())), settings.hours);
    if (at && (best === null || at.getTime() < best)) best = at.getTime();
  };
  const q = new Params();
  const now$ = q.p('now', b.now);
  const rep$ = q.p('rep', rep);
  const { rows: groups } = await client.query<{ timezone: string; n: number; retry: number; claimed: number; earliest: string | null }>(
    `SELECT timezone, count(*) AS n,
            count(*) FILTER (WHERE next_eligible_at > ${now$}) AS retry,
            count(*) FILTER (WHERE claim_expires_at > ${now$} AND claim_rep <> ${rep$}) AS claimed,
            min(greatest(coalesce(next_eligible_at, ''), CASE WHEN claim_rep <> ${rep$} THEN coalesce(claim_expires_at, '') ELSE '' END)) AS earliest
     FROM leads WHERE timezone IS NOT NULL AND ${MAIN_STATUSES} AND ${underLimit(q, b)} ${filterSql(q, b)}
     GROUP BY timezone`,
    q.values,
  );
  for (const r of groups) {
    out.callable += r.n;
    out.waiting_retry += r.retry;
    out.claimed_by_others += r.claimed;
    const zones = zonesOf(r.timezone);
    if (!isOpen(zones, now, settings.hours)) out.outside_hours += r.n;
    consider(zones, r.earliest ? Date.parse(r.earliest) || now.getTime() : now.getTime());
  }
  const cq = new Params();
  const { rows: callbacks } = await client.query<Pick<LeadRow, 'timezone' | 'callback_at' | 'callback_rep' | 'claim_rep' | 'claim_expires_at'>>(
    `SELECT timezone, callback_at, callback_rep, claim_rep, claim_expires_at FROM leads
     WHERE status = 'callback' AND ${underLimit(cq, b)} ${filterSql(cq, b)} ORDER BY callback_at, id LIMIT 1000`,
    cq.values,
  );
  for (const cb of callbacks) {
    out.callable++;
    if (!cb.timezone || !cb.callback_at) continue;
    // The same rules as `callq why` (core/eligibility.ts): due for this rep, and no colleague's claim.
    const due = callbackDueFor(cb, rep, settings);
    if (due > now.getTime()) out.callbacks_later++;
    else if (!isOpen(zonesOf(cb.timezone), now, settings.hours)) out.outside_hours++;
    consider(zonesOf(cb.timezone), Math.max(due, claimedByOtherUntil(cb, rep, now) ?? 0));
  }
  const uq = new Params();
  const { rows: unknown } = await client.query<{ n: number }>(
    `SELECT count(*) AS n FROM leads WHERE timezone IS NULL AND (${MAIN_STATUSES} OR status = 'callback') ${filterSql(uq, b)}`,
    uq.values,
  );
  out.unknown_timezone = unknown[0].n;
  out.callable += out.unknown_timezone;
  out.next_open = best === null ? null : new Date(best).toISOString();
  return out;
}
