#!/usr/bin/env node
// callq next on a big database: whole-process time against `node -e 0` measured in the same run
// (target ≤ 1.6×), and the in-process claim latency (target p99 < 2 ms).
//   node bench/next.js [LEADS=1000000] [RUNS=21]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLeadsDb } from './lib/leads-db.js';
import { openDatabase } from '../dist/db/open.js';
import { loadSettings } from '../dist/db/settings.js';
import { claimNextLead } from '../dist/db/queue.js';
import { recordOutcome, parseAltPhones } from '../dist/db/outcomes.js';
import { planOutcome } from '../dist/core/outcome.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const leads = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 21);
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const db = join(out, `next-${leads}.db`);
const NOW = '2026-11-24T18:00:00Z'; // Tuesday 13:00 New York, 10:00 Los Angeles

if (!existsSync(db) || process.env.REBUILD) {
  const ms = buildLeadsDb(db, leads, { now: new Date(NOW) });
  console.log(`built ${leads.toLocaleString()} leads in ${(ms / 1000).toFixed(1)} s → ${db}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
function timeProcess(args, i) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, typeof args === 'function' ? args(i) : args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return ms;
}

// Interleave the two so machine load affects both alike.
const base = [];
const next = [];
for (let i = 0; i < runs; i++) {
  base.push(timeProcess(['-e', '0'], i));
  next.push(timeProcess((k) => [join(root, 'bin', 'callq.js'), '--db', db, '--rep', `bench-proc-${process.pid}-${k}`, '--now', NOW, 'next', '--json'], i));
}
const baseMs = median(base);
const nextMs = median(next);
console.log(`node -e 0            median ${baseMs.toFixed(1)} ms (${runs} runs)`);
console.log(`callq next --json    median ${nextMs.toFixed(1)} ms`);
console.log(`ratio                ${(nextMs / baseMs).toFixed(2)}×   (target ≤ 1.6×)`);

// In-process: the claim itself, 8 reps in turn, each logging a no-answer (untimed) before the
// next claim, as reps do.
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
      { ...lead, alt_phones: parseAltPhones(lead.alt_phones), zones: lead.timezone.split(',') },
      { disposition: noAnswer, answers: {}, rep, viewerZone: 'UTC' },
      now,
      settings,
    ),
  );
}
conn.close();
console.log(`claim latency        p50 ${pct(lat, 50).toFixed(3)} ms  p99 ${pct(lat, 99).toFixed(3)} ms  max ${Math.max(...lat).toFixed(3)} ms   (target p99 < 2 ms; 3000 claims)`);
