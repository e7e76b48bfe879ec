import type { Context } from './context.js';
import { parseLeadId, viewerZone } from './args.js';
import { openDatabase, retryWhileBusy, type DB } from '../db/open.js';
import { loadSettings } from '../db/settings.js';
import { getLead } from '../db/leads.js';
import { parseAltPhones, recordOutcome } from '../db/outcomes.js';
import { planOutcome } from '../core/outcome.js';
import { leadZones, primaryZone } from '../core/lead.js';
import { parseDate, parseDuration, parseWhen } from '../core/when.js';
import { UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';
import { leadJson, leadName } from '../ui/lead-json.js';

export interface LogRequest {
  leadId: number;
  disposition: string;
  note?: string;
  at?: string;
  until?: string;
  reason?: string;
  answers: Record<string, string | undefined>;
  duration?: string;
  force: boolean;
  token?: string;
}

/** Parses `--answer KEY=VALUE` pairs and the named qualification flags into one map. */
export function collectAnswers(opts: Record<string, unknown>): Record<string, string | undefined> {
  const answers: Record<string, string | undefined> = {};
  for (const key of ['need', 'timeframe', 'authority', 'budget']) if (typeof opts[key] === 'string') answers[key] = opts[key] as string;
  for (const pair of (opts.answer as string[] | undefined) ?? []) {
    const m = pair.match(/^([a-z0-9][a-z0-9-]*)=(.*)$/s);
    if (!m) throw new UsageError(`invalid --answer '${pair}': expected KEY=VALUE, e.g. --answer use-case='call tracking'.`);
    answers[m[1]] = m[2];
  }
  return answers;
}

export async function run(ctx: Context, [leadArg, disposition]: string[], opts: Record<string, unknown>): Promise<void> {
  const result = logOutcome(ctx, {
    leadId: parseLeadId(leadArg),
    disposition,
    note: opts.note as string | undefined,
    at: opts.at as string | undefined,
    until: opts.until as string | undefined,
    reason: opts.reason as string | undefined,
    answers: collectAnswers(opts),
    duration: opts.duration as string | undefined,
    force: Boolean(opts.force),
    token: opts.token as string | undefined,
  });
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
    const name = leadName(result.lead) || `lead ${result.lead.id}`;
    const more = result.alsoSuppressed ? ` ${result.alsoSuppressed} other lead(s) with the same phone or email were also moved to do-not-call.` : '';
    printInfo(ctx, `Logged ${result.plan.call.disposition} for #${result.lead.id} ${name}: ${result.plan.summary}.${more}`);
  }
}

/** Validates and records one outcome. `callq work` passes the database it keeps open. */
export function logOutcome(ctx: Pick<Context, 'dbPath' | 'rep' | 'now'>, req: LogRequest, openDb?: DB) {
  const db = openDb ?? openDatabase(ctx.dbPath);
  try {
    const settings = loadSettings(db);
    const disposition = settings.dispositions.find((d) => d.name === req.disposition);
    if (!disposition) {
      throw new UsageError(`unknown disposition '${req.disposition}': use one of ${settings.dispositions.map((d) => d.name).join(', ')}.`);
    }
    const before = getLead(db, req.leadId);
    if (!before) throw new UsageError(`unknown lead ${req.leadId}: no lead has that id (see 'callq queue' or 'callq show ID').`);
    const zone = primaryZone(before) ?? settings.defaultZone ?? viewerZone();
    const at = req.at === undefined ? undefined : parseWhen(req.at, ctx.now, zone);
    const until = req.until === undefined ? undefined : parseDate(req.until, ctx.now, zone);
    const durationS = req.duration === undefined ? undefined : parseDuration(req.duration);
    if (req.at !== undefined && disposition.kind !== 'callback') throw new UsageError(`--at is only for callbacks; '${disposition.name}' does not take it.`);
    if (req.until !== undefined && disposition.kind !== 'nurture') throw new UsageError(`--until is only for nurture; '${disposition.name}' does not take it.`);
    if (req.reason !== undefined && !['disqualify', 'not-interested', 'do-not-call'].includes(disposition.kind)) {
      throw new UsageError(`--reason is only for disqualifications; '${disposition.name}' does not take it.`);
    }
    return retryWhileBusy(db, () => recordOutcome(db, { leadId: req.leadId, rep: ctx.rep, now: ctx.now, force: req.force, token: req.token }, settings, (lead) =>
      planOutcome(
        {
          id: lead.id,
          status: lead.status,
          phone: lead.phone,
          alt_phones: parseAltPhones(lead.alt_phones),
          zones: leadZones(lead),
          attempts: lead.attempts,
          contacts: lead.contacts,
          attempts_since_contact: lead.attempts_since_contact,
          day_attempts: lead.day_attempts,
          attempt_day: lead.attempt_day,
          first_call_at: lead.first_call_at,
        },
        { disposition, note: req.note, at, until, reason: req.reason, answers: req.answers, durationS, rep: ctx.rep, viewerZone: viewerZone() },
        ctx.now,
        settings,
      ),
    ));
  } finally {
    if (!openDb) db.close();
  }
}
