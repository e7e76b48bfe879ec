// What can break when an import is large (docs/importing.md "Duplicates" and "All or nothing,
// while reps work"; docs/design.md "Imports in slices"): the writer flushes its buffer in slices,
// so a row's first occurrence may be stored before the import, written by an earlier slice, or
// still in the buffer; a bloom filter of the keys decides which rows skip the indexed lookups;
// merges are staged and published a slice at a time, and a batch killed while publishing is
// rolled forward. Tens of thousands of rows cross several slice boundaries in a few seconds; what
// is checked does not get more likely to break with a million.
// SQLite only: slices, the bloom filter and publishing a slice at a time are SQLite's import
// writer; PostgreSQL's import stages the file and publishes it in one transaction (killed
// mid-import: test/both/import.test.ts and test/stress/crash-mid-write.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { beginImport, type Outcome, type WriterOptions } from '../../src/db/import-writer.js';
import { NO_COUNTS, WRITER_NOW, writerOptions } from '../db/writer-options.js';
import { isPersonalEmail, TUPLE_COLUMNS, type LeadTuple } from '../../src/io/lead-record.js';
import { externalIdentity, phoneIdentity } from '../../src/core/identity.js';
import { BIN, callq, json, queryDb, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('callq-scale-')));
afterEach(() => cleanup());

const NOW = WRITER_NOW;
const COUNTS = NO_COUNTS;
const options = (over: Partial<WriterOptions> = {}): WriterOptions => writerOptions(40_000, over);

/** A person as the writer sees a row: the identity columns and a little more. */
interface Person {
  phone: string;
  phone_ext?: string | null;
  email?: string | null;
  external_id?: string | null;
  external_system?: string | null;
  first_name?: string;
  company?: string | null;
}

function tuple(p: Person): LeadTuple {
  const lead: Record<string, unknown> = { timezone: 'America/New_York', timezone_source: 'phone', queue_rank: 1, ...p };
  return TUPLE_COLUMNS.map((c) => lead[c] ?? null) as LeadTuple;
}

/** A small seeded generator (mulberry32): the same rows on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The keys that make two rows one person (docs/importing.md "Duplicates"), computed here from their definitions. */
function keysOf(p: Person): string[] {
  const keys = [`p:${phoneIdentity(p.phone, p.phone_ext ?? null)}`];
  if (p.email && isPersonalEmail(p.email)) keys.push(`e:${p.email}`);
  if (p.external_id) keys.push(`x:${externalIdentity(p.external_system ?? null, p.external_id)}`);
  return keys;
}

const AREAS = ['212', '312', '415', '617', '303', '404', '503', '206', '713', '214'];
let serial = 0;
/** A person no one else is: a fresh phone, and (by chance) a personal e-mail, a shared mailbox, an external id. */
function freshPerson(rnd: () => number): Person {
  const n = ++serial;
  const r = rnd();
  return {
    phone: `+1${AREAS[n % 10]}${String(2_000_000 + n).padStart(7, '0')}`,
    email: r < 0.45 ? `person${n}@firm${n % 700}.example` : r < 0.55 ? `info@firm${n % 700}.example` : null,
    external_id: rnd() < 0.25 ? String(500_000 + n) : null,
    external_system: 'hubspot',
    first_name: `P${n}`,
  };
}

/** Someone who shares no key with `p` though they look alike (docs/importing.md "Duplicates"). */
function lookalike(p: Person, rnd: () => number): Person {
  const other = freshPerson(rnd);
  const kind = Math.floor(rnd() * 4);
  switch (kind === 1 && !p.external_id ? 3 : kind) {
    case 0: // the same switchboard, another extension (or the bare number when p has one)
      return { ...other, phone: p.phone, phone_ext: p.phone_ext ? null : String(serial), email: null, external_id: null };
    case 1: // the same id, issued by another system
      return { ...other, external_id: p.external_id, external_system: 'pipedrive', email: null };
    case 2: // the same shared mailbox
      return { ...other, email: `info@${(p.email ?? 'x@lookalike.example').split('@')[1]}`, external_id: null };
    default: // a phone one digit away, an e-mail one letter away
      return { ...other, phone: p.phone.slice(0, -1) + ((Number(p.phone.at(-1)) + 1) % 10), email: p.email ? `x${p.email}` : null, external_id: null };
  }
}

