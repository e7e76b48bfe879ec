// The export queries and the hand-off bookkeeping on PostgreSQL: the same rows, columns, order
// and values as src/db/exports.ts. Rows are read through a server-side cursor (DECLARE … FETCH)
// a page at a time inside one REPEATABLE READ transaction, so memory stays flat however many
// rows an export holds and every page comes from the same snapshot.
import type { ClientBase } from 'pg';
import {
  BatchKeyCollector,
  handoffConflict,
  handoffLead,
  handoffLeadsSql,
  handoffWhere,
  nurtureSql,
  callRowsSql,
  windowSql,
  type CallWindow,
  type HandoffBatch,
  type HandoffRead,
  type HandoffRecord,
  type HandoffSelection,
  type Pages,
  type StoredHandoffLead,
} from '../store/exports.js';
import type { PgConnection } from './store/connection.js';

/** Rows per FETCH: large enough that round trips cost little next to the rows. */
const PAGE = 2_000;
let cursors = 0;

/**
 * The rows of `sql` a page at a time through a cursor, inside the caller's transaction. Arrays
 * of values with `rowMode: 'array'`, else objects.
 */
export async function* cursorPages<T>(client: ClientBase, sql: string, params: unknown[], rowMode?: 'array'): AsyncGenerator<T[]> {
  const name = `callq_rows_${++cursors}`;
  await client.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, values: params });
  const text = `FETCH ${PAGE} FROM ${name}`;
  const fetch = (): Promise<T[]> => {
    const page = (rowMode ? client.query({ text, rowMode }) : client.query(text)).then((r) => r.rows as T[]);
    page.catch(() => {}); // awaited below; a read abandoned meanwhile must not leave it unhandled
    return page;
  };
  // The next page is asked for before this one is handed out: the server reads it while the rows are written.
  let next = fetch();
  for (;;) {
    const rows = await next;
    const more = rows.length === PAGE;
    if (more) next = fetch();
    if (rows.length > 0) yield rows;
    if (!more) break;
  }
  // A read abandoned early (the output failed) leaves the cursor to the transaction's end.
  await client.query(`CLOSE ${name}`);
}

/** Runs `work` in one read-only REPEATABLE READ transaction: one snapshot for every query in it. */
export async function inSnapshot<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let done = false;
  try {
    const result = await work();
    await client.query('COMMIT');
    done = true;
    return result;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => {});
  }
}

/** A query's pages, each read in a snapshot of its own that lasts while the rows are read. */
export async function* snapshotPages<T>(client: ClientBase, sql: string, params: unknown[], rowMode?: 'array'): AsyncGenerator<T[]> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let done = false;
  try {
    yield* cursorPages<T>(client, sql, params, rowMode);
    await client.query('COMMIT');
    done = true;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => {});
  }
}

export async function getHandoffBatchPg(client: ClientBase, id: number): Promise<HandoffBatch | undefined> {
  const { rows } = await client.query<HandoffBatch>('SELECT id, created_at, destination, lead_count, profile, rep FROM handoffs WHERE id = $1', [id]);
  return rows[0];
}

/** A sales-ready export read in one snapshot (see ExportStore.readHandoff). */
export async function readHandoffPg<T>(client: ClientBase, selection: HandoffSelection, write: (read: HandoffRead) => Promise<T>): Promise<T> {
  const w = handoffWhere(selection, '$1');
  return inSnapshot(client, async () => {
    const keys = new BatchKeyCollector();
    for await (const page of cursorPages<[string | null, string | null]>(client, `SELECT l.qualification, l.custom FROM leads l WHERE ${w.sql} ORDER BY l.id`, w.params, 'array')) {
      for (const [q, c] of page) keys.add(q, c);
    }
    const leads = async function* (): AsyncGenerator<ReturnType<typeof handoffLead>[]> {
      const sql = handoffLeadsSql(w.sql);
      for await (const page of cursorPages<StoredHandoffLead>(client, sql, w.params)) yield page.map(handoffLead);
    };
    return write({ count: keys.count, keys: keys.keys(), leads: leads() });
  });
}

