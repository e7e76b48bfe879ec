// What a hand-off file says (docs/exporting.md): the columns of each profile and how a lead's status
// reads in the destination CRM. Pure: rows in, cells out.
//
// Field names relied on:
// - Salesforce Lead object, standard fields by API name (Salesforce Field Reference, "Lead"):
//   FirstName, LastName, Company, Title, Email, Phone, MobilePhone, State, PostalCode, Country,
//   LeadSource, Status, Rating, DoNotCall, Description. LastName and Company are required by
//   Salesforce. Status uses the default picklist ("Open - Not Contacted", "Working - Contacted",
//   "Closed - Converted", "Closed - Not Converted"); Rating the default Hot/Warm/Cold. Anything
//   else goes to columns named like custom fields (`Need__c`), which the import wizard maps or skips.
// - HubSpot contact default properties by internal name (HubSpot CRM properties docs and import
//   guides): firstname, lastname, email, phone, mobilephone, company, jobtitle, state, zip,
//   country; hs_lead_status with its internal values NEW, OPEN, IN_PROGRESS, OPEN_DEAL,
//   UNQUALIFIED, ATTEMPTED_TO_CONTACT, CONNECTED, BAD_TIMING; lifecyclestage with its internal
//   values subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer.
//   Our extra fields use snake_case names, the form HubSpot gives custom property internal names.
// - default: callq's own field names, the ones `callq import` recognises, so the file re-imports.
//
// Extensions: the default profile has a phone_ext column. Salesforce's Lead has no extension
// field, so Phone carries it the way Salesforce users write it ('+12127363001 x101'); HubSpot's
// Phone Number property reads an extension written after the number ('+12127363001 ext. 101').
//
// Required fields (docs/exporting.md): Salesforce refuses a lead without LastName or Company, and
// HubSpot a contact without any of email, firstname and lastname. Such a field left empty is
// filled with '[not provided]' (what Salesforce's own web-to-lead writes for a missing
// Company), and the export says how many it filled, so no lead is marked handed off and then
// refused by the CRM.
import type { LeadRow } from './lead.js';
import type { LeadStatus } from './lifecycle.js';

export const PROFILES = ['default', 'salesforce', 'hubspot'] as const;
export type ProfileName = (typeof PROFILES)[number];

export function isProfile(value: string): value is ProfileName {
  return (PROFILES as readonly string[]).includes(value);
}

/** A lead as the hand-off export reads it, JSON columns parsed. */
export type HandoffLead = Pick<
  LeadRow,
  | 'id'
  | 'external_id'
  | 'first_name'
  | 'last_name'
  | 'company'
  | 'title'
  | 'email'
  | 'phone'
  | 'phone_ext'
  | 'country'
  | 'region'
  | 'postal_code'
  | 'timezone'
  | 'source'
  | 'campaign'
  | 'list'
  | 'score'
  | 'owner'
  | 'status'
  | 'disqualify_reason'
  | 'attempts'
  | 'contacts'
  | 'first_call_at'
  | 'last_call_at'
  | 'handoff_note'
> & {
  alt_phones: string[];
  /** When the lead became sales-ready (closed_at). */
  qualified_at: string | null;
  /** The rep who logged the qualifying call. */
  qualified_by: string | null;
  qualification: Record<string, string>;
  custom: Record<string, string>;
};

export type Cell = string | number | null;

export interface ExportColumn {
  header: string;
  /** Holds E.164 numbers, which start with '+' and are left as they are by formula neutralising. */
  phone?: boolean;
  value: (lead: HandoffLead) => Cell;
}

/** The keys that vary from batch to batch and become columns of their own. */
export interface BatchKeys {
  /** Qualification answers beyond the standard four, in order of first appearance. */
  qualification: string[];
  /** Custom fields (original CSV headers), in order of first appearance. */
  custom: string[];
}

/** The spec's qualification answers: always columns, so a CRM import mapping saved once keeps working. */
export const STANDARD_ANSWERS = ['need', 'timeframe', 'authority', 'budget'] as const;

/** Alternate phones in one cell, the form `callq import` splits again. */
export const ALT_PHONE_SEPARATOR = ';';

const SALESFORCE_STATUS: Record<LeadStatus, string> = {
  new: 'Open - Not Contacted',
  working: 'Working - Contacted',
  callback: 'Working - Contacted',
  nurture: 'Working - Contacted',
  'sales-ready': 'Working - Contacted',
  'handed-off': 'Working - Contacted',
  disqualified: 'Closed - Not Converted',
  'do-not-call': 'Closed - Not Converted',
  exhausted: 'Closed - Not Converted',
};

