// Every file callq writes: where it really goes (symlinks, FIFOs, stdout), what it must never
// overwrite (the database, its side files, the input), who may read it (modes under umask 022),
// what a killed run leaves and who removes it, and which commands may create a database.
// On the SQLite store only: these are about files (the database file and its side files, modes,
// the ./callq.db default) or are settled before any store is read (--out, --rejects, the rep
// name). What an export writes from either store, formula cells included, and a killed export
// are in test/both/export-files.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { BIN, callq, initDb, json, openRaw, tempDir, type RunResult } from '../helpers.js';
import { seedLeads } from '../seed.js';

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'team.db');
});
afterEach(() => cleanup());

const NOW = '2026-11-24T16:00:00Z';
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ana' };
const q = (args: string[], env: Record<string, string> = {}) => callq(['--db', db, '--now', NOW, ...args], { env, cwd: dir });
const file = (name: string) => join(dir, name);
const mode = (path: string) => statSync(path).mode & 0o777;
const csvRows = (text: string): string[][] => parse(text, { relax_column_count: true });

/** The binary run under `umask 022` (the common default, which makes new files 0644). */
function withUmask022(args: string[], cwd = dir): RunResult {
  const r = spawnSync('sh', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN, ...args], { env: ENV, cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function sql<T = any>(path: string, query: string): T[] {
  const raw = openRaw(path);
  try {
    const stmt = raw.prepare(query);
    return (stmt.reader ? stmt.all() : (stmt.run(), [])) as T[];
  } finally {
    raw.close();
  }
}

/** A database whose calls export has rows: one lead called once. */
function withOneCall(): void {
  const [id] = seedLeads(db, [{ first_name: 'Ana' }]);
  const r = q(['log', String(id), 'no-answer', '--force']);
  expect(r.code, r.stderr).toBe(0);
}

/** Many leads with long notes, so a backup or export takes long enough to be interrupted. */
function bulk(path: string, n: number, status = 'sales-ready'): void {
  sql(
    path,
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})
     INSERT INTO leads(first_name, last_name, company, phone, status, qualification, handoff_note, closed_at, created_at, updated_at)
     SELECT 'First' || i, 'Last' || i, 'Company ' || i, '+1212' || substr('0000000' || i, -7), '${status}',
            '{"need":"x","timeframe":"Q1","authority":"VP"}', printf('%.1500c', 'n'), '${NOW}', '${NOW}', '${NOW}'
     FROM seq`,
  );
}

const start = (args: string[]): ChildProcess => spawn(process.execPath, [BIN, '--db', db, '--now', NOW, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
    else child.on('close', (code, signal) => done({ code, signal }));
  });

/** Polls `folder` until a callq temporary file appears; fails if the command ends first. */
async function waitForTemp(child: ChildProcess, folder: string): Promise<string> {
  for (;;) {
    const temp = readdirSync(folder).find((n) => n.endsWith('.callq-tmp'));
    if (temp) return temp;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the command ended (exit ${child.exitCode}) before its temporary file was seen`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('export --out: where the file really goes', () => {
  it('writes through a symlink to its target and keeps the link', () => {
    withOneCall();
    mkdirSync(file('share'));
    symlinkSync(join('share', 'calls.csv'), file('link.csv'));
    const r = q(['export', 'calls', '--out', file('link.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(file('link.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(file('link.csv'))).toBe(join('share', 'calls.csv'));
    const rows = csvRows(readFileSync(file('share/calls.csv'), 'utf8'));
    expect(rows[0][0]).toBe('call_id');
    expect(rows[1]).toContain('Ana');
    expect(readdirSync(file('share'))).toEqual(['calls.csv']);
  });

  it.skipIf(process.getuid?.() !== 0)("refuses a symlink another user planted in a shared sticky folder (/tmp's kind), and follows the folder owner's or its own", () => {
    withOneCall();
    const shared = file('shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    writeFileSync(file('theirs.csv'), 'a,b\n');
    chmodSync(file('theirs.csv'), 0o666);
    symlinkSync(file('theirs.csv'), join(shared, 'handoff.csv'));
    lchownSync(join(shared, 'handoff.csv'), 65534, 65534); // nobody's link
    const r = q(['export', 'calls', '--out', join(shared, 'handoff.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refusing to write --out ${join(shared, 'handoff.csv')}: it is a symbolic link another user (uid 65534) put in the shared folder ${shared}`);
    expect(readFileSync(file('theirs.csv'), 'utf8')).toBe('a,b\n');
    // A link of one's own there is followed, as anywhere.
    symlinkSync(file('mine.csv'), join(shared, 'mine.csv'));
    expect(q(['export', 'calls', '--out', join(shared, 'mine.csv')]).code).toBe(0);
    expect(readFileSync(file('mine.csv'), 'utf8')).toContain('call_id');
  });

  it('writes into a FIFO as it is, for the reader at the other end', async () => {
    withOneCall();
    const fifo = file('pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (d) => (received += d));
    const readerDone = exited(reader);
    const r = q(['export', 'calls', '--out', fifo]);
    expect(r.code, r.stderr).toBe(0);
    await readerDone;
    expect(csvRows(received)[1]).toContain('Ana');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("'-' is stdout", () => {
    withOneCall();
    const r = q(['export', 'calls', '--out', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(csvRows(r.stdout)[1]).toContain('Ana');
    expect(existsSync(file('-'))).toBe(false);
  });

  it('/dev/stdout, a link to whatever stdout is (here a pipe), is written as it is', () => {
    withOneCall();
    const r = spawnSync('sh', ['-c', '"$0" "$@" | cat', process.execPath, BIN, '--db', db, 'export', 'calls', '--out', '/dev/stdout'], { env: ENV, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(csvRows(r.stdout)[1]).toContain('Ana');
    expect(r.stderr).toMatch(/Exported 1 call to \/dev\/stdout/);
  });

  it('refuses the database, its -wal file and a symlink to the database (exit 2, database intact)', () => {
    withOneCall();
    const before = readFileSync(db);
    symlinkSync(db, file('innocent.csv'));
    for (const target of [db, `${db}-wal`, file('innocent.csv')]) {
      const r = q(['export', 'calls', '--out', target]);
      expect(r.code, `${target}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`refusing to write --out ${target}`);
      expect(r.stderr).toContain(db);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(lstatSync(file('innocent.csv')).isSymbolicLink()).toBe(true);
    expect(sql(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(sql(db, 'SELECT count(*) AS n FROM calls')).toEqual([{ n: 1 }]);
  });

  it('keeps the mode of the file it replaces; a new file is owner-only', () => {
    withOneCall();
    const fresh = withUmask022(['--db', db, '--now', NOW, 'export', 'calls', '--out', file('new.csv')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(mode(file('new.csv'))).toBe(0o600);
    writeFileSync(file('shared.csv'), 'old\n');
    chmodSync(file('shared.csv'), 0o640);
    const again = withUmask022(['--db', db, '--now', NOW, 'export', 'calls', '--out', file('shared.csv')]);
    expect(again.code, again.stderr).toBe(0);
    expect(mode(file('shared.csv'))).toBe(0o640);
    expect(readFileSync(file('shared.csv'), 'utf8')).toMatch(/^call_id/);
    // A group's file, as a team shares it, is no warning; one every user may read is.
    expect(again.stderr).not.toContain('warning');
    chmodSync(file('shared.csv'), 0o644);
    const open = withUmask022(['--db', db, '--now', NOW, 'export', 'calls', '--out', file('shared.csv')]);
    expect(open.code, open.stderr).toBe(0);
    expect(mode(file('shared.csv'))).toBe(0o644);
    expect(open.stderr).toContain(`warning: ${file('shared.csv')} is readable by every user of this machine (mode 0644), and callq keeps the mode of a file it replaces: 'chmod 600 ${file('shared.csv')}' makes it yours alone.`);
  });
});

describe('import --rejects', () => {
  const list = (name: string, text: string) => (writeFileSync(file(name), text), file(name));
  const LIST = 'name,phone,company\nAna,+14155550100,Acme\nBo,=HYPERLINK("http://x","y"),@SUM(1)\nCy,,Zed,x,y,z,w\nDi,not a phone\n';
  // The database `callq init` makes (a copy of one it made once per test process: initDb).
  const init = () => initDb(db);
  const leads = () => sql(db, 'SELECT count(*) AS n FROM leads')[0].n;

  it('refuses the list being read, and changes neither it nor the database', () => {
    init();
    const input = list('leads.csv', LIST);
    const r = q(['import', input, '--rejects', input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refusing to write --rejects ${input}: that is the file being imported ${input}`);
    expect(readFileSync(input, 'utf8')).toBe(LIST);
    expect(leads()).toBe(0);
  });

  it('refuses the database and its side files', () => {
    init();
    const input = list('leads.csv', LIST);
    for (const target of [db, `${db}-shm`, `${db}-journal`]) {
      const r = q(['import', input, '--rejects', target]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refusing to write --rejects .*that is the database/);
    }
    expect(sql(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(leads()).toBe(0);
  });

  it('refuses a folder before importing anything, so a retry is not left with only duplicates', () => {
    init();
    mkdirSync(file('out'));
    const r = q(['import', list('leads.csv', LIST), '--rejects', file('out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a folder/);
    expect(leads()).toBe(0);
    expect(sql(db, 'SELECT count(*) AS n FROM imports')[0].n).toBe(0);
    const missing = q(['import', file('leads.csv'), '--rejects', file('nowhere/rejects.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/folder .*nowhere does not exist/);
    expect(leads()).toBe(0);
  });

  it("'-' writes the rejected rows to stdout (the summary stays on stderr); with --json it is refused", () => {
    init();
    const input = list('leads.csv', LIST);
    const r = q(['import', input, '--rejects', '-']);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['name', 'phone', 'company', 'line', 'reason', 'detail']);
    expect(rows.slice(1).map((row) => row[0])).toEqual(['Bo', 'Cy', 'Di']);
    expect(r.stderr).toMatch(/Rejected rows written to stdout/);
    expect(existsSync(file('-'))).toBe(false);

    const both = q(['import', list('more.csv', 'name,phone\nEd,nope\n'), '--rejects', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--rejects - .*--json/);
    expect(both.stdout).toBe('');
  });

  it('neutralises formula cells as exports do, keeps E.164 phones, and --raw writes them as they came', () => {
    init();
    const input = list('leads.csv', 'name,phone,company\n=cmd|x,=HYPERLINK("http://x"),+Acme\n@Bo,+1415555,-5+A1\n');
    const r = q(['import', input, '--rejects', file('rejects.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(readFileSync(file('rejects.csv'), 'utf8'));
    expect(rows[1].slice(0, 3)).toEqual(["'=cmd|x", `'=HYPERLINK("http://x")`, "'+Acme"]);
    // An E.164-shaped phone stays as it is (a spreadsheet reads it as a number, never a formula).
    expect(rows[2].slice(0, 3)).toEqual(["'@Bo", '+1415555', "'-5+A1"]);
    expect(mode(file('rejects.csv'))).toBe(0o600);

    const raw = q(['import', input, '--rejects', file('raw.csv'), '--raw']);
    expect(raw.code, raw.stderr).toBe(0);
    const rawRows = csvRows(readFileSync(file('raw.csv'), 'utf8'));
    expect(rawRows[1].slice(0, 3)).toEqual(['=cmd|x', '=HYPERLINK("http://x")', '+Acme']);
  });

  it('keeps every cell of a wide rejected record, and pads a short one', () => {
    init();
    const wide = Array.from({ length: 40 }, (_, i) => `cell${i}`);
    const input = list('leads.csv', `name,phone,company\nAna,+14155550100,Acme\n${wide.join(',')}\nBo\n`);
    const r = q(['import', input, '--rejects', file('rejects.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(readFileSync(file('rejects.csv'), 'utf8'));
    expect(rows[0]).toEqual(['name', 'phone', 'company', 'line', 'reason', 'detail']);
    expect(rows[1]).toEqual([...wide.slice(0, 3), '3', 'malformed', '40 fields, header has 3', ...wide.slice(3)]);
    expect(rows[2].slice(0, 5)).toEqual(['Bo', '', '', '4', rows[2][4]]);
    expect(rows[2]).toHaveLength(6);
  });
});

describe('files holding leads are owner-only under umask 022', () => {
  it('the database (and its -wal and -shm), backups, exports and rejects files', () => {
    const created = withUmask022(['--db', db, 'init']);
    expect(created.code, created.stderr).toBe(0);
    expect(mode(db)).toBe(0o600);
    writeFileSync(file('leads.csv'), 'name,phone\nAna,+14155550100\nBo,nope\n');
    const viaImport = withUmask022(['--db', file('imported.db'), 'import', file('leads.csv'), '--rejects', file('rejects.csv')]);
    expect(viaImport.code, viaImport.stderr).toBe(0);
    expect(mode(file('imported.db'))).toBe(0o600);
    expect(mode(file('rejects.csv'))).toBe(0o600);
    // SQLite gives the side files the database's mode, whatever the umask of the process.
    const open = new Database(file('imported.db'));
    open.prepare("UPDATE leads SET company = 'x'").run();
    expect(mode(file('imported.db-wal'))).toBe(0o600);
    expect(mode(file('imported.db-shm'))).toBe(0o600);
    open.close();

    const backup = withUmask022(['--db', file('imported.db'), 'backup', file('copy.db')]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(mode(file('copy.db'))).toBe(0o600);
    const maintained = withUmask022(['--db', file('imported.db'), 'maintain', '--backup', file('nightly')]);
    expect(maintained.code, maintained.stderr).toBe(0);
    for (const name of readdirSync(file('nightly'))) expect(mode(join(file('nightly'), name))).toBe(0o600);
    const exported = withUmask022(['--db', file('imported.db'), 'export', 'cleanup', '--out', file('cleanup.csv')]);
    expect([0, 3]).toContain(exported.code);
    const log = withUmask022(['--db', file('imported.db'), '--now', NOW, 'log', '1', 'do-not-call', '--force']);
    expect(log.code, log.stderr).toBe(0);
    const exported2 = withUmask022(['--db', file('imported.db'), 'export', 'cleanup', '--out', file('cleanup.csv')]);
    expect(exported2.code, exported2.stderr).toBe(0);
    expect(mode(file('cleanup.csv'))).toBe(0o600);
  });

  it("a backup keeps the database's mode, and a restore keeps the mode of the database it replaces", () => {
    seedLeads(db, [{}, {}]);
    chmodSync(db, 0o600);
    expect(withUmask022(['--db', db, 'backup', file('a.db')]).code).toBe(0);
    expect(mode(file('a.db'))).toBe(0o600);
    chmodSync(db, 0o640);
    expect(withUmask022(['--db', db, 'backup', file('b.db')]).code).toBe(0);
    expect(mode(file('b.db'))).toBe(0o640);

    chmodSync(db, 0o600);
    const r = withUmask022(['--db', db, 'restore', file('b.db'), '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(db)).toBe(0o600);
    expect(sql(db, 'SELECT count(*) AS n FROM leads')[0].n).toBe(2);
  });
});

describe('a database or rejects file every user may read', () => {
  it('init, status and maintain say so for a database made by hand; a group\'s file is no warning', () => {
    // `touch team.db` under umask 022, then `callq init`: the file keeps 0644.
    writeFileSync(db, '');
    chmodSync(db, 0o644);
    const init = withUmask022(['--db', db, 'init']);
    expect(init.code, init.stderr).toBe(0);
    expect(mode(db)).toBe(0o644);
    expect(init.stderr).toContain(`warning: the database ${db} is readable by every user`);
    const warning = `warning: the database ${db} is readable by every user of this machine (mode 0644): anyone here may read its leads. ` +
      `'chmod 600 ${db}' makes it yours alone, or 'chgrp GROUP ${db}; chmod 660 ${db}' your team's (docs/setup.md, "Files and privacy").`;
    for (const args of [['status'], ['status', '--json'], ['maintain'], ['maintain', '--dry-run']]) {
      const r = withUmask022(['--db', db, '--now', NOW, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, args.join(' ')).toContain(warning);
      expect(r.stdout).not.toContain('warning');
    }
    // A rep's command says nothing: the warning is for whoever looks after the file.
    expect(withUmask022(['--db', db, '--now', NOW, 'queue']).stderr).not.toContain('readable by every user');
    chmodSync(db, 0o660);
    for (const args of [['init'], ['status'], ['maintain']]) {
      const r = withUmask022(['--db', db, '--now', NOW, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('warning');
    }
  });

  it('import --rejects replacing a file every user may read says so, as an export does', () => {
    initDb(db);
    writeFileSync(file('leads.csv'), 'name,phone\nAna,+14155550100\nBo,nope\n');
    writeFileSync(file('rejects.csv'), 'old\n');
    chmodSync(file('rejects.csv'), 0o644);
    const r = withUmask022(['--db', db, '--now', NOW, 'import', file('leads.csv'), '--rejects', file('rejects.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(file('rejects.csv'))).toBe(0o644);
    expect(readFileSync(file('rejects.csv'), 'utf8')).toContain('Bo');
    expect(r.stderr).toContain(`warning: ${file('rejects.csv')} is readable by every user of this machine (mode 0644), and callq keeps the mode of a file it replaces: 'chmod 600 ${file('rejects.csv')}' makes it yours alone.`);
    chmodSync(file('rejects.csv'), 0o640);
    const again = withUmask022(['--db', db, '--now', NOW, 'import', file('leads.csv'), '--rejects', file('rejects.csv')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('readable by every user');
  });
});

describe('backup and restore targets', () => {
  it("a backup is never written over the database's side files, nor to stdout; restore may create a missing database", () => {
    seedLeads(db, [{}, {}]);
    for (const target of [`${db}-wal`, `${db}-journal`]) {
      const r = q(['backup', target, '--force']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`refusing to write the backup ${target}: that is the database's`);
      expect(existsSync(`${db}-journal`)).toBe(false);
    }
    const dash = callq(['--db', db, 'backup', '-'], { cwd: dir });
    expect(dash.code).toBe(2);
    expect(dash.stderr).toMatch(/cannot go to stdout/);
    expect(existsSync(file('-'))).toBe(false);
    expect(q(['backup', file('copy.db')]).code).toBe(0);
    const fresh = callq(['--db', file('new.db'), 'restore', file('copy.db')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(sql(file('new.db'), 'SELECT count(*) AS n FROM leads')[0].n).toBe(2);
    expect(mode(file('new.db'))).toBe(0o600);
  });
});

describe('what a killed run leaves behind', () => {
  it('Ctrl-C during a backup leaves a hidden copy that the next backup removes', async () => {
    seedLeads(db, [{}]);
    bulk(db, 40_000);
    mkdirSync(file('backups'));
    const child = start(['backup', file('backups/first.db')]);
    const temp = await waitForTemp(child, file('backups'));
    child.kill('SIGINT');
    const end = await exited(child);
    expect(end.code === 130 || end.signal === 'SIGINT', JSON.stringify(end)).toBe(true);
    // The copy ran inside SQLite, where no signal handler can act: the temp stays...
    expect(readdirSync(file('backups'))).toContain(temp);
    // ...until the next run writing into that folder.
    const again = q(['backup', file('backups/second.db')]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(file('backups'))).toEqual(['second.db']);
  }, 120_000);

  it('Ctrl-C during maintain --backup: the next maintain removes the leftover', async () => {
    seedLeads(db, [{}]);
    bulk(db, 40_000);
    const child = start(['maintain', '--backup', file('nightly')]);
    for (;;) {
      if (existsSync(file('nightly'))) break;
      if (child.exitCode !== null) throw new Error(`maintain ended (exit ${child.exitCode}) before it created its backup folder`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const temp = await waitForTemp(child, file('nightly'));
    child.kill('SIGINT');
    await exited(child);
    expect(readdirSync(file('nightly'))).toContain(temp);
    const r = q(['maintain', '--json', '--backup', file('nightly')]);
    expect(r.code, r.stderr).toBe(0);
    // The copy, and the journal SQLite may have kept beside it.
    expect(json(r).temp_files.removed).toContain(join(file('nightly'), temp));
    expect(readdirSync(file('nightly')).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 120_000);

  it("a killed export's temporary file is removed by maintain, and by the next export into its folder", async () => {
    seedLeads(db, [{}]);
    bulk(db, 20_000);
    const kill = async (out: string) => {
      const child = start(['export', 'sales-ready', '--no-mark', '--out', out]);
      const temp = await waitForTemp(child, dir);
      child.kill('SIGKILL');
      await exited(child);
      expect(readdirSync(dir)).toContain(temp);
      return temp;
    };
    const first = await kill(file('handoff.csv'));
    const m = q(['maintain', '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(json(m).temp_files.removed).toEqual([file(first)]);
    expect(readdirSync(dir)).not.toContain(first);

    const second = await kill(file('handoff.csv'));
    const e = q(['export', 'cleanup', '--out', file('other.csv')]);
    expect([0, 3]).toContain(e.code);
    expect(readdirSync(dir)).not.toContain(second);
  }, 120_000);

  it('forget removes hidden copies left beside the database', async () => {
    const [id] = seedLeads(db, [{ phone: '+14155550123' }]);
    bulk(db, 20_000);
    const child = start(['export', 'sales-ready', '--no-mark', '--out', file('handoff.csv')]);
    const temp = await waitForTemp(child, dir);
    child.kill('SIGKILL');
    await exited(child);
    const r = q(['forget', '+14155550123', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ leads: 1, temp_files_removed: 1, temp_files_failed: [] });
    expect(readdirSync(dir)).not.toContain(temp);
    expect(sql(db, `SELECT count(*) AS n FROM leads WHERE id = ${id}`)[0].n).toBe(0);
  }, 120_000);
});

describe('a folder without a database', () => {
  const refused: string[][] = [
    ['next'], ['next', '--skip'], ['status'], ['config', 'list'], ['config', 'set', 'hours.end', '18:00'], ['log', '1', 'no-answer', '--force'],
    ['release'], ['queue'], ['why', '1'], ['show', '1'], ['export', 'calls'], ['export', 'sales-ready', '--out', 'x.csv'], ['export', 'cleanup'],
    ['report', 'funnel'], ['maintain'], ['dnc', 'add', '+14155550100'], ['dnc', 'list'], ['dnc', 'import', 'dnc.txt'], ['forget', '+14155550100', '--yes'],
    ['backup', 'b.db'], ['imports'], ['import', 'undo', '1'],
  ];

  it('every command but init and import refuses it (exit 2), naming the path, and creates nothing', () => {
    writeFileSync(file('dnc.txt'), '+14155550100\n');
    for (const args of refused) {
      const r = callq(args, { cwd: dir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(`no database at ${join(dir, 'callq.db')}`);
      expect(r.stderr).toMatch(/callq init.*--db.*CALLQ_DB/);
      expect(readdirSync(dir).sort(), args.join(' ')).toEqual(['dnc.txt']);
    }
  });

  it('the same through CALLQ_DB; an empty CALLQ_DB counts as unset', () => {
    const viaEnv = callq(['next'], { cwd: dir, env: { CALLQ_DB: file('team.db') } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(`no database at ${file('team.db')}`);
    const empty = callq(['status'], { cwd: dir, env: { CALLQ_DB: '' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`no database at ${join(dir, 'callq.db')}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('init and import create it', () => {
    expect(callq(['init'], { cwd: dir }).code).toBe(0);
    expect(existsSync(file('callq.db'))).toBe(true);
    writeFileSync(file('leads.csv'), 'name,phone\nAna,+14155550100\n');
    const r = callq(['--db', file('other.db'), 'import', file('leads.csv')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(file('other.db'))).toBe(true);
  });
});

describe('an empty CALLQ_REP', () => {
  it('counts as unset: the OS user name is the rep', () => {
    const [id] = seedLeads(db, [{}]);
    const r = callq(['--db', db, '--now', NOW, 'log', String(id), 'no-answer', '--force'], { env: { CALLQ_REP: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(sql(db, 'SELECT rep FROM calls')).toEqual([{ rep: userInfo().username }]);
    const flag = callq(['--db', db, '--rep', '', 'status']);
    expect(flag.code).toBe(2);
  });
});
