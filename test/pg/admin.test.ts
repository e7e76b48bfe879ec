// What only PostgreSQL's backup, restore, maintain and forget do: the client tools found or
// clearly missing, owner-only dumps, restore's refusals, amcheck without a superuser, dump
// rotation, and what forget says PostgreSQL still holds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASE_ENV, BIN, callq, json, tempDir, type RunResult } from '../helpers.js';
import { connectPg } from '../../src/db/pg/open.js';
import { migratePg } from '../../src/db/pg/migrations.js';
import { splitPassword, toolHost } from '../../src/db/pg/backup.js';
import { clusterConfig, clusterUrl, findPgBin } from './cluster.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const NOW = '2026-11-24T07:00:00.000Z';
const found = findPgBin();
const PG_BIN = 'bin' in found ? found.bin : '';
const ENV = { CALLQ_PG_BIN: PG_BIN };

describe('the password is taken out of the URL the client tools get', () => {
  it.each([
    ['postgres://ana:p%40ss@db.internal/team?host=/tmp/x', 'postgres://ana@db.internal/team?host=/tmp/x', 'p@ss'],
    ['postgresql://ana@db.internal/team?password=zz&sslmode=require', 'postgresql://ana@db.internal/team?sslmode=require', 'zz'],
    ['postgres://ana@db.internal/team?sslmode=require&password=zz', 'postgres://ana@db.internal/team?sslmode=require', 'zz'],
    ['postgres://ana@db.internal/team', 'postgres://ana@db.internal/team', null],
  ])('%s', (given, url, password) => {
    expect(splitPassword(given)).toEqual({ url, password });
  });
});

describe('pg_dump and pg_restore go to the server callq connects to', () => {
  it.each([
    // No host anywhere: node-postgres takes localhost (TCP), libpq would take its unix socket.
    ['postgres:///sales', {}, { PGHOST: 'localhost' }],
    ['postgres://ana@/sales', {}, { PGHOST: 'localhost' }],
    ['postgresql://ana:pw@/sales?sslmode=disable', {}, { PGHOST: 'localhost' }],
    // A host in the URL, in its query string or in PGHOST: left to libpq, which reads it alike.
    ['postgres://ana@db.internal/sales', {}, {}],
    ['postgres:///sales?host=/var/run/postgresql', {}, {}],
    ['postgres:///sales', { PGHOST: '/tmp' }, {}],
  ] as const)('%s with %j', (url, env, expected) => {
    expect(toolHost(url, env)).toEqual(expected);
  });
});

