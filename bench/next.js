#!/usr/bin/env node
// callq next on a big database made the way ops make one: `callq import` of a generated list,
// no `maintain` yet, so no ANALYZE statistics (bench/RESULTS.md). Reports, against `node -e 0`
// measured in the same run (interleaved, so machine load affects all alike):
//   - a fresh claim: a new rep every run, so nothing is held and the queue is searched;
//   - the held claim: the same rep again, shown the lead it holds;
//   - `callq log ID no-answer` by the fresh rep, as every rep runs after every call;
// each as whole-process time (target ≤ 1.6×) and CPU time (user + system, on Linux: what four reps
// looping on two cores compete for), and the claim itself in process (target p99 < 2 ms).
//
//   node bench/next.js [--rows 1000000] [--runs 21]
//
// The list comes from bench/gen-leads.js (9 columns, as bench/import.js uses). The imported
// database is cached in bench/out/, keyed on the generator's source, the row count and callq's
// schema version (a 1M import takes 10 s and more); each run works on a copy of it. REBUILD=1
// forces a new one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../dist/db/open.js';
import { SCHEMA_VERSION } from '../dist/db/migrations.js';
import { loadSettings } from '../dist/db/settings.js';
import { claimNextLead } from '../dist/db/queue.js';
import { recordOutcome } from '../dist/db/outcomes.js';
import { outcomeLead, planOutcome } from '../dist/core/outcome.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = flag('rows', 1_000_000);
const runs = flag('runs', 21);
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const NOW = '2026-11-24T18:00:00Z'; // Tuesday 13:00 New York, 10:00 Los Angeles

// --- the database, built by callq import and cached -------------------------------------------
const generator = join(root, 'bench', 'gen-leads.js');
const key = createHash('sha256').update(readFileSync(generator)).update(`rows=${rows};schema=${SCHEMA_VERSION}`).digest('hex').slice(0, 12);
const cached = join(out, `next-${rows}-${key}.db`);
if (!existsSync(cached) || process.env.REBUILD) {
  for (const f of readdirSync(out)) if (f.startsWith(`next-${rows}-`)) rmSync(join(out, f), { force: true });
  const csv = join(out, `next-${rows}-${key}.csv`);
  const gen = spawnSync(process.execPath, [generator, String(rows), csv, '--quiet'], { stdio: 'inherit' });
  if (gen.status !== 0) throw new Error('gen-leads failed');
  const building = `${cached}.building`;
  const started = performance.now();
  const imported = spawnSync(process.execPath, [bin, '--db', building, '--now', '2026-11-24T12:00:00Z', 'import', csv], { encoding: 'utf8' });
  if (imported.status !== 0) throw new Error(`callq import failed (exit ${imported.status}): ${imported.stderr}`);
  const ms = performance.now() - started;
  // Fold the WAL into the file so a plain copy is the whole database.
  const conn = openDatabase(building);
  conn.pragma('wal_checkpoint(TRUNCATE)');
  conn.close();
  for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
  spawnSync('mv', [building, cached]);
  rmSync(csv, { force: true });
  console.log(`built ${rows.toLocaleString()} leads with callq import in ${(ms / 1000).toFixed(1)} s → ${cached}`);
}
const db = join(out, `next-${rows}-work.db`);
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
copyFileSync(cached, db);
{
  const conn = openDatabase(db);
  const stats = conn.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'`).pluck().get();
  const leads = conn.prepare('SELECT count(*) FROM leads').pluck().get();
  conn.close();
  console.log(`${leads.toLocaleString()} leads, planner statistics: ${stats ? 'present' : 'none (as after callq import)'}`);
}

// --- whole process ------------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
// CPU time of finished children (user + system), from /proc; null where there is none.
const clockTick = 10; // ms: USER_HZ is 100 on Linux
const childCpuMs = () => {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * clockTick;
  } catch {
    return null;
  }
};
function timeProcess(args) {
  const cpu0 = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return { ms, cpu: cpu0 === null ? null : childCpuMs() - cpu0, stdout: r.stdout };
}
const callq = (rep, ...args) => [bin, '--db', db, '--rep', rep, '--now', NOW, ...args];
const next = (rep) => callq(rep, 'next', '--json');

