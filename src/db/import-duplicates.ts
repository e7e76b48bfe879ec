// Finding the lead an imported row duplicates (docs/importing.md "Duplicates"): the keys of the
// rule in core/identity.ts, looked up in the table, in the import's buffer, or, while a whole
// import has set the lookup indexes aside, through a key index; a bloom filter spares lookups
// for rows that cannot match.
import type { DB } from './open.js';
import { identityKeys, matchPerson, splitPhoneIdentity, type IdentityKeys, type PersonNames } from '../core/identity.js';
import { AT, type LeadTuple, type StoredLead } from '../io/lead-record.js';

export const STORED_COLUMNS = `id, import_id, external_id, external_system, phone_ext, first_name, last_name, company, title, email, phone, alt_phones, country, region,
  postal_code, timezone, timezone_source, source, campaign, list, score, owner, custom, inbound_at, queue_rank, attempts, last_call_at, created_at`;

export type Existing = StoredLead & { id: number; import_id: number | null };

/** Each key as it identifies a person (core/identity.ts): phone with extension, personal e-mail, id within its system. */
export type Keys = IdentityKeys;

/** The columns a lead's identity is read from (a stored lead, or a LeadTuple read through AT). */
export type StoredIdentity = Pick<StoredLead, 'phone' | 'phone_ext' | 'email' | 'external_id' | 'external_system'>;

/** The identity keys of a stored lead or, read through the tuple's positions, a new one. */
export function duplicateKeys(lead: StoredIdentity | LeadTuple): Keys {
  if (!Array.isArray(lead)) return identityKeys(lead.phone, lead.phone_ext, lead.email, lead.external_id, lead.external_system);
  const at = (i: number) => lead[i] as string | null;
  return identityKeys(at(AT.phone)!, at(AT.phone_ext), at(AT.email), at(AT.external_id), at(AT.external_system));
}

/** What the duplicate finder asks of the import's buffer of rows not yet written. */
export interface BufferedLeads {
  /** The first buffered lead whose phone, e-mail or external id is this key. */
  holding(kind: keyof Keys, key: string): Existing | undefined;
  /** The buffered lead with this id, if it is still buffered. */
  held(id: number): Existing | undefined;
  /** Writes the buffered rows. */
  flush(): void;
  /** Writes the buffered rows, and from now on keeps each buffered row's keys for holding(). */
  trackKeys(): void;
}

/** Indexes a whole import has set aside: the lookup ones can be built early if the key index fills. */
export interface SetAsideLookups {
  buildLookups(): void;
}

/** A set of lead ids as a bitmap: memory follows the highest id, not how many an import touches. */
export class LeadIdSet {
  private bits = new Uint32Array(1024);

