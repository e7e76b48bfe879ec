import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callq, json, openRaw, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';

let dir: string;
let db: string;
useTempDb('dnc.db', (d, path) => ((dir = d), (db = path)));
beforeEach(() => callq(['--db', db, 'init']));

const NOW = '2026-11-24T16:00:00Z';
const q = (args: string[], rep = 'ana') => callq(['--db', db, '--rep', rep, '--now', NOW, ...args]);
const statusOf = (id: number) => {
  const raw = openRaw(db);
  const s = raw.prepare('SELECT status FROM leads WHERE id = ?').pluck().get(id);
  raw.close();
  return s;
};

describe('callq dnc', () => {
  it('add normalises phones, emails and domains and suppresses matching leads at once', () => {
    const [byPhone, byEmail, byDomain, untouched] = seedLeads(db, [
      { phone: '+12127345521', email: 'a@one.com' },
      { phone: '+13125550190', email: 'pat@two.com' },
      { phone: '+14155550123', email: 'lee@competitor.com' },
      { phone: '+16175550100', email: 'x@four.com' },
    ]);
    const r = q(['dnc', 'add', '(212) 734-5521', 'PAT@two.com', '@Competitor.com', '--reason', 'asked', '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({ added: 3, already_listed: 0, leads_suppressed: 3 });
    expect([statusOf(byPhone), statusOf(byEmail), statusOf(byDomain), statusOf(untouched)]).toEqual(['do-not-call', 'do-not-call', 'do-not-call', 'new']);
    const list = q(['dnc', 'list', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(list.map((e) => [e.kind, e.value])).toEqual([
      ['phone', '+12127345521'],
      ['email', 'pat@two.com'],
      ['domain', 'competitor.com'],
    ]);
    expect(list[0]).toMatchObject({ reason: 'asked', erased: false });
    // The queue no longer serves them.
    expect(json(q(['next', '--json'])).lead.id).toBe(untouched);
    // Adding again changes nothing.
    expect(json(q(['dnc', 'add', '+1 212 734 5521', '--json']))).toEqual({ added: 0, already_listed: 1, leads_suppressed: 0 });
  });

  it('refuses an invalid value with exit 2 and adds nothing', () => {
    const r = q(['dnc', 'add', '+12127345521', 'not a phone']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot add 'not a phone'/);
    expect(q(['dnc', 'list']).stdout).toMatch(/empty/);
  });

  it('remove takes entries off but leaves do-not-call leads as they are', () => {
    const [id] = seedLeads(db, [{ phone: '+12127345521' }]);
    q(['dnc', 'add', '2127345521']);
    const r = json(q(['dnc', 'remove', '212-734-5521', '--json']));
    expect(r).toEqual({ removed: 1, not_listed: 0 });
    expect(statusOf(id)).toBe('do-not-call');
  });

  it('import reads one value per line, skips a header, reports bad lines with their number', () => {
    const file = join(dir, 'dnc.csv');
    writeFileSync(file, '\uFEFFPhone,Name\r\n(212) 734-5521,Pat\r\nnonsense,Bad\r\n\r\nlee@x.com,Lee\r\n@spam.example,\r\n');
    const r = q(['dnc', 'import', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dnc\.csv:3: 'nonsense'/);
    expect(r.stderr).toMatch(/3 added, 0 already listed/);
    expect(r.stderr).toMatch(/1 line\(s\) rejected/);
    expect(q(['dnc', 'import', join(dir, 'missing.csv')]).code).toBe(2);
  });

  it('list filters by kind and rejects an unknown kind', () => {
    q(['dnc', 'add', '2127345521', 'a@b.com']);
    expect(q(['dnc', 'list', '--kind', 'email']).stdout).toMatch(/a@b\.com/);
    expect(q(['dnc', 'list', '--kind', 'email']).stdout).not.toMatch(/2127345521/);
    expect(q(['dnc', 'list', '--kind', 'fax']).code).toBe(2);
  });

  it('a do-not-call logged on a call survives a re-import of the same person in any format', () => {
    const [id] = seedLeads(db, [{ phone: '+12127345521', email: 'pat@acme.com', score: 99 }]);
    expect(json(q(['next', '--json'], 'ana')).lead.id).toBe(id);
    expect(q(['log', String(id), 'do-not-call'], 'ana').code).toBe(0);
    // Another rep never gets it.
    expect(q(['next'], 'bob').code).toBe(3);
    const file = join(dir, 'again.csv');
    writeFileSync(file, 'Name,Phone,Email\nPat Again,(212) 734-5521,\nPat Email,+1 415 555 0123,PAT@ACME.COM\nNew Person,+1 617 555 0100,new@else.com\n');
    const r = q(['import', file, '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ rows_read: 3, inserted: 1, suppressed: 2 });
    const raw = openRaw(db);
    const callable = raw.prepare("SELECT phone FROM leads WHERE status IN ('new','working','callback','nurture')").pluck().all();
    raw.close();
    expect(callable).toEqual(['+16175550100']);
  });
});
