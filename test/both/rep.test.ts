// A rep's day on both stores, through the built binary: init, leads in, next (again, --skip),
// log (callback, do-not-call reaching another lead at once, a colleague's lead refused), release,
// show, why, queue, status, config — and the refusals of a database that is not there. The same
// steps give the same answers on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, initDb, json, type RunResult } from '../helpers.js';
import { STORE_KINDS, newTestStore, type TestStore, type TestStoreKind } from '../stores.js';
import { seedStore } from '../seed.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York, 09:00 Chicago, 07:00 Los Angeles

interface Seed {
  id: number;
  first_name: string;
  phone: string;
  email: string | null;
  timezone: string;
  score: number;
  source?: string;
}

const LEADS: Seed[] = [
  { id: 1, first_name: 'Ana', phone: '+12125550101', email: 'ana@alpha.example', timezone: 'America/New_York', score: 90 },
  { id: 2, first_name: 'Ben', phone: '+12125550102', email: 'ben@beta.example', timezone: 'America/New_York', score: 70 },
  { id: 3, first_name: 'Cy', phone: '+13125550103', email: 'cy@gamma.example', timezone: 'America/Chicago', score: 50, source: 'referral' },
  { id: 4, first_name: 'Dee', phone: '+13105550104', email: 'dee@delta.example', timezone: 'America/Los_Angeles', score: 80 },
  { id: 5, first_name: 'Eve', phone: '+12125550105', email: null, timezone: 'America/New_York', score: 60 },
  // The same person as lead 1 by e-mail: a do-not-call on lead 1 reaches it at once.
  { id: 6, first_name: 'Anna', phone: '+12125550106', email: 'ana@alpha.example', timezone: 'America/New_York', score: 40 },
];

/** The leads, the same rows on both stores (callq import has its own tests). */
const seed = (store: TestStore, leads: Seed[]) => seedStore(store, leads.map((l) => ({ ...l, company: `${l.first_name} Corp`, list: 'day' })));

/** What must be equal across stores in a document: everything but the claim token. */
function comparable(doc: any): any {
  return JSON.parse(JSON.stringify(doc, (key, value) => (key === 'token' ? '(token)' : value)));
}

const seen: Partial<Record<TestStoreKind, Record<string, unknown>>> = {};

