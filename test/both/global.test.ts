// The global options and the settings on both stores: --db and CALLQ_DB name the database (a
// file or a postgres:// URL), status names the store and its schema, and `callq config` keeps
// the team's settings in it. What needs no database (help, --version, --now, --rep, an empty
// --db) is in test/cli/global.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callq, json, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { SCHEMA_VERSION } from '../../src/db/migrations.js';
import { seedStore } from '../seed.js';
import { queueRank } from '../../src/core/priority.js';
import { resolveSettings } from '../../src/core/settings.js';

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
    expect(run(['config', 'list']).stdout).toMatch(/hours\.end\s+yes\s+18:00\s/);
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

  const refused = (args: string[], message: string) => {
    const r = run(['config', 'set', ...args]);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr).toContain(message);
  };

  it('config refuses a lease a call outlasts or a dead terminal holds for hours, and a do-not-call a rep cannot record', () => {
    // A lease that ends before the call is logged would hand the lead to a colleague meanwhile.
    refused(['lease', '0m'], "invalid value '0m' for lease: expected a delay from 1m to 8h");
    refused(['lease', '2w'], 'expected a delay from 1m to 8h');
    refused(['lease', '1bd'], 'business days do not apply here');
    expect(run(['config', 'get', 'lease']).stdout.trim()).toBe('15m');
    // A rep must always be able to honour a do-not-call request.
    refused(['disposition.do-not-call', 'off'], 'do-not-call always puts the person on the do-not-call list');
    refused(['disposition.do-not-call', 'retry'], 'do-not-call always puts the person on the do-not-call list');
    expect(run(['config', 'set', 'disposition.do-not-call', 'do-not-call no-contact']).code).toBe(0);
    expect(run(['config', 'unset', 'disposition.do-not-call']).code).toBe(0);
  });

  it('config checks delays where something retries, shows the delay in use, and warns when a built-in changes effect', () => {
    refused(['disposition.wrong-person', 'retry contact after=banana'], "after=banana is not a delay like '30m'");
    refused(['disposition.sent-info', 'callback after=2d'], "after= sets the delay of a retry disposition; 'callback' does not retry");
    refused(['retry.no-anwser', '1h'], "retry.no-anwser sets the delay of a retry disposition, and 'no-anwser' is no disposition. The retry dispositions are no-answer, busy, voicemail, gatekeeper");
    refused(['disposition.skip', 'retry'], "'skip' is one of callq work's own actions");
    expect(run(['config', 'set', 'disposition.wrong-person', 'retry contact after=3d']).code).toBe(0);
    expect(run(['config', 'get', 'retry.wrong-person']).stdout.trim()).toBe('3d');
    expect(run(['config', 'set', 'retry.wrong-person', '1d']).code).toBe(0);
    // The delay in use is the one shown: a built-in's after= when no retry.NAME is set.
    expect(run(['config', 'set', 'disposition.voicemail', 'retry no-contact after=2d']).code).toBe(0);
    expect(run(['config', 'get', 'retry.voicemail']).stdout.trim()).toBe('2d');
    // A built-in given another effect is said back as a warning.
    const busy = run(['config', 'set', 'disposition.busy', 'do-not-call']);
    expect(busy.code).toBe(0);
    expect(busy.stderr).toContain("warning: 'busy' now puts the person's phone and e-mail on the do-not-call list for good, where by default it retries the lead after a delay.");
    for (const key of ['disposition.busy', 'disposition.voicemail', 'disposition.wrong-person', 'retry.wrong-person']) {
      expect(run(['config', 'unset', key]).code).toBe(0);
    }
  });

  it('config suggests the key a typo meant, reads an unset team key as what is in effect, and unsets a default twice without error', () => {
    const typo = run(['config', 'set', 'hours.endd', '18:00']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown setting 'hours.endd'. Did you mean hours.end?");
    expect(run(['config', 'get', 'maxattempts']).stderr).toContain('Did you mean max-attempts?');
    expect(run(['config', 'get', 'weight.source.webinar']).stdout.trim()).toBe('0');
    expect(json(run(['config', 'get', 'disposition.sent-out', '--json']))).toEqual({ key: 'disposition.sent-out', value: 'off', default: true });
    for (let i = 0; i < 2; i++) {
      const again = run(['config', 'unset', 'hours.start']);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('hours.start is already at its default (09:00).');
    }
  });

  it('timezone.default reaches the leads already imported whose zone is unknown, and unsetting it takes it back', () => {
    const list = join(store.dir, 'zones.csv');
    writeFileSync(list, 'Name,Phone\nSat Phone,+881631234567\nNY Person,+12125550101\n');
    const at = ['--now', '2026-12-08T15:00:00Z'];
    expect(run([...at, 'import', list]).code).toBe(0);
    const queued = () => json(run([...at, 'queue', '--json'])).map((e: { lead: { name: string } }) => e.lead.name);
    // The satellite number maps to no zone: never served, and `why` says what to set.
    expect(queued()).toEqual(['NY Person']);
    const set = run([...at, 'config', 'set', 'timezone.default', 'America/Chicago']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('1 lead(s) whose time zone was unknown now use America/Chicago.');
    expect(queued()).toContain('Sat Phone');
    expect(json(run([...at, 'config', 'set', 'timezone.default', 'America/Denver', '--json']))).toEqual({ key: 'timezone.default', value: 'America/Denver', leads_zoned: 1 });
    const unset = run([...at, 'config', 'unset', 'timezone.default']);
    expect(unset.code).toBe(0);
    expect(unset.stderr).toContain('1 lead(s) that used the default zone are back to an unknown zone (not called until one is set).');
    expect(queued()).toEqual(['NY Person']);
    // A file that names the zone the default had given confirms it: a later default leaves it alone.
    expect(run([...at, 'config', 'set', 'timezone.default', 'America/Chicago']).code).toBe(0);
    const zoned = join(store.dir, 'zoned.csv');
    writeFileSync(zoned, 'Name,Phone,Time Zone\nSat Phone,+881631234567,America/Chicago\n');
    expect(json(run([...at, 'import', zoned, '--on-duplicate', 'update', '--json']))).toMatchObject({ updated: 1 });
    expect(json(run([...at, 'config', 'set', 'timezone.default', 'America/Denver', '--json'])).leads_zoned).toBe(0);
    expect(run([...at, 'config', 'unset', 'timezone.default']).code).toBe(0);
    expect(queued()).toContain('Sat Phone');
  });

  it("a weight recomputes every queued lead's rank, slice after slice, past the first", async () => {
    const [first] = await seedStore(store, [{ first_name: 'Rank', score: 40 }]);
    // 11,000 copies with scores of their own and a stale rank: more than two slices (5,000 on PostgreSQL, 4,096 at first on SQLite).
    await store.query(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11000)
       INSERT INTO leads(first_name, phone, timezone, timezone_source, status, score, queue_rank, created_at, updated_at)
       SELECT 'Copy', '+1212' || (5000000 + i), timezone, timezone_source, status, i % 100, queue_rank, created_at, updated_at FROM n, leads WHERE leads.id = ?`,
      first,
    );
    const set = run(['config', 'set', 'weight.score', '2']);
    expect(set.code, set.stderr).toBe(0);
    const stored = await store.query<{ key: string; value: string }>('SELECT key, value FROM settings');
    const weights = resolveSettings(new Map(stored.map((r) => [r.key, r.value]))).weights;
    const rows = await store.query<Parameters<typeof queueRank>[0] & { queue_rank: number }>(
      `SELECT score, attempts, source, campaign, last_call_at, inbound_at, created_at, queue_rank FROM leads WHERE status = 'new'`,
    );
    expect(rows.length).toBeGreaterThan(10_000);
    expect(rows.filter((r) => Math.abs(Number(r.queue_rank) - queueRank({ ...r, score: Number(r.score), attempts: Number(r.attempts) }, weights)) > 1e-9)).toEqual([]);
    expect(run(['config', 'unset', 'weight.score']).code).toBe(0);
  });

  it('a team-defined disposition and source weight can be set', () => {
    expect(run(['config', 'set', 'disposition.sent-info', 'nurture contact']).code).toBe(0);
    expect(run(['config', 'set', 'weight.source.webinar', '15']).code).toBe(0);
    const list = json(run(['config', 'list', '--json']));
    expect(list.find((s: any) => s.key === 'disposition.sent-info')).toMatchObject({ value: 'nurture contact', default: false });
    expect(list.find((s: any) => s.key === 'weight.source.webinar')).toMatchObject({ value: '15', default: false });
  });
});
