import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase, PAGE_SIZE, schemaVersion } from '../../src/db/open.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/db/migrations.js';
import { UsageError } from '../../src/core/errors.js';
import { callq, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const columns = (db: Database.Database, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

describe('migrations', () => {
  it('create the whole schema in an empty file, with WAL and foreign keys', () => {
    const db = openDatabase(join(dir, 'a.db'), { create: true });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['calls', 'handoffs', 'imports', 'leads', 'settings', 'suppressions']));
    expect(columns(db, 'leads')).toEqual(
      expect.arrayContaining([
        'id', 'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'phone_raw', 'alt_phones', 'country', 'region',
        'postal_code', 'timezone', 'source', 'campaign', 'list', 'score', 'owner', 'custom', 'status', 'attempts',
        'first_call_at', 'last_call_at', 'next_eligible_at', 'callback_at', 'callback_rep', 'claim_rep', 'claim_token',
        'claim_expires_at', 'qualification', 'disqualify_reason', 'handoff_id', 'import_id', 'created_at', 'updated_at',
      ]),
    );
    expect(columns(db, 'calls')).toEqual(
      expect.arrayContaining(['id', 'lead_id', 'rep', 'called_at', 'disposition', 'reason', 'notes', 'callback_at', 'duration_s']),
    );
    expect(columns(db, 'imports')).toEqual(
      expect.arrayContaining(['file_name', 'file_hash', 'options', 'inserted', 'updated', 'duplicates', 'rejected', 'suppressed', 'created_at']),
    );
    expect(columns(db, 'suppressions')).toEqual(expect.arrayContaining(['kind', 'value', 'reason', 'source', 'created_at']));
    expect(columns(db, 'handoffs')).toEqual(expect.arrayContaining(['created_at', 'destination', 'lead_count', 'profile']));
    db.close();
  });

  it('gives a new file 8 kB pages, and leaves the page size of an existing file alone', () => {
    const fresh = openDatabase(join(dir, 'new.db'), { create: true });
    expect(fresh.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    fresh.close();
    const oldPath = join(dir, 'old.db');
    const raw = new Database(oldPath);
    raw.pragma('page_size = 4096');
    migrate(raw, 1);
    raw.close();
    const upgraded = openDatabase(oldPath, { create: true });
    expect(schemaVersion(upgraded)).toBe(SCHEMA_VERSION);
    expect(upgraded.pragma('page_size', { simple: true })).toBe(4096);
    expect(upgraded.pragma('integrity_check', { simple: true })).toBe('ok');
    upgraded.close();
  });

  it('re-running is a no-op', () => {
    const path = join(dir, 'a.db');
    openDatabase(path, { create: true }).close();
    const db = openDatabase(path, { create: true });
    const before = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all();
    migrate(db);
    expect(db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all()).toEqual(before);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('migrate from N−1 keeps the rows written at N−1', () => {
    const path = join(dir, 'a.db');
    const raw = new Database(path);
    migrate(raw, SCHEMA_VERSION - 1);
    expect(schemaVersion(raw)).toBe(SCHEMA_VERSION - 1);
    if (SCHEMA_VERSION - 1 >= 1) raw.prepare("INSERT INTO settings(key, value, updated_at) VALUES ('hours.end', '18:00', 'x')").run();
    raw.close();
    const db = openDatabase(path, { create: true });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    if (SCHEMA_VERSION - 1 >= 1) expect(db.prepare("SELECT value FROM settings WHERE key = 'hours.end'").pluck().get()).toBe('18:00');
    db.close();
    expect(MIGRATIONS).toHaveLength(SCHEMA_VERSION);
  });

  it('refuses a newer schema without touching the file', () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = DELETE');
    raw.exec('CREATE TABLE mystery(x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = readFileSync(path);
    expect(() => openDatabase(path, { create: true })).toThrow(UsageError);
    expect(() => openDatabase(path, { create: true })).toThrow(/newer than this callq understands/);
    const result = callq(['--db', path, 'status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/schema version 2|newer than this callq/);
    expect(result.stdout).toBe('');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('turns a damaged database into an integrity error (exit 5), and a text file named as one into a usage error (exit 2)', () => {
    const path = join(dir, 'junk.db');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from('garbage, not pages '.repeat(300))]));
    const damaged = callq(['--db', path, 'status']);
    expect(damaged.code).toBe(5);
    expect(damaged.stderr).toMatch(/not a usable callq database|damaged/);
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'this is not a database at all, just text'.repeat(200));
    const typo = callq(['--db', text, 'status']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("is not a callq database: it is a text file, not a SQLite database (it starts 'this is not a database at all");
  });

  it('keeps the call log append-only except for erasing notes', () => {
    const db = openDatabase(join(dir, 'a.db'), { create: true });
    db.prepare("INSERT INTO leads(id, phone, created_at, updated_at) VALUES (1, '+12125550100', 'x', 'x')").run();
    db.prepare("INSERT INTO calls(lead_id, rep, called_at, disposition, notes) VALUES (1, 'ana', 't', 'busy', 'secret')").run();
    expect(() => db.prepare("UPDATE calls SET disposition = 'qualified'").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE calls SET notes = 'changed'").run()).toThrow(/append-only/);
    db.prepare('UPDATE calls SET notes = NULL').run();
    expect(db.prepare('SELECT notes FROM calls').pluck().get()).toBeNull();
    db.close();
  });
});

describe('migration 3: indexed alternate phones', () => {
  it('backfills existing alternates and keeps them in step with leads.alt_phones', () => {
    const { dir: d, cleanup: done } = tempDir();
    try {
      const path = join(d, 'alt.db');
      const raw = new Database(path);
      migrate(raw, 2);
      raw.prepare(`INSERT INTO leads(id, phone, alt_phones, created_at, updated_at) VALUES (1, '+12125550100', '["+12125550101","+12125550102"]', 'x', 'x')`).run();
      raw.close();
      const db = openDatabase(path, { create: true });
      const alts = () => db.prepare('SELECT phone FROM lead_alt_phones WHERE lead_id = 1 ORDER BY phone').pluck().all();
      expect(alts()).toEqual(['+12125550101', '+12125550102']);
      db.prepare(`UPDATE leads SET alt_phones = '["+12125550109"]' WHERE id = 1`).run();
      expect(alts()).toEqual(['+12125550109']);
      db.prepare(`INSERT INTO leads(id, phone, alt_phones, created_at, updated_at) VALUES (2, '+1', '["+12125550200"]', 'x', 'x')`).run();
      expect(db.prepare("SELECT lead_id FROM lead_alt_phones WHERE phone = '+12125550200'").pluck().get()).toBe(2);
      db.prepare('DELETE FROM leads WHERE id = 1').run();
      expect(alts()).toEqual([]);
      db.close();
    } finally {
      done();
    }
  });
});

describe('migration 4: extensions and external-id systems', () => {
  it('adds phone_ext and external_system, empty on the leads already there, and keeps them', () => {
    const { dir: d, cleanup: done } = tempDir();
    try {
      const path = join(d, 'ext.db');
      const raw = new Database(path);
      migrate(raw, 3);
      expect(columns(raw, 'leads')).not.toContain('phone_ext');
      raw.prepare(`INSERT INTO leads(id, phone, external_id, created_at, updated_at) VALUES (1, '+12127363001', '7', 'x', 'x')`).run();
      raw.close();
      const db = openDatabase(path, { create: true });
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT phone, phone_ext, external_id, external_system FROM leads WHERE id = 1').get()).toEqual({
        phone: '+12127363001',
        phone_ext: null,
        external_id: '7',
        external_system: null,
      });
      db.prepare(`INSERT INTO leads(id, phone, phone_ext, external_id, external_system, created_at, updated_at)
                  VALUES (2, '+12127363001', '101', '00Q5e00000AbCdE', 'salesforce', 'x', 'x')`).run();
      expect(db.prepare('SELECT phone_ext, external_system FROM leads WHERE id = 2').get()).toEqual({ phone_ext: '101', external_system: 'salesforce' });
      db.close();
    } finally {
      done();
    }
  });
});

describe('migration 5: imports that run while reps work', () => {
  it("allows status 'importing' (and still refuses unknown ones), gives batches a state, stages merges", () => {
    const db = new Database(join(dir, 'v3.db'));
    try {
      migrate(db, 4);
      const T = '2026-10-01T12:00:00.000Z';
      db.prepare(`INSERT INTO imports(file_name, created_at) VALUES ('a.csv', ?)`).run(T);
      db.prepare(`INSERT INTO leads(phone, status, import_id, created_at, updated_at) VALUES ('+12125550101', 'new', 1, ?, ?)`).run(T, T);
      expect(() => db.prepare(`INSERT INTO leads(phone, status, created_at, updated_at) VALUES ('+12125550102', 'importing', ?, ?)`).run(T, T)).toThrow(/CHECK/);
      migrate(db, 5);
      expect(db.prepare('SELECT state, pid FROM imports').get()).toEqual({ state: 'complete', pid: null });
      db.prepare(`INSERT INTO leads(phone, status, import_id, created_at, updated_at) VALUES ('+12125550102', 'importing', 1, ?, ?)`).run(T, T);
      expect(() => db.prepare(`INSERT INTO leads(phone, status, created_at, updated_at) VALUES ('+12125550103', 'pending', ?, ?)`).run(T, T)).toThrow(/CHECK/);
      expect(() => db.prepare(`UPDATE imports SET state = 'paused'`).run()).toThrow(/CHECK/);
      expect(columns(db, 'import_updates')).toEqual(['import_id', 'lead_id', 'merged']);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) FROM leads').pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });
});
