import { openContextStore, type Context } from './context.js';
import { describeFilters, flagOption, parseLimit, queueFilters, textOption, viewerZone, type OptionValues } from './args.js';
import type { QueueFilters } from '../db/store/rep.js';
import { explainScore } from '../core/priority.js';
import { NothingToDoError } from '../core/errors.js';
import { printData, printJson } from '../ui/output.js';
import { leadJson, leadName, nameToShow } from '../ui/lead-json.js';
import { safeValue } from '../ui/safe-text.js';
import { leadLocalTime, renderTerms } from '../ui/lead-view.js';
import { describeEmptyQueue, describeReason, shortReason } from '../ui/queue-view.js';
import { renderTable } from '../ui/table.js';
import { paint } from '../ui/style.js';

/** `callq queue`'s options. */
export interface QueueOptions {
  filters: QueueFilters;
  limit: number;
  explain: boolean;
}

export function queueOptions(values: OptionValues): QueueOptions {
  return { filters: queueFilters(values), limit: parseLimit(textOption(values, 'limit'), 20), explain: flagOption(values, 'explain') };
}

export async function run(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const opts = queueOptions(values);
  const store = await openContextStore(ctx);
  try {
    const settings = await store.rep.loadSettings();
    const filters = opts.filters;
    const entries = await store.rep.queueCandidates(ctx.now, settings, ctx.rep, filters, opts.limit);
    if (entries.length === 0) {
      const empty = await store.rep.explainEmptyQueue(ctx.now, settings, ctx.rep, filters);
      throw new NothingToDoError(describeEmptyQueue(empty, describeFilters(filters), viewerZone()), { ...empty });
    }
    if (ctx.json) {
      printJson(
        ctx,
        entries.map((e, i) => ({
          position: i + 1,
          reason: e.reason,
          score: { total: Number(e.total.toFixed(3)), terms: explainScore(e.lead, ctx.now, settings.weights) },
          lead: leadJson(e.lead),
        })),
      );
      return;
    }
    const c = paint(ctx, ctx.stdout);
    if (opts.explain) {
      const blocks = entries.map((e, i) =>
        [`${c.bold(`${i + 1}. #${e.lead.id} ${nameToShow(e.lead) || '(no name)'}`)} ${c.dim(safeValue(e.lead.company))} — ${describeReason(e.reason)}`, renderTerms(explainScore(e.lead, ctx.now, settings.weights), e.total, c)].join('\n'),
      );
      printData(ctx, blocks.join('\n\n'));
      return;
    }
    printData(
      ctx,
      renderTable(
        ['#', 'lead', 'name', 'company', 'status', 'tries', 'score', 'lead time', 'why'],
        entries.map((e, i) => [
          String(i + 1),
          String(e.lead.id),
          leadName(e.lead),
          e.lead.company ?? '',
          e.lead.status,
          String(e.lead.attempts),
          e.total.toFixed(1),
          leadLocalTime(e.lead, ctx.now),
          shortReason(e.reason),
        ]),
        // A terminal's width, names and companies cut to fit it, then the columns a narrow pane
        // can do without left out (position, status, tries, score); 160 columns into a file or pipe.
        { width: ctx.stdout.isTTY && ctx.stdout.columns ? ctx.stdout.columns : 160, shrink: [2, 3], drop: [0, 4, 5, 6] },
      ),
    );
  } finally {
    await store.close();
  }
}
