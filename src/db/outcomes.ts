// Recording an outcome: claim check, call row, lead update and suppression in one immediate
// transaction — all of it or nothing.
import { statement, type DB } from './open.js';
import { getLead, type LeadRow } from './leads.js';
import { addSuppressions } from './suppressions.js';
import { UsageError } from '../core/errors.js';
import type { OutcomePlan } from '../core/outcome.js';
import { queueRank } from '../core/priority.js';
import { personSuppressionKeys } from '../core/suppression.js';
import { splitPhoneIdentity } from '../core/identity.js';
import type { Settings } from '../core/settings.js';
import { claimConflict } from '../core/claim-check.js';
import { parseAltPhones } from '../core/lead.js';
export { parseAltPhones };

export interface RecordOptions {
  leadId: number;
  rep: string;
  now: Date;
  /** For a call made outside the queue, when no one else holds the lead. */
  force: boolean;
  /** The claim token the caller holds (callq work passes it; callq log checks the rep's claim). */
  token?: string;
}

export interface Recorded {
  callId: number;
  lead: LeadRow;
  plan: OutcomePlan;
  /** Other leads with the same phone/email moved to do-not-call. */
  alsoSuppressed: number;
}


function checkClaim(lead: LeadRow, o: RecordOptions): void {
  const conflict = claimConflict(lead, o);
  if (conflict) throw conflict;
}

export function recordOutcome(db: DB, o: RecordOptions, settings: Settings, plan: (lead: LeadRow) => OutcomePlan): Recorded {
  const insertCall = statement(
    db,
    `INSERT INTO calls(lead_id, rep, called_at, disposition, contact, reason, notes, callback_at, nurture_until, duration_s, phone,
                       status_before, status_after, forced)
     VALUES (@lead_id, @rep, @called_at, @disposition, @contact, @reason, @notes, @callback_at, @nurture_until, @duration_s, @phone,
             @status_before, @status_after, @forced)`,
  );
  const updateLead = statement(
    db,
    // An extension belongs to its number: a lead moved to an alternate number (bad-number) loses it.
    `UPDATE leads SET status = @status, phone = @phone, phone_ext = CASE WHEN phone = @phone THEN phone_ext END, alt_phones = @alt_phones, attempts = @attempts, contacts = @contacts,
       attempts_since_contact = @attempts_since_contact, day_attempts = @day_attempts, attempt_day = @attempt_day,
       first_call_at = @first_call_at, last_call_at = @last_call_at, last_disposition = @last_disposition,
       next_eligible_at = @next_eligible_at, callback_at = @callback_at, callback_rep = @callback_rep, nurture_until = @nurture_until,
       qualification = COALESCE(@qualification, qualification), handoff_note = COALESCE(@handoff_note, handoff_note),
       disqualify_reason = @disqualify_reason, closed_at = @closed_at, queue_rank = @queue_rank,
       claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = @updated_at
     WHERE id = @id`,
  );

  return db
    .transaction((): Recorded => {
      const lead = getLead(db, o.leadId);
      if (!lead) throw new UsageError(`unknown lead ${o.leadId}: no lead has that id (see 'callq queue' or 'callq show ID').`);
      checkClaim(lead, o);
      const p = plan(lead);
      const nowIso = o.now.toISOString();
      const rank = queueRank(
        { ...lead, attempts: p.lead.attempts, last_call_at: p.lead.last_call_at },
        settings.weights,
      );
      const { lastInsertRowid } = insertCall.run({
        lead_id: lead.id,
        rep: o.rep,
        called_at: nowIso,
        ...p.call,
        contact: p.call.contact ? 1 : 0,
        status_before: lead.status,
        status_after: p.status,
        forced: o.force && lead.claim_rep !== o.rep ? 1 : 0,
      });
      updateLead.run({ ...p.lead, alt_phones: p.lead.alt_phones.length ? JSON.stringify(p.lead.alt_phones) : null, queue_rank: rank, updated_at: nowIso, id: lead.id });
      let alsoSuppressed = 0;
      if (p.suppress) alsoSuppressed = suppressContact(db, lead, 'do-not-call requested on a call', `call by ${o.rep}`, o.now);
      return { callId: Number(lastInsertRowid), lead: getLead(db, lead.id)!, plan: p, alsoSuppressed };
    })
    .immediate();
}

