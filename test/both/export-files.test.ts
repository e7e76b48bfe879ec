// `callq export` on both stores, lead by lead: the hand-off batches (once each, the next one
// alone, --batch in the profile it was made with, --no-mark, --all, stdout), the profiles,
// formula cells neutralised whatever the store held, a killed export, cleanup and a round trip
// through `callq import`. test/both/export.test.ts runs one shared history and compares the
// stores byte for byte.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BASE_ENV, BIN, callq, initDb, json } from '../helpers.js';
import { seedStore } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

const NOW = '2026-11-24T16:00:00Z';
const csvRows = (text: string): Record<string, string>[] => parse(text, { columns: true, bom: true });

describe.each(STORE_KINDS)('export on %s, lead by lead', (kind) => {
  let store: TestStore;
  /** Other stores a test made (a round trip's target), removed after it. */
  const others: TestStore[] = [];
  beforeEach(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(store.db);
  });
  afterEach(async () => {
    for (const s of others.splice(0)) await s.cleanup();
    await store.cleanup();
  });

  const q = (args: string[], rep = 'ana', now = NOW) => callq(['--db', store.db, '--rep', rep, '--now', now, ...args]);
  const file = (name: string) => join(store.dir, name);
  const sql = <T = any>(query: string, ...params: unknown[]) => store.query<T>(query, ...params);
  const statuses = () => sql<{ id: number; status: string; handoff_id: number | null }>('SELECT id, status, handoff_id FROM leads ORDER BY id');

  /** Qualifies a lead through `callq log`, as a rep would. */
  function qualify(id: number, rep = 'kim', extra: string[] = []): void {
    const r = q(['log', String(id), 'qualified', '--force', '--need', `need ${id}`, '--timeframe', 'Q1', '--authority', 'VP Sales', '--note', `demo for ${id}`, ...extra], rep);
    expect(r.code, r.stderr).toBe(0);
  }

  /** Many sales-ready leads straight into the store, each with a long note. */
  async function bulkSalesReady(n: number, noteSize = 1000): Promise<void> {
    const columns = 'first_name, last_name, company, phone, status, qualification, handoff_note, closed_at, created_at, updated_at';
    const values = (i: string, note: string) =>
      `'First' || ${i}, 'Last' || ${i}, 'Company ' || ${i}, '+1212' || substr('0000000' || ${i}, -7), 'sales-ready',
       '{"need":"x","timeframe":"Q1","authority":"VP"}', ${note}, '${NOW}', '${NOW}', '${NOW}'`;
    if (kind === 'sqlite') {
      await sql(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n}) INSERT INTO leads(${columns}) SELECT ${values('i', `printf('%.${noteSize}c', 'n')`)} FROM seq`);
    } else {
      await sql(`INSERT INTO leads(${columns}) SELECT ${values('i::text', `repeat('n', ${noteSize})`).replace("substr('0000000' || i::text, -7)", "lpad(i::text, 7, '0')")} FROM generate_series(1, ${n}) AS i`);
    }
  }

  describe('sales-ready: the hand-off', () => {
    it('hands every sales-ready lead off exactly once, with what the rep learned; a lead qualified later goes out alone', async () => {
      const [a, b, c, d] = await seedStore(store, [{ first_name: 'Ana' }, { first_name: 'Bo' }, { first_name: 'Cy' }, { first_name: 'Di' }]);
      await sql(`UPDATE leads SET custom = '{"Industry":"Software","Employees":"50"}' WHERE id = ?`, a);
      await sql(`UPDATE leads SET custom = '{"Website":"bo.example"}' WHERE id = ?`, b);
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
      expect(await statuses()).toEqual([
        { id: a, status: 'handed-off', handoff_id: 1 },
        { id: b, status: 'handed-off', handoff_id: 1 },
        { id: c, status: 'disqualified', handoff_id: null },
        { id: d, status: 'new', handoff_id: null },
      ]);

      // Running it again hands nothing off twice: exit 3, and the first file is untouched.
      const before = statSync(file('handoff.csv')).mtimeMs;
      const second = q(['export', 'sales-ready', '--out', file('handoff.csv')]);
      expect(second.code).toBe(3);
      expect(statSync(file('handoff.csv')).mtimeMs).toBe(before);

      qualify(d);
      const third = q(['export', 'sales-ready', '--out', file('next.csv')]);
      expect(third.code, third.stderr).toBe(0);
      expect(csvRows(readFileSync(file('next.csv'), 'utf8')).map((r) => r.callq_id)).toEqual([String(d)]);
      expect((await statuses()).find((l) => l.id === d)).toEqual({ id: d, status: 'handed-off', handoff_id: 2 });
      expect(await sql('SELECT id, lead_count FROM handoffs ORDER BY id')).toEqual([{ id: 1, lead_count: 2 }, { id: 2, lead_count: 1 }]);
    });

    it('--batch re-exports a past batch byte for byte, in the profile it was made with', async () => {
      const ids = await seedStore(store, [{}, {}, {}]);
      ids.forEach((id) => qualify(id));
      await sql(`UPDATE leads SET custom = '{"Industry":"Retail"}' WHERE id = ?`, ids[1]);
      expect(q(['export', 'sales-ready', '--profile', 'salesforce', '--out', file('first.csv')]).code).toBe(0);
      const again = q(['export', 'sales-ready', '--batch', '1', '--out', file('again.csv')]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Re-exported hand-off batch 1: 3 leads/);
      expect(readFileSync(file('again.csv'))).toEqual(readFileSync(file('first.csv')));
      expect((await statuses()).every((l) => l.handoff_id === 1)).toBe(true);
      expect(await sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 1 }]);

      const asDefault = q(['export', 'sales-ready', '--batch', '1', '--profile', 'default']);
      expect(asDefault.stdout.split('\n')[0]).toMatch(/^callq_id,external_id,first_name,/);
      expect(q(['export', 'sales-ready', '--batch', '9']).code).toBe(2);
    });

    it('--no-mark writes the file and marks nothing; --all re-sends everything and marks only new leads', async () => {
      const [a, b, c] = await seedStore(store, [{}, {}, {}]);
      qualify(a);
      qualify(b);
      const preview = q(['export', 'sales-ready', '--no-mark']);
      expect(preview.code).toBe(0);
      expect(preview.stdout.trim().split('\n')).toHaveLength(3);
      expect(preview.stderr).toMatch(/Nothing marked \(--no-mark\)/);
      expect((await statuses()).filter((l) => l.status === 'sales-ready')).toHaveLength(2);
      expect(await sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);

      expect(q(['export', 'sales-ready', '--out', file('one.csv')]).code).toBe(0);
      qualify(c);
      const all = q(['export', 'sales-ready', '--all', '--json', '--out', file('all.ndjson')]);
      expect(all.code, all.stderr).toBe(0);
      expect(json(all)).toEqual({ exported: 3, marked: 1, batch: 2, file: file('all.ndjson'), profile: 'default', format: 'ndjson', filled: {} });
      const lines = readFileSync(file('all.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.callq_id)).toEqual([a, b, c]);
      expect(await statuses()).toEqual([
        { id: a, status: 'handed-off', handoff_id: 1 },
        { id: b, status: 'handed-off', handoff_id: 1 },
        { id: c, status: 'handed-off', handoff_id: 2 },
      ]);
      expect(await sql('SELECT id, lead_count FROM handoffs ORDER BY id')).toEqual([{ id: 1, lead_count: 2 }, { id: 2, lead_count: 1 }]);
      const again = q(['export', 'sales-ready', '--all']);
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/All were handed off already; nothing marked/);
    });

    it('to stdout: the NDJSON is the output, the batch is recorded after the last byte', async () => {
      const [a] = await seedStore(store, [{ first_name: 'Ana' }]);
      qualify(a);
      const r = q(['export', 'sales-ready', '--json']);
      expect(r.code).toBe(0);
      const line = JSON.parse(r.stdout.trim());
      expect(line).toMatchObject({ callq_id: a, first_name: 'Ana', status: 'sales-ready', qualification_budget: null, attempts: 1 });
      expect(r.stderr).toMatch(/Hand-off batch 1: 1 lead marked/);
      expect(await sql('SELECT destination FROM handoffs')).toEqual([{ destination: 'stdout' }]);
      expect((await statuses())[0].status).toBe('handed-off');
    });

    it('each profile writes its header row, with the custom fields and the optional answers the team set, and maps the status', async () => {
      const [a] = await seedStore(store, [{}]);
      await sql(`UPDATE leads SET custom = '{"Industry":"Software"}' WHERE id = ?`, a);
      expect(q(['config', 'set', 'qualify.optional', 'budget,use-case']).code).toBe(0);
      qualify(a, 'kim', ['--answer', 'use-case=support']);
      const headers = {
        default: 'callq_id,external_id,first_name,last_name,company,title,email,phone,phone_ext,alt_phone,country,region,postal_code,timezone,source,campaign,list,score,owner,status,attempts,contacts,first_call_at,last_call_at,qualified_at,qualified_by,qualification_need,qualification_timeframe,qualification_authority,qualification_budget,qualification_use_case,handoff_note,Industry',
        salesforce: 'Callq_Id__c,External_Id__c,FirstName,LastName,Company,Title,Email,Phone,MobilePhone,Country,State,PostalCode,LeadSource,Campaign__c,List__c,Score__c,Status,Rating,DoNotCall,Attempts__c,Contacts__c,First_Call__c,Last_Call__c,Qualified_At__c,Qualified_By__c,Need__c,Timeframe__c,Authority__c,Budget__c,Use_Case__c,Handoff_Note__c,Description,Industry',
        hubspot: 'callq_id,external_id,firstname,lastname,company,jobtitle,email,phone,mobilephone,country,state,zip,lead_source,campaign,list,score,hs_lead_status,lifecyclestage,attempts,contacts,first_call_at,last_call_at,qualified_at,qualified_by,qualification_need,qualification_timeframe,qualification_authority,qualification_budget,qualification_use_case,handoff_note,Industry',
      };
      const status = { default: ['status', 'sales-ready', 'qualification_use_case'], salesforce: ['Status', 'Working - Contacted', 'Use_Case__c'], hubspot: ['hs_lead_status', 'CONNECTED', 'qualification_use_case'] };
      for (const [profile, header] of Object.entries(headers)) {
        const r = q(['export', 'sales-ready', '--profile', profile, '--no-mark']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.split('\n')[0], profile).toBe(header);
        const [row] = csvRows(r.stdout);
        const [column, value, useCase] = status[profile as keyof typeof status];
        expect(row[column], profile).toBe(value);
        expect(row[useCase], profile).toBe('support');
      }
    });
  });

  describe('formula cells', () => {
    const payloads = { first_name: '=1+1', last_name: '+SUM(A1)', company: '-2+3', title: '@cmd', email: '\tx@y.z', handoff_note: '\rnote' };
    beforeEach(async () => {
      const [a] = await seedStore(store, [{ phone: '+14155550100', alt_phones: ['+14155550101'] }]);
      qualify(a);
      await sql(
        `UPDATE leads SET first_name = ?, last_name = ?, company = ?, title = ?, email = ?, handoff_note = ?, custom = '{"Notes":"\\nline"}' WHERE id = ?`,
        ...Object.values(payloads),
        a,
      );
    });

    it('are neutralised with a leading quote (= + - @ tab CR LF); E.164 phones stay as they are', () => {
      const [row] = csvRows(q(['export', 'sales-ready', '--no-mark']).stdout);
      for (const [field, value] of Object.entries(payloads)) expect(row[field]).toBe(`'${value}`);
      expect(row.Notes).toBe("'\nline");
      expect(row.phone).toBe('+14155550100');
      expect(row.alt_phone).toBe('+14155550101');
      const [sf] = csvRows(q(['export', 'sales-ready', '--no-mark', '--profile', 'salesforce']).stdout);
      expect(sf).toMatchObject({ FirstName: "'=1+1", Phone: '+14155550100', MobilePhone: '+14155550101' });
    });

    it('--raw writes them intact; --excel starts the file with a UTF-8 BOM', () => {
      const [row] = csvRows(q(['export', 'sales-ready', '--no-mark', '--raw']).stdout);
      for (const [field, value] of Object.entries(payloads)) expect(row[field]).toBe(value);
      expect(row.Notes).toBe('\nline');
      expect(q(['export', 'sales-ready', '--no-mark', '--excel', '--out', file('x.csv')]).code).toBe(0);
      expect(readFileSync(file('x.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    });
  });

  describe('a killed export', () => {
    const start = (args: string[]): ChildProcess => spawn(process.execPath, [BIN, '--db', store.db, '--now', NOW, ...args], { env: { ...BASE_ENV, CALLQ_REP: 'ana' } });
    const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: string | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    /** What the test made in the store's folder besides the SQLite file. */
    const written = () => readdirSync(store.dir).filter((n) => !n.startsWith('callq.db'));

    /** Polls until the export's temporary file appears; fails if the export ends first (the test's own timeout bounds the wait). */
    async function waitForTemp(child: ChildProcess): Promise<string> {
      for (;;) {
        const temp = readdirSync(store.dir).find((n) => n.endsWith('.callq-tmp'));
        if (temp) return temp;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the export ended (exit ${child.exitCode}) before it was seen writing`);
        await new Promise((r) => setTimeout(r, 2));
      }
    }

    // Enough to be caught mid-write (PostgreSQL's export is slower per row than SQLite's).
    const LEADS = kind === 'sqlite' ? 20_000 : 10_000;

    it('on SIGTERM removes its temporary file, writes nothing and marks nothing', async () => {
      await bulkSalesReady(LEADS);
      const child = start(['export', 'sales-ready', '--out', file('handoff.csv')]);
      await waitForTemp(child);
      child.kill('SIGTERM');
      const { code } = await exited(child);
      expect(code).toBe(143);
      expect(written()).toEqual([]);
      expect(await sql("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: LEADS }]);
      expect(await sql('SELECT count(*) AS n FROM handoffs')).toEqual([{ n: 0 }]);
    }, 60_000);

    it('killed outright (SIGKILL) leaves only a hidden temporary file, which the next export removes', async () => {
      await bulkSalesReady(LEADS);
      const child = start(['export', 'sales-ready', '--out', file('handoff.csv')]);
      const temp = await waitForTemp(child);
      child.kill('SIGKILL');
      await exited(child);
      expect(written()).toEqual([temp]);
      expect(temp).toMatch(/^\.handoff\.csv\.\d+\.callq-tmp$/);
      expect(await sql("SELECT count(*) AS n FROM leads WHERE status = 'sales-ready'")).toEqual([{ n: LEADS }]);

      const again = q(['export', 'sales-ready', '--out', file('handoff.csv')]);
      expect(again.code, again.stderr).toBe(0);
      expect(written()).toEqual(['handoff.csv']);
      expect(csvRows(readFileSync(file('handoff.csv'), 'utf8'))).toHaveLength(LEADS);
      expect(await sql("SELECT count(*) AS n FROM leads WHERE status = 'handed-off' AND handoff_id = 1")).toEqual([{ n: LEADS }]);
    }, 60_000);
  });

  describe('cleanup', () => {
    beforeEach(async () => {
      await seedStore(store, [
        { first_name: 'New' }, { first_name: 'Nope' }, { first_name: 'Bad' }, { first_name: 'Dnc', alt_phones: ['+12125550199'] }, { first_name: 'Tired' }, { first_name: 'Gone' }, { first_name: 'Ready' },
      ]);
      await sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'no-budget', closed_at = '2026-10-01T12:00:00.000Z' WHERE id = 2`);
      await sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'bad-data', closed_at = '2026-11-10T12:00:00.000Z' WHERE id = 3`);
      await sql(`UPDATE leads SET status = 'do-not-call', closed_at = '2026-11-11T12:00:00.000Z' WHERE id = 4`);
      await sql(`UPDATE leads SET status = 'exhausted', attempts = 8, closed_at = '2026-11-12T12:00:00.000Z' WHERE id = 5`);
      await sql(`UPDATE leads SET status = 'disqualified', disqualify_reason = 'competitor', closed_at = '2025-01-01T00:00:00.000Z', purged_at = '2026-01-01T00:00:00.000Z', first_name = NULL WHERE id = 6`);
      await sql(`UPDATE leads SET status = 'sales-ready', closed_at = '2026-11-12T12:00:00.000Z' WHERE id = 7`);
    });

    it('lists every disqualified, bad-data, do-not-call and exhausted lead with reason and date, not a purged one; --since keeps the later ones', () => {
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

      const since = q(['export', 'cleanup', '--since', '2026-11-11', '--out', file('c.ndjson'), '--json']);
      expect(since.code).toBe(0);
      expect(json(since)).toEqual({ exported: 2, file: file('c.ndjson'), format: 'ndjson' });
      const lines = readFileSync(file('c.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.first_name, l.attempts])).toEqual([['Dnc', 0], ['Tired', 8]]);
      const none = q(['export', 'cleanup', '--since', '2026-12-01T00:00:00Z', '--out', file('none.csv')]);
      expect(none.code).toBe(3);
      expect(existsSync(file('none.csv'))).toBe(false);
    });
  });

  describe('round trip', () => {
    /** A new store of the same kind for `callq import` to create. */
    async function target(): Promise<TestStore> {
      const other = await newTestStore(kind);
      others.push(other);
      return other;
    }
    const importInto = (other: TestStore, csv: string) => {
      const r = callq(['--db', other.db, '--now', NOW, 'import', csv]);
      expect(r.code, `callq import: ${r.stderr}`).toBe(0);
    };

    it('an exported file re-imports with the same field values', async () => {
      const [a, b] = await seedStore(store, [
        { first_name: 'Ana', last_name: "O'Neil", company: 'Acme, Inc', email: 'ana@acme.example', phone: '+14155550100', alt_phones: ['+14155550101', '+14155550102'], source: 'webinar', campaign: 'q4', list: 'fall', score: 80 },
        { first_name: 'Bo', last_name: 'Li', company: 'Beta "BB"', email: null, phone: '+442079460000', source: 'list', campaign: null, list: 'uk', score: 5 },
      ]);
      await sql(`UPDATE leads SET title = 'VP Sales', country = 'US', region = 'CA', postal_code = '94105', external_id = 'CRM-1', owner = 'kim', custom = '{"Industry":"Software","Employees":"50"}' WHERE id = ?`, a);
      await sql(`UPDATE leads SET title = 'CTO', country = 'GB', custom = '{"Website":"beta.example"}' WHERE id = ?`, b);
      qualify(a);
      qualify(b);
      expect(q(['export', 'sales-ready', '--out', file('handoff.csv')]).code).toBe(0);

      const other = await target();
      importInto(other, file('handoff.csv'));
      const fields = 'external_id, first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, timezone, source, campaign, list, score, owner';
      const back = await other.query(`SELECT ${fields}, custom FROM leads ORDER BY phone`);
      const original = await sql(`SELECT ${fields}, custom FROM leads ORDER BY phone`);
      expect(back.map(({ custom, ...rest }) => rest)).toEqual(original.map(({ custom, ...rest }) => rest));
      // Custom fields come back under their own headers (the export's extra columns are new custom fields).
      original.forEach((o, i) => expect(JSON.parse(back[i].custom)).toMatchObject(JSON.parse(o.custom)));
    });

    it('a hand-off file imported back into its own database with --on-duplicate update changes nothing', async () => {
      // A zone the phone gave: the file names it as a column, the same zone from another source.
      const [a] = await seedStore(store, [{ first_name: 'Ana', last_name: 'Silva', company: 'Acme', email: 'ana@acme.example', phone: '+14155550100' }]);
      await sql(`UPDATE leads SET timezone_source = 'phone' WHERE id = ?`, a);
      qualify(a);
      expect(q(['export', 'sales-ready', '--raw', '--out', file('back.csv')]).code).toBe(0);
      const r = q(['import', file('back.csv'), '--on-duplicate', 'update', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ inserted: 0, updated: 0, duplicates: 1 });
    });

    it('a salesforce or hubspot file carries the contact fields callq import reads back', async () => {
      const [a] = await seedStore(store, [{ first_name: 'Ana', last_name: 'Silva', company: 'Acme, Inc', email: 'ana@acme.example', phone: '+14155550100', alt_phones: ['+14155550101'], source: 'webinar' }]);
      await sql(`UPDATE leads SET title = 'VP Sales', country = 'US', region = 'CA', postal_code = '94105' WHERE id = ?`, a);
      qualify(a);
      expect(q(['export', 'sales-ready', '--profile', 'salesforce', '--out', file('salesforce.csv')]).code).toBe(0);
      expect(q(['export', 'sales-ready', '--batch', '1', '--profile', 'hubspot', '--out', file('hubspot.csv')]).code).toBe(0);
      const fields = 'first_name, last_name, company, title, email, phone, alt_phones, country, region, postal_code, source';
      const original = await sql(`SELECT ${fields} FROM leads`);
      for (const profile of ['salesforce', 'hubspot']) {
        const other = await target();
        importInto(other, file(`${profile}.csv`));
        expect(await other.query(`SELECT ${fields} FROM leads`), profile).toEqual(original);
      }
    });

    it('with --raw, cells a spreadsheet would run come back as they were too', async () => {
      const [a] = await seedStore(store, [{ first_name: '@ana', company: '=Acme', phone: '+14155550100' }]);
      await sql(`UPDATE leads SET title = '-VP-', custom = '{"Note":"+1 more"}' WHERE id = ?`, a);
      qualify(a);
      expect(q(['export', 'sales-ready', '--raw', '--out', file('raw.csv')]).code).toBe(0);
      const other = await target();
      importInto(other, file('raw.csv'));
      const [back] = await other.query('SELECT first_name, company, title, custom FROM leads');
      expect(back).toMatchObject({ first_name: '@ana', company: '=Acme', title: '-VP-' });
      expect(JSON.parse(back.custom)).toMatchObject({ Note: '+1 more' });
    });
  });
});
