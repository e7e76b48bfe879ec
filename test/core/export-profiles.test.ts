import { describe, expect, it } from 'vitest';
import {
  describeForSales,
  handoffColumns,
  hubspotLifecycleStage,
  missingRequired,
  profileStatus,
  salesforceRating,
  type HandoffLead,
} from '../../src/core/export-profiles.js';
import { STATUSES, type LeadStatus } from '../../src/core/lifecycle.js';

const lead: HandoffLead = {
  id: 7,
  external_id: 'CRM-7',
  first_name: 'Ana',
  last_name: 'Silva',
  company: 'Acme',
  title: 'VP Sales',
  email: 'ana@acme.com',
  phone: '+14155550100',
  phone_ext: null,
  alt_phones: ['+14155550101', '+14155550102'],
  country: 'US',
  region: 'CA',
  postal_code: '94105',
  timezone: 'America/Los_Angeles',
  source: 'webinar',
  campaign: 'q4',
  list: 'fall',
  score: 80,
  owner: 'kim',
  status: 'sales-ready',
  disqualify_reason: null,
  attempts: 3,
  contacts: 1,
  first_call_at: '2026-11-01T15:00:00.000Z',
  last_call_at: '2026-11-03T16:00:00.000Z',
  qualified_at: '2026-11-03T16:00:00.000Z',
  qualified_by: 'ana',
  qualification: { need: 'call tracking', timeframe: 'Q1', authority: 'VP Sales', 'use-case': 'support' },
  handoff_note: 'wants a demo',
  custom: { Industry: 'Software' },
};

const keys = { qualification: ['need', 'use-case'], custom: ['Industry', 'Employees'] };
const headers = (profile: 'default' | 'salesforce' | 'hubspot') => handoffColumns(profile, keys).map((c) => c.header);

describe('hand-off profiles: header rows', () => {
  it('default uses the import field names, the four standard answers, extra answers, then custom fields', () => {
    expect(headers('default')).toEqual([
      'callq_id', 'external_id', 'first_name', 'last_name', 'company', 'title', 'email', 'phone', 'phone_ext', 'alt_phone',
      'country', 'region', 'postal_code', 'timezone', 'source', 'campaign', 'list', 'score', 'owner', 'status',
      'attempts', 'contacts', 'first_call_at', 'last_call_at', 'qualified_at', 'qualified_by',
      'qualification_need', 'qualification_timeframe', 'qualification_authority', 'qualification_budget', 'qualification_use_case',
      'handoff_note', 'Industry', 'Employees',
    ]);
  });

  it('salesforce uses Lead API names and custom-field style names', () => {
    expect(headers('salesforce')).toEqual([
      'Callq_Id__c', 'External_Id__c', 'FirstName', 'LastName', 'Company', 'Title', 'Email', 'Phone', 'MobilePhone',
      'Country', 'State', 'PostalCode', 'LeadSource', 'Campaign__c', 'List__c', 'Score__c', 'Status', 'Rating', 'DoNotCall',
      'Attempts__c', 'Contacts__c', 'First_Call__c', 'Last_Call__c', 'Qualified_At__c', 'Qualified_By__c',
      'Need__c', 'Timeframe__c', 'Authority__c', 'Budget__c', 'Use_Case__c', 'Handoff_Note__c', 'Description', 'Industry', 'Employees',
    ]);
  });

  it('hubspot uses contact property internal names and snake_case custom properties', () => {
    expect(headers('hubspot')).toEqual([
      'callq_id', 'external_id', 'firstname', 'lastname', 'company', 'jobtitle', 'email', 'phone', 'mobilephone',
      'country', 'state', 'zip', 'lead_source', 'campaign', 'list', 'score', 'hs_lead_status', 'lifecyclestage',
      'attempts', 'contacts', 'first_call_at', 'last_call_at', 'qualified_at', 'qualified_by',
      'qualification_need', 'qualification_timeframe', 'qualification_authority', 'qualification_budget', 'qualification_use_case',
      'handoff_note', 'Industry', 'Employees',
    ]);
  });

  it('a custom field named like a column already there gets " (custom)", case-insensitively', () => {
    const cols = handoffColumns('default', { qualification: [], custom: ['Score', 'score (custom)', 'Region'] }).map((c) => c.header);
    expect(cols.slice(-3)).toEqual(['Score (custom)', 'score (custom) (custom)', 'Region (custom)']);
    expect(new Set(cols.map((c) => c.toLowerCase())).size).toBe(cols.length);
  });

  it('marks exactly the phone columns', () => {
    for (const [profile, phones] of [
      ['default', ['phone', 'alt_phone']],
      ['salesforce', ['Phone', 'MobilePhone']],
      ['hubspot', ['phone', 'mobilephone']],
    ] as const) {
      expect(handoffColumns(profile, keys).filter((c) => c.phone).map((c) => c.header)).toEqual(phones);
    }
  });
});