/**
 * Puts a lead's phone(s) and email on the do-not-call list and moves every other lead with the
 * same phone or email to do-not-call at once. Runs inside the caller's transaction.
 */
export function suppressContact(db: DB, lead: Pick<LeadRow, 'id' | 'phone' | 'phone_ext' | 'alt_phones' | 'email'>, reason: string, source: string, now: Date): number {
  const keys = personSuppressionKeys({ ...lead, alt_phones: parseAltPhones(lead.alt_phones) });
  addSuppressions(db, keys, reason, source, now);
  const pick = (kind: string) => keys.filter((k) => k.kind === kind).map((k) => k.value);
  return suppressMatchingLeads(db, pick('phone'), pick('email'), [], now, lead.id);
}

/**
 * Moves callable or closed leads matching any phone/email/domain to do-not-call. A phone with
 * an extension ('+12127363001;ext=101') matches that extension only; a bare number matches
 * every lead on it, whatever its extension, and alternates.
 */
export function suppressMatchingLeads(db: DB, phones: string[], emails: string[], domains: string[], now: Date, exceptId = -1): number {
  const ids = leadsMatching(db, 'leads', phones, emails, domains);
  ids.delete(exceptId);
  return moveToDoNotCall(db, ids, now);
}

/** Moves the leads `ids` to do-not-call (those not there yet); returns how many moved. */
export function moveToDoNotCall(db: DB, ids: Iterable<number>, now: Date): number {
  const update = db.prepare(
    `UPDATE leads SET status = 'do-not-call', closed_at = @now, next_eligible_at = NULL,
       claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = @now
     WHERE id = @id AND status != 'do-not-call'`,
  );
  const at = now.toISOString();
  let n = 0;
  for (const id of ids) n += update.run({ id, now: at }).changes;
  return n;
}

/**
 * The ids of the leads of `table` (leads, or a dry run's own) that phones, emails or domains
 * reach, as suppressMatchingLeads matches them. Alternates: through lead_alt_phones for leads,
 * from the JSON column for any other table (no trigger fills lead_alt_phones for it).
 */
export function leadsMatching(db: DB, table: string, phones: string[], emails: string[], domains: string[]): Set<number> {
  const ids = new Set<number>();
  const byPhone = db.prepare(`SELECT id FROM ${table} WHERE phone = ?`).pluck();
  const byExtension = db.prepare(`SELECT id FROM ${table} WHERE phone = ? AND phone_ext = ?`).pluck();
  const byEmail = db.prepare(`SELECT id FROM ${table} WHERE email = ?`).pluck();
  const byDomain = db.prepare(`SELECT id FROM ${table} WHERE email LIKE '%@' || ? ESCAPE '\\'`).pluck();
  const byAlt = db
    .prepare(table === 'leads' ? 'SELECT lead_id FROM lead_alt_phones WHERE phone = ?' : `SELECT t.id FROM ${table} t, json_each(t.alt_phones) a WHERE a.value = ?`)
    .pluck();
  for (const value of phones) {
    const { phone, ext } = splitPhoneIdentity(value);
    const found = ext ? byExtension.all(phone, ext) : [...byPhone.all(phone), ...byAlt.all(phone)];
    for (const id of found as number[]) ids.add(id);
  }
  for (const e of emails) for (const id of byEmail.all(e.toLowerCase()) as number[]) ids.add(id);
  for (const d of domains) for (const id of byDomain.all(d.toLowerCase().replace(/[\\%_]/g, '\\$&')) as number[]) ids.add(id);
  return ids;
}