const heldRep = `bench-held-${process.pid}`;
const first = JSON.parse(timeProcess(next(heldRep)).stdout);
const figures = { base: [], fresh: [], held: [], log: [] };
for (let i = 0; i < runs; i++) {
  figures.base.push(timeProcess(['-e', '0']));
  const rep = `bench-fresh-${process.pid}-${i}`;
  const f = timeProcess(next(rep));
  const claim = JSON.parse(f.stdout);
  if (claim.again) throw new Error('a fresh rep was shown a held claim');
  figures.fresh.push(f);
  const h = timeProcess(next(heldRep));
  if (JSON.parse(h.stdout).lead.id !== first.lead.id) throw new Error('the held claim was not shown again');
  figures.held.push(h);
  figures.log.push(timeProcess(callq(rep, 'log', String(claim.lead.id), 'no-answer')));
}
const baseMs = median(figures.base.map((r) => r.ms));
// Summed over the runs: a child's CPU time is counted in 10 ms ticks.
const cpuMean = (rs) => (rs.some((r) => r.cpu === null) ? null : rs.reduce((n, r) => n + r.cpu, 0) / rs.length);
const baseCpu = cpuMean(figures.base);
const line = (label, rs) => {
  const ms = median(rs.map((r) => r.ms));
  const ratio = ms / baseMs;
  const cpu = cpuMean(rs);
  const cpuText = cpu === null || !baseCpu ? '' : `   CPU ${cpu.toFixed(0)} ms ${(cpu / baseCpu).toFixed(2)}×`;
  console.log(`${label.padEnd(28)} median ${ms.toFixed(1)} ms   ${ratio.toFixed(2)}×   (target ≤ 1.6×: ${ratio <= 1.6 ? 'met' : 'MISSED'})${cpuText}`);
};
console.log(
  `node -e 0                    median ${baseMs.toFixed(1)} ms   (${runs} runs of each, interleaved)` + (baseCpu ? `   CPU ${baseCpu.toFixed(0)} ms` : ''),
);
line('callq next, fresh claim', figures.fresh);
line('callq next, held claim', figures.held);
line('callq log ID no-answer', figures.log);

// --- the claim itself, in process ----------------------------------------------------------------
// 8 reps in turn, each logging a no-answer (untimed) before its next claim, as reps do. The loop
// yields to the event loop between cycles, as a rep's process does while the rep is on the call:
// a loop that never yields runs V8's young-generation collections inside the timed claims.
const conn = openDatabase(db);
const settings = loadSettings(conn);
const noAnswer = settings.dispositions.find((d) => d.name === 'no-answer');
const lat = [];
const now = new Date(NOW);
for (let i = 0; i < 3000; i++) {
  const rep = `bench-rep-${i % 8}`;
  const started = process.hrtime.bigint();
  const claim = claimNextLead(conn, now, settings, rep, {});
  lat.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (!claim) throw new Error('queue ran dry');
  recordOutcome(conn, { leadId: claim.lead.id, rep, now, force: false }, settings, (lead) =>
    planOutcome(
      outcomeLead(lead),
      { disposition: noAnswer, answers: {}, rep, viewerZone: 'UTC' },
      now,
      settings,
    ),
  );
  await new Promise((resolve) => setImmediate(resolve));
}
conn.close();
const p99 = pct(lat, 99);
console.log(
  `claim in process             p50 ${pct(lat, 50).toFixed(3)} ms  p99 ${p99.toFixed(3)} ms  max ${Math.max(...lat).toFixed(3)} ms   ` +
    `(target p99 < 2 ms: ${p99 < 2 ? 'met' : 'MISSED'}; 3000 claims)`,
);
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
