#!/usr/bin/env node
// An import while reps work (bench/RESULTS.md: while a 1,000,000-row import runs, no rep
// command fails and rep commands stay within p99 ≤ 500 ms; the import itself within 1.25× of the
// same import with nobody working, measured in the same run).
//
//   node bench/import-under-load.js [--rows 1000000] [--reps 4] [--base 50000] [--store sqlite|postgres] [--json]
//
// A base database is made by `callq import` of a generated list of --base leads (the reps' work).
// Then, twice from a copy of it: the --rows list (bench/gen-leads.js) imported with nobody else
// on the database (the baseline), and imported again while --reps rep processes loop
// `callq next --json` → `callq log ID no-answer` on the same file, each command a whole process
// as a rep runs it. Prints the rep command count, failures (any exit other than 0, by code),
// p50/p99 latency of a rep command (whole process; also measured with no import, before it), the two import times and their ratio, whether
// every logged call is in the database afterwards, and PRAGMA integrity_check.
// --store postgres runs the same on a throwaway PostgreSQL cluster (bench/lib/pg-cluster.js,
// fsync on): the base database is made by `callq import` into a database and copied as a
// template; PostgreSQL's import has no lock modes (reps never wait for it), so there is no
// slices run, and the integrity check is amcheck's through `callq maintain` where the server
// allows it. (Default: sqlite.)
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createDatabase, startBenchCluster } from './lib/pg-cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const out = join(root, 'bench', 'out');
const NOW = '2026-11-24T16:00:00Z'; // a Tuesday: 11:00 in New York, 08:00 in Los Angeles

const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rows = Number(opt('rows', 1_000_000));
const reps = Number(opt('reps', 4));
const base = Number(opt('base', 50_000));
const asJson = process.argv.includes('--json');
const store = opt('store', 'sqlite');
if (!['sqlite', 'postgres'].includes(store)) throw new Error(`invalid --store '${store}': expected sqlite or postgres`);
const pg = store === 'postgres' ? await startBenchCluster({ fsync: true }) : null;
mkdirSync(out, { recursive: true });

const env = { ...process.env, CALLQ_REP: 'ops', NO_COLOR: '1' };
delete env.CALLQ_BUSY_TIMEOUT;
delete env.CALLQ_DB;

function generate(n, seed) {
  const csv = join(out, `under-load-${n}-${seed}.csv`);
  if (!existsSync(csv)) {
    const gen = spawnSync(process.execPath, [join(root, 'bench', 'gen-leads.js'), String(n), csv, '--seed', String(seed)], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`gen-leads failed: ${gen.stderr}`);
  }
  return csv;
}

const removeDb = (db) => ['', '-wal', '-shm'].forEach((s) => rmSync(db + s, { force: true }));

/** Runs callq; resolves with exit code, output and wall time in ms. */
function callq(args, extraEnv = {}) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

async function timedImport(db, csv, ...args) {
  const r = await callq(['--db', db, '--now', NOW, 'import', csv, '--json', ...args]);
  if (r.code !== 0) throw new Error(`import failed (exit ${r.code}): ${r.stderr}`);
  return { seconds: r.ms / 1000, summary: JSON.parse(r.stdout) };
}

const baseCsv = generate(base, 101);
const listCsv = generate(rows, 202);
/** A copy of the base database (the reps' leads), as a file path or a postgres:// URL. */
let copyOfBase;
if (pg) {
  const baseUrl = await createDatabase(pg, 'under_load_base');
  await timedImport(baseUrl, baseCsv);
  copyOfBase = (name) => createDatabase(pg, name, 'under_load_base');
} else {
  const baseDb = join(out, `under-load-base-${base}.db`);
  if (!existsSync(baseDb)) {
    await timedImport(baseDb, baseCsv);
  }
  copyOfBase = async (name) => {
    const db = join(out, `${name}.db`);
    removeDb(db);
    copyFileSync(baseDb, db);
    return db;
  };
}

// 1. The import with nobody working: as ops run it (--lock auto, which then takes the database
// whole), and in slices as it runs while reps work (--lock slices), to show what the reps cost.
const quiet = await timedImport(await copyOfBase('under_load_quiet'), listCsv);
const quietSlices = pg ? null : await timedImport(await copyOfBase('under_load_quiet'), listCsv, '--lock', 'slices');

// 2. The same import while reps loop next → log.
const busyDb = await copyOfBase('under_load_busy');
const latencies = [];
const failures = {};
const logged = [];
let running = true;
let commands = 0;
let empty = 0;
const fail = (what, r) => {
  const key = `${what} exit ${r.code}`;
  failures[key] = (failures[key] ?? 0) + 1;
  if (failures[key] === 1) console.error(`${key}: ${r.stderr.trim().split('\n').pop()}`);
};
async function repLoop(name, cycles = Infinity) {
  for (let i = 0; running && i < cycles; i++) {
    const next = await callq(['--db', busyDb, '--rep', name, '--now', NOW, 'next', '--json']);
    commands++;
    latencies.push(next.ms);
    if (next.code === 3) {
      empty++;
      continue;
    }
    if (next.code !== 0) {
      fail('next', next);
      continue;
    }
    const id = JSON.parse(next.stdout).lead.id;
    const log = await callq(['--db', busyDb, '--rep', name, '--now', NOW, 'log', String(id), 'no-answer']);
    commands++;
    latencies.push(log.ms);
    if (log.code !== 0) fail('log', log);
    else logged.push({ id, rep: name });
  }
}
// Baseline for the reps: the same loop, 10 cycles each, with no import running (a rep command
// is a whole process; on a loaded machine most of its time is starting node).
await Promise.all(Array.from({ length: reps }, (_, i) => repLoop(`rep${i + 1}`, 10)));
const alone = latencies.splice(0).sort((a, b) => a - b);
const aloneCommands = commands;
commands = 0;
const loops = Array.from({ length: reps }, (_, i) => repLoop(`rep${i + 1}`));
const busy = await timedImport(busyDb, listCsv);
running = false;
await Promise.all(loops);

