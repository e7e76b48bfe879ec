import { openContextStore, type Context } from './context.js';
import { parseLeadId, viewerZone } from './args.js';
import { parseAltPhones } from '../core/lead.js';
import { judgeLead } from '../core/eligibility.js';
import { explainScore } from '../core/priority.js';
import { formatInZone } from '../core/when.js';
import { UsageError } from '../core/errors.js';
import { printData, printJson } from '../ui/output.js';
import { nameToShow } from '../ui/lead-json.js';
import { safeText, safeValue } from '../ui/safe-text.js';
import { leadLocalTime, renderTerms } from '../ui/lead-view.js';
import { paint } from '../ui/style.js';

export async function run(ctx: Context, [leadArg]: string[]): Promise<void> {
  const id = parseLeadId(leadArg);
  const store = await openContextStore(ctx);
  try {
    const settings = await store.rep.loadSettings();
    const lead = await store.rep.getLead(id);
    if (!lead) throw new UsageError(`unknown lead ${id}: no lead has that id.`);
    const match = await store.rep.suppressionFor({ phone: lead.phone, phone_ext: lead.phone_ext, alt_phones: parseAltPhones(lead.alt_phones), email: lead.email });
    const suppressed = match ? `${match.kind} ${match.value ?? '(erased)'}${match.reason ? `: ${match.reason}` : ''}` : null;
    const verdict = judgeLead(lead, ctx.now, settings, ctx.rep, suppressed);
    const terms = explainScore(lead, ctx.now, settings.weights);
    const total = terms.reduce((a, t) => a + t.points, 0);
    if (ctx.json) {
      printJson(ctx, {
        lead_id: lead.id,
        status: lead.status,
        callable: verdict.callable,
        callable_at: verdict.callableAt?.toISOString() ?? null,
        blockers: verdict.blockers.map((b) => ({ rule: b.rule, message: b.message, until: b.until?.toISOString() ?? null })),
        local_time: leadLocalTime(lead, ctx.now),
        score: { total: Number(total.toFixed(3)), terms },
      });
      return;
    }
    const c = paint(ctx, ctx.stdout);
    const zone = viewerZone();
    const lines = [`${c.bold(`#${lead.id} ${nameToShow(lead) || '(no name)'}`)} ${c.dim(safeValue(lead.company))} — ${lead.status}, lead time ${leadLocalTime(lead, ctx.now)}`];
    if (verdict.callable) lines.push(c.green('callable now.'));
    else {
      lines.push(c.yellow('not callable now:'));
      for (const b of verdict.blockers) {
        lines.push(`  • ${b.rule}: ${safeText(b.message)}${b.until ? c.dim(` — lifts ${formatInZone(b.until, zone, { withDate: true })}`) : ''}`);
      }
      lines.push(
        verdict.callableAt
          ? `callable again at ${formatInZone(verdict.callableAt, zone, { withDate: true })}.`
          : 'it will not become callable by itself.',
      );
    }
    lines.push('', c.bold('score'), renderTerms(terms, total, c));
    printData(ctx, lines.join('\n'));
  } finally {
    await store.close();
  }
}
