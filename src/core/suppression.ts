// Do-not-call matching. Suppressions are looked up by a hash of "kind:value" so that an entry
// can outlive the person's data: after `callq forget` only the hash remains, and a re-import of
// the same phone or email (in any format, once normalised) still matches it.
import { createHash } from 'node:crypto';
import { isPersonalEmail, phoneIdentity, splitPhoneIdentity } from './identity.js';
import { parseAltPhones } from './lead.js';

export type SuppressionKind = 'phone' | 'email' | 'domain';

export interface SuppressionKey {
  kind: SuppressionKind;
  value: string;
  hash: string;
}

export function suppressionHash(kind: SuppressionKind, value: string): string {
  return createHash('sha256').update(`${kind}:${value}`).digest('hex');
}

/** Normalised value for a suppression entry: E.164 phone, lower-case email, domain without '@'. */
export function suppressionKey(kind: SuppressionKind, value: string): SuppressionKey {
  const v = kind === 'phone' ? value.trim() : value.trim().toLowerCase().replace(/^@/, '');
  return { kind, value: v, hash: suppressionHash(kind, v) };
}

/**
 * Every key that would suppress a lead with this phone / email (phone, alternates, email, its
 * domain). A lead at an extension is suppressed by its number with that extension and by the
 * bare number (a do-not-call on a main number covers every extension behind it), never by
 * another extension: one colleague's request does not silence the others.
 */
export function leadSuppressionKeys(lead: {
  phone?: string | null;
  phone_ext?: string | null;
  alt_phones?: readonly string[] | null;
  email?: string | null;
}): SuppressionKey[] {
  const keys: SuppressionKey[] = [];
  if (lead.phone && lead.phone_ext) keys.push(suppressionKey('phone', phoneIdentity(lead.phone, lead.phone_ext)));
  for (const phone of [lead.phone, ...(lead.alt_phones ?? [])]) if (phone) keys.push(suppressionKey('phone', phone));
  if (lead.email) {
    keys.push(suppressionKey('email', lead.email));
    const domain = lead.email.split('@')[1];
    if (domain) keys.push(suppressionKey('domain', domain));
  }
  return keys;
}

/**
 * What a person's own do-not-call puts on the list: their number as they are reached (with the
 * extension, if any: only that extension), their alternates and their e-mail (and any other
 * e-mails an imported row gives for them) — not a shared mailbox such as info@ or sales@, which
 * reaches colleagues who asked for nothing (core/identity.ts isPersonalEmail).
 */
export function personSuppressionKeys(lead: {
  phone: string | null;
  phone_ext?: string | null;
  alt_phones: readonly string[];
  email: string | null;
  other_emails?: readonly string[];
}): SuppressionKey[] {
  const keys: SuppressionKey[] = [];
  if (lead.phone) keys.push(suppressionKey('phone', phoneIdentity(lead.phone, lead.phone_ext)));
  for (const phone of lead.alt_phones) if (phone) keys.push(suppressionKey('phone', phone));
  for (const email of [lead.email, ...(lead.other_emails ?? [])]) if (email && isPersonalEmail(email)) keys.push(suppressionKey('email', email));
  return keys;
}

/**
 * Whether `k` is a bare number that a lead other than `erased` has as its own: a company's main
 * number the person shares with colleagues (docs/importing.md, "Duplicates"). It is not put on
 * the do-not-call list for them: that would stop the colleagues too. Their e-mail and their
 * other numbers are.
 */
export function sharedNumber(k: SuppressionKey, erased: readonly { id: number }[], holders: (phone: string) => number[]): boolean {
  if (k.kind !== 'phone' || splitPhoneIdentity(k.value).ext !== null) return false;
  return holders(k.value).some((id) => !erased.some((l) => l.id === id));
}

/** A do-not-call list entry as stored (value null: hash only, after `callq forget`). */
export interface ListEntry {
  kind: SuppressionKind;
  value: string | null;
  value_hash: string;
  reason: string | null;
  source: string | null;
  created_at: string;
}

/**
 * What a restore must carry over from the database it replaces (docs/operations.md, "Restore"):
 * the entries the backup lacks (a do-not-call or a `forget` since it was taken), and those the
 * replaced database holds as a hash only where the backup still has the clear value (a person
 * forgotten since). `inBackup` gives the backup's value for a kind and hash: undefined when it has
 * no such entry, null when it holds the hash only.
 */
export function entriesToCarry(current: readonly ListEntry[], inBackup: (kind: string, hash: string) => string | null | undefined): ListEntry[] {
  return current.filter((e) => {
    const there = inBackup(e.kind, e.value_hash);
    return there === undefined || (e.value === null && there !== null);
  });
}

/**
 * How the hash-only entries a restore carried over (people forgotten since its backup, as
 * `kind:hash` in `forgotten`) reach a restored lead: `erase` when one names the person themselves
 * (their number as they are reached, an alternate, their e-mail: what `forget` hashed),
 * `do-not-call` when one is a forgotten main number a colleague at an extension of it shares,
 * else null.
 */
export function carriedEntryReach(
  lead: { phone: string | null; phone_ext: string | null; alt_phones: string | null; email: string | null },
  forgotten: ReadonlySet<string>,
): 'erase' | 'do-not-call' | null {
  const stored = { ...lead, alt_phones: parseAltPhones(lead.alt_phones) };
  const named = (keys: SuppressionKey[]) => keys.some((k) => forgotten.has(`${k.kind}:${k.hash}`));
  const own = personSuppressionKeys({ ...stored, email: null, other_emails: [] });
  if (lead.email) own.push(suppressionKey('email', lead.email));
  if (named(own)) return 'erase';
  return named(leadSuppressionKeys(stored)) ? 'do-not-call' : null;
}
