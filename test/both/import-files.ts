// Generated lead lists and store-neutral views of what an import leaves, for the import tests
// (test/both/import*.test.ts, test/both/vendors.test.ts, test/pg/import.test.ts).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { callqAsync } from '../helpers.js';
import { newTestStore, type TestStore, type TestStoreKind } from '../stores.js';

/** A list of `rows` distinct valid US leads. */
export function leadFile(path: string, rows: number, from = 0): string {
  const codes = [212, 480, 602, 303, 312, 415, 503, 612];
  let text = 'First Name,Last Name,Company,Email,Phone,Lead Source\n';
  for (let i = from; i < from + rows; i++) {
    const line = i % 10000;
    const exchange = 200 + (Math.floor(i / 10000) % 700);
    const code = codes[Math.floor(i / 7_000_000) % codes.length];
    text += `F${i},L${i},Co ${i % 97},p${i}@example${i % 13}.com,(${code}) ${exchange}-${String(line).padStart(4, '0')},gen\n`;
  }
  writeFileSync(path, text);
  return path;
}

/** Every column of every lead but the ids (each store numbers rows its own way), in id order. */
const LEAD_COLUMNS = `external_id, external_system, first_name, last_name, company, title, email, phone, phone_ext, phone_raw, alt_phones,
  country, region, postal_code, timezone, timezone_source, source, campaign, list, score, owner, custom, status, attempts, contacts,
  next_eligible_at, closed_at, inbound_at, queue_rank, created_at, updated_at`;

/** The leads, their alternate phones and zones, the do-not-call list: what an import leaves, store-neutral. */
export async function dump(s: TestStore) {
  const num = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
  return {
    leads: (await s.query(`SELECT ${LEAD_COLUMNS} FROM leads ORDER BY id`)).map(num),
    alt_phones: (await s.query('SELECT l.phone AS lead, a.phone FROM lead_alt_phones a JOIN leads l ON l.id = a.lead_id ORDER BY l.id, a.phone')).map(num),
    zones: (await s.query('SELECT timezone FROM lead_zones ORDER BY timezone')).map(num),
    suppressions: (await s.query('SELECT kind, value, value_hash, reason, source, created_at FROM suppressions ORDER BY kind, value_hash')).map(num),
  };
}

/** A summary without what differs by store or run (time taken, how the lock was held). */
export function comparable(summary: Record<string, unknown>) {
  // A dry run says what the file's do-not-call flags would move where the import says they moved.
  const { seconds: _s, lock: _l, ...rest } = summary;
  const notes = rest.notes as string[] | undefined;
  return notes ? { ...rest, notes: notes.map((n) => n.replace("flags would move", "flags moved").replace('they would leave', 'they leave')) } : rest;
}

/** One `callq import` into a store of its own (importEach). */
export interface Imported {
  store: TestStore;
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON summary (null when the command printed none). */
  summary: any;
}

/**
 * Imports each file into a new store of its own (`callq import FILE --country US --json ARGS`),
 * a few commands at a time: the tests of a describe then read what each import left. `args` may
 * name files in the store's folder. Stores are made one at a time (PostgreSQL clones one template).
 */
export async function importEach(
  kind: TestStoreKind,
  now: string,
  imports: Record<string, (s: TestStore) => string[]>,
): Promise<Record<string, Imported>> {
  const names = Object.keys(imports);
  const stores: TestStore[] = [];
  for (const _ of names) stores.push(await newTestStore(kind, { migrated: true }));
  const result: Record<string, Imported> = {};
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const store = stores[i];
      const [file, ...args] = imports[names[i]](store);
      const r = await callqAsync(['--db', store.db, '--now', now, 'import', file, '--country', 'US', '--json', ...args]);
      let summary = null;
      try {
        summary = JSON.parse(r.stdout);
      } catch {
        // none: the test says what it expects of the output
      }
      result[names[i]] = { store, ...r, summary };
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return result;
}

/**
 * importEach once for a describe (before its tests), the stores removed after them: `imported`
 * fills in then; `summary(name)` is the JSON summary of an import that must have succeeded.
 */
export function importedOnce(kind: TestStoreKind, now: string, imports: () => Record<string, (s: TestStore) => string[]>) {
  const imported: Record<string, Imported> = {};
  beforeAll(async () => {
    Object.assign(imported, await importEach(kind, now, imports()));
  }, 300_000);
  afterAll(async () => {
    for (const i of Object.values(imported)) await i.store.cleanup();
  });
  const summary = (name: string) => {
    const i = imported[name];
    expect(i.code, i.stderr).toBe(0);
    return i.summary;
  };
  return { imported, summary };
}
