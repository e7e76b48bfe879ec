// The PostgreSQL store: one database shared by a team on many machines (src/db/store.ts).
import { connectPg, transportOf } from '../open.js';
import { migratePg, pgSchemaAndSettings, pgSchemaVersion, PG_SCHEMA_VERSION, serverClockMs } from '../migrations.js';
import { lazyGroup, redactUrl, type OpenStoreOptions, type Store } from '../../store.js';
import { UsageError } from '../../../core/errors.js';
import { pgConnection, type PgConnection } from './connection.js';
import { pgRep } from './rep.js';
import { pgExports } from './exports.js';
import type { ImportStore } from '../../store/imports.js';
import type { AdminStore } from '../../store/admin.js';
import type { TableStore } from '../../store/tables.js';
import { pgDatabaseInUse } from '../errors.js';
import { busyTimeoutFrom } from '../../busy-timeout.js';
import { answerWaitMs, applyBusyTimeout, sessionConfig } from '../session.js';

export interface PgStore extends Store {
  readonly kind: 'postgres';
  readonly conn: PgConnection;
}

export async function openPgStore(url: string, options: OpenStoreOptions): Promise<PgStore> {
  const name = redactUrl(url);
  // Failures from here on are told with this name (src/cli/failure.ts).
  pgDatabaseInUse(name);
  const client = await openSession(url);
  let opening: Map<string, string> | undefined;
  let clockOffsetMs = 0;
  let migrated: { from: number; to: number } | undefined;
  let busyMs = busyTimeoutFrom(process.env, undefined);
  try {
    // One round trip for a database at this callq's version; pgSchemaVersion asks otherwise.
    const sent = Date.now();
    const probe = await pgSchemaAndSettings(client);
    // The server read its clock about half-way through the round trip.
    clockOffsetMs = Math.round((probe ? probe.serverMs : await serverClockMs(client)) - (sent + Date.now()) / 2);
    const version = probe ? probe.version : await pgSchemaVersion(client);
    if (version > PG_SCHEMA_VERSION) {
      throw new UsageError(`database ${name} has schema version ${version}, newer than this callq understands (${PG_SCHEMA_VERSION}). Upgrade callq; the database was not touched.`);
    }
    if (version === 0 && !options.create) {
      throw new UsageError(`no callq database at ${name}. Create it with 'callq init --db URL' (or 'callq import FILE --db URL'), or point to an existing one with --db or CALLQ_DB.`);
    }
    if (version < PG_SCHEMA_VERSION && !options.readonly) {
      // An existing database brought up to this callq's schema: said by whoever opened it (upgradeNote).
      if ((await migratePg(client)) > 0 && version > 0) migrated = { from: version, to: PG_SCHEMA_VERSION };
    }
    if (probe && version === PG_SCHEMA_VERSION) {
      busyMs = await applyBusyTimeout(client, { value: probe.settings.get('busy-timeout') });
      opening = probe.settings;
    } else if (version > 0 || !options.readonly) {
      busyMs = await applyBusyTimeout(client);
    }
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  const conn = pgConnection(client, url, async () => {
    const again = await openSession(url);
    try {
      await applyBusyTimeout(again);
    } catch (err) {
      await again.end().catch(() => {});
      throw err;
    }
    return again;
  }, answerWaitMs(url, busyMs));
  return {
    kind: 'postgres',
    name,
    transport: transportOf(client),
    clockOffsetMs,
    migrated,
    conn,
    rep: pgRep(conn, opening),
    imports: lazyGroup<ImportStore>(() => import('./imports.js').then((m) => m.pgImports(conn))),
    exports: pgExports(conn),
    admin: lazyGroup<AdminStore>(() => import('./admin.js').then((m) => m.pgAdmin(conn))),
    tables: lazyGroup<TableStore>(() => import('./tables.js').then((m) => m.pgTables(conn))),
    close: () => conn.close(),
  };
}

/** A connection in callq's session settings (sessionConfig). */
async function openSession(url: string) {
  const client = await connectPg(sessionConfig(url));
  // A connection lost between two statements is reported by the next one; unheard, it would end the process.
  client.on('error', () => {});
  return client;
}
