// The do-not-call list (table suppressions).
import type { DB } from './open.js';
import { leadSuppressionKeys, type SuppressionKey } from '../core/suppression.js';
import type { SuppressionRow } from './store/exports.js';

export type { SuppressionRow };

/** Adds the keys (ignoring ones already listed). Returns how many were new. */
export function addSuppressions(db: DB, keys: SuppressionKey[], reason: string | null, source: string | null, now: Date): number {
  const insert = db.prepare(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(kind, value_hash) DO NOTHING`,
  );
  let added = 0;
  for (const k of keys) added += insert.run(k.kind, k.value, k.hash, reason, source, now.toISOString()).changes;
  return added;
}

/** A prepared matcher: the first suppression matching a lead's phone(s)/email/domain, or undefined. */
export function suppressionMatcher(db: DB): (lead: Parameters<typeof leadSuppressionKeys>[0]) => SuppressionRow | undefined {
  const find = db.prepare('SELECT * FROM suppressions WHERE kind = ? AND value_hash = ?');
  return (lead) => {
    for (const key of leadSuppressionKeys(lead)) {
      const row = find.get(key.kind, key.hash) as SuppressionRow | undefined;
      if (row) return row;
    }
    return undefined;
  };
}

export function removeSuppressions(db: DB, keys: SuppressionKey[]): number {
  const del = db.prepare('DELETE FROM suppressions WHERE kind = ? AND value_hash = ?');
  let n = 0;
  for (const k of keys) n += del.run(k.kind, k.hash).changes;
  return n;
}

export function listSuppressions(db: DB, kind?: string): IterableIterator<SuppressionRow> {
  return (
    kind
      ? db.prepare('SELECT * FROM suppressions WHERE kind = ? ORDER BY created_at, id').iterate(kind)
      : db.prepare('SELECT * FROM suppressions ORDER BY created_at, id').iterate()
  ) as IterableIterator<SuppressionRow>;
}
