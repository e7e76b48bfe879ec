#!/usr/bin/env node
// `callq db copy` on a large database, each direction the stores allow (--store), through the
// built binary: file → file, file → PostgreSQL, PostgreSQL → file. Baseline in the same run:
// SQLite's own `VACUUM INTO` of the same file (a page-level copy, no rows decoded). Prints time,
// rows per second and the copying process's peak RSS (memory must stay flat in the table size).
//
//   node bench/db-copy.js [--store sqlite|postgres|both] [--leads 1000000]
//
// The source file is made by callq's own commands (bench/lib/imported-db.js): `callq import` of
// --leads generated leads, two afternoons of calls by rep processes through the store code (2% of
// the leads called), the day's web leads; no statistics (none until `maintain`). PostgreSQL is a
// throwaway cluster (bench/lib/pg-cluster.js, fsync on), stopped and removed at the end, also on
// failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createDatabase, startBenchCluster, storesToRun } from './lib/pg-cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const leads = Number(opt('leads', 1_000_000));
const stores = await storesToRun();
const { importedDb } = await import('./lib/imported-db.js');
const work = join(tmpdir(), `callq-bench-copy-${process.pid}`);
mkdirSync(work, { recursive: true });
let cluster = null;
try {
  const file = join(work, 'leads.db');
  console.log(`${leads.toLocaleString()} leads; stores: ${stores.join(', ')}`);
  await importedDb(file, leads);

  const vacuumInto = join(work, 'vacuum.db');
  const t0 = performance.now();
  const src = new Database(file, { readonly: true });
  src.exec(`VACUUM INTO '${vacuumInto}'`);
  src.close();
  const baseS = (performance.now() - t0) / 1000;
  console.log(`\nbaseline: VACUUM INTO (SQLite's page copy)      ${baseS.toFixed(1)} s`);

  const copy = (label, from, to) => {
    // /usr/bin/time is not everywhere: the child's peak RSS comes from Node's own resource usage.
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss='+process.resourceUsage().maxRSS+'\\n'))`, bin, '--db', from, 'db', 'copy', '--to', to, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    const rss = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
    console.log(`${label.padEnd(46)} ${out.seconds.toFixed(1)} s  ${(out.rows / out.seconds / 1000).toFixed(0)}k rows/s  ` +
      `${(out.seconds / baseS).toFixed(1)}× VACUUM INTO  peak RSS ${rss.toFixed(0)} MB`);
  };
  if (stores.includes('sqlite')) copy('callq db copy file → new file', file, join(work, 'copy.db'));
  if (stores.includes('postgres')) {
    cluster = await startBenchCluster({ fsync: true });
    const url = await createDatabase(cluster, 'bench_copy');
    copy('callq db copy file → PostgreSQL', file, url);
    copy('callq db copy PostgreSQL → new file', url, join(work, 'back.db'));
  }
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}
