// The queue's query plans do not depend on the planner's statistics. A database made by
// `callq import` has no sqlite_stat1 until `maintain` runs ANALYZE; each query the queue runs must
// then use its intended index and never scan `leads`, and the same after ANALYZE. The queries are
// recorded as the queue module runs them, with their bound values (SQLite's STAT4 can plan on
// those), and each is explained with the same values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type DB } from '../../src/db/open.js';
import { loadSettings } from '../../src/db/settings.js';
import { claimNextLead, explainEmptyQueue, heldClaim, queueCandidates, queueSize, releaseClaim, renewClaim, zoneGroupCloses } from '../../src/db/queue.js';
import { callq, json, ROOT, tempDir } from '../helpers.js';
import { RECENT_INSTANTS } from '../../src/core/queue-order.js';

const NOW = '2026-11-24T16:00:00Z'; // Tuesday 11:00 New York, 08:00 Los Angeles

/** What each kind of queue query on `leads` must read: an index name, or the rowid. */
const INTENDED: { query: RegExp; index: string }[] = [
  // callq status's count that reads the table once when the open groups' queued leads are a tenth of it or more (queueSize).
  { query: /FROM leads NOT INDEXED WHERE timezone IN \(SELECT value FROM json_each\(@zones\)\)/, index: 'table' },
  // An empty queue's explanation, the same way (explainEmptyQueue).
  { query: /FROM leads NOT INDEXED WHERE timezone IS NOT NULL AND status IN \('new','working','nurture'\)/, index: 'table' },
  { query: /WHERE id = \?/, index: 'rowid' },
  { query: /status = 'callback' AND callback_at <= @now AND callback_rep = @rep/, index: 'leads_callbacks_rep' },
  { query: /status = 'callback' AND (timezone = @zone AND )?callback_at <= @now/, index: 'leads_callbacks' },
  { query: /WHERE status = 'callback' AND attempts_since_contact < @maxAttempts/, index: 'leads_callbacks' },
  { query: /status = 'callback' AND timezone IS NULL/, index: 'leads_callbacks' },
  { query: /timezone = (@zone|\?) AND status IN \('new','working','nurture'\)/, index: 'leads_queue' },
  { query: /timezone = z\.value AND status IN \('new','working','nurture'\)/, index: 'leads_queue' },
  { query: /timezone IS NULL AND status IN \('new','working','nurture'\)/, index: 'leads_queue' },
  { query: /status = 'new' AND inbound_at IS NOT NULL AND inbound_at >= @since/, index: 'leads_inbound' },
  { query: /status = 'new' AND inbound_at IS NOT NULL AND inbound_at = @at/, index: 'leads_inbound' },
  { query: /claim_rep = \? AND claim_expires_at > \?/, index: 'leads_claims' },
  // callq status: how many rows the table has (queueSize).
  { query: /^SELECT max\(id\) FROM leads$/, index: 'rowid' },
];

let dir: string;
let cleanup: () => void;
let dbPath: string;

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  dbPath = join(dir, 'q.db');
  const csv = join(dir, 'leads.csv');
  // The full layout has a time-zone column and a created date, which makes inbound leads.
  const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-leads.js'), '3000', csv, '--columns', 'full', '--quiet', '--now', '2026-11-24T15:00:00Z']);
  expect(gen.status).toBe(0);
  const imported = callq(['--db', dbPath, '--now', NOW, 'import', csv]);
  expect(imported.code, imported.stderr).toBe(0);
  // A web form's leads of the last two hours, each with its own time: more arrival instants than
  // a claim steps through one by one, so it reads the older ones in one range too.
  const form = join(dir, 'form.csv');
  const rows = Array.from({ length: RECENT_INSTANTS + 8 }, (_, i) =>
    `Lead ${i},+1 212 555 ${String(1000 + i)},${new Date(Date.parse(NOW) - (i + 1) * 3 * 60_000).toISOString()}`,
  );
  writeFileSync(form, ['Name,Phone,Submitted At', ...rows].join('\n'));
  const web = callq(['--db', dbPath, '--now', NOW, 'import', form]);
  expect(web.code, web.stderr).toBe(0);
  // A few callbacks and a claim, so the partial indexes hold something.
  for (const rep of ['ana', 'ben', 'cy']) {
    const claim = json(callq(['--db', dbPath, '--rep', rep, '--now', NOW, 'next', '--json']));
    const logged = callq(['--db', dbPath, '--rep', rep, '--now', NOW, 'log', String(claim.lead.id), 'callback', '--at', '2026-11-24T19:00:00Z']);
    expect(logged.code, logged.stderr).toBe(0);
  }
  expect(callq(['--db', dbPath, '--rep', 'dee', '--now', NOW, 'next', '--json']).code).toBe(0);
});
afterAll(() => cleanup());

