// `callq dnc` on both stores: adding suppresses matching leads at once (phone, alternate phone,
// extension, email, domain), list and remove, and the same commands leave the same rows on SQLite
// and on PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { callq, json, type RunResult } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { STORE_KINDS, type TestStore, type TestStoreKind } from '../stores.js';
import { seededHistory } from './seed-from-sqlite.js';

const NOW = '2026-11-24T16:00:00Z';

const seeded = seededHistory((source) => {
  seedLeads(source, [
    { phone: '+12127345521', email: 'a@one.com' }, // 1
    { phone: '+13125550190', email: 'pat@two.com', status: 'sales-ready' }, // 2
    { phone: '+14155550123', email: 'lee@competitor.com' }, // 3
    { phone: '+16175550100', email: 'x@four.com', alt_phones: ['+12025550188'] }, // 4
    { phone: '+12127363001', email: null }, // 5, extension 101
    { phone: '+12127363001', email: null }, // 6, extension 102
    { phone: '+16465550111', email: 'boss@competitor.com' }, // 7
    { phone: '+17185550123', email: 'z@five.com' }, // 8
  ]);
  const raw = new Database(source);
  raw.prepare(`UPDATE leads SET phone_ext = '101' WHERE id = 5`).run();
  raw.prepare(`UPDATE leads SET phone_ext = '102' WHERE id = 6`).run();
  raw.close();
}, 60_000);

async function storeOf(kind: TestStoreKind) {
  const store = await seeded.store(kind);
  const run = (...args: string[]): RunResult => callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'dnc', ...args]);
  const statuses = async () => (await store.query<{ id: number; status: string }>('SELECT id, status FROM leads ORDER BY id')).map((l) => l.status);
  return { store, run, statuses };
}

