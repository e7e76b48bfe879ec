// The call log (append-only).
import type { DB } from './open.js';

export interface CallRow {
  id: number;
  lead_id: number;
  rep: string;
  called_at: string;
  disposition: string;
  contact: number;
  reason: string | null;
  notes: string | null;
  callback_at: string | null;
  nurture_until: string | null;
  duration_s: number | null;
  phone: string | null;
  status_before: string | null;
  status_after: string | null;
  forced: number;
}

/** A lead's calls, newest first. */
export function callsForLead(db: DB, leadId: number, limit = 1000): CallRow[] {
  return db.prepare('SELECT * FROM calls WHERE lead_id = ? ORDER BY called_at DESC, id DESC LIMIT ?').all(leadId, limit) as CallRow[];
}
