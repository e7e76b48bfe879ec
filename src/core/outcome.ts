// What an outcome does to a lead (docs/outcomes.md, "Recording outcomes"): a pure plan of
// the call row and the lead's new state. The database layer applies the plan in one transaction.
import { UsageError } from './errors.js';
import { assertTransition, type LeadStatus } from './lifecycle.js';
import type { Disposition } from './dispositions.js';
import { parseAltPhones, type LeadRow } from './lead.js';
import type { Settings } from './settings.js';
import { delayMs } from './eligibility.js';
import { addBusinessDays, describeHours, isOpen, isOpenIn, laterAllowed, leadZones, localParts, MANY_ZONES, nearestAllowed, nextOpen, readingZone, startOfNextLocalDay } from './calling-window.js';
import { formatBothZones, formatInZone } from './when.js';

export type OutcomeLead = Pick<
  LeadRow,
  'id' | 'status' | 'phone' | 'attempts' | 'contacts' | 'attempts_since_contact' | 'day_attempts' | 'attempt_day' | 'first_call_at'
> & {
  alt_phones: string[];
  /** The lead's candidate time zones. */
  zones: readonly string[];
};

/** What an outcome is planned from, read off the stored lead. */
export function outcomeLead(lead: LeadRow): OutcomeLead {
  return {
    id: lead.id,
    status: lead.status,
    phone: lead.phone,
    alt_phones: parseAltPhones(lead.alt_phones),
    zones: leadZones(lead),
    attempts: lead.attempts,
    contacts: lead.contacts,
    attempts_since_contact: lead.attempts_since_contact,
    day_attempts: lead.day_attempts,
    attempt_day: lead.attempt_day,
    first_call_at: lead.first_call_at,
  };
}

export interface OutcomeInput {
  disposition: Disposition;
  note?: string;
  /** Callback time (already parsed in the lead's zone). */
  at?: Date;
  /** Nurture date. */
  until?: Date;
  reason?: string;
  answers: Record<string, string | undefined>;
  durationS?: number;
  rep: string;
  /** The viewer's zone, to say times back in both zones. */
  viewerZone: string;
}

export interface OutcomePlan {
  status: LeadStatus;
  contact: boolean;
  /** Columns of the lead to set. */
  lead: {
    status: LeadStatus;
    phone: string;
    alt_phones: string[];
    attempts: number;
    contacts: number;
    attempts_since_contact: number;
    day_attempts: number;
    attempt_day: string | null;
    first_call_at: string;
    last_call_at: string;
    last_disposition: string;
    next_eligible_at: string | null;
    callback_at: string | null;
    callback_rep: string | null;
    nurture_until: string | null;
    qualification: string | null;
    handoff_note: string | null;
    disqualify_reason: string | null;
    closed_at: string | null;
  };
  call: {
    disposition: string;
    contact: boolean;
    reason: string | null;
    notes: string | null;
    callback_at: string | null;
    nurture_until: string | null;
    duration_s: number | null;
    phone: string;
  };
  /** Add the lead's phones and email to the do-not-call list. */
  suppress: boolean;
  /** What to tell the rep, e.g. when the lead comes back. */
  summary: string;
}

const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

/** How far ahead a callback (a promise to call at a time) and a nurture date may be: past that, a year was mistyped. */
const CALLBACK_HORIZON_MS = 366 * 86_400_000;
const NURTURE_HORIZON_MS = 5 * 366 * 86_400_000;

/**
 * When a retried lead is served again, as the read-back says it: the retry time, or, when that
 * falls outside the lead's calling hours (the evening, a night, the next local day's midnight
 * under max-per-day), the time its hours open after it, which is when the queue serves it.
 */
function backInQueue(zones: readonly string[], at: Date, settings: Settings, both: (at: Date) => string): string {
  const opens = zones.length > 0 ? nextOpen(zones, at, settings.hours) : null;
  if (opens === null || opens.getTime() === at.getTime()) return `back in the queue from ${both(at)}`;
  return `back in the queue from ${both(opens)}, when its calling hours open`;
}

