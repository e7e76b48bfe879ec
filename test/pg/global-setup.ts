// One throwaway PostgreSQL cluster per test run (vitest globalSetup), with a template database
// migrated once; each PostgreSQL test file clones the template into a fresh database
// (test/pg/db.ts). Without PostgreSQL server binaries the cluster is not started and those
// tests are skipped with the reason.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { pgUnavailable, startCluster, clusterConfig, type PgCluster } from './cluster.js';
import { connectPg } from '../../src/db/pg/open.js';
import { migratePg } from '../../src/db/pg/migrations.js';

export interface PgInfo {
  /** Why PostgreSQL tests cannot run here, or null. */
  unavailable: string | null;
  socketDir: string;
  port: number;
  user: string;
  /** A migrated database to clone. */
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgInfo;
  }
}

export const TEMPLATE = 'callq_template';

/**
 * Whether this run includes a test file that uses PostgreSQL (test/pg/, or a scenario run on
 * both stores through test/stores.ts): a targeted run of other files (vitest's filename filters)
 * does not pay for a cluster. Unknown filters count as a yes.
 */
function runIncludesPg(project: TestProject): boolean {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters?.length) return true;
  const tests = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const files = (readdirSync(tests, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(tests, f))
    .filter((file) => /from '(\.\.?\/)+(pg\/db|stores|db)\.js'/.test(readFileSync(file, 'utf8')));
  return files.some((file) => filters.some((f) => file.includes(f.replace(/^\.\//, '')) || file.includes(resolve(f))));
}

export default async function setup(project: TestProject) {
  const unavailable = runIncludesPg(project) ? pgUnavailable() : 'no PostgreSQL test file in this run';
  if (unavailable) {
    project.provide('pg', { unavailable, socketDir: '', port: 0, user: '', template: '' });
    return;
  }
  const cluster: PgCluster = startCluster();
  // Also on an abrupt end of the run: never leave a server behind.
  const onExit = () => cluster.stop();
  process.once('exit', onExit);
  try {
    const admin = await connectPg(clusterConfig(cluster, 'postgres'));
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    await admin.end();
    const client = await connectPg(clusterConfig(cluster, TEMPLATE));
    await migratePg(client);
    await client.end();
  } catch (err) {
    cluster.stop();
    throw err;
  }
  project.provide('pg', { unavailable: null, socketDir: cluster.socketDir, port: cluster.port, user: cluster.user, template: TEMPLATE });
  return () => {
    process.off('exit', onExit);
    cluster.stop();
  };
}
