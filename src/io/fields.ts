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
}

const SPELLINGS: Record<LeadField, string[]> = {
  external_id: ['id', 'externalid', 'leadid', 'recordid', 'crmid', 'contactid', 'customerid', 'salesforceid', 'sfdcid', 'hubspotid', 'vendorid', 'uniqueid',
    'hubspotcontactid', 'hsobjectid', 'personid', 'apolloid', 'apollocontactid', 'zoominfoid', 'zoominfocontactid'],
  first_name: ['firstname', 'first', 'fname', 'givenname', 'forename', 'contactfirstname', 'leadfirstname'],
  last_name: ['lastname', 'last', 'lname', 'surname', 'familyname', 'contactlastname', 'leadlastname'],
  full_name: ['name', 'fullname', 'contactname', 'contact', 'leadname', 'personname', 'prospectname'],
  company: ['company', 'companyname', 'organization', 'organisation', 'organizationname', 'organisationname', 'account', 'accountname', 'business', 'businessname', 'employer', 'firm'],
  title: ['title', 'jobtitle', 'position', 'role', 'jobrole', 'designation', 'job', 'jobposition'],
  email: ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'primaryemail', 'contactemail', 'emailid', 'emailaddr'],
  phone: ['phone', 'phonenumber', 'telephone', 'telephonenumber', 'tel', 'workphone', 'businessphone', 'officephone', 'directphone', 'directdial', 'directline', 'primaryphone', 'phone1', 'contactnumber', 'contactphone', 'phoneno', 'mainphone', 'phonenum'],
  alt_phone: ['mobile', 'mobilephone', 'mobilenumber', 'mobileno', 'cell', 'cellphone', 'cellnumber', 'cellular', 'otherphone', 'phone2', 'phone3', 'secondaryphone', 'alternatephone', 'alternativephone', 'altphone', 'homephone', 'personalphone', 'directmobile'],
  country: ['country', 'countrycode', 'countryregion', 'countryname', 'nation'],
  region: ['state', 'province', 'stateprovince', 'stateorprovince', 'region', 'stateregion', 'statecode', 'provincestate', 'st'],
  postal_code: ['zip', 'zipcode', 'postalcode', 'postcode', 'postal', 'zippostalcode', 'zippostal', 'postalzip', 'plz'],
  timezone: ['timezone', 'tz', 'timezonename', 'leadtimezone'],
  source: ['leadsource', 'source', 'leadorigin', 'origin', 'sourcechannel', 'channel'],
  campaign: ['campaign', 'campaignname', 'utmcampaign', 'leadcampaign'],
  list: ['list', 'listname', 'leadlist'],
  score: ['score', 'leadscore', 'leadrating', 'scoring'],
  owner: ['owner', 'leadowner', 'assignedto', 'salesrep', 'rep', 'accountowner', 'contactowner'],
  // A CRM's own do-not-call checkbox (Salesforce DoNotCall, HubSpot/Marketo 'Do Not Call', Dynamics
  // 'Do not allow Phone Calls'); an e-mail unsubscribe is not one.
  do_not_call: ['donotcall', 'dnc', 'donotphone', 'donotallowphonecalls', 'phoneoptout', 'calloptout', 'donotcallflag'],
  // An extension in a column of its own (callq's default export writes phone_ext).
  phone_ext: ['phoneext', 'ext', 'extension', 'phoneextension', 'extn', 'directphoneextension'],
  inbound_at: ['createddate', 'createdat', 'created', 'datecreated', 'createdon', 'createdtime', 'submittedat', 'submitted', 'submissiondate', 'submittedon', 'inboundat', 'leaddate', 'formsubmitted', 'signupdate', 'optindate'],
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

export function recognise(header: string): LeadField | undefined {
  return BY_SPELLING.get(headerKey(header));
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
 * The mapping of every column. --map entries win; then recognised headers, the first column
 * of a field taking it (a second phone column becomes an alternate phone, any other repeat a
 * custom field); the rest are custom fields under their header, made unique ('Notes',
 * 'Notes_2'; an empty header is 'column_N').
 */
export function mapColumns(headers: readonly string[], overrides: ReadonlyMap<string, LeadField | 'custom' | 'ignore'> = new Map()): ColumnMapping[] {
  const trimmed = headers.map((h) => h.trim());
  const explicit = new Map<number, LeadField | 'custom' | 'ignore'>();
  for (const [header, field] of overrides) {
    let index = trimmed.indexOf(header);
    if (index < 0) index = trimmed.findIndex((h) => h.toLowerCase() === header.toLowerCase());
    if (index < 0) index = trimmed.findIndex((h) => headerKey(h) === headerKey(header) && headerKey(h) !== '');
    if (index < 0) {
      throw new UsageError(`--map names a column '${header}' that the file does not have. Its columns are: ${trimmed.map((h) => `'${h}'`).join(', ')}.`);
    }
    explicit.set(index, field);
  }
  const taken = new Set<LeadField>([...explicit.values()].filter((f): f is LeadField => f !== 'custom' && f !== 'ignore' && !REPEATABLE.has(f as LeadField)));
  const mappings: ColumnMapping[] = trimmed.map((header, index) => {
    const forced = explicit.get(index);
    if (forced) return { index, header, field: forced };
    const field = recognise(header);
    if (!field) return { index, header, field: 'custom' };
    if (!taken.has(field)) {
      if (!REPEATABLE.has(field)) taken.add(field);
      return { index, header, field };
    }
    return { index, header, field: field === 'phone' ? 'alt_phone' : 'custom' };
  });
  const used = new Set<string>();
  for (const m of mappings) {
    if (m.field !== 'custom') continue;
    const base = m.header || `column_${m.index + 1}`;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    m.key = key;
  }
  return mappings;
}

/** How a column's field reads in the printed mapping. */
export function describeField(m: ColumnMapping): string {
  if (m.field === 'custom') return `custom field '${m.key}'`;
  if (m.field === 'ignore') return 'ignored';
  if (m.field === 'alt_phone') return 'alternate phone';
  if (m.field === 'full_name') return 'full name (split into first_name, last_name)';
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
