// `callq forget` (docs/operations.md): erase a person — their leads, calls and notes —
// keeping only hash-only suppression entries, so they are never imported or called again and
// nothing readable about them stays in the file.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { DB } from './open.js';
import { checkpoint, type CheckpointResult } from './maintenance.js';
import { sharedNumber, type SuppressionKey } from '../core/suppression.js';
import { doNotCallKeys } from '../core/maintenance.js';
import { splitPhoneIdentity } from '../core/identity.js';
import { suppressMatchingLeads } from './outcomes.js';
import { MENTION_COLUMNS, type Mention } from './store/admin.js';

export interface PersonLead {
  id: number;
  phone: string;
  phone_ext: string | null;
  phone_raw: string | null;
  alt_phones: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  external_id: string | null;
  external_system: string | null;
}

export interface Person {
  leads: PersonLead[];
  calls: number;
  /** The given phone/email and every phone and email of the person's leads. */
  keys: SuppressionKey[];
}

/**
 * Every lead holding this phone (main or alternate) or email, and what erasing them touches. A
 * number with an extension is the person at that extension; a bare number is the person on
 * the number itself, not the colleagues at its extensions (they are moved to do-not-call, as
 * `dnc add` of a bare number does, but keep their data).
 */
export function findPerson(db: DB, key: SuppressionKey): Person {
  const columns = 'id, phone, phone_ext, phone_raw, alt_phones, email, first_name, last_name, external_id, external_system';
  const { phone, ext } = splitPhoneIdentity(key.value);
  const leads = (
    key.kind === 'phone' && ext
      ? db.prepare(`SELECT ${columns} FROM leads WHERE phone = ? AND phone_ext = ? ORDER BY id`).all(phone, ext)
      : key.kind === 'phone'
      ? db
          .prepare(
            `SELECT ${columns} FROM leads WHERE phone = @v AND phone_ext IS NULL
             UNION SELECT ${columns} FROM leads WHERE alt_phones IS NOT NULL AND instr(alt_phones, @quoted) > 0 ORDER BY id`,
          )
          .all({ v: key.value, quoted: JSON.stringify(key.value) })
      : db.prepare(`SELECT ${columns} FROM leads WHERE lower(trim(email)) = ? ORDER BY id`).all(key.value)
  ) as PersonLead[];
  const calls = callsOf(db, leads);
  const keys = new Map<string, SuppressionKey>([[key.hash, key]]);
  for (const lead of leads) for (const k of doNotCallKeys(lead)) keys.set(k.hash, k);
  const holders = db.prepare('SELECT id FROM leads WHERE phone = ? AND phone_ext IS NULL').pluck();
  return { leads, calls, keys: [...keys.values()].filter((k) => k.hash === key.hash || !sharedNumber(k, leads, (phone) => holders.all(phone) as number[])) };
}

function callsOf(db: DB, leads: readonly { id: number }[]): number {
  const count = db.prepare('SELECT count(*) FROM calls WHERE lead_id = ?').pluck();
  return leads.reduce((n, lead) => n + (count.get(lead.id) as number), 0);
}

export interface Erasure {
  leads: number;
  calls: number;
  /** Suppression entries now holding only a hash for the person's values. */
  suppressions: number;
}

/**
 * Deletes the leads (their calls go with them: ON DELETE CASCADE) and leaves a hash-only
 * suppression entry for every key, clearing the cleartext of entries that already existed.
 * One immediate transaction with secure_delete on, so the freed bytes are zeroed.
 */
