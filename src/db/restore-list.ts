// A restore keeps the do-not-call list (docs/operations.md, "Restore"): a backup is older than
// the database it replaces, and a do-not-call request or a `forget` made since it was taken must
// not be undone by it. The replaced database's list is read first; afterwards, the entries the
// backup lacks are added, the leads they name are moved to do-not-call, and the people forgotten
// since are erased again (their data came back with the backup).
import type { DB } from './open.js';
import { carriedEntryReach, entriesToCarry, type ListEntry } from '../core/suppression.js';
import { doNotCallKeys } from '../core/maintenance.js';
import { moveToDoNotCall, suppressMatchingLeads } from './outcomes.js';
import { erasedValues, erasePerson, scrubTraces, type PersonLead } from './forget.js';

/** What a restore carried over from the database it replaced. */
export interface CarriedList {
  /** Entries the backup lacked or held in clear where the replaced database held a hash only. */
  entries: number;
  /** Restored leads moved to do-not-call by them. */
  moved_to_dnc: number;
  /** Restored leads of people forgotten since the backup, erased again. */
  erased: number;
}

/** The do-not-call list of `db` (the database a restore is about to replace). */
export function readList(db: DB): ListEntry[] {
  return db.prepare('SELECT kind, value, value_hash, reason, source, created_at FROM suppressions ORDER BY id').all() as ListEntry[];
}

/** Adds `entries` the restored database `db` (at `path`) lacks, and applies them to its leads. */
export function carryOverList(db: DB, path: string, entries: readonly ListEntry[], now: Date): CarriedList {
  const has = db.prepare('SELECT value FROM suppressions WHERE kind = ? AND value_hash = ?');
  const carry = entriesToCarry(entries, (kind, hash) => (has.get(kind, hash) as { value: string | null } | undefined)?.value);
  if (carry.length === 0) return { entries: 0, moved_to_dnc: 0, erased: 0 };
  const put = db.prepare(
    `INSERT INTO suppressions(kind, value, value_hash, reason, source, created_at) VALUES (@kind, @value, @value_hash, @reason, @source, @created_at)
     ON CONFLICT(kind, value_hash) DO UPDATE SET value = NULL`,
  );
  const forgotten = new Set(carry.filter((e) => e.value === null).map((e) => `${e.kind}:${e.value_hash}`));
  const toErase: PersonLead[] = [];
  const moved = db
    .transaction(() => {
      for (const e of carry) put.run(e);
      const values = (kind: string) => carry.filter((e) => e.kind === kind && e.value !== null).map((e) => e.value!);
      let n = suppressMatchingLeads(db, values('phone'), values('email'), values('domain'), now);
      if (forgotten.size) {
        const alsoListed: number[] = [];
        const leads = db.prepare('SELECT id, phone, phone_ext, phone_raw, alt_phones, email, first_name, last_name, external_id, external_system FROM leads');
        for (const lead of leads.iterate() as IterableIterator<PersonLead>) {
          const reach = carriedEntryReach(lead, forgotten);
          if (reach === 'erase') toErase.push(lead);
          else if (reach === 'do-not-call') alsoListed.push(lead.id);
        }
        n += moveToDoNotCall(db, alsoListed, now);
      }
      return n;
    })
    .immediate();
  if (toErase.length === 0) return { entries: carry.length, moved_to_dnc: moved, erased: 0 };
  // As `forget` erased them: every number and e-mail of theirs stays on the list as a hash only.
  const keys = new Map(toErase.flatMap((lead) => doNotCallKeys(lead)).map((k) => [`${k.kind}:${k.hash}`, k]));
  const person = { leads: toErase, calls: 0, keys: [...keys.values()] };
  const erased = erasePerson(db, person, now);
  scrubTraces(db, path, erasedValues(db, person));
  return { entries: carry.length, moved_to_dnc: moved, erased: erased.leads };
}
