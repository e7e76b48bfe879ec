// Who is one person (docs/importing.md "Duplicates"): the keys that make two imported rows one lead. Pure.
//
// - A phone number with its extension: colleagues behind one switchboard (x101, x202) are
//   different people, and a bare main number is a contact of its own, not any of them.
// - A personal e-mail: not a shared mailbox such as info@ or sales@ (isPersonalEmail).
// - An external id, only within the system that issued it: row 1 of one vendor's file and
//   row 1 of another's are not the same person. A plain 1..n row counter is not an id at all.

/** The keys that identify a person; two leads sharing any one of them are one (docs/importing.md "Duplicates"). */
export interface IdentityKeys {
  /** phoneIdentity(phone, extension) */
  phone: string;
  /** A personal e-mail, or null. */
  email: string | null;
  /** externalIdentity(system, id), or null. */
  external_id: string | null;
}

/** The identity keys of a lead, from the columns they are made of (as values: an import asks for every row). */
export function identityKeys(
  phone: string,
  phoneExt: string | null,
  email: string | null,
  externalId: string | null,
  externalSystem: string | null,
): IdentityKeys {
  return {
    phone: phoneIdentity(phone, phoneExt),
    email: email && isPersonalEmail(email) ? email : null,
    external_id: externalId === null ? null : externalIdentity(externalSystem, externalId),
  };
}

/** What a row or a lead says of who it is, beyond its keys: enough to tell two people at one number apart. */
export interface PersonNames {
  first_name: string | null;
  email: string | null;
  external_id: string | null;
  external_system: string | null;
}

/**
 * Whether two rows name different people by name and e-mail: both give a first name and a
 * personal e-mail, and both differ (two people at one desk line or main number, as list vendors
 * give them). Rows with one external id of one system are one person whatever they say.
 */
export function namesAnotherPerson(a: PersonNames, b: PersonNames): boolean {
  return !sameRecord(a, b) && differ(firstName(a), firstName(b)) && differ(personalEmail(a), personalEmail(b));
}

/**
 * Whether a row whose phone (with its extension) a lead already has is someone else at that
 * number, and so a lead of its own: both give a first name and they differ, and so do either
 * their personal e-mails or their ids in one system (a CRM or list vendor keeps them as two
 * records: colleagues sharing a company's main number). A CRM's second record of one person
 * (the same name, another id) stays a duplicate, and so does a row that says too little to tell.
 */
export function anotherPersonAtPhone(lead: PersonNames, row: PersonNames): boolean {
  const otherRecord = lead.external_system === row.external_system && differ(lead.external_id, row.external_id);
  return !sameRecord(lead, row) && differ(firstName(lead), firstName(row)) && (differ(personalEmail(lead), personalEmail(row)) || otherRecord);
}

const firstName = (p: PersonNames) => p.first_name?.trim().toLocaleLowerCase() || null;
const personalEmail = (p: PersonNames) => (p.email !== null && isPersonalEmail(p.email) ? p.email : null);
/** Both known, and not the same. */
const differ = (a: string | null, b: string | null) => a !== null && b !== null && a !== b;
const sameRecord = (a: PersonNames, b: PersonNames) => a.external_id !== null && a.external_id === b.external_id && a.external_system === b.external_system;

/**
 * What a row duplicates, by its external id, else its phone, else its e-mail (each lookup giving
 * the lowest id holding that key). The first holder of the phone does not count when it is
 * someone else at that number (anotherPersonAtPhone; `personOf` says who it is): the row is then
 * matched by its e-mail, or is a lead of its own, and `apart` says so. Both stores' imports.
 */
export function matchPerson<T>(
  person: PersonNames,
  byId: () => T | undefined,
  byPhone: () => T | undefined,
  byEmail: () => T | undefined,
  personOf: (found: T) => PersonNames = (found) => found as PersonNames,
): { lead: T | undefined; apart: boolean } {
  const known = byId();
  if (known !== undefined) return { lead: known, apart: false };
  const atPhone = byPhone();
  const apart = atPhone !== undefined && anotherPersonAtPhone(personOf(atPhone), person);
  return { lead: (apart ? undefined : atPhone) ?? byEmail(), apart };
}

/**
 * `leads` (all at one phone number) grouped into the people they are: each joins the first group
 * whose first lead it is not someone else to (anotherPersonAtPhone). One group is one person
 * (or leads that say too little to tell apart); more are colleagues sharing the number.
 */
export function peopleAmong<T extends PersonNames>(leads: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const lead of leads) {
    const group = groups.find((g) => !anotherPersonAtPhone(g[0], lead));
    if (group) group.push(lead);
    else groups.push([lead]);
  }
  return groups;
}

