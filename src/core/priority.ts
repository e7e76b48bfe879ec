// The queue order (docs/working.md): callbacks first, then a Taskwarrior-style score that is a
// sum of named, weighted terms anyone can inspect with --explain.
//
// Why a stored rank: ordering a million leads by a score that changes with the clock would mean
// scoring every lead on every `next`. Every term but freshness is either constant between two
// calls of a lead or linear in the clock with the same slope for every lead ("waiting": points per
// day since the last touch). So total(now) = queue_rank + waitingPerDay·days(now − EPOCH) +
// fresh(now), where queue_rank is stored and indexed; the clock term is the same for all leads and
// cannot change their order, and freshness only applies to the few inbound leads of the last hours,
// which the queue scores separately.
import type { PriorityWeights } from './settings.js';
import type { Delay } from './delay.js';

const DAY_MS = 86_400_000;
/** Reference instant for the waiting term; any fixed instant works, this one keeps numbers small. */
export const RANK_EPOCH = Date.UTC(2020, 0, 1);

export interface RankInput {
  score: number;
  attempts: number;
  source: string | null;
  campaign: string | null;
  last_call_at: string | null;
  created_at: string;
}

export interface PriorityTerm {
  name: 'score' | 'attempts' | 'source' | 'campaign' | 'waiting' | 'fresh';
  /** What the term measures, e.g. '72' or '3 attempts' or '2.5 days'. */
  input: string;
  weight: number;
  points: number;
}

/**
 * Lower-case code used to match a source or campaign against weight.source.NAME settings: its
 * letters and digits (any script), every other run of characters one dash ('Trade Show (EU)' →
 * 'trade-show-eu', 'Événement' → 'événement').
 */
export function weightKey(value: string | null): string {
  return (value ?? '').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
}

/**
 * The weight.source.NAME or weight.campaign.NAME setting for a value; 0 when none is set. Own
 * keys only: a source called 'constructor' or 'toString' has no weight (the maps are plain
 * objects, and stay so after crossing to the import's worker threads).
 */
function weightFor(weights: Record<string, number>, value: string | null): number {
  const key = weightKey(value);
  return Object.hasOwn(weights, key) ? weights[key] : 0;
}

/**
 * When the lead last had attention: its last call, else when it entered callq. (Not the CRM's
 * creation date: a list of two-year-old leads imported today has waited a day, not two years.)
 */
export function lastTouch(lead: Pick<RankInput, 'last_call_at' | 'created_at'>): number {
  return Date.parse(lead.last_call_at ?? lead.created_at);
}

/** The time-independent part of the score, stored as leads.queue_rank. */
export function queueRank(lead: RankInput, w: PriorityWeights): number {
  return rank(w, lead.score, lead.attempts, weightFor(w.source, lead.source), weightFor(w.campaign, lead.campaign), lastTouch(lead));
}

function rank(w: PriorityWeights, score: number, attempts: number, sourceWeight: number, campaignWeight: number, touched: number): number {
  return w.score * score + w.attempt * attempts + sourceWeight + campaignWeight - (w.waitingPerDay * (touched - RANK_EPOCH)) / DAY_MS;
}

/**
 * queueRank of new, uncalled leads that arrive together (an import's): the same weights and
 * creation time for all, so the time is parsed once and each source's and campaign's weight
 * looked up once. Equal to queueRank for each.
 */
export function newLeadRanker(w: PriorityWeights, createdAt: string): (lead: Pick<RankInput, 'score' | 'source' | 'campaign'>) => number {
  const touched = Date.parse(createdAt);
  const weightOf = (weights: Record<string, number>, cache: Map<string | null, number>, value: string | null) => {
    let weight = cache.get(value);
    if (weight === undefined) {
      if (cache.size >= 1024) cache.clear();
      cache.set(value, (weight = weightFor(weights, value)));
    }
    return weight;
  };
  const sources = new Map<string | null, number>();
  const campaigns = new Map<string | null, number>();
  return (lead) => rank(w, lead.score, 0, weightOf(w.source, sources, lead.source), weightOf(w.campaign, campaigns, lead.campaign), touched);
}

function halfLifeMs(d: Delay): number {
  return Math.max(60_000, d.ms + d.businessDays * DAY_MS);
}

/** Speed-to-lead points for a new inbound lead, halving every half-life. */
export function freshness(lead: { status: string; inbound_at: string | null }, now: Date, w: PriorityWeights): number {
  if (lead.status !== 'new' || !lead.inbound_at) return 0;
  const age = Math.max(0, now.getTime() - Date.parse(lead.inbound_at));
  return w.fresh * Math.pow(0.5, age / halfLifeMs(w.freshHalfLife));
}

/** How far back an inbound lead can still earn at least one freshness point. */
export function freshnessHorizon(w: PriorityWeights): number {
  if (w.fresh <= 1) return 0;
  return Math.log2(w.fresh) * halfLifeMs(w.freshHalfLife);
}

/** Every term of a lead's score at `now`, for --explain. Their sum equals total(). */
export function explainScore(lead: RankInput & { status: string; inbound_at: string | null }, now: Date, w: PriorityWeights): PriorityTerm[] {
  const waitedDays = (now.getTime() - lastTouch(lead)) / DAY_MS;
  const sourceWeight = weightFor(w.source, lead.source);
  const campaignWeight = weightFor(w.campaign, lead.campaign);
  const terms: PriorityTerm[] = [
    { name: 'score', input: String(lead.score), weight: w.score, points: w.score * lead.score },
    { name: 'attempts', input: `${lead.attempts} made`, weight: w.attempt, points: w.attempt * lead.attempts },
    { name: 'source', input: lead.source ?? '—', weight: sourceWeight, points: sourceWeight },
    { name: 'campaign', input: lead.campaign ?? '—', weight: campaignWeight, points: campaignWeight },
    { name: 'waiting', input: `${waitedDays.toFixed(1)} days`, weight: w.waitingPerDay, points: w.waitingPerDay * waitedDays },
  ];
  const fresh = freshness(lead, now, w);
  if (fresh > 0) {
    const minutes = Math.round((now.getTime() - Date.parse(lead.inbound_at!)) / 60_000);
    terms.push({ name: 'fresh', input: `inbound ${minutes} min ago`, weight: w.fresh, points: fresh });
  }
  return terms;
}

/** The clock's term of every lead's score at `now`: the same for all leads (see above). */
export function clockPoints(now: Date, w: PriorityWeights): number {
  return (w.waitingPerDay * (now.getTime() - RANK_EPOCH)) / DAY_MS;
}

/**
 * The numbers freshness is computed from, for a store that scores in SQL: points = weight ·
 * 0.5^(age in ms / halfLifeMs) for a new inbound lead, with the same operations in the same order
 * as freshness() and total(), so both give the same float.
 */
export function freshnessTerms(w: PriorityWeights): { weight: number; halfLifeMs: number } {
  return { weight: w.fresh, halfLifeMs: halfLifeMs(w.freshHalfLife) };
}

/** Score at `now` from the stored rank (what the queue compares). */
export function total(queue_rank: number, lead: { status: string; inbound_at: string | null }, now: Date, w: PriorityWeights): number {
  return queue_rank + clockPoints(now, w) + freshness(lead, now, w);
}
