// The do-not-call list on PostgreSQL (table suppressions): the same effect as src/db/suppressions.ts
// and suppressMatchingLeads in src/db/outcomes.ts, one statement each.
import type { ClientBase } from 'pg';
import type { SuppressionKey } from '../../core/suppression.js';
import { splitPhoneIdentity } from '../../core/identity.js';
import type { Pages, SuppressionRow } from '../store/exports.js';
import { snapshotPages } from './exports.js';

/** Adds the keys (ignoring ones already listed), in the order given. Returns how many were new. */
export async function addSuppressionsPg(client: ClientBase, keys: readonly SuppressionKey[], reason: string | null, source: string | null, now: Date): Promise<number> {
  if (keys.length === 0) return 0;
  const { rowCount } = await client.query(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at)
     SELECT k.kind, k.value, k.hash, $4, $5, $6
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(kind, value, hash, n)
      ORDER BY k.n
     ON CONFLICT (kind, value_hash) DO NOTHING`,
    [keys.map((k) => k.kind), keys.map((k) => k.value), keys.map((k) => k.hash), reason, source, now.toISOString()],
  );
  return rowCount ?? 0;
}

/**
 * Moves leads matching any of the list entries (`dnc add`'s keys, the file's flags, entries added
 * meanwhile: phones, emails, domains) to do-not-call (see suppressMatchingLeads in
 * src/db/outcomes.ts): a phone with an extension matches that extension only, a bare number
 * every lead on it and its alternates. Returns how many leads moved.
 */
export async function suppressLeadsMatchingPg(client: ClientBase, entries: readonly { kind: string; value: string }[], now: Date): Promise<number> {
  const valuesOf = (kind: string) => [...new Set(entries.filter((e) => e.kind === kind).map((e) => e.value))];
  const [phones, emails, domains] = [valuesOf('phone'), valuesOf('email'), valuesOf('domain')];
  if (phones.length + emails.length + domains.length === 0) return 0;
  const split = phones.map(splitPhoneIdentity);
  const bare = split.filter((p) => !p.ext).map((p) => p.phone);
  const withExt = split.filter((p) => p.ext);
  const { rowCount } = await client.query(
    `UPDATE leads SET status = 'do-not-call', closed_at = $1, next_eligible_at = NULL,
       claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = $1
     WHERE status <> 'do-not-call' AND id IN (
       SELECT id FROM leads WHERE phone = ANY($2::text[])
       UNION SELECT lead_id FROM lead_alt_phones WHERE phone = ANY($2::text[])
       UNION SELECT x.id FROM leads x JOIN unnest($3::text[], $4::text[]) AS e(phone, ext) ON x.phone = e.phone AND x.phone_ext = e.ext
       UNION SELECT id FROM leads WHERE email = ANY($5::text[])
       UNION SELECT id FROM leads WHERE email ILIKE ANY($6::text[]))`,
    [
      now.toISOString(),
      bare,
      withExt.map((p) => p.phone),
      withExt.map((p) => p.ext),
      emails.map((e) => e.toLowerCase()),
      // As SQLite's LIKE (which ignores ASCII case): '%@' and the domain, its wildcards escaped.
      domains.map((d) => `%@${d.toLowerCase().replace(/[\\%_]/g, '\\$&')}`),
    ],
  );
  return rowCount ?? 0;
}

export async function removeSuppressionsPg(client: ClientBase, keys: readonly SuppressionKey[]): Promise<number> {
  if (keys.length === 0) return 0;
  const { rowCount } = await client.query(
    `DELETE FROM suppressions s USING unnest($1::text[], $2::text[]) AS k(kind, hash)
      WHERE s.kind = k.kind AND s.value_hash = k.hash`,
    [keys.map((k) => k.kind), keys.map((k) => k.hash)],
  );
  return rowCount ?? 0;
}

export function listSuppressionsPg(client: ClientBase, kind: string | undefined): Pages<SuppressionRow> {
  return kind
    ? snapshotPages<SuppressionRow>(client, 'SELECT * FROM suppressions WHERE kind = $1 ORDER BY created_at, id', [kind])
    : snapshotPages<SuppressionRow>(client, 'SELECT * FROM suppressions ORDER BY created_at, id', []);
}
