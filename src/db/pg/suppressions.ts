// The do-not-call list on PostgreSQL (table suppressions): the same effect as src/db/suppressions.ts
// and suppressMatchingLeads in src/db/outcomes.ts, one statement each.
import type { ClientBase } from 'pg';
import type { SuppressionKey } from '../../core/suppression.js';
import { splitPhoneIdentity } from '../../core/identity.js';
import type { Pages, SuppressionRow } from '../store/exports.js';
import { snapshotPages } from './exports.js';
import { statementParams } from './statement-names.js';

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

/** The ways a set of list entries reaches leads, as leadsReachedSql reads them. */
export interface ReachedBy {
  /** Numbers without an extension: every lead on them, as its phone or an alternate. */
  bare: readonly string[];
  /** Numbers with an extension: the leads with that phone and that extension only. */
  withExt: readonly { phone: string; ext: string | null }[];
  /** E-mail addresses, lower-cased. */
  emails: readonly string[];
  /** ILIKE patterns of whole domains ('%@' and the domain). */
  domainPatterns?: readonly string[];
}

/**
 * The ids of the leads `ways` reach, as a UNION of one index lookup per kind of way that has any
 * (an OR of them would scan every lead), or null when there are none. A lookup of an empty list
 * is left out rather than sent: given `phone = ANY('{}')`, the planner chose to read every
 * closed lead through leads_status (30 ms and growing with them) for a do-not-call on a number
 * with an extension. `v` adds a parameter and returns its placeholder.
 */
export function leadsReachedSql(v: (value: unknown) => string, ways: ReachedBy, table = 'leads', id = 'id'): string | null {
  const parts: string[] = [];
  if (ways.bare.length) {
    const bare = v(ways.bare);
    parts.push(
      `SELECT ${id} FROM ${table} WHERE phone = ANY(${bare}::text[])`,
      // Alternates: lead_alt_phones for leads; another table's (an import's rows) from its JSON.
      table === 'leads'
        ? `SELECT lead_id FROM lead_alt_phones WHERE phone = ANY(${bare}::text[])`
        : `SELECT ${id} FROM ${table} WHERE alt_phones IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(alt_phones::jsonb) a WHERE a = ANY(${bare}::text[]))`,
    );
  }
  if (ways.withExt.length) {
    parts.push(
      `SELECT x.${id} FROM ${table} x JOIN unnest(${v(ways.withExt.map((p) => p.phone))}::text[], ${v(ways.withExt.map((p) => p.ext))}::text[]) AS e(phone, ext)
         ON x.phone = e.phone AND x.phone_ext = e.ext`,
    );
  }
  if (ways.emails.length) parts.push(`SELECT ${id} FROM ${table} WHERE email = ANY(${v(ways.emails)}::text[])`);
  if (ways.domainPatterns?.length) parts.push(`SELECT ${id} FROM ${table} WHERE email ILIKE ANY(${v(ways.domainPatterns)}::text[])`);
  return parts.length ? parts.join('\n UNION ') : null;
}

/** The ways list entries (phones, emails, domains) reach leads, as leadsReachedSql reads them. */
export function reachedBy(entries: readonly { kind: string; value: string }[]): ReachedBy {
  const valuesOf = (kind: string) => [...new Set(entries.filter((e) => e.kind === kind).map((e) => e.value))];
  const split = valuesOf('phone').map(splitPhoneIdentity);
  return {
    bare: split.filter((p) => !p.ext).map((p) => p.phone),
    withExt: split.filter((p) => p.ext),
    emails: valuesOf('email').map((e) => e.toLowerCase()),
    // As SQLite's LIKE (which ignores ASCII case): '%@' and the domain, its wildcards escaped.
    domainPatterns: valuesOf('domain').map((d) => `%@${d.toLowerCase().replace(/[\\%_]/g, '\\$&')}`),
  };
}

/**
 * Moves leads matching any of the list entries (`dnc add`'s keys, the file's flags, entries added
 * meanwhile: phones, emails, domains) to do-not-call (see suppressMatchingLeads in
 * src/db/outcomes.ts): a phone with an extension matches that extension only, a bare number
 * every lead on it and its alternates. Returns how many leads moved.
 */
export async function suppressLeadsMatchingPg(client: ClientBase, entries: readonly { kind: string; value: string }[], now: Date): Promise<number> {
  const { values, v } = statementParams();
  const at = v(now.toISOString());
  const reached = leadsReachedSql(v, reachedBy(entries));
  if (reached === null) return 0;
  const { rowCount } = await client.query(toDoNotCallSql(at, reached), values);
  return rowCount ?? 0;
}

/** Moves the leads `ids` to do-not-call (those not there yet); returns how many moved. */
export async function moveToDoNotCallPg(client: ClientBase, ids: readonly number[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await client.query(toDoNotCallSql('$2', 'SELECT unnest($1::bigint[])'), [ids, now.toISOString()]);
  return rowCount ?? 0;
}

/** The UPDATE moving the leads a query of ids names to do-not-call, at the instant `at` (a placeholder). */
function toDoNotCallSql(at: string, ids: string): string {
  return `UPDATE leads SET status = 'do-not-call', closed_at = ${at}, next_eligible_at = NULL,
       claim_rep = NULL, claim_token = NULL, claim_expires_at = NULL, updated_at = ${at}
     WHERE status <> 'do-not-call' AND id IN (${ids})`;
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
