// TableStore on a SQLite file (src/db/store/tables.ts): the source or the target of `callq db copy`.
import { realpathSync } from 'node:fs';
import type { DB } from '../open.js';
import { schemaVersion } from '../open.js';
import { copiedTables, keyOrder, quoteName, type TableReader, type TableRow, type TableStore, type TableWriter } from '../store/tables.js';

const BATCH = 2_000;
/** Page cache while loading (negative: KiB), so rebuilding an index sorts in memory. */
const LOAD_CACHE_KIB = -65_536;

export function sqliteTables(db: DB): TableStore {
  const counts = async (tables: readonly string[]) => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = db.prepare(`SELECT count(*) FROM ${quoteName(t)}`).pluck().get() as number;
    return out;
  };

  const reader: TableReader = {
    counts,
    async *rows(table, columns, batchSize = BATCH) {
      const stmt = db.prepare(`SELECT ${columns.map(quoteName).join(', ')} FROM ${quoteName(table)} ORDER BY ${keyOrder(table)}`).raw();
      // The statement stays open between batches: the snapshot's read transaction keeps it consistent.
      let batch: TableRow[] = [];
      for (const row of stmt.iterate() as IterableIterator<TableRow>) {
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  };

  const writer: TableWriter = {
    counts,
    async clear(table) {
      db.prepare(`DELETE FROM ${quoteName(table)}`).run();
    },
    async write(table, columns, batches) {
      // The table's own indexes are set aside and built again by sorting once the rows are in
      // (as a whole import does): keeping a million leads' phone, e-mail and queue indexes up
      // to date row by row touches pages all over the file. Index DDL is part of the transaction.
      const indexes = db
        .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
        .all(table) as { name: string; sql: string }[];
      for (const index of indexes) db.exec(`DROP INDEX ${quoteName(index.name)}`);
      const insert = db.prepare(
        `INSERT INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      let written = 0;
      for await (const batch of batches) {
        for (const row of batch) insert.run(row);
        written += batch.length;
      }
      for (const index of indexes) db.exec(index.sql);
      return written;
    },
    async resetSequences(tables) {
      // callq's tables take new ids as the largest rowid + 1, which the copied rows already set.
      // Only a table declared AUTOINCREMENT keeps a counter (sqlite_sequence); move it past them.
      const hasCounters = db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'`).get();
      if (!hasCounters) return;
      for (const t of tables) {
        db.prepare(`UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(rowid), 0) FROM ${quoteName(t)})) WHERE name = ?`).run(t);
      }
    },
  };

  return {
    schemaVersion: async () => schemaVersion(db),
    async listTables() {
      const names = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).pluck().all() as string[];
      const catalog = new Map(names.map((n) => [n, (db.pragma(`table_info(${quoteName(n)})`) as { name: string }[]).map((c) => c.name)]));
      return copiedTables(catalog, db.name);
    },
    counts,
    async snapshot(work) {
      // A deferred transaction's first read fixes what it sees (WAL): every later read, the
      // counts and each table's rows, comes from that one moment, whatever reps write meanwhile.
      db.exec('BEGIN');
      try {
        db.prepare('SELECT count(*) FROM settings').get();
        return await work(reader);
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK');
      }
    },
    async load(work) {
      // The rows arrive asynchronously (from PostgreSQL), so this transaction spans awaits; the
      // target is a database nobody else uses yet, and the immediate lock keeps it so.
      const cache = db.pragma('cache_size', { simple: true }) as number;
      db.pragma(`cache_size = ${LOAD_CACHE_KIB}`);
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(writer);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        db.pragma(`cache_size = ${cache}`);
      }
    },
    async analyze() {
      // Nothing: the queue's plans do not depend on statistics (docs/design.md), and the next
      // `callq maintain` gathers them as it does for any file.
    },
    async identity() {
      return `sqlite:${realpathSync(db.name)}`;
    },
  };
}
