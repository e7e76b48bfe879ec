#!/usr/bin/env node
// Benchmark for `callq report`: every report on a 1,000,000-lead / 3,000,000-call database
// must finish in under 2 s (docs/reports.md).
//
//   node bench/report.js [--leads 1000000] [--calls 3000000] [--db FILE] [--keep] [--runs 3] [--build-only]
//
// Builds the database with `callq init` and direct SQL inserts (a call history consistent with
// the leads' counters and statuses: realistic sources, campaigns, lists, US-heavy time zones,
// calls inside local calling hours with contact rates that vary by hour and weekday), then
// times each report through the built binary with --json. Prints figures and the ratio
// against the baseline measured in the same run (`callq --version`: process start-up).
// An existing --db file built with the same sizes is reused, so reruns are quick.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
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
    return meta?.value === `${args.leads}/${args.calls}`;
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
// [zone group, winter UTC offset in hours (the generator ignores DST: it only places calls roughly
// inside local hours; the report itself converts exactly), share]
const ZONES = [
  ['America/New_York', -5, 44],
  ['America/Chicago', -6, 26],
  ['America/Denver', -7, 5],
  ['America/Phoenix', -7, 2],
  ['America/Los_Angeles', -8, 15],
  ['America/Anchorage', -9, 0.5],
  ['Pacific/Honolulu', -10, 0.5],
  ['America/Chicago,America/Denver', -6, 1],
  ['America/Indiana/Indianapolis,America/Chicago', -5, 0.5],
  ['Europe/London', 0, 2.5],
  ['Europe/Berlin', 1, 1.5],
  ['Asia/Kolkata', 5.5, 1],
];
const SOURCES = [['website', 20], ['webinar', 15], ['trade-show', 10], ['purchased-list', 25], ['referral', 5], ['linkedin', 10], ['partner', 5], ['cold-list', 10]];
const REASONS = [['no-budget', 20], ['no-need', 18], ['not-a-fit', 15], ['bad-timing', 12], ['no-authority', 10], ['competitor', 8], ['existing-customer', 4], ['left-company', 5], ['duplicate', 3], ['bad-data', 5]];
// Contact odds by local hour and weekday, so the hours report has something to find.
const HOUR_FACTOR = { 9: 0.9, 10: 1.25, 11: 1.1, 12: 0.7, 13: 0.8, 14: 1.0, 15: 1.1, 16: 1.3 };
const DAY_FACTOR = [0, 0.9, 1.05, 1.1, 1.05, 0.8, 0];

function build(path, leadCount, callBudget) {
  const random = rng(20261124);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const zoneOf = weighted(random, ZONES.map((z) => [z, z[2]]));
  const sourceOf = weighted(random, SOURCES);
  const reasonOf = weighted(random, REASONS);
  const outcomeOf = weighted(random, [
    ['gatekeeper', 30], ['callback', 14], ['nurture', 10], ['not-interested', 16], ['disqualified', 12], ['do-not-call', 3], ['qualified', 15],
  ]);
  const missOf = weighted(random, [['no-answer', 60], ['voicemail', 32], ['busy', 6], ['bad-number', 2]]);
  const campaigns = Array.from({ length: 24 }, (_, i) => `c${String(i + 1).padStart(2, '0')}-${pick(['spring', 'summer', 'fall', 'q4', 'launch', 'promo'])}`);
  const lists = Array.from({ length: 60 }, (_, i) => `list-${String(i + 1).padStart(3, '0')}`);
  const reps = Array.from({ length: 24 }, (_, i) => `rep${String(i + 1).padStart(2, '0')}`);
  const repSkill = reps.map(() => 0.8 + random() * 0.4);

  const now = Date.parse(NOW);
  const start = now - 200 * DAY;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -512000');
  // Indexes are dropped while loading and re-created from their own definitions afterwards:
  // building them once is much faster than keeping them up to date row by row.
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('leads','calls')").all();
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);

  const insertLead = db.prepare(`INSERT INTO leads (id, first_name, last_name, company, phone, timezone, timezone_source, source, campaign, list, score,
      status, attempts, contacts, attempts_since_contact, first_call_at, last_call_at, last_disposition, disqualify_reason, closed_at,
      handoff_id, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, 'phone', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertCall = db.prepare(`INSERT INTO calls (lead_id, rep, called_at, disposition, contact, reason, duration_s, phone, status_before, status_after)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  let calls = 0;
  const pending = [];
  db.transaction(() => {
    db.prepare("INSERT INTO handoffs (id, created_at, lead_count) VALUES (1, ?, 0)").run(NOW);
    for (let id = 1; id <= leadCount; id++) {
      const created = start + (id / leadCount) * 195 * DAY + random() * HOUR;
      const [zone, offset] = zoneOf();
      const source = sourceOf();
      const phone = `+1${String(2_000_000_000 + id)}`;
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
      const createdAt = new Date(created).toISOString();
      insertLead.run(id, `First${id % 997}`, `Last${id % 1009}`, `Company ${id % 50021}`, phone, zone, source,
        campaigns[(id * 7 + Math.floor(random() * 3)) % campaigns.length], lists[Math.floor(random() * lists.length)], Math.floor(random() * 101),
        handedOff ? 'handed-off' : status, attempts, contacts, sinceContact, first, last, lastDisp, reason, closed, handedOff ? 1 : null,
        createdAt, last ?? createdAt);
    }
    // Calls go in in time order, as `callq log` would write them.
    pending.sort((a, b) => (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    for (const row of pending) insertCall.run(...row);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('bench.report', ?, ?)").run(`${leadCount}/${callBudget}`, NOW);
  })();
  for (const ix of indexes) db.exec(ix.sql);
  db.exec('ANALYZE');
  db.close();
  return { leads: leadCount, calls };

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
main();

function main() {
  const dbPath = args.db ?? join(tmpdir(), `callq-bench-report-${args.leads}-${args.calls}.db`);

  if (!isBuilt(dbPath)) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    const t0 = performance.now();
    run(['--db', dbPath, 'init']);
    const made = build(dbPath, args.leads, args.calls);
    console.log(`built ${dbPath}: ${made.leads} leads, ${made.calls} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${dbPath}`);
  }
  if (args.buildOnly) return;

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
  for (const c of cases) {
    const ms = best(() => run(['--db', dbPath, '--now', NOW, '--json', ...c]));
    const ok = ms < TARGET_MS;
    if (!ok) failed++;
    console.log(`${c.join(' ').padEnd(50)} ${fmt(ms)}  ${(ms / baseline).toFixed(1).padStart(5)}× baseline  ${ok ? 'ok' : `OVER ${TARGET_MS} ms`}`);
  }
  if (!args.keep && !args.db) for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  process.exitCode = failed ? 1 : 0;
}