const lines = (r: RunResult) => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe.each(STORE_KINDS)('dnc on %s', (kind) => {
  let store: TestStore;
  afterEach(async () => store?.cleanup());

  it('add suppresses the leads a phone, an email or a domain reaches, at once', async () => {
    const s = await storeOf(kind);
    store = s.store;
    // One value it cannot read refuses the whole command: exit 2, nothing added.
    const bad = s.run('add', '+12127345521', 'not a phone');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot add 'not a phone'/);
    expect(s.run('list').stdout).toMatch(/The do-not-call list is empty\./);
    const r = s.run('add', '(212) 734-5521', 'PAT@two.com', '@Competitor.com', '--reason', 'asked', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({ added: 3, already_listed: 0, leads_suppressed: 4 });
    expect(await s.statuses()).toEqual(['do-not-call', 'do-not-call', 'do-not-call', 'new', 'new', 'new', 'do-not-call', 'new']);
    expect(await store.query('SELECT closed_at, updated_at, claim_rep FROM leads WHERE id = 7')).toEqual([
      { closed_at: '2026-11-24T16:00:00.000Z', updated_at: '2026-11-24T16:00:00.000Z', claim_rep: null },
    ]);
    const list = lines(s.run('list', '--json'));
    expect(list).toEqual([
      { kind: 'phone', value: '+12127345521', erased: false, reason: 'asked', source: 'added by ana', created_at: '2026-11-24T16:00:00.000Z' },
      { kind: 'email', value: 'pat@two.com', erased: false, reason: 'asked', source: 'added by ana', created_at: '2026-11-24T16:00:00.000Z' },
      { kind: 'domain', value: 'competitor.com', erased: false, reason: 'asked', source: 'added by ana', created_at: '2026-11-24T16:00:00.000Z' },
    ]);
    // Listed already: nothing changes.
    expect(json(s.run('add', '+1 212 734 5521', '@competitor.com', '--json'))).toEqual({ added: 0, already_listed: 2, leads_suppressed: 0 });
    // The queue no longer serves them: the first lead left is 4.
    expect(json(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'next', '--json'])).lead.id).toBe(4);
  });

  it('an alternate phone reaches its lead; a number with an extension only that extension', async () => {
    const s = await storeOf(kind);
    store = s.store;
    expect(json(s.run('add', '+1 202 555 0188', '--json'))).toEqual({ added: 1, already_listed: 0, leads_suppressed: 1 });
    expect((await s.statuses())[3]).toBe('do-not-call');
    expect(json(s.run('add', '212-736-3001 x101', '--json'))).toEqual({ added: 1, already_listed: 0, leads_suppressed: 1 });
    expect((await s.statuses()).slice(4, 6)).toEqual(['do-not-call', 'new']);
    expect(json(s.run('add', '+12127363001', '--json'))).toEqual({ added: 1, already_listed: 0, leads_suppressed: 1 });
    expect((await s.statuses()).slice(4, 6)).toEqual(['do-not-call', 'do-not-call']);
  });

  it('remove takes entries off the list and leaves do-not-call leads as they are; list filters by kind', async () => {
    const s = await storeOf(kind);
    store = s.store;
    expect(s.run('add', '2127345521', 'z@five.com').code).toBe(0);
    const email = s.run('list', '--kind', 'email');
    expect(email.stdout).toMatch(/z@five\.com/);
    expect(email.stdout).not.toMatch(/2127345521/);
    expect(s.run('list', '--kind', 'fax').code).toBe(2);
    expect(json(s.run('remove', '212-734-5521', 'nobody@else.com', '--json'))).toEqual({ removed: 1, not_listed: 1 });
    expect(lines(s.run('list', '--json')).map((e) => e.value)).toEqual(['z@five.com']);
    expect((await s.statuses())[0]).toBe('do-not-call');
    expect(s.run('remove', 'z@five.com').code).toBe(0);
    expect(s.run('list').stdout).toMatch(/The do-not-call list is empty\./);
    // Nothing to remove (a typo, or removed already) is exit 3 and says so, in JSON too.
    const again = s.run('remove', 'z@five.com');
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/'z@five\.com' is not on the do-not-call list: nothing was removed/);
    const twice = s.run('remove', 'z@five.com', '+1 212 734 5521', '--json');
    expect(twice.code).toBe(3);
    expect(json(twice)).toMatchObject({ code: 3, removed: 0, not_listed: 2 });
  }, 120_000);

  it("import adds a file's values in one go; phones are read in the team's default country", async () => {
    const s = await storeOf(kind);
    store = s.store;
    await store.query(`INSERT INTO settings(key, value, updated_at) VALUES ('country.default', 'GB', ?) RETURNING key`, NOW);
    const file = join(store.dir, 'dnc.csv');
    writeFileSync(file, 'Phone\r\n020 7946 0018\r\nnonsense\r\n+1 718 555 0123\r\n');
    const r = s.run('import', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({ file, read: 3, added: 2, already_listed: 0, leads_suppressed: 1, rejected: 1 });
    expect(lines(s.run('list', '--json')).map((e) => [e.value, e.source])).toEqual([['+442079460018', file], ['+17185550123', file]]);
    expect((await s.statuses())[7]).toBe('do-not-call');
  });

  it('import skips a header, a byte-order mark and blank lines, and names each line it rejects; a missing file is exit 2', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const file = join(store.dir, 'dnc.csv');
    writeFileSync(file, '\uFEFFPhone,Name\r\n(212) 734-5521,Pat\r\nnonsense,Bad\r\n\r\nlee@x.com,Lee\r\n@spam.example,\r\n');
    const r = s.run('import', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dnc\.csv:3: 'nonsense'/);
    expect(r.stderr).toMatch(/3 added, 0 already listed/);
    expect(r.stderr).toMatch(/1 line\(s\) rejected/);
    expect(lines(s.run('list', '--json')).map((e) => [e.kind, e.value])).toEqual([['phone', '+12127345521'], ['email', 'lee@x.com'], ['domain', 'spam.example']]);
    expect((await s.statuses())[0]).toBe('do-not-call');
    expect(s.run('import', join(store.dir, 'missing.csv')).code).toBe(2);
  });

  it("import reads a CRM export's Phone and Email columns, the registry's area code and number, and refuses a file with no usable line", async () => {
    const s = await storeOf(kind);
    store = s.store;
    // A CRM's contact export: the columns are found by their headers, wherever they stand.
    const crm = join(store.dir, 'crm-dnc.csv');
    writeFileSync(crm, 'First Name,Last Name,Phone,Email\nPat,Doe,(212) 734-5521,pat@two.com\nZed,Roe,+1 718 555 0123,\n');
    const r = s.run('import', crm);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("crm-dnc.csv: reading the columns 'Phone', 'Email'.");
    expect(r.stderr).toMatch(/3 added, 0 already listed; 3 lead\(s\) moved/);
    // The US registry's download: area code, then the number.
    const registry = join(store.dir, 'registry.txt');
    writeFileSync(registry, '312,5550190\n617,5550100\n');
    expect(json(s.run('import', registry, '--json'))).toMatchObject({ added: 2, rejected: 0 });
    expect(lines(s.run('list', '--json')).map((e) => e.value)).toEqual(['+12127345521', 'pat@two.com', '+17185550123', '+13125550190', '+16175550100']);
    // A header callq knows only in part ('Number' is no spelling of a phone): the first column is read too.
    const partly = join(store.dir, 'partly.csv');
    writeFileSync(partly, 'Number,Email\n+1 646 555 0199,\n+1 646 555 0198,opt@out.example\n');
    expect(json(s.run('import', partly, '--json'))).toMatchObject({ added: 3, rejected: 0 });
    // No header at all, a type beside each number: the first line is data.
    const typed = join(store.dir, 'typed.csv');
    writeFileSync(typed, '6465550197,Mobile\n6465550196,Home\n');
    expect(json(s.run('import', typed, '--json'))).toMatchObject({ added: 2, rejected: 0 });
    // A page saved instead of the list, or a list whose first column holds names: exit 2, nothing added.
    for (const [name, text] of [['login.html', '<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n'], ['names.csv', 'Ann,Bee\nCy,Dee\n']]) {
      const file = join(store.dir, name);
      writeFileSync(file, text);
      const refused = s.run('import', file);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`${name}: none of its \\d line\\(s\\) holds a phone number, email or @domain in its first column.*Nothing was added`));
    }
    expect(lines(s.run('list', '--json'))).toHaveLength(10);
  });

  it("import skips a Salesforce report's footer rather than rejecting its lines, and says so", async () => {
    const s = await storeOf(kind);
    store = s.store;
    const file = join(store.dir, 'dnc-report.csv');
    writeFileSync(
      file,
      '"Phone","Full Name"\r\n"(212) 734-5521","Pat Doe"\r\n"lee@x.com","Lee Roy"\r\n\r\n"Do Not Call List"\r\n' +
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n"Confidential Information - Do Not Distribute"\r\n' +
        '"Generated By:  Dana Reyes  11/24/2026 9:14 AM"\r\n',
    );
    const r = s.run('import', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dnc-report\.csv: lines 5–8 are the report's footer \('Copyright \(c\) 2000-2026 salesforce\.com/);
    expect(r.stderr).not.toMatch(/rejected/);
    expect(r.stderr).toMatch(/2 added, 0 already listed/);
  });

  it('import reads a file as callq import does (UTF-16, quoted cells) and refuses one that is not text, such as the database', async () => {
    const s = await storeOf(kind);
    store = s.store;
    // Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    const utf16 = join(store.dir, 'dnc-utf16.txt');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Email\tName\r\nPAT@two.com\tPat Doe\r\n"+1 (718) 555-0123"\tZed\r\n', 'utf16le')]));
    const r = s.run('import', utf16, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ read: 2, added: 2, rejected: 0 });
    expect(lines(s.run('list', '--json')).map((e) => e.value)).toEqual(['pat@two.com', '+17185550123']);
    // A binary file, here a SQLite database, is refused whole: nothing is added from it.
    const binary = join(store.dir, 'other.db');
    const db = new Database(binary);
    db.exec(`CREATE TABLE t(v TEXT); INSERT INTO t VALUES ('+12127345521'), ('a@one.com')`);
    db.close();
    const refused = s.run('import', binary);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${binary} is not a text CSV file (it contains NUL bytes)`);
    expect(lines(s.run('list', '--json'))).toHaveLength(2);
    expect(await s.statuses()).toEqual(['new', 'do-not-call', 'new', 'new', 'new', 'new', 'new', 'do-not-call']);
  });

  it('an e-mail with a control or invisible character is refused, shown so that it can be seen', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const r = s.run('add', 'a\u0001b@example.com');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'a\\u{1}b@example.com' is not a valid email address");
    expect(s.run('add', 'pat\u200b@two.com').code).toBe(2);
    expect(s.run('list').stdout).toMatch(/The do-not-call list is empty\./);
  });

  it('a shared mailbox (info@) never carries one person\'s do-not-call to the colleagues who share it', async () => {
    const s = await storeOf(kind);
    store = s.store;
    const file = join(store.dir, 'lees.csv');
    writeFileSync(file, 'Name,Email,Phone,Do Not Call\nBob Lee,info@lee.example,+1 212 555 0131,\nBobby Lee,INFO@lee.example,+1 212 555 0132,\nCarl Lee,info@lee.example,,yes\n');
    const imported = callq(['--db', store.db, '--now', NOW, 'import', file]);
    expect(imported.code, imported.stderr).toBe(0);
    // Carl's row can put nothing of his own on the list: no phone, and only the shared mailbox.
    expect(imported.stderr).toMatch(/inserted\s+2\n/);
    expect(imported.stderr).toContain('flagged do-not-call, but nothing on it can go on the do-not-call list: it has no phone, and its e-mail info@lee.example is a shared mailbox');
    const ids = await store.query<{ id: number; first_name: string }>(`SELECT id, first_name FROM leads WHERE email = 'info@lee.example' ORDER BY id`);
    expect(ids.map((l) => l.first_name)).toEqual(['Bob', 'Bobby']);
    // Bobby asks not to be called: his number goes on the list, the shared mailbox does not, and Bob stays callable.
    const logged = callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'log', String(ids[1].id), 'do-not-call', '--force']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(logged.stderr).not.toMatch(/other lead/);
    expect(lines(s.run('list', '--json')).map((e) => e.value)).toEqual(['+12125550132']);
    expect((await store.query<{ status: string }>('SELECT status FROM leads WHERE id = ?', ids[0].id))[0].status).toBe('new');
    // Forgetting by the shared mailbox would erase Bob too: refused, nothing erased.
    const forget = callq(['--db', store.db, '--now', NOW, 'forget', 'info@lee.example', '--yes']);
    expect(forget.code).toBe(2);
    expect(forget.stderr).toContain("'info@lee.example' is a shared mailbox");
    expect(await store.query(`SELECT first_name FROM leads WHERE email = 'info@lee.example' ORDER BY id`)).toEqual([{ first_name: 'Bob' }, { first_name: 'Bobby' }]);
  });

  it('a do-not-call logged on a call keeps the same person out of a later import, in any format', async () => {
    const s = await storeOf(kind);
    store = s.store;
    expect(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'log', '1', 'do-not-call', '--force']).code).toBe(0);
    const file = join(store.dir, 'again.csv');
    writeFileSync(file, 'Name,Phone,Email\nPat Again,(212) 734-5521,\nPat Email,+1 415 555 0199,A@ONE.COM\nNew Person,+1 617 555 0177,new@else.com\n');
    const r = callq(['--db', store.db, '--now', NOW, 'import', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ rows_read: 3, inserted: 1, suppressed: 2 });
    expect(await store.query("SELECT phone FROM leads WHERE id > 8 AND status IN ('new','working','callback','nurture')")).toEqual([{ phone: '+16175550177' }]);
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('dnc: SQLite and PostgreSQL side by side', () => {
  it('the same commands give the same output and leave the same leads and list', async () => {
    const [lite, pg] = [await storeOf('sqlite'), await storeOf('postgres')];
    try {
      const commands = [
        ['add', '(212) 734-5521', 'PAT@two.com', '--reason', 'asked'],
        ['add', '@competitor.com', '+1 202 555 0188', '212-736-3001 x102', '--json'],
        ['add', '2127345521', 'bad value'],
        ['list'],
        ['list', '--json', '--kind', 'phone'],
        ['remove', 'pat@two.com', '--json'],
        ['list', '--json'],
      ];
      for (const args of commands) expect(pg.run(...args), args.join(' ')).toEqual(lite.run(...args));
      const leads = (s: TestStore) => s.query('SELECT id, status, closed_at, next_eligible_at, updated_at FROM leads ORDER BY id');
      expect(await leads(pg.store)).toEqual(await leads(lite.store));
      const list = (s: TestStore) => s.query('SELECT * FROM suppressions ORDER BY id');
      expect(await list(pg.store)).toEqual(await list(lite.store));
    } finally {
      await lite.store.cleanup();
      await pg.store.cleanup();
    }
  }, 180_000);
});
