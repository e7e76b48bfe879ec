#!/usr/bin/env node
// Claims and outcomes on each store, measured in the same run on the same leads (targets on
// PostgreSQL: ≥ 400 claim+log cycles/s for 8 reps with no lead served twice; claim p99 < 10 ms
// at 1M leads).
//
//   node bench/pg-claims.js [--store sqlite|postgres|both] [--leads 1000000] [--workers 8]
//                           [--seconds 10] [--claims 2000] [--fsync on|off] [--json]
//
// --store defaults to both when PostgreSQL server binaries are found (else sqlite alone).
// Each store's database is made by callq's own commands, straight into that store
// (bench/lib/imported-db.js): `callq import --db FILE|URL` of --leads generated leads, two
// afternoons of calls by rep processes through the store code (2% of the leads called: working
// with retry times, callbacks, closed), then the day's web leads. No statistics but what callq
// leaves: none on SQLite (until `maintain`), on PostgreSQL the ANALYZE its import runs after a
// large import. The PostgreSQL server is a throwaway cluster (bench/lib/pg-cluster.js: unix
// socket only, fsync on unless --fsync off), stopped and removed at the end, also on failure. Then:
//   1. cycles: `--workers` rep processes per store loop claim + log (test/pg/rep-process.js,
//      bench/lib/sqlite-rep.js; the same outcome mix) for `--seconds`; the clock is fixed, so a
//      logged lead is not due again and every claim must be of a different lead: double claims
//      must be 0 and every outcome must be in the calls table.
//   2. latency: one rep claims and logs `--claims` times alone; claim p50/p99/max per store.
//   3. the floor on PostgreSQL: the same 8-rep loop with the cheapest correct claim instead of
//      callq's (the best lead of the largest zone group's index range, FOR UPDATE SKIP LOCKED, none
//      of the queue's order) and callq's own outcome: what the machine and server allow at all.
// Each phase runs on a fresh copy of the imported database (SQLite `VACUUM INTO`, PostgreSQL
// `CREATE DATABASE … TEMPLATE`: what the import left, nothing more), after one `callq queue` as the
// day's first rep leaves it (the zone groups' calling windows stored). Exits 1 when an invariant breaks (not
// when a target is missed: the figures say that).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createDatabase, startBenchCluster, storesToRun } from './lib/pg-cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const NOW = '2026-11-24T18:00:00.000Z'; // Tuesday 13:00 New York
const TARGET_CYCLES = 400;
const TARGET_P99_MS = 10;
const CORES = (await import('node:os')).availableParallelism();

const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const leads = Number(opt('leads', 1_000_000));
const workers = Number(opt('workers', 8));
const seconds = Number(opt('seconds', 10));
const claims = Number(opt('claims', 2000));
const asJson = process.argv.includes('--json');
const log = (line) => (asJson ? process.stderr : process.stdout).write(line + '\n');
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const stores = await storesToRun();
const { connectPg } = await import('../dist/db/pg/open.js');
const { importedDb, sqliteCopy, statistics, vacuumState } = await import('./lib/imported-db.js');

