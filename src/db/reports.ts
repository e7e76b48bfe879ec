// The aggregate queries behind `callq report`: one scan of leads or calls per report.
//
// Why aggregate functions rather than GROUP BY: SQLite groups by sorting every row unless an index
// already delivers the group order, and none does for a lead's source/campaign/list, a call's rep
// or a lead's zone. On 1,000,000 leads or 3,000,000 calls that sort costs several times the scan.
// So the SQL picks the rows and computes the values, and small aggregates registered on the
// connection tally them per group in a hash map (one cheap call per row). Each returns JSON.
import type { DB } from './open.js';
import { DEFAULT_DISPOSITIONS } from '../core/dispositions.js';
import {
  addCounts,
  GROUP_FIELDS,
  median,
  type FunnelTally,
  type GroupField,
  type LostTally,
  type Median,
  type RepTally,
  type ZoneQuarterTally,
} from '../core/reports.js';
import type { Period } from '../core/period.js';
import { zonesOf } from '../core/calling-window.js';

type Key = string | number | null;

/** Registers an aggregate whose step takes the accumulator and the row's arguments (better-sqlite3's
 * types only describe one argument). `start` runs once per query, so each query gets fresh state. */
function defineAggregate<A>(db: DB, name: string, start: () => A, step: (acc: A, ...args: never[]) => void, result: (acc: A) => unknown): void {
  db.aggregate(name, {
    varargs: true,
    start,
    step: step as unknown as (acc: A, next: unknown) => void,
    result: result as (acc: A) => A,
  });
}

function registerAggregates(db: DB): void {
  // group_sums(key, v1, ..., vn) → [[key, [rows, Σv1, ..., Σvn]], ...]
  defineAggregate(
    db,
    'group_sums',
    () => new Map<Key, number[]>(),
    (acc, key: Key, ...values: number[]) => {
      let sums = acc.get(key);
      if (!sums) acc.set(key, (sums = new Array<number>(values.length + 1).fill(0)));
      sums[0]++;
      for (let i = 0; i < values.length; i++) sums[i + 1] += values[i];
    },
    (acc) => JSON.stringify([...acc]),
  );
  // group_medians(key, value) → { groups: [[key, median, n], ...], all: [median, n] }
  defineAggregate(
    db,
    'group_medians',
    () => new Map<Key, number[]>(),
    (acc, key: Key, value: number) => {
      const values = acc.get(key);
      if (values) values.push(value);
      else acc.set(key, [value]);
    },
    (acc) => {
      const all = new Float64Array([...acc.values()].reduce((n, v) => n + v.length, 0));
      let at = 0;
      for (const values of acc.values()) all.set(values, (at += values.length) - values.length);
      const groups = [...acc].map(([key, values]) => [key, median(values), values.length]);
      return JSON.stringify({ groups, all: [median(all), all.length] });
    },
  );
}

/** `column >= since AND column < until`, for whichever ends are set (an open end adds no condition,
 * so an all-time report scans the table instead of walking a time index). */
function periodFilter(column: string, period: Period): { sql: string; params: string[] } {
  const sql: string[] = [];
  const params: string[] = [];
  if (period.since) sql.push(`${column} >= ?`), params.push(period.since.toISOString());
  if (period.until) sql.push(`${column} < ?`), params.push(period.until.toISOString());
  return { sql: sql.length ? sql.join(' AND ') : '1', params };
}

/** The grouping column, with '' read as no value. Only the three lead fields are ever interpolated. */
function groupColumn(field: GroupField): string {
  if (!GROUP_FIELDS.includes(field)) throw new RangeError(`not a report grouping: ${field}`);
  return `NULLIF(${field}, '')`;
}

const SALES_READY = `status IN ('sales-ready','handed-off')`;

