// Why a lead is or is not callable now, and when it will be (docs/working.md: `callq why`).
// Each blocker names the rule and, where the rule lifts by itself, the instant it does.
// The queue's SQL (db/queue.ts) applies the same rules to many leads at once; a property test
// (test/db/eligibility-property.test.ts) keeps the two in agreement, `callableAt` included.
import type { Delay } from './delay.js';
import type { Settings } from './settings.js';
import type { LeadRow } from './lead.js';
import { CALLABLE_STATUSES } from './lifecycle.js';
import { describeHours, isOpen, leadZones, localParts, MANY_ZONES, nextOpen } from './calling-window.js';

export function delayMs(d: Delay): number {
  return d.ms + d.businessDays * 86_400_000;
}

export type EligibilityLead = Pick<
  LeadRow,
  | 'id'
  | 'status'
  | 'timezone'
  | 'attempts'
  | 'attempts_since_contact'
  | 'day_attempts'
  | 'attempt_day'
  | 'last_call_at'
  | 'last_disposition'
  | 'next_eligible_at'
  | 'callback_at'
  | 'callback_rep'
  | 'nurture_until'
  | 'claim_rep'
  | 'claim_expires_at'
>;

export type BlockerRule = 'status' | 'suppressed' | 'claim' | 'callback' | 'nurture' | 'retry' | 'per-day' | 'attempts' | 'hours' | 'timezone';

export interface Blocker {
  rule: BlockerRule;
  message: string;
  /** When this blocker lifts by itself; null when it never does. */
  until: Date | null;
}

export interface Verdict {
  callable: boolean;
  blockers: Blocker[];
  /** The first instant at which every blocker is lifted, if that ever happens. */
  callableAt: Date | null;
}


/** When a colleague's live claim on the lead runs out (ms), or null when no one else holds it. */
export function claimedByOtherUntil(lead: Pick<EligibilityLead, 'claim_rep' | 'claim_expires_at'>, rep: string, now: Date): number | null {
  if (!lead.claim_rep || !lead.claim_expires_at || lead.claim_rep === rep) return null;
  const until = Date.parse(lead.claim_expires_at);
  return until > now.getTime() ? until : null;
}

/** When a callback is due for `rep` (ms): at its time for its own rep (or when it has none), after `callback.grace` for anyone else. */
export function callbackDueFor(lead: Pick<EligibilityLead, 'callback_at' | 'callback_rep'>, rep: string, settings: Settings): number {
  const due = Date.parse(lead.callback_at!);
  return !lead.callback_rep || lead.callback_rep === rep ? due : due + delayMs(settings.callbackGrace);
}

export function judgeLead(lead: EligibilityLead, now: Date, settings: Settings, rep: string, suppressed: string | null): Verdict {
  const blockers: Blocker[] = [];
  const zones = leadZones(lead);

  if (suppressed) blockers.push({ rule: 'suppressed', message: `on the do-not-call list (${suppressed})`, until: null });
  if (!CALLABLE_STATUSES.includes(lead.status)) {
    blockers.push({ rule: 'status', message: `status is '${lead.status}', which the queue never serves`, until: null });
  }
  const claimed = claimedByOtherUntil(lead, rep, now);
  if (claimed !== null) blockers.push({ rule: 'claim', message: `claimed by ${lead.claim_rep}`, until: new Date(claimed) });
  if (lead.status === 'callback' && lead.callback_at) {
    const mine = !lead.callback_rep || lead.callback_rep === rep;
    const lifts = callbackDueFor(lead, rep, settings);
    if (lifts > now.getTime()) {
      blockers.push({
        rule: 'callback',
        message: mine
          ? `callback scheduled${lead.callback_rep ? ` for ${lead.callback_rep}` : ''}`
          : `callback for ${lead.callback_rep} at its time; anyone may take it after the grace period (callback.grace)`,
        until: new Date(lifts),
      });
    }
  } else if (lead.next_eligible_at && Date.parse(lead.next_eligible_at) > now.getTime()) {
    const until = new Date(lead.next_eligible_at);
    const today = zones.length ? localParts(now, zones[0]).dateKey : null;
    if (lead.status === 'nurture') {
      blockers.push({ rule: 'nurture', message: 'nurturing (interested later)', until });
    } else if (lead.attempt_day === today && lead.day_attempts >= settings.maxPerDay) {
      blockers.push({ rule: 'per-day', message: `already called ${lead.day_attempts} times today (max-per-day ${settings.maxPerDay})`, until });
    } else {
      // The time was set when the call was logged, from the retry delay, min-gap and max-per-day
      // then in force (a later change of those settings applies to later calls).
      const why = lead.last_disposition
        ? `retry delay after '${lead.last_disposition}', min-gap and max-per-day, as set when that call was logged`
        : 'retry delay';
      blockers.push({ rule: 'retry', message: why, until });
    }
  }
  if (lead.attempts_since_contact >= settings.maxAttempts && CALLABLE_STATUSES.includes(lead.status)) {
    blockers.push({ rule: 'attempts', message: `${lead.attempts_since_contact} attempts without contact (max-attempts ${settings.maxAttempts})`, until: null });
  }

  if (zones.length === 0) {
    blockers.push({ rule: 'timezone', message: "time zone unknown: set the lead's timezone or timezone.default", until: null });
  } else {
    const lifted = blockers.reduce<number>((t, b) => (b.until ? Math.max(t, b.until.getTime()) : t), now.getTime());
    const from = new Date(lifted);
    if (!isOpen(zones, now, settings.hours)) {
      const next = nextOpen(zones, now, settings.hours);
      // Only the zones that block: a number that may ring in several is open in some of them.
      const closed = zones.filter((z) => !isOpen([z], now, settings.hours));
      const named = closed.length > MANY_ZONES ? [...closed.slice(0, MANY_ZONES), `${closed.length - MANY_ZONES} more`] : closed;
      const clock = (z: string) => `${pad(localParts(now, z).hour)}:${pad(localParts(now, z).minute)}`;
      blockers.push({
        rule: 'hours',
        message:
          `outside calling hours (${describeHours(settings.hours)}) in ${named.join(' and ')}` +
          `${zones.length > 1 ? ` (of the ${zones.length} zones its number may ring in)` : ''}; local time ${closed.slice(0, MANY_ZONES).map(clock).join(' / ')}`,
        until: next,
      });
    }
    // Even when every other blocker lifts later, the lead must then also be inside hours.
    const callableAt = blockers.some((b) => b.until === null) ? null : nextOpen(zones, from, settings.hours);
    return { callable: blockers.length === 0, blockers, callableAt: blockers.length === 0 ? now : callableAt };
  }
  return { callable: false, blockers, callableAt: null };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