interface Recorded {
  sql: string;
  args: unknown[];
}

/** Runs every queue operation on a connection whose statements record their SQL and bound values. */
function runQueue(db: DB): Recorded[] {
  const recorded = new Map<string, Recorded>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    const proxy: Statement = new Proxy(stmt, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (['run', 'get', 'all', 'iterate'].includes(String(key))) recorded.set(sql, { sql, args });
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  }) as DB['prepare'];
  const settings = loadSettings(db);
  const now = new Date(NOW);
  const later = new Date('2026-11-24T19:30:00Z'); // the callbacks are due
  for (const at of [now, later]) {
    const claim = claimNextLead(db, at, settings, 'eve', {});
    expect(claim).not.toBeNull();
    expect(claimNextLead(db, at, settings, 'eve', {})?.reason).toBe('held');
    expect(heldClaim(db, 'eve', at)?.id).toBe(claim!.lead.id);
    expect(renewClaim(db, claim!.lead.id, 'eve', claim!.token, at, settings)).toBe(true);
    expect(releaseClaim(db, claim!.lead.id, 'eve', at)).toBe(true);
    expect(queueCandidates(db, at, settings, 'ana', { list: 'x', campaign: 'y', source: 'z', exclude: [1, 2] }, 10)).toEqual([]);
    expect(queueCandidates(db, at, settings, 'ana', {}, 10).length).toBe(10);
    expect(queueSize(db, at, settings)).toBeGreaterThan(0);
    explainEmptyQueue(db, at, settings, 'ana', {});
    explainEmptyQueue(db, at, settings, 'ana', { source: 'webinar' });
    zoneGroupCloses(db, 'America/New_York', at, settings);
  }
  db.prepare = prepare;
  return [...recorded.values()];
}

function checkPlans(db: DB, recorded: Recorded[]): void {
  const used = new Set<string>();
  const onLeads = recorded.filter((r) => /\bFROM leads\b|\bUPDATE leads\b/.test(r.sql));
  for (const { sql, args } of onLeads) {
    const oneLine = sql.replace(/\s+/g, ' ');
    const intended = INTENDED.find((i) => i.query.test(oneLine));
    expect(intended, `a queue query on leads without an intended index in this test: ${oneLine}`).toBeDefined();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    // The one query that reads leads twice (the top of each zone group) reads the rows it picked by rowid.
    for (const alias of plan.filter((d) => /^(SEARCH|SCAN) l\b/.test(d))) expect(alias, oneLine).toMatch(/^SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    const leadsSteps = plan.filter((d) => / leads\b/.test(d));
    expect(leadsSteps.length, `${oneLine}\n${plan.join('\n')}`).toBe(1);
    const [step] = leadsSteps;
    if (intended!.index !== 'table') expect(step, `${oneLine}\n${plan.join('\n')}`).not.toMatch(/^SCAN leads$/);
    const want =
      intended!.index === 'table'
        ? /^SCAN leads$/
        : intended!.index === 'rowid'
        ? /^SEARCH leads( USING INTEGER PRIMARY KEY \(rowid=\?\))?$/
        : new RegExp(`^(SEARCH|SCAN) leads USING (COVERING )?INDEX ${intended!.index}\\b`);
    expect(step, `${oneLine}\n${plan.join('\n')}`).toMatch(want);
    // An arrival instant's best leads by rank come in that order from leads_inbound, without
    // sorting every lead of the instant first.
    if (intended!.index === 'leads_inbound') expect(plan.filter((d) => /TEMP B-TREE FOR ORDER BY/.test(d)), `${oneLine}\n${plan.join('\n')}`).toEqual([]);
    used.add(intended!.index);
  }
  expect([...used].sort()).toEqual(['leads_callbacks', 'leads_callbacks_rep', 'leads_claims', 'leads_inbound', 'leads_queue', 'rowid', 'table']);
}

describe('queue query plans', () => {
  it('use their intended index on a database fresh from callq import (no statistics)', () => {
    const db = openDatabase(dbPath);
    try {
      expect(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'`).pluck().get()).toBe(0);
      checkPlans(db, runQueue(db));
    } finally {
      db.close();
    }
  });

  it('and the same after ANALYZE', () => {
    const db = openDatabase(dbPath);
    try {
      db.exec('ANALYZE');
      expect(db.prepare(`SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'leads'`).pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    // A new connection, so nothing prepared before the statistics existed is reused.
    const analysed = openDatabase(dbPath);
    try {
      checkPlans(analysed, runQueue(analysed));
    } finally {
      analysed.close();
    }
  });
});