const SALESFORCE_RATING: Record<LeadStatus, string> = {
  new: 'Cold',
  working: 'Cold',
  callback: 'Warm',
  nurture: 'Warm',
  'sales-ready': 'Hot',
  'handed-off': 'Hot',
  disqualified: 'Cold',
  'do-not-call': 'Cold',
  exhausted: 'Cold',
};

const HUBSPOT_LEAD_STATUS: Record<LeadStatus, string> = {
  new: 'NEW',
  working: 'ATTEMPTED_TO_CONTACT',
  callback: 'IN_PROGRESS',
  nurture: 'BAD_TIMING',
  'sales-ready': 'CONNECTED',
  'handed-off': 'CONNECTED',
  disqualified: 'UNQUALIFIED',
  'do-not-call': 'UNQUALIFIED',
  exhausted: 'ATTEMPTED_TO_CONTACT',
};

/**
 * The status each profile writes. A hand-off row reads the same before and after the lead is
 * marked handed-off, so re-exporting a batch reproduces it; a lead that asked not to be called
 * since then shows it.
 */
export function profileStatus(profile: ProfileName, lead: Pick<HandoffLead, 'status' | 'disqualify_reason'>): string {
  switch (profile) {
    case 'default':
      return lead.status === 'handed-off' ? 'sales-ready' : lead.status;
    case 'salesforce':
      return SALESFORCE_STATUS[lead.status];
    case 'hubspot':
      return lead.status === 'disqualified' && lead.disqualify_reason === 'bad-timing' ? 'BAD_TIMING' : HUBSPOT_LEAD_STATUS[lead.status];
  }
}

export function salesforceRating(status: LeadStatus): string {
  return SALESFORCE_RATING[status];
}

export function hubspotLifecycleStage(status: LeadStatus): string {
  return status === 'sales-ready' || status === 'handed-off' ? 'salesqualifiedlead' : 'lead';
}

/** The qualification keys a batch exports: the standard four, then any others the team asked. */
function answerKeys(keys: BatchKeys): string[] {
  return [...STANDARD_ANSWERS, ...keys.qualification.filter((k) => !(STANDARD_ANSWERS as readonly string[]).includes(k))];
}

/** 'left_company' / 'decision date' -> 'Left_Company__c' / 'Decision_Date__c'. */
function salesforceCustomName(key: string): string {
  const words = key.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join('_') + '__c';
}

/** 'decision date' -> 'decision_date'. */
function snakeName(key: string): string {
  return key
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('_');
}

const text = (v: string | null | undefined): Cell => (v === undefined || v === '' ? null : v);

/** What fills a field the destination requires when the lead has no value for it. */
export const NOT_PROVIDED = '[not provided]';

/** The fields (by the profile's column name) that the destination requires and this lead leaves empty. */
export function missingRequired(profile: ProfileName, lead: Pick<HandoffLead, 'first_name' | 'last_name' | 'company' | 'email'>): string[] {
  const empty = (v: string | null) => v === null || v.trim() === '';
  switch (profile) {
    case 'default':
      return [];
    case 'salesforce':
      return [...(empty(lead.last_name) ? ['LastName'] : []), ...(empty(lead.company) ? ['Company'] : [])];
    case 'hubspot':
      return empty(lead.email) && empty(lead.first_name) && empty(lead.last_name) ? ['lastname'] : [];
  }
}

/** The phone cell: E.164, with the extension written as the CRM reads it (default: its own column). */
export function profilePhone(profile: ProfileName, lead: Pick<HandoffLead, 'phone' | 'phone_ext'>): string {
  if (!lead.phone_ext || profile === 'default') return lead.phone;
  return profile === 'salesforce' ? `${lead.phone} x${lead.phone_ext}` : `${lead.phone} ext. ${lead.phone_ext}`;
}

/** Hand-off note, then the answers: Salesforce's one standard long-text field carries both. */
export function describeForSales(lead: HandoffLead, answers: readonly string[]): string | null {
  const lines = answers.filter((k) => lead.qualification[k]).map((k) => `${k[0].toUpperCase()}${k.slice(1)}: ${lead.qualification[k]}`);
  const parts = [lead.handoff_note ?? '', lines.join('\n')].filter((p) => p !== '');
  return parts.length ? parts.join('\n\n') : null;
}

/** One fact of a hand-off row, and its column name in each profile (null: not in that profile). */
interface Fact {
  names: Record<ProfileName, string | null>;
  phone?: boolean;
  value: (lead: HandoffLead, profile: ProfileName) => Cell;
}

