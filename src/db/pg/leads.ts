// Lead, call and do-not-call reads on PostgreSQL, and the queue rank kept in step with the
// weights: the same rows as src/db/leads.ts, calls.ts and suppressions.ts read on SQLite.
import type { ClientBase } from 'pg';
import type { LeadRow } from '../../core/lead.js';
import type { PriorityWeights } from '../../core/settings.js';
import { queueRank } from '../../core/priority.js';
import { leadSuppressionKeys } from '../../core/suppression.js';
import type { ActiveClaim } from '../leads.js';
import type { CallRow } from '../calls.js';
import type { NumberSharer } from '../store/rep.js';
import type { SuppressionRow } from '../suppressions.js';

export async function getLeadPg(client: ClientBase, id: number): Promise<LeadRow | undefined> {
  const { rows } = await client.query<LeadRow>('SELECT * FROM leads WHERE id = $1', [id]);
  return rows[0];
}

/** RepStore.sharingNumber on PostgreSQL. */
export async function sharingNumberPg(client: ClientBase, lead: Pick<LeadRow, 'id' | 'phone' | 'phone_ext'>, limit: number): Promise<NumberSharer[]> {
  if (lead.phone_ext || !lead.phone) return [];
  const { rows } = await client.query<NumberSharer>(
    'SELECT id, first_name, last_name FROM leads WHERE phone = $1 AND phone_ext IS NULL AND id <> $2 ORDER BY id LIMIT $3',
    [lead.phone, lead.id, limit],
  );
  return rows;
}

/** A lead's calls, newest first. */
export async function callsForLeadPg(client: ClientBase, leadId: number, limit = 1000): Promise<CallRow[]> {
  const { rows } = await client.query<CallRow>('SELECT * FROM calls WHERE lead_id = $1 ORDER BY called_at DESC, id DESC LIMIT $2', [leadId, limit]);
  return rows;
}

export async function countByStatusPg(client: ClientBase): Promise<Record<string, number>> {
  const { rows } = await client.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM leads GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function activeClaimsPg(client: ClientBase, now: Date): Promise<ActiveClaim[]> {
  const { rows } = await client.query<ActiveClaim>(
    // Each rep's live claim, found as a claim finds it (rep_claims, see heldSql in ./queue.ts).
    `SELECT r.rep, l.id AS lead_id, l.claim_expires_at AS expires_at FROM rep_claims r JOIN leads l ON l.id = r.lead_id
     WHERE l.claim_rep = r.rep AND l.claim_expires_at > $1 ORDER BY r.rep COLLATE "C"`,
    [now.toISOString()],
  );
  return rows;
}

/** The first do-not-call entry matching the lead, in the order of its keys (as suppressionMatcher). */
export async function suppressionForPg(client: ClientBase, lead: Parameters<typeof leadSuppressionKeys>[0]): Promise<SuppressionRow | undefined> {
  const keys = leadSuppressionKeys(lead);
  if (keys.length === 0) return undefined;
  const { rows } = await client.query<SuppressionRow>(
    `SELECT s.* FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(kind, hash, n)
     JOIN suppressions s ON s.kind = k.kind AND s.value_hash = k.hash ORDER BY k.n LIMIT 1`,
    [keys.map((k) => k.kind), keys.map((k) => k.hash)],
  );
  return rows[0];
}

/** Leads whose stored rank one transaction recomputes after a weight changed. */
const RANK_CHUNK = 5000;

/** The columns a lead's stored rank is computed from (core/priority.ts queueRank). */
const RANK_INPUTS = ['score', 'attempts', 'source', 'campaign', 'last_call_at', 'inbound_at', 'created_at'] as const;

/**
 * Recomputes queue_rank for every lead the queue may serve, after a weight changed, as
 * recomputeQueueRanks does on SQLite: RANK_CHUNK leads per transaction (one UPDATE each, of the
 * ranks that changed), so memory stays flat and no row is held long. `weights` is read for each
 * slice: a second weight change made meanwhile applies to the rest. Returns how many changed.
 */
export async function recomputeQueueRanksPg(
  conn: { transaction<T>(work: (c: ClientBase) => Promise<T>): Promise<T> },
  weights: (c: ClientBase) => Promise<PriorityWeights>,
): Promise<number> {
  let changed = 0;
  for (let after = 0; ; ) {
    const last = await conn.transaction(async (c) => {
      const { rows } = await c.query<Parameters<typeof queueRank>[0] & { id: number; queue_rank: number }>(
        `SELECT id, queue_rank, ${RANK_INPUTS.join(', ')} FROM leads
         WHERE id > $1 AND status IN ('new','working','callback','nurture') ORDER BY id LIMIT ${RANK_CHUNK}`,
        [after],
      );
      const w = await weights(c);
      const moved = rows.map((r) => ({ r, rank: queueRank(r, w) })).filter(({ r, rank }) => rank !== r.queue_rank);
      if (moved.length) {
        // Only where the rank's inputs are as read: an outcome that changed them meanwhile wrote
        // the lead's rank itself (a claim or a lease renewed meanwhile changes none of them).
        const col = (k: (typeof RANK_INPUTS)[number]) => moved.map((m) => (m.r as unknown as Record<string, unknown>)[k]);
        const { rowCount } = await c.query(
          `UPDATE leads l SET queue_rank = r.rank
             FROM unnest($1::bigint[], $2::double precision[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
               AS r(id, rank, score, attempts, source, campaign, last_call_at, inbound_at, created_at)
            WHERE l.id = r.id AND l.score IS NOT DISTINCT FROM r.score AND l.attempts = r.attempts
              AND l.source IS NOT DISTINCT FROM r.source AND l.campaign IS NOT DISTINCT FROM r.campaign
              AND l.last_call_at IS NOT DISTINCT FROM r.last_call_at AND l.inbound_at IS NOT DISTINCT FROM r.inbound_at
              AND l.created_at = r.created_at`,
          [moved.map((m) => m.r.id), moved.map((m) => m.rank), ...RANK_INPUTS.map((k) => col(k))],
        );
        changed += rowCount ?? 0;
      }
      return rows.length ? Number(rows[rows.length - 1].id) : null;
    });
    if (last === null) return changed;
    after = last;
  }
}

/** applyDefaultZone (src/db/leads.ts) on PostgreSQL. */
export async function applyDefaultZonePg(client: ClientBase, zone: string | null, now: Date): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE leads SET timezone = $1::text, timezone_source = CASE WHEN $1::text IS NULL THEN 'unknown' ELSE 'default' END, updated_at = $2
     WHERE (timezone_source = 'default' OR (timezone IS NULL AND coalesce(timezone_source, 'unknown') = 'unknown'))
       AND timezone IS DISTINCT FROM $1::text`,
    [zone, now.toISOString()],
  );
  return rowCount ?? 0;
}
