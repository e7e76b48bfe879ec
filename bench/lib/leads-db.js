// Builds a large, realistic callq database quickly for benchmarks: the real schema (via the
// built migrations) filled with generated leads, written straight with prepared statements.
import { rmSync } from 'node:fs';
import { openDatabase } from '../../dist/db/open.js';
import { loadSettings } from '../../dist/db/settings.js';
import { queueRank } from '../../dist/core/priority.js';

const ZONES = [
  ['America/New_York', 30], ['America/Chicago', 20], ['America/Denver', 6], ['America/Phoenix', 3], ['America/Los_Angeles', 16],
  ['America/Anchorage', 1], ['Pacific/Honolulu', 1], ['America/Toronto', 4], ['America/Vancouver', 2], ['America/Chicago,America/New_York', 2],
  ['Europe/London', 6], ['Europe/Berlin', 4], ['Europe/Paris', 2], ['Australia/Sydney', 2], ['Asia/Kolkata', 1],
];
const SOURCES = ['webinar', 'trade-show', 'purchased-list', 'website', 'referral', 'content-download', 'linkedin'];

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(rand, table) {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = rand() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[0][0];
}

/**
 * Creates `path` with `n` leads. Statuses: mostly new, some working with retry times around
 * `now`, a few closed. Returns the time it took in ms.
 */
export function buildLeadsDb(path, n, { now = new Date('2026-11-24T18:00:00Z'), seed = 42 } = {}) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const started = performance.now();
  const db = openDatabase(path, { create: true });
  const weights = loadSettings(db).weights;
  const rand = mulberry32(seed);
  const insert = db.prepare(
    `INSERT INTO leads(first_name, last_name, company, title, email, phone, phone_raw, country, region, timezone, timezone_source,
       source, campaign, list, score, status, attempts, contacts, attempts_since_contact, last_call_at, next_eligible_at,
       disqualify_reason, closed_at, inbound_at, queue_rank, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'phone', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const nowMs = now.getTime();
  const day = 86_400_000;
  db.pragma('cache_size = -200000');
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const zone = weighted(rand, ZONES);
      const source = SOURCES[Math.floor(rand() * SOURCES.length)];
      const score = Math.floor(rand() * 101);
      const created = new Date(nowMs - Math.floor(rand() * 60) * day - Math.floor(rand() * day)).toISOString();
      const r = rand();
      let status = 'new';
      let attempts = 0;
      let last = null;
      let nextAt = null;
      let reason = null;
      let closed = null;
      if (r < 0.25) {
        status = 'working';
        attempts = 1 + Math.floor(rand() * 5);
        last = new Date(nowMs - Math.floor(rand() * 5 * day)).toISOString();
        nextAt = new Date(Date.parse(last) + Math.floor(rand() * 2 * day)).toISOString();
      } else if (r < 0.3) {
        status = rand() < 0.7 ? 'disqualified' : 'exhausted';
        attempts = 1 + Math.floor(rand() * 8);
        last = closed = new Date(nowMs - Math.floor(rand() * 400 * day)).toISOString();
        reason = status === 'disqualified' ? 'no-budget' : null;
      }
      const inbound = rand() < 0.001 ? new Date(nowMs - Math.floor(rand() * 3 * 3_600_000)).toISOString() : null;
      const phone = `+1${200 + (i % 700)}${String(2_000_000 + ((i * 7919) % 7_999_999)).padStart(7, '0')}`;
      const lead = { score, attempts, source, campaign: 'q4', last_call_at: last, inbound_at: inbound, created_at: created };
      insert.run(
        `First${i}`, `Last${i}`, `Company ${i % 50_000}`, 'VP Sales', `lead${i}@example${i % 5000}.com`, phone, phone,
        'US', null, zone, source, 'q4', 'bench', score, status, attempts, attempts ? 1 : 0, attempts, last, nextAt, reason, closed,
        inbound, queueRank(lead, weights), created, created,
      );
    }
  });
  for (let from = 0; from < n; from += 50_000) batch.immediate(from, Math.min(n, from + 50_000));
  db.pragma('optimize');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return performance.now() - started;
}
