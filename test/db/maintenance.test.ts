import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers.js';
import { openDatabase, type DB } from '../../src/db/open.js';
import { checkpoint, exhaustLeads, expireClaims } from '../../src/db/maintenance.js';
import { erasedValues, erasePerson, findPerson, findTraces, scrubTraces } from '../../src/db/forget.js';
import {
  BATCH_MAX,
  BATCH_MIN,
  backupFileName,
  doNotCallKeys,
  nextBatchSize,
  parseKeep,
  parseRetention,
  planRotation,
  retentionCutoff,
} from '../../src/core/maintenance.js';
import { suppressionKey } from '../../src/core/suppression.js';
import { UsageError } from '../../src/core/errors.js';

describe('maintenance planning (pure)', () => {
  it.each([
    ['2026-11-24T02:00:00.000Z', 'callq-2026-11-24T020000Z.db'],
    ['2026-01-05T23:59:59.999Z', 'callq-2026-01-05T235959Z.db'],
  ])('names the backup taken at %s %s', (at, name) => expect(backupFileName(new Date(at), new Date('2030-01-01T00:00:00Z'))).toBe(name));

  it('never names a backup later than the real clock: a what-if run with a future --now would outrank every real backup in rotation', () => {
    const real = new Date('2026-12-07T14:30:05Z');
    expect(backupFileName(new Date('2030-01-01T00:00:00Z'), real)).toBe('callq-2026-12-07T143005Z.db');
    expect(backupFileName(new Date('2026-11-24T02:00:00Z'), real, 'dump')).toBe('callq-2026-11-24T020000Z.dump');
  });

  it.each([
    [['callq-2026-11-22T020000Z.db', 'callq-2026-11-24T020000Z.db', 'callq-2026-11-23T020000Z.db'], 2, ['callq-2026-11-24T020000Z.db', 'callq-2026-11-23T020000Z.db'], ['callq-2026-11-22T020000Z.db']],
    [['callq-2026-11-22T020000Z.db', 'callq.db', 'callq-manual.db', 'x.txt', '.callq-2026-11-21T020000Z.db.1.backup.tmp'], 1, ['callq-2026-11-22T020000Z.db'], []],
    [[], 3, [], []],
  ])('rotation of %j keeping %i', (names, keep, kept, removed) => {
    expect(planRotation(names, keep)).toEqual({ keep: kept, remove: removed });
  });

  it.each([
    [500, 50, 250], // too slow: shrink toward the target
    [500, 25, 500],
    [500, 1, 1000], // fast: grow, at most doubling
    [8000, 0, BATCH_MAX],
    [60, 400, BATCH_MIN],
  ])('batch of %i that took %i ms → %i', (size, ms, next) => expect(nextBatchSize(size, ms)).toBe(next));

  it('cuts retention off in whole days before now', () => {
    expect(retentionCutoff(new Date('2026-11-24T07:00:00Z'), 365)).toBe('2025-11-24T07:00:00.000Z');
    expect(retentionCutoff(new Date('2026-11-24T07:00:00Z'), 0)).toBe('2026-11-24T07:00:00.000Z');
  });

  it.each(['0', '-1', 'x', '2.5'])('refuses --keep %s', (v) => expect(() => parseKeep(v)).toThrow(UsageError));
  it.each(['-1', 'soon', '99999'])('refuses --retention %s', (v) => expect(() => parseRetention(v)).toThrow(UsageError));

  it('a do-not-call lead leaves its phones and email on the list, not its domain', () => {
    const keys = doNotCallKeys({ phone: '+12125550101', alt_phones: '["+12125550102"]', email: 'Ana@Example.com' });
    expect(keys.map((k) => `${k.kind}:${k.value}`)).toEqual(['phone:+12125550101', 'phone:+12125550102', 'email:ana@example.com']);
    expect(doNotCallKeys({ phone: '', alt_phones: 'not json', email: null })).toEqual([]);
  });
});

let dir: string;
let cleanup: () => void;
let path: string;
let db: DB;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'team.db');
  db = openDatabase(path, { create: true });
});
afterEach(() => {
  db.close();
  cleanup();
});

