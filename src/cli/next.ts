import { openContextStore, type Context } from './context.js';
import { describeFilters, flagOption, queueFilters, viewerZone, type OptionValues } from './args.js';
import type { Claim, QueueFilters } from '../db/store/rep.js';
import { explainScore } from '../core/priority.js';
import { NothingToDoError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { leadJson } from '../ui/lead-json.js';
import { closedNotice, describeEmptyQueue, describeReason } from '../ui/queue-view.js';
import { systemZone, zoneinfoTime } from '../io/zoneinfo.js';
import { claimToServe } from '../app/claim-to-serve.js';

/** `callq next`'s options (the fast path in fast-next.ts hands over the same values). */
export interface NextOptions {
  filters: QueueFilters;
  skip: boolean;
  explain: boolean;
}

export function nextOptions(values: OptionValues): NextOptions {
  return { filters: queueFilters(values), skip: flagOption(values, 'skip'), explain: flagOption(values, 'explain') };
}

export async function run(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const opts = nextOptions(values);
  const store = await openContextStore(ctx);
  try {
    const rep = store.rep;
    const settings = await rep.loadSettings();
    const filters = opts.filters;
    if (opts.skip) {
      const held = await rep.heldClaim(ctx.rep, ctx.now);
      if (held) {
        await rep.release(held.id, ctx.rep, ctx.now);
        filters.exclude = [held.id];
        if (!ctx.json) printInfo(ctx, `Skipped lead ${held.id}; it is back in the queue.`);
      }
    }
    const { claim, gaveBack, closes } = await claimToServe(rep, ctx.now, settings, ctx.rep, filters);
    if (gaveBack && !ctx.json) printInfo(ctx, closedNotice(gaveBack));
    if (!claim) {
      const empty = await rep.explainEmptyQueue(ctx.now, settings, ctx.rep, filters);
      throw new NothingToDoError(describeEmptyQueue(empty, describeFilters(filters), viewerZone()), { ...empty });
    }
    const hoursClose = closes ?? (await rep.zoneGroupCloses(claim.lead.timezone, ctx.now, settings));
    const insideHours = hoursClose !== null;
    const terms = explainScore(claim.lead, ctx.now, settings.weights);
    if (ctx.json) {
      printJson(ctx, claimJson(claim, terms, ctx.now, insideHours, hoursClose));
      return;
    }
    // Colour only for people: scripts asking for --json never load chalk.
    const [{ paint }, { renderCard, SHARERS_NAMED }, { formatInZone }] = await Promise.all([import('../ui/style.js'), import('../ui/lead-view.js'), import('../core/when.js')]);
    const c = paint(ctx, ctx.stdout);
    const calls = await rep.callsForLead(claim.lead.id, 3);
    const sharing = await rep.sharingNumber(claim.lead, SHARERS_NAMED + 1);
    // Times as `work` shows them, in the zone viewerZone() would give, read from the system's
    // zone files where they can say: starting ICU costs a card ~28 ms of CPU (docs/design.md).
    const viewer = systemZone() ?? viewerZone();
    const until = formatInZone(new Date(claim.lead.claim_expires_at!), viewer, { lookup: zoneinfoTime });
    printData(
      ctx,
      renderCard(claim.lead, {
        now: ctx.now,
        why: describeReason(claim.reason),
        total: claim.total,
        terms: opts.explain ? terms : undefined,
        calls,
        sharing,
        insideHours: insideHours,
        hoursClose,
        columns: ctx.stdout.isTTY ? ctx.stdout.columns : undefined,
        viewerZone: viewer,
        lookup: zoneinfoTime,
        notice:
          claim.reason === 'held'
            ? `You already hold this lead (until ${until}). Log an outcome, or 'callq next --skip'.`
            : `Claimed until ${until}. Log with: callq log ${claim.lead.id} DISPOSITION`,
      }, c),
    );
  } finally {
    await store.close();
  }
}

function claimJson(claim: Claim, terms: ReturnType<typeof explainScore>, now: Date, insideHours: boolean, hoursClose: Date | null) {
  return {
    lead: leadJson(claim.lead),
    claim: { rep: claim.lead.claim_rep, token: claim.token, expires_at: claim.lead.claim_expires_at },
    again: claim.reason === 'held',
    reason: claim.reason,
    score: { total: Number(claim.total.toFixed(3)), terms },
    inside_hours: insideHours,
    hours_close_at: hoursClose?.toISOString() ?? null,
    now: now.toISOString(),
  };
}
