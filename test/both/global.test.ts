// The global options and the settings on both stores: --db and CALLQ_DB name the database (a
// file or a postgres:// URL), status names the store and its schema, and `callq config` keeps
// the team's settings in it. What needs no database (help, --version, --now, --rep, an empty
// --db) is in test/cli/global.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callq, json, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { SCHEMA_VERSION } from '../../src/db/migrations.js';

describe.each(STORE_KINDS)('global options and settings on %s', (kind) => {
  let store: TestStore;
  const run = (args: string[], env: Record<string, string> = {}): RunResult => callq(['--db', store.db, ...args], { env });
  beforeAll(async () => {
    store = await newTestStore(kind);
  });
  afterAll(async () => store?.cleanup());

  it('CALLQ_DB names the database when --db is absent; --db wins over it', async () => {
    const init = callq(['init'], { env: { CALLQ_DB: store.db } });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain(store.db);
    expect((await store.query('SELECT count(*) AS n FROM leads'))[0].n).toBe(0);
    const elsewhere = kind === 'sqlite' ? join(store.dir, 'other.db') : store.db.replace(/\/[^/?]+(\?|$)/, '/callq_no_such_database$1');
    const s = json(run(['status', '--json'], { CALLQ_DB: elsewhere }));
    expect(s.db).toBe(store.db);
    expect(s.store).toEqual(kind === 'sqlite' ? { kind, name: store.db } : { kind, name: store.db, transport: 'unix socket' });
  });

  it('status prints JSON with the store, schema version, counts, claims and queue size', () => {
    const r = run(['status', '--json', '--now', '2026-11-24T15:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const s = json(r);
    expect(s).toMatchObject({ db: store.db, schema_version: SCHEMA_VERSION, now: '2026-11-24T15:00:00.000Z', leads: 0, claims: [], queue_now: 0 });
    expect(Object.keys(s.by_status)).toEqual([
      'new', 'working', 'callback', 'nurture', 'sales-ready', 'handed-off', 'disqualified', 'do-not-call', 'exhausted',
    ]);
  });

  it('config set, get, list and unset round-trip; an invalid value or an unknown key is exit 2 and changes nothing', () => {
    expect(run(['config', 'set', 'hours.end', '18:00']).code).toBe(0);
    expect(run(['config', 'get', 'hours.end']).stdout.trim()).toBe('18:00');
    const list = json(run(['config', 'list', '--json']));
    expect(list.find((s: any) => s.key === 'hours.end')).toMatchObject({ value: '18:00', default: false });
    expect(list.find((s: any) => s.key === 'max-attempts')).toMatchObject({ value: '8', default: true });
    expect(run(['config', 'list']).stdout).toMatch(/hours\.end\s+18:00\s+\(set\)/);
    expect(run(['config', 'unset', 'hours.end']).code).toBe(0);
    expect(run(['config', 'get', 'hours.end']).stdout.trim()).toBe('17:00');

    expect(run(['config', 'set', 'max-attempts', '5']).code).toBe(0);
    const bad = run(['config', 'set', 'max-attempts', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid value 'lots' for max-attempts/);
    expect(run(['config', 'get', 'max-attempts']).stdout.trim()).toBe('5');
    const unknown = run(['config', 'get', 'no.such']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown setting 'no.such'/);
  });

  it('a team-defined disposition and source weight can be set', () => {
    expect(run(['config', 'set', 'disposition.sent-info', 'nurture contact']).code).toBe(0);
    expect(run(['config', 'set', 'weight.source.webinar', '15']).code).toBe(0);
    const list = json(run(['config', 'list', '--json']));
    expect(list.find((s: any) => s.key === 'disposition.sent-info')).toMatchObject({ value: 'nurture contact', default: false });
    expect(list.find((s: any) => s.key === 'weight.source.webinar')).toMatchObject({ value: '15', default: false });
  });
});
