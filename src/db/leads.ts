// Lead rows: reading, counting, and keeping the stored queue rank in step with the weights.
import { statement, type DB } from './open.js';
import { queueRank } from '../core/priority.js';
import type { PriorityWeights } from '../core/settings.js';
import type { LeadStatus } from '../core/lifecycle.js';

/** A lead row as stored (JSON columns still as text). */
export interface LeadRow {
  id: number;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  phone: string;
  phone_raw: string | null;
  alt_phones: string | null;
  country: string | null;
  region: string | null;
  postal_code: string | null;
  timezone: string | null;
  timezone_source: string | null;
  source: string | null;
  campaign: string | null;
  list: string | null;
  score: number;
  owner: string | null;
  custom: string | null;
  status: LeadStatus;
  attempts: number;
  contacts: number;
  attempts_since_contact: number;
  day_attempts: number;
  attempt_day: string | null;
  first_call_at: string | null;
  last_call_at: string | null;
  last_disposition: string | null;
  next_eligible_at: string | null;
  callback_at: string | null;
  callback_rep: string | null;
  nurture_until: string | null;
  claim_rep: string | null;
  claim_token: string | null;
  claim_expires_at: string | null;
  qualification: string | null;
  handoff_note: string | null;
  disqualify_reason: string | null;
  closed_at: string | null;
  inbound_at: string | null;
  queue_rank: number;
  import_id: number | null;
  handoff_id: number | null;
  purged_at: string | null;
  created_at: string;
  updated_at: string;
}

export function getLead(db: DB, id: number): LeadRow | undefined {
  return statement(db, 'SELECT * FROM leads WHERE id = ?').get(id) as LeadRow | undefined;
}

export function countByStatus(db: DB): Record<string, number> {
  const rows = db.prepare('SELECT status, count(*) AS n FROM leads GROUP BY status').all() as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export interface ActiveClaim {
  rep: string;
  lead_id: number;
  expires_at: string;
}

export function activeClaims(db: DB, now: Date): ActiveClaim[] {
  return db
    .prepare(
      `SELECT claim_rep AS rep, id AS lead_id, claim_expires_at AS expires_at FROM leads
       WHERE claim_rep IS NOT NULL AND claim_expires_at > ? ORDER BY claim_rep`,
    )
    .all(now.toISOString()) as ActiveClaim[];
}

/**
 * Recomputes queue_rank for every lead the queue may serve, after a weight changed.
 * Runs inside the caller's transaction.
 */
export function recomputeQueueRanks(db: DB, weights: PriorityWeights): number {
  const select = db.prepare(
    `SELECT id, score, attempts, source, campaign, last_call_at, inbound_at, created_at FROM leads
     WHERE status IN ('new','working','callback','nurture')`,
  );
  const update = db.prepare('UPDATE leads SET queue_rank = ? WHERE id = ?');
  let n = 0;
  const pending: [number, number][] = [];
  for (const row of select.iterate() as IterableIterator<Parameters<typeof queueRank>[0] & { id: number }>) {
    pending.push([queueRank(row, weights), row.id]);
  }
  for (const [rank, id] of pending) {
    update.run(rank, id);
    n++;
  }
  return n;
}