const fact = (def: string | null, salesforce: string | null, hubspot: string | null, value: Fact['value'], phone = false): Fact => ({
  names: { default: def, salesforce, hubspot },
  value,
  phone,
});

/** Every profile's columns in one table, in file order; the answers columns go before the note. */
function facts(answers: string[]): Fact[] {
  return [
    fact('callq_id', 'Callq_Id__c', 'callq_id', (l) => l.id),
    fact('external_id', 'External_Id__c', 'external_id', (l) => text(l.external_id)),
    fact('first_name', 'FirstName', 'firstname', (l) => text(l.first_name)),
    fact('last_name', 'LastName', 'lastname', (l, p) => (missingRequired(p, l).some((f) => /^last/i.test(f)) ? NOT_PROVIDED : text(l.last_name))),
    fact('company', 'Company', 'company', (l, p) => (missingRequired(p, l).includes('Company') ? NOT_PROVIDED : text(l.company))),
    fact('title', 'Title', 'jobtitle', (l) => text(l.title)),
    fact('email', 'Email', 'email', (l) => text(l.email)),
    fact('phone', 'Phone', 'phone', (l, p) => profilePhone(p, l), true),
    fact('phone_ext', null, null, (l) => text(l.phone_ext)),
    fact('alt_phone', null, null, (l) => text(l.alt_phones.join(ALT_PHONE_SEPARATOR)), true),
    fact(null, 'MobilePhone', 'mobilephone', (l) => l.alt_phones[0] ?? null, true),
    fact('country', 'Country', 'country', (l) => text(l.country)),
    fact('region', 'State', 'state', (l) => text(l.region)),
    fact('postal_code', 'PostalCode', 'zip', (l) => text(l.postal_code)),
    fact('timezone', null, null, (l) => text(l.timezone)),
    fact('source', 'LeadSource', 'lead_source', (l) => text(l.source)),
    fact('campaign', 'Campaign__c', 'campaign', (l) => text(l.campaign)),
    fact('list', 'List__c', 'list', (l) => text(l.list)),
    fact('score', 'Score__c', 'score', (l) => l.score),
    fact('owner', null, null, (l) => text(l.owner)),
    fact('status', 'Status', 'hs_lead_status', (l, profile) => profileStatus(profile, l)),
    fact(null, 'Rating', null, (l) => salesforceRating(l.status)),
    fact(null, 'DoNotCall', null, (l) => (l.status === 'do-not-call' ? 'true' : 'false')),
    fact(null, null, 'lifecyclestage', (l) => hubspotLifecycleStage(l.status)),
    fact('attempts', 'Attempts__c', 'attempts', (l) => l.attempts),
    fact('contacts', 'Contacts__c', 'contacts', (l) => l.contacts),
    fact('first_call_at', 'First_Call__c', 'first_call_at', (l) => text(l.first_call_at)),
    fact('last_call_at', 'Last_Call__c', 'last_call_at', (l) => text(l.last_call_at)),
    fact('qualified_at', 'Qualified_At__c', 'qualified_at', (l) => text(l.qualified_at)),
    fact('qualified_by', 'Qualified_By__c', 'qualified_by', (l) => text(l.qualified_by)),
    ...answers.map((k) => fact(`qualification_${snakeName(k)}`, salesforceCustomName(k), `qualification_${snakeName(k)}`, (l) => text(l.qualification[k]))),
    fact('handoff_note', 'Handoff_Note__c', 'handoff_note', (l) => text(l.handoff_note)),
    fact(null, 'Description', null, (l) => describeForSales(l, answers)),
  ];
}

/**
 * The columns of a hand-off file: the profile's own, then one per custom field, named after the
 * original CSV header (with " (custom)" added if that would repeat a header already there).
 */
export function handoffColumns(profile: ProfileName, keys: BatchKeys): ExportColumn[] {
  const own = facts(answerKeys(keys)).flatMap((f): ExportColumn[] => {
    const header = f.names[profile];
    return header === null ? [] : [{ header, phone: f.phone, value: (l) => f.value(l, profile) }];
  });
  const taken = new Set(own.map((c) => c.header.toLowerCase()));
  const custom = keys.custom.map((key): ExportColumn => {
    let header = key;
    while (taken.has(header.toLowerCase())) header += ' (custom)';
    taken.add(header.toLowerCase());
    return { header, value: (l) => text(l.custom[key]) };
  });
  return [...own, ...custom];
}
