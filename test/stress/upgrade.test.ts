// Upgrades: a database written by an earlier schema version opens with the current callq,
// migrates, keeps every row, and works (status, queue, next, log, export, maintain).
// SQLite only: PostgreSQL's schema has no older released version to upgrade from (its numbering
// and schema against SQLite's: test/pg/migrations.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURES, callq, json, tempDir } from '../helpers.js';
import { SCHEMA_VERSION } from '../../src/db/migrations.js';
import { NOW, health } from './support.js';

const TABLES = ['leads', 'calls', 'suppressions', 'settings', 'imports', 'handoffs'];

function rows(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('callq-upgrade-')));
afterEach(() => cleanup());

describe('a fixture database from each earlier schema version', () => {
  const versions = Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 1);

  it('exists for every version before the current one (add one when a migration is added)', () => {
    for (const v of versions) expect(existsSync(join(FIXTURES, `schema-v${v}.db`)), `test/fixtures/schema-v${v}.db`).toBe(true);
  });

  it.each(versions)('schema v%i migrates to the current version and keeps every row', (v) => {
    const db = join(dir, 'old.db');
    copyFileSync(join(FIXTURES, `schema-v${v}.db`), db);
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(v);
    raw.close();
    const before = rows(db);
    expect(before.leads.length).toBeGreaterThan(0);
    expect(before.calls.length).toBeGreaterThan(0);

    const status = callq(['--db', db, 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = json(status);
    expect(s.schema_version).toBe(SCHEMA_VERSION);
    expect(s.leads).toBe(before.leads.length);
    // The command that migrated the file says so, once.
    expect(status.stderr).toContain(`note: upgraded the database ${db} from schema version ${v} to ${SCHEMA_VERSION}; an older callq can no longer open it.`);
    expect(callq(['--db', db, 'status', '--json']).stderr).not.toContain('upgraded');

    // Every row of every table is still there, unchanged (columns added since are empty; each
    // batch's state and process, added by schema 5, say an earlier batch is complete, with none;
    // its lead_ids_to, added by schema 8, the highest id among its leads), and the file is healthy.
    const after = rows(db);
    const leadsOf = (batch: unknown) => (after.leads as { id: number; import_id: number | null }[]).filter((l) => l.import_id === (batch as { id: number }).id);
    for (const [i, batch] of (after.imports as Record<string, unknown>[]).entries()) {
      // Schema 8 records the highest lead id each batch handed out: the highest its leads still hold.
      if (!('lead_ids_to' in (before.imports[i] as object))) {
        const ids = leadsOf(batch).map((l) => l.id);
        expect(batch.lead_ids_to).toBe(ids.length ? Math.max(...ids) : null);
        delete batch.lead_ids_to;
      }
      if ('state' in (before.imports[i] as object)) continue; // a file at schema 5 or later has them
      expect(batch).toMatchObject({ state: 'complete', pid: null });
      delete batch.state;
      delete batch.pid;
    }
    expect(after).toMatchObject(before);
    for (const t of TABLES) {
      for (const [i, row] of after[t].entries()) {
        const added = Object.keys(row as object).filter((k) => !(k in (before[t][i] as object)));
        for (const k of added) expect((row as Record<string, unknown>)[k], `${t}.${k}`).toBeNull();
      }
    }
    expect(health(db)).toEqual({ integrity: 'ok', foreignKeyProblems: [] });
  });
});

describe('the schema v1 fixture works with the current callq', () => {
  let db: string;
  const q = (args: string[], rep = 'ana') => callq(['--db', db, '--rep', rep, '--now', NOW, ...args], { cwd: dir });
  beforeEach(() => {
    db = join(dir, 'v1.db');
    copyFileSync(join(FIXTURES, 'schema-v1.db'), db);
  });

  it('status shows every status the fixture holds', () => {
    const s = json(q(['status', '--json']));
    expect(s.by_status).toEqual({
      new: 1, working: 1, callback: 1, nurture: 1, 'sales-ready': 1, 'handed-off': 1, disqualified: 1, 'do-not-call': 1, exhausted: 1,
    });
  });

  it("next serves the rep's due callback, then log records the outcome on the old data", () => {
    const claim = json(q(['next', '--json']));
    expect(claim.lead).toMatchObject({ id: 3, name: 'Ann Lee', status: 'callback' });
    expect(claim.reason).toBe('callback-mine');
    const logged = q(['log', '3', 'no-answer', '--token', claim.claim.token, '--json']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(json(logged)).toMatchObject({ status: 'working', lead: { attempts: 2 } });
    // A colleague is then served the best scored lead: the fresh one from New York.
    expect(json(q(['next', '--json'], 'ben')).lead.id).toBe(1);
  });

  it('the settings stored by the old version still apply', () => {
    expect(json(q(['config', 'get', 'hours.end', '--json']))).toMatchObject({ value: '18:00' });
    expect(json(q(['config', 'get', 'max-attempts', '--json']))).toMatchObject({ value: '6' });
  });

  it('exports the sales-ready lead, the clean-up list and the call log', () => {
    const out = join(dir, 'handoff.csv');
    const exported = q(['export', 'sales-ready', '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(json(exported)).toMatchObject({ exported: 1, marked: 1, batch: 2 });
    // With --json the file is NDJSON: one object per lead.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ callq_id: 4, first_name: 'Bob', last_name: 'Ortiz', qualification_need: 'call tracking' });

    const cleanup = q(['export', 'cleanup', '--json']);
    expect(cleanup.code).toBe(0);
    const closed = cleanup.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(closed.map((r) => [r.callq_id, r.reason])).toEqual([[5, 'no-budget'], [6, 'do-not-call'], [8, 'no-contact']]);

    const calls = q(['export', 'calls', '--json']);
    expect(calls.stdout.trim().split('\n')).toHaveLength(17);

    // The old hand-off batch re-exports with its lead, in the profile it was made with.
    const again = q(['export', 'sales-ready', '--batch', '1', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ Callq_Id__c: 7, LastName: 'Lefèvre', Need__c: 'routing' });
  });

  it('the do-not-call entries still block, including the forgotten one kept only as a hash', () => {
    const list = q(['dnc', 'list', '--json']);
    expect(list.stdout.trim().split('\n')).toHaveLength(5);
    expect(q(['dnc', 'add', '+12125550199', '--json']).code).toBe(0);
    const raw = new Database(db, { readonly: true });
    // Adding the forgotten number again finds the hash: still one entry for it.
    expect(raw.prepare("SELECT count(*) FROM suppressions WHERE kind = 'phone'").pluck().get()).toBe(3);
    raw.close();
  });

  it('maintain runs on it and finds it healthy', () => {
    const r = q(['maintain', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(health(db)).toEqual({ integrity: 'ok', foreignKeyProblems: [] });
  });
});
