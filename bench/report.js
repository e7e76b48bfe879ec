#!/usr/bin/env node
// Benchmark for `callq report`: every report on a 1,000,000-lead / 3,000,000-call database
// must finish in under 2 s (docs/reports.md).
//
//   node bench/report.js [--leads 1000000] [--calls 3000000] [--db FILE] [--keep] [--runs 3] [--build-only]
//
// The leads come from callq's own command: `callq import` through the built binary of 20
// generated lists (bench/gen-leads.js, full columns) at their own instants over 200 days, each
// with --list and --campaign. Their call history (3,000,000 calls: far too many for callq's own
// commands in reasonable time) is written in SQL on those leads, consistent with their counters
// and statuses: calls inside local calling hours with contact rates that vary by hour and weekday,
// 24 reps. Nothing else: no ANALYZE, no statistics. Each report is then timed through the built
// binary with --json twice: on the database as built (no planner statistics, as before any
// nightly maintain), and after a real `callq maintain` (whose optimize step gathers them).
// Prints figures and the ratio against the baseline measured in the same run (`callq --version`:
// process start-up). An existing --db file built with the same sizes is reused (the timings run
// on a copy of it), so reruns are quick.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'callq.js');
const NOW = '2026-11-24T18:00:00.000Z';
const TARGET_MS = 2000;

