// Inserting leads straight into a test database (the importer has its own tests).
import { openDatabase } from '../src/db/open.js';
import { loadSettings } from '../src/db/settings.js';
import { queueRank } from '../src/core/priority.js';

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

/** Inserts leads (defaults: a New York lead created 2026-11-01) and returns their ids. */
export function seedLeads(dbPath: string, leads: SeedLead[]): number[] {
  const db = openDatabase(dbPath, { create: true });
  const w = loadSettings(db).weights;
  const insert = db.prepare(
    `INSERT INTO leads(id, first_name, last_name, company, phone, email, alt_phones, timezone, timezone_source, score, source, campaign, list,
       status, inbound_at, attempts, next_eligible_at, queue_rank, created_at, updated_at)
     VALUES (@id, @first_name, @last_name, @company, @phone, @email, @alt_phones, @timezone, 'column', @score, @source, @campaign, @list,
       @status, @inbound_at, @attempts, @next_eligible_at, @queue_rank, @created_at, @created_at)`,
  );
  const ids = db.transaction(() =>
    leads.map((l) => {
      counter++;
      const row = {
        id: l.id ?? null,
        first_name: l.first_name ?? `Lead${counter}`,
        last_name: l.last_name ?? 'Test',
        company: l.company ?? `Company ${counter}`,
        phone: l.phone ?? `+1212${String(2000000 + counter * 7919).slice(-7)}`,
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
      const queue_rank = queueRank({ ...row, last_call_at: null }, w);
      return Number(insert.run({ ...row, queue_rank }).lastInsertRowid);
    }),
  )();
  db.close();
  return ids;
}
