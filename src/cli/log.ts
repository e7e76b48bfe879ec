// callq log LEAD DISPOSITION (docs/outcomes.md): options checked here, the outcome logged by
// app/log-outcome.ts.
import { openContextStore, type Context } from './context.js';
import { flagOption, listOption, parseLeadId, textOption, viewerZone, type OptionValues } from './args.js';
import { logOutcome, type OutcomeRequest } from '../app/log-outcome.js';
import { UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';
import { leadJson, nameToShow } from '../ui/lead-json.js';

/** `callq log`'s options, checked: everything of the request but the lead and the disposition. */
export type LogOptions = Omit<OutcomeRequest, 'leadId' | 'disposition'>;

export function logOptions(values: OptionValues): LogOptions {
  return {
    note: textOption(values, 'note'),
    at: textOption(values, 'at'),
    until: textOption(values, 'until'),
    reason: textOption(values, 'reason'),
    answers: collectAnswers(values),
    duration: textOption(values, 'duration'),
    force: flagOption(values, 'force'),
    token: textOption(values, 'token'),
  };
}

/** Parses `--answer KEY=VALUE` pairs and the named qualification flags into one map. */
function collectAnswers(values: OptionValues): Record<string, string | undefined> {
  const answers: Record<string, string | undefined> = {};
  for (const key of ['need', 'timeframe', 'authority', 'budget']) {
    const value = textOption(values, key);
    if (value !== undefined) answers[key] = value;
  }
  for (const pair of listOption(values, 'answer')) {
    const m = pair.match(/^([a-z0-9][a-z0-9-]*)=(.*)$/s);
    if (!m) throw new UsageError(`invalid --answer '${pair}': expected KEY=VALUE, e.g. --answer use-case='call tracking'.`);
    answers[m[1]] = m[2];
  }
  return answers;
}

export async function run(ctx: Context, [leadArg, disposition]: string[], values: OptionValues): Promise<void> {
  const request: OutcomeRequest = { leadId: parseLeadId(leadArg), disposition, ...logOptions(values) };
  const store = await openContextStore(ctx);
  let result;
  try {
    result = await logOutcome(store.rep, { rep: ctx.rep, now: ctx.now, viewerZone: viewerZone() }, request);
  } finally {
    await store.close();
  }
  if (ctx.json) {
    printJson(ctx, {
      call_id: result.callId,
      lead: leadJson(result.lead),
      disposition: result.plan.call.disposition,
      status: result.plan.status,
      contact: result.plan.contact,
      next_eligible_at: result.lead.next_eligible_at,
      also_suppressed: result.alsoSuppressed,
      summary: result.plan.summary,
    });
  } else {
    const name = nameToShow(result.lead) || `lead ${result.lead.id}`;
    const more = result.alsoSuppressed ? ` ${result.alsoSuppressed} other lead(s) with the same phone or email were also moved to do-not-call.` : '';
    printInfo(ctx, `Logged ${result.plan.call.disposition} for #${result.lead.id} ${name}: ${result.plan.summary}.${more}`);
  }
}
