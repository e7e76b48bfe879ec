#!/usr/bin/env node
// The commands that count the whole queue, as whole processes on each store: `callq status` (its
// "queue now" at an instant when most zone groups are open) and `callq next` on an empty queue (a
// Sunday: it says how many leads wait and why, and when the first is callable). Baselines in the
// same run, interleaved: `node -e 0`, and on SQLite `sqlite3` reading the whole table once for
// the same leads (what the count cannot do better than). No target in SPEC; the figures say what
// a team lead and a rep at 7:55 am wait.
//
//   node bench/counts.js [--store sqlite|postgres|both] [--leads 1000000] [--runs 7] [--json]
//
// Each store's database is made by callq's own commands (bench/lib/imported-db.js: `callq
// import`, two afternoons of calls by rep processes, the day's web leads), nothing tuned.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startBenchCluster, storesToRun } from './lib/pg-cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const WEEKDAY = '2026-11-24T18:00:00Z'; // Tuesday 13:00 New York: most zone groups open
const SUNDAY = '2026-11-22T15:00:00Z'; // no zone group inside calling hours
const NAME = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const leads = Number(opt('leads', 1_000_000));
const runs = Number(opt('runs', 7));
const asJson = process.argv.includes('--json');
const log = (line) => (asJson ? process.stderr : process.stdout).write(line + '\n');

const stores = await storesToRun();
const { importedDb } = await import('./lib/imported-db.js');
const work = join(tmpdir(), `callq-bench-counts-${process.pid}`);
mkdirSync(work, { recursive: true });
let cluster = null;
try {
  log(`${leads.toLocaleString()} leads; stores: ${stores.join(', ')}`);
  const dbs = {};
  if (stores.includes('sqlite')) {
    dbs.sqlite = join(work, 'leads.db');
    await importedDb(dbs.sqlite, leads, { log });
  }
  if (stores.includes('postgres')) {
    cluster = await startBenchCluster({ fsync: true });
    dbs.postgres = await createDatabase(cluster, 'bench_counts');
    await importedDb(dbs.postgres, leads, { log });
  }
  const sqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
  const callq = (store, now, ...args) => [bin, '--db', dbs[store], '--rep', 'bench-counts', '--now', now, ...args];
  const figures = { node: [], sqlite3: [] };
  for (const s of stores) figures[s] = { status: [], empty: [] };
  const answers = {};
  for (let i = 0; i < runs; i++) {
    figures.node.push(timeProcess(process.execPath, ['-e', '0']).ms);
    if (sqlite3 && dbs.sqlite) {
      figures.sqlite3.push(
        timeProcess('sqlite3', [dbs.sqlite, "SELECT count(*) FROM leads NOT INDEXED WHERE status IN ('new','working','nurture','callback')"]).ms,
      );
    }
    for (const s of stores) {
      const status = timeProcess(process.execPath, callq(s, WEEKDAY, '--json', 'status'));
      figures[s].status.push(status.ms);
      const empty = timeProcess(process.execPath, callq(s, SUNDAY, '--json', 'next'), 3);
      figures[s].empty.push(empty.ms);
      answers[s] = { queue_now: JSON.parse(status.stdout).queue_now, waiting: JSON.parse(empty.stdout).callable };
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const node = median(figures.node);
  const report = { leads, runs, node_ms: round(node), stores: {} };
  log(`\nnode -e 0                               median ${node.toFixed(1)} ms   (${runs} runs of each, interleaved)`);
  if (figures.sqlite3.length) {
    report.sqlite3_table_read_ms = round(median(figures.sqlite3));
    log(`sqlite3 reading the table once          median ${median(figures.sqlite3).toFixed(1)} ms`);
  }
  for (const s of stores) {
    const out = { ...answers[s] };
    for (const [what, label] of [['status', 'status (queue now, Tuesday 13:00 NY)'], ['empty', 'next on an empty queue (Sunday)']]) {
      const ms = median(figures[s][what]);
      out[what] = { median_ms: round(ms), vs_node: round(ms / node), ...(s === 'sqlite' && figures.sqlite3.length ? { vs_sqlite3: round(ms / median(figures.sqlite3)) } : {}) };
      const vsTable = s === 'sqlite' && figures.sqlite3.length ? `, ${(ms / median(figures.sqlite3)).toFixed(2)}× sqlite3's table read` : '';
      log(`${`${NAME[s]} ${label}`.padEnd(40)} median ${ms.toFixed(1)} ms   ${(ms / node).toFixed(2)}× node -e 0${vsTable}`);
    }
    log(`${NAME[s]}: queue now ${answers[s].queue_now.toLocaleString()}; on Sunday ${answers[s].waiting.toLocaleString()} leads still to call`);
    report.stores[s] = out;
  }
  if (asJson) process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

function timeProcess(command, args, expected = 0) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== expected) throw new Error(`${args.slice(1).join(' ')}: exit ${r.status} (expected ${expected}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function round(x) {
  return Math.round(x * 100) / 100;
}