/** `p` again, known by one of its keys only; the others are new. */
function repeatBy(p: Person, rnd: () => number): Person {
  const other = freshPerson(rnd);
  const keys = keysOf(p).map((k) => k[0]);
  const by = keys[Math.floor(rnd() * keys.length)];
  if (by === 'p') return { ...other, phone: p.phone, phone_ext: p.phone_ext ?? null, email: null, external_id: null };
  if (by === 'e') return { ...other, email: p.email, external_id: null };
  return { ...other, email: null, external_id: p.external_id, external_system: p.external_system };
}

/** Stored leads: one old lead with a high id (so the import's ids pass the id bitmap's first size), then an import of `count` people. */
function storeLeads(db: DB, count: number, rnd: () => number): Person[] {
  db.prepare(`INSERT INTO leads(id, phone, status, created_at, updated_at) VALUES (40000, '+19175550000', 'new', 'x', 'x')`).run();
  const people = Array.from({ length: count }, () => freshPerson(rnd));
  const writer = beginImport(db, options({ expectedRows: count }));
  for (const p of people) expect(writer.add(tuple(p))).toBe('inserted');
  writer.finish({ ...COUNTS, rows_read: count, inserted: count }, {}, 'stored');
  return people;
}

interface Row {
  person: Person;
  outcome: Outcome;
  /** The lowest id no lead had when the row was read: a first occurrence must be below it. */
  idsBelow: number;
  /** Ids written by the slices committed before the row was read (the rest of the batch was in the buffer). */
  writtenUpTo: number;
}

/**
 * Checks an import in skip mode against the definition of a duplicate, independently of how the
 * writer finds one: no two leads share a key; the batch's leads are the rows that came out
 * 'inserted', in file order; each 'duplicate' row shares a key with a lead that existed before it.
 * Returns where each duplicate's first occurrence was: stored before the import, written by an
 * earlier slice, or still in the buffer.
 */
function checkAgainstDefinition(db: DB, rows: Row[], batch: number): { stored: number; earlierSlice: number; buffer: number } {
  const leads = db.prepare('SELECT id, import_id, phone, phone_ext, email, external_id, external_system FROM leads ORDER BY id').all() as (Person & { id: number; import_id: number | null })[];
  const holder = new Map<string, number>();
  const shared: string[] = [];
  for (const l of leads) {
    for (const k of keysOf(l)) {
      if (holder.has(k)) shared.push(`leads ${holder.get(k)} and ${l.id} share ${k}`);
      holder.set(k, l.id);
    }
  }
  expect(shared).toEqual([]);
  const own = leads.filter((l) => l.import_id === batch);
  const inserted = rows.filter((r) => r.outcome === 'inserted');
  expect(own.map((l) => keysOf(l).join(' '))).toEqual(inserted.map((r) => keysOf(r.person).join(' ')));
  const firstOwn = own[0]?.id ?? Infinity;
  const where = { stored: 0, earlierSlice: 0, buffer: 0 };
  const unfounded: string[] = [];
  for (const [i, r] of rows.entries()) {
    if (r.outcome !== 'duplicate') continue;
    const first = Math.min(...keysOf(r.person).map((k) => holder.get(k) ?? Infinity));
    if (first >= r.idsBelow) unfounded.push(`row ${i + 1} (${keysOf(r.person).join(' ')}) was counted a duplicate of no one before it`);
    else if (first < firstOwn) where.stored++;
    else if (first <= r.writtenUpTo) where.earlierSlice++;
    else where.buffer++;
  }
  expect(unfounded).toEqual([]);
  return where;
}

/** Runs rows through a writer, recording each one's outcome and the slices written while the file was read. */
function importRows(
  db: DB,
  over: Partial<WriterOptions>,
  next: (i: number, ctx: { afterSlice: boolean; inserted: Person[] }) => Person | null,
): { rows: Row[]; slices: number[]; batch: number } {
  const slices: number[] = [];
  let afterSlice = false;
  const maxId = () => db.prepare('SELECT coalesce(max(id), 0) FROM leads').pluck().get() as number;
  const writer = beginImport(db, options({ ...over, pause: () => ((afterSlice = true), slices.push(maxId())) }));
  const rows: Row[] = [];
  const inserted: Person[] = [];
  let nextId = maxId() + 1;
  for (let i = 0; ; i++) {
    const person = next(i, { afterSlice, inserted });
    if (!person) break;
    afterSlice = false;
    const row: Row = { person, outcome: 'inserted', idsBelow: nextId, writtenUpTo: slices.at(-1) ?? 0 };
    row.outcome = writer.add(tuple(person));
    if (row.outcome === 'inserted') nextId++, inserted.push(person);
    rows.push(row);
  }
  const read = slices.length;
  const counts = { ...COUNTS, rows_read: rows.length };
  for (const r of rows) counts[r.outcome === 'duplicate' ? 'duplicates' : r.outcome]++;
  writer.finish(counts, {}, 'file');
  return { rows, slices: slices.slice(0, read), batch: writer.batchId };
}

