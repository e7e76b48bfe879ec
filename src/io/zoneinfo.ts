// A zone's UTC offset from the system's time-zone database (TZif files, /usr/share/zoneinfo or
// $TZDIR), for showing a lead's local time without starting ICU: the first Intl.DateTimeFormat
// with a time zone costs ~22 ms of CPU, a tenth of a `callq next` (docs/design.md, "Start-up of
// the rep's commands"). Display only: the calling-hours rules keep Intl's one database. Answers
// only between the file's first and last transitions (fat files run to 2037); anything else,
// an unreadable file or an unknown format gives undefined, and the caller asks Intl.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Transitions {
  /** Transition instants, ms, ascending. */
  at: number[];
  /** Offset in ms in force from at[i]. */
  offset: number[];
  /** The offset in force from the last transition on, when it never changes again (else undefined). */
  after: number | undefined;
}

const cache = new Map<string, Transitions | null>();
/** An IANA name: letters, digits and _+- in slash-separated parts, none of them '..' (it becomes a path). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The version 2+ (64-bit) data of a TZif file, or null when it is not one. */
export function parseTzif(buf: Buffer): Transitions | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif' || buf[4] < 0x32) return null;
  const counts = (o: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(o + 20 + i * 4));
  const [isut, isstd, leap, times, types, chars] = counts(0);
  const second = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut;
  if (buf.length < second + 44 || buf.toString('latin1', second, second + 4) !== 'TZif') return null;
  const [isut2, isstd2, leap2, times2, types2, chars2] = counts(second);
  // Leap-second files count TAI-like seconds: leave them to Intl.
  if (leap2 !== 0) return null;
  const o = second + 44;
  if (buf.length < o + times2 * 9 + types2 * 6) return null;
  const at: number[] = [];
  const offset: number[] = [];
  for (let i = 0; i < times2; i++) {
    const type = buf[o + times2 * 8 + i];
    if (type >= types2) return null;
    at.push(Number(buf.readBigInt64BE(o + i * 8)) * 1000);
    offset.push(buf.readInt32BE(o + times2 * 9 + type * 6) * 1000);
  }
  for (let i = 1; i < at.length; i++) if (at[i] <= at[i - 1]) return null;
  // The footer's POSIX TZ string rules the time after the last transition: without a rule
  // (no ',': a zone that no longer changes its clocks) the last offset simply stays.
  const end = o + times2 * 9 + types2 * 6 + chars2 + leap2 * 12 + isstd2 + isut2;
  const footer = buf.toString('latin1', end, buf.length);
  const steady = /^\n[^\n,]+\n$/.test(footer);
  const first = buf.readInt32BE(o + times2 * 9) * 1000; // type 0: the zone's only type when nothing changes
  return { at, offset, after: steady ? (offset.length ? offset[offset.length - 1] : first) : undefined };
}

function transitions(zone: string): Transitions | null {
  let t = cache.get(zone);
  if (t === undefined) {
    t = null;
    if (ZONE_NAME.test(zone)) {
      try {
        t = parseTzif(readFileSync(join(process.env.TZDIR || '/usr/share/zoneinfo', zone)));
      } catch {
        t = null;
      }
    }
    cache.set(zone, t);
  }
  return t;
}

/** `zone`'s offset from UTC (local minus UTC, ms) at `ms`, or undefined when the database cannot say. */
export function zoneinfoOffset(zone: string, ms: number): number | undefined {
  const t = transitions(zone);
  if (!t) return undefined;
  if (t.at.length === 0 || ms >= t.at[t.at.length - 1]) return t.after;
  if (ms < t.at[0]) return undefined;
  let lo = 0;
  let hi = t.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.at[mid] <= ms) lo = mid;
    else hi = mid - 1;
  }
  return t.offset[lo];
}
