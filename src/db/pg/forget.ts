// `callq forget` on PostgreSQL (docs/operations.md, "On PostgreSQL"): the same person, the same
// erasure and hash-only suppressions as on SQLite (src/db/forget.ts), in one transaction; then
// VACUUM of the tables touched, which cannot run inside a transaction. PostgreSQL has no
// byte-level scrub: what it may still hold is said plainly (PG_RETAINS).
import type { PgClient } from './open.js';
import type { PgConnection } from './store/connection.js';
import { sharedNumber, type SuppressionKey } from '../../core/suppression.js';
import { doNotCallKeys } from '../../core/maintenance.js';
import { splitPhoneIdentity } from '../../core/identity.js';
import { suppressLeadsMatchingPg } from './suppressions.js';
import { MENTION_COLUMNS, type Mention } from '../store/admin.js';

interface PersonLead {
  id: number;
  phone: string;
  phone_ext: string | null;
  alt_phones: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  external_id: string | null;
  external_system: string | null;
}

export interface PersonPg {
  leads: PersonLead[];
  calls: number;
  keys: SuppressionKey[];
}

/** As findPerson on SQLite: a number with an extension is that extension's person; a bare number the lead on it and its alternates' leads. */
export async function findPersonPg(client: PgClient, key: SuppressionKey): Promise<PersonPg> {
  const columns = 'id, phone, phone_ext, alt_phones, email, first_name, last_name, external_id, external_system';
  const { phone, ext } = splitPhoneIdentity(key.value);
  const found =
    key.kind === 'phone' && ext
      ? await client.query<PersonLead>(`SELECT ${columns} FROM leads WHERE phone = $1 AND phone_ext = $2 ORDER BY id`, [phone, ext])
      : key.kind === 'phone'
      ? await client.query<PersonLead>(
          `SELECT ${columns} FROM leads WHERE (phone = $1 AND phone_ext IS NULL) OR id IN (SELECT lead_id FROM lead_alt_phones WHERE phone = $1) ORDER BY id`,
          [key.value],
        )
      : await client.query<PersonLead>(`SELECT ${columns} FROM leads WHERE lower(trim(email)) = $1 ORDER BY id`, [key.value]);
  const leads = found.rows;
  const calls = leads.length
    ? (await client.query<{ n: number }>('SELECT count(*) AS n FROM calls WHERE lead_id = ANY($1::bigint[])', [leads.map((l) => l.id)])).rows[0].n
    : 0;
  const keys = new Map<string, SuppressionKey>([[key.hash, key]]);
  for (const lead of leads) for (const k of doNotCallKeys(lead)) keys.set(k.hash, k);
  // As on SQLite (sharedNumber): a main number colleagues share stays off the list.
  const bare = [...keys.values()].filter((k) => k.hash !== key.hash && k.kind === 'phone' && !splitPhoneIdentity(k.value).ext).map((k) => k.value);
  const held = bare.length
    ? (await client.query<{ id: number; phone: string }>('SELECT id, phone FROM leads WHERE phone = ANY($1::text[]) AND phone_ext IS NULL', [bare])).rows
    : [];
  const holders = (phone: string) => held.filter((h) => h.phone === phone).map((h) => h.id);
  return { leads, calls, keys: [...keys.values()].filter((k) => k.hash === key.hash || !sharedNumber(k, leads, holders)) };
}

export interface ErasurePg {
  leads: number;
  calls: number;
  suppressions: number;
  /** The person's phones and e-mails as stored, to look for in other leads' data (mentionsOfPg). */
  values: string[];
  /** The hand-off files the person's leads were exported in. */
  handoff_files: string[];
}

/**
 * Deletes the leads `ids` (their calls and alternate phones go with them: ON DELETE CASCADE)
 * and leaves each of `keys` on the do-not-call list as a hash only (an existing entry loses its
 * clear text): what `forget` does to a person, and a restore to people forgotten since its backup.
 * Runs in the caller's transaction. Returns how many leads were deleted.
 */
