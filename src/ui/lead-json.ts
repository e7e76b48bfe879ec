// The stable JSON form of leads and calls that scripts rely on (docs/schema.md "JSON shapes").
import type { LeadRow } from '../db/leads.js';
import type { CallRow } from '../db/calls.js';
import { leadZones } from '../core/calling-window.js';
import { safeText } from './safe-text.js';

export function leadName(lead: Pick<LeadRow, 'first_name' | 'last_name'>): string {
  return [lead.first_name, lead.last_name].filter(Boolean).join(' ');
}

/** A lead's name for a human view: leadName as one safe line (safe-text.ts); '' when it has none. */
export function nameToShow(lead: Pick<LeadRow, 'first_name' | 'last_name'>): string {
  return safeText(leadName(lead));
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The stable JSON form of a lead. */
export function leadJson(lead: LeadRow): Record<string, unknown> {
  return {
    id: lead.id,
    name: leadName(lead),
    first_name: lead.first_name,
    last_name: lead.last_name,
    company: lead.company,
    title: lead.title,
    email: lead.email,
    phone: lead.phone,
    phone_ext: lead.phone_ext,
    // What a dialler dials (RFC 3966): the number, then the extension once the call connects.
    phone_uri: lead.phone ? `tel:${lead.phone}${lead.phone_ext ? `;ext=${lead.phone_ext}` : ''}` : null,
    phone_raw: lead.phone_raw,
    alt_phones: parseJson<string[]>(lead.alt_phones, []),
    country: lead.country,
    region: lead.region,
    postal_code: lead.postal_code,
    timezones: [...leadZones(lead)],
    timezone_source: lead.timezone_source,
    source: lead.source,
    campaign: lead.campaign,
    list: lead.list,
    score: lead.score,
    owner: lead.owner,
    status: lead.status,
    attempts: lead.attempts,
    contacts: lead.contacts,
    first_call_at: lead.first_call_at,
    last_call_at: lead.last_call_at,
    last_disposition: lead.last_disposition,
    next_eligible_at: lead.next_eligible_at,
    callback_at: lead.callback_at,
    callback_rep: lead.callback_rep,
    nurture_until: lead.nurture_until,
    claim: lead.claim_rep ? { rep: lead.claim_rep, expires_at: lead.claim_expires_at } : null,
    qualification: parseJson<Record<string, string> | null>(lead.qualification, null),
    handoff_note: lead.handoff_note,
    disqualify_reason: lead.disqualify_reason,
    inbound_at: lead.inbound_at,
    external_id: lead.external_id,
    external_system: lead.external_system,
    import_id: lead.import_id,
    handoff_id: lead.handoff_id,
    custom: parseJson<Record<string, string>>(lead.custom, {}),
    created_at: lead.created_at,
    updated_at: lead.updated_at,
  };
}

export function callJson(call: CallRow): Record<string, unknown> {
  return { ...call, contact: call.contact === 1, forced: call.forced === 1 };
}
