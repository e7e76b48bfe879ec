// Calling windows: when a lead may be phoned, judged in the lead's local time (docs/working.md).
// Pure: every function takes the instant it reasons about; nothing reads the clock.
// Local time comes from Node's Intl (full ICU), so no date library is needed.

export interface CallingHours {
  /** Allowed local weekdays, 0=Sunday..6=Saturday. */
  days: number[];
  /** 'HH:MM' local, inclusive. */
  start: string;
  /** 'HH:MM' local, exclusive. */
  end: string;
  /** 'YYYY-MM-DD' (one date) or 'MM-DD' (every year): local dates with no calls. */
  holidays: string[];
}

/** Legal limit no setting can widen (47 CFR 64.1200(c)(1)): no calls before 8am or after 9pm local. */
export const HARD_START = '08:00';
export const HARD_END = '21:00';

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  /** 'YYYY-MM-DD' */
  dateKey: string;
}

/** A local calendar date; weekday 0=Sunday. */
interface LocalDate {
  year: number;
  month: number;
  day: number;
  weekday: number;
  dateKey: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Above any real UTC offset (+14:00 in Kiribati), so wall time minus this is an earliest instant. */
const MAX_OFFSET = 15 * 3_600_000;
/** How far ahead (and back) window searches look before concluding "never". */
const SEARCH_DAYS = 21;
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// Creating a DateTimeFormat costs ~50µs, formatting ~1µs: keep one per zone for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`Unknown time zone "${zone}" (expected an IANA name such as America/New_York)`);
    }
    formatters.set(zone, f);
  }
  return f;
}

export function isValidZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function dateKeyOf(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

// format() is ~3x faster than formatToParts(); its en-US shape 'M/D/YYYY, HH:MM:SS' is stable,
// and formatToParts stays as the fallback for anything unusual (eras, far years).
const EN_US_SHAPE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})$/;

/** Local wall clock at an instant as [year, month, day, hour, minute, second]. */
function wallClock(at: Date | number, zone: string): number[] {
  const f = formatterFor(zone);
  const m = EN_US_SHAPE.exec(f.format(at));
  if (m) return [+m[3], +m[1], +m[2], +m[4], +m[5], +m[6]];
  const parts = f.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day'), get('hour') % 24, get('minute'), get('second')];
}

export function localParts(at: Date, zone: string): LocalParts {
  const [year, month, day, hour, minute, second] = wallClock(at, zone);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, weekday, hour, minute, second, dateKey: dateKeyOf(year, month, day) };
}

/** Local-minus-UTC offset in ms at an instant. */
function offsetAt(ms: number, zone: string): number {
  const [y, mo, d, h, mi, sec] = wallClock(ms, zone);
  return Date.UTC(y, mo - 1, d, h, mi, sec) - Math.floor(ms / 1000) * 1000;
}

export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
  zone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // Offsets a day either side cover both sides of any DST change near this wall time.
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  // Try the earlier candidate first: an ambiguous (fall-back) wall time takes the earlier instant.
  if (offsetAt(early, zone) === wall - early) return new Date(early);
  if (late !== early && offsetAt(late, zone) === wall - late) return new Date(late);
  // Skipped by a spring-forward gap: find the transition, the first instant whose wall time is past it.
  let lo = Math.floor(early / 1000);
  let hi = Math.ceil(late / 1000);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid * 1000 + offsetAt(mid * 1000, zone) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return new Date(lo * 1000);
}

/** A local date and minute-of-day read as if it were UTC (arithmetic only). */
function wallMs(date: { year: number; month: number; day: number }, minuteOfDay: number): number {
  return Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE;
}

function addDays(date: { year: number; month: number; day: number }, n: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + n));
  const year = d.getUTCFullYear(), month = d.getUTCMonth() + 1, day = d.getUTCDate();
  return { year, month, day, weekday: d.getUTCDay(), dateKey: dateKeyOf(year, month, day) };
}

export function startOfNextLocalDay(zone: string, at: Date): Date {
  const next = addDays(localParts(at, zone), 1);
  return zonedTimeToUtc({ ...next, hour: 0, minute: 0 }, zone);
}

// --- the rules, compiled once per call so each zone check is set lookups and arithmetic ---

interface Rules {
  days: Set<number>;
  holidays: Set<string>;
  /** Effective window in minutes after local midnight, clamped to the legal limit. */
  startMin: number;
  endMin: number;
}

function clockToMinutes(clock: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(clock.trim());
  if (!m || +m[1] > 24 || +m[2] > 59) throw new RangeError(`Not a clock time: "${clock}" (expected HH:MM)`);
  return +m[1] * 60 + +m[2];
}

const HARD_START_MIN = clockToMinutes(HARD_START);
const HARD_END_MIN = clockToMinutes(HARD_END);

function compile(hours: CallingHours): Rules {
  return {
    days: new Set(hours.days),
    holidays: new Set(hours.holidays.map((h) => h.trim())),
    startMin: Math.max(clockToMinutes(hours.start), HARD_START_MIN),
    endMin: Math.min(clockToMinutes(hours.end), HARD_END_MIN),
  };
}

