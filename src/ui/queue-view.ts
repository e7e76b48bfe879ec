// Words for the queue: why a lead is next, why nothing is.
import type { EmptyQueue, QueueReason } from '../db/queue.js';
import { formatInZone } from '../core/when.js';
import type { LeadRow } from '../core/lead.js';
import { nameToShow } from './lead-json.js';

/** Said when a lead the rep held past its calling hours is given back (app/claim-to-serve.ts). */
export function closedNotice(lead: LeadRow): string {
  const name = nameToShow(lead);
  return `Lead #${lead.id}${name ? ` ${name}` : ''} went back to the queue: its calling hours have closed since you took it. Do not dial it now.`;
}

/** Why a lead is next: in words, and in a word or two for the queue's table. */
const REASONS: Record<QueueReason | 'held', [whole: string, short: string]> = {
  'callback-mine': ['your callback is due', 'your callback'],
  callback: ["a colleague's callback is past its grace period", 'overdue callback'],
  fresh: ['a fresh inbound lead (speed-to-lead)', 'fresh inbound'],
  score: ['highest score among callable leads', 'score'],
  held: ['you already hold this lead', 'held by you'],
};

export function describeReason(reason: QueueReason | 'held'): string {
  return REASONS[reason][0];
}

/** The reason in a word or two, for the queue's table (its `--explain` and the card give it whole). */
export function shortReason(reason: QueueReason | 'held'): string {
  return REASONS[reason][1];
}

export function describeEmptyQueue(e: EmptyQueue, filterText: string, viewerZone: string): string {
  if (e.callable === 0) {
    if (filterText) {
      return `no lead still to call matches${filterText}: a list, campaign or source is matched whole (in any case); check the name, or leave the filter out.`;
    }
    return `the queue is empty: no lead is in a callable status (new, working, callback, nurture). Import a list with 'callq import FILE'.`;
  }
  const parts: string[] = [];
  if (e.outside_hours) parts.push(`${e.outside_hours} outside calling hours`);
  if (e.waiting_retry) parts.push(`${e.waiting_retry} waiting for a retry time`);
  if (e.claimed_by_others) parts.push(`${e.claimed_by_others} claimed by colleagues`);
  if (e.callbacks_later) parts.push(`${e.callbacks_later} callbacks not yet due`);
  if (e.unknown_timezone) parts.push(`${e.unknown_timezone} with an unknown time zone (set timezone.default or the lead's zone)`);
  const when = e.next_open ? ` The next lead becomes callable at ${formatInZone(new Date(e.next_open), viewerZone, { withDate: true })}.` : ' No lead will become callable by itself.';
  const why = parts.length ? `: ${parts.join(', ')}` : '';
  return `no lead can be called right now${filterText}. Of ${e.callable} lead(s) still to call${why}.${when}`;
}
