// Which CSV column fills which lead field: header recognition, --map overrides, custom fields.
// Headers are compared by their letters and digits only, case- and accent-insensitively, so
// 'First Name', 'first_name', 'FirstName' and 'FIRST-NAME' are one spelling.
import { UsageError } from '../core/errors.js';

export const LEAD_FIELDS = [
  'external_id',
  'first_name',
  'last_name',
  'full_name',
  'company',
  'title',
  'email',
  'phone',
  'alt_phone',
  'country',
  'region',
  'postal_code',
  'timezone',
  'source',
  'campaign',
  'list',
  'score',
  'owner',
  'inbound_at',
  'do_not_call',
  'phone_ext',
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];

/** Fields several columns may fill (every one is kept). */
const REPEATABLE: ReadonlySet<LeadField> = new Set(['alt_phone']);

export interface ColumnMapping {
  index: number;
  /** The header as written (trimmed). */
  header: string;
  field: LeadField | 'custom' | 'ignore';
  /** The key in the lead's custom fields, for field 'custom'. */
  key?: string;
  /** For a recognised header: how strongly it claims its field (lower first; alternates are tried in this order). */
  rank?: number;
  /** The phone column of a file with several: the preferred one. */
  primary?: boolean;
  /** A custom column that is also a field's fallback when the field's own cell is empty (a second e-mail column). */
  fallback?: 'email';
  /**
   * An ignored column of callq's own: a lead's history in callq's export ('export'), or the
   * `line`, `reason` and `detail` a rejects file adds ('rejects').
   */
  own?: 'export' | 'rejects';
}

/**
 * The columns of callq's default export that are a lead's history in callq, not facts about the
 * person: in a file that is such an export (it has `callq_id`), they are ignored rather than kept
 * as custom fields, which would freeze them at export time and come back in every later export.
 */
const OWN_EXPORT_COLUMNS = new Set(['callq_id', 'status', 'attempts', 'contacts', 'first_call_at', 'last_call_at', 'qualified_at', 'qualified_by', 'handoff_note']);
const isOwnExportColumn = (header: string) => OWN_EXPORT_COLUMNS.has(header) || /^qualification_[a-z0-9_]+$/.test(header);

/**
 * The columns callq's rejects file adds after the list's own (src/io/rejects-file.ts). A file
 * whose header ends with them is a rejects file fixed in a spreadsheet and imported again: they
 * say why the row was rejected last time, not anything about the person, and kept as custom
 * fields they went on every card and every export to Sales.
 */
export const REJECTS_COLUMNS = ['line', 'reason', 'detail'] as const;
const isRejectsFile = (headers: readonly string[]) =>
  headers.length > REJECTS_COLUMNS.length && REJECTS_COLUMNS.every((name, i) => headers[headers.length - REJECTS_COLUMNS.length + i] === name);

