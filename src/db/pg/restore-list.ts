// A restore on PostgreSQL keeps the do-not-call list, as on SQLite (src/db/restore-list.ts): the
// replaced database's list is read before pg_restore; afterwards, the entries the backup lacks
// are added, the leads they name are moved to do-not-call, and the people forgotten since the
// backup are erased again, in one transaction.
import type { PgClient } from './open.js';
import type { CarriedList } from '../restore-list.js';
import { carriedEntryReach, entriesToCarry, type ListEntry } from '../../core/suppression.js';
import { doNotCallKeys } from '../../core/maintenance.js';
import { moveToDoNotCallPg, suppressLeadsMatchingPg } from './suppressions.js';
import { eraseLeadsPg, vacuumErased } from './forget.js';

/** Restored leads read per query when people forgotten since the backup are looked for. */
const LEADS_AT_A_TIME = 10_000;

/** The do-not-call list of the database a restore is about to replace. */
export async function readListPg(client: PgClient): Promise<ListEntry[]> {
  const { rows } = await client.query<ListEntry>('SELECT kind, value, value_hash, reason, source, created_at FROM suppressions ORDER BY id');
  return rows;
}

/** Adds `entries` the restored database lacks, and applies them to its leads. */
export async function carryOverListPg(client: PgClient, entries: readonly ListEntry[], now: Date): Promise<CarriedList> {
  if (entries.length === 0) return { entries: 0, moved_to_dnc: 0, erased: 0 };
  const { rows } = await client.query<{ kind: string; value_hash: string; value: string | null }>(
    'SELECT kind, value_hash, value FROM suppressions WHERE value_hash = ANY($1::text[])',
    [entries.map((e) => e.value_hash)],
  );
  const there = new Map(rows.map((r) => [`${r.kind}:${r.value_hash}`, r.value]));
  const carry = entriesToCarry(entries, (kind, hash) => there.get(`${kind}:${hash}`));
  if (carry.length === 0) return { entries: 0, moved_to_dnc: 0, erased: 0 };
  const forgotten = new Set(carry.filter((e) => e.value === null).map((e) => `${e.kind}:${e.value_hash}`));
  let moved = 0;
  let erased = 0;
  await client.query('BEGIN');
  try {
    const column = <K extends keyof ListEntry>(k: K) => carry.map((e) => e[k]);
    await client.query(
      `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (kind, value_hash) DO UPDATE SET value = NULL`,
      [column('kind'), column('value'), column('value_hash'), column('reason'), column('source'), column('created_at')],
    );
    moved += await suppressLeadsMatchingPg(client, carry.filter((e) => e.value !== null) as { kind: string; value: string }[], now);
    if (forgotten.size) {
      // The restored leads, a slice at a time (memory stays flat at any size).
      const toErase: { id: number; phone: string | null; phone_ext: string | null; alt_phones: string | null; email: string | null }[] = [];
      const alsoListed: number[] = [];
      for (let after = 0; ; ) {
        const { rows: leads } = await client.query<(typeof toErase)[number]>(
          `SELECT id, phone, phone_ext, alt_phones, email FROM leads WHERE id > $1 ORDER BY id LIMIT ${LEADS_AT_A_TIME}`,
          [after],
        );
        if (leads.length === 0) break;
        after = Number(leads[leads.length - 1].id);
        for (const lead of leads) {
          const reach = carriedEntryReach(lead, forgotten);
          if (reach === 'erase') toErase.push(lead);
          else if (reach === 'do-not-call') alsoListed.push(Number(lead.id));
        }
      }
      moved += await moveToDoNotCallPg(client, alsoListed, now);
      // As `forget` erased them: their leads, every number and e-mail of theirs a hash only.
      erased = await eraseLeadsPg(client, toErase.map((l) => Number(l.id)), toErase.flatMap((lead) => doNotCallKeys(lead)), now);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  if (erased) await vacuumErased(client);
  return { entries: carry.length, moved_to_dnc: moved, erased };
}
