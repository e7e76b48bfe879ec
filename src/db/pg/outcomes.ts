// Recording an outcome on PostgreSQL (docs/outcomes.md; the same effect as src/db/outcomes.ts).
// The lead is read, the claim checked and the plan made in JS (src/core), then everything is
// written by ONE statement: the lead update, the call row and, for a do-not-call, the
// suppressions and the other leads with the same phone or e-mail, as data-modifying CTEs that
// all depend on the lead update. That update only matches while the lead is exactly as read
// (its claim — rep, token, expiry — and every column the plan was made from), so a claim stolen
// or expired between the read and the write records nothing: the lead is read again and the
// claim check says why.
import type { ClientBase } from 'pg';
import { statementName, statementParams } from './statement-names.js';
import type { LeadRow } from '../../core/lead.js';
import type { OutcomePlan } from '../../core/outcome.js';
import type { Settings } from '../../core/settings.js';
import type { Recorded, RecordOptions } from '../outcomes.js';
import { ConflictError, UsageError } from '../../core/errors.js';
import { claimConflict } from '../../core/claim-check.js';
import { queueRank } from '../../core/priority.js';
import { personSuppressionKeys } from '../../core/suppression.js';
import { splitPhoneIdentity } from '../../core/identity.js';
import { leadsReachedSql } from './suppressions.js';
import { parseAltPhones } from '../../core/lead.js';
export { parseAltPhones };

export type { Recorded, RecordOptions };


/** Columns the claim check and the plan read: the write requires them unchanged. */
const READ_COLUMNS = [
  'status', 'phone', 'phone_ext', 'alt_phones', 'email', 'attempts', 'contacts', 'attempts_since_contact', 'day_attempts', 'attempt_day',
  'first_call_at', 'claim_rep', 'claim_token', 'claim_expires_at', 'score', 'source', 'campaign', 'created_at',
] as const;

/** Times the lead may change under us (another outcome, an import merge) before giving up. */
const ATTEMPTS = 5;

/**
 * Records an outcome. `known` is the lead as the caller last saw it (callq work holds the row
 * its claim returned): the write is tried from it without reading the lead first, and since the
 * write only matches an unchanged lead, a stale `known` costs a read, never a wrong outcome.
 */
export async function recordOutcomePg(
  client: ClientBase,
  o: RecordOptions,
  settings: Settings,
  plan: (lead: LeadRow) => OutcomePlan,
  known?: LeadRow,
): Promise<Recorded> {
  let given = known?.id === o.leadId ? known : undefined;
  for (let attempt = 1; ; attempt++) {
    const lead = given ?? (await client.query<LeadRow>('SELECT * FROM leads WHERE id = $1', [o.leadId])).rows[0];
    if (!lead) throw new UsageError(`unknown lead ${o.leadId}: no lead has that id (see 'callq queue' or 'callq show ID').`);
    let p: OutcomePlan;
    try {
      const conflict = claimConflict(lead, o);
      if (conflict) throw conflict;
      p = plan(lead);
    } catch (err) {
      // Refused on the caller's copy: decide on the stored lead instead.
      if (given === undefined) throw err;
      given = undefined;
      continue;
    }
    given = undefined;
    const written = await writeOutcome(client, lead, p, o, settings);
    if (written) return { ...written, plan: p };
    if (attempt >= ATTEMPTS) throw new ConflictError(`lead ${lead.id} kept changing while the outcome was being recorded; nothing was recorded. Try again.`);
  }
}

