import { openContextStore, type Context } from './context.js';
import { parseLeadId } from './args.js';
import { ConflictError, NothingToDoError, UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';

export async function run(ctx: Context, [leadArg]: string[]): Promise<void> {
  const store = await openContextStore(ctx);
  try {
    const rep = store.rep;
    const id = leadArg === undefined ? (await rep.heldClaim(ctx.rep, ctx.now))?.id : parseLeadId(leadArg);
    if (id === undefined) throw new NothingToDoError(`${ctx.rep} holds no claim; nothing to release.`);
    if (!(await rep.release(id, ctx.rep, ctx.now))) {
      const lead = await rep.getLead(id);
      if (!lead) throw new UsageError(`unknown lead ${id}: no lead has that id.`);
      const live = lead.claim_expires_at !== null && Date.parse(lead.claim_expires_at) > ctx.now.getTime();
      if (live && lead.claim_rep !== ctx.rep) throw new ConflictError(`lead ${id} is claimed by ${lead.claim_rep}, not by you; it was left alone.`);
      throw new NothingToDoError(`you hold no live claim on lead ${id}; nothing to release.`);
    }
    if (ctx.json) printJson(ctx, { released: id, rep: ctx.rep });
    else printInfo(ctx, `Released lead ${id}; it is back in the queue.`);
  } finally {
    await store.close();
  }
}
