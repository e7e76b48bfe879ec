// The aggregate queries behind `callq report` on PostgreSQL: the same tallies as src/db/reports.ts.
// PostgreSQL groups by hashing, so plain GROUP BY does here what SQLite's registered aggregates
// do there. Groups come in order of first appearance (min(id)), as SQLite's scans meet them;
// instants are ISO text, read as whole Unix seconds like SQLite's unixepoch().
import type { ClientBase } from 'pg';
import { addCounts, GROUP_FIELDS, type FunnelCounts, type FunnelTally, type GroupField, type LostTally, type RepTally, type ZoneQuarterTally } from '../../core/reports.js';
import type { Period } from '../../core/period.js';
import { zonesOf } from '../../core/calling-window.js';
import { inSnapshot } from './exports.js';

/** Whole seconds since 1970 of an ISO instant stored as text (SQLite's unixepoch()). */
const epoch = (column: string) => `floor(extract(epoch FROM ${column}::timestamptz))`;

function periodFilter(column: string, period: Period): { sql: string; params: string[] } {
  const sql: string[] = [];
  const params: string[] = [];
  if (period.since) params.push(period.since.toISOString()), sql.push(`${column} >= $${params.length}`);
  if (period.until) params.push(period.until.toISOString()), sql.push(`${column} < $${params.length}`);
  return { sql: sql.length ? sql.join(' AND ') : 'true', params };
}

/** The grouping column, with '' read as no value. Only the three lead fields are ever interpolated. */
function groupColumn(field: GroupField): string {
  if (!GROUP_FIELDS.includes(field)) throw new RangeError(`not a report grouping: ${field}`);
  return `NULLIF(${field}, '')`;
}

const SALES_READY = `status IN ('sales-ready','handed-off')`;

/** A funnel row as the query gives it: the counts, then the medians' parts. */
interface FunnelRow extends Omit<FunnelCounts, 'group'> {
  g: string | null;
  is_total: number;
  attempts_median: number | null;
  attempts_n: number;
  first_call_median: number | null;
  first_call_n: number;
}

export async function funnelTalliesPg(client: ClientBase, field: GroupField, period: Period): Promise<{ groups: FunnelTally[]; total: FunnelTally }> {
  const where = periodFilter('created_at', period);
  const { rows } = await client.query<FunnelRow>(
    `SELECT g, grouping(g) AS is_total, count(*) AS leads,
            count(*) FILTER (WHERE attempts > 0) AS attempted,
            count(*) FILTER (WHERE contacts > 0) AS contacted,
            count(*) FILTER (WHERE sales_ready) AS sales_ready,
            count(*) FILTER (WHERE status = 'disqualified') AS disqualified,
            count(*) FILTER (WHERE status = 'exhausted') AS exhausted,
            count(*) FILTER (WHERE status = 'do-not-call') AS do_not_call,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY attempts) FILTER (WHERE sales_ready) AS attempts_median,
            count(*) FILTER (WHERE sales_ready) AS attempts_n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY first_call_s) FILTER (WHERE first_call_s IS NOT NULL) AS first_call_median,
            count(first_call_s) AS first_call_n
       FROM (SELECT id, ${groupColumn(field)} AS g, attempts, contacts, status, ${SALES_READY} AS sales_ready,
                    CASE WHEN first_call_at IS NOT NULL THEN (${epoch('first_call_at')} - ${epoch('created_at')})::float8 END AS first_call_s
               FROM leads WHERE ${where.sql}) l
      GROUP BY GROUPING SETS ((g), ())
      ORDER BY grouping(g), min(id)`,
    where.params,
  );
  const tally = ({ g, is_total, attempts_median, attempts_n, first_call_median, first_call_n, ...counts }: FunnelRow): FunnelTally => ({
    group: is_total ? null : g,
    ...counts,
    attempts_to_qualify: { value: attempts_median, n: attempts_n },
    seconds_to_first_call: { value: first_call_median, n: first_call_n },
  });
  const total = rows.find((r) => r.is_total)!;
  return { groups: rows.filter((r) => !r.is_total).map(tally), total: tally(total) };
}