// German, French, Spanish, Dutch and Italian headers too (a European Excel's export): accents
// and case fall away in headerKey, so 'Téléphone' is 'telephone' and 'Prénom' 'prenom'.
const SPELLINGS: Record<LeadField, string[]> = {
  external_id: ['id', 'externalid', 'leadid', 'recordid', 'crmid', 'contactid', 'customerid', 'salesforceid', 'sfdcid', 'hubspotid', 'vendorid', 'uniqueid',
    'hubspotcontactid', 'hsobjectid', 'personid', 'apolloid', 'apollocontactid', 'zoominfoid', 'zoominfocontactid'],
  first_name: ['firstname', 'first', 'fname', 'givenname', 'forename', 'contactfirstname', 'leadfirstname', 'vorname', 'prenom', 'nombre', 'voornaam', 'nome'],
  last_name: ['lastname', 'last', 'lname', 'surname', 'familyname', 'contactlastname', 'leadlastname', 'nachname', 'familienname', 'nom', 'nomdefamille', 'apellido', 'apellidos', 'achternaam', 'cognome'],
  full_name: ['name', 'fullname', 'contactname', 'contact', 'leadname', 'personname', 'prospectname'],
  company: ['company', 'companyname', 'organization', 'organisation', 'organizationname', 'organisationname', 'account', 'accountname', 'business', 'businessname', 'employer', 'firm', 'companyaccount', 'organization1name', 'associatedcompany', 'firma', 'firmenname', 'unternehmen', 'societe', 'entreprise', 'empresa', 'bedrijf', 'azienda'],
  title: ['title', 'jobtitle', 'position', 'role', 'jobrole', 'designation', 'job', 'jobposition', 'organization1title', 'organizationtitle', 'primarytitle', 'funktion', 'berufsbezeichnung', 'fonction', 'cargo', 'puesto'],
  email: ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'primaryemail', 'contactemail', 'emailid', 'emailaddr', 'email1value', 'emailwork', 'emailhome', 'emailother', 'emailadresse', 'courriel', 'adresseemail', 'correo', 'correoelectronico'],
  phone: ['phone', 'phonenumber', 'telephone', 'telephonenumber', 'tel', 'workphone', 'businessphone', 'officephone', 'directphone', 'directdial', 'directline', 'primaryphone', 'phone1', 'contactnumber', 'contactphone', 'phoneno', 'mainphone', 'phonenum', 'firstphone', 'workdirectphone', 'directphonenumber', 'phonework', 'phone1value', 'workphonenumber', 'businessphonenumber', 'corporatephone', 'companyphone', 'companyhqphone', 'companymainphone', 'hqphone', 'headquartersphone', 'switchboard', 'companyphonenumber', 'telefon', 'telefonnummer', 'telefono', 'numerodetelephone', 'telefoon', 'festnetz'],
  alt_phone: ['mobile', 'mobilephone', 'mobilenumber', 'mobileno', 'cell', 'cellphone', 'cellnumber', 'cellular', 'otherphone', 'phone2', 'phone3', 'secondaryphone', 'alternatephone', 'alternativephone', 'altphone', 'homephone', 'personalphone', 'directmobile', 'mobilephonenumber', 'phonemobile', 'phonehome', 'phoneother', 'phone2value', 'phone3value', 'phone4value', 'homephone2', 'businessphone2', 'mobil', 'mobiltelefon', 'handy', 'handynummer', 'portable', 'telephoneportable', 'movil', 'celular', 'cellulare', 'mobiel'],
  country: ['country', 'countrycode', 'countryregion', 'countryname', 'nation', 'businesscountryregion', 'businesscountry', 'address1country', 'postaladdresscountry', 'mailingcountry', 'pays', 'pais', 'paese'],
  region: ['state', 'province', 'stateprovince', 'stateorprovince', 'region', 'stateregion', 'statecode', 'provincestate', 'st', 'businessstate', 'address1region', 'mailingstate', 'mailingstateprovince', 'bundesland', 'provincia'],
  postal_code: ['zip', 'zipcode', 'postalcode', 'postcode', 'postal', 'zippostalcode', 'zippostal', 'postalzip', 'plz', 'businesspostalcode', 'address1postalcode', 'mailingzippostalcode', 'mailingpostalcode', 'postleitzahl', 'codepostal', 'codigopostal'],
  timezone: ['timezone', 'tz', 'timezonename', 'leadtimezone'],
  source: ['leadsource', 'source', 'leadorigin', 'origin', 'sourcechannel', 'channel', 'originalsource'],
  campaign: ['campaign', 'campaignname', 'utmcampaign', 'leadcampaign'],
  list: ['list', 'listname', 'leadlist'],
  score: ['score', 'leadscore', 'leadrating', 'scoring'],
  owner: ['owner', 'leadowner', 'assignedto', 'salesrep', 'rep', 'accountowner', 'contactowner'],
  // A CRM's own do-not-call checkbox (Salesforce DoNotCall, HubSpot/Marketo 'Do Not Call', Dynamics
  // 'Do not allow Phone Calls'); an e-mail unsubscribe is not one.
  do_not_call: ['donotcall', 'dnc', 'donotphone', 'donotallowphonecalls', 'phoneoptout', 'calloptout', 'donotcallflag'],
  // An extension in a column of its own (callq's default export writes phone_ext).
  phone_ext: ['phoneext', 'ext', 'extension', 'phoneextension', 'extn', 'directphoneextension'],
  inbound_at: ['createddate', 'createdat', 'created', 'datecreated', 'createdon', 'createdtime', 'submittedat', 'submitted', 'submissiondate', 'submittedon', 'inboundat', 'leaddate', 'formsubmitted', 'signupdate', 'optindate', 'createdate', 'personcreated'],
};

/**
 * Which of several columns of one field a file's lead takes; lower wins, then the leftmost.
 * Spellings not listed rank 1. A generic 'Title' is an honorific in Outlook's export, beside
 * its 'Job Title'; 'Account' is an account number there. Phones: the person's own line first
 * (direct, work, or an unqualified Phone), then the mobile, then home and other numbers, and a
 * company's main number (HQ, switchboard) last, since colleagues share it.
 */
