// Many reps at once on one database file: through the real CLI (8 processes looping next → log,
// with maintain and an export running meanwhile), in process (bench/concurrency.js with small
// sizes), and a rep whose process dies holding a claim.
// SQLite only: on PostgreSQL, 8 rep processes claiming and logging are test/pg/concurrency.test.ts,
// claims at once test/both/queue.test.ts, and a claim past its lease (returned to a colleague, the
// late log refused) test/both/queue.test.ts and log.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pty from 'node-pty';
import { BIN, ROOT, callq, initDb, json, openRaw, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { CLEAN_ENV, NOW, describeRun, health, run, type Run } from './support.js';

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('callq-stress-'));
  db = join(dir, 'team.db');
  initDb(db);
});
afterEach(() => cleanup());

const REPS = 8;
const SECONDS = 10;

/** What one rep did, as the rep saw it. */
interface RepLog {
  rep: string;
  claims: { lead: number; token: string }[];
  logged: number[];
  claimMs: number[];
  failures: Run[];
  emptyQueue: boolean;
}

/** The outcome a rep records for the n-th lead: mostly unanswered, some decisions. */
function outcomeArgs(n: number): string[] {
  switch (n % 10) {
    case 2:
      return ['gatekeeper', '--note', 'left a message with the assistant'];
    case 4:
      return ['callback', '--at', 'tomorrow 10:00'];
    case 6:
      return ['qualified', '--need', 'call tracking', '--timeframe', 'Q1', '--authority', 'VP Sales', '--note', 'wants a demo'];
    case 8:
      return ['disqualified', '--reason', 'no-budget'];
    default:
      return [n % 3 ? 'no-answer' : 'voicemail'];
  }
}

async function rep(name: string, until: number): Promise<RepLog> {
  const out: RepLog = { rep: name, claims: [], logged: [], claimMs: [], failures: [], emptyQueue: false };
  const base = ['--db', db, '--rep', name, '--now', NOW];
  // At least three cycles each however slow the machine, then as many as fit before `until`.
  for (let n = 0; n < 3 || Date.now() < until; n++) {
    const next = await run([...base, 'next', '--json'], { timeoutMs: 20_000 });
    if (next.code === 3) {
      out.emptyQueue = true;
      break;
    }
    if (next.code !== 0) {
      out.failures.push(next);
      continue;
    }
    out.claimMs.push(next.ms);
    const claim = JSON.parse(next.stdout);
    out.claims.push({ lead: claim.lead.id, token: claim.claim.token });
    const logged = await run([...base, 'log', String(claim.lead.id), ...outcomeArgs(n), '--token', claim.claim.token, '--json'], { timeoutMs: 20_000 });
    if (logged.code === 0) out.logged.push(claim.lead.id);
    else out.failures.push(logged);
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor((v.length * p) / 100))] : 0;
}