export function planOutcome(lead: OutcomeLead, input: OutcomeInput, now: Date, settings: Settings): OutcomePlan {
  const d = input.disposition;
  // The lead's day (attempts per day, the next local day) is its first zone's, as eligibility
  // keeps it; times are said back in the zone they were read in (readingZone).
  const zone = lead.zones[0] ?? settings.defaultZone ?? input.viewerZone;
  const sayZone = readingZone(lead.zones, settings.defaultZone, input.viewerZone);
  const today = localParts(now, zone).dateKey;
  const contact = d.contact;
  const attempts = lead.attempts + 1;
  const dayAttempts = lead.attempt_day === today ? lead.day_attempts + 1 : 1;
  const sinceContact = contact ? 0 : lead.attempts_since_contact + 1;
  const nowIso = now.toISOString();
  const note = input.note?.trim() || null;

  // The earliest a lead may be called again under min-gap and max-per-day.
  let earliest = new Date(now.getTime() + delayMs(settings.minGap));
  if (dayAttempts >= settings.maxPerDay) earliest = later(earliest, startOfNextLocalDay(zone, now));

  const plan: OutcomePlan = {
    status: 'working',
    contact,
    lead: {
      status: 'working',
      phone: lead.phone,
      alt_phones: lead.alt_phones,
      attempts,
      contacts: lead.contacts + (contact ? 1 : 0),
      attempts_since_contact: sinceContact,
      day_attempts: dayAttempts,
      attempt_day: today,
      first_call_at: lead.first_call_at ?? nowIso,
      last_call_at: nowIso,
      last_disposition: d.name,
      next_eligible_at: earliest.toISOString(),
      callback_at: null,
      callback_rep: null,
      nurture_until: null,
      qualification: null,
      handoff_note: null,
      disqualify_reason: null,
      closed_at: null,
    },
    call: {
      disposition: d.name,
      contact,
      reason: null,
      notes: note,
      callback_at: null,
      nurture_until: null,
      duration_s: input.durationS ?? null,
      phone: lead.phone,
    },
    suppress: false,
    summary: '',
  };
  const both = (at: Date) => formatBothZones(at, sayZone, input.viewerZone, undefined, now);
  const close = (status: LeadStatus, reason: string | null) => {
    plan.status = status;
    plan.lead.disqualify_reason = reason;
    plan.lead.closed_at = nowIso;
    plan.lead.next_eligible_at = null;
    plan.call.reason = reason;
  };

  switch (d.kind) {
    case 'retry': {
      const delay = settings.retry[d.name] ?? { ms: 4 * 3_600_000, businessDays: 0 };
      let retryAt = new Date(now.getTime() + delay.ms);
      if (delay.businessDays) retryAt = addBusinessDays(zone, retryAt, delay.businessDays, settings.hours);
      const next = later(earliest, retryAt);
      plan.lead.next_eligible_at = next.toISOString();
      plan.summary = backInQueue(lead.zones, next, settings, both);
      break;
    }
    case 'bad-number': {
      const [nextPhone, ...rest] = lead.alt_phones;
      if (nextPhone) {
        plan.lead.phone = nextPhone;
        plan.lead.alt_phones = rest;
        // A different number: no need to wait out the gap meant for the same line.
        plan.lead.next_eligible_at = dayAttempts >= settings.maxPerDay ? earliest.toISOString() : nowIso;
        plan.summary = `bad number ${lead.phone}; next try ${nextPhone}`;
      } else {
        close('disqualified', 'bad-data');
        plan.summary = 'bad number and no alternate: disqualified (bad-data)';
      }
      break;
    }
    case 'callback': {
      if (!input.at) throw new UsageError(`'${d.name}' needs --at WHEN, e.g. --at 'tomorrow 10:00' (the lead's local time).`);
      if (input.at.getTime() <= now.getTime()) throw new UsageError(`the callback time ${both(input.at)} is in the past.`);
      if (input.at.getTime() - now.getTime() > CALLBACK_HORIZON_MS) {
        throw new UsageError(`the callback time ${both(input.at)} is more than a year away: a typo in the year? For a lead to call again much later, log nurture --until DATE.`);
      }
      if (lead.zones.length === 0) {
        // The queue never serves a lead whose zone is unknown, so the callback would never come back.
        throw new UsageError(
          `lead ${lead.id}'s time zone is unknown: callq cannot tell whether ${both(input.at)} is inside its calling hours, and the queue ` +
            'never serves a lead without one, so this callback would never come back. Give the lead its zone first: import it again ' +
            'with --on-duplicate update and a Time Zone, State or Country column (timezone.default, too, applies as leads are imported). ' +
            'Or log another outcome.',
        );
      }
      if (!isOpen(lead.zones, input.at, settings.hours)) {
        const nearest = nearestAllowed(lead.zones, input.at, settings.hours, now);
        const later = laterAllowed(lead.zones, input.at, nearest, settings.hours);
        throw new UsageError(
          refusedCallback(lead.zones, input.at, nearest, later, settings, input.viewerZone),
          nearest ? { suggested: nearest.toISOString(), ...(later ? { suggested_later: later.toISOString() } : {}) } : undefined,
        );
      }
      plan.status = 'callback';
      plan.lead.callback_at = plan.call.callback_at = input.at.toISOString();
      plan.lead.callback_rep = input.rep;
      plan.lead.next_eligible_at = input.at.toISOString();
      plan.summary = `callback for ${input.rep} at ${both(input.at)}`;
      break;
    }
    case 'nurture': {
      if (!input.until) throw new UsageError(`'${d.name}' needs --until DATE, e.g. --until 2027-02-01 or --until 'in 3 months'.`);
      if (input.until.getTime() <= now.getTime()) throw new UsageError('the nurture date is in the past.');
      if (input.until.getTime() - now.getTime() > NURTURE_HORIZON_MS) throw new UsageError(`the nurture date ${both(input.until)} is more than five years away: a typo in the year?`);
      plan.status = 'nurture';
      plan.lead.nurture_until = plan.call.nurture_until = input.until.toISOString();
      plan.lead.next_eligible_at = input.until.toISOString();
      plan.summary = `nurturing until ${both(input.until)}`;
      break;
    }
    case 'not-interested': {
      const reason = input.reason ?? 'not-interested';
      if (input.reason && !settings.reasons.includes(reason) && reason !== 'not-interested') throw unknownReason(reason, settings);
      close('disqualified', reason);
      plan.summary = `disqualified (${reason})`;
      break;
    }
    case 'disqualify': {
      if (!input.reason) throw new UsageError(`'${d.name}' needs --reason, one of: ${settings.reasons.join(', ')}.`);
      if (!settings.reasons.includes(input.reason)) throw unknownReason(input.reason, settings);
      close('disqualified', input.reason);
      plan.summary = `disqualified (${input.reason})`;
      break;
    }
    case 'do-not-call': {
      close('do-not-call', input.reason ?? null);
      plan.suppress = true;
      plan.summary = 'do-not-call: phone and email suppressed for good';
      break;
    }
    case 'qualified': {
      // An answer to a question the team does not ask would be dropped: Sales would never see it.
      const asked = [...settings.qualifyRequired, ...settings.qualifyOptional];
      const unknown = Object.keys(input.answers).filter((q) => input.answers[q]?.trim() && !asked.includes(q));
      if (unknown.length) {
        throw new UsageError(
          `${unknown.map((q) => `'${q}'`).join(', ')} ${unknown.length === 1 ? 'is not a qualification question' : 'are not qualification questions'} of this team ` +
            `(it asks ${asked.join(', ')}), so ${unknown.length === 1 ? 'it' : 'they'} would not reach Sales; nothing was recorded. ` +
            `Add ${unknown.length === 1 ? 'it' : 'them'} with: callq config set qualify.optional '${[...settings.qualifyOptional, ...unknown].join(',')}'`,
        );
      }
      const missing = settings.qualifyRequired.filter((q) => !input.answers[q]?.trim());
      if (missing.length) {
        throw new UsageError(`'${d.name}' needs the qualification answers ${missing.map((q) => `--${q}`).join(', ')} (required: ${settings.qualifyRequired.join(', ')}).`);
      }
      if (!note) throw new UsageError(`'${d.name}' needs a hand-off note for Sales: --note TEXT.`);
      const answers: Record<string, string> = {};
      for (const q of [...settings.qualifyRequired, ...settings.qualifyOptional]) {
        const a = input.answers[q]?.trim();
        if (a) answers[q] = a;
      }
      close('sales-ready', null);
      plan.lead.qualification = JSON.stringify(answers);
      plan.lead.handoff_note = note;
      plan.summary = 'sales-ready: will go to Sales with the next hand-off export';
      break;
    }
  }

  // Attempts without reaching anyone: after max-attempts the lead goes back to marketing.
  if (plan.status === 'working' && sinceContact >= settings.maxAttempts) {
    close('exhausted', null);
    plan.summary = `exhausted: ${sinceContact} attempts without contact (max-attempts ${settings.maxAttempts})`;
  }
  plan.lead.status = plan.status;
  assertTransition(lead.status, plan.status, lead.id);
  return plan;
}