/**
 * Whether a row with these identity keys ('p:…', 'e:…', 'x:…') repeats a lead the import has
 * merged a row into (`merged`: each key of such a lead, with the lead as merged): by any of its
 * keys, but by its phone only when the row is not someone else at that number.
 */
export function repeatsMerged(merged: ReadonlyMap<string, PersonNames>, keys: readonly string[], row: PersonNames): boolean {
  return keys.some((k) => {
    const lead = merged.get(k);
    return lead !== undefined && !(k.startsWith('p:') && anotherPersonAtPhone(lead, row));
  });
}

const ROLE_MAILBOX = /^(?:info|sales|contact|contactus|office|admin|hello|support|enquiries|inquiries|enquiry|inquiry|mail|team|marketing|hr|billing|accounts|reception|general)@/;

/** Whether an (already normalised) e-mail identifies one person, for duplicate matching. */
export function isPersonalEmail(email: string): boolean {
  return !ROLE_MAILBOX.test(email);
}

/** The phone part of a lead's identity: E.164, with ';ext=N' (RFC 3966) when it has an extension. */
export function phoneIdentity(phone: string, ext: string | null | undefined): string {
  return ext ? `${phone};ext=${ext}` : phone;
}

/** A phone identity (or do-not-call value) back into its number and extension. */
export function splitPhoneIdentity(value: string): { phone: string; ext: string | null } {
  const at = value.indexOf(';ext=');
  return at < 0 ? { phone: value, ext: null } : { phone: value.slice(0, at), ext: value.slice(at + 5) };
}

/** The external-id part of a lead's identity: the id qualified by its system. */
export function externalIdentity(system: string | null, id: string): string {
  return `${system ?? ''}:${id}`;
}

// Header spellings (letters and digits only, lower case) that name the system issuing the id.
const SYSTEM_OF_HEADER: Record<string, string> = {
  recordid: 'hubspot', // HubSpot's exports call their id 'Record ID'
  hubspotid: 'hubspot',
  hubspotcontactid: 'hubspot',
  hsobjectid: 'hubspot',
  salesforceid: 'salesforce',
  sfdcid: 'salesforce',
  personid: 'pipedrive', // Pipedrive's 'Person - ID'
  apolloid: 'apollo',
  apollocontactid: 'apollo',
  zoominfoid: 'zoominfo',
  zoominfocontactid: 'zoominfo',
};

// Salesforce record ids: 15 or 18 letters and digits, the first three the object's key prefix
// (00Q a lead, 003 a contact).
const SALESFORCE_ID = /^(?:00Q|003)[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;

/**
 * The system an id column's ids belong to: the product named by its header ('Record ID' is
 * HubSpot's, 'Person - ID' Pipedrive's, …) or by the ids themselves (Salesforce lead and
 * contact ids), else the header itself ('id', 'vendor id'), so two files join by id only when
 * their id columns are named alike. `headerKey` is the header's letters and digits, lower case.
 */
export function externalIdSystem(headerKey: string, sample: readonly string[]): { system: string; from: 'header' | 'values' } {
  const named = SYSTEM_OF_HEADER[headerKey];
  if (named) return { system: named, from: 'header' };
  if (sample.length > 0 && sample.every((id) => SALESFORCE_ID.test(id))) return { system: 'salesforce', from: 'values' };
  return { system: headerKey || 'id', from: 'header' };
}

/** How many leading records the row-counter test looks at. */
export const COUNTER_SAMPLE = 20;

/**
 * Whether an id column's first values are a row counter (1, 2, 3… in file order) rather than
 * ids: small whole numbers, the first no larger than its line number, each step at least 1 and
 * no larger than the lines between the two records (rejected, blank or multi-line records
 * between them). `sample` is in file order, records without an id left out.
 */
export function isRowCounter(sample: readonly { id: string; line: number }[]): boolean {
  if (sample.length === 0) return false;
  let previous: { id: number; line: number } | null = null;
  for (const { id, line } of sample) {
    if (!/^(?:0|[1-9]\d{0,8})$/.test(id)) return false;
    const n = Number(id);
    if (previous === null) {
      if (n > line) return false;
    } else {
      const step = n - previous.id;
      if (step < 1 || step > line - previous.line) return false;
    }
    previous = { id: n, line };
  }
  return true;
}

/** A CRM's do-not-call checkbox as exported: true, 1, yes, y, x, checked (any case). */
export function isDoNotCallFlag(text: string | null): boolean {
  return text !== null && /^(?:true|t|1|yes|y|x|checked)$/i.test(text.trim());
}