/** Funnel counts per group of leads created in the period, and for all of them together. */
export function funnelTallies(db: DB, field: GroupField, period: Period): { groups: FunnelTally[]; total: FunnelTally } {
  registerAggregates(db);
  const g = groupColumn(field);
  const where = periodFilter('created_at', period);
  const row = db
    .prepare(
      `SELECT group_sums(${g}, attempts > 0, contacts > 0, ${SALES_READY},
                status = 'disqualified', status = 'exhausted', status = 'do-not-call') AS sums,
              group_medians(${g}, attempts) FILTER (WHERE ${SALES_READY}) AS attempts,
              group_medians(${g}, unixepoch(first_call_at) - unixepoch(created_at)) FILTER (WHERE first_call_at IS NOT NULL) AS first_call
         FROM leads WHERE ${where.sql}`,
    )
    .get(...where.params) as { sums: string; attempts: string; first_call: string };
  const sums = JSON.parse(row.sums) as [Key, number[]][];
  const attempts = medians(row.attempts);
  const firstCall = medians(row.first_call);
  const tally = (group: string | null, s: number[], a: Median, f: Median): FunnelTally => ({
    group,
    leads: s[0],
    attempted: s[1],
    contacted: s[2],
    sales_ready: s[3],
    disqualified: s[4],
    exhausted: s[5],
    do_not_call: s[6],
    attempts_to_qualify: a,
    seconds_to_first_call: f,
  });
  const none: Median = { value: null, n: 0 };
  const groups = sums.map(([key, s]) => tally(key as string | null, s, attempts.groups.get(key) ?? none, firstCall.groups.get(key) ?? none));
  const total = sums.reduce((acc, [, s]) => acc.map((v, i) => v + s[i]), [0, 0, 0, 0, 0, 0, 0]);
  return { groups, total: tally(null, total, attempts.all, firstCall.all) };
}

function medians(json: string): { groups: Map<Key, Median>; all: Median } {
  const parsed = JSON.parse(json) as { groups: [Key, number | null, number][]; all: [number | null, number] };
  return {
    groups: new Map(parsed.groups.map(([key, value, n]) => [key, { value, n }])),
    all: { value: parsed.all[0], n: parsed.all[1] },
  };
}

/** Leads per group, and the lost ones (disqualified, do-not-call, exhausted) by status and reason. */
export function lostTallies(db: DB, field: GroupField, period: Period): { leadsByGroup: Map<string | null, number>; lost: LostTally[] } {
  registerAggregates(db);
  const g = groupColumn(field);
  const where = periodFilter('created_at', period);
  const row = db
    .prepare(
      `SELECT group_sums(${g}) AS leads,
              group_sums(json_array(${g}, status, disqualify_reason)) FILTER (WHERE status IN ('disqualified','do-not-call','exhausted')) AS lost
         FROM leads WHERE ${where.sql}`,
    )
    .get(...where.params) as { leads: string; lost: string };
  const leadsByGroup = new Map((JSON.parse(row.leads) as [string | null, number[]][]).map(([key, [n]]) => [key, n]));
  const lost = (JSON.parse(row.lost) as [string, number[]][]).map(([key, [n]]) => {
    const [group, status, reason] = JSON.parse(key) as [string | null, LostTally['status'], string | null];
    return { group, status, reason: reason === '' ? null : reason, leads: n };
  });
  return { leadsByGroup, lost };
}

/** Per rep: dials, contacts, calls that made a lead sales-ready, talk time, and active clock hours
 * (distinct UTC hours with a call: the same count as local hours in any whole-hour zone). */