const work = join(tmpdir(), `callq-bench-claims-${process.pid}`);
mkdirSync(work, { recursive: true });
let cluster = null;
try {
  log(`${leads.toLocaleString()} leads; stores: ${stores.join(', ')}`);
  const report = { leads, workers, seconds, stores, built: {} };

  const fresh = {};
  if (stores.includes('sqlite')) {
    const sqlitePath = join(work, 'leads.db');
    report.built.sqlite = await importedDb(sqlitePath, leads, { log });
    log(`SQLite planner statistics: ${await statistics(sqlitePath)}`);
    fresh.sqlite = async (name) => {
      const path = await sqliteCopy(sqlitePath, join(work, `${name}.db`));
      return { db: path, target: path };
    };
  }
  if (stores.includes('postgres')) {
    const fsync = opt('fsync', 'on') !== 'off';
    cluster = await startBenchCluster({ fsync });
    log(`throwaway PostgreSQL cluster in ${cluster.dir} (fsync ${fsync ? 'on' : 'off'})`);
    // Imported once into bench_source; each phase runs on a clone of it.
    const source = await createDatabase(cluster, 'bench_source');
    report.built.postgres = await importedDb(source, leads, { log });
    log(`PostgreSQL planner statistics: ${await statistics(source)}`);
    log(`PostgreSQL leads table: ${await vacuumState(source)}`);
    fresh.postgres = async (name) => {
      const url = await createDatabase(cluster, name, 'bench_source');
      return { db: cluster.config(url.match(/\/([^/?]+)\?/)[1]), target: url };
    };
  }

  // 1. cycles/s, `workers` rep processes per store.
  log(`\n${workers} rep processes per store for ${seconds} s, claim + log, outcome mix (fixed clock: every claim must be a new lead)`);
  const results = [];
  for (const store of stores) {
    const r = await phase(store, await fresh[store](`bench_cycles`), workers, seconds);
    report[store] = r;
    results.push(r);
    const name = store === 'postgres' ? 'PostgreSQL' : 'SQLite';
    log(`  ${name.padEnd(10)} ${String(r.cycles_per_s).padStart(7)} cycles/s  claim p50 ${r.claim_ms.p50} ms p99 ${r.claim_ms.p99} ms · log p50 ${r.log_ms.p50} ms` +
      ` · leads served twice ${r.double_claims} · calls ${r.calls_in_db}/${r.outcomes} · errors ${r.errors.length}${r.errors.length ? ` (${r.errors[0]})` : ''}`);
    log(`  ${''.padEnd(10)} CPU per cycle: rep processes ${r.cpu_ms_per_cycle.reps} ms${r.cpu_ms_per_cycle.server === null ? '' : `, PostgreSQL server ${r.cpu_ms_per_cycle.server} ms`} (on ${CORES} cores)`);
  }
  if (report.postgres) {
    const pg = report.postgres;
    log(`  PostgreSQL: target ≥ ${TARGET_CYCLES} cycles/s: ${pg.cycles_per_s >= TARGET_CYCLES ? 'met' : 'MISSED'}; no lead served twice: ${pg.double_claims ? 'BROKEN' : 'yes'}` +
      (report.sqlite ? `; PostgreSQL / SQLite ${round(pg.cycles_per_s / report.sqlite.cycles_per_s)}×` : ''));
  }

  // 2. claim latency, one rep alone.
  log(`\nclaim latency at ${leads.toLocaleString()} leads, one rep, ${claims} claims (each followed by a log)`);
  report.latency = { claims };
  for (const store of stores) {
    const r = await phase(store, await fresh[store]('bench_solo'), 1, 3600, claims);
    report.latency[store] = r.claim_ms;
    results.push(r);
    const verdict = store === 'postgres' ? `; target p99 < ${TARGET_P99_MS} ms: ${r.claim_ms.p99 < TARGET_P99_MS ? 'met' : 'MISSED'}` : '';
    log(`  ${(store === 'postgres' ? 'PostgreSQL' : 'SQLite').padEnd(10)} claim p50 ${r.claim_ms.p50} ms, p99 ${r.claim_ms.p99} ms, max ${r.claim_ms.max} ms${verdict}`);
  }

  // 3. the floor: what 8 reps reach when the claim does next to nothing.
  if (report.postgres) {
    const target = await fresh.postgres('bench_floor');
    const c = await connectPg(target.db);
    const zone = (await c.query('SELECT timezone FROM leads WHERE timezone IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1')).rows[0].timezone;
    await c.end();
    const r = await phase('postgres', target, workers, seconds, undefined, zone);
    results.push(r);
    report.floor = r;
    log(`\nfloor: ${workers} rep processes on PostgreSQL, each claim the best lead of ${zone}'s index range alone, callq's outcome`);
    log(`  PostgreSQL ${String(r.cycles_per_s).padStart(7)} cycles/s  claim p50 ${r.claim_ms.p50} ms · CPU per cycle: rep processes ${r.cpu_ms_per_cycle.reps} ms, server ${r.cpu_ms_per_cycle.server} ms` +
      ` · leads served twice ${r.double_claims} · calls ${r.calls_in_db}/${r.outcomes} · errors ${r.errors.length}`);
    log(`  callq's claim reaches ${Math.round((report.postgres.cycles_per_s / r.cycles_per_s) * 100)}% of the floor`);
  }

  const broken = results.filter((r) => r.double_claims || r.errors.length || r.calls_in_db !== r.outcomes);
  report.ok = broken.length === 0;
  if (asJson) process.stdout.write(JSON.stringify(report) + '\n');
  log(report.ok ? 'ok: no lead served twice, every outcome recorded, no error' : 'FAILED: see above');
  process.exitCode = report.ok ? 0 : 1;
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

/**
 * CPU seconds used so far by the benchmark's PostgreSQL server (its postmaster and the processes
 * it started; ended ones count through the postmaster's children's time as it reaps them), read
 * from /proc: the cluster runs on this machine.
 */
function serverCpuSeconds() {
  const postmaster = readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (pid !== postmaster && f[1] !== postmaster) continue; // f[1]: the parent's pid
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** Runs `n` rep processes on one store from a common start; `limit` stops each after that many claims; `floorZone`: the floor's claim (test/pg/rep-process.js). */
async function phase(store, { db, target }, n, secs, limit, floorZone) {
  // The database as reps find it during a working day: the first `callq queue` of the day stored
  // every zone group's calling windows for the week (each rep would otherwise compute them at
  // once, as after a change of calling hours: a one-off of about 0.2 s of CPU per process).
  const warm = spawnSync(process.execPath, [bin, '--db', target, '--now', NOW, 'queue'], { encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`callq queue failed (exit ${warm.status}): ${warm.stderr}`);
  const startAt = Date.now() + 1500; // every process connects first, then all start together
  const pg = store === 'postgres';
  const serverCpuBefore = pg ? serverCpuSeconds() : 0;
  const script = pg ? join(root, 'test', 'pg', 'rep-process.js') : join(root, 'bench', 'lib', 'sqlite-rep.js');
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const input = { [pg ? 'config' : 'path']: db, rep: `${store}${i + 1}`, now: NOW, seconds: secs, startAt, limit, floorZone };
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${store} rep ${i + 1} exited ${code}`))));
      });
    }),
  );
  const claimedBy = new Map();
  let double = 0;
  for (const r of results) for (const id of r.claimed) (claimedBy.has(id) ? double++ : claimedBy.set(id, r.rep));
  const outcomes = results.reduce((a, r) => a + r.logged.length, 0);
  // The server's share includes the processes' connecting and closing, which the reps' loop time leaves out.
  const serverCpu = pg ? serverCpuSeconds() - serverCpuBefore : null;
  const elapsed = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  let calls;
  if (pg) {
    const c = await connectPg(db);
    calls = (await c.query('SELECT count(*) AS n FROM calls WHERE called_at = $1', [NOW])).rows[0].n;
    await c.end();
  } else {
    const d = new Database(db, { readonly: true });
    calls = d.prepare('SELECT count(*) FROM calls WHERE called_at = ?').pluck().get(NOW);
    d.close();
  }
  return {
    cycles: outcomes,
    cycles_per_s: round(outcomes / elapsed, 0),
    claim_ms: percentiles(results.flatMap((r) => r.claimMs)),
    log_ms: percentiles(results.flatMap((r) => r.logMs)),
    double_claims: double,
    outcomes,
    calls_in_db: calls,
    errors: results.flatMap((r) => r.errors),
    cpu_ms_per_cycle: {
      reps: round(results.reduce((a, r) => a + r.loopCpuMs, 0) / Math.max(1, outcomes)),
      server: serverCpu === null ? null : round((serverCpu * 1000) / Math.max(1, outcomes)),
    },
  };
}

function percentiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => (s.length ? round(s[Math.min(s.length - 1, Math.floor(p * s.length))]) : null);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? round(s[s.length - 1]) : null };
}
