// Whether an outcome may be recorded against a lead's claim (docs/outcomes.md): the rep's own
// live claim (with the token, when one is given), or --force when no colleague holds the lead.
import { ConflictError } from './errors.js';
import type { LeadRow } from './lead.js';

export interface ClaimUse {
  rep: string;
  now: Date;
  force: boolean;
  token?: string;
}

/** The conflict that refuses the outcome, or null when it may be recorded. */
export function claimConflict(lead: Pick<LeadRow, 'id' | 'claim_rep' | 'claim_token' | 'claim_expires_at'>, o: ClaimUse): ConflictError | null {
  const live = lead.claim_rep !== null && lead.claim_expires_at !== null && Date.parse(lead.claim_expires_at) > o.now.getTime();
  const mine = live && lead.claim_rep === o.rep && (o.token === undefined || o.token === lead.claim_token);
  if (mine) return null;
  if (live && lead.claim_rep !== o.rep) {
    return new ConflictError(`lead ${lead.id} is claimed by ${lead.claim_rep} until ${lead.claim_expires_at}; nothing was recorded.`);
  }
  if (o.force) return null;
  if (live) return new ConflictError(`your claim on lead ${lead.id} was replaced by a newer one; nothing was recorded. Log with the current claim, or --force.`);
  if (lead.claim_rep === o.rep && lead.claim_expires_at) {
    return new ConflictError(
      `your claim on lead ${lead.id} expired at ${lead.claim_expires_at}; nothing was recorded. ` +
        'If you did make this call and no one else has the lead, repeat with --force.',
    );
  }
  return new ConflictError(
    `you hold no claim on lead ${lead.id}; nothing was recorded. Claim it with 'callq next', or use --force for a call made outside the queue.`,
  );
}