describe('a large import, slice by slice', () => {
  it('finds every duplicate wherever its first occurrence is (stored, an earlier slice, the buffer, just across a boundary), and no look-alike is one', () => {
    serial = 0;
    const rnd = random(20261123);
    const db = openDatabase(join(dir, 'filter.db'), { create: true });
    const stored = storeLeads(db, 3000, rnd);
    const ROWS = 30_000;
    const lookalikes = new Set<number>();
    const { rows, slices, batch } = importRows(db, {}, (i, { afterSlice, inserted }) => {
      if (i >= ROWS) return null;
      // Just after a slice was written: the row repeats the last lead that slice wrote.
      if (afterSlice) return repeatBy(inserted.at(-1)!, rnd);
      const r = rnd();
      if (r < 0.55) return freshPerson(rnd);
      const pool = inserted.length && rnd() < 0.6 ? inserted : stored;
      // Near rows (likely still buffered) as often as far ones.
      const pick = rnd() < 0.5 ? pool[Math.max(0, pool.length - 1 - Math.floor(rnd() * 40))] : pool[Math.floor(rnd() * pool.length)];
      if (r < 0.8) return repeatBy(pick, rnd);
      lookalikes.add(i);
      return lookalike(pick, rnd);
    });
    // Slices were written while the file was read (4,096 rows, then up to twice the last).
    expect(slices.length).toBeGreaterThanOrEqual(2);
    const where = checkAgainstDefinition(db, rows, batch);
    expect(where.stored).toBeGreaterThan(500);
    expect(where.earlierSlice).toBeGreaterThan(500);
    expect(where.buffer).toBeGreaterThan(500);
    // The rows just after each boundary repeat a lead of the slice just written.
    const afterBoundary = rows.filter((r, i) => i > 0 && rows[i - 1].writtenUpTo !== r.writtenUpTo);
    expect(afterBoundary.length).toBeGreaterThanOrEqual(1);
    expect(afterBoundary.length).toBeGreaterThanOrEqual(slices.length - 1);
    for (const r of afterBoundary) expect(r.outcome).toBe('duplicate');
    // Most look-alikes share no key with anyone, and came out new people (the check above says each one that did not shares one).
    expect([...lookalikes].filter((i) => rows[i].outcome === 'inserted').length).toBeGreaterThan(lookalikes.size * 0.8);
    expect(db.prepare(`SELECT count(*) FROM leads WHERE status = 'importing'`).pluck().get()).toBe(0);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // The first half of the rows again where the filter is skipped (the database far larger than
    // the file), so every row is looked up in the indexes, as after a false "maybe": the same
    // outcome for each.
    serial = 0;
    const again = openDatabase(join(dir, 'lookups.db'), { create: true });
    storeLeads(again, 3000, random(20261123));
    const half = rows.slice(0, ROWS / 2);
    const replay = importRows(again, { expectedRows: 1 }, (i) => half[i]?.person ?? null);
    expect(replay.slices.length).toBeGreaterThanOrEqual(1);
    expect(replay.rows.map((r) => r.outcome)).toEqual(half.map((r) => r.outcome));
    checkAgainstDefinition(again, replay.rows, replay.batch);
    again.close();

    // Every row again in one transaction (--lock whole): the lookup indexes set aside and every
    // duplicate found through the key index instead; the same outcome for each row.
    serial = 0;
    const whole = openDatabase(join(dir, 'whole.db'), { create: true });
    storeLeads(whole, 3000, random(20261123));
    const wholeRun = importRows(whole, { lock: 'whole' }, (i) => rows[i]?.person ?? null);
    expect(wholeRun.slices).toEqual([]);
    expect(wholeRun.rows.map((r) => r.outcome)).toEqual(rows.map((r) => r.outcome));
    checkAgainstDefinition(whole, wholeRun.rows, wholeRun.batch);
    expect(whole.prepare(`SELECT count(*) FROM sqlite_schema WHERE name IN ('leads_phone', 'leads_email', 'leads_queue')`).pluck().get()).toBe(3);
    expect(whole.pragma('integrity_check', { simple: true })).toBe('ok');
    whole.close();
  }, 240_000);

  it('merges staged in one slice stop later rows of the same person in any later slice, and are all applied when published', () => {
    serial = 0;
    const rnd = random(7);
    const db = openDatabase(join(dir, 'merge.db'), { create: true });
    // Stored ids start past 40,000: the set of merged leads grows beyond its first size.
    const targets = storeLeads(db, 6000, rnd).filter((p) => !p.email || !isPersonalEmail(p.email));
    expect(targets.length).toBeGreaterThan(2500);
    // For each target: a row that merges a new e-mail and company into it, then, later (soon,
    // or in a later slice), a row known only by that e-mail and a row repeating its phone.
    const plan: { at: number; person: Person; expect: Outcome; target?: number; merge?: boolean }[] = [];
    targets.forEach((t, k) => {
      const at = rnd() * 0.5;
      const later = () => at + (rnd() < 0.5 ? rnd() * 0.002 : rnd() * 0.5);
      const email = `merged${k}@new.example`;
      plan.push({ at, person: { phone: t.phone, phone_ext: t.phone_ext ?? null, email, company: 'Merged Co' }, expect: 'updated', target: k, merge: true });
      plan.push({ at: later(), person: { ...freshPerson(rnd), email, external_id: null }, expect: 'duplicate', target: k });
      plan.push({ at: later(), person: { phone: t.phone, phone_ext: t.phone_ext ?? null, company: 'Again Co' }, expect: 'duplicate', target: k });
    });
    for (let n = 0; n < 14_000; n++) plan.push({ at: rnd(), person: { ...freshPerson(rnd), email: null }, expect: 'inserted' });
    plan.sort((a, b) => a.at - b.at);

    const { rows, slices, batch } = importRows(db, { onDuplicate: 'update' }, (i) => plan[i]?.person ?? null);
    expect(slices.length).toBeGreaterThanOrEqual(2);
    expect(rows.map((r) => r.outcome)).toEqual(plan.map((p) => p.expect));
    // Where each merge was when a later row of its person came: written by an earlier slice, or still buffered.
    const mergedAt = new Map<number, Row>();
    let acrossSlices = 0;
    let sameSlice = 0;
    plan.forEach((p, i) => {
      if (p.merge) mergedAt.set(p.target!, rows[i]);
      else if (p.target !== undefined) mergedAt.get(p.target)!.writtenUpTo === rows[i].writtenUpTo ? sameSlice++ : acrossSlices++;
    });
    expect(acrossSlices).toBeGreaterThan(500);
    expect(sameSlice).toBeGreaterThan(500);

    const stored = new Map((db.prepare('SELECT phone, phone_ext, email, company FROM leads WHERE import_id = 1').all() as Person[]).map((l) => [phoneIdentity(l.phone, l.phone_ext ?? null), l]));
    targets.forEach((t, k) => expect(stored.get(phoneIdentity(t.phone, t.phone_ext ?? null))).toMatchObject({ email: `merged${k}@new.example`, company: 'Merged Co' }));
    expect(db.prepare('SELECT count(*) FROM import_updates').pluck().get()).toBe(0);
    expect(db.prepare('SELECT state, inserted, updated, duplicates FROM imports WHERE id = ?').get(batch)).toEqual({
      state: 'complete',
      inserted: 14_000,
      updated: targets.length,
      duplicates: 2 * targets.length,
    });
    expect(db.prepare(`SELECT count(*) FROM leads WHERE status = 'importing'`).pluck().get()).toBe(0);
    db.close();
  }, 120_000);
});

