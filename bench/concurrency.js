#!/usr/bin/env node
// Many reps at once, in process (bench/RESULTS.md: 8 reps claiming and logging at once — no
// lead served twice, no outcome lost, no "database is locked" reaching a rep, at least 500
// claim+log cycles per second in total).
//
//   node bench/concurrency.js [--workers 8] [--seconds 10] [--leads 60000] [--db PATH] [--json]
//                             [--store sqlite|postgres|both]
//
// --store sqlite (the default) runs the in-process benchmark below; postgres or both runs
// bench/pg-claims.js with the same sizes: 8 rep processes on each store chosen, in one run.
//
// The database is made by callq's own commands (bench/lib/imported-db.js): `callq import` of
// --leads generated leads, two afternoons of calls by rep processes through the store code (2% of
// the leads called: working with retry times, callbacks, closed), the day's web leads; no
// statistics but what callq leaves (none on SQLite until `maintain`).
//
// Each worker is a worker_thread with its own connection, looping through the code the CLI runs:
// claimNextLead (callq next) then logOutcome with the claim token (callq log --token), with a mix
// of dispositions. The clock is fixed at a Tuesday 13:00 New York (--now), so a logged lead is
// not due again during the run: every claim must therefore be of a different lead, and each
// lead must end up with exactly the call rows its one claimer reported. The baseline, measured in
// the same run, is one worker alone for a third of the time. Exits 1 when an invariant breaks.
// test/stress/many-reps.test.ts runs it with small sizes.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NOW = '2026-11-24T18:00:00.000Z';
const TARGET = 500;