export async function eraseLeadsPg(c: PgClient, ids: readonly number[], keys: readonly SuppressionKey[], now: Date): Promise<number> {
  const deleted = ids.length ? ((await c.query('DELETE FROM leads WHERE id = ANY($1::bigint[])', [ids])).rowCount ?? 0) : 0;
  await c.query(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at)
     SELECT k, NULL, h, 'forgotten', 'forget', $3 FROM unnest($1::text[], $2::text[]) AS t(k, h)
     ON CONFLICT (kind, value_hash) DO UPDATE SET value = NULL`,
    [keys.map((k) => k.kind), keys.map((k) => k.hash), now.toISOString()],
  );
  return deleted;
}

/**
 * Finds the person again and erases them in one transaction: their leads are deleted (calls and
 * alternate phones go with them: ON DELETE CASCADE), every key is left as a hash-only
 * suppression (existing entries lose their clear text), and leads left on a forgotten number
 * (colleagues at its extensions) move to do-not-call, as on SQLite.
 */
export async function erasePersonPg(conn: PgConnection, key: SuppressionKey, now: Date): Promise<ErasurePg> {
  return conn.transaction(async (c) => {
    const person = await findPersonPg(c, key);
    const ids = person.leads.map((l) => l.id);
    const { rows: files } = await c.query<{ destination: string }>(
      `SELECT DISTINCT h.destination FROM leads l JOIN handoffs h ON h.id = l.handoff_id
       WHERE l.id = ANY($1::bigint[]) AND h.destination IS NOT NULL AND h.destination <> 'stdout' ORDER BY 1`,
      [ids],
    );
    const deleted = await eraseLeadsPg(c, ids, person.keys, now);
    // Leads left on a forgotten number (colleagues at its extensions) are not called again either.
    await suppressLeadsMatchingPg(c, person.keys.filter((k) => k.kind === 'phone'), now);
    return { leads: deleted, calls: person.calls, suppressions: person.keys.length, values: person.keys.map((k) => k.value), handoff_files: files.map((f) => f.destination) };
  });
}

/** Which leads' own data, or their calls' notes, still holds one of `values` (store/admin.ts MENTION_COLUMNS). */
export async function mentionsOfPg(client: PgClient, values: readonly string[]): Promise<Mention[]> {
  const out: Mention[] = [];
  for (const value of values) {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM leads WHERE ${MENTION_COLUMNS.map((c) => `strpos(${c}, $1) > 0`).join(' OR ')}
       UNION SELECT lead_id FROM calls WHERE strpos(notes, $1) > 0 ORDER BY 1`,
      [value],
    );
    for (const r of rows) out.push({ value, lead: Number(r.id) });
  }
  return out;
}

/** The tables an erasure leaves dead row versions in. */
export const ERASED_TABLES = ['leads', 'calls', 'suppressions', 'lead_alt_phones'];

/**
 * VACUUM of the tables the erasure touched, after its commit: the dead row versions are
 * removed and their space made reusable. False when this role may not (vacuumIfOwner).
 */
export function vacuumErased(client: PgClient): Promise<boolean> {
  return vacuumIfOwner(client, ERASED_TABLES);
}

/**
 * `VACUUM options tables` when this session's role may vacuum every one of them: only their
 * owner (or a superuser) may, and for anyone else the server skips them with a mere warning, so
 * this returns false instead of running it.
 */
export async function vacuumIfOwner(client: PgClient, tables: string[], options = ''): Promise<boolean> {
  const owned = await client.query<{ ok: boolean }>(
    `SELECT bool_and(pg_has_role(c.relowner, 'USAGE') OR r.rolsuper) AS ok
       FROM pg_class c, pg_roles r WHERE c.oid = ANY($1::regclass[]) AND r.rolname = current_user`,
    [tables],
  );
  if (owned.rows[0]?.ok !== true) return false;
  await client.query(`VACUUM ${options ? `${options} ` : ''}${tables.join(', ')}`);
  return true;
}

/** What PostgreSQL may still hold of an erased person, said after every forget. */
export function pgRetains(vacuumed: boolean): string[] {
  return [
    vacuumed
      ? 'VACUUM has removed the deleted rows, but their bytes can stay in free space of the table and index files until new rows overwrite it (callq maintain --vacuum rewrites the tables with VACUUM FULL)'
      : 'the deleted rows stay in the table and index files as dead row versions until VACUUM removes them (callq maintain runs VACUUM nightly; only the tables\' owner could run it now)',
    'the write-ahead log (WAL) keeps them until its segments are recycled, and so do WAL archives and replicas',
    'backups and pg_dump files taken before now keep them until they rotate out',
    "the planner's statistics (pg_stats) may show some of their values until the next ANALYZE (callq maintain runs it nightly)",
    "the server's log keeps them if it logs statements with their parameters (log_statement, log_min_duration_statement)",
  ];
}