describe.skipIf(Boolean(pgInfo.unavailable))('admin commands on PostgreSQL only', () => {
  let db: TestDatabase;
  let tmp: { dir: string; cleanup: () => void };
  const run = (args: string[], env: Record<string, string> = ENV): RunResult => callq(['--db', db.url, '--now', NOW, ...args], { env });
  const sql = async (text: string, params: unknown[] = []) => {
    const c = await db.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };
  const addLead = (phone: string, fields: Record<string, string> = {}) =>
    sql(
      `INSERT INTO leads(first_name, phone, email, timezone, created_at, updated_at) VALUES ($1, $2, $3, 'America/New_York', $4, $4) RETURNING id`,
      [fields.first_name ?? 'Ada', phone, fields.email ?? null, '2026-11-01T12:00:00.000Z'],
    );

  beforeEach(async () => {
    db = await freshDatabase({ migrated: true });
    tmp = tempDir();
  });
  afterEach(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it('says which client binary is missing and how to install it (exit 2), writing nothing', async () => {
    const file = join(tmp.dir, 'team.dump');
    const r = run(['backup', file], { CALLQ_PG_BIN: join(tmp.dir, 'nowhere') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pg_dump');
    expect(r.stderr).toContain('was not found in CALLQ_PG_BIN=');
    expect(r.stderr).toContain('apt-get install postgresql-client');
    expect(readdirSync(tmp.dir)).toEqual([]);
    const restore = run(['restore', file, '--force'], { CALLQ_PG_BIN: join(tmp.dir, 'nowhere') });
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('pg_restore');
  });

  it.skipIf(!existsSync('/usr/lib/postgresql'))('finds pg_dump in /usr/lib/postgresql/*/bin when it is not on PATH', async () => {
    await addLead('+12125550101');
    const file = join(tmp.dir, 'team.dump');
    // PATH holds only node's folder: no pg_dump there, none in CALLQ_PG_BIN.
    const r = callq(['--db', db.url, 'backup', file, '--json'], { env: { PATH: dirname(process.execPath) } });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).bytes).toBeGreaterThan(0);
    // node-postgres's own URL parameter, which libpq's tools refuse, is not passed on to them.
    const compat = callq(['--db', `${db.url}&uselibpqcompat=true&sslmode=disable`, 'backup', file, '--force', '--json'], { env: { PATH: dirname(process.execPath) } });
    expect(compat.code, compat.stderr).toBe(0);
  });

  it('writes the dump owner-only whatever the umask, replaces it only with --force, and never shows the password', async () => {
    await addLead('+12125550101');
    const file = join(tmp.dir, 'team.dump');
    const url = db.url.replace('postgres://callq@', 'postgres://callq:s3cr3t-pw@');
    // A permissive umask: the dump is still 0600.
    const sh = (args: string[]) =>
      spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, BIN, '--db', url, ...args], {
        env: { ...BASE_ENV, CALLQ_REP: 'ana', ...ENV },
        encoding: 'utf8',
      });
    const first = sh(['backup', file, '--json']);
    expect(first.status, first.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.stdout + first.stderr).not.toContain('s3cr3t');
    const again = sh(['backup', file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(again.stdout + again.stderr).not.toContain('s3cr3t');
    const forced = sh(['backup', file, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('callq:***@');
    expect(forced.stdout + forced.stderr).not.toContain('s3cr3t');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // No temp file is left beside it.
    expect(readdirSync(tmp.dir)).toEqual(['team.dump']);
    // --force replaces an earlier dump only: not the team's old SQLite file, not a CSV.
    for (const [name, bytes] of [['team.db', 'SQLite format 3\u0000rest'], ['handoff.csv', 'a,b\n']]) {
      const other = join(tmp.dir, name);
      writeFileSync(other, bytes);
      const refused = sh(['backup', other, '--force']);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/not an earlier backup \(pg_dump's custom format\)/);
      expect(readFileSync(other, 'utf8')).toBe(bytes);
    }
  });

  it('restore refuses a database holding data without --force, one in use by another session, and a SQLite file', async () => {
    await addLead('+12125550101');
    const file = join(tmp.dir, 'team.dump');
    expect(run(['backup', file]).code).toBe(0);

    // Only a do-not-call list, no leads: still the team's data.
    await sql('DELETE FROM leads');
    await sql(`INSERT INTO suppressions(kind, value, value_hash, created_at) VALUES ('phone', '+12125550199', 'h', '2026-11-01T00:00:00Z')`);
    const refused = run(['restore', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('1 do-not-call entries');
    expect(refused.stderr).toContain('--force');
    expect(await sql('SELECT count(*)::int AS n FROM suppressions')).toEqual([{ n: 1 }]);

    const other = await db.connect();
    try {
      const busy = run(['restore', file, '--force']);
      expect(busy.code).toBe(75);
      expect(busy.stderr).toContain('in use by 1 other session');
    } finally {
      await other.end();
    }
    expect(await sql('SELECT count(*)::int AS n FROM leads')).toEqual([{ n: 0 }]);

    const sqliteFile = join(tmp.dir, 'team.db');
    expect(callq(['--db', sqliteFile, 'init']).code).toBe(0);
    const wrongKind = run(['restore', sqliteFile, '--force']);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('is not a PostgreSQL backup');

    const ok = run(['restore', file, '--force', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ leads: 1, replaced: true });
    expect(await sql('SELECT phone FROM leads')).toEqual([{ phone: '+12125550101' }]);
  });

  it('a damaged dump changes nothing: the restore runs in one transaction', async () => {
    await addLead('+12125550101');
    await addLead('+12125550102');
    const file = join(tmp.dir, 'team.dump');
    expect(run(['backup', file]).code).toBe(0);
    await addLead('+12125550103');
    // Cut off the tail: the table of contents still reads, the data does not.
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 200));
    const r = run(['restore', file, '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/nothing was (changed|restored)/);
    expect((await sql('SELECT phone FROM leads ORDER BY id')).map((l) => l.phone)).toEqual(['+12125550101', '+12125550102', '+12125550103']);
  });

  it('refuses a dump from a newer callq (exit 2) and keeps the database, as SQLite refuses a newer file', async () => {
    await addLead('+12125550101');
    await sql(`INSERT INTO schema_version(version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')`);
    // callq refuses to open (and so to back up) a database newer than itself: pg_dump writes the dump.
    const file = join(tmp.dir, 'newer.dump');
    const dump = spawnSync(join(PG_BIN, 'pg_dump'), ['--format=custom', `--file=${file}`, `--dbname=${db.url}`], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    await sql('DELETE FROM schema_version WHERE version = 99');
    await addLead('+12125550102');
    const r = run(['restore', file, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has schema version 99, newer than this callq understands/);
    expect((await sql('SELECT phone FROM leads ORDER BY id')).map((l) => l.phone)).toEqual(['+12125550101', '+12125550102']);
  });

  it('restores into a new empty database (createdb) without --force', async () => {
    await addLead('+12125550101');
    const file = join(tmp.dir, 'team.dump');
    expect(run(['backup', file]).code).toBe(0);
    await inFreshDatabase(async (fresh) => {
      const r = callq(['--db', fresh.url, 'restore', file, '--json'], { env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ leads: 1, replaced: false, schema_version: json(r).backup_schema_version, privileges_skipped: false });
      expect(await phonesIn(fresh)).toEqual(['+12125550101']);
    });
  });

  /** Runs `work` on a new empty database (as `createdb` makes), dropped after. */
  async function inFreshDatabase(work: (fresh: TestDatabase) => Promise<void>): Promise<void> {
    const fresh = await freshDatabase({ migrated: false });
    try {
      await work(fresh);
    } finally {
      await fresh.drop();
    }
  }

  async function phonesIn(target: TestDatabase): Promise<string[]> {
    const c = await target.connect();
    try {
      return (await c.query<{ phone: string }>('SELECT phone FROM leads ORDER BY id')).rows.map((r) => r.phone);
    } finally {
      await c.end();
    }
  }

  it("restores a backup whose GRANTs name a role this server lacks (a rebuilt server): the data whole, the GRANTs left out and said", async () => {
    await addLead('+12125550101');
    const role = `callq_rep_gone_${process.pid}`;
    await sql(`CREATE ROLE ${role}`);
    try {
      await sql(`GRANT SELECT ON leads TO ${role}`);
      const file = join(tmp.dir, 'team.dump');
      expect(run(['backup', file]).code).toBe(0);
      await sql(`REVOKE SELECT ON leads FROM ${role}`);
    } finally {
      await sql(`DROP ROLE ${role}`);
    }
    await inFreshDatabase(async (fresh) => {
      const r = callq(['--db', fresh.url, 'restore', join(tmp.dir, 'team.dump')], { env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("note: the backup's GRANTs were left out: a role they name does not exist here");
      const again = callq(['--db', fresh.url, 'restore', join(tmp.dir, 'team.dump'), '--force', '--json'], { env: ENV });
      expect(json(again)).toMatchObject({ leads: 1, privileges_skipped: true });
      expect(await phonesIn(fresh)).toEqual(['+12125550101']);
    });
  });

  it('maintain --backup DIR writes dated dumps and keeps the newest N, leaving other files alone', async () => {
    await addLead('+12125550101');
    const dir = join(tmp.dir, 'backups');
    const mine = join(tmp.dir, 'backups', 'callq-2026-01-01T000000Z.db');
    for (const [i, at] of ['2026-11-22T02:00:00.000Z', '2026-11-23T02:00:00.000Z', '2026-11-24T02:00:00.000Z'].entries()) {
      const r = callq(['--db', db.url, '--now', at, 'maintain', '--json', '--backup', dir, '--keep', '2'], { env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(json(r).backup).toMatchObject({ path: join(dir, `callq-${at.slice(0, 10)}T020000Z.dump`), kept: Math.min(i + 1, 2) });
      if (i === 0) writeFileSync(mine, 'a SQLite backup kept by hand');
    }
    expect(readdirSync(dir).sort()).toEqual(['callq-2026-01-01T000000Z.db', 'callq-2026-11-23T020000Z.dump', 'callq-2026-11-24T020000Z.dump']);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.dump'))) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
  });

  it("forget says what PostgreSQL still holds and that maintain runs VACUUM", async () => {
    await addLead('+14155559876', { first_name: 'Zebediah', email: 'zeb@pondmail.org' });
    const r = run(['forget', 'zeb@pondmail.org', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('forgot zeb@pondmail.org: erased 1 lead');
    expect(r.stderr).toContain('VACUUM ran on the tables it touched');
    expect(r.stderr).toMatch(/write-ahead log \(WAL\)/);
    expect(r.stderr).toMatch(/backups and pg_dump files taken before now/);
    expect(r.stderr).toContain('callq maintain --vacuum');
    expect(r.stderr).toContain("the planner's statistics (pg_stats) may show some of their values until the next ANALYZE");
    expect(r.stderr).toContain("the server's log keeps them if it logs statements with their parameters");
    const j = run(['forget', '+14155559876', '--yes', '--json']);
    expect(j.code, j.stderr).toBe(0);
    expect(json(j)).toMatchObject({ leads: 0, vacuumed: true, checkpoint: null });
    expect(json(j).retains).toHaveLength(5);
    expect(await sql('SELECT count(*)::int AS n FROM leads')).toEqual([{ n: 0 }]);
  });

  describe('as a role that is not a superuser', () => {
    const role = `callq_owner_${process.pid}`;
    let name: string;
    beforeEach(async () => {
      name = `callq_owned_${process.pid}_${Date.now() % 100000}`;
      const admin = await connectPg(clusterConfig(pgInfo, 'postgres'));
      try {
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.query(`CREATE ROLE ${role} LOGIN`);
        await admin.query(`CREATE DATABASE ${name} OWNER ${role} TEMPLATE template0`);
      } finally {
        await admin.end();
      }
      const owner = await connectPg({ ...clusterConfig(pgInfo, name), user: role });
      try {
        await migratePg(owner);
      } finally {
        await owner.end();
      }
    });
    afterEach(async () => {
      const admin = await connectPg(clusterConfig(pgInfo, 'postgres'));
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await admin.end();
      }
    });

    it('maintain reports the integrity as not checked when amcheck cannot be installed, and does the rest', async () => {
      const url = clusterUrl({ ...pgInfo, user: role }, name);
      const owner = await connectPg({ ...clusterConfig(pgInfo, name), user: role });
      try {
        await owner.query(
          `INSERT INTO leads(phone, claim_rep, claim_token, claim_expires_at, created_at, updated_at)
           VALUES ('+12125550101', 'bo', 't', '2026-11-24T06:00:00.000Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')`,
        );
      } finally {
        await owner.end();
      }
      const r = callq(['--db', url, '--now', NOW, 'maintain', '--json'], { env: ENV });
      expect(r.code, r.stderr).toBe(0);
      const report = json(r);
      expect(report).toMatchObject({ integrity: 'not checked (amcheck not available)', expired_claims: 1, optimized: true });
      expect(report.steps[0]).toMatchObject({ name: 'integrity check' });
      expect(report.steps[0].detail).toContain('superuser');
      const human = callq(['--db', url, '--now', NOW, 'maintain'], { env: ENV });
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toContain('not checked (amcheck not available)');
    });

    it("restore --force refuses while another role's session is connected, which such a role cannot see in full", async () => {
      const url = clusterUrl({ ...pgInfo, user: role }, name);
      const file = join(tmp.dir, 'owned.dump');
      const backup = callq(['--db', url, 'backup', file], { env: ENV });
      expect(backup.code, backup.stderr).toBe(0);
      // An administrator's psql (the superuser) on the team's database.
      const admin = await connectPg(clusterConfig(pgInfo, name));
      try {
        const busy = callq(['--db', url, 'restore', file, '--force'], { env: ENV });
        expect(busy.code, busy.stderr).toBe(75);
        expect(busy.stderr).toContain('in use by 1 other session');
      } finally {
        await admin.end();
      }
      const ok = callq(['--db', url, 'restore', file, '--force'], { env: ENV });
      expect(ok.code, ok.stderr).toBe(0);
    });
  });
});