async function writeOutcome(client: ClientBase, lead: LeadRow, p: OutcomePlan, o: RecordOptions, settings: Settings): Promise<Omit<Recorded, 'plan'> | null> {
  const { values, v } = statementParams();
  const nowIso = o.now.toISOString();
  const now = v(nowIso);
  const id = v(lead.id);
  const rank = queueRank({ ...lead, attempts: p.lead.attempts, last_call_at: p.lead.last_call_at }, settings.weights);
  const L = p.lead;
  const unchanged = READ_COLUMNS.map((c) => `${c} IS NOT DISTINCT FROM ${v(lead[c])}`).join(' AND ');
  // The rep's own live claim, checked again by the writing statement itself.
  const claimHeld =
    lead.claim_rep === o.rep && lead.claim_expires_at !== null && Date.parse(lead.claim_expires_at) > o.now.getTime()
      ? `AND claim_rep = ${v(o.rep)} AND claim_expires_at > ${now}${o.token === undefined ? '' : ` AND claim_token = ${v(o.token)}`}`
      : '';
  const newPhone = v(L.phone);
  const ctes = [
    `upd AS (
      UPDATE leads SET status = ${v(L.status)}, phone = ${newPhone}, phone_ext = CASE WHEN phone = ${newPhone} THEN phone_ext END,
        alt_phones = ${v(L.alt_phones.length ? JSON.stringify(L.alt_phones) : null)}, attempts = ${v(L.attempts)}, contacts = ${v(L.contacts)},
        attempts_since_contact = ${v(L.attempts_since_contact)}, day_attempts = ${v(L.day_attempts)}, attempt_day = ${v(L.attempt_day)},
        first_call_at = ${v(L.first_call_at)}, last_call_at = ${v(L.last_call_at)}, last_disposition = ${v(L.last_disposition)},
        next_eligible_at = ${v(L.next_eligible_at)}, callback_at = ${v(L.callback_at)}, callback_rep = ${v(L.callback_rep)},
        nurture_until = ${v(L.nurture_until)}, qualification = COALESCE(${v(L.qualification)}, qualification),
        handoff_note = COALESCE(${v(L.handoff_note)}, handoff_note), disqualify_reason = ${v(L.disqualify_reason)}, closed_at = ${v(L.closed_at)},
        queue_rank = ${v(rank)}, claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = ${now}
      WHERE id = ${id} AND ${unchanged} ${claimHeld}
      RETURNING *)`,
    `call AS (
      INSERT INTO calls(lead_id, rep, called_at, disposition, contact, reason, notes, callback_at, nurture_until, duration_s, phone,
                        status_before, status_after, forced)
      SELECT id, ${v(o.rep)}, ${now}, ${v(p.call.disposition)}, ${v(p.call.contact ? 1 : 0)}, ${v(p.call.reason)}, ${v(p.call.notes)},
        ${v(p.call.callback_at)}, ${v(p.call.nurture_until)}, ${v(p.call.duration_s)}, ${v(p.call.phone)}, ${v(lead.status)}, ${v(p.status)},
        ${v(o.force && lead.claim_rep !== o.rep ? 1 : 0)}
      FROM upd RETURNING id)`,
  ];
  let alsoSql = '0';
  if (p.suppress) {
    // As suppressContact: the person's keys on the list, and every other lead reached the same way
    // moved to do-not-call (a number with an extension matches that extension only).
    const keys = personSuppressionKeys({ ...lead, alt_phones: parseAltPhones(lead.alt_phones) });
    const phones = keys.filter((k) => k.kind === 'phone').map((k) => splitPhoneIdentity(k.value));
    ctes.push(
      `dnc AS (
        INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at)
        SELECT k, val, h, ${v('do-not-call requested on a call')}, ${v(`call by ${o.rep}`)}, ${now}
        FROM unnest(${v(keys.map((k) => k.kind))}::text[], ${v(keys.map((k) => k.value))}::text[], ${v(keys.map((k) => k.hash))}::text[]) AS s(k, val, h)
        WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (kind, value_hash) DO NOTHING)`,
    );
    const reached = leadsReachedSql(v, {
      bare: phones.filter((x) => !x.ext).map((x) => x.phone),
      withExt: phones.filter((x) => x.ext),
      emails: keys.filter((k) => k.kind === 'email').map((k) => k.value.toLowerCase()),
    });
    if (reached !== null) {
      ctes.push(
        `also AS (
          UPDATE leads SET status = 'do-not-call', closed_at = ${now}, next_eligible_at = NULL,
            claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = ${now}
          WHERE EXISTS (SELECT 1 FROM upd) AND id <> ${id} AND status <> 'do-not-call' AND id IN (${reached})
          RETURNING 1)`,
      );
      alsoSql = '(SELECT count(*) FROM also)';
    }
  }
  const text = `WITH ${ctes.join(',\n')}
     SELECT upd.*, (SELECT id FROM call) AS _call_id, ${alsoSql} AS _also FROM upd`;
  // A named statement: parsed and planned once per connection (a few shapes in all).
  const name = statementName('callq_outcome_', text);
  const { rows } = await client.query<LeadRow & { _call_id: number; _also: number }>({ name, text, values });
  if (!rows[0]) return null;
  const { _call_id: callId, _also: alsoSuppressed, ...updated } = rows[0];
  return { callId, lead: updated as LeadRow, alsoSuppressed: Number(alsoSuppressed) };
}