/** True when no instant can ever be open, whatever the zone. */
function neverOpen(rules: Rules): boolean {
  return rules.days.size === 0 || rules.startMin >= rules.endMin;
}

function isCallingDay(date: { weekday: number; dateKey: string }, rules: Rules): boolean {
  return rules.days.has(date.weekday) && !rules.holidays.has(date.dateKey) && !rules.holidays.has(date.dateKey.slice(5));
}

function openIn(zone: string, at: Date, rules: Rules): boolean {
  const p = localParts(at, zone);
  const minute = p.hour * 60 + p.minute;
  return minute >= rules.startMin && minute < rules.endMin && isCallingDay(p, rules);
}

function openInAll(zones: readonly string[], at: Date, rules: Rules): boolean {
  if (zones.length === 0) return false;
  for (const zone of zones) if (!openIn(zone, at, rules)) return false;
  return true;
}

/** The window [start, end) a zone has on a local date, or null on a non-calling day. */
function windowOn(zone: string, date: LocalDate, rules: Rules): { start: number; end: number } | null {
  if (!isCallingDay(date, rules) || rules.startMin >= rules.endMin) return null;
  const at = (min: number) => zonedTimeToUtc({ ...date, hour: Math.floor(min / 60), minute: min % 60 }, zone).getTime();
  return { start: at(rules.startMin), end: at(rules.endMin) };
}

export function isOpenIn(zone: string, at: Date, hours: CallingHours): boolean {
  return openIn(zone, at, compile(hours));
}

export function isOpen(zones: readonly string[], at: Date, hours: CallingHours): boolean {
  return openInAll(zones, at, compile(hours));
}

/** Every zone's window edges over local days [fromDay, toDay] relative to `around`. */
function windowsAround(zones: readonly string[], around: Date, fromDay: number, toDay: number, rules: Rules) {
  const windows: { start: number; end: number }[] = [];
  for (const zone of zones) {
    const today = localParts(around, zone);
    for (let i = fromDay; i <= toDay; i++) {
      const w = windowOn(zone, addDays(today, i), rules);
      if (w) windows.push(w);
    }
  }
  return windows;
}

export function nextOpen(zones: readonly string[], from: Date, hours: CallingHours): Date | null {
  const rules = compile(hours);
  if (zones.length === 0 || neverOpen(rules)) return null;
  if (openInAll(zones, from, rules)) return from;
  // The overlap of several zones' windows always opens when one of them opens, so only window
  // starts are candidates. Walk local days in order and stop at the first candidate that is open.
  const todays = zones.map((zone) => addDays(localParts(from, zone), 0));
  const pending: number[] = [];
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    zones.forEach((zone, k) => {
      const date = addDays(todays[k], i);
      if (!isCallingDay(date, rules)) return;
      const start = zonedTimeToUtc({ ...date, hour: Math.floor(rules.startMin / 60), minute: rules.startMin % 60 }, zone);
      if (start > from) pending.push(start.getTime());
    });
    // Windows of later days open after this bound, since no zone runs more than MAX_OFFSET ahead of UTC.
    const bound = Math.min(...todays.map((d) => wallMs(addDays(d, i + 1), rules.startMin))) - MAX_OFFSET;
    pending.sort((a, b) => a - b);
    while (pending.length > 0 && (pending[0] < bound || i === SEARCH_DAYS)) {
      const start = new Date(pending.shift()!);
      if (openInAll(zones, start, rules)) return start;
    }
  }
  return null;
}

export function windowCloses(zones: readonly string[], at: Date, hours: CallingHours): Date | null {
  const rules = compile(hours);
  if (!openInAll(zones, at, rules)) return null;
  // Open in every zone, so each zone's window today contains `at`; the first to close ends the overlap.
  let closes = Infinity;
  for (const zone of zones) {
    const w = windowOn(zone, addDays(localParts(at, zone), 0), rules);
    if (w) closes = Math.min(closes, w.end);
  }
  return new Date(closes);
}

/** The last open whole minute before `at`, no earlier than `notBefore`, looking back up to SEARCH_DAYS. */
function previousOpen(zones: readonly string[], at: Date, rules: Rules, notBefore: number): number | null {
  // The overlap closes when one zone's window closes; its last open minute is one minute earlier.
  const lastMinutes = windowsAround(zones, at, -SEARCH_DAYS, 0, rules)
    .map((w) => w.end - MINUTE)
    .filter((t) => t <= at.getTime() && t >= notBefore)
    .sort((a, b) => b - a);
  for (const t of lastMinutes) if (openInAll(zones, new Date(t), rules)) return t;
  return null;
}

/**
 * For a refused callback time: the open instant nearest to `at`, earlier or later, but never
 * before `notBefore` (usually now). An earlier suggestion is the last whole minute of a window.
 * On a tie the later time wins: it does not call the lead before they asked.
 */
