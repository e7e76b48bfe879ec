// A fresh PostgreSQL database for one test file, cloned from the run's migrated template
// (test/pg/global-setup.ts). `pgInfo.unavailable` says why PostgreSQL tests are skipped.
import { inject } from 'vitest';
import { connectPg, type PgClient } from '../../src/db/pg/open.js';
import { sessionSettings } from '../../src/db/pg/session.js';
import { clusterConfig, clusterUrl } from './cluster.js';

export const pgInfo = inject('pg');
if (pgInfo.unavailable) console.warn(`PostgreSQL tests skipped: ${pgInfo.unavailable}.`);

let counter = 0;

export interface TestDatabase {
  name: string;
  url: string;
  config: ReturnType<typeof clusterConfig>;
  connect(): Promise<PgClient>;
  drop(): Promise<void>;
}

/** Creates a database: a clone of the migrated template, or empty (`migrated: false`). */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `callq_t${process.pid}_${++counter}`;
  const admin = await connectPg(clusterConfig(pgInfo, 'postgres'));
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${options.migrated === false ? 'template0' : pgInfo.template}`);
  } finally {
    await admin.end();
  }
  const config = clusterConfig(pgInfo, name);
  return {
    name,
    url: clusterUrl(pgInfo, name),
    config,
    // The session callq's commands run in (no JIT, the busy timeout).
    connect: () => connectPg({ ...config, ...sessionSettings() }),
    drop: async () => {
      const a = await connectPg(clusterConfig(pgInfo, 'postgres'));
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