export async function lostTalliesPg(
  client: ClientBase,
  field: GroupField,
  period: Period,
): Promise<{ leadsByGroup: Map<string | null, number>; lost: LostTally[] }> {
  const where = periodFilter('created_at', period);
  const g = groupColumn(field);
  return inSnapshot(client, async () => {
    const leads = await client.query<{ g: string | null; n: number }>(
      `SELECT ${g} AS g, count(*) AS n FROM leads WHERE ${where.sql} GROUP BY 1 ORDER BY min(id)`,
      where.params,
    );
    const lost = await client.query<{ g: string | null; status: LostTally['status']; reason: string | null; n: number }>(
      `SELECT ${g} AS g, status, NULLIF(disqualify_reason, '') AS reason, count(*) AS n FROM leads
        WHERE ${where.sql} AND status IN ('disqualified','do-not-call','exhausted')
        GROUP BY 1, 2, 3 ORDER BY min(id)`,
      where.params,
    );
    return {
      leadsByGroup: new Map(leads.rows.map((r) => [r.g, r.n])),
      lost: lost.rows.map((r) => ({ group: r.g, status: r.status, reason: r.reason, leads: r.n })),
    };
  });
}

/** Per rep, as repTallies in src/db/reports.ts (active hours: distinct UTC clock hours with a call). */
export async function repTalliesPg(client: ClientBase, period: Period): Promise<RepTally[]> {
  const where = periodFilter('called_at', period);
  const { rows } = await client.query<Omit<RepTally, 'dispositions'>>(
    `SELECT rep, count(*) AS dials, sum(contact) AS contacts, count(*) FILTER (WHERE status_after = 'sales-ready') AS sales_ready,
            sum(coalesce(duration_s, 0)) AS talk_time_s, count(DISTINCT floor(${epoch('called_at')} / 3600)) AS active_hours
       FROM calls WHERE ${where.sql} GROUP BY rep ORDER BY min(id)`,
    where.params,
  );
  const { rows: byDisposition } = await client.query<{ rep: string; disposition: string; n: number }>(
    `SELECT rep, disposition, count(*) AS n FROM calls WHERE ${where.sql} GROUP BY rep, disposition`,
    where.params,
  );
  const counts = new Map<string, Record<string, number>>();
  for (const d of byDisposition) {
    let c = counts.get(d.rep);
    if (!c) counts.set(d.rep, (c = {}));
    c[d.disposition] = d.n;
  }
  return rows.map((r) => ({ ...r, dispositions: addCounts([counts.get(r.rep) ?? {}]) }));
}

/** Calls and contacts per (lead's first zone, UTC quarter-hour), as zoneQuarterTallies in src/db/reports.ts. */
export async function zoneQuarterTalliesPg(client: ClientBase, period: Period): Promise<ZoneQuarterTally[]> {
  const where = periodFilter('c.called_at', period);
  const { rows } = await client.query<{ timezone: string | null; quarter: number; dials: number; contacts: number }>(
    // The join is on the key alone, the lead's conditions in the select: with them in the join,
    // statistics taken before the calls (attempts all 0) led the planner to a nested loop over
    // calls × attempted leads (9.5 s at 1M leads, growing with the history).
    `SELECT CASE WHEN l.attempts > 0 AND l.timezone <> '' THEN l.timezone END AS timezone,
            (floor(${epoch('c.called_at')} / 900))::bigint AS quarter, count(*) AS dials, sum(c.contact) AS contacts
       FROM calls c LEFT JOIN leads l ON l.id = c.lead_id
      WHERE ${where.sql}
      GROUP BY 1, 2`,
    where.params,
  );
  // Leads whose zone lists share a first zone fall in one bucket.
  const buckets = new Map<string, ZoneQuarterTally>();
  for (const r of rows) {
    const zone = r.timezone === null ? null : zonesOf(r.timezone)[0].trim();
    const key = `${zone === null ? '' : `z${zone}`}|${r.quarter}`;
    const b = buckets.get(key);
    if (b) (b.dials += r.dials), (b.contacts += r.contacts);
    else buckets.set(key, { zone, quarter: r.quarter, dials: r.dials, contacts: r.contacts });
  }
  return [...buckets.values()];
}