function insertLeads(n: number, fields: Record<string, unknown> = {}): void {
  const cols = ['phone', 'status', 'created_at', 'updated_at', ...Object.keys(fields)];
  const insert = db.prepare(`INSERT INTO leads(${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      insert.run({ phone: `+1212${String(5000000 + i)}`, status: 'working', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', ...fields });
    }
  })();
}

const NOW = new Date('2026-11-24T07:00:00Z');

describe('batched steps', () => {
  it('change every candidate over several short transactions', async () => {
    insertLeads(3000, { attempts_since_contact: 8 });
    insertLeads(10, { attempts_since_contact: 2 });
    const progress: number[] = [];
    const n = await exhaustLeads(db, NOW, 8, { dryRun: false, onProgress: (done) => progress.push(done) });
    expect(n).toBe(3000);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(3000);
    expect(db.prepare("SELECT count(*) FROM leads WHERE status = 'exhausted' AND closed_at = ?").pluck().get(NOW.toISOString())).toBe(3000);
    expect(await exhaustLeads(db, NOW, 8, { dryRun: false })).toBe(0);
  });

  it('re-check each lead under the lock: one claimed again meanwhile is left alone', async () => {
    insertLeads(2000, { claim_rep: 'bo', claim_token: 'old', claim_expires_at: '2026-11-24T06:00:00Z' });
    const last = db.prepare('SELECT max(id) FROM leads').pluck().get() as number;
    const other = new Database(path);
    let reclaimed = false;
    const n = await expireClaims(db, NOW, {
      dryRun: false,
      onProgress: () => {
        // A rep's claim between two batches, from another connection.
        if (!reclaimed) other.prepare("UPDATE leads SET claim_token = 'new', claim_expires_at = '2026-11-24T07:15:00Z' WHERE id = ?").run(last);
        reclaimed = true;
      },
    });
    other.close();
    expect(n).toBe(1999);
    expect(db.prepare('SELECT claim_rep, claim_token FROM leads WHERE id = ?').get(last)).toEqual({ claim_rep: 'bo', claim_token: 'new' });
  });

  it('a dry run counts and changes nothing', async () => {
    insertLeads(700, { attempts_since_contact: 9 });
    expect(await exhaustLeads(db, NOW, 8, { dryRun: true })).toBe(700);
    expect(db.prepare("SELECT count(*) FROM leads WHERE status = 'exhausted'").pluck().get()).toBe(0);
  });
});

describe('checkpoint', () => {
  it('empties the WAL, or settles for PASSIVE while a reader holds an older snapshot', () => {
    insertLeads(100);
    const reader = new Database(path);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM leads').get(); // the read snapshot starts here
    insertLeads(100);
    const held = checkpoint(db, 20);
    expect(held.mode).toBe('passive');
    expect(held.wal_frames).toBeGreaterThan(0);
    reader.exec('COMMIT');
    reader.close();
    expect(checkpoint(db, 20).mode).toBe('truncate');
    expect(readFileSync(`${path}-wal`).length).toBe(0);
  });
});

describe('forgetting a person', () => {
  it('rebuilds the file when an earlier copy of their row survives in free space', () => {
    const insert = db.prepare("INSERT INTO leads(first_name, email, phone, status, created_at, updated_at) VALUES (?, ?, ?, 'new', ?, ?)");
    const neighbours = (tag: string) => {
      for (let i = 0; i < 50; i++) insert.run(`F${i}`, `user${tag}${i}@ex.com`, `+1212555${tag}${String(i).padStart(3, '0')}`, NOW.toISOString(), NOW.toISOString());
    };
    neighbours('1');
    const id = insert.run('Zeb', 'zeb@pond.example', '+14155559876', NOW.toISOString(), NOW.toISOString()).lastInsertRowid;
    neighbours('2');
    // A row that grows moves, and its old bytes stay behind in the page's free space.
    for (const n of [1, 40, 200]) db.prepare('UPDATE leads SET custom = ? WHERE id = ?').run(JSON.stringify({ note: 'x'.repeat(n) }), id);

    const person = findPerson(db, suppressionKey('email', 'ZEB@pond.example'));
    expect(person.leads.map((l) => l.id)).toEqual([Number(id)]);
    expect(erasePerson(db, person, NOW)).toEqual({ leads: 1, calls: 0, suppressions: 2 });
    const values = erasedValues(db, person);
    expect(values.sort()).toEqual(['+14155559876', 'zeb@pond.example']);
    checkpoint(db);
    expect(findTraces([path], values).length).toBeGreaterThan(0); // secure_delete alone did not reach the old copy

    const scrub = scrubTraces(db, path, values);
    expect(scrub).toMatchObject({ vacuumed: true, traces: [] });
    const bytes = Buffer.concat([path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    expect(bytes.includes('zeb@pond.example')).toBe(false);
    expect(bytes.includes('+14155559876')).toBe(false);
  });

  it('does not search for a value another lead still holds', () => {
    insertLeads(1, { email: 'shared@pond.example', phone: '+14155550000' });
    const insert = db.prepare("INSERT INTO leads(email, phone, status, created_at, updated_at) VALUES (?, ?, 'new', ?, ?)");
    insert.run('zeb@pond.example', '+14155550000', NOW.toISOString(), NOW.toISOString());
    const person = findPerson(db, suppressionKey('email', 'zeb@pond.example'));
    erasePerson(db, person, NOW);
    expect(erasedValues(db, person)).toEqual(['zeb@pond.example']);
  });

  it('finds a value split across two read chunks', () => {
    const file = join(dir, 'big.bin');
    const chunk = 16 * 1024 * 1024;
    const data = Buffer.alloc(chunk + 100, 0x20);
    data.write('needle@example.org', chunk - 7);
    writeFileSync(file, data);
    expect(findTraces([file], ['needle@example.org', 'absent'])).toEqual(['needle@example.org']);
  });
});
