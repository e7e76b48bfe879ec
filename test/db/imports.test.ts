// The import's writer on its own (src/db/imports.ts): new leads are buffered and written a batch
// at a time, so these check what must hold while rows wait in the buffer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { beginImport, type WriterOptions } from '../../src/db/import-writer.js';
import { NO_COUNTS, WRITER_NOW, writerOptions } from './writer-options.js';
import { LEAD_COLUMNS, TUPLE_COLUMNS, type LeadTuple } from '../../src/io/lead-record.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let db: DB;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(join(dir, 'w.db'), { create: true });
});
afterEach(() => {
  db.close();
  cleanup();
});

const NOW = WRITER_NOW;
const COUNTS = NO_COUNTS;
const options = (over: Partial<WriterOptions> = {}): WriterOptions => writerOptions(10, over);

/** A lead tuple with a phone, zone and rank, and whatever else is given. */
function tuple(n: number, values: Record<string, string | number | null> = {}): LeadTuple {
  const lead: Record<string, string | number | null> = {
    phone: `+1212734${String(5500 + n).padStart(4, '0')}`,
    phone_raw: `(212) 734-${5500 + n}`,
    timezone: 'America/New_York',
    timezone_source: 'phone',
    queue_rank: n,
    ...values,
  };
  return TUPLE_COLUMNS.map((c) => (lead as Record<string, unknown>)[c] ?? null) as LeadTuple;
}

const leads = () => db.prepare('SELECT id, phone, email, company, score, import_id FROM leads ORDER BY id').all() as Record<string, unknown>[];

describe('the import writer', () => {
  it('finds a duplicate of a row still waiting in the buffer, in the same import', () => {
    const writer = beginImport(db, options());
    expect(writer.add(tuple(1, { email: 'ann@acme.com' }))).toBe('inserted');
    expect(writer.add(tuple(2))).toBe('inserted');
    expect(writer.add(tuple(1))).toBe('duplicate'); // same phone
    expect(writer.add(tuple(3, { email: 'ann@acme.com' }))).toBe('duplicate'); // same e-mail
    writer.finish({ ...COUNTS, rows_read: 4, inserted: 2, duplicates: 2 }, {}, 'hash');
    expect(leads().map((l) => l.phone)).toEqual(['+12127345501', '+12127345502']);
  });

  it('updates a stored lead when the row repeats it, whatever is still buffered', () => {
    const first = beginImport(db, options());
    first.add(tuple(1, { company: 'Acme' }));
    first.finish({ ...COUNTS, rows_read: 1, inserted: 1 }, {}, 'h1');
    const second = beginImport(db, options({ onDuplicate: 'update' }));
    expect(second.add(tuple(2))).toBe('inserted');
    expect(second.add(tuple(1, { company: 'Acme Corp', score: 80 }))).toBe('updated');
    expect(second.add(tuple(3))).toBe('inserted');
    second.finish({ ...COUNTS, rows_read: 3, inserted: 2, updated: 1 }, {}, 'h2');
    expect(leads()).toEqual([
      { id: 1, phone: '+12127345501', email: null, company: 'Acme Corp', score: 80, import_id: 1 },
      { id: 2, phone: '+12127345502', email: null, company: null, score: 0, import_id: 2 },
      { id: 3, phone: '+12127345503', email: null, company: null, score: 0, import_id: 2 },
    ]);
  });

  it('finds buffered rows through the indexes too, when the table is far larger than the file', () => {
    const seed = beginImport(db, options({ expectedRows: 100 }));
    for (let n = 100; n < 150; n++) seed.add(tuple(n));
    seed.finish({ ...COUNTS, rows_read: 50, inserted: 50 }, {}, 'h1');
    // 50 stored leads, a file of about 1 row: lookups go through the indexes, not the key table.
    const writer = beginImport(db, options({ expectedRows: 1, onDuplicate: 'update' }));
    expect(writer.add(tuple(1, { email: 'ann@acme.com' }))).toBe('inserted');
    expect(writer.add(tuple(2, { email: 'ann@acme.com' }))).toBe('duplicate'); // the first row wins, even with update
    expect(writer.add(tuple(1))).toBe('duplicate');
    expect(writer.add(tuple(100, { company: 'Acme' }))).toBe('updated');
    writer.finish({ ...COUNTS, rows_read: 4, inserted: 1, duplicates: 2, updated: 1 }, {}, 'h2');
    expect(leads().filter((l) => l.import_id === 2).map((l) => l.phone)).toEqual(['+12127345501']);
    expect(leads().find((l) => l.phone === '+12127345600')).toMatchObject({ company: 'Acme', import_id: 1 });
  });

  it('numbers new leads after the highest stored id, in file order, across several batches', () => {
    db.prepare(`INSERT INTO leads(id, phone, created_at, updated_at) VALUES (41, '+12127340000', 'x', 'x')`).run();
    const writer = beginImport(db, options({ expectedRows: 2000 }));
    for (let n = 1; n <= 1200; n++) writer.add(tuple(n));
    writer.finish({ ...COUNTS, rows_read: 1200, inserted: 1200 }, {}, 'hash');
    const ids = db.prepare('SELECT id, phone FROM leads WHERE import_id IS NOT NULL ORDER BY id').all() as { id: number; phone: string }[];
    expect(ids).toHaveLength(1200);
    ids.forEach((row, i) => expect(row).toEqual({ id: 42 + i, phone: tuple(i + 1)[LEAD_COLUMNS.indexOf('phone')] }));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('stores a value in a column it was told the file leaves empty, rather than drop it', () => {
    const writer = beginImport(db, options({ unfilled: new Set(['company', 'score', 'email']) }));
    writer.add(tuple(1));
    writer.add(tuple(2, { company: 'Acme', score: 70, email: 'bo@acme.com' }));
    writer.add(tuple(3));
    writer.finish({ ...COUNTS, rows_read: 3, inserted: 3 }, {}, 'hash');
    expect(leads().map(({ company, score, email }) => ({ company, score, email }))).toEqual([
      { company: null, score: 0, email: null },
      { company: 'Acme', score: 70, email: 'bo@acme.com' },
      { company: null, score: 0, email: null },
    ]);
  });

  it('writes nothing when aborted or a dry run, buffered rows included', () => {
    const aborted = beginImport(db, options());
    aborted.add(tuple(1));
    aborted.abort();
    const dry = beginImport(db, options({ dryRun: true }));
    dry.add(tuple(2));
    dry.finish({ ...COUNTS, rows_read: 1, inserted: 1 }, {}, 'hash');
    expect(leads()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM imports').pluck().get()).toBe(0);
  });

  it('leaves foreign keys enforced on the connection, whichever way the import ends', () => {
    const foreignKeys = () => db.pragma('foreign_keys', { simple: true });
    expect(foreignKeys()).toBe(1);
    const writer = beginImport(db, options());
    expect(foreignKeys()).toBe(0);
    writer.add(tuple(1));
    writer.finish({ ...COUNTS, rows_read: 1, inserted: 1 }, {}, 'hash');
    expect(foreignKeys()).toBe(1);
    beginImport(db, options()).abort();
    expect(foreignKeys()).toBe(1);
    expect(() => db.prepare('INSERT INTO leads(phone, import_id, created_at, updated_at) VALUES (?, 99, ?, ?)').run('+12127340000', 'x', 'x')).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});