if (isMainThread && storeOption() && storeOption() !== 'sqlite') {
  const pass = ['workers', 'seconds', 'leads', 'store'].flatMap((k) => (process.argv.includes(`--${k}`) ? [`--${k}`, process.argv[process.argv.indexOf(`--${k}`) + 1]] : []));
  if (!process.argv.includes('--leads')) pass.push('--leads', '60000');
  if (process.argv.includes('--json')) pass.push('--json');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [join(root, 'bench', 'pg-claims.js'), ...pass], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else if (isMainThread) await main();
else await work(workerData);

function storeOption() {
  const i = process.argv.indexOf('--store');
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const opt = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const workers = Number(opt('workers', 8));
  const seconds = Number(opt('seconds', 10));
  const leads = Number(opt('leads', 60_000));
  const asJson = process.argv.includes('--json');
  const dbPath = opt('db', join(root, 'bench', 'out', 'concurrency.db'));
  mkdirSync(dirname(dbPath), { recursive: true });
  const log = (line) => (asJson ? process.stderr : process.stdout).write(line + '\n');
  const { importedDb, statistics } = await import('./lib/imported-db.js');
  const built = await importedDb(dbPath, leads, { log });
  log(`${built.leads.toLocaleString()} leads → ${dbPath} (planner statistics: ${await statistics(dbPath)})`);

  const baseline = await phase(dbPath, 1, Math.max(1, seconds / 3), 'solo');
  const load = await phase(dbPath, workers, seconds, 'rep');
  const check = verify(dbPath, [...baseline.results, ...load.results]);

  const report = {
    workers,
    seconds: round(load.seconds),
    cycles: load.cycles,
    cycles_per_s: round(load.cycles / load.seconds),
    claim_ms: percentiles(load.results.flatMap((r) => r.claimMs)),
    log_ms: percentiles(load.results.flatMap((r) => r.logMs)),
    baseline: {
      workers: 1,
      cycles_per_s: round(baseline.cycles / baseline.seconds),
      claim_ms: percentiles(baseline.results.flatMap((r) => r.claimMs)),
    },
    busy_errors: sum(load.results, 'busy') + sum(baseline.results, 'busy'),
    conflicts: sum(load.results, 'conflicts') + sum(baseline.results, 'conflicts'),
    other_errors: [...baseline.results, ...load.results].flatMap((r) => r.errors),
    empty_queue: sum(load.results, 'empty'),
    ...check,
  };
  report.ok =
    report.busy_errors === 0 && report.conflicts === 0 && report.other_errors.length === 0 &&
    report.leads_claimed_twice.length === 0 && report.calls_in_db === report.outcomes_reported && report.mismatched_calls.length === 0 &&
    report.integrity === 'ok' && report.foreign_key_problems === 0;

  if (asJson) {
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    const b = report.baseline;
    log(`\n1 worker alone (baseline): ${b.cycles_per_s} claim+log cycles/s; claim p50 ${b.claim_ms.p50} ms, p99 ${b.claim_ms.p99} ms`);
    log(`${workers} workers for ${report.seconds} s: ${report.cycles} cycles = ${report.cycles_per_s} cycles/s in total ` +
      `(${round(report.cycles_per_s / b.cycles_per_s)}× the baseline; target ≥ ${TARGET}: ${report.cycles_per_s >= TARGET ? 'met' : 'MISSED'})`);
    log(`  claim latency under load: p50 ${report.claim_ms.p50} ms, p99 ${report.claim_ms.p99} ms, max ${report.claim_ms.max} ms`);
    log(`  log latency under load:   p50 ${report.log_ms.p50} ms, p99 ${report.log_ms.p99} ms, max ${report.log_ms.max} ms`);
    log(`  per worker: ${load.results.map((r) => r.cycles).join(', ')} cycles`);
    log(`  outcomes reported by workers ${report.outcomes_reported}, call rows in the database ${report.calls_in_db}` +
      `, calls not matching their claimer ${report.mismatched_calls.length}`);
    log(`  leads claimed by two workers: ${report.leads_claimed_twice.length}; SQLITE_BUSY reaching a worker: ${report.busy_errors}` +
      `; conflicts: ${report.conflicts}; other errors: ${report.other_errors.length}${report.other_errors.length ? ` (${report.other_errors[0]})` : ''}`);
    log(`  integrity_check ${report.integrity}, foreign_key_check ${report.foreign_key_problems} problems`);
    log(report.ok ? 'ok: every lead served to one rep at a time, every outcome recorded' : 'FAILED: see above');
  }
  process.exitCode = report.ok ? 0 : 1;
}

/** Runs `n` workers for `seconds` from a common start; returns their results. */
async function phase(db, n, seconds, prefix) {
  const startAt = Date.now() + 300; // every worker opens its connection first, then all start together
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { db, rep: `${prefix}${i + 1}`, startAt, seconds, index: i } });
      return new Promise((done, fail) => {
        worker.once('message', done);
        worker.once('error', fail);
      });
    }),
  );
  const cycles = sum(results, 'cycles');
  return { results, cycles, seconds: Math.max(...results.map((r) => r.elapsedMs)) / 1000 };
}

/** Compares what the workers say they did with what the database holds. */
function verify(path, results) {
  const db = new Database(path, { readonly: true });
  const claimedBy = new Map();
  const twice = [];
  for (const r of results) {
    for (const id of r.claimed) {
      if (claimedBy.has(id) && claimedBy.get(id) !== r.rep) twice.push(id);
      claimedBy.set(id, r.rep);
    }
  }
  const logged = new Map(results.flatMap((r) => r.logged.map((id) => [id, r.rep])));
  const calls = db.prepare("SELECT lead_id, rep FROM calls WHERE called_at = ?").all(NOW);
  const mismatched = calls.filter((c) => logged.get(c.lead_id) !== c.rep).map((c) => c.lead_id);
  const perLead = db.prepare('SELECT lead_id FROM calls WHERE called_at = ? GROUP BY lead_id HAVING count(*) > 1').pluck().all(NOW);
  const integrity = db.pragma('integrity_check', { simple: true });
  const fk = db.pragma('foreign_key_check').length;
  db.close();
  return {
    outcomes_reported: sum(results, 'outcomes'),
    calls_in_db: calls.length,
    mismatched_calls: [...mismatched, ...perLead],
    leads_claimed_twice: twice,
    integrity,
    foreign_key_problems: fk,
  };
}

