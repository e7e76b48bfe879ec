// Reports (docs/reports.md): the arithmetic and the shapes behind `callq report`. Pure: tallies come
// in from src/db/reports.ts, rows go out to the renderers; `now` and zones are passed in.
// Definitions are the docs/reports.md section; keep the two in step.
import { localParts } from './calling-window.js';

const DAY_MS = 86_400_000;

export const GROUP_FIELDS = ['source', 'campaign', 'list'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

/** Below this many cases a rate or median is shown, but marked as resting on a small sample. */
export const SMALL_SAMPLE = 20;

/** part / whole, or null when there is nothing to divide by (shown as '—', never NaN or Infinity). */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export function isSmallSample(n: number): boolean {
  return n > 0 && n < SMALL_SAMPLE;
}

/**
 * The middle value (the mean of the two middle values for an even count); null for no values.
 * Selects rather than sorts (linear time: medians run over up to a million values); reorders `values`.
 */
export function median(values: number[] | Float64Array): number | null {
  const n = values.length;
  if (n === 0) return null;
  const k = (n - 1) >> 1;
  const low = select(values, k);
  if (n % 2 === 1) return low;
  let high = Infinity; // the next value up is the smallest of those after k
  for (let i = k + 1; i < n; i++) if (values[i] < high) high = values[i];
  return (low + high) / 2;
}

/** Hoare's selection: leaves the k-th smallest at k, smaller-or-equal values before it, larger-or-equal after. */
function select(a: number[] | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/** A median with the number of values behind it. */
export interface Median {
  value: number | null;
  n: number;
}

// ---------------------------------------------------------------------------------------------
// Funnel

/** Leads of one group by how far they got. */
export interface FunnelCounts {
  group: string | null;
  leads: number;
  attempted: number;
  contacted: number;
  sales_ready: number;
  disqualified: number;
  exhausted: number;
  do_not_call: number;
}

/** What src/db/reports.ts counts for one group of leads. */
export interface FunnelTally extends FunnelCounts {
  attempts_to_qualify: Median;
  seconds_to_first_call: Median;
}

export interface FunnelRow extends FunnelCounts {
  contact_rate: number | null;
  conversion: number | null;
  conversion_of_contacted: number | null;
  median_attempts_to_qualify: number | null;
  median_seconds_to_first_call: number | null;
}

export function funnelRow({ attempts_to_qualify, seconds_to_first_call, ...counts }: FunnelTally): FunnelRow {
  return {
    ...counts,
    contact_rate: rate(counts.contacted, counts.attempted),
    conversion: rate(counts.sales_ready, counts.leads),
    conversion_of_contacted: rate(counts.sales_ready, counts.contacted),
    median_attempts_to_qualify: attempts_to_qualify.value,
    median_seconds_to_first_call: seconds_to_first_call.value,
  };
}

/** Biggest groups first; ties by name so the order is stable. */
export function byVolume<T extends { group: string | null }>(rows: T[], volume: (row: T) => number): T[] {
  const byName = (a: string | null, b: string | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : a.localeCompare(b));
  return [...rows].sort((a, b) => volume(b) - volume(a) || byName(a.group, b.group)); // no group: last among equals
}

// ---------------------------------------------------------------------------------------------
// Disqualification reasons

/** Lost leads of one group with one status and reason. */
export interface LostTally {
  group: string | null;
  status: 'disqualified' | 'do-not-call' | 'exhausted';
  reason: string | null;
  leads: number;
}

export interface ReasonRow {
  reason: string;
  status: LostTally['status'];
  leads: number;
  /** Of the group's lost leads (disqualified + do-not-call + exhausted). */
  share_of_lost: number | null;
  /** Of all the group's leads. */
  share_of_leads: number | null;
}

export interface ReasonGroup {
  group: string | null;
  leads: number;
  lost: number;
  reasons: ReasonRow[];
}

/** A do-not-call or exhausted lead has no reason of its own: its status is the reason Marketing needs. */
export function reasonLabel(t: Pick<LostTally, 'status' | 'reason'>): string {
  return t.status === 'disqualified' ? t.reason ?? 'unspecified' : t.status;
}

export function reasonGroups(leadsByGroup: Map<string | null, number>, lost: LostTally[]): { groups: ReasonGroup[]; total: ReasonGroup } {
  const shape = (group: string | null, leads: number, tallies: LostTally[]): ReasonGroup => {
    const merged = new Map<string, ReasonRow>();
    for (const t of tallies) {
      const key = `${t.status}\u0000${reasonLabel(t)}`;
      const row = merged.get(key) ?? { reason: reasonLabel(t), status: t.status, leads: 0, share_of_lost: null, share_of_leads: null };
      row.leads += t.leads;
      merged.set(key, row);
    }
    const lostCount = tallies.reduce((a, t) => a + t.leads, 0);
    const reasons = [...merged.values()]
      .map((r) => ({ ...r, share_of_lost: rate(r.leads, lostCount), share_of_leads: rate(r.leads, leads) }))
      .sort((a, b) => b.leads - a.leads || a.reason.localeCompare(b.reason));
    return { group, leads, lost: lostCount, reasons };
  };
  const groups = byVolume(
    [...leadsByGroup].map(([group, leads]) => shape(group, leads, lost.filter((t) => t.group === group))),
    (g) => g.leads,
  );
  const totalLeads = [...leadsByGroup.values()].reduce((a, b) => a + b, 0);
  return { groups, total: shape(null, totalLeads, lost) };
}

// ---------------------------------------------------------------------------------------------
// Rep activity

export interface RepTally {
  rep: string;
  dials: number;
  contacts: number;
  sales_ready: number;
  talk_time_s: number;
  /** Distinct clock hours in which the rep logged at least one call. */
  active_hours: number;
  /** Calls by disposition ('no-answer': 12, 'not-interested': 3, …). */
  dispositions: Record<string, number>;
}

export interface RepRow extends RepTally {
  contact_rate: number | null;
  dials_per_hour: number | null;
}

/** The dispositions of `counts` added up, the most frequent first. */
export function addCounts(counts: Record<string, number>[]): Record<string, number> {
  const total = new Map<string, number>();
  for (const c of counts) for (const [k, n] of Object.entries(c)) total.set(k, (total.get(k) ?? 0) + n);
  return Object.fromEntries([...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export function repRows(tallies: RepTally[]): { reps: RepRow[]; total: Omit<RepRow, 'rep'> } {
  const row = (t: RepTally): RepRow => ({ ...t, contact_rate: rate(t.contacts, t.dials), dials_per_hour: rate(t.dials, t.active_hours) });
  const reps = tallies.map(row).sort((a, b) => b.dials - a.dials || a.rep.localeCompare(b.rep));
  const sum = (f: (t: RepTally) => number) => tallies.reduce((a, t) => a + f(t), 0);
  const { rep: _, ...total } = row({
    rep: '',
    dials: sum((t) => t.dials),
    contacts: sum((t) => t.contacts),
    sales_ready: sum((t) => t.sales_ready),
    talk_time_s: sum((t) => t.talk_time_s),
    active_hours: sum((t) => t.active_hours),
    dispositions: addCounts(tallies.map((t) => t.dispositions)),
  });
  return { reps, total };
}

// ---------------------------------------------------------------------------------------------
// Best hours to call

/** Calls to leads of one zone group in one UTC quarter-hour (see src/db/reports.ts). */
export interface ZoneQuarterTally {
  /** The lead's first candidate zone; null when the lead has no known zone. */
  zone: string | null;
  /** Quarter-hours since 1970-01-01T00:00Z. */
  quarter: number;
  dials: number;
  contacts: number;
}

export interface HourCell {
  dials: number;
  contacts: number;
  contact_rate: number | null;
}

export const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** Monday first, as a calling week reads. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

export interface HoursGrid {
  /** [weekday 0=Sunday][local hour 0..23] */
  cells: HourCell[][];
  by_hour: HourCell[];
  by_weekday: HourCell[];
  total: HourCell;
  /** Calls to leads whose zone is unknown: counted here, absent from the grid. */
  unknown_zone: HourCell;
}

const QUARTER_MS = 900_000;

/**
 * Places each bucket at the lead's local weekday and hour. Buckets are UTC quarter-hours, and every
 * zone's offset is a whole number of quarter-hours, so the conversion is exact, across DST changes too.
 */
export function hoursGrid(buckets: ZoneQuarterTally[]): HoursGrid {
  const counts = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => [0, 0]));
  const unknown = [0, 0];
  const local = localClock();
  for (const b of buckets) {
    const at = b.zone === null ? null : local(b.zone, b.quarter * QUARTER_MS);
    const cell = at ? counts[at.weekday][at.hour] : unknown;
    cell[0] += b.dials;
    cell[1] += b.contacts;
  }
  const cell = ([dials, contacts]: number[]): HourCell => ({ dials, contacts, contact_rate: rate(contacts, dials) });
  const add = (a: number[], b: number[]) => [a[0] + b[0], a[1] + b[1]];
  const byHour = Array.from({ length: 24 }, (_, h) => counts.map((day) => day[h]).reduce(add, [0, 0]));
  const byWeekday = counts.map((day) => day.reduce(add, [0, 0]));
  return {
    cells: counts.map((day) => day.map(cell)),
    by_hour: byHour.map(cell),
    by_weekday: byWeekday.map(cell),
    total: cell(byWeekday.reduce(add, [0, 0])),
    unknown_zone: cell(unknown),
  };
}

/**
 * Local weekday and hour of an instant in a zone, fast for many instants: the zone's offset is looked
 * up once per UTC day (twice: at its start and end) and only a day with a DST change asks Intl per
 * instant. A zone Intl does not know gives null (counted as unknown).
 */
function localClock(): (zone: string, ms: number) => { weekday: number; hour: number } | null {
  const offsets = new Map<string, number | null>();
  const offsetAt = (zone: string, ms: number): number => {
    const p = localParts(new Date(ms), zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - ms;
  };
  return (zone, ms) => {
    const dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
    const key = `${zone}|${dayStart}`;
    let offset = offsets.get(key);
    if (offset === undefined) {
      try {
        const start = offsetAt(zone, dayStart);
        offset = start === offsetAt(zone, dayStart + DAY_MS) ? start : null;
      } catch {
        return null;
      }
      offsets.set(key, offset);
    }
    const wall = new Date(ms + (offset ?? offsetAt(zone, ms)));
    return { weekday: wall.getUTCDay(), hour: wall.getUTCHours() };
  };
}
