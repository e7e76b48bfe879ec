// Opening the database: pragmas, migrations, and the refusal of a schema newer than this binary.
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IntegrityError, UsageError } from '../core/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { notADatabase } from '../io/file-kind.js';
import { sleepSync } from '../io/sleep.js';

export type { DB };

export interface OpenOptions {
  /** Create the file and migrate it (write commands); otherwise a missing file is an error. */
  create?: boolean;
  readonly?: boolean;
  /** Milliseconds to wait for another writer before giving up (default: busyTimeoutFrom()). */
  busyTimeout?: number;
}

export { BUSY_TIMEOUT_MS, busyTimeoutFrom } from './busy-timeout.js';
import { busyTimeoutFrom } from './busy-timeout.js';
/** Page size of databases callq creates. */
export const PAGE_SIZE = 8192;

let addonPath: string | undefined | null = null;

/**
 * Where better-sqlite3's compiled addon is. Passing it saves the driver's `bindings` search
 * (a stack trace and a dozen probed paths) on every start; when it is elsewhere (a prebuilt
 * layout), the driver finds it itself.
 */
function nativeBinding(): string | undefined {
  if (addonPath === null) {
    try {
      const path = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
      addonPath = existsSync(path) ? path : undefined;
    } catch {
      addonPath = undefined;
    }
  }
  return addonPath;
}

