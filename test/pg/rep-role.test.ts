// The reps' role docs/setup.md gives ("A role for the reps"): reps log in as their own roles,
// members of one that may read and write callq's rows but owns nothing, so a laptop's password
// cannot drop or alter the team's tables. Every rep command works under it, including what
// happens only now and then (the weekly recompute of the calling windows, a do-not-call reaching
// other leads, a bad number moving to the alternate, an import), and a table a later callq
// creates is covered by the default privileges. The SQL run here is the documentation's, read
// from docs/setup.md, so the two cannot drift apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, json, tempDir } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 in New York
const NEXT_WEEK = '2026-12-01T15:05:00Z'; // the stored calling windows have run out
const SUFFIX = `_${process.pid}`;

/** The SQL block of docs/setup.md's "A role for the reps", with the role names made unique to this run. */
function documentedSql(): string {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'setup.md'), 'utf8');
  const section = doc.slice(doc.indexOf('#### A role for the reps'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)![1];
  return sql.replace(/\bcallq_reps\b/g, `callq_reps${SUFFIX}`).replace(/\bana\b/g, `ana${SUFFIX}`).replace(/PASSWORD '[^']*'/g, '');
}

describe.skipIf(pgInfo.unavailable)("the reps' role of docs/setup.md", () => {
  let db: TestDatabase;
  let admin: PgClient;
  const tmp = tempDir();
  const asRep = (args: string[], now = NOW) => callq(['--db', db.url.replace(/^postgres:\/\/[^@]*@/, `postgres://ana${SUFFIX}@`), '--rep', 'ana', '--now', now, ...args]);

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    admin = await db.connect();
    await admin.query(documentedSql());
  });
  afterAll(async () => {
    await admin?.query(`DROP OWNED BY ana${SUFFIX}, callq_reps${SUFFIX}; DROP ROLE ana${SUFFIX}; DROP ROLE callq_reps${SUFFIX}`);
    await admin?.end();
    await db?.drop();
    tmp.cleanup();
  });

  it('lets a rep import, claim, log every kind of outcome and read, a week on too, and never drop a table', async () => {
    const list = join(tmp.dir, 'list.csv');
    writeFileSync(
      list,
      'First Name,Last Name,Phone,Mobile,Email,State\n' +
        'Avery,Stone,+12125550101,,avery@stone.example,NY\nBlake,Stone,+12125550102,+12125550199,blake@stone.example,NY\n' +
        'Casey,Stone,+12125550103,,casey@stone.example,NY\nDrew,Stone,+12125550104,,drew@stone.example,NY\n',
    );
    const imported = asRep(['import', list, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(json(imported).inserted).toBe(4);

    const outcomes: [string, string[]][] = [
      ['no-answer', []],
      ['bad-number', []],
      ['callback', ['--at', 'tomorrow 10:00']],
      ['do-not-call', []],
    ];
    for (const [disposition, extra] of outcomes) {
      const next = asRep(['next', '--json']);
      expect(next.code, next.stderr).toBe(0);
      const logged = asRep(['log', String(json(next).lead.id), disposition, ...extra]);
      expect(logged.code, `${disposition}: ${logged.stderr}`).toBe(0);
    }
    for (const args of [['status'], ['queue'], ['why', '1'], ['show', '2'], ['dnc', 'list'], ['report', 'reps'], ['export', 'calls']]) {
      const r = asRep(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // A week on, the first claim recomputes every zone group's calling windows.
    const later = asRep(['next', '--json'], NEXT_WEEK);
    expect(later.code, later.stderr).toBe(0);
    expect(asRep(['release'], NEXT_WEEK).code).toBe(0);

    await expect(
      (async () => {
        const { connectPg } = await import('../../src/db/pg/open.js');
        const rep = await connectPg({ ...db.config, user: `ana${SUFFIX}` });
        try {
          await rep.query('DROP TABLE calls');
        } finally {
          await rep.end();
        }
      })(),
    ).rejects.toThrow(/must be owner/);
  });

  it("keeps the do-not-call list and the call log from being shortened under a rep's login", async () => {
    expect(asRep(['dnc', 'add', '+12125550177']).code).toBe(0);
    const removed = asRep(['dnc', 'remove', '+12125550177']);
    expect(removed.code).toBe(2);
    expect(removed.stderr).toContain('permission denied for table suppressions');
    expect(removed.stderr).not.toMatch(/\n\s+at /);
    const { connectPg } = await import('../../src/db/pg/open.js');
    const rep = await connectPg({ ...db.config, user: `ana${SUFFIX}` });
    try {
      await expect(rep.query('DELETE FROM suppressions')).rejects.toThrow(/permission denied for table suppressions/);
      await expect(rep.query('DELETE FROM calls')).rejects.toThrow(/permission denied for table calls/);
    } finally {
      await rep.end();
    }
    expect(Number((await admin.query(`SELECT count(*) AS n FROM suppressions WHERE value = '+12125550177'`)).rows[0].n)).toBe(1);
  });

  it("covers a table the owner's role creates later (a newer callq's migration)", async () => {
    await admin.query('CREATE TABLE later_table(id int)');
    const { connectPg } = await import('../../src/db/pg/open.js');
    const rep = await connectPg({ ...db.config, user: `ana${SUFFIX}` });
    try {
      await rep.query('INSERT INTO later_table VALUES (1)');
      expect((await rep.query('SELECT count(*)::int AS n FROM later_table')).rows).toEqual([{ n: 1 }]);
    } finally {
      await rep.end();
      await admin.query('DROP TABLE later_table');
    }
  });
});