describe('hand-off profiles: values', () => {
  const row = (profile: 'default' | 'salesforce' | 'hubspot', l: HandoffLead = lead) =>
    Object.fromEntries(handoffColumns(profile, keys).map((c) => [c.header, c.value(l)]));

  it('default keeps every field, answers, note and custom values; empty stays empty', () => {
    const r = row('default');
    expect(r).toMatchObject({
      callq_id: 7, external_id: 'CRM-7', phone: '+14155550100', alt_phone: '+14155550101;+14155550102', score: 80,
      status: 'sales-ready', qualified_by: 'ana', qualification_need: 'call tracking', qualification_budget: null,
      qualification_use_case: 'support', handoff_note: 'wants a demo', Industry: 'Software', Employees: null,
    });
    expect(row('default', { ...lead, alt_phones: [], email: '' })).toMatchObject({ alt_phone: null, email: null });
  });

  it('salesforce: first alternate as MobilePhone, note and answers in Description, status and rating mapped', () => {
    const r = row('salesforce');
    expect(r).toMatchObject({
      LastName: 'Silva', MobilePhone: '+14155550101', State: 'CA', LeadSource: 'webinar', Status: 'Working - Contacted',
      Rating: 'Hot', DoNotCall: 'false', Need__c: 'call tracking', Use_Case__c: 'support',
    });
    expect(r.Description).toBe('wants a demo\n\nNeed: call tracking\nTimeframe: Q1\nAuthority: VP Sales\nUse-case: support');
    expect(row('salesforce', { ...lead, status: 'do-not-call' })).toMatchObject({ Status: 'Closed - Not Converted', DoNotCall: 'true' });
  });

  it('hubspot: lead status and lifecycle stage', () => {
    expect(row('hubspot')).toMatchObject({ hs_lead_status: 'CONNECTED', lifecyclestage: 'salesqualifiedlead', jobtitle: 'VP Sales', zip: '94105' });
  });

  it('Description is empty without note and answers, and is just the note without answers', () => {
    expect(describeForSales({ ...lead, handoff_note: null, qualification: {} }, ['need'])).toBeNull();
    expect(describeForSales({ ...lead, qualification: {} }, ['need'])).toBe('wants a demo');
  });
});

describe('status mapping per profile', () => {
  const table: [LeadStatus, string, string, string, string, string][] = [
    // status        default         salesforce Status          Rating  hs_lead_status          lifecyclestage
    ['new', 'new', 'Open - Not Contacted', 'Cold', 'NEW', 'lead'],
    ['working', 'working', 'Working - Contacted', 'Cold', 'ATTEMPTED_TO_CONTACT', 'lead'],
    ['callback', 'callback', 'Working - Contacted', 'Warm', 'IN_PROGRESS', 'lead'],
    ['nurture', 'nurture', 'Working - Contacted', 'Warm', 'BAD_TIMING', 'lead'],
    ['sales-ready', 'sales-ready', 'Working - Contacted', 'Hot', 'CONNECTED', 'salesqualifiedlead'],
    ['handed-off', 'sales-ready', 'Working - Contacted', 'Hot', 'CONNECTED', 'salesqualifiedlead'],
    ['disqualified', 'disqualified', 'Closed - Not Converted', 'Cold', 'UNQUALIFIED', 'lead'],
    ['do-not-call', 'do-not-call', 'Closed - Not Converted', 'Cold', 'UNQUALIFIED', 'lead'],
    ['exhausted', 'exhausted', 'Closed - Not Converted', 'Cold', 'ATTEMPTED_TO_CONTACT', 'lead'],
  ];

  it('covers every status', () => {
    expect(table.map((r) => r[0])).toEqual([...STATUSES]);
  });

  it.each(table)('%s → %s / %s (%s) / %s / %s', (status, def, sf, rating, hs, stage) => {
    const l = { status, disqualify_reason: null };
    expect(profileStatus('default', l)).toBe(def);
    expect(profileStatus('salesforce', l)).toBe(sf);
    expect(salesforceRating(status)).toBe(rating);
    expect(profileStatus('hubspot', l)).toBe(hs);
    expect(hubspotLifecycleStage(status)).toBe(stage);
  });

  it('a lead disqualified for bad timing is BAD_TIMING in HubSpot', () => {
    expect(profileStatus('hubspot', { status: 'disqualified', disqualify_reason: 'bad-timing' })).toBe('BAD_TIMING');
    expect(profileStatus('hubspot', { status: 'disqualified', disqualify_reason: 'no-budget' })).toBe('UNQUALIFIED');
  });
});

describe('hand-off profiles: extensions and required fields', () => {
  const cells = (profile: 'default' | 'salesforce' | 'hubspot', l: HandoffLead) =>
    Object.fromEntries(handoffColumns(profile, keys).map((c) => [c.header, c.value(l)]));
  const atDesk = { ...lead, phone: '+12127363001', phone_ext: '101' };

  it.each([
    ['default', 'phone', '+12127363001', 'phone_ext', '101'],
    ['salesforce', 'Phone', '+12127363001 x101', 'Phone_Ext', undefined],
    ['hubspot', 'phone', '+12127363001 ext. 101', 'phone_ext', undefined],
  ] as const)('%s writes the extension as its CRM reads it', (profile, phone, expected, extColumn, ext) => {
    const r = cells(profile, atDesk);
    expect(r[phone]).toBe(expected);
    expect(r[extColumn]).toBe(ext);
    expect(cells(profile, { ...atDesk, phone_ext: null })[phone]).toBe('+12127363001');
  });

  it.each([
    ['salesforce', { last_name: null, company: null }, ['LastName', 'Company'], { LastName: '[not provided]', Company: '[not provided]' }],
    ['salesforce', { last_name: 'Lee', company: '' }, ['Company'], { LastName: 'Lee', Company: '[not provided]' }],
    ['hubspot', { email: null, first_name: null, last_name: null }, ['lastname'], { lastname: '[not provided]' }],
    ['hubspot', { email: null, last_name: null }, [], { lastname: null, firstname: lead.first_name }],
    ['default', { last_name: null, company: null }, [], { last_name: null, company: null }],
  ] as const)('%s: %j misses %j', (profile, change, missing, expected) => {
    const l = { ...lead, ...change } as HandoffLead;
    expect(missingRequired(profile, l)).toEqual(missing);
    expect(cells(profile, l)).toMatchObject(expected);
  });
});
