// Team settings (docs/setup.md: config). Stored as text key/value rows in the database;
// this module knows every key, its default, how to validate it, and builds the typed view the
// rest of the core uses. Pattern keys (weight.source.NAME, retry.NAME, disposition.NAME) let the
// team extend the lists.
import { UsageError } from './errors.js';
import { weightKey } from './priority.js';
import { formatDelay, parseDelay, type Delay } from './delay.js';
import {
  DEFAULT_DISPOSITIONS,
  DEFAULT_REASONS,
  DEFAULT_RETRY,
  formatDispositionSpec,
  parseDispositionSpec,
  type Disposition,
  type DispositionKind,
} from './dispositions.js';
import type { CallingHours } from './calling-window.js';

export interface Settings {
  hours: CallingHours;
  defaultZone: string | null;
  defaultCountry: string;
  maxAttempts: number;
  maxPerDay: number;
  minGap: Delay;
  lease: Delay;
  callbackGrace: Delay;
  retentionDays: number;
  retry: Record<string, Delay>;
  dispositions: Disposition[];
  reasons: string[];
  qualifyRequired: string[];
  qualifyOptional: string[];
  weights: PriorityWeights;
}

export interface PriorityWeights {
  /** Points per lead-score point (score is 0–100). */
  score: number;
  /** Points for a brand-new inbound lead; halves every freshHalfLife. */
  fresh: number;
  freshHalfLife: Delay;
  /** Points per attempt already made (negative: fewer attempts first). */
  attempt: number;
  /** Points per day waited since the last call (or since the lead was imported). */
  waitingPerDay: number;
  source: Record<string, number>;
  campaign: Record<string, number>;
}

type Validator = (value: string) => string | null; // returns an error description, or null when valid

interface SettingDef {
  key: string;
  default: string;
  describe: string;
  validate: Validator;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const isDelay: Validator = (v) => (parseDelay(v) ? null : "expected a delay like '30m', '4h', '2d' or '1bd'");
/** A delay in elapsed time (no business days) from `min` to `max` ms; `why` says what is wrong outside. */
const elapsedBetween =
  (min: number, max: number, range: string, why: string): Validator =>
  (v) => {
    const d = parseDelay(v);
    if (!d || d.businessDays) return `expected a delay from ${range} like '15m' or '1h30m' (business days do not apply here)`;
    return d.ms >= min && d.ms <= max ? null : `expected a delay from ${range}: ${why}`;
  };
const HOUR_MS = 3_600_000;
/**
 * A claim's lease: at least a minute, since a claim that has expired when the rep logs is refused
 * and its lead served to a colleague meanwhile; at most 8 hours, since a rep whose terminal died
 * keeps the lead from everyone that long (`callq work` renews a lease while its card is open).
 */
const isLease = elapsedBetween(60_000, 8 * HOUR_MS, '1m to 8h', 'a shorter claim expires before the call is logged, and its lead goes to a colleague meanwhile; a longer one keeps a lead from everyone when a rep\'s terminal dies');
const isGrace = elapsedBetween(0, 7 * 24 * HOUR_MS, '0m to 7d', 'a rep\'s due callback goes to anyone after it');
const isClock: Validator = (v) =>
  /^([01]\d|2[0-3]):[0-5]\d$/.test(v) || v === '24:00' ? null : "expected a local time 'HH:MM' (24-hour)";
/** The freshness half-life: a minute at least (shorter ones acted as one minute). */
const isHalfLife: Validator = (v) => {
  const d = parseDelay(v);
  if (!d) return "expected a delay like '30m', '4h', '2d' or '1bd'";
  return d.ms + d.businessDays * 86_400_000 >= 60_000 ? null : "expected a minute at least ('0m' would turn speed-to-lead off: set weight.fresh to 0 for that)";
};
const intIn =
  (min: number, max: number): Validator =>
  (v) =>
    /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? null : `expected a whole number from ${min} to ${max}`;
/**
 * The team's retention: at least a day, so a lead closed by mistake today is not erased by
 * tonight's `maintain`. A purge at once is a deliberate one-off: `maintain --retention 0`.
 */
const retentionDays: Validator = (v) =>
  v.trim() === '0'
    ? "expected a whole number from 1 to 36500; a stored 0 would erase tonight every lead disqualified by mistake today. For a purge now, run 'callq maintain --retention 0'"
    : intIn(1, 36500)(v);
const isNumber: Validator = (v) => (/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()) ? null : "expected a decimal number like '15', '-5' or '0.5'");
const isList: Validator = (v) =>
  v.split(',').every((item) => /^[a-z0-9][a-z0-9-]*$/.test(item.trim())) ? null : "expected a comma-separated list of lower-case codes like 'no-budget,competitor'";