export function repTallies(db: DB, period: Period): RepTally[] {
  const where = periodFilter('called_at', period);
  const reps = new Map<string, { tally: RepTally; hours: Set<number>; known: number[]; other: Map<string, number> }>();
  defineAggregate(
    db,
    'report_rep_activity',
    () => null,
    (_, rep: string, contact: number, salesReady: number, durationS: number, hour: number, disposition: number | string) => {
      let r = reps.get(rep);
      if (!r) {
        const tally = { rep, dials: 0, contacts: 0, sales_ready: 0, talk_time_s: 0, active_hours: 0, dispositions: {} };
        reps.set(rep, (r = { tally, hours: new Set(), known: KNOWN_DISPOSITIONS.map(() => 0), other: new Map() }));
      }
      r.tally.dials++;
      if (typeof disposition === 'number') r.known[disposition]++;
      else r.other.set(disposition, (r.other.get(disposition) ?? 0) + 1);
      r.tally.contacts += contact;
      r.tally.sales_ready += salesReady;
      r.tally.talk_time_s += durationS;
      r.hours.add(hour);
    },
    () => reps.size,
  );
  db.prepare(
    `SELECT report_rep_activity(rep, contact, status_after IS 'sales-ready', coalesce(duration_s, 0), unixepoch(called_at) / 3600, ${KNOWN_CASE})
       FROM calls WHERE ${where.sql}`,
  ).get(...where.params);
  return [...reps.values()].map(({ tally, hours, known, other }) => {
    const counts: Record<string, number> = Object.fromEntries(other);
    known.forEach((n, i) => n && (counts[KNOWN_DISPOSITIONS[i]] = n));
    return { ...tally, active_hours: hours.size, dispositions: addCounts([counts]) };
  });
}

/**
 * The dispositions callq knows, numbered in SQL (KNOWN_CASE) so that three million calls pass
 * a number each to the tally rather than a string (a tenth of the report's time); a team's own
 * disposition still passes its name.
 */
const KNOWN_DISPOSITIONS = DEFAULT_DISPOSITIONS.map((d) => d.name);
const KNOWN_CASE = `CASE disposition ${KNOWN_DISPOSITIONS.map((name, i) => `WHEN '${name}' THEN ${i}`).join(' ')} ELSE disposition END`;

const ZONE_SLOTS = 65_536;

/**
 * Calls and contacts per (lead's first zone, UTC quarter-hour). Joining 3,000,000 calls to their
 * leads row by row is the slow part of this report, so it is done in two scans: leads → a typed
 * array from lead id to a zone number, then calls → tallies keyed by zone number and quarter-hour.
 */
export function zoneQuarterTallies(db: DB, period: Period): ZoneQuarterTally[] {
  const where = periodFilter('called_at', period);
  return db.transaction(() => {
    const maxId = (db.prepare('SELECT max(id) FROM leads').pluck().get() as number | null) ?? 0;
    const zoneOfLead = new Uint16Array(maxId + 1); // 0: no known zone
    const zones: (string | null)[] = [null];
    const zoneNumbers = new Map<string, number>();
    defineAggregate(
      db,
      'report_lead_zones',
      () => null,
      (_, id: number, timezone: string) => {
        let z = zoneNumbers.get(timezone);
        if (z === undefined) {
          const first = zonesOf(timezone)[0].trim();
          z = zones.indexOf(first);
          if (z < 0) z = zones.length < ZONE_SLOTS ? zones.push(first) - 1 : 0;
          zoneNumbers.set(timezone, z);
        }
        zoneOfLead[id] = z;
      },
      () => zones.length,
    );
    db.prepare("SELECT report_lead_zones(id, timezone) FROM leads WHERE attempts > 0 AND timezone IS NOT NULL AND timezone <> ''").get();

    const tallies = new Map<number, number[]>();
    defineAggregate(
      db,
      'report_zone_quarters',
      () => null,
      (_, leadId: number, quarter: number, contact: number) => {
        const key = quarter * ZONE_SLOTS + (zoneOfLead[leadId] ?? 0);
        const t = tallies.get(key);
        if (t) (t[0]++, (t[1] += contact));
        else tallies.set(key, [1, contact]);
      },
      () => tallies.size,
    );
    db.prepare(`SELECT report_zone_quarters(lead_id, unixepoch(called_at) / 900, contact) FROM calls WHERE ${where.sql}`).get(...where.params);
    return [...tallies].map(([key, [dials, contacts]]) => ({
      zone: zones[key % ZONE_SLOTS],
      quarter: Math.floor(key / ZONE_SLOTS),
      dials,
      contacts,
    }));
  })();
}