  add(id: number): void {
    const word = id >>> 5;
    if (word >= this.bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[word] |= 1 << (id & 31);
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.bits.length && (this.bits[word] & (1 << (id & 31))) !== 0;
  }
}

/**
 * Finds the lead a row duplicates: same external id, else same phone, else same personal e-mail
 * (a shared mailbox such as info@ does not identify a person). Leads inserted earlier in the
 * same import are found too: they are in the table, or still in the batch's buffer (read from
 * there by id). Each key is hashed once a row.
 *
 * While the lookup indexes are set aside (deferIndexes), a KeyIndex says which rows may hold a
 * key, and a row none of whose keys it knows cannot be a duplicate. Otherwise a bloom filter of
 * the keys seen (fixed size, so memory stays flat) spares the indexed lookups for rows that
 * cannot match; when the database already holds many more leads than the file, the filter is
 * skipped rather than filled from every stored lead.
 */
export function duplicateFinder(
  db: DB,
  /** The table (or, in a dry run, the view) that holds the stored leads and the import's own. */
  leads: string,
  stored: number,
  expectedRows: number,
  deferred: SetAsideLookups | null,
  batch: BufferedLeads,
): {
  hash(keys: Keys): KeyHashes;
  mayExist(h: KeyHashes): boolean;
  /**
   * The lead `keys` (the row `person`) duplicates, if any, and whether the first lead with the
   * row's phone was passed over as someone else at that number.
   */
  find(keys: Keys, h: KeyHashes, person: PersonNames): { lead: Existing | undefined; apart: boolean };
  /** The first lead (stored or this import's) holding the row's personal e-mail, if any. */
  emailHolder(keys: Keys, h: KeyHashes): Existing | undefined;
  remember(h: KeyHashes, id: number): void;
} {
  const byExternalId = db.prepare(`SELECT ${STORED_COLUMNS} FROM ${leads} WHERE external_id = ? AND external_system IS ? ORDER BY id LIMIT 1`);
  const byPhone = db.prepare(`SELECT ${STORED_COLUMNS} FROM ${leads} WHERE phone = ? AND phone_ext IS ? ORDER BY id LIMIT 1`);
  const byEmail = db.prepare(`SELECT ${STORED_COLUMNS} FROM ${leads} WHERE email = ? ORDER BY id LIMIT 1`);
  const byId = (keys: Keys) => {
    const at = keys.external_id!.indexOf(':'); // system names have no ':' (core/identity.ts)
    return byExternalId.get(keys.external_id!.slice(at + 1), at === 0 ? null : keys.external_id!.slice(0, at));
  };
  const indexedEmail = (keys: Keys) =>
    keys.email !== null ? ((byEmail.get(keys.email) as Existing | undefined) ?? batch.holding('email', keys.email)) : undefined;
  // Stored leads have lower ids than the buffered ones, so for each key the table is asked
  // first and the buffer second: the lowest id holding the key, without writing the buffer.
  const indexed = (keys: Keys, person: PersonNames) => {
    const { phone, ext } = splitPhoneIdentity(keys.phone);
    return matchPerson(
      person,
      () => (keys.external_id !== null ? ((byId(keys) as Existing | undefined) ?? batch.holding('external_id', keys.external_id)) : undefined),
      () => (byPhone.get(phone, ext) as Existing | undefined) ?? batch.holding('phone', keys.phone),
      () => indexedEmail(keys),
    );
  };

  if (stored > expectedRows * 4) {
    return { hash: keyHashes, mayExist: () => true, find: (keys, _h, person) => indexed(keys, person), emailHolder: indexedEmail, remember() {} };
  }
  let filter: KeyFilter | null = deferred ? null : new KeyFilter();
  let rows = deferred ? new KeyIndex() : null;
  const storedById = db.prepare(`SELECT ${STORED_COLUMNS} FROM ${leads} WHERE id = ?`);
  // The first lead (lowest id) whose key still is this one, as the indexed lookups would find.
  const scan = (kind: keyof Keys, key: string, hash: [number, number]) => {
    let found: Existing | undefined;
    for (const id of rows!.candidates(hash)) {
      if (found && found.id < id) continue;
      const row = batch.held(id) ?? (storedById.get(id) as Existing | undefined);
      if (row && duplicateKeys(row)[kind] === key) found = row;
    }
    return found;
  };
  const each = (h: KeyHashes, f: (hash: [number, number]) => void) => {
    f(h.phone);
    if (h.email) f(h.email);
    if (h.external_id) f(h.external_id);
  };
  /** Notes the keys; says whether the KeyIndex is full (the lookup indexes must then be built). */
  const note = (h: KeyHashes, id: number) => {
    if (filter) each(h, (hash) => filter!.add(hash));
    if (!rows) return false;
    each(h, (hash) => rows!.add(hash, id));
    return rows.full || id > 0x7fffffff;
  };
  const everyStoredLead = () =>
    db.prepare('SELECT id, external_id, external_system, phone, phone_ext, email FROM main.leads').iterate() as IterableIterator<StoredIdentity & { id: number }>;
  /** From now on the lookup indexes find duplicates, and a bloom filter of every key spares most lookups. */
  const spill = () => {
    batch.trackKeys();
    rows = null;
    filter = new KeyFilter();
    for (const row of everyStoredLead()) note(keyHashes(duplicateKeys(row)), row.id);
    deferred!.buildLookups();
  };
  // Indexes cannot be built while the statement reading the stored leads is open.
  let full = false;
  if (stored > 0) for (const row of everyStoredLead()) full = note(keyHashes(duplicateKeys(row)), row.id) || full;
  if (full) spill();
  return {
    hash: keyHashes,
    mayExist: (h) => {
      const probe = rows ?? filter!;
      return probe.has(h.phone) || (h.email !== null && probe.has(h.email)) || (h.external_id !== null && probe.has(h.external_id));
    },
    find: (keys, h, person) =>
      rows
        ? matchPerson(
            person,
            () => (h.external_id ? scan('external_id', keys.external_id!, h.external_id) : undefined),
            () => scan('phone', keys.phone, h.phone),
            () => (h.email ? scan('email', keys.email!, h.email) : undefined),
          )
        : indexed(keys, person),
    emailHolder: (keys, h) => {
      if (!h.email) return undefined;
      if (rows) return scan('email', keys.email!, h.email);
      return filter!.has(h.email) ? indexedEmail(keys) : undefined;
    },
    remember: (h, id) => {
      if (note(h, id)) spill();
    },
  };
}

/** The two hashes of each key of a row (see hashes()). */
type KeyHashes = { phone: [number, number]; email: [number, number] | null; external_id: [number, number] | null };

function keyHashes(keys: Keys): KeyHashes {
  return {
    phone: hashes('p', keys.phone),
    email: keys.email === null ? null : hashes('e', keys.email),
    external_id: keys.external_id === null ? null : hashes('x', keys.external_id),
  };
}

/**
 * Which leads may hold a key, while the lookup indexes are set aside: 4M slots of lead ids
 * (16 MB) and a one-byte fingerprint of each key (4 MB), fixed so memory stays flat; open
 * addressing on one hash of the key, the fingerprint from the other. It only narrows the
 * search: the rows it names are read and compared. Full at half its slots.
 */
class KeyIndex {
  private readonly slots = new Int32Array(1 << 22);
  private readonly prints = new Uint8Array(1 << 22);
  private readonly mask = (1 << 22) - 1;
  private used = 0;

  get full(): boolean {
    return this.used > 1 << 21;
  }

  add([a, b]: [number, number], id: number): void {
    const print = b >>> 24;
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.slots[slot] === id && this.prints[slot] === print) return;
      if (this.slots[slot] === 0) {
        this.slots[slot] = id;
        this.prints[slot] = print;
        this.used++;
        return;
      }
    }
  }

  /** False when no lead was noted with this key (true may be a collision). */
  has([a, b]: [number, number]): boolean {
    const print = b >>> 24;
    for (let slot = a & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) if (this.prints[slot] === print) return true;
    return false;
  }

  *candidates([a, b]: [number, number]): Generator<number> {
    const print = b >>> 24;
    for (let slot = a & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) if (this.prints[slot] === print) yield this.slots[slot];
  }
}

/** A bloom filter over key hashes: 8 MB, 4 probes; says "maybe" or "certainly not". */
class KeyFilter {
  private readonly bits = new Uint32Array(1 << 21);
  private readonly mask = (1 << 26) - 1;

  add([a, b]: [number, number]): void {
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  has([a, b]: [number, number]): boolean {
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a hashes of kind + key. */
function hashes(kind: string, key: string): [number, number] {
  let a = 0x811c9dc5 ^ kind.charCodeAt(0);
  let b = 0x01000193 ^ (kind.charCodeAt(0) * 31);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b >>> 0) | 1];
}
