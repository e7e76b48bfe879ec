// A typo in --db, CALLQ_DB or a backup's path names a file that is not the team's database: a CSV,
// another program's SQLite file, a workbook. Each is refused as a usage error (exit 2) naming what
// the file is, and left exactly as it was; and a backup of a group-shared database keeps the
// database's group, not the user's primary one.
import { describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { callq, initDb, json, useTempDb } from '../helpers.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

/** A SQLite file another program made: its tables, and its own schema version when it keeps one. */
function foreignSqlite(name: string, version: number, table = 'moz_places'): string {
  const path = join(dir, name);
  const other = new Database(path);
  other.exec(`CREATE TABLE ${table}(id INTEGER PRIMARY KEY, url TEXT); INSERT INTO ${table}(url) VALUES ('https://example.com')`);
  other.pragma(`user_version = ${version}`);
  other.close();
  return path;
}

describe('files that are not a callq database', () => {
  it.each([0, 3])("another program's SQLite file (schema version %i) is refused by every command, init included, and not touched", (version) => {
    const path = foreignSqlite(`places-${version}.sqlite`, version);
    const before = readFileSync(path);
    for (const args of [['status'], ['init'], ['queue'], ['config', 'list'], ['maintain', '--json']]) {
      const r = callq(['--db', path, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${path} is a SQLite database of another program (it holds the table 'moz_places'), not a callq database; it was not touched.`);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    // Nor does a copy or a restore write into it.
    initDb(db);
    expect(callq(['--db', db, 'db', 'copy', '--to', path]).code).toBe(2);
    const backup = join(dir, 'b.db');
    expect(callq(['--db', db, 'backup', backup]).code).toBe(0);
    const restore = callq(['--db', path, 'restore', backup, '--force']);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain("it is a SQLite database of another program (it holds the table 'moz_places')");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("another program's file whose table is named 'leads' (and no schema version) is refused too, not crashed on", () => {
    const path = foreignSqlite('crm.sqlite', 0, 'leads');
    const before = readFileSync(path);
    for (const args of [['status'], ['init']]) {
      const r = callq(['--db', path, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${path} is a SQLite database of another program (it holds the table 'leads'), not a callq database; it was not touched.`);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a CSV named as the database, or as the backup to restore, is a usage error (exit 2), not a damaged database (exit 5)', () => {
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'First Name,Phone\nAnn,212-736-3001\n');
    for (const args of [['status'], ['maintain'], ['init']]) {
      const r = callq(['--db', csv, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${csv} is not a callq database: it is a text file, not a SQLite database (it starts 'First Name,Phone'). Check --db (or CALLQ_DB)`);
    }
    initDb(db);
    const restore = callq(['--db', db, 'restore', csv, '--force']);
    expect(restore.code, restore.stderr).toBe(2);
    expect(restore.stderr).toContain(`${csv} is not a backup: it is a text file`);
    expect(readFileSync(csv, 'utf8')).toBe('First Name,Phone\nAnn,212-736-3001\n');
  });

  it('maintain --json prints every failure as {error, code, failed_step, steps_done} on stdout, so a cron job never keeps an empty report', () => {
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'First Name,Phone\n');
    const r = callq(['--db', csv, 'maintain', '--json']);
    expect(r.code).toBe(2);
    expect(json(r)).toMatchObject({ code: 2, error: expect.stringContaining('is not a callq database'), failed_step: null, steps_done: [] });
    // A backup folder that cannot be made (a file stands in its path): the steps before the backup are done, and said so.
    initDb(db);
    const notFolder = join(dir, 'backups');
    writeFileSync(notFolder, 'a file, not a folder\n');
    const half = callq(['--db', db, 'maintain', '--json', '--backup', join(notFolder, 'nightly')]);
    expect(half.code).toBe(2);
    const report = json(half);
    expect(report).toMatchObject({ code: 2, failed_step: 'backup' });
    expect(report.steps_done).toContain('expired claims');
    expect(half.stderr).toMatch(/\(step 'backup'; done before it, and kept: .*expired claims/);
  });
});

describe('backup folders', () => {
  it('backup FILE in a folder that does not exist is refused, as --out is; maintain --backup DIR makes its folder, owner-only', () => {
    initDb(db);
    const typo = callq(['--db', db, 'backup', join(dir, 'bakcups', 'team.db')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`the folder ${join(dir, 'bakcups')} does not exist. Create it or choose another path for the backup.`);
    expect(existsSync(join(dir, 'bakcups'))).toBe(false);
    // --backup naming a file (the database, say) is refused before anything is done.
    const asFile = callq(['--db', db, 'maintain', '--backup', db]);
    expect(asFile.code).toBe(2);
    expect(asFile.stderr).toContain(`--backup takes a folder, and ${db} is a file`);
    const nightly = join(dir, 'nightly', 'callq');
    const r = callq(['--db', db, 'maintain', '--backup', nightly]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(nightly).mode & 0o777).toBe(0o700);
  });
});

describe('backups of a group-shared database', () => {
  // Giving a file another group needs root here (the tests run as root on CI); a member of the group may too.
  it.skipIf(process.getuid?.() !== 0)("keep the database's group and mode, whichever group the user's files get", () => {
    initDb(db);
    // The team's database, shared with a group as docs/setup.md shows (chgrp reps; chmod 660).
    const group = statSync('/').gid === 0 ? 1 : 0;
    chownSync(db, -1, group);
    chmodSync(db, 0o660);
    const file = join(dir, 'backup.db');
    const r = callq(['--db', db, 'backup', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).gid).toBe(group);
    expect(statSync(file).mode & 0o777).toBe(0o660);
    const rotated = callq(['--db', db, 'maintain', '--backup', join(dir, 'nightly'), '--keep', '2', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const written = json(rotated).backup.path as string;
    expect(statSync(written).gid).toBe(group);
  });
});
