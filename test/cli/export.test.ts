import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BIN, callq, initDb, json, openRaw, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'export.db');
  initDb(db);
});
afterEach(() => cleanup());

const NOW = '2026-11-24T16:00:00Z';
const q = (args: string[], rep = 'ana', now = NOW) => callq(['--db', db, '--rep', rep, '--now', now, ...args]);
const file = (name: string) => join(dir, name);
const csvRows = (text: string): Record<string, string>[] => parse(text, { columns: true, bom: true });

function sql<T = any>(query: string, ...params: unknown[]): T[] {
  const raw = openRaw(db);
  try {
    const stmt = raw.prepare(query);
    return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
  } finally {
    raw.close();
  }
}

/** Qualifies a lead through `callq log`, as a rep would. */
function qualify(id: number, rep = 'kim', extra: string[] = []): void {
  const r = q(['log', String(id), 'qualified', '--force', '--need', `need ${id}`, '--timeframe', 'Q1', '--authority', 'VP Sales', '--note', `demo for ${id}`, ...extra], rep);
  expect(r.code, r.stderr).toBe(0);
}

/** Many sales-ready leads straight into the database, each with a long note (for kill and race tests). */
function bulkSalesReady(n: number, noteSize = 1000): void {
  sql(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})
     INSERT INTO leads(first_name, last_name, company, phone, status, qualification, handoff_note, closed_at, created_at, updated_at)
     SELECT 'First' || i, 'Last' || i, 'Company ' || i, '+1212' || substr('0000000' || i, -7), 'sales-ready',
            '{"need":"x","timeframe":"Q1","authority":"VP"}', printf('%.${noteSize}c', 'n'), '${NOW}', '${NOW}', '${NOW}'
     FROM seq`,
  );
}

const statuses = () => sql<{ id: number; status: string; handoff_id: number | null }>('SELECT id, status, handoff_id FROM leads ORDER BY id');

describe('export sales-ready: the hand-off', () => {
  it('hands every sales-ready lead off exactly once, with what the rep learned', () => {
    const [a, b, c, d] = seedLeads(db, [{ first_name: 'Ana' }, { first_name: 'Bo' }, { first_name: 'Cy' }, { first_name: 'Di' }]);
    sql(`UPDATE leads SET custom = '{"Industry":"Software","Employees":"50"}' WHERE id = ?`, a);
    sql(`UPDATE leads SET custom = '{"Website":"bo.example"}' WHERE id = ?`, b);
    qualify(a);
    qualify(b, 'lee', ['--budget', '10k']);
    expect(q(['log', String(c), 'disqualified', '--force', '--reason', 'no-budget']).code).toBe(0);

    const first = q(['export', 'sales-ready', '--out', file('handoff.csv')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/Exported 2 leads to .*handoff\.csv \(profile default\)\. Hand-off batch 1: 2 leads marked handed-off\./);
    const rows = csvRows(readFileSync(file('handoff.csv'), 'utf8'));
    expect(rows.map((r) => r.first_name)).toEqual(['Ana', 'Bo']);
    expect(rows[0]).toMatchObject({
      callq_id: String(a), status: 'sales-ready', attempts: '1', contacts: '1', qualified_by: 'kim', qualified_at: '2026-11-24T16:00:00.000Z',
      first_call_at: '2026-11-24T16:00:00.000Z', last_call_at: '2026-11-24T16:00:00.000Z', source: 'webinar', list: 'test',
      qualification_need: `need ${a}`, qualification_timeframe: 'Q1', qualification_authority: 'VP Sales', qualification_budget: '',
      handoff_note: `demo for ${a}`, Industry: 'Software', Employees: '50', Website: '',
    });
    expect(rows[1]).toMatchObject({ qualified_by: 'lee', qualification_budget: '10k', Website: 'bo.example', Industry: '' });

    expect(statuses()).toEqual([
      { id: a, status: 'handed-off', handoff_id: 1 },
      { id: b, status: 'handed-off', handoff_id: 1 },
      { id: c, status: 'disqualified', handoff_id: null },
      { id: d, status: 'new', handoff_id: null },
    ]);
    expect(sql('SELECT * FROM handoffs')).toEqual([
      { id: 1, created_at: '2026-11-24T16:00:00.000Z', destination: file('handoff.csv'), lead_count: 2, profile: 'default', rep: 'ana' },
    ]);

    // Running it again hands nothing off twice: exit 3, no file written, the first file untouched.
    const before = statSync(file('handoff.csv')).mtimeMs;
    const second = q(['export', 'sales-ready', '--out', file('handoff.csv')]);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/no sales-ready leads waiting to be handed off; nothing was written/);
    expect(statSync(file('handoff.csv')).mtimeMs).toBe(before);
    expect(q(['export', 'sales-ready', '--out', file('other.csv')]).code).toBe(3);
    expect(existsSync(file('other.csv'))).toBe(false);
    expect(sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 1 }]);

    // A lead qualified later goes out alone in the next batch.
    qualify(d);
    const third = q(['export', 'sales-ready', '--out', file('next.csv')]);
    expect(third.code).toBe(0);
    expect(csvRows(readFileSync(file('next.csv'), 'utf8')).map((r) => r.callq_id)).toEqual([String(d)]);
    expect(statuses().find((l) => l.id === d)).toEqual({ id: d, status: 'handed-off', handoff_id: 2 });
  });

  it('--batch re-exports a past batch byte for byte, in the profile it was made with', () => {
    const ids = seedLeads(db, [{}, {}, {}]);
    ids.forEach((id) => qualify(id));
    sql(`UPDATE leads SET custom = '{"Industry":"Retail"}' WHERE id = ?`, ids[1]);
    expect(q(['export', 'sales-ready', '--profile', 'salesforce', '--out', file('first.csv')]).code).toBe(0);
    const again = q(['export', 'sales-ready', '--batch', '1', '--out', file('again.csv')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Re-exported hand-off batch 1: 3 leads/);
    expect(readFileSync(file('again.csv'))).toEqual(readFileSync(file('first.csv')));
    expect(statuses().every((l) => l.handoff_id === 1)).toBe(true);
    expect(sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 1 }]);

    const asDefault = q(['export', 'sales-ready', '--batch', '1', '--profile', 'default']);
    expect(asDefault.stdout.split('\n')[0]).toMatch(/^callq_id,external_id,first_name,/);
    expect(q(['export', 'sales-ready', '--batch', '9']).code).toBe(2);
    expect(q(['export', 'sales-ready', '--batch', 'x']).code).toBe(2);
    expect(q(['export', 'sales-ready', '--batch', '1', '--all']).code).toBe(2);
  });

  it('--no-mark writes the file and marks nothing; --all re-sends everything and marks only new leads', () => {
    const [a, b, c] = seedLeads(db, [{}, {}, {}]);
    qualify(a);
    qualify(b);
    const preview = q(['export', 'sales-ready', '--no-mark']);
    expect(preview.code).toBe(0);
    expect(preview.stdout.trim().split('\n')).toHaveLength(3);
    expect(preview.stderr).toMatch(/Nothing marked \(--no-mark\)/);
    expect(statuses().filter((l) => l.status === 'sales-ready')).toHaveLength(2);
    expect(sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);

    expect(q(['export', 'sales-ready', '--out', file('one.csv')]).code).toBe(0);
    qualify(c);
    const all = q(['export', 'sales-ready', '--all', '--json', '--out', file('all.ndjson')]);
    expect(all.code, all.stderr).toBe(0);
    expect(json(all)).toEqual({ exported: 3, marked: 1, batch: 2, file: file('all.ndjson'), profile: 'default', format: 'ndjson', filled: {} });
    const lines = readFileSync(file('all.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.callq_id)).toEqual([a, b, c]);
    expect(statuses()).toEqual([
      { id: a, status: 'handed-off', handoff_id: 1 },
      { id: b, status: 'handed-off', handoff_id: 1 },
      { id: c, status: 'handed-off', handoff_id: 2 },
    ]);
    expect(sql('SELECT id, lead_count FROM handoffs')).toEqual([{ id: 1, lead_count: 2 }, { id: 2, lead_count: 1 }]);
    const again = q(['export', 'sales-ready', '--all']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/All were handed off already; nothing marked/);
  });

  it('to stdout: the CSV (or NDJSON) is the output, the batch is recorded after the last byte', () => {
    const [a] = seedLeads(db, [{ first_name: 'Ana' }]);
    qualify(a);
    const r = q(['export', 'sales-ready', '--json']);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line).toMatchObject({ callq_id: a, first_name: 'Ana', status: 'sales-ready', qualification_budget: null, attempts: 1 });
    expect(r.stderr).toMatch(/Hand-off batch 1: 1 lead marked/);
    expect(sql('SELECT destination FROM handoffs')).toEqual([{ destination: 'stdout' }]);
    expect(statuses()[0].status).toBe('handed-off');
  });

  it.each([
    ['default', 'callq_id,external_id,first_name,last_name,company,title,email,phone,phone_ext,alt_phone,country,region,postal_code,timezone,source,campaign,list,score,owner,status,attempts,contacts,first_call_at,last_call_at,qualified_at,qualified_by,qualification_need,qualification_timeframe,qualification_authority,qualification_budget,qualification_use_case,handoff_note,Industry'],
    ['salesforce', 'Callq_Id__c,External_Id__c,FirstName,LastName,Company,Title,Email,Phone,MobilePhone,Country,State,PostalCode,LeadSource,Campaign__c,List__c,Score__c,Status,Rating,DoNotCall,Attempts__c,Contacts__c,First_Call__c,Last_Call__c,Qualified_At__c,Qualified_By__c,Need__c,Timeframe__c,Authority__c,Budget__c,Use_Case__c,Handoff_Note__c,Description,Industry'],
    ['hubspot', 'callq_id,external_id,firstname,lastname,company,jobtitle,email,phone,mobilephone,country,state,zip,lead_source,campaign,list,score,hs_lead_status,lifecyclestage,attempts,contacts,first_call_at,last_call_at,qualified_at,qualified_by,qualification_need,qualification_timeframe,qualification_authority,qualification_budget,qualification_use_case,handoff_note,Industry'],
  ])('the %s profile writes its header row and maps the status', (profile, header) => {
    const [a] = seedLeads(db, [{}]);
    sql(`UPDATE leads SET custom = '{"Industry":"Software"}' WHERE id = ?`, a);
    expect(q(['config', 'set', 'qualify.optional', 'budget,use-case']).code).toBe(0);
    qualify(a, 'kim', ['--answer', 'use-case=support']);
    const r = q(['export', 'sales-ready', '--profile', profile, '--no-mark']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(header);
    const [row] = csvRows(r.stdout);
    const status = { default: ['status', 'sales-ready'], salesforce: ['Status', 'Working - Contacted'], hubspot: ['hs_lead_status', 'CONNECTED'] }[profile]!;
    expect(row[status[0]]).toBe(status[1]);
  });

  it('an unknown profile is a usage error', () => {
    const r = q(['export', 'sales-ready', '--profile', 'pipedrive']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipedrive/);
  });
});

describe('formula injection', () => {
  const payloads = { first_name: '=1+1', last_name: '+SUM(A1)', company: '-2+3', title: '@cmd', email: '\tx@y.z', handoff_note: '\rnote' };
  beforeEach(() => {
    const [a] = seedLeads(db, [{ phone: '+14155550100', alt_phones: ['+14155550101'] }]);
    qualify(a);
    sql(
      `UPDATE leads SET first_name = @first_name, last_name = @last_name, company = @company, title = @title, email = @email,
         handoff_note = @handoff_note, custom = '{"Notes":"\\nline"}' WHERE id = 1`,
      payloads,
    );
  });

  it('neutralises = + - @ tab CR LF with a leading quote, and leaves E.164 phones as they are', () => {
    const [row] = csvRows(q(['export', 'sales-ready', '--no-mark']).stdout);
    for (const [field, value] of Object.entries(payloads)) expect(row[field]).toBe(`'${value}`);
    expect(row.Notes).toBe("'\nline");
    expect(row.phone).toBe('+14155550100');
    expect(row.alt_phone).toBe('+14155550101');
    const [sf] = csvRows(q(['export', 'sales-ready', '--no-mark', '--profile', 'salesforce']).stdout);
    expect(sf).toMatchObject({ FirstName: "'=1+1", Phone: '+14155550100', MobilePhone: '+14155550101' });
  });

  it('--raw writes them intact', () => {
    const [row] = csvRows(q(['export', 'sales-ready', '--no-mark', '--raw']).stdout);
    for (const [field, value] of Object.entries(payloads)) expect(row[field]).toBe(value);
    expect(row.Notes).toBe('\nline');
  });

  it('--excel starts the file with a UTF-8 BOM; it does not apply to --json', () => {
    expect(q(['export', 'sales-ready', '--no-mark', '--excel', '--out', file('x.csv')]).code).toBe(0);
    expect(readFileSync(file('x.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(q(['export', 'sales-ready', '--no-mark', '--excel', '--json']).code).toBe(2);
  });
});

const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', CALLQ_REP: 'ana' };
const start = (args: string[]): ChildProcess => spawn(process.execPath, [BIN, '--db', db, '--now', NOW, ...args], { env: ENV });
const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: string | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));

