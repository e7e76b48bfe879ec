// The store boundary (docs/design.md, "Stores"): every command reaches the team's database
// through these operations, on a SQLite file (the embedded default) or a PostgreSQL database
// (`--db postgres://…`). Each operation is one transaction; commands never open transactions
// themselves. The operations are grouped by who uses them; each group's interface is in
// src/db/store/, its SQLite implementation in src/db/sqlite-store/, its PostgreSQL one in
// src/db/pg/store/. The PostgreSQL driver is loaded only when the target is a postgres:// URL.
import type { RepStore } from './store/rep.js';
import type { ImportStore } from './store/imports.js';
import type { ExportStore } from './store/exports.js';
import type { AdminStore } from './store/admin.js';
import type { TableStore } from './store/tables.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenStoreOptions {
  /** Create the database (a file) or its schema (PostgreSQL) when missing: `init` and `import` only. */
  create?: boolean;
  /** Only read (`maintain --dry-run`, reports): nothing is written, not even a migration. */
  readonly?: boolean;
}

export interface Store {
  readonly kind: StoreKind;
  /** How messages name the database: the file's path, or the URL without its password. */
  readonly name: string;
  /** A rep's day: settings, leads, the queue, claims, outcomes, status. */
  readonly rep: RepStore;
  /** Importing lists, the list of imports, undo. */
  readonly imports: ImportStore;
  /** Hand-offs, clean-up lists, call exports, reports, the do-not-call list. */
  readonly exports: ExportStore;
  /** Backup, restore, maintenance, erasure, copying a database to another store. */
  readonly admin: AdminStore;
  /** Every table read and written whole: moving a team's database to another store. */
  readonly tables: TableStore;
  close(): Promise<void>;
}

/** Whether a --db value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}

/** A URL as messages show it: the password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/** Opens the store `target` names: a postgres:// URL, else a SQLite file's path. */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(target)) {
    const { openPgStore } = await import('./pg/store/index.js');
    return openPgStore(target, options);
  }
  const { openSqliteStore } = await import('./sqlite-store/index.js');
  return openSqliteStore(target, options);
}

/**
 * A group of operations whose code loads on its first use. Every operation of the groups made
 * this way returns a promise. Why: importing, maintenance and erasure bring in the phone and
 * country data (~80 ms to load); `status`, `queue` and the reports never use them.
 */
export function lazyGroup<T extends object>(load: () => Promise<T>): T {
  let group: Promise<T> | undefined;
  return new Proxy({} as T, {
    get(_, op) {
      // Not a promise itself, whoever asks.
      if (op === 'then' || typeof op === 'symbol') return undefined;
      return (...args: unknown[]) => (group ??= load()).then((g) => (g as Record<string, (...a: unknown[]) => unknown>)[op](...args));
    },
  });
}
