// The benchmarks' PostgreSQL: a throwaway cluster as test/pg/cluster.ts starts it (initdb into a
// temp folder, run as `postgres` through runuser when root, unix socket only, never TCP), stopped
// and removed when the benchmark ends — normally, on an error, or on Ctrl-C/SIGTERM.
// Also the --store flag every store-aware benchmark takes: sqlite, postgres or both (the default
// when PostgreSQL server binaries are found, else sqlite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let harness;

/** test/pg/cluster.ts, compiled once with esbuild (a dev dependency): the benches and the tests share one harness. */
export async function clusterHarness() {
  if (harness) return harness;
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'callq-bench-harness-'));
  const out = join(dir, 'cluster.mjs');
  try {
    await build({ entryPoints: [join(root, 'test', 'pg', 'cluster.ts')], outfile: out, format: 'esm', platform: 'node', bundle: true, logLevel: 'warning' });
    harness = await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return harness;
}

/** The stores to run on: --store sqlite|postgres|both; the default is both when PostgreSQL can run here. */
export async function storesToRun(argv = process.argv) {
  const i = argv.indexOf('--store');
  const given = i > 0 ? argv[i + 1] : undefined;
  if (given !== undefined && !['sqlite', 'postgres', 'both'].includes(given)) {
    throw new Error(`invalid --store '${given}': expected sqlite, postgres or both`);
  }
  const missing = (await clusterHarness()).pgUnavailable();
  if (given === 'postgres' || given === 'both') {
    if (missing) throw new Error(`--store ${given}: ${missing}`);
    return given === 'both' ? ['sqlite', 'postgres'] : ['postgres'];
  }
  if (given === 'sqlite') return ['sqlite'];
  return missing ? ['sqlite'] : ['sqlite', 'postgres'];
}

/**
 * Starts a throwaway cluster; it is stopped by stop(), or at the latest when the process exits
 * (also on SIGINT/SIGTERM and an uncaught error). Benchmarks keep fsync on (durable commits, as a
 * team's server has them) unless told otherwise.
 */
export async function startBenchCluster({ fsync = true, settings = {} } = {}) {
  const { startCluster, clusterConfig, clusterUrl } = await clusterHarness();
  const cluster = startCluster({ fsync, settings: { shared_buffers: '256MB', max_wal_size: '4GB', ...settings } });
  const stop = () => cluster.stop();
  const onSignal = (signal) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.once('exit', stop);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    dir: cluster.dir,
    config: (database) => clusterConfig(cluster, database),
    url: (database) => clusterUrl(cluster, database),
    stop() {
      process.off('exit', stop);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop();
    },
  };
}

/** Creates an empty database (what an administrator's createdb gives); returns its URL. */
export async function createDatabase(cluster, name, template) {
  const { connectPg } = await import('../../dist/db/pg/open.js');
  const admin = await connectPg(cluster.config('postgres'));
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return cluster.url(name);
}