const isOptionalList: Validator = (v) => (v.trim() === '' ? null : isList(v));
const isZoneOrEmpty: Validator = (v) => {
  if (v === '') return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return null;
  } catch {
    return "expected an IANA time zone like 'America/New_York', or '' for none";
  }
};
const isCountry: Validator = (v) => (/^[A-Z]{2}$/.test(v) ? null : "expected a two-letter country code like 'US'");
const isDays: Validator = (v) => (parseDays(v) ? null : "expected weekdays like 'mon-fri' or 'mon,tue,thu'");
const isHolidays: Validator = (v) =>
  v.trim() === '' || v.split(',').every((d) => isCalendarDate(d.trim())) ? null : "expected real dates 'YYYY-MM-DD' or yearly 'MM-DD', comma-separated";

/** 'YYYY-MM-DD' or yearly 'MM-DD' that exists on the calendar (a yearly 02-29 is allowed). */
function isCalendarDate(text: string): boolean {
  const m = text.match(/^(?:(\d{4})-)?(\d{2})-(\d{2})$/);
  if (!m) return false;
  const [year, month, day] = [Number(m[1] ?? 2000), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const SETTINGS: readonly SettingDef[] = [
  { key: 'hours.days', default: 'mon-fri', describe: 'weekdays on which leads are called (lead local time)', validate: isDays },
  { key: 'hours.start', default: '09:00', describe: 'start of calling hours, lead local time (never before 08:00)', validate: isClock },
  { key: 'hours.end', default: '17:00', describe: 'end of calling hours, lead local time (never after 21:00)', validate: isClock },
  { key: 'hours.holidays', default: '', describe: "local dates with no calls: 'YYYY-MM-DD' or yearly 'MM-DD'", validate: isHolidays },
  { key: 'timezone.default', default: '', describe: "zone assumed when a lead's zone cannot be found ('' = leave unknown)", validate: isZoneOrEmpty },
  { key: 'country.default', default: 'US', describe: 'country assumed for phone numbers without a country code', validate: isCountry },
  { key: 'max-attempts', default: '8', describe: 'attempts without contact before a lead is exhausted', validate: intIn(1, 100) },
  { key: 'max-per-day', default: '2', describe: 'attempts per lead per local day', validate: intIn(1, 20) },
  { key: 'min-gap', default: '1h', describe: 'least time between two calls of one lead', validate: isDelay },
  { key: 'lease', default: '15m', describe: 'how long a claim holds a lead for one rep (1m to 8h)', validate: isLease },
  {
    key: 'busy-timeout',
    default: '5s',
    describe: 'how long a command waits for another writer before exiting 75 (CALLQ_BUSY_TIMEOUT overrides it)',
    validate: (v) => (parseBusyTimeout(v) === null ? "expected milliseconds like '5000' or a duration like '10s' or '2m' (at most 1h)" : null),
  },
  { key: 'callback.grace', default: '15m', describe: "after this, a rep's due callback goes to anyone", validate: isGrace },
  { key: 'retention', default: '365', describe: 'days before personal data of disqualified/do-not-call leads is purged', validate: retentionDays },
  { key: 'reasons', default: DEFAULT_REASONS.join(','), describe: 'disqualification reasons reps may choose', validate: isList },
  { key: 'qualify.required', default: 'need,timeframe,authority', describe: 'answers required to mark a lead qualified', validate: isOptionalList },
  { key: 'qualify.optional', default: 'budget', describe: 'answers asked for but not required', validate: isOptionalList },
  { key: 'weight.score', default: '0.5', describe: 'queue points per lead-score point (0–100)', validate: isNumber },
  { key: 'weight.fresh', default: '200', describe: 'queue points for a brand-new inbound lead (speed-to-lead)', validate: isNumber },
  { key: 'weight.fresh.half-life', default: '30m', describe: 'time in which the freshness points halve', validate: isHalfLife },
  { key: 'weight.attempt', default: '-5', describe: 'queue points per attempt already made', validate: isNumber },
  { key: 'weight.waiting', default: '2', describe: 'queue points per day since the last call (or import)', validate: isNumber },
  ...Object.entries(DEFAULT_RETRY).map(([name, delay]) => ({
    key: `retry.${name}`,
    default: delay,
    describe: `retry delay after '${name}'`,
    validate: isDelay,
  })),
  ...DEFAULT_DISPOSITIONS.map((d) => ({
    key: `disposition.${d.name}`,
    default: formatDispositionSpec(d),
    describe: `effect of '${d.name}' (KIND [contact|no-contact] [after=DELAY], or off)`,
    validate: dispositionValidator(d.name),
  })),
];

/** Keys the team may create: NAME is a lower-case code (a source's or campaign's: weightKey, any script). */
const PATTERNS: readonly { re: RegExp; describe: string; validate: (name: string) => Validator }[] = [
  { re: /^weight\.source\.([\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{N}-]*)$/u, describe: 'queue points for leads from this source', validate: () => isNumber },
  { re: /^weight\.campaign\.([\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{N}-]*)$/u, describe: 'queue points for leads of this campaign', validate: () => isNumber },
  { re: /^retry\.([a-z0-9][a-z0-9-]*)$/, describe: 'retry delay after this disposition', validate: () => isDelay },
  { re: /^disposition\.([a-z0-9][a-z0-9-]*)$/, describe: 'a disposition and its effect', validate: (name) => dispositionValidator(name) },
];

/** Words of `callq work`'s own keys, which a team's disposition may not take as its name. */
const SESSION_WORDS = new Set(['skip', 'history', 'help', 'quit', 'menu', 'note']);

function dispositionValidator(name: string): Validator {
  return (v) => {
    const spec = parseDispositionSpec(name, v);
    if (!spec) {
      return "expected 'KIND [contact|no-contact] [after=DELAY]' with KIND one of retry, bad-number, callback, nurture, not-interested, disqualify, do-not-call, qualified; or 'off'";
    }
    const builtIn = DEFAULT_DISPOSITIONS.some((d) => d.name === name);
    if (!builtIn && SESSION_WORDS.has(name) && spec !== 'off') return `'${name}' is one of callq work's own actions; give the disposition another name`;
    if (name === 'do-not-call' && (spec === 'off' || spec.kind !== 'do-not-call')) {
      return 'do-not-call always puts the person on the do-not-call list: a rep must be able to honour that request on every call. Its contact flag is all that may change';
    }
    if (spec === 'off' || spec.after === undefined) return null;
    if (spec.kind !== 'retry') return `after= sets the delay of a retry disposition; '${spec.kind}' does not retry after a delay`;
    return parseDelay(spec.after) ? null : `after=${spec.after} is not a delay like '30m', '4h', '2d' or '1bd'`;
  };
}

export function parseDays(text: string): number[] | null {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(',').map((p) => p.trim())) {
    const range = part.match(/^([a-z]{3})(?:-([a-z]{3}))?$/);
    if (!range) return null;
    const from = WEEKDAYS.indexOf(range[1]);
    const to = WEEKDAYS.indexOf(range[2] ?? range[1]);
    if (from < 0 || to < 0) return null;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days].sort();
}

/**
 * A busy timeout as a setting or CALLQ_BUSY_TIMEOUT gives it: plain milliseconds ('5000'), or a
 * duration ('500ms', '10s', '2m', '1m30s'). At most an hour. Null when unreadable.
 */
export function parseBusyTimeout(text: string): number | null {
  const t = text.trim().toLowerCase();
  let ms: number | null = null;
  if (/^\d+$/.test(t)) ms = Number(t);
  else if (/^\d+(?:\.\d+)?\s*ms$/.test(t)) ms = Math.round(parseFloat(t));
  else {
    const delay = parseDelay(t);
    if (delay && delay.businessDays === 0) ms = Math.round(delay.ms);
  }
  return ms !== null && Number.isFinite(ms) && ms <= 3_600_000 ? ms : null;
}

export interface SettingInfo {
  key: string;
  value: string;
  default: string | null;
  describe: string;
  isDefault: boolean;
}

function definitionOf(key: string): { default: string | null; describe: string; validate: Validator } | null {
  const def = SETTINGS.find((s) => s.key === key);
  if (def) return def;
  for (const pattern of PATTERNS) {
    const m = key.match(pattern.re);
    if (m) return { default: null, describe: pattern.describe, validate: pattern.validate(m[1]) };
  }
  return null;
}

/**
 * A setting's key as it is stored: in weight.source.NAME and weight.campaign.NAME, NAME as the
 * source or campaign is written on leads, turned into the code leads are matched by
 * ('weight.source.Trade Show' → 'weight.source.trade-show'; core/priority.ts weightKey).
 */
export function settingKey(key: string): string {
  const m = /^(weight\.(?:source|campaign)\.)(.+)$/s.exec(key.trim());
  return m ? m[1] + weightKey(m[2]) : key.trim();
}

/** The error for a key callq does not know: the known key it likely meant, else where to look. */
export function unknownSetting(key: string): UsageError {
  const team = /^(retry|disposition)\.(.*)$/.exec(key);
  if (team) {
    return new UsageError(
      `unknown setting '${key}': in ${team[1]}.NAME, NAME is a lower-case code of letters, digits and dashes (like '${team[1]}.wrong-person').`,
    );
  }
  const meant = closestKey(key);
  return new UsageError(
    `unknown setting '${key}'.${meant ? ` Did you mean ${meant}?` : ''} Run 'callq config list' to see every setting; ` +
      'team-defined keys are weight.source.NAME and weight.campaign.NAME (NAME as it is written on leads), retry.NAME and disposition.NAME.',
  );
}

/** The built-in key within two edits of `key` (a typo: 'hours.endd', 'maxattempts'), or null. */
function closestKey(key: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const { key: known } of SETTINGS) {
    const d = editDistance(key.toLowerCase(), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/** Validates one `config set KEY VALUE`; returns the normalised value or throws a UsageError. */
export function validateSetting(key: string, value: string): string {
  const def = definitionOf(key);
  if (!def) throw unknownSetting(key);
  const normalised = normalise(key, value.trim());
  const problem = def.validate(normalised);
  if (problem) throw new UsageError(`invalid value '${value}' for ${key}: ${problem}.`);
  const start = key === 'hours.start' ? normalised : undefined;
  const end = key === 'hours.end' ? normalised : undefined;
  if ((start && start >= '21:00') || (end && end <= '08:00')) {
    throw new UsageError(`invalid value '${value}' for ${key}: calling hours must overlap 08:00–21:00 local, the legal limit.`);
  }
  return normalised;
}

const LISTS = new Set(['reasons', 'qualify.required', 'qualify.optional', 'hours.holidays']);

/**
 * A value as it is stored: a country code in capitals, a zone as the time-zone database spells
 * it ('america/new_york' → 'America/New_York'), '9:00' as '09:00', weekdays in lower case, a
 * list without spaces or repeats. Anything unreadable is left for the validator to refuse.
 */
function normalise(key: string, value: string): string {
  if (key === 'country.default') return value.toUpperCase();
  if (key === 'hours.days') return value.toLowerCase().replace(/\s+/g, '');
  if ((key === 'hours.start' || key === 'hours.end') && /^\d:[0-5]\d$/.test(value)) return `0${value}`;
  if (LISTS.has(key)) return [...new Set(value.split(',').map((item) => item.trim()).filter(Boolean))].join(',');
  if (key === 'timezone.default' && value !== '') {
    // Only the spelling's case: ICU's canonical id of a link is often the legacy name
    // (Asia/Kolkata → Asia/Calcutta, EST → America/Panama), which imports never store.
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
      return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Why `key` cannot take `value` (already validated alone) given the team's other settings, or
 * null: calling hours that would let no call through; a retry delay for a disposition that does
 * not retry (a typo in its name would otherwise be stored and never used).
 */
export function settingProblem(stored: ReadonlyMap<string, string>, key: string, value: string): string | null {
  const get = (k: string) => storedOrDefault(stored, k);
  if (key === 'hours.start') return emptyHoursProblem(value, get('hours.end'));
  if (key === 'hours.end') return emptyHoursProblem(get('hours.start'), value);
  if (key === 'qualify.required' || key === 'qualify.optional') {
    const other = key === 'qualify.required' ? 'qualify.optional' : 'qualify.required';
    const both = value.split(',').filter((q) => q && get(other).split(',').includes(q));
    if (both.length) return `${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} in ${other} too: a question is either required or optional`;
  }
  const retry = /^retry\.(.+)$/.exec(key);
  if (retry) {
    const dispositions = resolveSettings(stored).dispositions;
    const d = dispositions.find((x) => x.name === retry[1]);
    if (d?.kind === 'retry') return null;
    const retrying = dispositions.filter((x) => x.kind === 'retry').map((x) => x.name).join(', ');
    return `${key} sets the delay of a retry disposition, and '${retry[1]}' is ${d ? `a ${d.kind} disposition` : 'no disposition'}. The retry dispositions are ${retrying}`;
  }
  return null;
}

/** A built-in setting's value: the team's, else its default. */
function storedOrDefault(stored: ReadonlyMap<string, string>, key: string): string {
  return stored.get(key) ?? SETTINGS.find((s) => s.key === key)!.default;
}

const KIND_EFFECTS: Record<DispositionKind, string> = {
  retry: 'retries the lead after a delay',
  'bad-number': 'tries the next phone, else disqualifies the lead (bad-data)',
  callback: 'books a callback',
  nurture: 'puts the lead in nurture until a date',
  'not-interested': 'disqualifies the lead (not-interested)',
  disqualify: 'disqualifies the lead with a reason',
  'do-not-call': "puts the person's phone and e-mail on the do-not-call list for good",
  qualified: 'hands the lead to Sales as sales-ready',
};

/**
 * What to tell whoever stored `value` in `key`, or null: calling hours past the legal limit;
 * a built-in disposition given another kind of effect (every rep's habit of pressing it stays);
 * delays and limits that apply to calls logged from now on, not to leads already waiting.
 */
export function settingWarning(key: string, value: string): string | null {
  const hours = hoursLimitWarning(key, value);
  if (hours) return hours;
  const disposition = /^disposition\.(.+)$/.exec(key);
  if (disposition) {
    const builtIn = DEFAULT_DISPOSITIONS.find((d) => d.name === disposition[1]);
    const spec = parseDispositionSpec(disposition[1], value);
    if (builtIn && spec && spec !== 'off' && spec.kind !== builtIn.kind) {
      return `'${builtIn.name}' now ${KIND_EFFECTS[spec.kind]}, where by default it ${KIND_EFFECTS[builtIn.kind]}. Tell the reps; 'callq config unset ${key}' puts it back.`;
    }
    if (spec && spec !== 'off' && spec.after) return `${key}'s delay ${FROM_NOW_ON}`;
  }
  if (/^retry\./.test(key) || key === 'min-gap' || key === 'max-per-day') return `${key} ${FROM_NOW_ON}`;
  return null;
}

const FROM_NOW_ON = 'applies to calls logged from now on; leads already waiting keep the time set when their call was logged.';

/**
 * Why calling hours from `start` to `end` would let no call through (the window, within the legal
 * 08:00–21:00, is empty: a start after the end), or null.
 */
export function emptyHoursProblem(start: string, end: string): string | null {
  const from = start < '08:00' ? '08:00' : start;
  const to = end > '21:00' ? '21:00' : end;
  return from < to ? null : `calling hours would run from ${start} to ${end}: no lead would ever be callable. Set hours.start before hours.end`;
}

/**
 * What to tell whoever sets calling hours past the legal limit: accepted (the hours still overlap
 * it), but no call is ever placed before 08:00 or after 21:00 local. Null within the limit.
 */
export function hoursLimitWarning(key: string, value: string): string | null {
  if (key === 'hours.start' && value < '08:00') return `hours.start ${value} acts as 08:00: no call is placed before 08:00 local, the legal limit.`;
  if (key === 'hours.end' && value > '21:00') return `hours.end ${value} acts as 21:00: no call is placed after 21:00 local, the legal limit.`;
  return null;
}

/**
 * Every known setting with its effective value, defaults first then team-defined keys. A retry
 * delay not set as retry.NAME but by its disposition's after= shows that delay, the one in use.
 */
export function listSettings(stored: ReadonlyMap<string, string>): SettingInfo[] {
  const afters = new Map(resolveSettings(stored).dispositions.filter((d) => d.after !== undefined).map((d) => [`retry.${d.name}`, d.after!]));
  const out: SettingInfo[] = SETTINGS.map((s) => ({
    key: s.key,
    value: stored.get(s.key) ?? afters.get(s.key) ?? s.default,
    default: s.default,
    describe: s.describe,
    isDefault: !stored.has(s.key) && !afters.has(s.key),
  }));
  for (const [key, value] of [...stored].sort(([a], [b]) => a.localeCompare(b))) {
    if (SETTINGS.some((s) => s.key === key)) continue;
    const def = definitionOf(key);
    out.push({ key, value, default: null, describe: def?.describe ?? '(unknown key)', isDefault: false });
  }
  return out;
}

/**
 * One setting's effective value. A team-defined key not set has its value in effect: a source's
 * or campaign's weight 0, a disposition 'off', a team disposition's retry delay as it retries.
 */
export function getSetting(stored: ReadonlyMap<string, string>, key: string): SettingInfo {
  const info = listSettings(stored).find((s) => s.key === key);
  if (info) return info;
  const def = definitionOf(key);
  if (def) {
    const name = key.slice(key.indexOf('.') + 1);
    const retry = key.startsWith('retry.') ? resolveSettings(stored).retry[name] : undefined;
    const value = key.startsWith('weight.') ? '0' : key.startsWith('disposition.') ? 'off' : retry ? formatDelay(retry) : null;
    if (value !== null) return { key, value, default: value, describe: def.describe, isDefault: true };
  }
  throw unknownSetting(key);
}

/** The typed settings the core works with. Stored values were validated when set. */
export function resolveSettings(stored: ReadonlyMap<string, string>): Settings {
  const get = (key: string): string => storedOrDefault(stored, key);
  const delay = (key: string): Delay => parseDelay(get(key))!;
  const list = (key: string): string[] => get(key).split(',').map((s) => s.trim()).filter(Boolean);

  const dispositions = new Map<string, Disposition>(DEFAULT_DISPOSITIONS.map((d) => [d.name, { ...d }]));
  const retry: Record<string, Delay> = {};
  const source: Record<string, number> = {};
  const campaign: Record<string, number> = {};
  for (const [key, value] of stored) {
    let m: RegExpMatchArray | null;
    if ((m = key.match(/^disposition\.(.+)$/))) {
      const spec = parseDispositionSpec(m[1], value);
      if (spec === 'off') dispositions.delete(m[1]);
      else if (spec) dispositions.set(m[1], spec);
    } else if ((m = key.match(/^weight\.source\.(.+)$/))) source[m[1]] = Number(value);
    else if ((m = key.match(/^weight\.campaign\.(.+)$/))) campaign[m[1]] = Number(value);
  }
  for (const d of dispositions.values()) {
    if (d.kind !== 'retry') continue;
    const text = stored.get(`retry.${d.name}`) ?? d.after ?? DEFAULT_RETRY[d.name] ?? '4h';
    retry[d.name] = parseDelay(text) ?? { ms: 4 * 3_600_000, businessDays: 0 };
  }

  return {
    hours: { days: parseDays(get('hours.days'))!, start: get('hours.start'), end: get('hours.end'), holidays: list('hours.holidays') },
    defaultZone: get('timezone.default') || null,
    defaultCountry: get('country.default'),
    maxAttempts: Number(get('max-attempts')),
    maxPerDay: Number(get('max-per-day')),
    minGap: delay('min-gap'),
    lease: delay('lease'),
    callbackGrace: delay('callback.grace'),
    retentionDays: Number(get('retention')),
    retry,
    dispositions: [...dispositions.values()],
    reasons: list('reasons'),
    qualifyRequired: list('qualify.required'),
    qualifyOptional: list('qualify.optional'),
    weights: {
      score: Number(get('weight.score')),
      fresh: Number(get('weight.fresh')),
      freshHalfLife: delay('weight.fresh.half-life'),
      attempt: Number(get('weight.attempt')),
      waitingPerDay: Number(get('weight.waiting')),
      source,
      campaign,
    },
  };
}

/** Keys whose change alters the stored queue order (the leads' queue_rank must be recomputed). */
export function affectsQueueRank(key: string): boolean {
  return key === 'weight.score' || key === 'weight.attempt' || key === 'weight.waiting' || /^weight\.(source|campaign)\./.test(key);
}
