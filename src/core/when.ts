// What reps type for times, dates and call lengths (docs/outcomes.md: --at, --until, --duration),
// read in the LEAD's local zone, and how instants are said back. Pure: `now` is always passed in.
import { UsageError } from './errors.js';
import { localParts, zonedTimeToUtc, type LocalParts } from './calling-window.js';

/** An unreadable or past time: a usage error (exit 2) whose message shows the accepted forms. */
export class WhenError extends UsageError {}

const WHEN_FORMS =
  "'2026-11-24 10:00', 'today 15:30', 'tomorrow 10am', 'tomorrow', 'in 2h', 'in 1h30m', 'in 3 days', " +
  "'mon 9:30', 'next tuesday', 'friday 2pm', '3pm', 'noon', 'next week', or ISO with offset '2026-11-24T15:00Z'";
const DATE_FORMS =
  "'2027-01-15', 'jan 15', '15 jan 2027', 'march', 'in 3 months', 'in 6 weeks', 'next month', 'next week', 'friday'";
const DURATION_FORMS = "'3m20s', '90s', '2h', '1h30m', '1:30' (m:ss), '1:02:03' (h:mm:ss), '45' (seconds)";

export interface Day {
  year: number;
  month: number;
  day: number;
}
interface Clock {
  hour: number;
  minute: number;
  second: number;
}

/** A bare day ('tomorrow', 'friday', a nurture date) means the start of a normal calling day. */
const MORNING: Clock = { hour: 9, minute: 0, second: 0 };
const NOON: Clock = { hour: 12, minute: 0, second: 0 };
const DAY_MS = 86_400_000;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAY_WORDS: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, weds: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const MONTH_WORDS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');
const pad2 = (n: number) => String(n).padStart(2, '0');

// --- local calendar arithmetic (plain dates, no zone) ---

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
export const isRealDay = (d: Day) => d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth(d.year, d.month);
const weekdayOf = (d: Day) => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

