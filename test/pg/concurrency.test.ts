// Eight reps as eight processes on one PostgreSQL database, claiming and logging through the
// built store until the queue is empty: every lead claimed exactly once, every outcome recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PgClient } from '../../src/db/pg/open.js';
import { ROOT } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const NOW = '2026-11-24T15:00:00.000Z'; // Tuesday 10:00 New York, 09:00 Chicago
const LEADS = 400;
const REPS = 8;

interface RepResult {
  rep: string;
  claimed: number[];
  logged: number[];
  held: number;
  errors: string[];
}

function runRep(config: object, rep: string): Promise<{ code: number | null; stderr: string; result: RepResult | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'test', 'pg', 'rep-process.js'), JSON.stringify({ config, rep, now: NOW })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr, result: stdout.trim() ? (JSON.parse(stdout) as RepResult) : null }));
  });
}

describe.skipIf(pgInfo.unavailable)('8 rep processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let client: PgClient;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'db', 'pg', 'queue.js'))) throw new Error('dist/ is not built: run `npm run build` first (npm test does).');
    db = await freshDatabase();
    client = await db.connect();
    await client.query(
      `INSERT INTO leads(first_name, phone, email, timezone, score, source, queue_rank, inbound_at, created_at, updated_at)
       SELECT 'Lead' || i, '+1212' || lpad((2000000 + i * 7919 % 7999999)::text, 7, '0'), 'lead' || i || '@example.com',
              CASE WHEN i % 3 = 0 THEN 'America/Chicago' ELSE 'America/New_York' END, i % 101, 'webinar', (i % 101) * 0.5,
              CASE WHEN i % 50 = 0 THEN '2026-11-24T14:50:00.000Z' END, '2026-11-01T12:00:00.000Z', '2026-11-01T12:00:00.000Z'
       FROM generate_series(1, ${LEADS}) AS i`,
    );
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('claims every lead exactly once and records every outcome, without an error', async () => {
    const runs = await Promise.all(Array.from({ length: REPS }, (_, i) => runRep(db.config, `rep${i + 1}`)));
    for (const r of runs) expect({ code: r.code, stderr: r.stderr, errors: r.result?.errors }).toEqual({ code: 0, stderr: '', errors: [] });
    const results = runs.map((r) => r.result!);
    const claimed = results.flatMap((r) => r.claimed);
    expect(claimed.length).toBe(LEADS);
    expect(new Set(claimed).size).toBe(LEADS);
    expect(results.every((r) => r.held === 0)).toBe(true);
    // Several processes did the work (not one after the other).
    expect(results.filter((r) => r.claimed.length > 0).length).toBeGreaterThan(1);
    const { rows: calls } = await client.query<{ lead_id: number; rep: string }>('SELECT lead_id, rep FROM calls ORDER BY lead_id');
    expect(calls.length).toBe(LEADS);
    const claimer = new Map(results.flatMap((r) => r.logged.map((id) => [id, r.rep])));
    expect(calls.filter((c) => claimer.get(c.lead_id) !== c.rep)).toEqual([]);
    const { rows: [left] } = await client.query<{ claimed: number; untouched: number }>(
      `SELECT count(*) FILTER (WHERE claim_rep IS NOT NULL) AS claimed, count(*) FILTER (WHERE attempts = 0) AS untouched FROM leads`,
    );
    expect(left).toEqual({ claimed: 0, untouched: 0 });
  }, 180_000); // eight processes on two shared cores: a generous limit, not a speed check
});
