// callq backup and restore of a SQLite file: SQLite only (the online copy of the file while others
// write, its integrity check, a stale -wal, a damaged or foreign file, an older or newer schema).
// Backup then restore, and --force, on both stores: test/both/admin.test.ts; PostgreSQL's own
// (pg_dump files, a database in use, a damaged or newer dump): test/pg/admin.test.ts.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { callq, initDb, callqAsync, json, openRaw, ROOT, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { SCHEMA_VERSION } from '../../src/db/migrations.js';
import { migrate } from '../../src/db/open.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

const count = (path: string, table = 'leads') => {
  const raw = new Database(path, { readonly: true });
  const n = raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  raw.close();
  return n;
};

const integrity = (path: string) => {
  const raw = new Database(path, { readonly: true });
  const result = raw.pragma('integrity_check', { simple: true });
  raw.close();
  return result;
};

/** A separate process that keeps inserting leads and calls in small transactions until killed. */
function startWriter(path: string) {
  const script = `
    const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
    const db = new Database(${JSON.stringify(path)});
    db.pragma('busy_timeout = 5000');
    const lead = db.prepare("INSERT INTO leads(first_name, phone, status, created_at, updated_at) VALUES ('W', ?, 'new', ?, ?)");
    const call = db.prepare("INSERT INTO calls(lead_id, rep, called_at, disposition, notes) VALUES (?, 'w', ?, 'no-answer', ?)");
    const write = db.transaction((i) => {
      for (let k = 0; k < 20; k++) {
        const now = new Date().toISOString();
        const id = lead.run('+1646' + String(1000000 + i * 20 + k), now, now).lastInsertRowid;
        call.run(id, now, 'note '.repeat(20));
      }
    });
    let i = 0;
    process.stdout.write('ready\\n');
    for (;;) write.immediate(i++);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((done) => child.stdout.once('data', () => done()));
  return { child, ready };
}

describe('callq backup', () => {
  it('writes a checked copy and refuses to overwrite an existing file unless --force', () => {
    seedLeads(db, Array.from({ length: 25 }, () => ({})));
    const file = join(dir, 'copy.db');
    const r = callq(['--db', db, 'backup', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ path: file, integrity: 'ok' });
    expect(count(file)).toBe(25);

    seedLeads(db, [{}]);
    const again = callq(['--db', db, 'backup', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(count(file)).toBe(25);
    const forced = callq(['--db', db, 'backup', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/integrity ok/);
    expect(count(file)).toBe(26);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // --force replaces an earlier backup, never a CSV or a PostgreSQL dump named by a typo.
    for (const [name, text] of [['handoff.csv', 'first_name,phone\nAnn,+12125550111\n'], ['team.dump', 'PGDMP\u0001\u000e\u0000rest']]) {
      const other = join(dir, name);
      writeFileSync(other, text);
      const refused = callq(['--db', db, 'backup', other, '--force']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`refusing to replace .*${name} with the backup: it is .*, not an earlier backup \\(a SQLite database\\)`));
      expect(readFileSync(other, 'utf8')).toBe(text);
    }
  });

  it.skipIf(!existsSync('/proc/self'))('maintain --backup in a folder the system refuses to create ends with exit 2, rather than spinning', () => {
    initDb(db);
    const r = callq(['--db', db, 'maintain', '--backup', '/proc/callq-backups']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot create the folder /proc/callq-backups');
  });

  it('refuses to back up onto the database itself', () => {
    initDb(db);
    const r = callq(['--db', db, 'backup', db, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refusing to write the backup ${db}: that is the database ${db}`);
  });

  it('takes a consistent copy while another process writes, and that copy restores to a sound database', async () => {
    seedLeads(db, Array.from({ length: 200 }, () => ({})));
    const writer = startWriter(db);
    await writer.ready;
    try {
      const file = join(dir, 'live.db');
      // The writer never stops: on a busy machine a step may wait for it longer than the default 5 s.
      const patient = { env: { CALLQ_BUSY_TIMEOUT: '2m' } };
      const r = await callqAsync(['--db', db, 'backup', file, '--json'], patient);
      expect(r.code, r.stderr).toBe(0);
      const r2 = await callqAsync(['--db', db, '--now', '2026-11-24T02:00:00Z', 'maintain', '--json', '--backup', join(dir, 'nightly')], patient);
      expect(r2.code, r2.stderr).toBe(0);
      for (const copy of [file, json(r2).backup.path]) {
        // Every lead the writer added came with its call in the same transaction: a torn copy would differ.
        expect(count(copy)).toBeGreaterThan(200);
        expect(count(copy, 'calls')).toBe(count(copy) - 200);
        const restored = join(dir, `restored-${copy === file ? 'a' : 'b'}.db`);
        const rr = callq(['--db', restored, 'restore', copy, '--json']);
        expect(rr.code, rr.stderr).toBe(0);
        expect(json(rr)).toMatchObject({ path: restored, integrity: 'ok', replaced: false, leads: count(copy) });
        expect(integrity(restored)).toBe('ok');
        expect(count(restored)).toBe(count(copy));
      }
    } finally {
      writer.child.kill();
    }
  });
});