export function openDatabase(path: string, options: OpenOptions = {}): DB {
  if (!options.create && !existsSync(path)) {
    throw new UsageError(
      `no database at ${path}. Create it with 'callq init' (or 'callq import FILE'), or point to an existing one with --db PATH or CALLQ_DB=PATH.`,
    );
  }
  // Leads are personal data: a new file is owner-only, and SQLite gives -wal and -shm its mode.
  if (options.create && !options.readonly) createPrivateFile(path);
  let db: DB;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create, nativeBinding: nativeBinding() });
  } catch (err) {
    throw new UsageError(`cannot open database ${path}: ${(err as Error).message}.`);
  }
  try {
    // Until the setting is read (a read never waits for a writer in WAL), the environment or 5 s.
    db.pragma(`busy_timeout = ${options.busyTimeout ?? busyTimeoutFrom(process.env, undefined)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new UsageError(
        `database ${path} has schema version ${version}, newer than this callq understands (${SCHEMA_VERSION}). ` +
          'Upgrade callq; the file was not touched.',
      );
    }
    const foreign = foreignTables(db, version);
    if (foreign) {
      throw new UsageError(
        `${path} is a SQLite database of another program (it holds ${foreign}), not a callq database; it was not touched. ` +
          'Check --db (or CALLQ_DB).',
      );
    }
    if (!options.readonly) {
      // A new file gets 8 kB pages (SQLite's default is 4 kB): a lead row is wide, and an
      // import of a large list writes, scans and sorts a quarter fewer pages' worth of overhead.
      // It must be set before the file is first written; an existing file keeps its own size.
      if (version === 0 && db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (version < SCHEMA_VERSION && options.readonly) {
      throw new UsageError(`database ${path} needs migrating to schema ${SCHEMA_VERSION}; run 'callq init' first.`);
    }
    // An existing file brought up to this callq's schema: said by whoever opened it (upgradeNote).
    if (version < SCHEMA_VERSION && migrate(db, SCHEMA_VERSION) > 0 && version > 0) upgradedFrom.set(db, version);
    if (options.busyTimeout === undefined && version > 0) {
      const stored = db.prepare(`SELECT value FROM settings WHERE key = 'busy-timeout'`).pluck().get() as string | undefined;
      if (stored !== undefined) db.pragma(`busy_timeout = ${busyTimeoutFrom(process.env, stored)}`);
    }
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB' || (err as { code?: string }).code === 'SQLITE_CORRUPT') {
      // A typo naming a CSV or a workbook is a usage error; a damaged database is an integrity one.
      const notDb = notADatabase(path);
      if (notDb) throw new UsageError(`${path} is not a callq database: ${notDb}. Check --db (or CALLQ_DB); the file was not touched.`);
      throw new IntegrityError(`${path} is not a usable callq database (${(err as Error).message}). Restore it from a backup.`);
    }
    throw err;
  }
  return db;
}

/**
 * The tables of a SQLite file that is not callq's, named for a message, or null: a file without
 * callq's schema version that holds tables, or one with a version but no `leads` table (another
 * program's own version number). callq would otherwise add its tables to it, or run its
 * migrations on another program's tables.
 */
function foreignTables(db: DB, version: number): string | null {
  const has = (sql: string) => db.prepare(sql).pluck().all() as string[];
  // Whatever the version said: another process's first migration may have landed since it was
  // read (it sets the version with the tables, in one transaction). A `leads` table with no
  // version at all is another program's.
  if (has(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'leads'`).length && (db.pragma('user_version', { simple: true }) as number) > 0) return null;
  const tables = has(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 4`);
  if (tables.length === 0) return version > 0 ? 'no tables but a schema version callq did not write' : null;
  const named = tables.slice(0, 3).map((t) => `'${t.replace(/\p{C}/gu, '?')}'`).join(', ');
  return `the table${tables.length > 1 ? 's' : ''} ${named}${tables.length > 3 ? ' and more' : ''}`;
}

/** What foreignTables says of the SQLite file at `path`, read-only; null when it cannot be read as one. */
export function foreignDatabase(path: string): string | null {
  let db: DB | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, nativeBinding: nativeBinding() });
    return foreignTables(db, db.pragma('user_version', { simple: true }) as number);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * Creates the empty file `path` owner-only (0600 less the umask) if it does not exist, before
 * SQLite opens it: SQLite would create it 0644. Kept here rather than in src/io so that
 * `callq next` loads nothing more.
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    // Already there (another process was quicker), or a missing folder: SQLite's open says so.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Applies migrations up to `target`, each in its own immediate transaction. Returns how many this
 * process applied (another may have run some meanwhile).
 */
export function migrate(db: DB, target: number = SCHEMA_VERSION): number {
  let applied = 0;
  for (;;) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= target) return applied;
    db.transaction(() => {
      // Re-read inside the lock: another process may have migrated meanwhile.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current !== version) return;
      MIGRATIONS[version](db);
      db.pragma(`user_version = ${version + 1}`);
      applied++;
    }).immediate();
  }
}

const upgradedFrom = new WeakMap<DB, number>();

/** The schema versions an existing file was migrated between as this process opened it; undefined when it was not. */
export function migratedOnOpening(db: DB): { from: number; to: number } | undefined {
  const from = upgradedFrom.get(db);
  return from === undefined ? undefined : { from, to: SCHEMA_VERSION };
}

/**
 * Runs `work` (one immediate transaction: a claim, a logged outcome, a release), and while
 * another writer holds the lock retries it every 2 ms until the busy timeout has passed; then
 * the SQLITE_BUSY goes up (exit 75). SQLite's own busy handler sleeps in growing steps up to
 * 100 ms and so keeps missing the short gaps between an import's write slices; polling this
 * often takes the first gap. `work` must be a whole transaction (nothing is kept of a try that
 * found the lock taken). `atLeastMs` lengthens the wait for work that should outwait reps (an
 * import's slices) rather than fail.
 */
export function retryWhileBusy<T>(db: DB, work: () => T, atLeastMs = 0): T {
  if (db.inTransaction) return work();
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  // The clock starts at the first refusal: most work never meets one, and a start-up then skips perf_hooks.
  let deadline: number | undefined;
  db.pragma('busy_timeout = 0');
  try {
    for (;;) {
      try {
        return work();
      } catch (err) {
        if (!/^SQLITE_BUSY/.test((err as { code?: string }).code ?? '') || db.inTransaction) throw err;
        deadline ??= performance.now() + Math.max(timeout, atLeastMs);
        if (performance.now() >= deadline) throw err;
        sleepSync(2);
      }
    }
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

const statements = new WeakMap<DB, Map<string, Statement>>();

/** A prepared statement cached per connection: hot paths (the claim) prepare each SQL once. */
export function statement(db: DB, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Checkpoints the write-ahead log and truncates it to nothing; false when a reader kept it or there was no room even for that. */
export function truncateWal(db: DB): boolean {
  try {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return row.busy === 0;
  } catch {
    return false;
  }
}

/**
 * Whether the database file at `path`, which this process made for a command that then failed
 * as a whole (an import of a broken list), may be removed: not when another process has it open
 * meanwhile (leaving WAL mode succeeds only for the last connection) or wrote anything to it (a
 * second import, a `config set`).
 */
export function unusedDatabase(path: string): boolean {
  let db: DB;
  try {
    db = new Database(path, { fileMustExist: true, nativeBinding: nativeBinding() });
  } catch {
    return false;
  }
  try {
    db.pragma('busy_timeout = 0');
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') return false;
    const written = db
      .prepare(`SELECT (SELECT count(*) FROM settings) + (SELECT count(*) FROM imports) + (SELECT count(*) FROM leads) + (SELECT count(*) FROM suppressions)`)
      .pluck()
      .get();
    return written === 0;
  } catch {
    return false;
  } finally {
    db.close();
  }
}
