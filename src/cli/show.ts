import { openContextStore, type Context } from './context.js';
import { parseLeadId, viewerZone } from './args.js';
import { isOpen, leadZones } from '../core/calling-window.js';
import { formatDuration, formatInZone } from '../core/when.js';
import { UsageError } from '../core/errors.js';
import { printData, printJson } from '../ui/output.js';
import { callJson, leadJson } from '../ui/lead-json.js';
import { renderCard, SHARERS_NAMED } from '../ui/lead-view.js';
import { renderTable } from '../ui/table.js';
import { paint } from '../ui/style.js';

export async function run(ctx: Context, [leadArg]: string[]): Promise<void> {
  const id = parseLeadId(leadArg);
  const store = await openContextStore(ctx);
  try {
    const lead = await store.rep.getLead(id);
    if (!lead) throw new UsageError(`unknown lead ${id}: no lead has that id.`);
    const calls = await store.rep.callsForLead(id);
    if (ctx.json) {
      printJson(ctx, { lead: leadJson(lead), calls: calls.map(callJson) });
      return;
    }
    const settings = await store.rep.loadSettings();
    const c = paint(ctx, ctx.stdout);
    const zones = leadZones(lead);
    const viewer = viewerZone();
    const sharing = await store.rep.sharingNumber(lead, SHARERS_NAMED + 1);
    const card = renderCard(lead, { now: ctx.now, insideHours: zones.length > 0 && isOpen(zones, ctx.now, settings.hours), viewerZone: viewer, allFields: true, sharing, columns: ctx.stdout.isTTY ? ctx.stdout.columns : undefined }, c);
    const history = calls.length
      ? renderTable(
          ['when', 'rep', 'outcome', 'reason', 'length', 'notes'],
          calls.map((call) => [
            formatInZone(new Date(call.called_at), viewer),
            call.rep,
            call.disposition,
            call.reason ?? '',
            call.duration_s ? formatDuration(call.duration_s) : '',
            (call.notes ?? '').replace(/\s+/g, ' '),
          ]),
        )
      : c.dim('no calls yet');
    printData(ctx, `${card}\n${c.bold('history')}\n${history}`);
  } finally {
    await store.close();
  }
}
