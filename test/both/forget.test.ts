// `callq forget` on both stores: what it erases and keeps (leads, calls, notes, hash-only
// do-not-call entries), how it finds the person, its report, and its confirmation. The erasure
// of old copies inside the file itself is SQLite's alone: test/cli/forget.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { BIN, callq, initDb, json, type RunResult } from '../helpers.js';
import { seedStore } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { suppressionHash } from '../../src/core/suppression.js';
import { ZEB } from '../forget-person.js';


describe.each(STORE_KINDS)('forget on %s', (kind) => {
  let store: TestStore;
  const run = (...args: string[]): RunResult => callq(['--db', store.db, ...args]);
  const count = async (sql: string, ...params: unknown[]) => Number((await store.query<{ n: number }>(sql, ...params))[0].n);
  const suppressionRows = () => store.query('SELECT kind, value, value_hash FROM suppressions ORDER BY kind, value_hash');
  const hashOnly = (...keys: [string, string][]) =>
    keys.map(([k, v]) => ({ kind: k, value: null, value_hash: suppressionHash(k as 'phone', v) })).sort((a, b) => a.kind.localeCompare(b.kind) || a.value_hash.localeCompare(b.value_hash));

  beforeEach(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(store.db);
  });
  afterEach(async () => store.cleanup());

  /** Zeb with two calls and notes, and a bystander with one (callq log has its own tests). */
  async function seedPerson(): Promise<{ zeb: number; other: number }> {
    const [zeb, other] = await seedStore(store, [ZEB, { first_name: 'Olive', last_name: 'Ostrander', timezone: 'America/Los_Angeles' }]);
    await store.query("UPDATE leads SET phone_raw = '(415) 555-9876', status = 'working', attempts = 2 WHERE id = ?", zeb);
    const call = (id: number, at: string, disposition: string, notes: string, phone: string) =>
      store.query('INSERT INTO calls(lead_id, rep, called_at, disposition, contact, notes, phone) VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id', id, 'ana', at, disposition, notes, phone);
    await call(zeb, '2026-11-24T19:00:00.000Z', 'no-answer', 'Zebediah is allergic to geese', ZEB.phone);
    await call(zeb, '2026-11-25T19:00:00.000Z', 'gatekeeper', 'assistant says Quackenbush is out', ZEB.phone);
    await call(other, '2026-11-25T19:30:00.000Z', 'no-answer', 'Olive did not pick up', '+12120000000');
    return { zeb, other };
  }

  it('erases the person and their calls, keeps the bystander, and a later import of the same person is suppressed', async () => {
    const { zeb, other } = await seedPerson();
    const r = run('forget', '(415) 555-9876', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ kind: 'phone', leads: 1, calls: 2, suppressions: 3, temp_files_removed: 0, temp_files_failed: [] });
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', zeb)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM calls WHERE lead_id = ?', zeb)).toBe(0);
    expect(await store.query('SELECT first_name FROM leads WHERE id = ?', other)).toEqual([{ first_name: 'Olive' }]);
    expect(await store.query('SELECT notes FROM calls WHERE lead_id = ?', other)).toEqual([{ notes: 'Olive did not pick up' }]);
    expect(await suppressionRows()).toEqual(hashOnly(['phone', ZEB.phone], ['phone', ZEB.alt_phones[0]], ['email', ZEB.email]));
    expect(JSON.stringify(await store.query('SELECT * FROM leads')) + JSON.stringify(await store.query('SELECT * FROM calls'))).not.toMatch(/Zebediah|Quackenbush|geese|9876|0777|pondmail/);

    // The same person in another format, by phone, by email or by an alternate phone, is counted as suppressed.
    const csv = join(store.dir, 'again.csv');
    writeFileSync(
      csv,
      'First Name,Last Name,Phone,Email,Alt Phone\nZeb,Q,(415) 555-9876,,\nAnn,Other,(646) 555-0188,Zeb.Quackenbush@pondmail.org,\nAl,Alt,(646) 555-0199,,(415) 555-0777\nOlga,New,(212) 555-0143,olga@new.example,\n',
    );
    const imported = run('import', csv, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(json(imported)).toMatchObject({ inserted: 1, suppressed: 3 });
    expect((await store.query('SELECT first_name FROM leads ORDER BY id')).map((l) => l.first_name)).toEqual(['Olive', 'Olga']);

    // Forgetting again finds nothing more and still succeeds.
    expect(json(run('forget', '+14155559876', '--yes', '--json'))).toMatchObject({ leads: 0, calls: 0 });
  });

  it('finds the person by email, in any case, and by an alternate phone; says what it erased', async () => {
    const { zeb } = await seedPerson();
    const r = run('forget', 'Zeb.Quackenbush@PondMail.org', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/forgot zeb\.quackenbush@pondmail\.org: erased 1 lead and 2 calls; 3 hash-only do-not-call entries kept/);
    expect(r.stderr).toMatch(kind === 'sqlite' ? /Backups taken before now still hold the data/ : /PostgreSQL may still hold copies: /);
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', zeb)).toBe(0);

    const [alt] = await seedStore(store, [{ phone: '+12125550111', alt_phones: ['+12125550222'] }]);
    expect(run('forget', '212-555-0222', '--yes').code).toBe(0);
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', alt)).toBe(0);
  });

  it('a main number colleagues share: refused unless --everyone; one of them forgotten by e-mail leaves the number to the others', async () => {
    const file = join(store.dir, 'apollo.csv');
    writeFileSync(
      file,
      'First Name,Last Name,Company,Email,Corporate Phone,Country,Apollo Contact Id\n' +
        'Olivia,Clarke,Thames Analytics Ltd,olivia.clarke@thames-analytics.co.uk,+44 20 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3c\n' +
        'James,Patel,Thames Analytics Ltd,james.patel@thames-analytics.co.uk,+44 20 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3d\n' +
        'Siobhán,Ó Briain,Thames Analytics Ltd,,020 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3e\n',
    );
    expect(run('import', file).code).toBe(0);
    const shared = run('forget', '+44 20 7946 0958', '--yes');
    expect(shared.code).toBe(2);
    expect(shared.stderr).toMatch(/'\+442079460958' is the number of 3 people: Olivia Clarke \(lead \d+\), James Patel \(lead \d+\), Siobhán Ó Briain \(lead \d+\)\..*--everyone/s);
    expect(await count('SELECT count(*) AS n FROM leads')).toBe(3);
    expect(await count('SELECT count(*) AS n FROM suppressions')).toBe(0);

    const james = run('forget', 'james.patel@thames-analytics.co.uk', '--yes', '--json');
    expect(json(james)).toMatchObject({ leads: 1, suppressions: 1 });
    expect(await suppressionRows()).toEqual(hashOnly(['email', 'james.patel@thames-analytics.co.uk']));
    expect((await store.query('SELECT first_name, status FROM leads ORDER BY id')).map((l) => `${l.first_name} ${l.status}`)).toEqual(['Olivia new', 'Siobhán new']);

    const everyone = run('forget', '+44 20 7946 0958', '--yes', '--everyone', '--json');
    expect(json(everyone)).toMatchObject({ leads: 2, suppressions: 2 });
    expect(await count('SELECT count(*) AS n FROM leads')).toBe(0);
    expect(await suppressionRows()).toEqual(
      hashOnly(['email', 'james.patel@thames-analytics.co.uk'], ['email', 'olivia.clarke@thames-analytics.co.uk'], ['phone', '+442079460958']),
    );
  });

  it("another lead's data naming the person is kept and reported, and forget still finishes (exit 0, run after run)", async () => {
    const { other } = await seedPerson();
    // A colleague's record that mentions Zeb: a custom field and a call note.
    await store.query(`UPDATE leads SET custom = '{"Notes":"assistant of Zeb, his cell ${ZEB.phone}"}' WHERE id = ?`, other);
    await store.query('INSERT INTO calls(lead_id, rep, called_at, disposition, contact, notes, phone) VALUES (?, ?, ?, ?, 0, ?, ?)',
      other, 'ana', '2026-11-26T19:00:00.000Z', 'no-answer', `try Zeb at ${ZEB.email}`, '+12120000000');
    const r = run('forget', ZEB.phone, '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).mentions).toEqual([{ value: ZEB.phone, lead: other }, { value: ZEB.email, lead: other }]);
    // Run again (Zeb's lead is gone): the number is still named there, and that is no failure.
    const again = run('forget', ZEB.phone, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('old snapshot');
    expect(again.stderr).toContain(
      `note: ${ZEB.phone} still appears in the data of lead ${other} (fields, answers or call notes someone wrote about them): those are other people's records, kept as they are.`,
    );
    // A mention is no old copy: the file is not rebuilt for it (a VACUUM holds the write lock).
    if (kind === 'sqlite') expect(json(run('forget', ZEB.phone, '--yes', '--json')).vacuumed).toBe(false);
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', other)).toBe(1);
  });

  it('names the hand-off files the person was exported in, which it cannot erase', async () => {
    const { zeb } = await seedPerson();
    await store.query("UPDATE leads SET status = 'sales-ready', qualification = '{\"need\":\"yes\"}', handoff_note = 'ready' WHERE id = ?", zeb);
    const file = join(store.dir, 'handoff.csv');
    const exported = run('--now', '2026-11-26T19:00:00Z', 'export', 'sales-ready', '--out', file);
    expect(exported.code, exported.stderr).toBe(0);
    const r = run('forget', ZEB.email, '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: the person was handed off to Sales in ${file}: callq cannot erase them from a file it wrote earlier`);
    expect(json(run('forget', ZEB.email, '--yes', '--json')).handoff_files).toEqual([]);
  });

  it('keeps a hash-only entry even when no lead matches', async () => {
    const r = run('forget', 'nobody@nowhere.example', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ leads: 0, calls: 0, suppressions: 1 });
    expect(await suppressionRows()).toEqual(hashOnly(['email', 'nobody@nowhere.example']));
  });

  it('refuses without --yes when there is no terminal to confirm on, and erases nothing', async () => {
    const { zeb } = await seedPerson();
    const r = run('forget', ZEB.phone);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', zeb)).toBe(1);
    expect(await suppressionRows()).toEqual([]);
  });

  it.each([
    ['y', 0, 0],
    ['n', 3, 1],
  ])('on a terminal, asks first: answering %s exits %i and leaves %i lead', async (key, code, left) => {
    const { zeb } = await seedPerson();
    const term = pty.spawn(process.execPath, [BIN, '--db', store.db, 'forget', ZEB.email], {
      cols: 100,
      rows: 30,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', NO_COLOR: '1', CALLQ_REP: 'ana' },
    });
    let screen = '';
    term.onData((d) => (screen += d));
    let ended = false;
    const exited = new Promise<number>((done) => term.onExit((e) => ((ended = true), done(e.exitCode))));
    // Until the prompt shows; the test's own timeout bounds the wait.
    while (!new RegExp(`Erase 1 lead \\(${zeb}\\) and 2 calls`).test(screen)) {
      if (ended) throw new Error(`ended before asking; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    term.write(`${key}\r`);
    expect(await exited).toBe(code);
    expect(await count('SELECT count(*) AS n FROM leads WHERE id = ?', zeb)).toBe(left);
  });
});
