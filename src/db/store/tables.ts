// The store operations for copying every table whole, to move a team's database to another store
// (callq db copy, docs/moving-to-postgres.md) (src/db/store.ts).

/** A row as an array of column values, in the order of the columns asked for. */
export type TableRow = unknown[];

export interface TableInfo {
  name: string;
  /** Every column, in the table's own order. */
  columns: string[];
}

/**
 * Every table callq keeps, in the order a copy writes them: a table after those it references,
 * and the tables that triggers fill from leads (lead_zones, lead_alt_phones) after leads, so
 * that what the copy writes into them replaces what the triggers wrote. Both stores have the
 * same tables at the same schema version (src/db/migrations.ts, src/db/pg/migrations.ts); a
 * table missing here is refused by listTables rather than left behind.
 */
export const COPIED_TABLES = [
  'settings',
  'imports',
  'handoffs',
  'leads',
  'lead_zones',
  'lead_alt_phones',
  'calls',
  'suppressions',
  'import_updates',
] as const;

/** The order a table's rows are read in: its id, else its key (every table has one but lead_alt_phones, read by lead). */
export function keyOrder(table: string): string {
  switch (table) {
    case 'settings':
      return '"key"';
    case 'lead_zones':
      return 'timezone';
    case 'lead_alt_phones':
      return 'lead_id, phone';
    case 'import_updates':
      return 'import_id, lead_id';
    default:
      return 'id';
  }
}

/** A table or column name quoted for SQL (both stores quote alike). */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Tables that must have no rows for a database to be a copy's target. The others (settings, and
 * what triggers derive from leads) are replaced by the source's rows.
 */
export const DATA_TABLES = ['leads', 'calls', 'imports', 'suppressions', 'handoffs', 'import_updates'] as const;

/** One consistent snapshot of a store, read table by table. */
export interface TableReader {
  /** Row counts per table, as of the snapshot. */
  counts(tables: readonly string[]): Promise<Record<string, number>>;
  /**
   * A table's rows in key order (id, else the primary key, else insertion order), in batches
   * of up to `batchSize` rows, streamed: memory stays flat however large the table.
   */
  rows(table: string, columns: readonly string[], batchSize?: number): AsyncIterable<TableRow[]>;
}

/** The target side of a copy, inside its one transaction. */
export interface TableWriter {
  /** Removes every row of `table` (settings, rows triggers derived from leads). */
  clear(table: string): Promise<void>;
  /** Writes the batches into `table` as they come, ids as given; returns the rows written. */
  write(table: string, columns: readonly string[], batches: AsyncIterable<TableRow[]>): Promise<number>;
  /** Row counts per table, including what this transaction wrote. */
  counts(tables: readonly string[]): Promise<Record<string, number>>;
  /** Moves every id sequence past the largest id now in its table. */
  resetSequences(tables: readonly string[]): Promise<void>;
}

export interface TableStore {
  /** The schema version (both stores number their migrations alike). */
  schemaVersion(): Promise<number>;
  /** The tables and their columns, in COPIED_TABLES order; refuses a table callq does not know. */
  listTables(): Promise<TableInfo[]>;
  /** Row counts per table, outside any snapshot (a target's emptiness check). */
  counts(tables: readonly string[]): Promise<Record<string, number>>;
  /** Runs `work` on one consistent read-only snapshot of the whole database. */
  snapshot<T>(work: (reader: TableReader) => Promise<T>): Promise<T>;
  /** Runs `work` as one transaction: everything it wrote, or nothing. */
  load<T>(work: (writer: TableWriter) => Promise<T>): Promise<T>;
  /** After a load: refreshes the planner's statistics where the store keeps them (PostgreSQL). */
  analyze(tables: readonly string[]): Promise<void>;
  /** Something that tells two connections to the same database apart from two databases. */
  identity(): Promise<string>;
}

/**
 * The tables callq copies, in COPIED_TABLES order, from what a store's catalog lists (name →
 * columns). A table of callq's that is missing means the schema is not callq's: refused. Other
 * tables (a team's own, beside callq's) are not callq's to copy and are left out.
 */
export function copiedTables(catalog: ReadonlyMap<string, string[]>, storeName: string): TableInfo[] {
  return COPIED_TABLES.map((name) => {
    const columns = catalog.get(name);
    if (!columns) throw new Error(`${storeName} has no table ${name}: it is not a callq database of this version.`);
    return { name, columns };
  });
}
