// Whether an outcome may be recorded against a lead's claim (docs/outcomes.md): the rep's own
// live claim (with the token, when one is given), or --force when no colleague holds the lead.
import { ConflictError } from './errors.js';
import type { LeadRow } from './lead.js';
import { formatDuration } from './when.js';

export interface ClaimUse {
  rep: string;
  now: Date;
  force: boolean;
  token?: string;
}

/** What a rep is told of a lead that became do-not-call while they held it. */
export function doNotCallNow(leadId: number): string {
  return `lead ${leadId} is do-not-call now (its number or e-mail went on the do-not-call list, from a colleague's call or the list itself): do not call it. Nothing was recorded.`;
}

/** The conflict that refuses the outcome, or null when it may be recorded. */
export function claimConflict(
  lead: Pick<LeadRow, 'id' | 'claim_rep' | 'claim_token' | 'claim_expires_at' | 'status'>,
  o: ClaimUse,
): ConflictError | null {
  const live = lead.claim_rep !== null && lead.claim_expires_at !== null && Date.parse(lead.claim_expires_at) > o.now.getTime();
  const mine = live && lead.claim_rep === o.rep && (o.token === undefined || o.token === lead.claim_token);
  if (mine) return null;
  // A do-not-call reaching the lead (a colleague's call on the same number, the list) ends its
  // claim: the rep must hear that, not that the claim expired. (With --force the outcome's own
  // rule speaks: 'do-not-call' is final.)
  if (lead.status === 'do-not-call' && !o.force) return new ConflictError(doNotCallNow(lead.id));
  if (live && lead.claim_rep !== o.rep) {
    const left = formatDuration((Date.parse(lead.claim_expires_at!) - o.now.getTime()) / 1000);
    return new ConflictError(`lead ${lead.id} is claimed by ${lead.claim_rep} (for another ${left} unless they log or give it back); nothing was recorded.`, {
      claimed_by: lead.claim_rep,
      claim_expires_at: lead.claim_expires_at,
    });
  }
  if (o.force) return null;
  if (live) {
    return new ConflictError(
      `the token given does not match your claim on lead ${lead.id} (a newer claim of yours replaced it, or the token is mistyped); nothing was recorded. Log with the current claim's token, or without --token.`,
    );
  }
  if (lead.claim_rep === o.rep && lead.claim_expires_at) {
    return new ConflictError(
      `your claim on lead ${lead.id} expired ${formatDuration(Math.max(0, o.now.getTime() - Date.parse(lead.claim_expires_at)) / 1000)} ago; nothing was recorded. ` +
        'If you did make this call and no one else has the lead, repeat with --force.',
      { claim_expires_at: lead.claim_expires_at },
    );
  }
  return new ConflictError(
    `you hold no claim on lead ${lead.id}; nothing was recorded. Claim it with 'callq next', or use --force for a call made outside the queue.`,
  );
}
