#!/usr/bin/env node
// `callq next` as a whole process on each store, against `node -e 0` measured in the same run
// (interleaved, so machine load affects all alike). Targets: ≤ 2.3× on PostgreSQL, ≤ 1.6× on
// SQLite (bench/next.js is SQLite's own, fuller benchmark).
//
//   node bench/next-store.js [--store sqlite|postgres|both] [--leads 1000000] [--runs 21] [--json]
//
// --store defaults to both when PostgreSQL server binaries are found (else sqlite alone). Each
// store's database is made by callq's own commands, straight into that store
// (bench/lib/imported-db.js): `callq import --db FILE|URL` of --leads generated leads, two
// afternoons of calls by rep processes through the store code (2% of the leads called), then the
// day's web leads; no statistics but what callq leaves (none on SQLite until `maintain`; on
// PostgreSQL the ANALYZE its import runs after a large import). PostgreSQL is a throwaway
// cluster (bench/lib/pg-cluster.js: unix socket only, fsync on; stopped and removed at the end,
// also on failure). Each run times, through the built binary with `--db FILE|URL`:
//   - a fresh claim: a new rep every run, so nothing is held and the queue is searched;
//   - the held claim: one rep again, shown the lead it holds;
//   - `callq log ID no-answer` by the fresh rep, as a rep runs after every call.
// A store on which `callq next` fails (a build without that command on the store) is reported as
// "not available" with callq's message, and the others are still measured.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startBenchCluster, storesToRun } from './lib/pg-cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const NOW = '2026-11-24T18:00:00Z'; // Tuesday 13:00 New York, 10:00 Los Angeles
const TARGET = { sqlite: 1.6, postgres: 2.3 };
const NAME = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const leads = Number(opt('leads', 1_000_000));
const runs = Number(opt('runs', 21));
const asJson = process.argv.includes('--json');
const log = (line) => (asJson ? process.stderr : process.stdout).write(line + '\n');

const stores = await storesToRun();
const { importedDb, statistics } = await import('./lib/imported-db.js');
const work = join(tmpdir(), `callq-bench-next-${process.pid}`);
mkdirSync(work, { recursive: true });
let cluster = null;
try {
  log(`${leads.toLocaleString()} leads; stores: ${stores.join(', ')}`);
  const dbs = {};
  const built = {};
  if (stores.includes('sqlite')) {
    dbs.sqlite = join(work, 'leads.db');
    built.sqlite = await importedDb(dbs.sqlite, leads, { log });
  }
  if (stores.includes('postgres')) {
    cluster = await startBenchCluster({ fsync: true });
    dbs.postgres = await createDatabase(cluster, 'bench_next');
    built.postgres = await importedDb(dbs.postgres, leads, { log });
  }
  for (const store of stores) log(`${NAME[store]} planner statistics: ${await statistics(dbs[store])}`);

  const report = { leads, runs, built, stores: {} };
  const callq = (store, rep, ...args) => [bin, '--db', dbs[store], '--rep', rep, '--now', NOW, ...args];
  // Which stores serve `next` at all in this build: the first claim says.
  const held = {};
  for (const store of stores) {
    const r = spawnSync(process.execPath, callq(store, `bench-held-${process.pid}`, 'next', '--json'), { encoding: 'utf8' });
    if (r.status === 0) held[store] = JSON.parse(r.stdout).lead.id;
    else {
      const why = (r.stderr.trim().split('\n')[0] || `exit ${r.status}`).slice(0, 200);
      report.stores[store] = { available: false, reason: why };
      log(`${NAME[store]}: callq next not available in this build (exit ${r.status}: ${why})`);
    }
  }
  const live = stores.filter((s) => held[s] !== undefined);
  // Without the real command on PostgreSQL, a bare claim process through the built store code
  // (bench/lib/pg-claim-process.js) gives an indication, labelled as such.
  const proxy = stores.includes('postgres') && !live.includes('postgres');
  const claimProcess = (rep) => [join(root, 'bench', 'lib', 'pg-claim-process.js'), dbs.postgres, rep, NOW];
  const figures = { base: [], proxy: [] };
  for (const s of live) figures[s] = { fresh: [], held: [], log: [] };
  for (let i = 0; i < runs; i++) {
    figures.base.push(timeProcess(['-e', '0']));
    if (proxy) figures.proxy.push(timeProcess(claimProcess(`bench-proxy-${process.pid}-${i}`)).ms);
    for (const s of live) {
      const rep = `bench-fresh-${process.pid}-${i}`;
      const f = timeProcess(callq(s, rep, 'next', '--json'));
      const claim = JSON.parse(f.stdout);
      if (claim.again) throw new Error(`${NAME[s]}: a fresh rep was shown a held claim`);
      figures[s].fresh.push(f.ms);
      const h = timeProcess(callq(s, `bench-held-${process.pid}`, 'next', '--json'));
      if (JSON.parse(h.stdout).lead.id !== held[s]) throw new Error(`${NAME[s]}: the held claim was not shown again`);
      figures[s].held.push(h.ms);
      figures[s].log.push(timeProcess(callq(s, rep, 'log', String(claim.lead.id), 'no-answer')).ms);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(figures.base.map((r) => r.ms));
  report.node_ms = round(base);
  log(`\nnode -e 0                          median ${base.toFixed(1)} ms   (${runs} runs of each, interleaved)`);
  for (const s of live) {
    const out = { available: true };
    for (const [what, label] of [['fresh', 'next, fresh claim'], ['held', 'next, held claim'], ['log', 'log ID no-answer']]) {
      const ms = median(figures[s][what]);
      const ratio = ms / base;
      out[what] = { median_ms: round(ms), ratio: round(ratio) };
      const verdict = what === 'log' ? '' : `   (target ≤ ${TARGET[s]}×: ${ratio <= TARGET[s] ? 'met' : 'MISSED'})`;
      log(`${`${NAME[s]} ${label}`.padEnd(34)} median ${ms.toFixed(1)} ms   ${ratio.toFixed(2)}×${verdict}`);
    }
    report.stores[s] = out;
  }
  if (proxy) {
    const ms = median(figures.proxy);
    report.stores.postgres.claim_process = { median_ms: round(ms), ratio: round(ms / base) };
    log(`${'PostgreSQL bare claim process'.padEnd(34)} median ${ms.toFixed(1)} ms   ${(ms / base).toFixed(2)}×   ` +
      '(not callq next: connect, settings, claim through dist/ — an indication only)');
  }
  if (asJson) process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

function timeProcess(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.slice(1).join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function round(x) {
  return Math.round(x * 100) / 100;
}
