#!/usr/bin/env node
// Claims and outcomes on PostgreSQL against SQLite, measured in the same run on the same leads
// (targets: ≥ 400 claim+log cycles/s for 8 reps on PostgreSQL, claim p99 < 10 ms at 1M leads).
//
//   node bench/pg-claims.js [--leads 1000000] [--workers 8] [--seconds 10] [--claims 2000]
//                           [--pg postgres://…] [--fsync on|off] [--json]
//
// The leads are made once as a SQLite file (bench/lib/leads-db.js) and copied into PostgreSQL
// with COPY, so both stores hold the same rows. Without --pg a throwaway cluster is started
// (test/pg/cluster.ts: unix socket only, removed at the end), with fsync on and
// synchronous_commit on unless --fsync off. Then:
//   1. cycles: `--workers` rep processes per store loop claim + log (test/pg/rep-process.js,
//      bench/lib/sqlite-rep.js; the same outcome mix) for `--seconds`; the clock is fixed, so a
//      logged lead is not due again and every claim must be of a different lead: double claims
//      must be 0 and every outcome must be in the calls table.
//   2. latency: one rep claims and logs `--claims` times alone; claim p50/p99/max per store.
// Exits 1 when an invariant breaks (not when a target is missed: the figures say that).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NOW = '2026-11-24T18:00:00.000Z'; // Tuesday 13:00 New York
const TARGET_CYCLES = 400;
const TARGET_P99_MS = 10;

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

const { connectPg } = await import('../dist/db/pg/open.js');
const { migratePg } = await import('../dist/db/pg/migrations.js');
const { buildLeadsDb } = await import('./lib/leads-db.js');

