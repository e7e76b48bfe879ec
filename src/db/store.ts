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
  /**
   * How the command reached a PostgreSQL database: 'TLSv1.3' (or the protocol TLS agreed on),
   * 'unencrypted' over TCP, 'unix socket'; none for a SQLite file.
   */
  readonly transport?: string;
  /**
   * The database server's clock minus this machine's, in ms, measured as the store opened
   * (PostgreSQL only: src/core/server-clock.ts).
   */
  readonly clockOffsetMs?: number;
  /**
   * The schema versions an existing database was migrated between when this command opened it:
   * the first command after an upgrade of callq migrates the database (said on stderr).
   */
  readonly migrated?: { from: number; to: number };
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

/**
 * What to say when opening the store migrated an existing database (the first command after an
 * upgrade of callq, read commands included): which versions, so that whoever runs it knows
 * the database changed, and that callq's older copies on other machines can no longer open it.
 */
export function upgradeNote(store: Pick<Store, 'name' | 'migrated'>): string | null {
  if (!store.migrated) return null;
  const { from, to } = store.migrated;
  return `note: upgraded the database ${store.name} from schema version ${from} to ${to}; an older callq can no longer open it.`;
}

/** Whether a --db value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}

/**
 * Where the password of a URL's user part is (`[start, end)`), or null when it has none. The
 * user part ends at the last `@` before the query (the URL parser's reading), or at the last
 * `@` when a `?` in the password comes first, so a password holding `@`, `/`, `?` or `#`
 * unencoded is found whole.
 */
export function passwordSpan(url: string): { start: number; end: number } | null {
  const scheme = /^postgres(?:ql)?:\/\//i.exec(url);
  if (!scheme) return null;
  const rest = url.slice(scheme[0].length);
  const query = rest.indexOf('?');
  let at = query < 0 ? rest.lastIndexOf('@') : rest.lastIndexOf('@', query);
  if (at < 0 && query >= 0 && !rest.slice(0, query).includes('/')) at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return null;
  return { start: scheme[0].length + colon + 1, end: scheme[0].length + at };
}

/** A URL as messages show it: the password replaced by ***, in the user part and in a `password=` parameter. */
export function redactUrl(url: string): string {
  const span = passwordSpan(url);
  const shown = span ? `${url.slice(0, span.start)}***${url.slice(span.end)}` : url;
  return isPostgresUrl(shown) ? shown.replace(/([?&]password=)[^&#]*/gi, '$1***') : shown;
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