describe.each(STORE_KINDS)('a rep’s day on %s', (kind) => {
  let store: TestStore;
  const run = (args: string[], rep = 'ana', env: Record<string, string> = {}): RunResult =>
    callq(['--db', store.db, '--now', NOW, ...args], { env: { CALLQ_REP: rep, ...env } });
  const keep = (step: string, result: RunResult) => {
    (seen[kind] ??= {})[step] = comparable(json(result));
    return json(result);
  };

  beforeAll(async () => {
    store = await newTestStore(kind);
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('refuses every command but init before the database exists (exit 2, naming it)', () => {
    for (const args of [['status'], ['next'], ['log', '1', 'no-answer'], ['queue'], ['config', 'list']]) {
      const r = run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(kind === 'sqlite' ? /no database at .*callq\.db/ : /no callq database at postgres:\/\//);
      expect(r.stderr).toContain('callq init');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('init creates the database and says where', () => {
    const r = run(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toContain('callq database ready at');
    const j = json(run(['--json', 'init']));
    expect(j.store.kind).toBe(kind);
    expect(j.schema_version).toBeGreaterThan(0);
  });

  it('status names the store and counts the leads', async () => {
    await seed(store, LEADS);
    const j = keep('status', run(['--json', 'status']));
    expect(j.store).toEqual(kind === 'sqlite' ? { kind, name: store.db } : { kind, name: store.db, transport: 'unix socket' });
    expect(j.leads).toBe(6);
    expect(j.by_status.new).toBe(6);
    expect(j.queue_now).toBe(5); // Los Angeles is at 07:00, before calling hours
    const text = run(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL');
    expect(text.stdout).toContain(store.db);
  });

  it('queue previews the order without claiming', () => {
    const j = keep('queue', run(['--json', 'queue']));
    expect(j.map((e: any) => e.lead.id)).toEqual([1, 2, 5, 3, 6]);
    expect(run(['--json', 'queue', '--source', 'referral']).stdout).toContain('"id": 3');
  });

  it('next claims the best lead; next again shows it again; --skip gives it back and claims the next', async () => {
    const first = keep('next', run(['--json', 'next']));
    expect(first.lead.id).toBe(1);
    expect(first.again).toBe(false);
    expect(first.claim.rep).toBe('ana');
    expect(first.claim.token).toMatch(/^[0-9a-f]{16}$/);
    const again = json(run(['--json', 'next']));
    expect(again.lead.id).toBe(1);
    expect(again.again).toBe(true);
    expect(again.claim.token).toBe(first.claim.token);
    const skipped = keep('skip', run(['--json', 'next', '--skip']));
    expect(skipped.lead.id).toBe(2);
    const [lead1] = await store.query('SELECT claim_rep FROM leads WHERE id = ?', 1);
    expect(lead1.claim_rep).toBeNull();
    const card = run(['next']);
    expect(card.code).toBe(0);
    expect(card.stdout).toContain('Ben Test');
    expect(card.stdout).toContain('You already hold this lead');
  });

  it("log refuses a colleague's lead (exit 4) and records nothing", async () => {
    const bob = json(run(['--json', 'next'], 'bob'));
    expect(bob.lead.id).toBe(1);
    const r = run(['log', '1', 'no-answer'], 'ana');
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('bob');
    expect(await store.query('SELECT count(*) AS n FROM calls')).toEqual([{ n: 0 }]);
  });

  it('log a callback: the lead comes back to this rep at that time', async () => {
    const j = keep('callback', run(['--json', 'log', '2', 'callback', '--at', '2026-11-24T19:00:00Z', '--note', 'call after lunch']));
    expect(j.status).toBe('callback');
    const [lead] = await store.query('SELECT status, callback_at, callback_rep, claim_rep FROM leads WHERE id = ?', 2);
    expect(lead).toEqual({ status: 'callback', callback_at: '2026-11-24T19:00:00.000Z', callback_rep: 'ana', claim_rep: null });
    const why = keep('why-callback', run(['--json', 'why', '2']));
    expect(why.callable).toBe(false);
    expect(why.callable_at).toBe('2026-11-24T19:00:00.000Z');
  });

  it('log do-not-call is honoured at once, for every lead reached the same way', async () => {
    const j = keep('dnc', run(['--json', 'log', '1', 'do-not-call'], 'bob'));
    expect(j.status).toBe('do-not-call');
    expect(j.also_suppressed).toBe(1);
    const rows = await store.query('SELECT id, status FROM leads WHERE id IN (1, 6) ORDER BY id');
    expect(rows).toEqual([{ id: 1, status: 'do-not-call' }, { id: 6, status: 'do-not-call' }]);
    const kinds = (await store.query('SELECT kind FROM suppressions ORDER BY kind')).map((r) => r.kind);
    expect(kinds).toEqual(['email', 'phone']);
    const why = keep('why-dnc', run(['--json', 'why', '6']));
    expect(why.callable).toBe(false);
    expect(why.blockers.map((b: any) => b.rule)).toContain('suppressed');
    const queue = json(run(['--json', 'queue']));
    expect(queue.map((e: any) => e.lead.id)).toEqual([5, 3]);
  });

  it('release gives a claim back; with none held it says so (exit 3)', async () => {
    const claimed = json(run(['--json', 'next'], 'cleo'));
    expect(claimed.lead.id).toBe(5);
    const r = run(['release'], 'cleo');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toContain('Released lead 5');
    expect((await store.query('SELECT claim_rep FROM leads WHERE id = ?', 5))[0].claim_rep).toBeNull();
    const none = run(['release'], 'cleo');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('holds no claim');
    const other = json(run(['--json', 'next'], 'cleo'));
    const theirs = run(['release', String(other.lead.id)], 'dan');
    expect(theirs.code).toBe(4);
    expect(run(['release'], 'cleo').code).toBe(0);
  });

  it('show prints the card and the whole history', () => {
    const j = keep('show', run(['--json', 'show', '2']));
    expect(j.lead.status).toBe('callback');
    expect(j.calls).toHaveLength(1);
    expect(j.calls[0]).toMatchObject({ rep: 'ana', disposition: 'callback', notes: 'call after lunch' });
    const text = run(['show', '1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('do-not-call');
    expect(text.stdout).toContain('bob');
    // The id as the card shows it ('#1'), copied and pasted.
    expect(run(['show', '#1']).stdout).toBe(text.stdout);
    expect(run(['show', '99']).code).toBe(2);
  });

  it('config set and get; a weight recomputes the stored queue ranks', async () => {
    expect(run(['config', 'set', 'max-attempts', '5']).code).toBe(0);
    expect(run(['config', 'get', 'max-attempts']).stdout.trim()).toBe('5');
    expect(json(run(['--json', 'config', 'get', 'max-attempts']))).toEqual({ key: 'max-attempts', value: '5', default: false });
    const before = (await store.query('SELECT queue_rank FROM leads WHERE id = ?', 3))[0].queue_rank;
    expect(run(['config', 'set', 'weight.score', '2']).code).toBe(0);
    const after = (await store.query('SELECT queue_rank FROM leads WHERE id = ?', 3))[0].queue_rank;
    expect(after - before).toBeCloseTo(50 * 1.5, 6);
    expect(run(['config', 'set', 'max-attempts', 'lots']).code).toBe(2);
    expect(run(['config', 'unset', 'weight.score']).code).toBe(0);
    expect((await store.query('SELECT queue_rank FROM leads WHERE id = ?', 3))[0].queue_rank).toBeCloseTo(before, 6);
    // Hours past the legal limit are taken, with a warning that they act as the limit.
    const late = run(['config', 'set', 'hours.end', '22:00']);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).toContain('warning: hours.end 22:00 acts as 21:00: no call is placed after 21:00 local, the legal limit.');
    expect(run(['config', 'set', 'hours.end', '18:00']).stderr).not.toContain('warning');
    expect(run(['config', 'unset', 'hours.end']).code).toBe(0);
    // Values that would leave no lead callable, or read every national number in no country, are refused.
    const empty = run(['config', 'set', 'hours.start', '18:00']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("invalid value '18:00' for hours.start: calling hours would run from 18:00 to 17:00: no lead would ever be callable.");
    const nowhere = run(['config', 'set', 'country.default', 'ZZ']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("'ZZ' is not a country code callq knows");
    expect(run(['config', 'set', 'country.default', 'gb']).code).toBe(0);
    expect(run(['config', 'unset', 'country.default']).code).toBe(0);
    const list = keep('config', run(['--json', 'config', 'list']));
    expect(list.find((s: any) => s.key === 'max-attempts')).toMatchObject({ value: '5', default: false });
  });

  it('status at the end of the day', () => {
    const j = keep('status-end', run(['--json', 'status']));
    expect(j.by_status).toMatchObject({ new: 3, callback: 1, 'do-not-call': 2 });
    expect(j.claims).toEqual([]);
  });

  it('an empty queue says why (exit 3), with the same detail on both stores', () => {
    const r = run(['--json', 'next', '--campaign', 'nothing-here']);
    expect(r.code).toBe(3);
    keep('empty', r);
    const late = callq(['--db', store.db, '--now', '2026-11-25T03:00:00Z', 'next'], { env: { CALLQ_REP: 'ana' } });
    expect(late.code).toBe(3);
    expect(late.stderr).toContain('outside calling hours');
  });
});

describe.each(STORE_KINDS)('next and log on %s start from the one-file build', (kind) => {
  it(kind === 'sqlite' ? 'never load node-postgres' : 'load node-postgres, as one file, for the postgres:// database', async () => {
    const store = await newTestStore(kind, { migrated: true });
    try {
      if (kind === 'sqlite') expect(callq(['--db', store.db, 'init']).code).toBe(0);
      await seed(store, LEADS.slice(0, 1));
      // Records every module the process requires (packages by name, files by path).
      const hook = join(store.dir, 'record-requires.cjs');
      const log = join(store.dir, 'required.txt');
      writeFileSync(
        hook,
        `const Module = require('node:module'); const load = Module._load;
         Module._load = function (request, ...rest) { if (!request.startsWith('node:')) require('node:fs').appendFileSync(${JSON.stringify(log)}, request + '\\n'); return load.call(this, request, ...rest); };`,
      );
      const env = { NODE_OPTIONS: `--require ${hook}` };
      const next = callq(['--db', store.db, '--now', NOW, '--json', 'next'], { env });
      expect(next.code, next.stderr).toBe(0);
      const logged = callq(['--db', store.db, '--now', NOW, 'log', '1', 'no-answer'], { env });
      expect(logged.code, logged.stderr).toBe(0);
      const required = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      expect(required).not.toContain('commander');
      const sqliteAddon = required.some((r) => r.endsWith('better_sqlite3.node'));
      // node-postgres comes bundled in build/pg.cjs, not file by file from node_modules.
      expect(required).not.toContain('pg');
      if (kind === 'sqlite') {
        expect(sqliteAddon).toBe(true);
        expect(required).not.toContain('./pg.cjs');
      } else {
        expect(required).toContain('./pg.cjs');
        expect(sqliteAddon).toBe(false);
      }
    } finally {
      await store.cleanup();
    }
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('the two stores answer alike', () => {
  it('every JSON document of the day is the same on SQLite and PostgreSQL', () => {
    const sqlite = seen.sqlite ?? {};
    const postgres = seen.postgres ?? {};
    expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
    const strip = (step: string, doc: any) => (step.startsWith('status') ? { ...doc, db: '(db)', store: '(store)' } : doc);
    for (const step of Object.keys(sqlite)) expect(strip(step, postgres[step]), step).toEqual(strip(step, sqlite[step]));
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('PostgreSQL databases that are not ready', () => {
  it('a database without callq’s schema is refused (exit 2) until init creates it; the password is never shown', async () => {
    const store = await newTestStore('postgres');
    try {
      const withPassword = store.db.replace('postgres://callq@', 'postgres://callq:s3cret@');
      const r = callq(['--db', withPassword, 'status']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no callq database at postgres://callq:***@');
      expect(r.stderr).not.toContain('s3cret');
      expect((await store.query(`SELECT to_regclass('leads')::text AS t`))[0].t).toBeNull();
      const init = callq(['--db', withPassword, '--json', 'init']);
      expect(init.code, init.stderr).toBe(0);
      expect(json(init).store).toEqual({ kind: 'postgres', name: withPassword.replace(':s3cret@', ':***@') });
      const status = callq(['--db', withPassword, 'status']);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('callq:***@');
      expect(status.stdout).not.toContain('s3cret');
    } finally {
      await store.cleanup();
    }
  });

  it('CALLQ_DB names the database as --db does', async () => {
    const store = await newTestStore('postgres', { migrated: true });
    try {
      const r = callq(['--json', 'status'], { env: { CALLQ_DB: store.db } });
      expect(r.code, r.stderr).toBe(0);
      expect(json(r).store.kind).toBe('postgres');
    } finally {
      await store.cleanup();
    }
  });
});

describe.each(STORE_KINDS)('claims in status on %s', (kind) => {
  it('are listed by rep name as SQLite sorts them (by code point), whatever the PostgreSQL database collates by', async () => {
    const store = await newTestStore(kind, { migrated: true });
    try {
      if (kind === 'sqlite') initDb(store.db);
      await seed(store, LEADS.slice(0, 5));
      const reps = ['ana', 'Bob', 'émile', 'Zoe'];
      for (const rep of reps) expect(callq(['--db', store.db, '--now', NOW, '--rep', rep, 'next']).code).toBe(0);
      const j = json(callq(['--db', store.db, '--now', NOW, '--json', 'status']));
      expect(j.claims.map((c: { rep: string }) => c.rep)).toEqual(['Bob', 'Zoe', 'ana', 'émile']);
    } finally {
      await store.cleanup();
    }
  });
});
