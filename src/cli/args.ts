// Parsing the arguments several commands share: lead ids, queue filters, the viewer's zone.
import { UsageError } from '../core/errors.js';
import type { QueueFilters } from '../db/queue.js';

/** A lead id as given, or as the card shows it and a rep copies it: '265' or '#265'. */
export function parseLeadId(given: string | undefined): number {
  const text = given?.trim().replace(/^#/, '');
  const id = Number(text);
  if (!text || !/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`invalid lead '${given ?? ''}': expected a lead id (a positive number, as shown by 'callq next' or 'callq queue').`);
  }
  return id;
}

export function parseLimit(text: unknown, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`invalid --limit '${String(text)}': expected a whole number from 1 to 10000.`);
  return n;
}

/**
 * Commander's option values as it parsed them: a `<value>` option is a string, a flag a boolean,
 * a `<value...>` option an array of strings. Each command reads them once, with the readers
 * below, into its own typed options (its parse function) and uses only those.
 */
export type OptionValues = Readonly<Record<string, unknown>>;

/** A `<value>` option as given; undefined when absent. */
export function textOption(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** A `<value>` option trimmed; null when absent or blank. */
export function trimmedOption(values: OptionValues, key: string): string | null {
  return textOption(values, key)?.trim() || null;
}

/** A flag: true only when given. */
export function flagOption(values: OptionValues, key: string): boolean {
  return values[key] === true;
}

/** A `<value...>` option's values; none when absent. */
export function listOption(values: OptionValues, key: string): string[] {
  const value = values[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function queueFilters(values: OptionValues): QueueFilters {
  const filters: QueueFilters = {};
  for (const key of ['list', 'campaign', 'source'] as const) {
    const value = textOption(values, key)?.trim();
    if (value === '') throw new UsageError(`--${key} is empty: give the ${key} to call from, or leave the option out.`);
    if (value !== undefined) filters[key] = value;
  }
  return filters;
}

export function describeFilters(filters: QueueFilters): string {
  const parts = (['list', 'campaign', 'source'] as const).filter((k) => filters[k]).map((k) => `${k} ${filters[k]}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

let zone: string | undefined;

/**
 * The zone times are shown in for the person at the terminal (asked once: Intl costs ~0.1 ms a
 * call). UTC when Intl knows none: for an empty TZ it says 'Etc/Unknown', which it then refuses.
 */
export function viewerZone(): string {
  if (zone === undefined) {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    zone = local && local !== 'Etc/Unknown' ? local : 'UTC';
  }
  return zone;
}