/** Polls until the export's temporary file appears; fails if the export ends first (the test's own timeout bounds the wait). */
async function waitForTemp(child: ChildProcess): Promise<string> {
  for (;;) {
    const temp = readdirSync(dir).find((n) => n.endsWith('.callq-tmp'));
    if (temp) return temp;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the export ended (exit ${child.exitCode}) before it was seen writing`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('a killed export', () => {
  it('on SIGTERM removes its temporary file, writes nothing and marks nothing', async () => {
    bulkSalesReady(20_000);
    const child = start(['export', 'sales-ready', '--out', file('handoff.csv')]);
    await waitForTemp(child);
    child.kill('SIGTERM');
    const { code } = await exited(child);
    expect(code).toBe(143);
    expect(readdirSync(dir).filter((n) => !n.startsWith('export.db'))).toEqual([]);
    expect(sql("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: 20_000 }]);
    expect(sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);
  });

  it('killed outright (SIGKILL) leaves only a hidden temporary file, which the next export removes', async () => {
    bulkSalesReady(20_000);
    const child = start(['export', 'sales-ready', '--out', file('handoff.csv')]);
    const temp = await waitForTemp(child);
    child.kill('SIGKILL');
    await exited(child);
    expect(readdirSync(dir).filter((n) => !n.startsWith('export.db'))).toEqual([temp]);
    expect(temp).toMatch(/^\.handoff\.csv\.\d+\.callq-tmp$/);
    expect(sql("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: 20_000 }]);

    const again = q(['export', 'sales-ready', '--out', file('handoff.csv')]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(dir).filter((n) => !n.startsWith('export.db'))).toEqual(['handoff.csv']);
    expect(csvRows(readFileSync(file('handoff.csv'), 'utf8'))).toHaveLength(20_000);
    expect(sql("SELECT count(*) AS n FROM leads WHERE status = 'handed-off' AND handoff_id = 1")).toEqual([{ n: 20_000 }]);
  });

  it('a lead that changes while the file is written aborts the hand-off: exit 4, nothing marked', async () => {
    bulkSalesReady(5_000);
    const child = start(['export', 'sales-ready']);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Stop reading after the first chunk: the export blocks on the full pipe mid-way.
    await new Promise<void>((started) => child.stdout!.once('data', () => (child.stdout!.pause(), started())));
    sql("UPDATE leads SET status = 'do-not-call' WHERE id = 4000");
    child.stdout!.resume();
    const { code } = await exited(child);
    expect(code).toBe(4);
    expect(stderr).toMatch(/lead 4000 changed while the file was being written \(it is now do-not-call\); nothing was handed off/);
    expect(sql("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: 4_999 }]);
    expect(sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);
  });
});

describe('export cleanup', () => {
  beforeEach(() => {
    seedLeads(db, [{ first_name: 'New' }, { first_name: 'Nope' }, { first_name: 'Bad' }, { first_name: 'Dnc', alt_phones: ['+12125550199'] }, { first_name: 'Tired' }, { first_name: 'Gone' }, { first_name: 'Ready' }]);
    sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'no-budget', closed_at = '2026-10-01T12:00:00.000Z' WHERE id = 2`);
    sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'bad-data', closed_at = '2026-11-10T12:00:00.000Z' WHERE id = 3`);
    sql(`UPDATE leads SET status = 'do-not-call', closed_at = '2026-11-11T12:00:00.000Z' WHERE id = 4`);
    sql(`UPDATE leads SET status = 'exhausted', attempts = 8, closed_at = '2026-11-12T12:00:00.000Z' WHERE id = 5`);
    sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'competitor', closed_at = '2025-01-01T00:00:00.000Z', purged_at = '2026-01-01T00:00:00.000Z', first_name = NULL WHERE id = 6`);
    sql(`UPDATE leads SET status = 'sales-ready', closed_at = '2026-11-12T12:00:00.000Z' WHERE id = 7`);
  });

  it('lists every disqualified, bad-data, do-not-call and exhausted lead with reason and date', () => {
    const r = q(['export', 'cleanup']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'callq_id,external_id,first_name,last_name,company,title,email,phone,phone_ext,alt_phone,country,region,postal_code,source,campaign,list,status,reason,closed_at,attempts,last_call_at,last_disposition',
    );
    expect(csvRows(r.stdout).map((l) => [l.first_name, l.status, l.reason, l.closed_at])).toEqual([
      ['Nope', 'disqualified', 'no-budget', '2026-10-01T12:00:00.000Z'],
      ['Bad', 'disqualified', 'bad-data', '2026-11-10T12:00:00.000Z'],
      ['Dnc', 'do-not-call', 'do-not-call', '2026-11-11T12:00:00.000Z'],
      ['Tired', 'exhausted', 'no-contact', '2026-11-12T12:00:00.000Z'],
    ]);
    expect(csvRows(r.stdout)[2].alt_phone).toBe('+12125550199');
    expect(r.stderr).toMatch(/Exported 4 disqualified, do-not-call or exhausted leads\./);
  });

  it('--since keeps leads closed from that date on; none is exit 3 with nothing written', () => {
    const r = q(['export', 'cleanup', '--since', '2026-11-11', '--out', file('c.ndjson'), '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({ exported: 2, file: file('c.ndjson'), format: 'ndjson' });
    const lines = readFileSync(file('c.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.first_name, l.attempts])).toEqual([['Dnc', 0], ['Tired', 8]]);
    const none = q(['export', 'cleanup', '--since', '2026-12-01T00:00:00Z', '--out', file('none.csv')]);
    expect(none.code).toBe(3);
    expect(existsSync(file('none.csv'))).toBe(false);
    expect(q(['export', 'cleanup', '--since', 'last tuesday']).code).toBe(2);
    expect(q(['export', 'cleanup', '--since', '2026-02-30']).code).toBe(2);
  });
});

describe('export calls', () => {
  it('writes the call log with the lead name, company and phone inside --since/--until', () => {
    const [a, b] = seedLeads(db, [{ first_name: 'Ana', company: 'Acme, Inc', phone: '+12125550101' }, { first_name: 'Bo' }]);
    expect(q(['log', String(a), 'no-answer', '--force', '--note', 'rang out'], 'kim', '2026-11-23T16:00:00Z').code).toBe(0);
    expect(q(['log', String(b), 'voicemail', '--force'], 'lee', '2026-11-24T15:00:00Z').code).toBe(0);
    expect(q(['log', String(a), 'busy', '--force'], 'kim', '2026-11-25T17:00:00Z').code).toBe(0);

    const all = csvRows(q(['export', 'calls']).stdout);
    expect(all.map((c) => [c.called_at, c.rep, c.first_name, c.disposition])).toEqual([
      ['2026-11-23T16:00:00.000Z', 'kim', 'Ana', 'no-answer'],
      ['2026-11-24T15:00:00.000Z', 'lee', 'Bo', 'voicemail'],
      ['2026-11-25T17:00:00.000Z', 'kim', 'Ana', 'busy'],
    ]);
    expect(all[0]).toMatchObject({ company: 'Acme, Inc', phone: '+12125550101', dialled: '+12125550101', notes: 'rang out', contact: '0', status_after: 'working' });

    const window = csvRows(q(['export', 'calls', '--since', '2026-11-24', '--until', '2026-11-25']).stdout);
    expect(window.map((c) => c.first_name)).toEqual(['Bo']);
    expect(q(['export', 'calls', '--since', '2026-12-01']).code).toBe(3);
    expect(q(['export', 'calls', '--since', '2026-11-25', '--until', '2026-11-24']).code).toBe(2);
  });
});

describe('export errors', () => {
  it('refuses a missing database (exit 2) without creating it', () => {
    const r = callq(['--db', file('none.db'), 'export', 'cleanup']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no database at/);
    expect(existsSync(file('none.db'))).toBe(false);
  });

  it('refuses an --out in a folder that does not exist (exit 2)', () => {
    seedLeads(db, [{}]);
    sql(`UPDATE leads SET status = 'exhausted', closed_at = '${NOW}'`);
    const r = q(['export', 'cleanup', '--out', file('missing/c.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folder .*missing does not exist/);
  });
});

describe('round trip', () => {
  it('an exported file re-imports with the same field values', () => {
    const [a, b] = seedLeads(db, [
      { first_name: 'Ana', last_name: "O'Neil", company: 'Acme, Inc', email: 'ana@acme.example', phone: '+14155550100', alt_phones: ['+14155550101', '+14155550102'], source: 'webinar', campaign: 'q4', list: 'fall', score: 80 },
      { first_name: 'Bo', last_name: 'Li', company: 'Beta "BB"', email: null, phone: '+442079460000', source: 'list', campaign: null, list: 'uk', score: 5 },
    ]);
    sql(`UPDATE leads SET title = 'VP Sales', country = 'US', region = 'CA', postal_code = '94105', external_id = 'CRM-1', owner = 'kim', custom = '{"Industry":"Software","Employees":"50"}' WHERE id = ?`, a);
    sql(`UPDATE leads SET title = 'CTO', country = 'GB', custom = '{"Website":"beta.example"}' WHERE id = ?`, b);
    qualify(a);
    qualify(b);
    expect(q(['export', 'sales-ready', '--out', file('handoff.csv')]).code).toBe(0);

    const other = file('crm.db');
    const imported = callq(['--db', other, '--now', NOW, 'import', file('handoff.csv')]);
    expect(imported.code, `callq import: ${imported.stderr}`).toBe(0);
    const raw = openRaw(other);
    const fields = 'external_id, first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, timezone, source, campaign, list, score, owner';
    const back = raw.prepare(`SELECT ${fields}, custom FROM leads ORDER BY phone`).all() as any[];
    raw.close();
    const original = sql(`SELECT ${fields}, custom FROM leads ORDER BY phone`);
    expect(back.map(({ custom, ...rest }) => rest)).toEqual(original.map(({ custom, ...rest }) => rest));
    // Custom fields come back under their own headers (the export's extra columns are new custom fields).
    original.forEach((o, i) => expect(JSON.parse(back[i].custom)).toMatchObject(JSON.parse(o.custom)));
  });

  it.each(['salesforce', 'hubspot'])('a %s file carries the contact fields callq import reads back', (profile) => {
    const [a] = seedLeads(db, [{ first_name: 'Ana', last_name: 'Silva', company: 'Acme, Inc', email: 'ana@acme.example', phone: '+14155550100', alt_phones: ['+14155550101'], source: 'webinar' }]);
    sql(`UPDATE leads SET title = 'VP Sales', country = 'US', region = 'CA', postal_code = '94105' WHERE id = ?`, a);
    qualify(a);
    expect(q(['export', 'sales-ready', '--profile', profile, '--out', file('crm.csv')]).code).toBe(0);
    const other = file('crm.db');
    const imported = callq(['--db', other, '--now', NOW, 'import', file('crm.csv')]);
    expect(imported.code, `callq import: ${imported.stderr}`).toBe(0);
    const fields = 'first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, source';
    const raw = openRaw(other);
    const back = raw.prepare(`SELECT ${fields} FROM leads`).all();
    raw.close();
    expect(back).toEqual(sql(`SELECT ${fields} FROM leads`));
  });

  it('with --raw, cells a spreadsheet would run come back as they were too', () => {
    const [a] = seedLeads(db, [{ first_name: '@ana', company: '=Acme', phone: '+14155550100' }]);
    sql(`UPDATE leads SET title = '-VP-', custom = '{"Note":"+1 more"}' WHERE id = ?`, a);
    qualify(a);
    expect(q(['export', 'sales-ready', '--raw', '--out', file('raw.csv')]).code).toBe(0);
    const other = file('crm.db');
    const imported = callq(['--db', other, '--now', NOW, 'import', file('raw.csv')]);
    expect(imported.code, `callq import: ${imported.stderr}`).toBe(0);
    const raw = openRaw(other);
    const back = raw.prepare('SELECT first_name, company, title, custom FROM leads').get() as any;
    raw.close();
    expect(back).toMatchObject({ first_name: '@ana', company: '=Acme', title: '-VP-' });
    expect(JSON.parse(back.custom)).toMatchObject({ Note: '+1 more' });
  });
});
