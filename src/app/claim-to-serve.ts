// The claim a rep is served (`next`, `work`): the queue never invites a call outside a lead's
// calling hours, and that holds for a lead the rep already holds, too. A claim taken at 16:59
// and still held at 17:05 (the rep ran `next` again, or came back to `work`) is given back and
// the next lead claimed, rather than shown again as the call to make.
import type { LeadRow } from '../core/lead.js';
import type { Settings } from '../core/settings.js';
import type { Claim, QueueFilters, RepStore } from '../db/store/rep.js';

export interface Served {
  claim: Claim | null;
  /** The lead the rep held, given back because its calling hours had closed. */
  gaveBack?: LeadRow;
  /** When the held lead's calling hours close, found here while they are open (the card need not ask again). */
  closes?: Date;
}

export async function claimToServe(store: RepStore, now: Date, settings: Settings, rep: string, filters: QueueFilters): Promise<Served> {
  const claim = await store.claimNext(now, settings, rep, filters);
  if (claim?.reason !== 'held') return { claim };
  const closes = await store.zoneGroupCloses(claim.lead.timezone, now, settings);
  if (closes) return { claim, closes };
  await store.release(claim.lead.id, rep, now);
  const exclude = [...(filters.exclude ?? []), claim.lead.id];
  return { claim: await store.claimNext(now, settings, rep, { ...filters, exclude }), gaveBack: claim.lead };
}