export function shiftDays(d: Day, n: number): Day {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Calendar months later; the day is clamped to the month's end (Jan 31 + 1 month = Feb 28). */
function shiftMonths(d: Day, n: number): Day {
  const index = d.year * 12 + (d.month - 1) + n;
  const year = Math.floor(index / 12), month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

function todayIn(now: Date, zone: string): Day {
  const p = localParts(now, zone);
  return { year: p.year, month: p.month, day: p.day };
}

const instant = (d: Day, c: Clock, zone: string) =>
  zonedTimeToUtc({ year: d.year, month: d.month, day: d.day, hour: c.hour, minute: c.minute, second: c.second }, zone);

/** The coming `weekday`: today counts unless `afterToday` ('next tuesday' never means today). */
function comingWeekday(today: Day, weekday: number, afterToday: boolean): Day {
  const delta = (weekday - weekdayOf(today) + 7) % 7;
  return shiftDays(today, delta === 0 && afterToday ? 7 : delta);
}

// --- pieces of text ---

const CLOCK_RE = /^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/;

/** '15:30', '3pm', '9:30am', 'noon'. A bare hour ('10') only where a day word came first. */
function parseClock(text: string, bareHourOk: boolean): Clock | null {
  if (text === 'noon' || text === 'midday') return NOON;
  if (text === 'midnight') return { hour: 0, minute: 0, second: 0 };
  const m = CLOCK_RE.exec(text);
  if (!m) return null;
  const [, h, min, sec, meridiem] = m;
  if (min === undefined && meridiem === undefined && !bareHourOk) return null;
  let hour = Number(h);
  const minute = min ? Number(min) : 0, second = sec ? Number(sec) : 0;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem.startsWith('p') ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
const TIME_UNITS: Record<string, Unit> = {
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
};
const CALENDAR_UNITS: Record<string, Unit> = {
  d: 'day', day: 'day', days: 'day', w: 'week', wk: 'week', wks: 'week', week: 'week', weeks: 'week',
  mo: 'month', mos: 'month', month: 'month', months: 'month', y: 'year', yr: 'year', yrs: 'year', year: 'year', years: 'year',
};
// For a date, minutes make no sense, so 'in 3m' can only mean months.
const DATE_UNITS: Record<string, Unit> = { ...CALENDAR_UNITS, m: 'month', mon: 'month' };
const WHEN_UNITS: Record<string, Unit> = { ...TIME_UNITS, ...CALENDAR_UNITS };

/** '1h30m', '3 days', 'an hour and 20 minutes' -> amounts per unit, or null when anything is left over. */
function readAmounts(text: string, units: Record<string, Unit>): Map<Unit, number> | null {
  const cleaned = text.replace(/\ban?\b/g, '1').replace(/\band\b|,/g, ' ');
  const pairs = [...cleaned.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  if (pairs.length === 0 || cleaned.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, '').trim() !== '') return null;
  const amounts = new Map<Unit, number>();
  for (const [, n, word] of pairs) {
    const unit = units[word];
    if (!unit) return null;
    amounts.set(unit, (amounts.get(unit) ?? 0) + Number(n));
  }
  return amounts;
}

/** Calendar units move the local date (same wall time across DST); time units are elapsed time. */
function addAmounts(now: Date, zone: string, a: Map<Unit, number>): Date | null {
  const months = (a.get('month') ?? 0) + 12 * (a.get('year') ?? 0);
  const days = (a.get('day') ?? 0) + 7 * (a.get('week') ?? 0);
  if (!Number.isInteger(months)) return null;
  const wholeDays = Math.trunc(days);
  const elapsed =
    (days - wholeDays) * DAY_MS +
    ((a.get('hour') ?? 0) * 3600 + (a.get('minute') ?? 0) * 60 + (a.get('second') ?? 0)) * 1000;
  let base = now;
  if (months !== 0 || wholeDays !== 0) {
    const p = localParts(now, zone);
    const day = shiftDays(shiftMonths(p, months), wholeDays);
    base = new Date(instant(day, { hour: p.hour, minute: p.minute, second: p.second }, zone).getTime() + now.getUTCMilliseconds());
  }
  return new Date(base.getTime() + Math.round(elapsed));
}

function realDay(year: number, month: number, day: number, text: string): Day {
  const d = { year, month, day };
  if (!isRealDay(d)) throw new WhenError(`"${text}" is not a real date (month ${month}, day ${day})`);
  return d;
}

const ISO_OFFSET_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(z|utc|[+-]\d{2}(?::?\d{2})?)$/;

/** ISO date with optional time; an offset makes it an exact instant, else it is local in `zone`. */
function readIso(input: string, text: string, zone: string): Date | null | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](.+))?$/.exec(input);
  if (!m) return undefined;
  const day = realDay(+m[1], +m[2], +m[3], text);
  if (m[4] === undefined) return instant(day, MORNING, zone);
  const o = ISO_OFFSET_RE.exec(m[4]);
  if (o) {
    const [, h, min, sec, ms, off] = o;
    if (+h > 23 || +min > 59 || +(sec ?? 0) > 59) return null;
    let offsetMin = 0;
    if (off !== 'z' && off !== 'utc') {
      const digits = off.slice(1).replace(':', '');
      offsetMin = (off[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
    }
    const wall = Date.UTC(day.year, day.month - 1, day.day, +h, +min, +(sec ?? 0), Number((ms ?? '0').padEnd(3, '0')));
    return new Date(wall - offsetMin * 60_000);
  }
  const clock = parseClock(m[4], true);
  return clock ? instant(day, clock, zone) : null;
}

// --- the public readers ---

function readWhen(input: string, text: string, now: Date, zone: string): Date | null {
  if (input === 'now') return now;
  const iso = readIso(input, text, zone);
  if (iso !== undefined) return iso;
  const within = /^in (.+)$/.exec(input);
  if (within) {
    const amounts = readAmounts(within[1], WHEN_UNITS);
    return amounts && addAmounts(now, zone, amounts);
  }

  const rest = input.replace(/^on /, '');
  const m = /^(today|tomorrow|tmrw|next week|(?:next |this )?[a-z]+)(?: (?:at )?(.*))?$/.exec(rest);
  const dayWord = m && (/^(today|tomorrow|tmrw|next week)$/.test(m[1]) || m[1].replace(/^(next|this) /, '') in WEEKDAY_WORDS) ? m[1] : null;
  const clockText = (dayWord ? m![2] ?? '' : rest).replace(/^at /, '');
  const clock = clockText === '' ? null : parseClock(clockText, dayWord !== null);
  if (clockText !== '' && !clock) return null;

  const today = todayIn(now, zone);
  if (dayWord === null) {
    if (!clock) return null;
    const candidate = instant(today, clock, zone); // a bare time: today if still ahead, else tomorrow
    return candidate < now ? instant(shiftDays(today, 1), clock, zone) : candidate;
  }
  if (dayWord === 'today') return clock && instant(today, clock, zone);
  if (dayWord === 'tomorrow' || dayWord === 'tmrw') return instant(shiftDays(today, 1), clock ?? MORNING, zone);
  if (dayWord === 'next week') return instant(comingWeekday(today, 1, true), clock ?? MORNING, zone);
  const afterToday = dayWord.startsWith('next ');
  const weekday = WEEKDAY_WORDS[dayWord.replace(/^(next|this) /, '')];
  const day = comingWeekday(today, weekday, afterToday);
  const candidate = instant(day, clock ?? MORNING, zone);
  return candidate < now ? instant(shiftDays(day, 7), clock ?? MORNING, zone) : candidate;
}

/**
 * A callback time (`--at`), read in the lead's zone `zone`. Throws WhenError when unreadable or past.
 * Weekdays and bare times mean their next occurrence: 'mon 9:30' said on a Monday at 08:00 is today.
 */
export function parseWhen(text: string, now: Date, zone: string): Date {
  const result = readWhen(normalise(text), text, now, zone);
  if (!result || Number.isNaN(result.getTime())) {
    throw new WhenError(`Cannot read "${text}" as a time. Accepted forms: ${WHEN_FORMS}`);
  }
  if (result < now) {
    throw new WhenError(`"${text}" is in the past (${formatInZone(result, zone)}); give a later time`);
  }
  return result;
}

/** The first year (from this one) in which month/day exists and its 09:00 is not yet past; Feb 29 waits for a leap year. */
function nextOccurrence(month: number, day: number, from: Day, now: Date, zone: string): Date | null {
  for (let year = from.year; year <= from.year + 8; year++) {
    const d = { year, month, day };
    if (!isRealDay(d)) continue;
    const at = instant(d, MORNING, zone);
    if (at >= now) return at;
  }
  return null;
}

const DAY_NUMBER_RE = /^(\d{1,2})(?:st|nd|rd|th)?$/;

function readDate(input: string, text: string, now: Date, zone: string): Date | null {
  const today = todayIn(now, zone);
  const morning = (d: Day) => instant(d, MORNING, zone);
  if (input === 'today') return morning(today);
  if (input === 'tomorrow' || input === 'tmrw') return morning(shiftDays(today, 1));
  if (input === 'next week') return morning(comingWeekday(today, 1, true));
  if (input === 'next month') return morning(shiftMonths({ ...today, day: 1 }, 1));
  if (input === 'next year') return morning({ year: today.year + 1, month: 1, day: 1 });
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(input);
  if (iso) return morning(realDay(+iso[1], +iso[2], +iso[3], text));
  const within = /^in (.+)$/.exec(input);
  if (within) {
    const amounts = readAmounts(within[1], DATE_UNITS);
    if (!amounts) return null;
    const months = (amounts.get('month') ?? 0) + 12 * (amounts.get('year') ?? 0);
    const days = (amounts.get('day') ?? 0) + 7 * (amounts.get('week') ?? 0);
    if (!Number.isInteger(months) || !Number.isInteger(days)) return null;
    return morning(shiftDays(shiftMonths(today, months), days));
  }
  const weekday = /^(next |this |on )?([a-z]+)$/.exec(input);
  if (weekday && weekday[2] in WEEKDAY_WORDS) {
    const day = comingWeekday(today, WEEKDAY_WORDS[weekday[2]], weekday[1] === 'next ');
    return morning(day) < now ? morning(shiftDays(day, 7)) : morning(day);
  }

  // Month names: 'march', 'next march', 'march 2027', 'jan 15', '15th of jan', 'jan 15, 2027'.
  const words = input.replace(/^next /, '').replace(/,/g, ' ').replace(/\bof\b/g, ' ').split(' ').filter(Boolean);
  const monthAt = words.findIndex((w) => w in MONTH_WORDS);
  if (monthAt < 0 || words.length > 3) return null;
  const month = MONTH_WORDS[words[monthAt]];
  const others = words.filter((_, i) => i !== monthAt);
  const year = others.length > 0 && /^\d{4}$/.test(others[others.length - 1]) ? Number(others.pop()) : null;
  if (others.length > 1) return null;
  let day = 1;
  if (others.length === 1) {
    const n = DAY_NUMBER_RE.exec(others[0]);
    if (!n) return null;
    day = Number(n[1]);
    if (day < 1 || day > 31) return null;
  }
  if (year !== null) return morning(realDay(year, month, day, text));
  return nextOccurrence(month, day, today, now, zone);
}

/** A nurture date (`--until`): 09:00 local in `zone` on that date. Throws WhenError when unreadable or past. */
export function parseDate(text: string, now: Date, zone: string): Date {
  const result = readDate(normalise(text), text, now, zone);
  if (!result) throw new WhenError(`Cannot read "${text}" as a date. Accepted forms: ${DATE_FORMS}`);
  if (result < now) throw new WhenError(`"${text}" is in the past (${formatInZone(result, zone)}); give a later date`);
  return result;
}

/** A call's length in whole seconds. */
export function parseDuration(text: string): number {
  const seconds = readDuration(text);
  // Talk time adds up in the reps report: a typo ('99h', '3000' meant as 30:00) must not.
  if (seconds > MAX_CALL_SECONDS) throw new WhenError(`"${text}" is longer than ${MAX_CALL_SECONDS / 3600} hours: not one call's length (a typo?).`);
  return seconds;
}

/** The longest call --duration takes. */
const MAX_CALL_SECONDS = 8 * 3600;

function readDuration(text: string): number {
  const input = normalise(text);
  const fail = () => new WhenError(`Cannot read "${text}" as a call duration. Accepted forms: ${DURATION_FORMS}`);
  if (/^\d+$/.test(input)) return Number(input);
  const clock = /^(?:(\d+):)?(\d+):(\d{2})$/.exec(input);
  if (clock) {
    const [, h, mid, s] = clock;
    if (+s > 59 || (h !== undefined && +mid > 59)) throw fail();
    return h === undefined ? +mid * 60 + +s : +h * 3600 + +mid * 60 + +s;
  }
  const amounts = /^\d/.test(input) ? readAmounts(input, TIME_UNITS) : null;
  if (!amounts) throw fail();
  return Math.round((amounts.get('hour') ?? 0) * 3600 + (amounts.get('minute') ?? 0) * 60 + (amounts.get('second') ?? 0));
}

/** '45s', '3m20s', '1h02m' (seconds dropped once past an hour). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`Not a duration: ${seconds}`);
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
}

// ICU's short zone names depend on locale: en-US knows 'EST' but says 'GMT+1' for Berlin, en-GB knows
// 'CET', en-AU 'AEDT', en-IN 'IST'. Take the first real abbreviation; else keep 'GMT+5:30' style.
const NAME_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'];
const nameFormatters = new Map<string, Intl.DateTimeFormat>();

function shortZoneName(at: Date, zone: string): string {
  let fallback = '';
  for (const locale of NAME_LOCALES) {
    const key = `${locale}|${zone}`;
    let f = nameFormatters.get(key);
    if (!f) nameFormatters.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })));
    const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (name && !/^GMT[+\-−]/.test(name)) return name;
    fallback ||= name;
  }
  return fallback;
}

/**
 * A zone's offset from UTC (ms) at an instant and, when it can tell, its short name as this
 * module writes it, known without Intl (src/io/zoneinfo.ts reads them from the system's files).
 * Undefined, or no name, and Intl is asked: its first use costs a short command ~22 ms of CPU.
 */
export type ZoneLookup = (zone: string, ms: number) => { offset: number; name?: string } | undefined;

/** Local time in `zone` and its short name (asked only when shown), from `lookup` when it knows. */
function wallTime(at: Date, zone: string, lookup?: ZoneLookup): { parts: LocalParts; name: () => string } {
  const known = lookup?.(zone, at.getTime());
  if (!known) return { parts: localParts(at, zone), name: () => shortZoneName(at, zone) };
  const w = new Date(Math.floor(at.getTime() / 1000) * 1000 + known.offset);
  const [year, month, day] = [w.getUTCFullYear(), w.getUTCMonth() + 1, w.getUTCDate()];
  const parts = {
    year, month, day, weekday: w.getUTCDay(), hour: w.getUTCHours(), minute: w.getUTCMinutes(), second: w.getUTCSeconds(),
    dateKey: `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`,
  };
  return { parts, name: () => known.name ?? shortZoneName(at, zone) };
}

/** Local time in `zone` at `at`, from `lookup` when it knows the zone, else from Intl. */
export function localPartsVia(at: Date, zone: string, lookup?: ZoneLookup): LocalParts {
  return wallTime(at, zone, lookup).parts;
}

function wallText(t: ReturnType<typeof wallTime>, withDate: boolean, thisYear?: number): string {
  const p = t.parts;
  const time = `${pad2(p.hour)}:${pad2(p.minute)} ${t.name()}`;
  const year = thisYear !== undefined && p.year !== thisYear ? ` ${p.year}` : '';
  return withDate ? `${WEEKDAYS[p.weekday]} ${p.day} ${MONTHS[p.month - 1]}${year} ${time}` : time;
}

/** 'Tue 24 Nov 10:00 EST', or '10:00 EST' with { withDate: false }. */
export function formatInZone(at: Date, zone: string, opts: { withDate?: boolean; lookup?: ZoneLookup } = {}): string {
  return wallText(wallTime(at, zone, opts.lookup), opts.withDate !== false);
}

/**
 * 'Tue 24 Nov 10:00 EST (lead) · 16:00 CET (you)'; once when both clocks agree; the viewer's date
 * when it differs. Given `now`, a date in another year than now's says its year ('Thu 9 Dec 2027'):
 * a read-back is there to catch a typo, and a year's is otherwise invisible.
 */
export function formatBothZones(at: Date, leadZone: string, viewerZone: string, lookup?: ZoneLookup, now?: Date): string {
  const lead = wallTime(at, leadZone, lookup), viewer = wallTime(at, viewerZone, lookup);
  const thisYear = now === undefined ? undefined : wallTime(now, leadZone, lookup).parts.year;
  const sameDay = lead.parts.dateKey === viewer.parts.dateKey;
  if (sameDay && lead.parts.hour === viewer.parts.hour && lead.parts.minute === viewer.parts.minute) return wallText(lead, true, thisYear);
  return `${wallText(lead, true, thisYear)} (lead) · ${wallText(viewer, !sameDay, thisYear)} (you)`;
}