export function erasePerson(db: DB, person: Person, now: Date): Erasure {
  const del = db.prepare('DELETE FROM leads WHERE id = ?');
  const suppress = db.prepare(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES (?, NULL, ?, 'forgotten', 'forget', ?)
     ON CONFLICT(kind, value_hash) DO UPDATE SET value = NULL`,
  );
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    return db
      .transaction((): Erasure => {
        const calls = callsOf(db, person.leads);
        let leads = 0;
        for (const lead of person.leads) leads += del.run(lead.id).changes;
        for (const k of person.keys) suppress.run(k.kind, k.hash, now.toISOString());
        // Leads left on a forgotten number (colleagues at its extensions) are not called again either.
        suppressMatchingLeads(db, person.keys.filter((k) => k.kind === 'phone').map((k) => k.value), [], [], now);
        return { leads, calls, suppressions: person.keys.length };
      })
      .immediate();
  } finally {
    db.pragma(`secure_delete = ${secure}`);
  }
}

/**
 * The readable values of the erased person that no remaining lead still holds: these must not
 * be found anywhere in the database file afterwards. (Names are not unique enough to search for;
 * they sit in the same row copies as the phone and email.)
 */
export function erasedValues(db: DB, person: Person): string[] {
  const stillHeld = db.prepare(
    // A remaining lead's raw phone may hold an erased one ('212-736-3001 x202' holds the forgotten
    // main number '212-736-3001'): then that text is not the erased person's alone.
    `SELECT 1 FROM leads WHERE phone = @v OR email = @v OR (alt_phones IS NOT NULL AND instr(alt_phones, @quoted) > 0)
       OR instr(phone_raw, @v) > 0 LIMIT 1`,
  );
  const values = new Set<string>(person.keys.map((k) => k.value));
  for (const lead of person.leads) if (lead.phone_raw && lead.phone_raw.trim().length >= 7) values.add(lead.phone_raw);
  return [...values].filter((v) => v !== '' && !stillHeld.get({ v, quoted: JSON.stringify(v) }));
}

/** The files the leads were handed off in (export sales-ready --out), as recorded. */
export function handoffFilesOf(db: DB, leads: readonly { id: number }[]): string[] {
  const file = db.prepare(
    `SELECT h.destination FROM leads l JOIN handoffs h ON h.id = l.handoff_id WHERE l.id = ? AND h.destination IS NOT NULL AND h.destination <> 'stdout'`,
  ).pluck();
  return [...new Set(leads.map((l) => file.get(l.id) as string | undefined).filter((f): f is string => f !== undefined))];
}

/** Which leads' own data, or their calls' notes, still holds one of `values` (store/admin.ts MENTION_COLUMNS). */
export function mentionsOf(db: DB, values: readonly string[]): Mention[] {
  const leads = db.prepare(`SELECT id FROM leads WHERE ${MENTION_COLUMNS.map((c) => `instr(${c}, @v) > 0`).join(' OR ')}
    UNION SELECT lead_id FROM calls WHERE instr(notes, @v) > 0 ORDER BY 1`).pluck();
  return values.flatMap((value) => (leads.all({ v: value }) as number[]).map((lead) => ({ value, lead })));
}

/** Which of `values` still appear, byte for byte, in the files (the database and its WAL). */
export function findTraces(paths: readonly string[], values: readonly string[]): string[] {
  if (values.length === 0) return [];
  const needles = values.map((v) => ({ value: v, bytes: Buffer.from(v, 'utf8') }));
  const found = new Set<string>();
  const overlap = Math.max(0, ...needles.map((n) => n.bytes.length)) - 1;
  const chunk = Buffer.alloc(16 * 1024 * 1024 + overlap);
  for (const path of paths) {
    if (!existsSync(path) || statSync(path).size === 0) continue;
    const fd = openSync(path, 'r');
    try {
      let kept = 0; // bytes carried over from the previous chunk, so a value split across chunks is seen
      for (let position = 0; ; ) {
        const read = readSync(fd, chunk, kept, chunk.length - kept, position);
        if (read === 0) break;
        position += read;
        const view = chunk.subarray(0, kept + read);
        for (const n of needles) if (!found.has(n.value) && view.includes(n.bytes)) found.add(n.value);
        kept = Math.min(overlap, view.length);
        view.copy(chunk, 0, view.length - kept);
      }
    } finally {
      closeSync(fd);
    }
  }
  return values.filter((v) => found.has(v));
}

export interface Scrub {
  checkpoint: CheckpointResult;
  vacuumed: boolean;
  /** Values still readable somewhere in the files (the WAL kept by a reader); empty when clean. */
  traces: string[];
}

/**
 * Makes sure the erased values are gone from the file: checkpoint the WAL (truncating it), then
 * search the files; copies of earlier row versions can sit in free space that secure_delete did
 * not cover, and only rebuilding the file (VACUUM) removes those. `livingCopies` names the values
 * found that live rows still hold (another lead's data): those are neither sought nor a reason
 * to rebuild.
 */
export function scrubTraces(db: DB, path: string, values: readonly string[], livingCopies: (found: string[]) => ReadonlySet<string> = () => new Set()): Scrub {
  const files = [path, `${path}-wal`];
  let ckpt = checkpoint(db, 2_000);
  // A value another lead's own data holds is found in the file whatever is done: no VACUUM for it.
  const found = findTraces(files, values);
  const living = livingCopies(found);
  const sought = values.filter((v) => !living.has(v));
  let traces = found.filter((v) => !living.has(v));
  let vacuumed = false;
  if (traces.length) {
    db.exec('VACUUM');
    vacuumed = true;
    ckpt = checkpoint(db, 2_000);
    traces = findTraces(files, sought);
  }
  return { checkpoint: ckpt, vacuumed, traces };
}
