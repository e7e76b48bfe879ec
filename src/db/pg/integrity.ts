// The integrity check of a PostgreSQL database (docs/operations.md, "On PostgreSQL"): amcheck's
// bt_index_check on every B-tree index of callq's tables and, where amcheck has it (1.3,
// PostgreSQL 14+), verify_heapam on the tables. Both take only AccessShareLock: reps keep
// working. Installing amcheck needs a superuser (it is not a trusted extension); without it
// the check is reported as not done rather than failing the run.
import type { PgClient } from './open.js';

export const NOT_CHECKED = 'not checked (amcheck not available)';

export interface PgIntegrity {
  /** 'ok', or NOT_CHECKED. */
  result: string;
  /** The damage found (empty when sound or not checked). */
  problems: string[];
  /** What was checked, or why not. */
  detail: string;
}

/** Sets up amcheck if allowed (`install`) and returns its schema-qualified prefix, or why it cannot be used. */
async function amcheck(client: PgClient, install: boolean): Promise<{ schema: string } | { missing: string }> {
  const found = async () =>
    (await client.query<{ schema: string }>(`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'`)).rows[0];
  let ext = await found();
  if (!ext) {
    if (!install) return { missing: 'amcheck is not installed in this database' };
    const available = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'`);
    if (!available.rowCount) return { missing: "the server has no amcheck extension (PostgreSQL's contrib modules)" };
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS amcheck');
    } catch (err) {
      // Two first runs at once: the other one installed it (IF NOT EXISTS does not cover the race).
      if ((err as { code?: string }).code !== '23505') {
        return { missing: `CREATE EXTENSION amcheck was refused (${(err as Error).message}); a superuser can run it once` };
      }
    }
    ext = await found();
    if (!ext) return { missing: 'amcheck could not be installed' };
  }
  return { schema: ext.schema };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Checks callq's indexes (and tables where amcheck can); `install` allows CREATE EXTENSION amcheck. */
export async function checkIntegrityPg(client: PgClient, options: { install: boolean }): Promise<PgIntegrity> {
  const found = await amcheck(client, options.install);
  if ('missing' in found) return { result: NOT_CHECKED, problems: [], detail: `${NOT_CHECKED}: ${found.missing}` };
  const fn = (name: string) => `${quote(found.schema)}.${name}`;
  const indexes = await client.query<{ name: string; oid: number }>(
    `SELECT c.oid::regclass::text AS name, c.oid::int8 AS oid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_class t ON t.oid = i.indrelid
      WHERE a.amname = 'btree' AND i.indisvalid AND t.relnamespace = current_schema()::regnamespace AND t.relpersistence = 'p'
      ORDER BY 1`,
  );
  const problems: string[] = [];
  try {
    for (const index of indexes.rows) {
      try {
        await client.query(`SELECT ${fn('bt_index_check')}($1::regclass)`, [index.oid]);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === '42501') throw err; // no permission: not a finding about the data
        if (code !== 'XX002' && code !== 'XX001') throw err;
        problems.push(`index ${index.name}: ${(err as Error).message}`);
      }
    }
    const heap = await client.query(`SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'verify_heapam' AND n.nspname = $1`, [found.schema]);
    let tables = 0;
    if (heap.rowCount) {
      const rels = await client.query<{ name: string; oid: number }>(
        `SELECT c.oid::regclass::text AS name, c.oid::int8 AS oid FROM pg_class c
          WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`,
      );
      for (const rel of rels.rows) {
        const bad = await client.query<{ blkno: number; offnum: number; msg: string }>(
          `SELECT blkno, offnum, msg FROM ${fn('verify_heapam')}($1::regclass) LIMIT 20`,
          [rel.oid],
        );
        for (const b of bad.rows) problems.push(`table ${rel.name}, block ${b.blkno}, item ${b.offnum}: ${b.msg}`);
        tables++;
      }
    }
    return { result: 'ok', problems, detail: `${indexes.rowCount} indexes${tables ? `, ${tables} tables` : ''} checked with amcheck` };
  } catch (err) {
    if ((err as { code?: string }).code === '42501') {
      return { result: NOT_CHECKED, problems: [], detail: `${NOT_CHECKED}: ${(err as Error).message}; a superuser can grant EXECUTE on amcheck's functions` };
    }
    throw err;
  }
}