const work = join(tmpdir(), `callq-bench-pg-${process.pid}`);
mkdirSync(work, { recursive: true });
let cluster = null;
try {
  let target = opt('pg', undefined);
  if (!target) {
    const { startCluster, clusterConfig, pgUnavailable } = await loadClusterHarness();
    const missing = pgUnavailable();
    if (missing) {
      log(`skipped: ${missing}; give a server with --pg postgres://…`);
      rmSync(work, { recursive: true, force: true });
      process.exit(0);
    }
    const fsync = opt('fsync', 'on') !== 'off';
    cluster = startCluster({ fsync, settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
    log(`throwaway PostgreSQL cluster in ${cluster.dir} (fsync ${fsync ? 'on' : 'off'})`);
    target = clusterConfig(cluster, 'postgres');
  }

  const sqlitePath = join(work, 'leads.db');
  const built = buildLeadsDb(sqlitePath, leads, { now: new Date(NOW) });
  log(`${leads.toLocaleString()} leads built in SQLite in ${(built / 1000).toFixed(1)} s`);
  // The loaded data lives in bench_source; each phase runs on a clone of it (CREATE DATABASE … TEMPLATE).
  const admin = await connectPg(target);
  const recreate = async (name, template) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    return withDatabase(target, name);
  };
  const copied = await copyIntoPg(await recreate('bench_source'), sqlitePath);
  log(`copied into PostgreSQL with COPY in ${(copied / 1000).toFixed(1)} s (then ANALYZE)`);

  const report = { leads, workers, seconds };
  const fresh = (name) => recreate(name, 'bench_source');
  const freshSqlite = (name) => {
    const path = join(work, `${name}.db`);
    const src = new Database(sqlitePath, { readonly: true });
    rmSync(path, { force: true });
    src.exec(`VACUUM INTO '${path}'`);
    src.close();
    return path;
  };

  // 1. cycles/s, 8 reps per store.
  const pgCycles = await phase('pg', await fresh('bench_cycles'), workers, seconds);
  const liteCycles = await phase('sqlite', freshSqlite('cycles'), workers, seconds);
  report.postgres = pgCycles;
  report.sqlite = liteCycles;
  log(`\n${workers} reps for ${seconds} s, claim + log, outcome mix (fixed clock: every claim must be a new lead)`);
  for (const [name, r] of [['PostgreSQL', pgCycles], ['SQLite', liteCycles]]) {
    log(`  ${name.padEnd(10)} ${String(r.cycles_per_s).padStart(7)} cycles/s  claim p50 ${r.claim_ms.p50} ms p99 ${r.claim_ms.p99} ms · log p50 ${r.log_ms.p50} ms` +
      ` · double claims ${r.double_claims} · calls ${r.calls_in_db}/${r.outcomes} · errors ${r.errors.length}${r.errors.length ? ` (${r.errors[0]})` : ''}`);
  }
  log(`  PostgreSQL / SQLite: ${round(pgCycles.cycles_per_s / liteCycles.cycles_per_s)}×; target ≥ ${TARGET_CYCLES} cycles/s on PostgreSQL: ${pgCycles.cycles_per_s >= TARGET_CYCLES ? 'met' : 'MISSED'}`);

  // 2. claim latency, one rep alone.
  const pgSolo = await phase('pg', await fresh('bench_solo'), 1, 3600, claims);
  const liteSolo = await phase('sqlite', freshSqlite('solo'), 1, 3600, claims);
  report.latency = { claims, postgres: pgSolo.claim_ms, sqlite: liteSolo.claim_ms };
  log(`\nclaim latency at ${leads.toLocaleString()} leads, one rep, ${claims} claims (each followed by a log)`);
  log(`  PostgreSQL claim p50 ${pgSolo.claim_ms.p50} ms, p99 ${pgSolo.claim_ms.p99} ms, max ${pgSolo.claim_ms.max} ms; target p99 < ${TARGET_P99_MS} ms: ${pgSolo.claim_ms.p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`);
  log(`  SQLite     claim p50 ${liteSolo.claim_ms.p50} ms, p99 ${liteSolo.claim_ms.p99} ms, max ${liteSolo.claim_ms.max} ms`);

  const broken = [pgCycles, liteCycles, pgSolo, liteSolo].filter((r) => r.double_claims || r.errors.length || r.calls_in_db !== r.outcomes);
  report.ok = broken.length === 0;
  if (asJson) process.stdout.write(JSON.stringify(report) + '\n');
  for (const name of ['bench_cycles', 'bench_solo', 'bench_source']) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  log(report.ok ? 'ok: no lead served twice, every outcome recorded, no error' : 'FAILED: see above');
  process.exitCode = report.ok ? 0 : 1;
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

/** test/pg/cluster.ts, compiled on the fly with esbuild (a dev dependency) so the bench and the tests share one harness. */
async function loadClusterHarness() {
  const { build } = await import('esbuild');
  const out = join(work, 'cluster.mjs');
  await build({ entryPoints: [join(root, 'test', 'pg', 'cluster.ts')], outfile: out, format: 'esm', platform: 'node', bundle: true, logLevel: 'warning' });
  return import(pathToFileURL(out).href);
}

function withDatabase(target, database) {
  return typeof target === 'string' ? (() => { const u = new URL(target); u.pathname = `/${database}`; return u.toString(); })() : { ...target, database };
}

/** Streams every lead of the SQLite file into PostgreSQL's leads table with COPY; returns ms. */
async function copyIntoPg(target, sqlitePath) {
  const { from: copyFrom } = await import('pg-copy-streams');
  const started = performance.now();
  const client = await connectPg(target);
  await migratePg(client);
  await client.query('TRUNCATE leads, calls, suppressions, lead_zones, lead_alt_phones RESTART IDENTITY CASCADE');
  const db = new Database(sqlitePath, { readonly: true });
  const cols = db.prepare('SELECT * FROM leads LIMIT 1').columns().map((c) => c.name);
  const quote = (v) => (v === null ? '' : typeof v === 'number' ? String(v) : `"${String(v).replace(/"/g, '""')}"`);
  const stream = client.query(copyFrom(`COPY leads (${cols.join(',')}) FROM STDIN WITH (FORMAT csv)`));
  const done = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let chunk = '';
  for (const row of db.prepare('SELECT * FROM leads').raw().iterate()) {
    chunk += row.map(quote).join(',') + '\n';
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      chunk = '';
    }
  }
  stream.end(chunk);
  await done;
  db.close();
  await client.query(`SELECT setval(pg_get_serial_sequence('leads', 'id'), (SELECT max(id) FROM leads))`);
  await client.query('ANALYZE');
  await client.end();
  return performance.now() - started;
}

/** Runs `n` rep processes on one store from a common start; `limit` stops each after that many claims. */
async function phase(store, db, n, secs, limit) {
  const startAt = Date.now() + 1500; // every process connects first, then all start together
  const script = store === 'pg' ? join(root, 'test', 'pg', 'rep-process.js') : join(root, 'bench', 'lib', 'sqlite-rep.js');
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const input = { [store === 'pg' ? 'config' : 'path']: db, rep: `${store}${i + 1}`, now: NOW, seconds: secs, startAt, limit };
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
  const elapsed = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  let calls;
  if (store === 'pg') {
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
  };
}

function percentiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => (s.length ? round(s[Math.min(s.length - 1, Math.floor(p * s.length))]) : null);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? round(s[s.length - 1]) : null };
}