// ---- the worker: one rep, one connection ---------------------------------------------------

async function work({ db: path, rep, startAt, seconds, index }) {
  const { openDatabase } = await import('../dist/db/open.js');
  const { loadSettings } = await import('../dist/db/settings.js');
  const { claimNextLead } = await import('../dist/db/queue.js');
  const { logOutcome } = await import('../dist/app/log-outcome.js');
  const { sqliteRep } = await import('../dist/db/sqlite-store/rep.js');
  const { viewerZone } = await import('../dist/cli/args.js');
  const db = openDatabase(path, { create: true });
  const store = sqliteRep(db);
  const settings = loadSettings(db);
  const now = new Date(NOW);
  const by = { rep, now, viewerZone: viewerZone() };
  const out = { rep, cycles: 0, outcomes: 0, claimed: [], logged: [], claimMs: [], logMs: [], busy: 0, conflicts: 0, empty: 0, errors: [], elapsedMs: 0 };
  while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  const end = started + seconds * 1000;
  let i = index * 7;
  while (performance.now() < end) {
    try {
      const t0 = performance.now();
      const claim = claimNextLead(db, now, settings, rep, {});
      const t1 = performance.now();
      out.claimMs.push(t1 - t0);
      if (!claim) {
        out.empty++;
        break;
      }
      if (claim.reason !== 'held') out.claimed.push(claim.lead.id);
      await logOutcome(store, by, outcome(claim.lead.id, claim.token, i++));
      out.logMs.push(performance.now() - t1);
      out.outcomes++;
      out.logged.push(claim.lead.id);
      out.cycles++;
    } catch (err) {
      if (err?.code === 'SQLITE_BUSY' || err?.code === 'SQLITE_BUSY_SNAPSHOT' || /locked|busy/i.test(err?.message ?? '')) out.busy++;
      else if (err?.code === 4) out.conflicts++;
      else out.errors.push(`${rep}: ${err?.message ?? err}`);
      if (out.errors.length + out.busy + out.conflicts > 20) break;
    }
  }
  out.elapsedMs = performance.now() - started;
  db.close();
  parentPort.postMessage(out);
}

/** A realistic mix: mostly unanswered calls, some contacts, a few decisions. */
function outcome(leadId, token, i) {
  const base = { leadId, token, force: false, answers: {} };
  switch (i % 20) {
    case 3:
      return { ...base, disposition: 'gatekeeper', note: 'assistant took a message' };
    case 7:
      return { ...base, disposition: 'callback', at: 'tomorrow 10:00', note: 'in a meeting' };
    case 11:
      return { ...base, disposition: 'not-interested' };
    case 13:
      return { ...base, disposition: 'qualified', note: 'wants a demo', answers: { need: 'call tracking', timeframe: 'Q1', authority: 'VP Sales' }, duration: '6m30s' };
    case 15:
      return { ...base, disposition: 'nurture', until: 'in 3 months' };
    case 17:
      return { ...base, disposition: 'disqualified', reason: 'no-budget' };
    case 19:
      return { ...base, disposition: 'do-not-call' };
    default:
      return { ...base, disposition: i % 3 ? 'no-answer' : 'voicemail' };
  }
}

function percentiles(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (p) => (v.length ? round(v[Math.min(v.length - 1, Math.floor((v.length * p) / 100))]) : 0);
  return { n: v.length, p50: at(50), p99: at(99), max: v.length ? round(v[v.length - 1]) : 0 };
}

function sum(results, key) {
  return results.reduce((a, r) => a + r[key], 0);
}

function round(x) {
  return Math.round(x * 100) / 100;
}
