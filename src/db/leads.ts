// Lead rows: reading, counting, and keeping the stored queue rank in step with the weights.
import { retryWhileBusy, statement, type DB } from './open.js';
import { queueRank, RANK_CHUNK } from '../core/priority.js';
import type { PriorityWeights } from '../core/settings.js';
import type { LeadRow } from '../core/lead.js';
import type { NumberSharer } from './store/rep.js';

export type { LeadRow };

export function getLead(db: DB, id: number): LeadRow | undefined {
  return statement(db, 'SELECT * FROM leads WHERE id = ?').get(id) as LeadRow | undefined;
}

/** RepStore.sharingNumber on SQLite. */
export function sharingNumber(db: DB, lead: Pick<LeadRow, 'id' | 'phone' | 'phone_ext'>, limit: number): NumberSharer[] {
  if (lead.phone_ext || !lead.phone) return [];
  return statement(db, 'SELECT id, first_name, last_name FROM leads WHERE phone = ? AND phone_ext IS NULL AND id <> ? ORDER BY id LIMIT ?').all(lead.phone, lead.id, limit) as NumberSharer[];
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
 * Recomputes queue_rank for every lead the queue may serve, after a weight changed, RANK_CHUNK
 * leads (in id order) per transaction, writing only the ranks that changed: at 1M leads one
 * transaction held the write lock for close to a minute, and every rep's claim and outcome
 * failed meanwhile (exit 75). Interrupted, the same `config set` again finishes the work. Returns
 * how many ranks changed.
 */
export function recomputeQueueRanks(db: DB, weights: PriorityWeights): number {
  const select = db.prepare(
    `SELECT id, queue_rank, score, attempts, source, campaign, last_call_at, inbound_at, created_at FROM leads
     WHERE id > ? AND status IN ('new','working','callback','nurture') ORDER BY id LIMIT ${RANK_CHUNK}`,
  );
  const update = db.prepare('UPDATE leads SET queue_rank = ? WHERE id = ?');
  let changed = 0;
  for (let after = 0; ; ) {
    // Each slice its own short transaction: a rep's claim or outcome waits one slice at most.
    const last = retryWhileBusy(db, () =>
      db
        .transaction(() => {
          const rows = select.all(after) as (Parameters<typeof queueRank>[0] & { id: number; queue_rank: number })[];
          for (const row of rows) {
            const rank = queueRank(row, weights);
            if (rank !== row.queue_rank) changed += update.run(rank, row.id).changes;
          }
          return rows.length ? rows[rows.length - 1].id : null;
        })
        .immediate(),
    );
    if (last === null) return changed;
    after = last;
  }
}

/**
 * Gives the team's default zone (`zone`; null: none) to the leads whose zone is unknown and to
 * those that had the earlier default (timezone_source 'default'), as an import would have; with
 * none, those return to unknown. Returns how many leads changed.
 */
export function applyDefaultZone(db: DB, zone: string | null, now: Date): number {
  return db
    .prepare(
      `UPDATE leads SET timezone = @zone, timezone_source = CASE WHEN @zone IS NULL THEN 'unknown' ELSE 'default' END, updated_at = @now
       WHERE (timezone_source = 'default' OR (timezone IS NULL AND coalesce(timezone_source, 'unknown') = 'unknown'))
         AND timezone IS NOT @zone`,
    )
    .run({ zone, now: now.toISOString() }).changes;
}
