// A fresh PostgreSQL database for one test file, cloned from the run's migrated template
// (test/pg/global-setup.ts). `pgInfo.unavailable` says why PostgreSQL tests are skipped.
import { afterAll, inject } from 'vitest';
import { connectPg, type PgClient } from '../../src/db/pg/open.js';
import { sessionSettings } from '../../src/db/pg/session.js';
import { clusterConfig, clusterUrl } from './cluster.js';

export const pgInfo = inject('pg');
if (pgInfo.unavailable) console.warn(`PostgreSQL tests skipped: ${pgInfo.unavailable}.`);

let counter = 0;

/**
 * One connection to the cluster's `postgres` database per test process, for creating and
 * dropping databases: opening a connection costs a new server process (tens of milliseconds on
 * a loaded machine), a statement on an open one about one. It holds no lock between statements
 * and keeps no process alive (its socket is unref'd); if the server ends it, the next statement
 * opens another.
 */
let admin: Promise<PgClient> | undefined;

async function asAdmin(sql: string): Promise<void> {
  if (!admin) {
    const opening = connectPg(clusterConfig(pgInfo, 'postgres')).then((c) => {
      const forget = () => {
        if (admin === opening) admin = undefined;
      };
      c.on('error', forget);
      c.on('end', forget);
      (c as unknown as { connection: { stream: { unref?: () => void } } }).connection.stream.unref?.();
      return c;
    });
    admin = opening;
    opening.catch(() => {
      if (admin === opening) admin = undefined;
    });
  }
  await (await admin).query(sql);
}
// Closed after the test file that opened it (the next file opens its own).
afterAll(async () => {
  const held = admin;
  admin = undefined;
  await (await held?.catch(() => undefined))?.end();
});

export interface TestDatabase {
  name: string;
  url: string;
  config: ReturnType<typeof clusterConfig>;
  connect(): Promise<PgClient>;
  drop(): Promise<void>;
}

/**
 * Creates a database: a clone of the migrated template, or empty (`migrated: false`), or a clone
 * of the database `template` names (nobody may be connected to it).
 */
export async function freshDatabase(options: { migrated?: boolean; template?: string } = {}): Promise<TestDatabase> {
  const name = `callq_t${process.pid}_${++counter}`;
  const template = options.template ?? (options.migrated === false ? 'template0' : pgInfo.template);
  // FILE_COPY: copying the files is quicker than writing them through the WAL (the default), and
  // the copy drops quicker too (about 60 ms instead of 200 ms the pair on a loaded machine).
  await asAdmin(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
  const config = clusterConfig(pgInfo, name);
  return {
    name,
    url: clusterUrl(pgInfo, name),
    config,
    // The session callq's commands run in (no JIT, the busy timeout).
    connect: () => connectPg({ ...config, ...sessionSettings() }),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
