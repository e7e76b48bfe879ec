// The period of a report or an export: --since / --until as people write them.
import { UsageError } from './errors.js';
import { localParts, zonedTimeToUtc } from './calling-window.js';
import { isRealDay, shiftDays, type Day } from './when.js';

const DAY_MS = 86_400_000;

/** [since, until) — either end open when null. */
export interface Period {
  since: Date | null;
  until: Date | null;
}

export const PERIOD_FORMS = "'today', 'yesterday', '7d' (7 × 24 hours before now), '2026-11-01' (a day in your zone), or an ISO time '2026-11-01T09:00Z' (seconds and milliseconds too, as exports write them)";

/**
 * --since and --until. A day ('today', 'yesterday', a date) means its midnight in `zone`, the
 * viewer's zone, for both flags, as in `callq export`: `--since 2026-11-01 --until 2026-12-01` is
 * November, and `--until today` stops before today.
 */
export function parsePeriod(since: string | undefined, until: string | undefined, now: Date, zone: string): Period {
  const period = {
    since: since === undefined ? null : readBound(since, 'since', now, zone),
    until: until === undefined ? null : readBound(until, 'until', now, zone),
  };
  if (period.since && period.until && period.since >= period.until) {
    throw new UsageError(`--since ${since} is not before --until ${until}: the period would be empty. Swap them or widen the period.`);
  }
  return period;
}

function readBound(text: string, edge: 'since' | 'until', now: Date, zone: string): Date {
  const input = text.trim().toLowerCase();
  const fail = () => new UsageError(`cannot read --${edge} '${text}'. Accepted forms: ${PERIOD_FORMS}.`);
  const ago = /^(\d{1,4})d$/.exec(input);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * DAY_MS);
  // With milliseconds too, as every export and --json writes instants (2026-12-01T00:00:00.000Z).
  const time = /^(\d{4})-(\d{2})-(\d{2})[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(z|[+-]\d{2}:?\d{2})?$/.exec(input);
  if (time) {
    const [, y, mo, d, h, mi, sec, ms, offset] = time;
    const whole = offset
      ? Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec ?? '00'}${offset === 'z' ? 'Z' : offset.replace(/^([+-]\d{2}):?/, '$1:')}`)
      : zonedTimeToUtc({ year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +(sec ?? 0) }, zone).getTime();
    const at = new Date(whole + Number((ms ?? '').padEnd(3, '0')));
    if (Number.isNaN(at.getTime()) || +h > 23 || +mi > 59) throw fail();
    return at;
  }
  let day: Day;
  const today = localParts(now, zone);
  if (input === 'today') day = today;
  else if (input === 'yesterday') day = shiftDays(today, -1);
  else {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input);
    if (!m) throw fail();
    day = { year: +m[1], month: +m[2], day: +m[3] };
    if (!isRealDay(day)) throw fail();
  }
  return zonedTimeToUtc({ ...day, hour: 0, minute: 0 }, zone);
}