const RANK: Record<string, number> = {
  mobile: 2, mobilephone: 2, mobilenumber: 2, mobileno: 2, cell: 2, cellphone: 2, cellnumber: 2, cellular: 2, directmobile: 2, mobilephonenumber: 2, phonemobile: 2,
  otherphone: 3, phone2: 3, phone3: 3, secondaryphone: 3, alternatephone: 3, alternativephone: 3, altphone: 3, homephone: 3, personalphone: 3,
  phonehome: 3, phoneother: 3, phone2value: 3, phone3value: 3, phone4value: 3, homephone2: 3, businessphone2: 3,
  mainphone: 4, corporatephone: 4, companyphone: 4, companyhqphone: 4, companymainphone: 4, hqphone: 4, headquartersphone: 4, switchboard: 4, companyphonenumber: 4,
  title: 2, position: 2, role: 2, jobrole: 2, designation: 2, job: 2, account: 2, associatedcompany: 2, emailhome: 2, emailother: 3,
};

const BY_SPELLING = new Map<string, LeadField>(
  (Object.entries(SPELLINGS) as [LeadField, string[]][]).flatMap(([field, spellings]) => spellings.map((s) => [s, field] as const)),
);

/** Words --map accepts besides the field names. */
const MAP_ALIASES: Record<string, LeadField | 'custom' | 'ignore'> = {
  name: 'full_name',
  alt_phones: 'alt_phone',
  alternate: 'alt_phone',
  mobile: 'alt_phone',
  zip: 'postal_code',
  state: 'region',
  custom: 'custom',
  ignore: 'ignore',
  skip: 'ignore',
};

export function headerKey(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** The recognised spelling of a header: as written, else without Pipedrive's 'Person - ' prefix. */
function spelling(header: string): string | undefined {
  const key = headerKey(header);
  if (BY_SPELLING.has(key)) return key;
  if (key.startsWith('person') && BY_SPELLING.has(key.slice(6))) return key.slice(6);
  return undefined;
}

export function recognise(header: string): LeadField | undefined {
  const key = spelling(header);
  return key === undefined ? undefined : BY_SPELLING.get(key);
}

/** How strongly a recognised header claims its field (see RANK); lower wins. */
export function headerRank(header: string): number {
  return RANK[spelling(header) ?? ''] ?? 1;
}

/** Parses --map "Header=field,Other Header=field". */
export function parseMapOption(text: string): Map<string, LeadField | 'custom' | 'ignore'> {
  const map = new Map<string, LeadField | 'custom' | 'ignore'>();
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const eq = part.lastIndexOf('=');
    const header = eq > 0 ? part.slice(0, eq).trim() : '';
    const name = eq > 0 ? part.slice(eq + 1).trim().toLowerCase() : '';
    const field = (LEAD_FIELDS as readonly string[]).includes(name) ? (name as LeadField) : MAP_ALIASES[name];
    if (!header || !field) {
      throw new UsageError(
        `invalid --map entry '${part.trim()}': expected 'Header=field' with field one of ${LEAD_FIELDS.join(', ')}, custom or ignore.`,
      );
    }
    map.set(header, field);
  }
  return map;
}

/**
 * The mapping of every column. --map entries win; then recognised headers: of several columns
 * of one field, the best ranked (RANK, then the leftmost) takes it. Of several phone columns
 * the best ranked is the phone and the others are alternate phones, in rank order; any other
 * repeat is a custom field. The rest are custom fields under their header, made unique
 * ('Notes', 'Notes_2'; an empty header is 'column_N').
 */
