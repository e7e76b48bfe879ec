// The outcomes rep processes log in the benchmarks and the PostgreSQL concurrency test, the same
// on either store: the i-th call of a rep gets the i-th disposition of MIX (shifted per rep).
import { outcomeLead, planOutcome } from '../../dist/core/outcome.js';

const MIX = ['no-answer', 'voicemail', 'gatekeeper', 'no-answer', 'callback', 'not-interested', 'no-answer', 'qualified', 'nurture', 'disqualified', 'busy', 'do-not-call'];

/** The plan function recordOutcome/recordOutcomePg take for rep `rep`'s call number `i` at `now`. */
export function mixedOutcome(settings, rep, i, now) {
  const name = MIX[(i + rep.length) % MIX.length];
  const disposition = settings.dispositions.find((d) => d.name === name);
  return (lead) =>
    planOutcome(
      outcomeLead(lead),
      {
        disposition, note: 'wants a demo', at: new Date(now.getTime() + 90 * 60_000), until: new Date(now.getTime() + 90 * 86_400_000),
        reason: name === 'disqualified' ? 'no-budget' : undefined, answers: { need: 'tracking', timeframe: 'Q1', authority: 'VP' }, rep, viewerZone: 'UTC',
      },
      now,
      settings,
    );
}