describe('a batch killed while publishing', () => {
  const CLI_NOW = '2026-11-23T15:00:00Z';
  const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', LANG: 'C.UTF-8', CALLQ_REP: 'ops' };
  const STORED = 5000;
  const NEW = 10_000;
  const phone = (k: number) => `+1212${String(3_000_000 + k)}`;

  /** 5,000 stored leads, then a file that merges an e-mail and a company into each and adds 10,000 people. */
  function files(): { db: string; update: string } {
    const db = join(dir, 'team.db');
    const stored = join(dir, 'stored.csv');
    writeFileSync(stored, ['First Name,Phone,Time Zone', ...Array.from({ length: STORED }, (_, k) => `S${k},${phone(k)},America/New_York`)].join('\n') + '\n');
    const r = callq(['--db', db, '--now', CLI_NOW, 'import', stored, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const update = join(dir, 'update.csv');
    const rows = ['First Name,Phone,Email,Company,Time Zone'];
    for (let k = 0; k < STORED; k++) rows.push(`S${k},${phone(k)},s${k}@merged.example,Merged Co,America/New_York`);
    for (let k = 0; k < NEW; k++) rows.push(`N${k},${phone(STORED + k)},,,America/New_York`);
    writeFileSync(update, rows.join('\n') + '\n');
    return { db, update };
  }

  /**
   * Runs the update import stopped after each slice (CALLQ_IMPORT_PAUSE, docs/importing.md), lets
   * it go on until `stopAt` says the database is at the point wanted, then kills it (SIGKILL).
   */
  async function killWhile(db: string, file: string, stopAt: () => boolean): Promise<void> {
    const fifo = join(dir, 'pause');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, '--db', db, '--now', CLI_NOW, 'import', file, '--on-duplicate', 'update'], { env: { ...ENV, CALLQ_IMPORT_PAUSE: fifo } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<void>((done) => child.on('close', () => done()));
    for (let n = 1; ; n++) {
      // The import creates FIFO.slice-N, then waits for a line on the FIFO; the test's own timeout bounds the wait.
      while (!existsSync(`${fifo}.slice-${n}`)) {
        if (child.exitCode !== null) throw new Error(`the import ended (exit ${child.exitCode}) before slice ${n}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (stopAt()) break;
      writeFileSync(fifo, 'next\n');
    }
    child.kill('SIGKILL');
    await exit;
  }

  const count = (db: string, sql: string): number => queryDb<{ n: number }>(db, `SELECT count(*) AS n FROM ${sql}`)[0].n;
  const state = (db: string) => queryDb<{ state: string }>(db, 'SELECT state FROM imports WHERE id = 2')[0]?.state;

  /** After the roll forward: every merge applied once, every new lead callable, the batch complete with its counts. */
  function expectPublished(db: string): void {
    expect(count(db, `leads WHERE import_id = 1 AND email = 's' || substr(first_name, 2) || '@merged.example' AND company = 'Merged Co'`)).toBe(STORED);
    expect(count(db, `leads WHERE import_id = 2 AND status = 'new'`)).toBe(NEW);
    expect(count(db, `leads WHERE status = 'importing'`)).toBe(0);
    expect(count(db, 'import_updates')).toBe(0);
    expect(queryDb(db, 'SELECT state, inserted, updated, duplicates FROM imports WHERE id = 2')).toEqual([{ state: 'complete', inserted: NEW, updated: STORED, duplicates: 0 }]);
    expect(queryDb(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  }

  it('with some merges applied and none of its leads live: shown as interrupted; maintain finishes publishing it', async () => {
    const { db, update } = files();
    await killWhile(db, update, () => state(db) === 'publishing');
    // Killed between two slices of merges: some applied, the rest still staged; no new lead live yet.
    const staged = count(db, 'import_updates');
    expect(staged).toBeGreaterThan(0);
    expect(count(db, `leads WHERE import_id = 1 AND company = 'Merged Co'`)).toBe(STORED - staged);
    expect(count(db, `leads WHERE import_id = 2 AND status = 'importing'`)).toBe(NEW);
    expect(json(callq(['--db', db, 'imports', '--json']))[1]).toMatchObject({ batch: 2, state: 'interrupted' });

    const maintain = callq(['--db', db, '--now', CLI_NOW, 'maintain', '--json']);
    expect(maintain.code, maintain.stderr).toBe(0);
    expect(json(maintain).imports_cleaned).toEqual([{ batch: 2, removed: 0, published: true }]);
    expectPublished(db);
    expect(json(callq(['--db', db, '--now', CLI_NOW, 'maintain', '--json'])).imports_cleaned).toEqual([]);
  }, 120_000);

  it('with its merges applied and part of its leads live: the next import finishes publishing it first, and says so', async () => {
    const { db, update } = files();
    await killWhile(db, update, () => state(db) === 'publishing' && count(db, `leads WHERE import_id = 2 AND status = 'new'`) > 0);
    const live = count(db, `leads WHERE import_id = 2 AND status = 'new'`);
    expect(live).toBeLessThan(NEW);
    expect(count(db, 'import_updates')).toBe(0);
    const next = join(dir, 'next.csv');
    writeFileSync(next, `First Name,Phone\nZed,${phone(99_000)}\n`);
    const r = callq(['--db', db, '--now', CLI_NOW, 'import', next, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Import batch 2 had stopped while publishing its leads; finished publishing it.');
    expect(json(r)).toMatchObject({ batch: 3, inserted: 1 });
    expectPublished(db);
  }, 120_000);
});