export function mapColumns(headers: readonly string[], overrides: ReadonlyMap<string, LeadField | 'custom' | 'ignore'> = new Map()): ColumnMapping[] {
  const trimmed = headers.map((h) => h.trim());
  const explicit = new Map<number, LeadField | 'custom' | 'ignore'>();
  for (const [header, field] of overrides) {
    let index = trimmed.indexOf(header);
    if (index < 0) index = trimmed.findIndex((h) => h.toLowerCase() === header.toLowerCase());
    if (index < 0) index = trimmed.findIndex((h) => headerKey(h) === headerKey(header) && headerKey(h) !== '');
    // The names the printed mapping gives an empty or repeated header ('column_3', 'Notes_2').
    if (index < 0) index = [...customKeys(trimmed.map((h, i) => ({ index: i, header: h })))].find(([, key]) => key === header)?.[0] ?? -1;
    if (index < 0) {
      throw new UsageError(`--map names a column '${header}' that the file does not have. Its columns are: ${trimmed.map((h) => `'${h}'`).join(', ')}.`);
    }
    explicit.set(index, field);
  }
  const taken = new Set<LeadField>([...explicit.values()].filter((f): f is LeadField => f !== 'custom' && f !== 'ignore' && !REPEATABLE.has(f as LeadField)));
  const ownExport = trimmed.includes('callq_id');
  const rejectsFrom = isRejectsFile(trimmed) ? trimmed.length - REJECTS_COLUMNS.length : trimmed.length;
  const mappings: ColumnMapping[] = trimmed.map((header, index) => {
    const forced = explicit.get(index);
    if (forced) return { index, header, field: forced };
    if (index >= rejectsFrom) return { index, header, field: 'ignore', own: 'rejects' };
    if (ownExport && isOwnExportColumn(header)) return { index, header, field: 'ignore', own: 'export' };
    const field = recognise(header);
    return field ? { index, header, field, rank: headerRank(header) } : { index, header, field: 'custom' };
  });
  // Recognised columns, best first; each field goes to the first of its columns.
  const contenders = mappings.filter((m) => m.rank !== undefined).sort((x, y) => x.rank! - y.rank! || x.index - y.index);
  for (const m of contenders) {
    const family: LeadField = m.field === 'alt_phone' ? 'phone' : (m.field as LeadField);
    if (taken.has(family)) {
      m.field = family === 'phone' ? 'alt_phone' : 'custom';
      if (family === 'email') m.fallback = 'email';
    } else {
      m.field = family;
      taken.add(family);
    }
  }
  const phone = mappings.find((m) => m.field === 'phone');
  if (phone && mappings.some((m) => m.field === 'alt_phone')) phone.primary = true;
  const keys = customKeys(mappings.filter((m) => m.field === 'custom'));
  for (const m of mappings) if (m.field === 'custom') m.key = keys.get(m.index);
  return mappings;
}

/** The custom-field name of each of `columns`: its header, 'column_N' when empty, 'Notes_2' when repeated. */
function customKeys(columns: readonly { index: number; header: string }[]): Map<number, string> {
  const used = new Set<string>();
  const keys = new Map<number, string>();
  for (const { index, header } of columns) {
    const base = header || `column_${index + 1}`;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    keys.set(index, key);
  }
  return keys;
}

/** How a column's field reads in the printed mapping. */
export function describeField(m: ColumnMapping): string {
  if (m.field === 'custom' && m.fallback) return `custom field '${m.key}' (and the ${m.fallback} when the ${m.fallback} column is empty)`;
  if (m.field === 'custom') return `custom field '${m.key}'`;
  if (m.field === 'ignore' && m.own === 'export') return "ignored (callq's own column: the lead's history stays in callq)";
  if (m.field === 'ignore' && m.own === 'rejects') return "ignored (a callq rejects file's column: why the row was rejected before)";
  if (m.field === 'ignore') return 'ignored';
  if (m.field === 'alt_phone') return 'alternate phone';
  if (m.field === 'phone' && m.primary) return 'phone (primary; the other phone columns are alternates)';
  if (m.field === 'full_name') return 'full name (split into first_name, last_name)';
  // Whether the column holds ids or counts rows is known only from its values (external-ids.ts).
  if (m.field === 'external_id') return "external_id (a custom field instead if it only counts rows 1, 2, 3 …: the summary says)";
  return m.field;
}

/** Refuses a mapping without any phone column, saying whether the first line looks like data. */
export function requirePhoneColumn(mappings: readonly ColumnMapping[], path: string, headerLine: number): void {
  if (mappings.some((m) => m.field === 'phone' || m.field === 'alt_phone')) return;
  const headers = mappings.map((m) => m.header);
  if (headers.some((h) => /^\+?[\d\s().-]{7,}$/.test(h) || /@/.test(h))) {
    throw new UsageError(
      `${path}, line ${headerLine}: no header row; the first line looks like data (${headers.slice(0, 4).map((h) => `'${h}'`).join(', ')}…). ` +
        'Add a header line naming the columns (First Name, Phone, …) and import again.',
    );
  }
  throw new UsageError(
    `${path}: no phone column among ${headers.map((h) => `'${h}'`).join(', ')}. ` +
      (mappings.length === 1 ? 'Only one column was found: pass --delimiter if the file uses another separator, or ' : '') +
      "name the phone column with --map 'Header=phone'.",
  );
}
