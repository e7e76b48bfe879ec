// `callq forget` on SQLite only: the erasure inside the file itself (no old copy of the person
// left in free pages or the WAL, the file still sound). What forget erases and keeps, how it finds
// the person, its report and its confirmation hold on both stores: test/both/forget.test.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { callq, initDb, json, openRaw, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { suppressionHash, suppressionKey } from '../../src/core/suppression.js';
import { suppressionMatcher } from '../../src/db/suppressions.js';
import { openDatabase } from '../../src/db/open.js';
import { ZEB } from '../forget-person.js';

let db: string;
useTempDb('team.db', (_d, path) => (db = path));

const SECRETS = ['+14155559876', '(415) 555-9876', '+14155550777', 'zeb.quackenbush@pondmail.org', 'Zebediah', 'Quackenbush', 'allergic to geese'];

/** Zeb with a history written by callq log (so his row was rewritten several times), and a bystander. */
function seedPerson(): { zeb: number; other: number } {
  const [zeb, other] = seedLeads(db, [ZEB, { first_name: 'Olive', last_name: 'Ostrander', timezone: 'America/Los_Angeles' }]);
  const raw = openRaw(db);
  raw.prepare("UPDATE leads SET phone_raw = '(415) 555-9876' WHERE id = ?").run(zeb);
  raw.close();
  const log = (id: number, now: string, ...args: string[]) => {
    const r = callq(['--db', db, '--now', now, 'log', String(id), ...args, '--force']);
    expect(r.code, r.stderr).toBe(0);
  };
  log(zeb, '2026-11-24T19:00:00Z', 'no-answer', '--note', 'Zebediah is allergic to geese');
  log(zeb, '2026-11-25T19:00:00Z', 'gatekeeper', '--note', 'assistant says Quackenbush is out');
  log(other, '2026-11-25T19:30:00Z', 'no-answer', '--note', 'Olive did not pick up');
  return { zeb, other };
}

function fileBytes(): Buffer {
  return Buffer.concat([db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

const suppressionRows = () => {
  const raw = openRaw(db);
  const rows = raw.prepare('SELECT kind, value, value_hash FROM suppressions ORDER BY kind, value_hash').all() as any[];
  raw.close();
  return rows;
};

describe('callq forget on SQLite', () => {
  it('leaves no readable trace of the person in the file, keeps it sound, and blocks re-import', () => {
    const { zeb, other } = seedPerson();
    // The number was already on the do-not-call list in clear text.
    const raw = openRaw(db);
    raw.prepare("INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES ('phone', ?, ?, 'do-not-call', 'dnc', '2026-11-01T00:00:00Z')")
      .run(ZEB.phone, suppressionHash('phone', ZEB.phone));
    raw.close();
    const before = fileBytes();
    expect(SECRETS.every((s) => before.includes(s))).toBe(true); // the test can see them when they are there

    const r = callq(['--db', db, 'forget', '(415) 555-9876', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ kind: 'phone', leads: 1, calls: 2, suppressions: 3 });

    const after = fileBytes();
    for (const secret of SECRETS) expect(after.includes(secret), `'${secret}' is still in the file`).toBe(false);

    const check = openRaw(db);
    expect(check.prepare('SELECT count(*) FROM leads WHERE id = ?').pluck().get(zeb)).toBe(0);
    expect(check.prepare('SELECT notes FROM calls WHERE lead_id = ?').pluck().get(other)).toBe('Olive did not pick up');
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    expect(suppressionRows()).toEqual(
      [suppressionKey('phone', ZEB.phone), suppressionKey('phone', ZEB.alt_phones[0]), suppressionKey('email', ZEB.email)]
        .map((k) => ({ kind: k.kind, value: null, value_hash: k.hash }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.value_hash.localeCompare(b.value_hash)),
    );

    // The matcher the importer uses finds the person by their hashes alone.
    const store = openDatabase(db);
    const isSuppressed = suppressionMatcher(store);
    expect(isSuppressed({ phone: '+14155559876' })?.value).toBeNull();
    expect(isSuppressed({ phone: '+15550000000', email: 'zeb.quackenbush@pondmail.org' })).toBeDefined();
    expect(isSuppressed({ phone: '+15550000000', alt_phones: ['+14155550777'] })).toBeDefined();
    expect(isSuppressed({ phone: '+15550000000' })).toBeUndefined();
    store.close();
  });

  it('found by email, also removes the copies an earlier, smaller version of the row left in free space', () => {
    const { zeb } = seedPerson();
    // An import merge that grows the row leaves its earlier copy in free space, which only a rebuild removes.
    const raw0 = openRaw(db);
    for (const n of [1, 40, 200]) raw0.prepare('UPDATE leads SET custom = ? WHERE id = ?').run(JSON.stringify({ note: 'x'.repeat(n) }), zeb);
    raw0.close();
    const r = callq(['--db', db, 'forget', 'Zeb.Quackenbush@PondMail.org', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/erased 1 lead and 2 calls/);
    const after = fileBytes();
    for (const secret of SECRETS) expect(after.includes(secret), `'${secret}' is still in the file`).toBe(false);
  });

  it('refuses what is neither a phone nor an email', () => {
    initDb(db);
    for (const value of ['12', 'hello', 'a@b', '@example.com']) {
      const r = callq(['--db', db, 'forget', value, '--yes']);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(/cannot forget|not a person/);
    }
  });
});
