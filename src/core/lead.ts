// A lead as the database stores it (docs/schema.md; JSON columns still as text).
// The domain's other views of a lead are picked from it, so a column is named in one place.
import type { LeadStatus } from './lifecycle.js';

export interface LeadRow {
  id: number;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  phone: string;
  phone_raw: string | null;
  alt_phones: string | null;
  country: string | null;
  region: string | null;
  postal_code: string | null;
  timezone: string | null;
  timezone_source: string | null;
  source: string | null;
  campaign: string | null;
  list: string | null;
  score: number;
  owner: string | null;
  custom: string | null;
  status: LeadStatus;
  attempts: number;
  contacts: number;
  attempts_since_contact: number;
  day_attempts: number;
  attempt_day: string | null;
  first_call_at: string | null;
  last_call_at: string | null;
  last_disposition: string | null;
  next_eligible_at: string | null;
  callback_at: string | null;
  callback_rep: string | null;
  nurture_until: string | null;
  claim_rep: string | null;
  claim_token: string | null;
  claim_expires_at: string | null;
  qualification: string | null;
  handoff_note: string | null;
  disqualify_reason: string | null;
  closed_at: string | null;
  inbound_at: string | null;
  queue_rank: number;
  import_id: number | null;
  handoff_id: number | null;
  purged_at: string | null;
  created_at: string;
  updated_at: string;
  /** Extension dialled after the number (digits); part of who the lead is. */
  phone_ext: string | null;
  /** The system that issued external_id (hubspot, salesforce, … or the id column's header). */
  external_system: string | null;
}

/** A lead's alternate phones, stored as a JSON array of numbers (anything else, or an empty entry, lists none). */
export function parseAltPhones(text: string | null): string[] {
  if (!text) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string' && p !== '') : [];
  } catch {
    return [];
  }
}
