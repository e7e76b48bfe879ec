// Inserting leads straight into a test database (the importer has its own tests).
import { openDatabase } from '../src/db/open.js';
import { loadSettings } from '../src/db/settings.js';
import { queueRank } from '../src/core/priority.js';
import { resolveSettings, type Settings } from '../src/core/settings.js';
import type { TestStore } from './stores.js';

export interface SeedLead {
  id?: number;
  first_name?: string;
  last_name?: string;
  company?: string;
  phone?: string;
  email?: string | null;
  alt_phones?: string[];
  timezone?: string | null;
  score?: number;
  source?: string | null;
  campaign?: string | null;
  list?: string | null;
  status?: string;
  inbound_at?: string | null;
  created_at?: string;
  attempts?: number;
  next_eligible_at?: string | null;
}

let counter = 0;

/** The row a lead gets (defaults: a New York lead created 2026-11-01), its queue rank under `weights`. */
function seedRow(l: SeedLead, w: Settings['weights']) {
  counter++;
  const row = {
    id: l.id ?? null,
    first_name: l.first_name ?? `Lead${counter}`,
    last_name: l.last_name ?? 'Test',
    company: l.company ?? `Company ${counter}`,
    // A number that exists: a New York exchange starts with 2–9 (the counter runs on across test
    // files in one worker, and an exchange of 0xx or 1xx is refused wherever a number is parsed).
    phone: l.phone ?? `+1212${2000000 + ((counter * 7919) % 8000000)}`,
    email: l.email === undefined ? `lead${counter}@example.com` : l.email,
    alt_phones: l.alt_phones ? JSON.stringify(l.alt_phones) : null,
    timezone: l.timezone === undefined ? 'America/New_York' : l.timezone,
    score: l.score ?? 50,
    source: l.source ?? 'webinar',
    campaign: l.campaign ?? null,
    list: l.list ?? 'test',
    status: l.status ?? 'new',
    inbound_at: l.inbound_at ?? null,
    attempts: l.attempts ?? 0,
    next_eligible_at: l.next_eligible_at ?? null,
    created_at: l.created_at ?? '2026-11-01T12:00:00.000Z',
  };
  return { ...row, queue_rank: queueRank({ ...row, last_call_at: null }, w) };
}

const COLUMNS = `first_name, last_name, company, phone, email, alt_phones, timezone, timezone_source, score, source, campaign, list,
       status, inbound_at, attempts, next_eligible_at, queue_rank, created_at, updated_at`;

/** Inserts leads (defaults: a New York lead created 2026-11-01) and returns their ids. */
export function seedLeads(dbPath: string, leads: SeedLead[]): number[] {
  const db = openDatabase(dbPath, { create: true });
  const w = loadSettings(db).weights;
  const insert = db.prepare(
    `INSERT INTO leads(id, ${COLUMNS})
     VALUES (@id, @first_name, @last_name, @company, @phone, @email, @alt_phones, @timezone, 'column', @score, @source, @campaign, @list,
       @status, @inbound_at, @attempts, @next_eligible_at, @queue_rank, @created_at, @created_at)`,
  );
  const ids = db.transaction(() => leads.map((l) => Number(insert.run(seedRow(l, w)).lastInsertRowid)))();
  db.close();
  return ids;
}

/**
 * The same leads in either test store (test/stores.ts), with the same defaults and queue ranks as
 * seedLeads: straight into the file on SQLite, with SQL on PostgreSQL.
 */
export async function seedStore(store: TestStore, leads: SeedLead[]): Promise<number[]> {
  if (store.kind === 'sqlite') return seedLeads(store.db, leads);
  const stored = await store.query<{ key: string; value: string }>('SELECT key, value FROM settings');
  const w = resolveSettings(new Map(stored.map((r) => [r.key, r.value]))).weights;
  const ids: number[] = [];
  for (const l of leads) {
    const r = seedRow(l, w);
    const [row] = await store.query<{ id: number }>(
      `INSERT INTO leads(${r.id === null ? '' : 'id, '}${COLUMNS})
       VALUES (${r.id === null ? '' : '?, '}?, ?, ?, ?, ?, ?, ?, 'column', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ...(r.id === null ? [] : [r.id]),
      r.first_name, r.last_name, r.company, r.phone, r.email, r.alt_phones, r.timezone, r.score, r.source, r.campaign, r.list,
      r.status, r.inbound_at, r.attempts, r.next_eligible_at, r.queue_rank, r.created_at, r.created_at,
    );
    ids.push(Number(row.id));
  }
  // Explicit ids do not move PostgreSQL's identity sequence: the next lead made by callq follows them.
  if (leads.some((l) => l.id !== undefined)) {
    await store.query(`SELECT setval(pg_get_serial_sequence('leads', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM leads), false)`);
  }
  return ids;
}