export function nearestAllowed(zones: readonly string[], at: Date, hours: CallingHours, notBefore?: Date): Date | null {
  const rules = compile(hours);
  if (zones.length === 0 || neverOpen(rules)) return null;
  const floor = notBefore ? notBefore.getTime() : -Infinity;
  const from = new Date(Math.max(at.getTime(), floor));
  const later = nextOpen(zones, from, hours);
  if (later && later.getTime() === at.getTime()) return later;
  const earlier = at.getTime() > floor ? previousOpen(zones, at, rules, floor) : null;
  if (earlier === null) return later;
  if (!later) return new Date(earlier);
  return at.getTime() - earlier < later.getTime() - at.getTime() ? new Date(earlier) : later;
}

/**
 * For a refused callback time whose nearest allowed time (nearestAllowed) is earlier than asked:
 * the first open instant after it, for a lead who asked to be called later ('in 2h' at 16:55
 * is nearest at 16:59, yet they meant tomorrow). Null when the nearest is not earlier.
 */
export function laterAllowed(zones: readonly string[], at: Date, nearest: Date | null, hours: CallingHours): Date | null {
  if (!nearest || nearest.getTime() >= at.getTime()) return null;
  return nextOpen(zones, at, hours);
}

export function addBusinessDays(zone: string, from: Date, n: number, hours: CallingHours): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Business days must be a whole number ≥ 0, got ${n}`);
  if (n === 0) return from;
  const rules = compile(hours);
  // With no calling days at all, count plain days rather than loop forever.
  const counts = (d: LocalDate) => (rules.days.size === 0 ? true : isCallingDay(d, rules));
  const local = localParts(from, zone);
  let date = addDays(local, 0);
  let counted = 0;
  for (let guard = 0; counted < n && guard < n + 800; guard++) {
    date = addDays(date, 1);
    if (counts(date)) counted++;
  }
  const target = zonedTimeToUtc({ ...date, hour: local.hour, minute: local.minute, second: local.second }, zone);
  return new Date(target.getTime() + from.getUTCMilliseconds());
}

function describeDays(days: number[]): string {
  // Work-week order (Mon..Sun) so 'Mon–Fri' and 'Sat–Sun' read naturally.
  const order = [1, 2, 3, 4, 5, 6, 0].filter((d) => days.includes(d));
  if (order.length === 7) return 'every day';
  if (order.length === 0) return 'no days';
  const runs: number[][] = [];
  for (const d of order) {
    const run = runs[runs.length - 1];
    if (run !== undefined && (run[run.length - 1] + 1) % 7 === d) run.push(d);
    else runs.push([d]);
  }
  return runs
    .map((r) => (r.length === 1 ? WEEKDAY_NAMES[r[0]] : `${WEEKDAY_NAMES[r[0]]}–${WEEKDAY_NAMES[r[r.length - 1]]}`))
    .join(', ');
}

const minutesToClock = (min: number) => `${pad2(Math.floor(min / 60))}:${pad2(min % 60)}`;

/** e.g. 'Mon–Fri 09:00–17:00 local'; says so when the legal limit narrows the setting. */
export function describeHours(hours: CallingHours): string {
  const rules = compile(hours);
  if (neverOpen(rules)) return 'no calling hours (no days, or start is not before end)';
  let text = `${describeDays(hours.days)} ${minutesToClock(rules.startMin)}–${minutesToClock(rules.endMin)} local`;
  if (rules.startMin !== clockToMinutes(hours.start) || rules.endMin !== clockToMinutes(hours.end)) {
    text += ` (limited by law to ${HARD_START}–${HARD_END})`;
  }
  if (hours.holidays.length > 0) text += `, except ${hours.holidays.join(', ')}`;
  return text;
}

// ---------------------------------------------------------------------------------------------
// A lead's zones

/**
 * The zones a lead's phone may ring in, in their stored order (an area code that spans two zones
 * gives two); empty when unknown. The column holds them comma-joined (docs/schema.md): this is
 * the one place that knows it. It lives here rather than in lead.ts because its callers ask
 * about calling hours too, so `callq next` loads no extra module for it.
 */
export function leadZones(lead: { readonly timezone: string | null }): readonly string[] {
  return zonesOf(lead.timezone);
}

/** The zone a lead's local times (a callback's, a nurture date's) are read and shown in; null when unknown. */
export function primaryZone(lead: { readonly timezone: string | null }): string | null {
  return zonesOf(lead.timezone)[0] ?? null;
}

/** Past this many zones a number's person could be anywhere in them: a toll-free number, a mobile with only its country. */
export const MANY_ZONES = 3;

/**
 * The zone a rep's times for a lead in `zones` (a callback's `tomorrow 10:00`, a nurture date) are read
 * and said back in: the lead's, else the team's default zone, else the rep's; and the rep's own
 * for a number that may ring in more than MANY_ZONES zones, where the person's zone is anyone's
 * guess (reading it in the first of 29 US zones, Adak's, would put 10:00 at 15:00 in New York).
 */
export function readingZone(zones: readonly string[], defaultZone: string | null, viewerZone: string): string {
  return zones.length > MANY_ZONES ? viewerZone : (zones[0] ?? defaultZone ?? viewerZone);
}

/** The zones of a stored `timezone` value (a lead's, or a zone group's key). */
export function zonesOf(joined: string | null | undefined): readonly string[] {
  return joined ? joined.split(',') : [];
}
