// The calling windows of a zone group over the coming days, as UTC instants.
// Why: asking Intl for a zone's local time costs ~9 ms on a cold start (ICU loading), which
// would dominate `callq next`. The queue stores each group's windows for a week and only
// compares ISO strings; they are recomputed when the calling-hours settings change or the
// week runs out.
import { nextOpen, windowCloses, type CallingHours } from './calling-window.js';

export interface ZoneWindows {
  /** Identifies the calling-hours settings the windows were computed with. */
  key: string;
  /** The windows are complete for instants in [from, until). */
  from: string;
  until: string;
  /** Open intervals [start, end) as ISO strings, in order. */
  open: [string, string][];
}

const DAY = 86_400_000;
export const WINDOW_DAYS = 7;

export function hoursKey(hours: CallingHours): string {
  return JSON.stringify([hours.days, hours.start, hours.end, [...hours.holidays].sort()]);
}

export function computeWindows(zones: readonly string[], from: Date, hours: CallingHours, days = WINDOW_DAYS): ZoneWindows {
  const until = new Date(from.getTime() + days * DAY);
  const open: [string, string][] = [];
  let at: Date | null = nextOpen(zones, from, hours);
  while (at && at < until) {
    const closes: Date = windowCloses(zones, at, hours) ?? until;
    open.push([at.toISOString(), closes.toISOString()]);
    at = nextOpen(zones, closes, hours);
  }
  return { key: hoursKey(hours), from: from.toISOString(), until: until.toISOString(), open };
}

/** Whether the stored windows can answer for `now` under these settings. */
export function windowsValid(w: ZoneWindows | null, now: Date, key: string): w is ZoneWindows {
  if (!w || w.key !== key) return false;
  const iso = now.toISOString();
  return w.from <= iso && iso < w.until;
}

export function openAt(w: ZoneWindows, now: Date): boolean {
  return closesAt(w, now) !== null;
}

/** When the open window holding `now` closes, or null when `now` is in none. */
export function closesAt(w: ZoneWindows, now: Date): Date | null {
  const iso = now.toISOString();
  const window = w.open.find(([start, end]) => start <= iso && iso < end);
  return window ? new Date(window[1]) : null;
}