function parseArgs(argv) {
  const o = { leads: 1_000_000, calls: 3_000_000, db: undefined, keep: false, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--leads') o.leads = Number(argv[++i]);
    else if (a === '--calls') o.calls = Number(argv[++i]);
    else if (a === '--db') o.db = argv[++i];
    else if (a === '--keep') o.keep = true;
    else if (a === '--build-only') o.buildOnly = true;
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function run(argv) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`callq ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Best of --runs wall-clock times in ms (the machine is shared: the best run is the fairest). */
function best(fn) {
  let min = Infinity;
  for (let i = 0; i < args.runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

function fmt(ms) {
  return `${ms.toFixed(0).padStart(6)} ms`;
}

function isBuilt(path) {
  if (!existsSync(path)) return false;
  const db = new Database(path, { readonly: true });
  try {
    const meta = db.prepare("SELECT value FROM settings WHERE key = 'bench.report'").get();
    return meta?.value === `imported:${args.leads}/${args.calls}`;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The data

function rng(seed) {
  // mulberry32: small, fast, deterministic.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(random, entries) {
  const total = entries.reduce((a, [, w]) => a + w, 0);
  return () => {
    let x = random() * total;
    for (const [value, w] of entries) if ((x -= w) < 0) return value;
    return entries[entries.length - 1][0];
  };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const LISTS = 20;
const REASONS = [['no-budget', 20], ['no-need', 18], ['not-a-fit', 15], ['bad-timing', 12], ['no-authority', 10], ['competitor', 8], ['existing-customer', 4], ['left-company', 5], ['duplicate', 3], ['bad-data', 5]];
// Contact odds by local hour and weekday, so the hours report has something to find.
const HOUR_FACTOR = { 9: 0.9, 10: 1.25, 11: 1.1, 12: 0.7, 13: 0.8, 14: 1.0, 15: 1.1, 16: 1.3 };
const DAY_FACTOR = [0, 0.9, 1.05, 1.1, 1.05, 0.8, 0];

/** The zone group's UTC offset in hours at `at` (its first zone; the generator only places calls roughly inside local hours). */
const offsets = new Map();
function offsetOf(group, at) {
  if (!group) return -5;
  if (!offsets.has(group)) {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: group.split(',')[0], timeZoneName: 'shortOffset' }).formatToParts(at).find((x) => x.type === 'timeZoneName').value;
    const m = /GMT([+-]\d+)(?::(\d+))?/.exec(name);
    offsets.set(group, m ? Number(m[1]) + Math.sign(Number(m[1]) || 1) * Number(m[2] ?? 0) / 60 : 0);
  }
  return offsets.get(group);
}

async function build(path, leadCount, callBudget) {
  const random = rng(20261124);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const reasonOf = weighted(random, REASONS);
  const outcomeOf = weighted(random, [
    ['gatekeeper', 30], ['callback', 14], ['nurture', 10], ['not-interested', 16], ['disqualified', 12], ['do-not-call', 3], ['qualified', 15],
  ]);
  const missOf = weighted(random, [['no-answer', 60], ['voicemail', 32], ['busy', 6], ['bad-number', 2]]);
  const campaigns = Array.from({ length: 24 }, (_, i) => `c${String(i + 1).padStart(2, '0')}-${pick(['spring', 'summer', 'fall', 'q4', 'launch', 'promo'])}`);
  const reps = Array.from({ length: 24 }, (_, i) => `rep${String(i + 1).padStart(2, '0')}`);
  const repSkill = reps.map(() => 0.8 + random() * 0.4);

  const now = Date.parse(NOW);
  const start = now - 200 * DAY;

  // The leads: LISTS lists imported by callq at their own instants (a weekday morning, New York).
  const { leadCsv, callqImport } = await import('./lib/imported-db.js');
  let importS = 0;
  for (let k = 0; k < LISTS; k++) {
    const rows = Math.floor(leadCount / LISTS) + (k < leadCount % LISTS ? 1 : 0);
    let at = start + Math.floor((k / LISTS) * 195) * DAY + 14 * HOUR;
    while ([0, 6].includes(new Date(at).getUTCDay())) at += DAY;
    const iso = new Date(at).toISOString();
    const list = `list-${String(k + 1).padStart(3, '0')}`;
    importS += callqImport(path, leadCsv(rows, { at: iso, seed: `report-${k + 1}` }), iso, ['--list', list, '--campaign', campaigns[k % campaigns.length]]).seconds;
  }

  const db = new Database(path);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -512000');
  const imported = db.prepare('SELECT id, timezone, created_at, phone FROM leads ORDER BY id').raw().all();
  console.log(`callq import of ${imported.length.toLocaleString()} leads in ${LISTS} lists: ${importS.toFixed(1)} s`);
  // Indexes are dropped while the history is written and re-created from their own definitions
  // afterwards: building them once is much faster than keeping them up to date row by row.
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('leads','calls')").all();
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);

  const updateLead = db.prepare(`UPDATE leads SET status = ?, attempts = ?, contacts = ?, attempts_since_contact = ?, first_call_at = ?, last_call_at = ?,
      last_disposition = ?, disqualify_reason = ?, closed_at = ?, handoff_id = ?, updated_at = ? WHERE id = ?`);
  const insertCall = db.prepare(`INSERT INTO calls (lead_id, rep, called_at, disposition, contact, reason, duration_s, phone, status_before, status_after)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  let calls = 0;
  const pending = [];
  db.transaction(() => {
    db.prepare("INSERT INTO handoffs (id, created_at, lead_count) VALUES (1, ?, 0)").run(NOW);
    for (const [id, zone, createdAt, phone] of imported) {
      const created = Date.parse(createdAt);
      const offset = offsetOf(zone, new Date(now));
      let status = 'new', attempts = 0, contacts = 0, sinceContact = 0, reason = null, closed = null, last = null, first = null, lastDisp = null;
      // Most leads get called; the newest and a slice of the rest are still untouched.
      if (calls < callBudget && random() < 0.82) {
        let t = created + (random() < 0.2 ? random() * HOUR : -Math.log(1 - random()) * 1.5 * DAY);
        const rep = Math.floor(random() * reps.length);
        for (;;) {
          t = intoCallingHours(t, offset);
          if (t >= now || calls >= callBudget) break;
          const local = new Date(t + offset * HOUR);
          const p = 0.33 * HOUR_FACTOR[local.getUTCHours()] * DAY_FACTOR[local.getUTCDay()] * repSkill[rep];
          const contact = random() < p;
          let disposition = contact ? outcomeOf() : missOf();
          const before = status;
          let why = null;
          attempts++;
          if (contact) { contacts++; sinceContact = 0; } else sinceContact++;
          if (disposition === 'qualified') status = 'sales-ready';
          else if (disposition === 'not-interested') { status = 'disqualified'; why = 'not-interested'; }
          else if (disposition === 'disqualified') { status = 'disqualified'; why = reasonOf(); }
          else if (disposition === 'do-not-call') status = 'do-not-call';
          else if (disposition === 'bad-number') { status = 'disqualified'; why = 'bad-data'; }
          else if (disposition === 'callback') status = 'callback';
          else if (disposition === 'nurture') status = 'nurture';
          else status = sinceContact >= 8 ? 'exhausted' : 'working';
          const at = new Date(t).toISOString();
          const duration = contact ? 60 + Math.floor(random() * random() * 900) : 15 + Math.floor(random() * 30);
          pending.push([id, reps[random() < 0.85 ? rep : Math.floor(random() * reps.length)], at, disposition, contact ? 1 : 0, why, duration, phone, before, status]);
          calls++;
          first ??= at;
          last = at;
          lastDisp = disposition;
          reason = why;
          if (['sales-ready', 'disqualified', 'do-not-call', 'exhausted'].includes(status)) { closed = at; break; }
          // Some leads simply wait for their next attempt; the rest are called again a few hours to a
          // few days later (callbacks and nurture later still).
          if (random() < 0.08) break;
          t += status === 'nurture' ? (20 + random() * 40) * DAY : status === 'callback' ? (1 + random() * 3) * DAY : (0.15 + random() * 3) * DAY;
          if (status === 'nurture' && t >= now) break;
        }
      }
      const handedOff = status === 'sales-ready' && random() < 0.6;
      if (attempts) {
        updateLead.run(handedOff ? 'handed-off' : status, attempts, contacts, sinceContact, first, last, lastDisp, reason, closed, handedOff ? 1 : null,
          last, id);
      }
    }
    // Calls go in in time order, as `callq log` would write them.
    pending.sort((a, b) => (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    for (const row of pending) insertCall.run(...row);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('bench.report', ?, ?)").run(`imported:${leadCount}/${callBudget}`, NOW);
  })();
  for (const ix of indexes) db.exec(ix.sql);
  // No ANALYZE: the database holds what callq import left and the history above, nothing more.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { leads: imported.length, calls };

  function intoCallingHours(t, offset) {
    // Move t into 09:00-17:00 on a weekday at the zone's (winter) offset.
    for (;;) {
      const wall = t + offset * HOUR;
      const local = new Date(wall);
      const h = local.getUTCHours(), d = local.getUTCDay();
      const midnight = t - (wall % DAY);
      if (d === 0 || d === 6 || h >= 17) t = midnight + DAY + 9 * HOUR + random() * 8 * HOUR;
      else if (h < 9) return midnight + 9 * HOUR + random() * 8 * HOUR;
      else return t;
    }
  }
}

const args = parseArgs(process.argv.slice(2));
await main();

async function main() {
  const dbPath = args.db ?? join(tmpdir(), `callq-bench-report-${args.leads}-${args.calls}.db`);

  if (!isBuilt(dbPath)) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    const t0 = performance.now();
    const made = await build(dbPath, args.leads, args.calls);
    console.log(`built ${dbPath}: ${made.leads} leads, ${made.calls} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${dbPath}`);
  }
  if (args.buildOnly) return;

  // The timings run on a copy, so the built file stays as built (maintain changes it).
  const work = `${dbPath}.work`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(work + suffix, { force: true });
  copyFileSync(dbPath, work);
  const { statistics } = await import('./lib/imported-db.js');

  const baseline = best(() => run(['--version']));
  console.log(`baseline  callq --version                          ${fmt(baseline)}`);
  const cases = [
    ['report', 'funnel'],
    ['report', 'funnel', '--by', 'campaign'],
    ['report', 'funnel', '--by', 'list', '--since', '2026-10-01'],
    ['report', 'reasons'],
    ['report', 'reasons', '--by', 'campaign'],
    ['report', 'reps'],
    ['report', 'reps', '--since', '7d'],
    ['report', 'reps', '--since', 'today'],
    ['report', 'hours'],
    ['report', 'hours', '--since', '30d'],
  ];
  let failed = 0;
  const timeReports = async (label) => {
    console.log(`\n${label} (planner statistics: ${await statistics(work)})`);
    for (const c of cases) {
      const ms = best(() => run(['--db', work, '--now', NOW, '--json', ...c]));
      const ok = ms < TARGET_MS;
      if (!ok) failed++;
      console.log(`${c.join(' ').padEnd(50)} ${fmt(ms)}  ${(ms / baseline).toFixed(1).padStart(5)}× baseline  ${ok ? 'ok' : `OVER ${TARGET_MS} ms`}`);
    }
  };
  await timeReports('as built, before any maintain');
  const t0 = performance.now();
  const maintained = JSON.parse(run(['--db', work, '--now', NOW, 'maintain', '--json']));
  console.log(`\ncallq maintain: ${((performance.now() - t0) / 1000).toFixed(1)} s (optimize ${maintained.steps.find((x) => x.name === 'optimize')?.ms ?? '?'} ms)`);
  await timeReports('after callq maintain');
  for (const suffix of ['', '-wal', '-shm']) rmSync(work + suffix, { force: true });
  if (!args.keep && !args.db) for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  process.exitCode = failed ? 1 : 0;
}
