// Lead rows: reading, counting, and keeping the stored queue rank in step with the weights.
import { statement, type DB } from './open.js';
import { queueRank } from '../core/priority.js';
import { inSlices } from './slices.js';
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
 * Recomputes queue_rank for every lead the queue may serve, after a weight changed, in slices of
 * leads (id order) each its own transaction, paused between them (slices.ts inSlices), writing
 * only the ranks that changed: at 1M leads one transaction held the write lock for close to a
 * minute, and every rep's claim and outcome failed meanwhile (exit 75). The queue's order is
 * mixed while it runs; interrupted, the same `config set` again finishes the work. Returns how
 * many ranks changed.
 */
export function recomputeQueueRanks(db: DB, weights: () => PriorityWeights): number {
  let changed = 0;
  let after = 0;
  const select = db.prepare(
    `SELECT id, queue_rank, score, attempts, source, campaign, last_call_at, inbound_at, created_at FROM leads
     WHERE id > ? AND status IN ('new','working','callback','nurture') ORDER BY id LIMIT ?`,
  );
  const update = db.prepare('UPDATE leads SET queue_rank = ? WHERE id = ?');
  inSlices(
    db,
    (size) => {
      const rows = select.all(after, size) as (Parameters<typeof queueRank>[0] & { id: number; queue_rank: number })[];
      // The weights as stored now: a second weight change made meanwhile applies to the rest.
      const w = weights();
      for (const row of rows) {
        const rank = queueRank(row, w);
        if (rank !== row.queue_rank) changed += update.run(rank, row.id).changes;
      }
      if (rows.length) after = rows[rows.length - 1].id;
      return rows.length;
    },
    null,
  );
  return changed;
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
