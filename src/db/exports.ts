// The export queries and the hand-off bookkeeping (docs/exporting.md). Rows are streamed with
// `.iterate()`, so memory stays flat however many leads an export holds.
import type { DB } from './open.js';
import type { BatchKeys, HandoffLead } from '../core/export-profiles.js';
import type { LeadStatus } from '../core/lifecycle.js';
import { handoffConflict, handoffLead, handoffLeadsSql, handoffWhere, callRowsSql, nurtureSql, parseObject, windowSql, type CallWindow, type HandoffBatch, type HandoffRecord, type HandoffSelection, type StoredHandoffLead } from './store/exports.js';
export { CALL_COLUMNS, CALL_PHONE_COLUMNS, CLEANUP_COLUMNS, CLEANUP_PHONE_COLUMNS } from './store/exports.js';
export type { CallWindow, HandoffBatch, HandoffRecord, HandoffSelection };

export function getHandoffBatch(db: DB, id: number): HandoffBatch | undefined {
  return db.prepare('SELECT id, created_at, destination, lead_count, profile, rep FROM handoffs WHERE id = ?').get(id) as HandoffBatch | undefined;
}

/**
 * The first, cheap pass: how many leads, and which qualification and custom keys appear, in order
 * of first appearance (leads in id order). Same rows, same keys: a re-exported batch has the same columns.
 */
export function handoffKeys(db: DB, selection: HandoffSelection): { count: number; keys: BatchKeys } {
  const w = handoffWhere(selection, '?');
  const rows = db.prepare(`SELECT l.qualification, l.custom FROM leads l WHERE ${w.sql} ORDER BY l.id`).raw(true);
  const qualification = new Set<string>();
  const custom = new Set<string>();
  let count = 0;
  for (const [q, c] of rows.iterate(...w.params) as IterableIterator<[string | null, string | null]>) {
    count++;
    if (q) for (const k of Object.keys(parseObject(q))) qualification.add(k);
    if (c) for (const k of Object.keys(parseObject(c))) custom.add(k);
  }
  return { count, keys: { qualification: [...qualification], custom: [...custom] } };
}

/** The leads of a sales-ready export, in id order (the order `--batch` reproduces). */
export function* handoffLeads(db: DB, selection: HandoffSelection): Generator<HandoffLead> {
  const w = handoffWhere(selection, '?');
  const rows = db.prepare(handoffLeadsSql(w.sql));
  for (const row of rows.iterate(...w.params) as IterableIterator<StoredHandoffLead>) yield handoffLead(row);
}

/**
 * Records a hand-off once its file is complete: one handoffs row and every lead marked
 * handed-off with its id, all in one transaction. A lead that changed meanwhile (handed off by
 * another export, disqualified, put on do-not-call) aborts the whole hand-off: nothing is marked,
 * the file is not published. Returns the batch id, or null when there was nothing to mark.
 */
export function recordHandoff(db: DB, r: HandoffRecord): number | null {
  const insert = db.prepare('INSERT INTO handoffs(created_at, destination, lead_count, profile, rep) VALUES (?, ?, ?, ?, ?)');
  const mark = db.prepare(
    "UPDATE leads SET status = 'handed-off', handoff_id = ?, updated_at = ? WHERE id = ? AND status = 'sales-ready' AND handoff_id IS NULL",
  );
  const statusOf = db.prepare('SELECT status FROM leads WHERE id = ?').pluck();
  return db
    .transaction((): number | null => {
      let batch: number | null = null;
      if (r.leadIds.length > 0) {
        const nowIso = r.now.toISOString();
        batch = Number(insert.run(nowIso, r.destination, r.leadIds.length, r.profile, r.rep).lastInsertRowid);
        for (const id of r.leadIds) {
          if (mark.run(batch, nowIso, id).changes === 1) continue;
          throw handoffConflict(id, (statusOf.get(id) as LeadStatus | undefined) ?? 'deleted', r.destination);
        }
      }
      r.publish();
      return batch;
    })
    .immediate();
}

/**
 * Every disqualified (bad-data included), do-not-call and exhausted lead whose personal data has
 * not been purged, with the reason: the disqualification reason, 'do-not-call', or for a lead
 * that ran out of attempts 'no-contact' (never reached) or 'no-recent-contact' (reached before:
 * someone who once talked to a rep, for nurturing rather than removal). `+status` keeps SQLite on a rowid scan, which streams in
 * id order without sorting (these leads are a large share of an old database).
 */
export function cleanupSql(within: string): string {
  return `SELECT id AS callq_id, external_id, first_name, last_name, company, title, email, phone, phone_ext,
      CASE WHEN alt_phones IS NULL THEN NULL ELSE (SELECT group_concat(value, ';') FROM json_each(leads.alt_phones)) END AS alt_phone,
      country, region, postal_code, source, campaign, list, status,
      CASE status WHEN 'disqualified' THEN disqualify_reason WHEN 'do-not-call' THEN 'do-not-call' WHEN 'exhausted' THEN CASE WHEN contacts > 0 THEN 'no-recent-contact' ELSE 'no-contact' END END AS reason,
      closed_at, attempts, last_call_at, last_disposition
    FROM leads
    WHERE +status IN ('disqualified','do-not-call','exhausted') AND purged_at IS NULL${within}
    ORDER BY id`;
}

const sqlitePlaceholder = () => '?';

export function cleanupRows(db: DB, window: CallWindow): IterableIterator<unknown[]> {
  const w = windowSql('closed_at', window, sqlitePlaceholder);
  return db.prepare(cleanupSql(w.sql)).raw(true).iterate(...w.params) as IterableIterator<unknown[]>;
}

export function countCleanup(db: DB, window: CallWindow): number {
  const w = windowSql('closed_at', window, sqlitePlaceholder);
  const sql = `SELECT count(*) FROM leads WHERE status IN ('disqualified','do-not-call','exhausted') AND purged_at IS NULL${w.sql}`;
  return db.prepare(sql).pluck().get(...w.params) as number;
}

export function nurtureRows(db: DB, window: CallWindow): IterableIterator<unknown[]> {
  const w = windowSql('n.called_at', window, sqlitePlaceholder);
  return db.prepare(nurtureSql(w.sql)).raw(true).iterate(...w.params) as IterableIterator<unknown[]>;
}

export function countNurture(db: DB, window: CallWindow): number {
  const w = windowSql('n.called_at', window, sqlitePlaceholder);
  return db.prepare(`SELECT count(*) FROM (${nurtureSql(w.sql)})`).pluck().get(...w.params) as number;
}


/** The call log (callRowsSql), oldest first; `until` is exclusive. */
export function callRows(db: DB, window: CallWindow): IterableIterator<unknown[]> {
  const f = windowSql('c.called_at', window, sqlitePlaceholder);
  return db.prepare(callRowsSql(f.sql)).raw(true).iterate(...f.params) as IterableIterator<unknown[]>;
}

export function countCalls(db: DB, window: CallWindow): number {
  const f = windowSql('c.called_at', window, sqlitePlaceholder);
  return db.prepare(`SELECT count(*) FROM calls c WHERE TRUE${f.sql}`).pluck().get(...f.params) as number;
}