describe('8 reps through the real CLI on one database', () => {
  it('serve every lead to one rep at a time, record every outcome, and never show a locked database', async () => {
    seedLeads(db, Array.from({ length: 600 }, (_, i) => ({ score: i % 100, timezone: i % 3 ? 'America/New_York' : 'America/Chicago' })));
    const started = Date.now();
    const until = started + SECONDS * 1000;
    // Ops work the same file meanwhile: a nightly maintain and a hand-off export, twice each.
    const ops = (async () => {
      const results: Run[] = [];
      for (let i = 0; i < 2; i++) {
        await new Promise((r) => setTimeout(r, 3000));
        results.push(await run(['--db', db, '--now', NOW, 'maintain', '--json'], { timeoutMs: 30_000 }));
        results.push(await run(['--db', db, '--now', NOW, 'export', 'sales-ready', '--out', join(dir, `handoff-${i}.csv`)], { timeoutMs: 30_000 }));
      }
      return results;
    })();
    const reps = await Promise.all(Array.from({ length: REPS }, (_, i) => rep(`rep${i + 1}`, until)));
    const seconds = (Date.now() - started) / 1000;
    const opsResults = await ops;

    // Nothing failed: no busy/locked error, no conflict, no crash.
    const failures = reps.flatMap((r) => r.failures);
    expect(failures.map(describeRun)).toEqual([]);
    for (const r of [...reps.flatMap((x) => x.failures), ...opsResults]) expect(r.stderr).not.toMatch(/locked|busy|unexpected/i);
    expect(opsResults.map((r) => r.code).every((c) => c === 0 || c === 3), opsResults.map(describeRun).join('\n')).toBe(true);

    // Every lead was served to one rep only (the clock is fixed, so a logged lead is not due again).
    const claimedBy = new Map<number, string>();
    for (const r of reps) for (const c of r.claims) {
      expect(claimedBy.get(c.lead), `lead ${c.lead} served to ${claimedBy.get(c.lead)} and ${r.rep}`).toBeUndefined();
      claimedBy.set(c.lead, r.rep);
    }
    // Every outcome a rep was told was recorded is in the call log, by that rep, once.
    const raw = openRaw(db);
    const calls = raw.prepare('SELECT lead_id, rep FROM calls ORDER BY id').all() as { lead_id: number; rep: string }[];
    const claims = raw.prepare('SELECT count(*) FROM leads WHERE claim_rep IS NOT NULL').pluck().get();
    raw.close();
    const reported = reps.flatMap((r) => r.logged.map((lead) => ({ lead_id: lead, rep: r.rep })));
    expect(calls.length).toBe(reported.length);
    expect([...calls].sort((a, b) => a.lead_id - b.lead_id)).toEqual([...reported].sort((a, b) => a.lead_id - b.lead_id));
    expect(claims).toBe(0);
    expect(health(db)).toEqual({ integrity: 'ok', foreignKeyProblems: [] });

    const cycles = reported.length;
    expect(cycles).toBeGreaterThan(REPS); // every rep got through at least one cycle
    const latencies = reps.flatMap((r) => r.claimMs);
    console.log(
      `CLI: ${REPS} reps, ${cycles} next+log cycles in ${seconds.toFixed(1)} s = ${(cycles / seconds).toFixed(1)} cycles/s; ` +
        `'callq next' process p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
    );
  }, 60_000);
});

describe('8 reps in process (bench/concurrency.js, small)', () => {
  it('keep every invariant: one claimer per lead, every outcome recorded, no SQLITE_BUSY', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'concurrency.js'), '--workers', '8', '--seconds', '3', '--leads', '8000', '--db', join(dir, 'bench.db'), '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      ok: true,
      busy_errors: 0,
      conflicts: 0,
      other_errors: [],
      leads_claimed_twice: [],
      mismatched_calls: [],
      integrity: 'ok',
      foreign_key_problems: 0,
      empty_queue: 0,
    });
    expect(report.cycles).toBeGreaterThan(100);
    expect(report.calls_in_db).toBe(report.outcomes_reported);
    console.log(`in process: ${report.workers} workers, ${report.cycles_per_s} cycles/s; claim p50 ${report.claim_ms.p50} ms, p99 ${report.claim_ms.p99} ms`);
  }, 60_000);
});

describe('a rep whose process dies holding a claim', () => {
  const LATER = '2026-11-24T16:16:00Z'; // past the 15-minute lease
  const q = (args: string[], repName: string, now = NOW) => callq(['--db', db, '--rep', repName, '--now', now, ...args]);

  function claimOf(id: number) {
    const raw = openRaw(db);
    const row = raw.prepare('SELECT claim_rep, claim_token, claim_expires_at FROM leads WHERE id = ?').get(id) as { claim_rep: string | null; claim_token: string | null; claim_expires_at: string | null };
    const calls = raw.prepare('SELECT count(*) FROM calls WHERE lead_id = ?').pluck().get(id) as number;
    raw.close();
    return { ...row, calls };
  }

  it('callq work killed with SIGKILL: the lead waits out the lease, then goes to a colleague; the late log is refused (exit 4)', async () => {
    const [id] = seedLeads(db, [{ first_name: 'Avery', last_name: 'Stone', score: 90 }]);
    const term = pty.spawn(process.execPath, [BIN, '--db', db, '--rep', 'ana', '--now', NOW, 'work'], {
      name: 'xterm-256color', cols: 80, rows: 40, cwd: ROOT, env: { ...CLEAN_ENV, TERM: 'xterm-256color' },
    });
    let screen = '';
    term.onData((d) => (screen += d));
    const exited = new Promise((done) => term.onExit(done));
    // Until the card is on screen; the test's own timeout bounds the wait.
    while (!screen.includes('Avery Stone')) await new Promise((r) => setTimeout(r, 20));
    expect(screen).toContain('Avery Stone');
    term.kill('SIGKILL');
    await exited;

    // The claim outlived the process; nothing was recorded.
    const held = claimOf(id);
    expect(held).toMatchObject({ claim_rep: 'ana', claim_expires_at: '2026-11-24T16:15:00.000Z', calls: 0 });

    // While the lease runs, a colleague is not given the lead, and is told why.
    const before = q(['next', '--json'], 'ben');
    expect(before.code).toBe(3);
    expect(json(before).claimed_by_others).toBe(1);

    // After the lease, the lead goes to the colleague.
    const after = q(['next', '--json'], 'ben', LATER);
    expect(after.code, after.stderr).toBe(0);
    expect(json(after).lead.id).toBe(id);

    // The crashed rep, back, logs late: refused, nothing written.
    const late = q(['log', String(id), 'no-answer'], 'ana', '2026-11-24T16:17:00Z');
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/claimed by ben/);
    const lateWithToken = q(['log', String(id), 'no-answer', '--token', held.claim_token!], 'ana', '2026-11-24T16:17:00Z');
    expect(lateWithToken.code).toBe(4);
    expect(claimOf(id)).toMatchObject({ claim_rep: 'ben', calls: 0 });

    // The colleague's log is the one recorded.
    expect(q(['log', String(id), 'no-answer', '--token', json(after).claim.token], 'ben', '2026-11-24T16:18:00Z').code).toBe(0);
    expect(claimOf(id)).toMatchObject({ claim_rep: null, calls: 1 });
  }, 30_000);

  it('a script killed between next and log: the expired claim is refused (exit 4) unless --force, and the lead is served again', () => {
    const [id] = seedLeads(db, [{ score: 90 }]);
    const claim = json(q(['next', '--json'], 'ana'));
    // The script dies here. After the lease, its log is refused...
    const late = q(['log', String(id), 'no-answer', '--token', claim.claim.token], 'ana', LATER);
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/expired \d+m\d\ds ago; nothing was recorded.*--force/);
    expect(json(q(['log', String(id), 'no-answer', '--json'], 'ana', LATER))).toMatchObject({ code: 4, claim_expires_at: '2026-11-24T16:15:00.000Z' });
    expect(claimOf(id).calls).toBe(0);
    // ...the lead is back in the queue (for anyone, the same rep included)...
    expect(json(q(['queue', '--json'], 'ben', LATER)).map((e: any) => e.lead.id)).toEqual([id]);
    // ...and a call that did happen can still be recorded on purpose.
    expect(q(['log', String(id), 'no-answer', '--force'], 'ana', LATER).code).toBe(0);
    expect(claimOf(id).calls).toBe(1);
  });
});
