// Logging the outcome of a call (docs/outcomes.md): check the request against the team's
// dispositions and the lead, then plan (core/outcome.ts) and record it (the store's recordOutcome)
// in one transaction. `callq log` and the work session (which keeps its connection open) both call it.
import type { RepStore, Recorded } from '../db/store/rep.js';
import { outcomeLead, planOutcome } from '../core/outcome.js';
import { leadZones, readingZone } from '../core/calling-window.js';
import { parseDate, parseDuration, parseWhen } from '../core/when.js';
import { UsageError } from '../core/errors.js';

export interface OutcomeRequest {
  leadId: number;
  disposition: string;
  note?: string;
  /** Callback time as the rep said it ('tomorrow 10:00', ISO), read in the lead's zone. */
  at?: string;
  /** Nurture until, as said. */
  until?: string;
  reason?: string;
  answers: Record<string, string | undefined>;
  /** Talk time as said ('3m20s'). */
  duration?: string;
  force: boolean;
  /** The claim token: refused when the claim changed. */
  token?: string;
}

/** Who logs, and when. */
export interface Logger {
  rep: string;
  now: Date;
  /** The zone of the person logging: times are said back in it too, and it reads --at when the lead's zone is unknown. */
  viewerZone: string;
}

/** Validates and records one outcome: one transaction (retried while another writer holds the lock, up to the busy timeout). */
export async function logOutcome(store: RepStore, by: Logger, req: OutcomeRequest): Promise<Recorded> {
  const settings = await store.loadSettings();
  const disposition = settings.dispositions.find((d) => d.name === req.disposition);
  if (!disposition) {
    throw new UsageError(`unknown disposition '${req.disposition}': use one of ${settings.dispositions.map((d) => d.name).join(', ')}.`);
  }
  const before = await store.getLead(req.leadId);
  if (!before) throw new UsageError(`unknown lead ${req.leadId}: no lead has that id (see 'callq queue' or 'callq show ID').`);
  const zone = readingZone(leadZones(before), settings.defaultZone, by.viewerZone);
  const at = req.at === undefined ? undefined : parseWhen(req.at, by.now, zone);
  const until = req.until === undefined ? undefined : parseDate(req.until, by.now, zone);
  const durationS = req.duration === undefined ? undefined : parseDuration(req.duration);
  if (req.at !== undefined && disposition.kind !== 'callback') throw new UsageError(`--at is only for callbacks; '${disposition.name}' does not take it.`);
  if (req.until !== undefined && disposition.kind !== 'nurture') throw new UsageError(`--until is only for nurture; '${disposition.name}' does not take it.`);
  if (req.reason !== undefined && !['disqualify', 'not-interested', 'do-not-call'].includes(disposition.kind)) {
    throw new UsageError(`--reason is only for disqualifications; '${disposition.name}' does not take it.`);
  }
  return store.recordOutcome(
    { leadId: req.leadId, rep: by.rep, now: by.now, force: req.force, token: req.token },
    settings,
    (lead) =>
      planOutcome(
        outcomeLead(lead),
        { disposition, note: req.note, at, until, reason: req.reason, answers: req.answers, durationS, rep: by.rep, viewerZone: by.viewerZone },
        by.now,
        settings,
      ),
    before,
  );
}