/** Records a hand-off (see ExportStore.recordHandoff): the batch, every lead marked, then the file published. */
export async function recordHandoffPg(conn: PgConnection, r: HandoffRecord): Promise<number | null> {
  return conn.transaction(async (client) => {
    let batch: number | null = null;
    if (r.leadIds.length > 0) {
      const nowIso = r.now.toISOString();
      // The next batch number after the last recorded one, as on SQLite: a hand-off that aborts
      // gives its number back (a sequence would not, and Sales would ask where the missing batch
      // went). Hand-offs record one at a time; readers are not held up.
      await client.query('LOCK TABLE handoffs IN EXCLUSIVE MODE');
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO handoffs(id, created_at, destination, lead_count, profile, rep)
         SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5 FROM handoffs RETURNING id`,
        [nowIso, r.destination, r.leadIds.length, r.profile, r.rep],
      );
      batch = inserted.rows[0].id;
      const marked = await client.query<{ id: number }>(
        `UPDATE leads SET status = 'handed-off', handoff_id = $1, updated_at = $2
         WHERE id = ANY($3::bigint[]) AND status = 'sales-ready' AND handoff_id IS NULL RETURNING id`,
        [batch, nowIso, r.leadIds],
      );
      if (marked.rows.length !== r.leadIds.length) {
        const done = new Set(marked.rows.map((row) => row.id));
        const id = r.leadIds.find((x) => !done.has(x))!;
        const { rows } = await client.query<{ status: string }>('SELECT status FROM leads WHERE id = $1', [id]);
        throw handoffConflict(id, rows[0]?.status ?? 'deleted', r.destination);
      }
    }
    r.publish();
    return batch;
  });
}

/** As cleanupSql in src/db/exports.ts; alternate phones listed by callq_alt_phone_list (migration 3). */
function cleanupSql(within: string): string {
  return `SELECT id AS callq_id, external_id, first_name, last_name, company, title, email, phone, phone_ext,
      CASE WHEN alt_phones IS NULL THEN NULL ELSE NULLIF(array_to_string(callq_alt_phone_list(alt_phones), ';'), '') END AS alt_phone,
      country, region, postal_code, source, campaign, list, status,
      CASE status WHEN 'disqualified' THEN disqualify_reason WHEN 'do-not-call' THEN 'do-not-call' WHEN 'exhausted' THEN CASE WHEN contacts > 0 THEN 'no-recent-contact' ELSE 'no-contact' END END AS reason,
      closed_at, attempts, last_call_at, last_disposition
    FROM leads
    WHERE status IN ('disqualified','do-not-call','exhausted') AND purged_at IS NULL${within}
    ORDER BY id`;
}

const pgPlaceholder = (n: number) => `$${n}`;

export function cleanupRowsPg(client: ClientBase, window: CallWindow): Pages<unknown[]> {
  const w = windowSql('closed_at', window, pgPlaceholder);
  return snapshotPages<unknown[]>(client, cleanupSql(w.sql), w.params, 'array');
}

export async function countCleanupPg(client: ClientBase, window: CallWindow): Promise<number> {
  const w = windowSql('closed_at', window, pgPlaceholder);
  const sql = `SELECT count(*) AS n FROM leads WHERE status IN ('disqualified','do-not-call','exhausted') AND purged_at IS NULL${w.sql}`;
  const { rows } = await client.query<{ n: number }>(sql, w.params);
  return rows[0].n;
}

export function nurtureRowsPg(client: ClientBase, window: CallWindow): Pages<unknown[]> {
  const w = windowSql('n.called_at', window, pgPlaceholder);
  return snapshotPages<unknown[]>(client, nurtureSql(w.sql), w.params, 'array');
}

export async function countNurturePg(client: ClientBase, window: CallWindow): Promise<number> {
  const w = windowSql('n.called_at', window, pgPlaceholder);
  const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM (${nurtureSql(w.sql)}) AS n`, w.params);
  return rows[0].n;
}


export function callRowsPg(client: ClientBase, window: CallWindow): Pages<unknown[]> {
  const f = windowSql('c.called_at', window, pgPlaceholder);
  return snapshotPages<unknown[]>(client, callRowsSql(f.sql), f.params, 'array');
}

export async function countCallsPg(client: ClientBase, window: CallWindow): Promise<number> {
  const f = windowSql('c.called_at', window, pgPlaceholder);
  const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM calls c WHERE TRUE${f.sql}`, f.params);
  return rows[0].n;
}
