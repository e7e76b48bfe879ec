// `callq import`, `callq imports` and `callq import undo` through the built binary on both
// stores: duplicates and merges, do-not-call at import, dry runs, rejects files, undo, and an
// import killed or stopped with Ctrl-C mid-way. That the same files give the same leads on both:
// import-parity.test.ts; each test file's counts and stored values: import-fixtures.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BASE_ENV, BIN, callq, FIXTURES, initDb, json } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { suppressionKey } from '../../src/core/suppression.js';
import { comparable, dump, leadFile } from './import-files.js';

const NOW = '2026-11-23T15:00:00Z';
const fixture = (...path: string[]) => join(FIXTURES, ...path);

function runImport(s: TestStore, file: string, ...args: string[]) {
  return callq(['--db', s.db, '--now', NOW, 'import', file, '--country', 'US', '--json', ...args]);
}

function importJson(s: TestStore, file: string, ...args: string[]) {
  const r = runImport(s, file, ...args);
  expect(r.code, r.stderr).toBe(0);
  return json(r);
}

/** An empty store with callq's schema (`callq init` is another command's; PostgreSQL clones the migrated template). */
async function initialised(kind: TestStoreKind): Promise<TestStore> {
  const s = await newTestStore(kind, { migrated: true });
  if (kind === 'sqlite') initDb(s.db);
  return s;
}

const count = async (s: TestStore, sql: string, ...params: unknown[]) => Number((await s.query<{ n: unknown }>(sql, ...params))[0].n);