function unknownReason(reason: string, settings: Settings): UsageError {
  return new UsageError(`unknown reason '${reason}': use one of ${settings.reasons.join(', ')} (the team can add more: callq config set reasons ...).`);
}

/**
 * Why a callback time is refused, with the nearest allowed time, and when that is earlier than
 * asked, the first allowed time after it (`later`). A number that may ring in several zones must
 * be inside hours in every one, so the message names the zone whose hours block the time (said
 * first) and gives both times in each of the lead's zones.
 */
function refusedCallback(zones: readonly string[], at: Date, nearest: Date | null, later: Date | null, settings: Settings, viewerZone: string): string {
  const hours = describeHours(settings.hours);
  const suggest = (show: (t: Date) => string) =>
    (nearest ? ` Nearest allowed time: ${show(nearest)} (--at ${nearest.toISOString()}).` : '') +
    (later ? ` The first after the time asked: ${show(later)} (--at ${later.toISOString()}).` : '');
  if (zones.length === 1) {
    return `${formatBothZones(at, zones[0], viewerZone)} is outside calling hours (${hours}).` + suggest((t) => formatBothZones(t, zones[0], viewerZone));
  }
  const blocking = zones.filter((z) => !isOpenIn(z, at, settings.hours));
  const allowing = zones.filter((z) => !blocking.includes(z));
  if (zones.length > MANY_ZONES) {
    // A toll-free number, or a mobile with only its country: a few zones named, times in the rep's.
    const some = (list: string[]) => `${list.slice(0, MANY_ZONES).join(', ')}${list.length > MANY_ZONES ? ` and ${list.length - MANY_ZONES} more` : ''}`;
    return (
      `${formatInZone(at, viewerZone)} (your time) is outside calling hours (${hours}) in ${blocking.length} of the ${zones.length} zones ` +
      `this lead's number may ring in (${some(blocking)}), and a call must be inside hours in every one.` +
      suggest((t) => `${formatInZone(t, viewerZone)} (your time)`)
    );
  }
  const inZones = (t: Date, list: string[]) => {
    const text = list.map((z) => `${formatInZone(t, z)} in ${z}`).join(' / ');
    const viewer = localParts(t, viewerZone), first = localParts(t, list[0]);
    const sameClock = viewer.dateKey === first.dateKey && viewer.hour === first.hour && viewer.minute === first.minute;
    return sameClock ? text : `${text} · ${formatInZone(t, viewerZone, { withDate: viewer.dateKey !== first.dateKey })} (you)`;
  };
  const blocked = `${inZones(at, blocking)} is outside calling hours (${hours})`;
  const though = allowing.length ? `; ${allowing.map((z) => `${formatInZone(at, z, { withDate: false })} in ${z}`).join(' and ')} would be inside them` : '';
  return (
    `${blocked}${though}. This lead's number may ring in ${zones.join(' or ')}, so a call must be inside hours in every one.` +
    suggest((t) => inZones(t, [...blocking, ...allowing]))
  );
}