let missing;
let integrity;
let importing;
if (pg) {
  const { connectPg } = await import('../dist/db/pg/open.js');
  const check = await connectPg(busyDb);
  const { rows: calls } = await check.query('SELECT lead_id, rep FROM calls');
  const present = new Set(calls.map((c) => `${c.lead_id} ${c.rep}`));
  missing = logged.filter((l) => !present.has(`${l.id} ${l.rep}`)).length;
  importing = (await check.query(`SELECT count(*) AS n FROM leads WHERE status = 'importing'`)).rows[0].n;
  await check.end();
  const maintain = await callq(['--db', busyDb, 'maintain', '--dry-run', '--json']);
  if (maintain.code !== 0) integrity = `maintain exit ${maintain.code}: ${maintain.stderr.trim()}`;
  else {
    const report = JSON.parse(maintain.stdout);
    integrity = `${report.integrity} (${report.steps.find((x) => x.name === 'integrity check')?.detail})`;
  }
} else {
  const check = new Database(busyDb, { readonly: true });
  const present = check.prepare('SELECT count(*) FROM calls WHERE lead_id = ? AND rep = ?').pluck();
  missing = logged.filter((l) => present.get(l.id, l.rep) === 0).length;
  integrity = check.pragma('integrity_check', { simple: true });
  importing = check.prepare(`SELECT count(*) FROM leads WHERE status = 'importing'`).pluck().get();
  check.close();
}
pg?.stop();

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : 0);
const failed = Object.values(failures).reduce((a, b) => a + b, 0);
const result = {
  store,
  rows,
  reps,
  base_leads: base,
  rep_commands: commands,
  rep_failures: failed,
  failures_by_kind: failures,
  next_found_queue_empty: empty,
  rep_p50_ms: Math.round(pct(50)),
  rep_p99_ms: Math.round(pct(99)),
  rep_max_ms: Math.round(latencies[latencies.length - 1] ?? 0),
  rep_alone_commands: aloneCommands,
  rep_alone_p50_ms: Math.round(alone[Math.floor(alone.length / 2)] ?? 0),
  rep_alone_p99_ms: Math.round(alone[Math.min(alone.length - 1, Math.floor(0.99 * alone.length))] ?? 0),
  import_quiet_s: Number(quiet.seconds.toFixed(2)),
  import_quiet_lock: quiet.summary.lock,
  import_quiet_slices_s: quietSlices ? Number(quietSlices.seconds.toFixed(2)) : null,
  import_under_load_s: Number(busy.seconds.toFixed(2)),
  import_under_load_lock: busy.summary.lock,
  ratio: Number((busy.seconds / quiet.seconds).toFixed(2)),
  ratio_to_slices: quietSlices ? Number((busy.seconds / quietSlices.seconds).toFixed(2)) : null,
  same_counts: [quietSlices ?? quiet, busy].every((r) => r.summary.inserted === quiet.summary.inserted && r.summary.duplicates === quiet.summary.duplicates),
  logs_ok: logged.length,
  logs_missing: missing,
  leads_left_importing: importing,
  integrity,
};
if (asJson) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`import of ${rows} rows into a ${base}-lead ${store} database, ${reps} reps looping next → log:`);
  console.log(`  rep commands        ${commands} (${failed} failed${failed ? `: ${JSON.stringify(failures)}` : ''}; ${empty} found the queue empty)`);
  console.log(`  rep command latency p50 ${result.rep_p50_ms} ms, p99 ${result.rep_p99_ms} ms, max ${result.rep_max_ms} ms (target p99 ≤ 500 ms)`);
  console.log(`  same, no import      p50 ${result.rep_alone_p50_ms} ms, p99 ${result.rep_alone_p99_ms} ms (${aloneCommands} commands before the import)`);
  console.log(
    `  import              ${result.import_under_load_s} s under load${busy.summary.lock ? ` (${busy.summary.lock})` : ''} vs ${result.import_quiet_s} s alone${quiet.summary.lock ? ` (${quiet.summary.lock})` : ''}: ${result.ratio}×${pg ? '' : ' (target ≤ 1.25×)'}; ` +
      (quietSlices ? `vs ${result.import_quiet_slices_s} s alone in slices: ${result.ratio_to_slices}×` : ''),
  );
  console.log(`  logged calls        ${logged.length} ok, ${missing} missing afterwards; ${importing} leads left importing`);
  console.log(`  integrity           ${integrity}`);
}
process.exitCode = failed === 0 && missing === 0 && /^(ok\b|not checked)/.test(String(integrity)) && importing === 0 ? 0 : 1;
