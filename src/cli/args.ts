// Parsing the arguments several commands share: lead ids, queue filters, the viewer's zone.
import { UsageError } from '../core/errors.js';
import type { QueueFilters } from '../db/queue.js';

export function parseLeadId(text: string | undefined): number {
  const id = Number(text);
  if (!text || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`invalid lead '${text ?? ''}': expected a lead id (a positive number, as shown by 'callq next' or 'callq queue').`);
  }
  return id;
}

export function parseLimit(text: unknown, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`invalid --limit '${String(text)}': expected a whole number from 1 to 10000.`);
  return n;
}

export function queueFilters(opts: Record<string, unknown>): QueueFilters {
  const filters: QueueFilters = {};
  for (const key of ['list', 'campaign', 'source'] as const) {
    if (typeof opts[key] === 'string') filters[key] = (opts[key] as string).trim();
  }
  return filters;
}

export function describeFilters(filters: QueueFilters): string {
  const parts = (['list', 'campaign', 'source'] as const).filter((k) => filters[k]).map((k) => `${k} ${filters[k]}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

let zone: string | undefined;

/** The zone times are shown in for the person at the terminal (asked once: Intl costs ~0.1 ms a call). */
export function viewerZone(): string {
  return (zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}
