// TableStore on PostgreSQL (src/db/store/tables.ts): the source or the target of `callq db copy`.
// Reading holds one REPEATABLE READ snapshot and fetches each table through a cursor; writing
// streams each table with COPY FROM STDIN (pg-copy-streams) inside the load's one transaction.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PgClient } from '../open.js';
import type { PgConnection } from './connection.js';
import { copyTextLine } from '../copy-text.js';
import { copiedTables, keyOrder, quoteName, type TableReader, type TableRow, type TableStore, type TableWriter } from '../../store/tables.js';
import { pgSchemaVersion, REP_CLAIMS_FROM_LEADS } from '../migrations.js';
import { redactUrl } from '../../store.js';

const BATCH = 5_000;

async function counts(client: PgClient, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteName(t)}`);
    out[t] = rows[0].n;
  }
  return out;
}

export function pgTables(conn: PgConnection): TableStore {
  const { client } = conn;
  let cursors = 0;

  const reader: TableReader = {
    counts: (tables) => counts(client, tables),
    async *rows(table, columns, batchSize = BATCH) {
      const cursor = `callq_copy_${++cursors}`;
      await client.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.map(quoteName).join(', ')} FROM ${quoteName(table)} ORDER BY ${keyOrder(table)}`,
      );
      try {
        for (;;) {
          const { rows } = await client.query<TableRow>({ text: `FETCH FORWARD ${batchSize} FROM ${cursor}`, rowMode: 'array' });
          if (rows.length) yield rows;
          if (rows.length < batchSize) break;
        }
      } finally {
        await client.query(`CLOSE ${cursor}`).catch(() => undefined);
      }
    },
  };

  const writer: TableWriter = {
    counts: (tables) => counts(client, tables),
    async clear(table) {
      await client.query(`DELETE FROM ${quoteName(table)}`);
    },
    async write(table, columns, batches) {
      // The table's indexes (but those behind its key and unique constraints) are set aside and
      // built again once the rows are in: one sort each instead of a million index insertions.
      // Index DDL is part of the load's transaction, so a failed copy leaves them as they were.
      const { rows: indexes } = await client.query<{ name: string; def: string }>(
        `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename = $1
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
        [table],
      );
      for (const index of indexes) await client.query(`DROP INDEX ${quoteName(index.name)}`);
      let written = 0;
      async function* lines() {
        for await (const batch of batches) {
          let chunk = '';
          for (const row of batch) chunk += copyTextLine(row);
          written += batch.length;
          yield chunk;
        }
      }
      const copy = client.query(copyFrom(`COPY ${quoteName(table)} (${columns.map(quoteName).join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(lines(), { objectMode: false }), copy);
      for (const index of indexes) await client.query(index.def);
      // The claims the copied leads carry, findable as a claim finds a rep's (migration 9).
      if (table === 'leads') await client.query(REP_CLAIMS_FROM_LEADS);
      return written;
    },
    async resetSequences(tables) {
      for (const t of tables) {
        const { rows } = await client.query<{ seq: string | null }>(
          `SELECT pg_get_serial_sequence($1, 'id') AS seq FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`,
          [t],
        );
        const seq = rows[0]?.seq;
        if (!seq) continue;
        // The next id the store hands out is one past the largest copied (1 for an empty table);
        // for leads, past the largest any batch handed out too (an undone or forgotten lead's).
        const highest = t === 'leads' ? 'greatest(max(id), (SELECT max(lead_ids_to) FROM imports))' : 'max(id)';
        await client.query(`SELECT setval($1, coalesce(${highest}, 1), ${highest} IS NOT NULL) FROM ${quoteName(t)}`, [seq]);
      }
    },
  };

  return {
    schemaVersion: () => pgSchemaVersion(client),
    async listTables() {
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name, c.ordinal_position`,
      );
      const catalog = new Map<string, string[]>();
      for (const r of rows) catalog.set(r.table_name, [...(catalog.get(r.table_name) ?? []), r.column_name]);
      return copiedTables(catalog, redactUrl(conn.url));
    },
    counts: (tables) => counts(client, tables),
    async snapshot(work) {
      // One snapshot for the counts and every table: what reps commit meanwhile is not seen.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      try {
        return await work(reader);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    },
    load: (work) =>
      conn.transaction(async () => {
        // Memory for rebuilding the set-aside indexes, for this transaction only.
        await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
        return work(writer);
      }),
    async analyze(tables) {
      // A copy writes every row at once; the planner would otherwise wait for autovacuum's
      // first pass to learn the tables' sizes.
      await client.query(`ANALYZE ${tables.map(quoteName).join(', ')}`);
    },
    async identity() {
      const { rows } = await client.query<{ id: string }>(
        `SELECT concat_ws(':', 'postgres', pg_postmaster_start_time()::text, inet_server_addr()::text, current_setting('port'), current_database()) AS id`,
      );
      return rows[0].id;
    },
  };
}