/** Waits for something another process does; fails (never gives up silently) after a minute. */
async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Each test runs the binary several times: minutes on a loaded machine.
describe.each(STORE_KINDS)('callq import on %s', { timeout: 180_000 }, (kind: TestStoreKind) => {
  let s: TestStore;
  afterEach(async () => {
    await s?.cleanup();
  });

  it('creates the database, counts duplicates within the file, and a second import finds every row a duplicate', async () => {
    s = await newTestStore(kind);
    const first = importJson(s, fixture('import', 'duplicates.csv'));
    expect(first).toMatchObject({ batch: 1, dry_run: false, rows_read: 13, updated: 0, suppressed: 0, rejected: 1 });
    expect(first.inserted + first.duplicates).toBe(12);
    expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(first.inserted);
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE status = 'new' AND import_id = 1`)).toBe(first.inserted);
    const again = importJson(s, fixture('import', 'duplicates.csv'));
    expect(again).toMatchObject({ batch: 2, inserted: 0, updated: 0, duplicates: 12, rejected: 1 });
    const update = importJson(s, fixture('import', 'duplicates.csv'), '--on-duplicate', 'update', '--campaign', 'spring');
    expect(update).toMatchObject({ batch: 3, inserted: 0, updated: first.inserted, duplicates: 12 - first.inserted });
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE campaign = 'spring'`)).toBe(first.inserted);
    expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(first.inserted);
  });

  it('does not import contacts on the do-not-call list, and a row flagged do-not-call goes on it', async () => {
    s = await initialised(kind);
    const listed = suppressionKey('phone', '+12127345525');
    const domain = suppressionKey('domain', 'apexfoods.com');
    for (const k of [listed, domain]) {
      await s.query('INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES (?, ?, ?, ?, ?, ?)', k.kind, k.value, k.hash, 'asked', 'test', NOW);
    }
    const r = importJson(s, fixture('import', 'duplicates.csv'));
    // Ann Lee's two rows (the number listed) and Bob and Robert Ortiz (the domain listed).
    expect(r).toMatchObject({ suppressed: 4, rows_read: 13 });
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE phone = '+12127345525' OR email LIKE '%@apexfoods.com'`)).toBe(0);

    const flagged = importJson(s, fixture('import', 'identity-chains.csv'));
    expect(flagged.suppressed).toBeGreaterThanOrEqual(4);
    expect(await s.query(`SELECT value, source FROM suppressions WHERE kind = 'email'`)).toEqual([
      { value: 'fay.ng@orbit.com', source: `import batch 2 (${fixture('import', 'identity-chains.csv')})` },
      { value: 'lu@moss.com', source: `import batch 2 (${fixture('import', 'identity-chains.csv')})` },
    ]);
    // What a flagged row lists reaches later rows of the same file: Gus (its e-mail), Hal (its
    // number), Max (an extension behind Lu's flagged main number); Fay's other row stays.
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE first_name IN ('Gus', 'Hal', 'Lu', 'Max')`)).toBe(0);
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE first_name = 'Fay' AND status = 'new'`)).toBe(1);
  });

  it('a row flagged do-not-call whose phone is unusable lists its e-mail, is no lead, and makes the lead it names do-not-call; a dry run only says so', async () => {
    s = await newTestStore(kind);
    const seed = join(s.dir, 'seed.csv');
    writeFileSync(seed, 'First Name,Email,Phone\nAna,ana@example.com,(212) 555-0101\nHal,hal@example.com,(212) 555-0108\n');
    expect(importJson(s, seed)).toMatchObject({ inserted: 2 });
    const flagged = fixture('import', 'dnc-unusable-phone.csv');
    const before = await dump(s);
    // Suppressed: Ana (phone invalid, e-mail a stored lead's), Bea (no phone), Eve (Bea's other
    // e-mail, listed a row earlier), Fay (e-mail invalid: phone and mobile listed). Inserted: Dee.
    const dry = importJson(s, flagged, '--dry-run');
    expect(dry).toMatchObject({
      dry_run: true, batch: null, rows_read: 7, inserted: 1, updated: 0, duplicates: 0, suppressed: 4, rejected: 2,
      rejected_by_reason: { 'do-not-call-no-contact': 2 }, warnings_by_kind: { 'invalid-email': 1 },
    });
    expect(await dump(s)).toEqual(before);
    expect(await count(s, 'SELECT count(*) AS n FROM imports')).toBe(1);

    const real = importJson(s, flagged);
    // The dry run counted the leads the flags would move (Ana's stored lead), as the import then moved them.
    expect(real.moved_to_dnc).toBe(1);
    expect(dry.moved_to_dnc).toBe(1);
    expect(dry.notes).toContain("the file's do-not-call flags would move 1 lead(s) to do-not-call (stored ones, or this file's earlier rows for the same person): they would leave the queue for good.");
    expect(comparable({ ...real, batch: null, dry_run: true, lock: null })).toEqual(comparable(dry));
    const source = `import batch 2 (${flagged})`;
    // Every e-mail a flagged row gives goes on the list: its other e-mail column, the other addresses of its cell.
    const listed = await s.query<{ kind: string; value: string; source: string }>('SELECT kind, value, source FROM suppressions');
    expect(listed.map((l) => `${l.kind}:${l.value}`).sort()).toEqual(
      ['email:ana.lee@home.net', 'email:ana@example.com', 'email:bea.ray@home.net', 'email:bea@example.com', 'phone:+12125550106', 'phone:+12125550116'],
    );
    expect(new Set(listed.map((l) => l.source))).toEqual(new Set([source]));
    // Ana's stored lead becomes do-not-call, as a flagged row with a valid phone makes a lead it names.
    expect(await s.query('SELECT first_name, status, closed_at, next_eligible_at FROM leads ORDER BY first_name')).toEqual([
      { first_name: 'Ana', status: 'do-not-call', closed_at: new Date(NOW).toISOString(), next_eligible_at: null },
      { first_name: 'Dee', status: 'new', closed_at: null, next_eligible_at: null },
      { first_name: 'Hal', status: 'new', closed_at: null, next_eligible_at: null },
    ]);
    // The listed e-mail keeps its owner out of later imports, whatever number comes with it.
    const later = join(s.dir, 'later.csv');
    writeFileSync(later, 'First Name,Email,Phone\nBea,bea@example.com,(212) 555-0120\nAna,ana.lee@home.net,(212) 555-0122\nZed,zed@example.com,(212) 555-0121\n');
    expect(importJson(s, later)).toMatchObject({ inserted: 1, suppressed: 2 });
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE phone IN ('+12125550120', '+12125550122')`)).toBe(0);
  });

  it('a row flagged do-not-call with no usable phone or e-mail is rejected, saying why, on stderr and in the rejects file', async () => {
    s = await newTestStore(kind);
    const flagged = fixture('import', 'dnc-unusable-phone.csv');
    const rejects = join(s.dir, 'rejects.csv');
    const r = callq(['--db', s.db, '--now', NOW, 'import', flagged, '--country', 'US', '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(0);
    const why = 'rejected (do-not-call-no-contact): flagged do-not-call, but nothing on it can go on the do-not-call list';
    expect(r.stderr).toContain(`Imported ${flagged} as batch 1`);
    expect(r.stderr).toContain(`line 4: ${why}: '000-000-0000' is not a valid US phone number, and no valid e-mail`);
    expect(r.stderr).toContain(`line 8: ${why}: it has no phone, and no valid e-mail`);
    const rows = parse(readFileSync(rejects, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x['First Name'], x.line, x.reason])).toEqual([
      ['Cy', '4', 'do-not-call-no-contact'],
      ['Gus', '8', 'do-not-call-no-contact'],
    ]);
    expect(rows[1].detail).toBe('flagged do-not-call, but nothing on it can go on the do-not-call list: it has no phone, and no valid e-mail');
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE first_name IN ('Cy', 'Gus')`)).toBe(0);
  });

  it('--dry-run reports what the import would do and writes nothing', async () => {
    s = await newTestStore(kind);
    const dry = importJson(s, fixture('import', 'identity-chains.csv'), '--dry-run');
    expect(dry).toMatchObject({ dry_run: true, batch: null, lock: null });
    if (kind === 'sqlite') {
      // Not even the file is made.
      expect(existsSync(s.db)).toBe(false);
    } else {
      expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(0);
      expect(await count(s, 'SELECT count(*) AS n FROM imports')).toBe(0);
      expect(await count(s, 'SELECT count(*) AS n FROM suppressions')).toBe(0);
    }
    const real = importJson(s, fixture('import', 'identity-chains.csv'));
    expect(comparable({ ...real, batch: null, dry_run: true })).toEqual(comparable({ ...dry, batch: null }));
    const dryUpdate = importJson(s, fixture('import', 'identity-update.csv'), '--dry-run', '--on-duplicate', 'update');
    const before = await dump(s);
    expect(dryUpdate.updated).toBeGreaterThan(0);
    expect(await dump(s)).toEqual(before);
    const update = importJson(s, fixture('import', 'identity-update.csv'), '--on-duplicate', 'update');
    expect(comparable({ ...update, batch: null, dry_run: true, lock: null })).toEqual(comparable(dryUpdate));
    expect(await dump(s)).not.toEqual(before);
  });

  it('--on-duplicate update never overwrites a person with another who shares their phone: the other is a lead of their own', async () => {
    s = await initialised(kind);
    const first = join(s.dir, 'first.csv');
    writeFileSync(first, 'First Name,Last Name,Email,Phone,Title\nYuki,渡辺,yuki.watanabe@tokai.example,+81 3-1234-5678,Engineer\n');
    importJson(s, first);
    // ZoomInfo gives another person at the same desk line, and a row of Yuki's with a new title and e-mail.
    const second = join(s.dir, 'second.csv');
    writeFileSync(
      second,
      'First Name,Last Name,Email,Phone,Title\nHiroshi,Tanaka,hiroshi.tanaka@tokai.example,+81 3 1234 5678,CTO\nYUKI,Watanabe,y.watanabe@tokai.example,+81312345678,Lead Engineer\n',
    );
    const r = importJson(s, second, '--on-duplicate', 'update');
    expect(r).toMatchObject({ inserted: 1, updated: 1, duplicates: 0 });
    expect(await s.query('SELECT first_name, last_name, email, title FROM leads ORDER BY id')).toEqual([
      { first_name: 'YUKI', last_name: 'Watanabe', email: 'y.watanabe@tokai.example', title: 'Lead Engineer' },
      { first_name: 'Hiroshi', last_name: 'Tanaka', email: 'hiroshi.tanaka@tokai.example', title: 'CTO' },
    ]);
    // After a row of the file merged into Yuki's lead, someone else at her number is still new.
    const third = join(s.dir, 'third.csv');
    writeFileSync(third, 'First Name,Last Name,Email,Phone,Title\nYuki,Watanabe,y.watanabe@tokai.example,+81312345678,Principal Engineer\nKenji,Mori,kenji.mori@tokai.example,+81312345678,CFO\n');
    expect(importJson(s, third, '--on-duplicate', 'update')).toMatchObject({ inserted: 1, updated: 1, duplicates: 0 });
    expect((await s.query('SELECT first_name, title FROM leads ORDER BY id')).map((l) => `${l.first_name} ${l.title}`)).toEqual(['Yuki Principal Engineer', 'Hiroshi CTO', 'Kenji CFO']);
  });

  it('--on-duplicate update: the first row naming a lead wins on every run, so the same file again changes nothing', async () => {
    s = await initialised(kind);
    const base = join(s.dir, 'base.csv');
    writeFileSync(base, 'First Name,Last Name,Email,Phone\nAnn,Lee,ann@acme.example,212-736-3101\n');
    importJson(s, base);
    // A CRM sync file with two rows for Ann: the first renames her, the second is a stale copy.
    const sync = join(s.dir, 'sync.csv');
    writeFileSync(sync, 'First Name,Last Name,Email,Phone\nAnn,Lee-Smith,ann@acme.example,212-736-3101\nAnn,Lee,ann@acme.example,212-736-3101\n');
    expect(importJson(s, sync, '--on-duplicate', 'update')).toMatchObject({ updated: 1, duplicates: 1 });
    for (let run = 0; run < 2; run++) {
      expect(importJson(s, sync, '--on-duplicate', 'update')).toMatchObject({ inserted: 0, updated: 0, duplicates: 2 });
      expect((await s.query('SELECT last_name FROM leads')).map((l) => l.last_name)).toEqual(['Lee-Smith']);
    }
  });

  it("says how many leads the file's do-not-call flags moved to do-not-call (a stored lead leaves the queue)", async () => {
    s = await initialised(kind);
    const base = join(s.dir, 'base.csv');
    writeFileSync(base, 'First Name,Email,Phone\nBob,bob@acme.example,212-736-3102\nCy,cy@acme.example,212-736-3103\n');
    importJson(s, base);
    const flags = join(s.dir, 'flags.csv');
    // Eve's first row makes a lead; her second, flagged, moves it (a row of the file's own).
    writeFileSync(flags, 'First Name,Phone,Do Not Call\nBob,212-736-3102,Y\nDee,212-736-3104,N\nEve,212-736-3105,N\nEve,212-736-3105,Y\n');
    // A dry run says what the import will move, and moves nothing.
    const dry = importJson(s, flags, '--dry-run');
    expect(dry).toMatchObject({ inserted: 2, suppressed: 2, moved_to_dnc: 2 });
    expect(dry.notes).toContain(
      "the file's do-not-call flags would move 2 lead(s) to do-not-call (stored ones, or this file's earlier rows for the same person): they would leave the queue for good.",
    );
    expect(await count(s, "SELECT count(*) AS n FROM leads WHERE status = 'do-not-call'")).toBe(0);
    const r = importJson(s, flags);
    expect(r).toMatchObject({ inserted: 2, suppressed: 2, moved_to_dnc: 2 });
    expect(r.notes).toContain(
      "the file's do-not-call flags moved 2 lead(s) to do-not-call (stored ones, or this file's earlier rows for the same person): they leave the queue for good.",
    );
    expect((await s.query("SELECT first_name, status FROM leads WHERE first_name IN ('Bob', 'Cy', 'Eve') ORDER BY id")).map((l) => l.status)).toEqual(['do-not-call', 'new', 'do-not-call']);
    expect(importJson(s, flags, '--dry-run')).toMatchObject({ moved_to_dnc: 0 });
    expect(importJson(s, flags)).toMatchObject({ moved_to_dnc: 0 });
  });

  it('--on-duplicate update never moves an e-mail another lead holds onto the lead a row matched by phone', async () => {
    s = await initialised(kind);
    const base = join(s.dir, 'base.csv');
    writeFileSync(base, 'First Name,Last Name,Email,Phone\nAnn,Lee,ann@acme.example,212-736-5001\nBob,Ray,bob@acme.example,212-736-5002\n');
    importJson(s, base);
    // Ann's row carries Bob's address (a copy-paste slip in the CRM), and her new title.
    const slip = join(s.dir, 'slip.csv');
    writeFileSync(slip, 'First Name,Last Name,Email,Phone,Title\nAnn,Lee,bob@acme.example,212-736-5001,VP\n');
    expect(importJson(s, slip, '--on-duplicate', 'update')).toMatchObject({ inserted: 0, updated: 1, duplicates: 0 });
    // Or the address of a colleague this very file brings in.
    const colleague = join(s.dir, 'colleague.csv');
    writeFileSync(colleague, 'First Name,Last Name,Email,Phone,Title\nCai,Wu,cai@acme.example,212-736-5003,CTO\nAnn,Lee,cai@acme.example,212-736-5001,CEO\n');
    expect(importJson(s, colleague, '--on-duplicate', 'update')).toMatchObject({ inserted: 1, updated: 1, duplicates: 0 });
    expect(await s.query('SELECT first_name, email, title FROM leads ORDER BY id')).toEqual([
      { first_name: 'Ann', email: 'ann@acme.example', title: 'CEO' },
      { first_name: 'Bob', email: 'bob@acme.example', title: null },
      { first_name: 'Cai', email: 'cai@acme.example', title: 'CTO' },
    ]);
    // An address nobody holds is still taken.
    const moved = join(s.dir, 'moved.csv');
    writeFileSync(moved, 'First Name,Last Name,Email,Phone\nAnn,Lee,ann.lee@newco.example,212-736-5001\n');
    expect(importJson(s, moved, '--on-duplicate', 'update')).toMatchObject({ updated: 1 });
    expect((await s.query('SELECT email FROM leads WHERE id = 1'))[0].email).toBe('ann.lee@newco.example');
  });

  it('lists batches and undoes the leads a batch created, not those it updated', async () => {
    s = await newTestStore(kind);
    expect(callq(['--db', s.db, 'imports']).code).toBe(2); // no database yet
    await s.cleanup();
    s = await initialised(kind);
    expect(callq(['--db', s.db, 'imports']).code).toBe(3);
    importJson(s, fixture('import', 'bad-phones.csv'));
    const u = join(s.dir, 'u.csv');
    writeFileSync(u, 'Phone,Company\n(212) 734-5524,Ames Data Inc\n(212) 734-5525,New Lead Co\n');
    importJson(s, u, '--on-duplicate', 'update');
    const list = json(callq(['--db', s.db, 'imports', '--json']));
    expect(list.map((b: any) => [b.batch, b.state, b.inserted, b.updated, b.undone_at])).toEqual([
      [1, 'complete', 7, 0, null],
      [2, 'complete', 1, 1, null],
    ]);
    expect(list[0].options).toMatchObject({ on_duplicate: 'skip', country: 'US', rejected_by_reason: { 'no-phone': 1, 'invalid-phone': 10 } });
    expect(callq(['--db', s.db, 'imports']).stdout).toMatch(/bad-phones\.csv/);

    const undo = callq(['--db', s.db, '--now', NOW, 'import', 'undo', '2', '--json']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(json(undo)).toEqual({ batch: 2, removed: 1, called: 0, updated_kept: 1 });
    expect((await s.query(`SELECT company FROM leads WHERE phone = '+12127345524'`))[0].company).toBe('Ames Data Inc');
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE phone = '+12127345525'`)).toBe(0);
    expect((await s.query('SELECT undone_at FROM imports WHERE id = 2'))[0].undone_at).toBe('2026-11-23T15:00:00.000Z');
    expect(json(callq(['--db', s.db, 'imports', '--json']))[1].state).toBe('undone');
    expect(callq(['--db', s.db, 'import', 'undo', '2']).code).toBe(3);
    expect(callq(['--db', s.db, 'import', 'undo', '9']).code).toBe(2);

    // A called lead holds the undo back unless --force.
    const lead = (await s.query<{ id: number }>(`SELECT id FROM leads WHERE phone = '+12127345524'`))[0];
    await s.query(`UPDATE leads SET attempts = 1, status = 'working' WHERE id = ?`, lead.id);
    await s.query(`INSERT INTO calls(lead_id, rep, called_at, disposition) VALUES (?, 'ana', ?, 'no-answer')`, lead.id, NOW);
    const refused = callq(['--db', s.db, 'import', 'undo', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 lead\(s\) of import batch 1 have been called.*--force/);
    expect(await count(s, 'SELECT count(*) AS n FROM leads WHERE import_id = 1')).toBe(7);
    const forced = callq(['--db', s.db, '--now', NOW, 'import', 'undo', '1', '--force', '--json']);
    expect(json(forced)).toEqual({ batch: 1, removed: 7, called: 1, updated_kept: 0 });
    expect(await count(s, 'SELECT count(*) AS n FROM calls')).toBe(0);
  });

  it('a lead a rep is calling right now holds the undo back unless --force, naming the rep', async () => {
    s = await initialised(kind);
    importJson(s, fixture('import', 'bad-phones.csv'));
    const claim = json(callq(['--db', s.db, '--rep', 'ana', '--now', NOW, '--json', 'next']));
    const refused = callq(['--db', s.db, '--now', NOW, 'import', 'undo', '1']);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toContain(`1 lead(s) of import batch 1 are claimed by a rep right now (ana; lead ${claim.lead.id})`);
    expect(refused.stderr).toContain('--force');
    expect(await count(s, 'SELECT count(*) AS n FROM leads WHERE import_id = 1')).toBe(7);
    expect(json(callq(['--db', s.db, 'imports', '--json']))[0].undone_at).toBeNull();
    // The rep's outcome is recorded as usual; then the undo still waits for --force, as for any called lead.
    const logged = callq(['--db', s.db, '--rep', 'ana', '--now', NOW, 'log', String(claim.lead.id), 'no-answer']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(callq(['--db', s.db, '--now', NOW, 'import', 'undo', '1']).code).toBe(2);
    // A claim counts while it runs; once it has lapsed, only the call made holds the undo back.
    const second = json(callq(['--db', s.db, '--rep', 'ben', '--now', NOW, '--json', 'next']));
    expect(callq(['--db', s.db, '--now', NOW, 'import', 'undo', '1']).code).toBe(4);
    const lapsed = new Date(Date.parse(NOW) + 16 * 60_000).toISOString();
    expect(callq(['--db', s.db, '--now', lapsed, 'import', 'undo', '1']).code).toBe(2);
    const forced = callq(['--db', s.db, '--now', lapsed, 'import', 'undo', '1', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced)).toMatchObject({ batch: 1, removed: 7, called: 1 });
    expect(callq(['--db', s.db, '--rep', 'ben', '--now', lapsed, 'log', String(second.lead.id), 'no-answer']).code).toBe(2);
  });

  it('an import killed mid-way leaves nothing callable, and the next import cleans up after it', async () => {
    s = await initialised(kind);
    const big = leadFile(join(s.dir, 'big.csv'), 60_000);
    // In slices on SQLite, so that some of its leads are written when it is killed.
    const child = spawn(process.execPath, [BIN, '--db', s.db, '--now', NOW, 'import', big, '--country', 'US', '--lock', 'slices'], {
      env: { ...BASE_ENV, CALLQ_REP: 'ana' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (_code, signal) => done(signal === 'SIGKILL' ? 137 : _code)));
    // Mid-way: SQLite has written a slice of its leads; PostgreSQL is streaming rows into its staging table.
    await waitFor('the import to be under way', async () =>
      kind === 'sqlite'
        ? (await count(s, `SELECT count(*) AS n FROM leads WHERE import_id = 1`)) > 0
        : (await count(s, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY callq_import_rows%'`)) > 0,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe(137);
    expect(await count(s, `SELECT count(*) AS n FROM leads WHERE status <> 'importing'`)).toBe(0);
    expect(await count(s, `SELECT count(*) AS n FROM imports WHERE state = 'running'`)).toBe(1);
    // Its importer gone (on PostgreSQL, once the server has seen the connection drop), the batch shows as interrupted.
    await waitFor('the batch to show as interrupted', async () => json(callq(['--db', s.db, 'imports', '--json']))[0].state === 'interrupted');

    const small = leadFile(join(s.dir, 'small.csv'), 50, 100_000);
    const next = callq(['--db', s.db, '--now', NOW, 'import', small, '--country', 'US', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/Import batch 1 had been interrupted or had failed; removed the \d+ lead\(s\) it had written/);
    expect(json(next)).toMatchObject({ batch: 2, inserted: 50 });
    expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(50);
    const list = json(callq(['--db', s.db, 'imports', '--json']));
    expect(list.map((b: any) => [b.batch, b.state])).toEqual([
      [1, 'failed'],
      [2, 'complete'],
    ]);
  });

  it('Ctrl-C stops an import under way: exit 130, says nothing was imported, no lead kept, no rejects file left behind', async () => {
    s = await initialised(kind);
    const big = leadFile(join(s.dir, 'big.csv'), 60_000);
    writeFileSync(big, 'Nan,Noe,Co,nan@example.com,n/a,gen\n', { flag: 'a' }); // a row to reject, last
    const rejects = join(s.dir, 'rejects.csv');
    const child = spawn(process.execPath, [BIN, '--db', s.db, '--now', NOW, 'import', big, '--country', 'US', '--lock', 'slices', '--rejects', rejects], {
      env: { ...BASE_ENV, CALLQ_REP: 'ana' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    await waitFor('the import to be under way', async () =>
      kind === 'sqlite'
        ? (await count(s, `SELECT count(*) AS n FROM leads WHERE import_id = 1`)) > 0
        : (await count(s, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY callq_import_rows%'`)) > 0,
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    // It says so, rather than ending in silence.
    expect(stderr).toContain(`interrupted: nothing was imported from ${big}; it can be imported again as it is.`);
    expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(0);
    expect(readdirSync(s.dir).filter((f) => f.includes('rejects'))).toEqual([]);
    if (kind === 'sqlite') {
      // Its slices removed and its batch row deleted before it exits.
      expect(await count(s, 'SELECT count(*) AS n FROM imports')).toBe(0);
    } else {
      // Its session's end rolled everything back; the batch row waits, interrupted, for the next import, undo or maintain.
      await waitFor('the batch to show as interrupted', async () => json(callq(['--db', s.db, 'imports', '--json']))[0].state === 'interrupted');
    }
  });

  it('undoing a killed import cleans it up', async () => {
    s = await initialised(kind);
    const big = leadFile(join(s.dir, 'big.csv'), 60_000);
    const child = spawn(process.execPath, [BIN, '--db', s.db, '--now', NOW, 'import', big, '--country', 'US', '--lock', 'slices'], {
      env: { ...BASE_ENV, CALLQ_REP: 'ana' },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    await waitFor('the import to be under way', async () => (await count(s, `SELECT count(*) AS n FROM imports WHERE state = 'running'`)) > 0);
    child.kill('SIGKILL');
    await exited;
    await waitFor('the batch to show as interrupted', async () => json(callq(['--db', s.db, 'imports', '--json']))[0].state === 'interrupted');
    const left = await count(s, 'SELECT count(*) AS n FROM leads WHERE import_id = 1');
    const undo = callq(['--db', s.db, '--now', NOW, 'import', 'undo', '1', '--json']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(json(undo)).toMatchObject({ batch: 1, removed: left, called: 0, updated_kept: 0 });
    expect(await count(s, 'SELECT count(*) AS n FROM leads')).toBe(0);
    expect(json(callq(['--db', s.db, 'imports', '--json'])).map((b: any) => b.state)).toEqual(['undone']);
    const next = runImport(s, leadFile(join(s.dir, 'small.csv'), 50, 100_000));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/interrupted/);
  });
});