describe('callq restore', () => {
  it('replaces an existing database only with --force, and only when nobody has it open', () => {
    seedLeads(db, Array.from({ length: 10 }, () => ({})));
    const file = join(dir, 'before.db');
    expect(callq(['--db', db, 'backup', file]).code).toBe(0);
    seedLeads(db, Array.from({ length: 5 }, () => ({})));

    const plain = callq(['--db', db, 'restore', file]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/already exists.*--force/);
    expect(count(db)).toBe(15);

    // A rep's session keeps its connection open between commands.
    const rep = openRaw(db);
    rep.pragma('journal_mode = WAL');
    rep.prepare('SELECT count(*) FROM leads').get();
    const busy = callq(['--db', db, 'restore', file, '--force']);
    expect(busy.code).toBe(75);
    expect(busy.stderr).toMatch(/in use by another process/);
    expect(rep.prepare('SELECT count(*) FROM leads').pluck().get()).toBe(15);
    rep.close();

    const ok = callq(['--db', db, 'restore', file, '--force', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ replaced: true, leads: 10, schema_version: SCHEMA_VERSION });
    expect(count(db)).toBe(10);
    expect(integrity(db)).toBe('ok');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('-journal'))).toEqual([]);
    // The restored database is an ordinary callq database again (WAL mode, usable by every command).
    const status = json(callq(['--db', db, 'status', '--json']));
    expect(status.leads).toBe(10);
    const raw = openRaw(db);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('replaces the database even when a stale -wal sits beside it', () => {
    seedLeads(db, Array.from({ length: 3 }, () => ({})));
    const file = join(dir, 'three.db');
    expect(callq(['--db', db, 'backup', file]).code).toBe(0);
    // A WAL left by another database must not be replayed into the restored one.
    const other = join(dir, 'other.db');
    const o = new Database(other);
    o.pragma('journal_mode = WAL');
    o.pragma('wal_autocheckpoint = 0');
    o.exec('CREATE TABLE junk(x); INSERT INTO junk VALUES (1)');
    copyFileSync(`${other}-wal`, `${db}-wal`);
    o.close();
    const r = callq(['--db', db, 'restore', file, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(count(db)).toBe(3);
    expect(integrity(db)).toBe('ok');
  });

  it('verifies the backup first: a damaged, foreign or newer file is refused and the database kept', () => {
    seedLeads(db, Array.from({ length: 3000 }, () => ({})));
    const damaged = join(dir, 'damaged.db');
    expect(callq(['--db', db, 'backup', damaged]).code).toBe(0);
    const raw = new Database(damaged, { readonly: true });
    const pages = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'leads' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(300, 0x5a), 0, 300, (pages[pages.length >> 1] - 1) * pageSize + 8);
    closeSync(fd);
    const bad = callq(['--db', db, 'restore', damaged, '--force']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/failed its integrity check.*nothing was restored/);

    const foreign = join(dir, 'foreign.db');
    new Database(foreign).exec('CREATE TABLE t(x)');
    const f = callq(['--db', db, 'restore', foreign, '--force']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/not a callq database/);

    const newer = join(dir, 'newer.db');
    expect(callq(['--db', db, 'backup', newer]).code).toBe(0);
    const n = new Database(newer);
    n.pragma('user_version = 99');
    n.close();
    const r = callq(['--db', db, 'restore', newer, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema version 99, newer than this callq/);

    const missing = callq(['--db', db, 'restore', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(count(db)).toBe(3000);
    expect(integrity(db)).toBe('ok');
  });

  it('brings a backup from an older schema up to this version', () => {
    const old = join(dir, 'v1.db');
    const raw = new Database(old);
    migrate(raw, 1);
    raw.prepare("INSERT INTO leads(phone, status, created_at, updated_at) VALUES ('+12125550101', 'new', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')").run();
    raw.close();
    const r = callq(['--db', db, 'restore', old, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ backup_schema_version: 1, schema_version: SCHEMA_VERSION, leads: 1, replaced: false });
  });

  it('never restores over a file that is not a database, even with --force: a --db typo keeps the file', () => {
    seedLeads(db, Array.from({ length: 2 }, () => ({})));
    const file = join(dir, 'good.db');
    expect(callq(['--db', db, 'backup', file]).code).toBe(0);
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'Name,Email,Phone\nZoë Müller,zoe@example.de,+49 30 1234567\n');
    const sheet = join(dir, 'leads.xlsx');
    writeFileSync(sheet, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)]));
    for (const [target, why] of [
      [csv, "it is a text file, not a SQLite database (it starts 'Name,Email,Phone')"],
      [sheet, 'it is a zip archive (a spreadsheet or document?), not a SQLite database'],
      [dir, 'it is a folder'],
    ]) {
      const before = target === dir ? readdirSync(dir).sort() : readFileSync(target);
      const r = callq(['--db', target, 'restore', file, '--force']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${target} is not replaced: ${why}.`);
      expect(r.stderr).toContain('nothing was restored');
      expect(target === dir ? readdirSync(dir).sort() : readFileSync(target)).toEqual(before);
    }
  });

  it('restores over a damaged database, the case it exists for', () => {
    seedLeads(db, Array.from({ length: 4 }, () => ({})));
    const file = join(dir, 'good.db');
    expect(callq(['--db', db, 'backup', file]).code).toBe(0);
    const raw = openRaw(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    writeFileSync(db, Buffer.concat([Buffer.from('garbage where a header was'), readFileSync(db).subarray(26)]));
    expect(callq(['--db', db, 'status']).code).toBe(5);
    const r = callq(['--db', db, 'restore', file, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(count(db)).toBe(4);
    expect(existsSync(`${db}-journal`)).toBe(false);
    // Its do-not-call list could not be read: the restore says what to do about that.
    expect(r.stderr).toMatch(/warning: the do-not-call list of the replaced database could not be read \(.+\): requests and 'forget's made since the backup are not in the restored one/);
  });
});
