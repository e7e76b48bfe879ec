// The queue's order among candidates (docs/working.md, "Order"), shared by the stores: due
// callbacks for this rep first, then anyone's, each oldest first; then the highest score.
import type { Settings } from './settings.js';
import { freshnessHorizon } from './priority.js';

export type QueueReason = 'callback-mine' | 'callback' | 'fresh' | 'score';

export interface Queued {
  id: number;
  reason: QueueReason;
  /** Score at `now`. */
  total: number;
  callback_at: string | null;
}

const ORDER: Record<QueueReason, number> = { 'callback-mine': 0, callback: 1, fresh: 2, score: 2 };

export function compareQueued(a: Queued, b: Queued): number {
  if (ORDER[a.reason] !== ORDER[b.reason]) return ORDER[a.reason] - ORDER[b.reason];
  if (ORDER[a.reason] < 2) return (a.callback_at ?? '').localeCompare(b.callback_at ?? '') || a.id - b.id;
  return b.total - a.total || a.id - b.id;
}

/** The most static score points any lead could have: bounds the search among fresh leads. */
export function maxStaticPoints(settings: Settings): number {
  const w = settings.weights;
  const best = (weights: Record<string, number>) => Math.max(0, ...Object.values(weights));
  return Math.max(0, w.score * 100) + best(w.source) + best(w.campaign);
}

/**
 * The most points an inbound lead of the freshness horizon can have besides its freshness: it
 * entered callq when it came in (or later), so it has waited at most the horizon.
 */
export function inboundCeiling(settings: Settings): number {
  const w = settings.weights;
  return maxStaticPoints(settings) + (Math.max(0, w.waitingPerDay) * freshnessHorizon(w)) / 86_400_000;
}

/**
 * Whether inbound leads with `points` of freshness may still enter the best scores `best`
 * (`ceiling`: inboundCeiling); false ends the search among them, as older ones are less fresh.
 */
export function freshCanWin(points: number, ceiling: number, best: TopScores): boolean {
  return points >= 1 && ceiling + points >= best.bar;
}

/**
 * The best `n` scores seen so far, for the search among fresh leads: `bar` is the n-th best
 * (-Infinity until there are n), which a lead must beat to be among the best. Kept in order by
 * insertion, n at most: a day's web leads imported at one instant are all equally fresh, and
 * re-sorting every score seen for each of them cost a claim ~20 ms at a thousand of them.
 */
export class TopScores {
  private readonly best: number[] = [];
  constructor(private readonly n: number) {}

  get bar(): number {
    return this.best.length >= this.n ? this.best[this.n - 1] : -Infinity;
  }

  add(total: number): void {
    if (this.best.length >= this.n && total <= this.best[this.n - 1]) return;
    let lo = 0;
    let hi = this.best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.best[mid] >= total) lo = mid + 1;
      else hi = mid;
    }
    this.best.splice(lo, 0, total);
    if (this.best.length > this.n) this.best.pop();
  }
}

/**
 * How many of the newest arrival instants of inbound leads a queue read steps through one by one.
 * At one instant every lead is equally fresh, so only the best few of it by stored rank can be
 * among the best: for these instants the stores read those few (an index range each), not the
 * whole instant. A day's web leads imported at once are one instant (reading and scoring each of
 * a thousand took a PostgreSQL claim 8 ms at 1M leads). Older instants are read in one range: a
 * form's export with each lead's own time has one instant per lead, and a step per instant cost
 * more than reading them.
 */
export const RECENT_INSTANTS = 32;
