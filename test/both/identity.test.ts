// Who is one person, end to end through the binary: phone with extension, external ids within
// their system, row counters, repeats within a file, a CRM's own do-not-call flag, and the
// extension on the card and in every export. On both stores.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { callq, json } from '../helpers.js';
import { STORE_KINDS, newTestStore, type TestStore } from '../stores.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 in New York: inside calling hours
describe.each(STORE_KINDS)('who is one person, on %s', (kind) => {
  let store: TestStore;
  let dir = '';
  let db = '';
  // A new store per test: on PostgreSQL an empty database, which the first import sets up.
  beforeEach(async () => {
    store = await newTestStore(kind);
    ({ dir, db } = store);
  });
  afterEach(() => store.cleanup());

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  const q = (args: string[], rep = 'ana') => callq(['--db', db, '--rep', rep, '--now', NOW, ...args]);

  function importJson(path: string, ...extra: string[]) {
    const r = q(['import', path, '--json', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return json(r);
  }

  function leads(): Promise<Record<string, unknown>[]> {
    return store.query('SELECT id, first_name, last_name, phone, phone_ext, external_id, external_system, status, custom, alt_phones FROM leads ORDER BY id');
  }

  describe('external ids', () => {
    const vendorA = 'ID,First Name,Last Name,Phone\n1,Ana,Lopez,212-555-0101\n2,Bo,Kim,212-555-0102\n3,Cy,Diaz,212-555-0103\n';
    const vendorB = 'ID,First Name,Last Name,Phone\n1,Dee,Ng,312-555-0101\n2,Ed,Ray,312-555-0102\n3,Flo,Tam,312-555-0103\n';

    it.each([[[] as string[]], [['--on-duplicate', 'update']]])('two files numbered 1..n stay different people (%j)', async (extra) => {
      const a = importJson(file('a.csv', vendorA), ...extra);
      expect(a.external_id).toMatchObject({ column: 'ID', kind: 'row-counter', custom_key: 'ID' });
      expect(a.notes.join(' ')).toMatch(/counts rows/);
      const b = importJson(file('b.csv', vendorB), ...extra);
      expect(b).toMatchObject({ inserted: 3, updated: 0, duplicates: 0 });
      const rows = await leads();
      expect(rows.map((l) => `${l.first_name} ${l.phone}`)).toEqual([
        'Ana +12125550101', 'Bo +12125550102', 'Cy +12125550103', 'Dee +13125550101', 'Ed +13125550102', 'Flo +13125550103',
      ]);
      expect(rows.every((l) => l.external_id === null)).toBe(true);
      expect(JSON.parse(rows[3].custom as string)).toEqual({ ID: '1' });
    });

    it('says so in the human summary', async () => {
      const r = q(['import', file('a.csv', vendorA)]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Note: column 'ID' counts rows/);
    });

    it('real ids join within one system across imports, never across systems', async () => {
      const first = importJson(file('hs1.csv', 'Record ID,First Name,Phone\n5012345,Ana,212-555-0101\n5012399,Bo,212-555-0102\n'));
      expect(first.external_id).toMatchObject({ kind: 'ids', system: 'hubspot', system_from: 'header' });
      expect(first.notes.join(' ')).toMatch(/hubspot ids/);
      // The same HubSpot record with a new number: one person.
      const again = importJson(file('hs2.csv', 'Record ID,First Name,Phone\n5012345,Anabel,212-555-0199\n'), '--on-duplicate', 'update');
      expect(again).toMatchObject({ inserted: 0, updated: 1 });
      // The same id issued by Pipedrive: someone else.
      const other = importJson(file('pd.csv', 'Person - ID,First Name,Phone\n5012345,Gus,415-555-0101\n'), '--on-duplicate', 'update');
      expect(other.external_id).toMatchObject({ system: 'pipedrive' });
      expect(other).toMatchObject({ inserted: 1, updated: 0 });
      // --id-system names the system outright: these are HubSpot's ids again.
      const named = importJson(file('vendor.csv', 'Vendor ID,First Name,Phone\n5012399,Bobby,646-555-0101\n'), '--on-duplicate', 'update', '--id-system', 'HubSpot');
      expect(named).toMatchObject({ inserted: 0, updated: 1 });
      const rows = await leads();
      expect(rows.map((l) => [l.first_name, l.external_system, l.external_id])).toEqual([
        ['Anabel', 'hubspot', '5012345'],
        ['Bobby', 'hubspot', '5012399'],
        ['Gus', 'pipedrive', '5012345'],
      ]);
      expect(JSON.parse(rows[0].alt_phones as string)).toEqual(['+12125550199']);
    });

    it('recognises Salesforce ids by their form under a generic header', async () => {
      const r = importJson(file('sf.csv', 'Lead ID,First Name,Phone\n00Q5e00000AbCdEFGH,Ana,212-555-0101\n00Q5e00000AbCdEXYZ,Bo,212-555-0102\n'));
      expect(r.external_id).toMatchObject({ kind: 'ids', system: 'salesforce', system_from: 'values' });
    });
  });

  describe('extensions', () => {
    const switchboard =
      'First Name,Last Name,Company,Phone\n' +
      'Ana,Lopez,Acme,212-736-3001 x101\n' +
      'Bo,Kim,Acme,212-736-3001 ext. 202\n' +
      'Cy,Diaz,Acme,(212) 736-3001 #303\n' +
      'Ana,Lopez,Acme,+1 212 736 3001;ext=101\n';

    // The switchboard imported once (into a store of its own, as each test's first import would
    // be): a test that starts from it starts from a copy.
    let imported: Promise<TestStore> | undefined;
    afterAll(async () => (await imported?.catch(() => undefined))?.cleanup());
    async function fromSwitchboard(): Promise<void> {
      imported ??= (async () => {
        const base = await newTestStore(kind);
        const path = join(base.dir, 'acme.csv');
        writeFileSync(path, switchboard);
        const r = callq(['--db', base.db, '--rep', 'ana', '--now', NOW, 'import', path, '--json']);
        expect(r.code, r.stderr).toBe(0);
        expect(json(r)).toMatchObject({ inserted: 3, duplicates: 1 });
        return base;
      })();
      const base = await imported;
      await store.cleanup();
      store = await newTestStore(kind, { from: base });
      ({ dir, db } = store);
    }

    it('three colleagues on one main number stay three leads, each card showing its extension', async () => {
      const r = importJson(file('acme.csv', switchboard));
      expect(r).toMatchObject({ inserted: 3, duplicates: 1 });
      expect((await leads()).map((l) => [l.first_name, l.phone, l.phone_ext])).toEqual([
        ['Ana', '+12127363001', '101'],
        ['Bo', '+12127363001', '202'],
        ['Cy', '+12127363001', '303'],
      ]);
      const card = q(['show', '2']);
      expect(card.code).toBe(0);
      expect(card.stdout).toContain('+1 (212) 736-3001 ext. 202');
      const shown = json(q(['show', '3', '--json']));
      expect(shown.lead).toMatchObject({ phone: '+12127363001', phone_ext: '303', phone_uri: 'tel:+12127363001;ext=303' });
      const next = q(['next']);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stdout).toMatch(/\+1 \(212\) 736-3001 ext\. (101|202|303)/);
      const claimed = json(q(['next', '--json'], 'bo'));
      expect(claimed.lead.phone_ext).toMatch(/^(101|202|303)$/);
    });

    it('a bare main number is a contact of its own, not one of the extensions', async () => {
      const r = importJson(file('main.csv', 'First Name,Phone\nReception,212-736-3001\nAna,212-736-3001 x101\nDesk,212.736.3001\n'));
      expect(r).toMatchObject({ inserted: 2, duplicates: 1 });
    });

    it('exports carry the extension: a column in the default profile, in Phone for Salesforce and HubSpot', async () => {
      await fromSwitchboard();
      for (const id of ['1', '2']) {
        const r = q(['log', id, 'qualified', '--force', '--need', 'dialer', '--timeframe', 'Q1', '--authority', 'VP', '--note', 'demo']);
        expect(r.code, r.stderr).toBe(0);
      }
      const rows = (profile: string) => {
        const r = q(['export', 'sales-ready', '--no-mark', '--profile', profile]);
        expect(r.code, r.stderr).toBe(0);
        return parse(r.stdout, { columns: true }) as Record<string, string>[];
      };
      expect(rows('default').map((r) => [r.phone, r.phone_ext])).toEqual([['+12127363001', '101'], ['+12127363001', '202']]);
      expect(rows('salesforce').map((r) => r.Phone)).toEqual(['+12127363001 x101', '+12127363001 x202']);
      expect(rows('hubspot').map((r) => r.phone)).toEqual(['+12127363001 ext. 101', '+12127363001 ext. 202']);
    });

    it('an extension in a column of its own is read too, so the default export re-imports as the same people', async () => {
      const r = importJson(file('ext.csv', 'First Name,Phone,Ext\nAna,212-736-3001,x101\nBo,212-736-3001,202\nCy,212-736-3001 x303,999\nDee,212-736-3001,n/a\n'));
      expect(r.mapping).toContainEqual({ column: 'Ext', field: 'phone_ext' });
      expect((await leads()).map((l) => [l.first_name, l.phone_ext])).toEqual([['Ana', '101'], ['Bo', '202'], ['Cy', '303'], ['Dee', null]]);
      for (const id of ['1', '2']) expect(q(['log', id, 'qualified', '--force', '--need', 'x', '--timeframe', 'Q1', '--authority', 'me', '--note', 'n']).code).toBe(0);
      const out = join(dir, 'handoff.csv');
      expect(q(['export', 'sales-ready', '--no-mark', '--out', out]).code).toBe(0);
      const again = importJson(out);
      expect(again).toMatchObject({ inserted: 0, duplicates: 2 });
    });

    it('do-not-call: a bare number covers every extension, one extension only itself', async () => {
      await fromSwitchboard();
      // One colleague asks on a call: only her extension.
      expect(q(['log', '1', 'do-not-call', '--force']).code).toBe(0);
      expect((await leads()).map((l) => l.status)).toEqual(['do-not-call', 'new', 'new']);
      const reimport = importJson(file('again.csv', 'First Name,Phone\nAna,212-736-3001 x101\nDot,212-736-3001 x404\n'));
      expect(reimport).toMatchObject({ suppressed: 1, inserted: 1 });
      // `dnc add` of the extension form suppresses that extension; of the bare number, all of them.
      const ext = json(q(['dnc', 'add', '212-736-3001 x202', '--json']));
      expect(ext.leads_suppressed).toBe(1);
      expect((await leads()).map((l) => l.status)).toEqual(['do-not-call', 'do-not-call', 'new', 'new']);
      const bare = json(q(['dnc', 'add', '+12127363001', '--json']));
      expect(bare.leads_suppressed).toBe(2);
      expect((await leads()).every((l) => l.status === 'do-not-call')).toBe(true);
    });
  });

  describe('colleagues at one main number, without extensions', () => {
    // An Apollo export: contacts with only their company's number (Corporate Phone), each an Apollo record.
    const apollo =
      'First Name,Last Name,Company,Email,Corporate Phone,Country,Apollo Contact Id\n' +
      'Olivia,Clarke,Thames Analytics Ltd,olivia.clarke@thames-analytics.co.uk,+44 20 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3c\n' +
      'James,Patel,Thames Analytics Ltd,james.patel@thames-analytics.co.uk,+44 20 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3d\n' +
      'Siobhán,Ó Briain,Thames Analytics Ltd,,020 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3e\n' +
      'Olivia,Clarke,Thames Analytics Ltd,o.clarke@thames-analytics.co.uk,+44 (0)20 7946 0958,United Kingdom,6571a2b3c4d5e6f708192a3c\n';

    it('each record of a CRM or list vendor is a lead of its own; a repeat of one is a duplicate', async () => {
      const human = q(['import', file('dry.csv', apollo), '--dry-run']);
      expect(human.stderr).toMatch(/Note: 2 rows share a phone number with a lead but name someone else/);
      const r = importJson(file('apollo.csv', apollo));
      expect(r).toMatchObject({ inserted: 3, duplicates: 1, kept_apart: 2 });
      expect(r.notes).toContain(
        '2 rows share a phone number with a lead but name someone else (colleagues at one main number, told apart by first name and e-mail or id): imported as leads of their own.',
      );
      expect((await leads()).map((l) => [l.first_name, l.phone, l.external_id])).toEqual([
        ['Olivia', '+442079460958', '6571a2b3c4d5e6f708192a3c'],
        ['James', '+442079460958', '6571a2b3c4d5e6f708192a3d'],
        ['Siobhán', '+442079460958', '6571a2b3c4d5e6f708192a3e'],
      ]);
      // Another export of the same people: nobody new, and --on-duplicate update finds each one.
      expect(importJson(file('again.csv', apollo))).toMatchObject({ inserted: 0, duplicates: 4, kept_apart: 0 });
      const titled = apollo.replace('Thames Analytics Ltd,james.patel', 'Thames Analytics Group,james.patel');
      // James's new company. Olivia's first row wins though it changes nothing: her second row
      // (another e-mail) is a repeat, so the same file imported again changes nothing.
      expect(importJson(file('titled.csv', titled), '--on-duplicate', 'update')).toMatchObject({ inserted: 0, updated: 1, duplicates: 3 });
      expect((await store.query("SELECT company FROM leads WHERE first_name = 'James'"))[0].company).toBe('Thames Analytics Group');
      expect((await store.query("SELECT email FROM leads WHERE first_name = 'Olivia'"))[0].email).toBe('olivia.clarke@thames-analytics.co.uk');
      expect(importJson(file('titled.csv', titled), '--on-duplicate', 'update')).toMatchObject({ inserted: 0, updated: 0, duplicates: 4 });
    });

    it('the card names the colleagues at the number (three, then "and more"); a lead at an extension has none', async () => {
      importJson(file('apollo.csv', apollo));
      const olivia = q(['show', '1']);
      expect(olivia.stdout).toMatch(/also at this number: James Patel #2, Siobhán Ó Briain #3\n/);
      const next = q(['next']);
      expect(next.stdout).toContain('Olivia Clarke');
      expect(next.stdout).toMatch(/also at this number: James Patel #2, Siobhán Ó Briain #3\n/);
      const more = 'First Name,Last Name,Email,Corporate Phone,Country\nAmara,Okoye,amara.okoye@thames-analytics.co.uk,020 7946 0958,United Kingdom\nBen,Hall,ben.hall@thames-analytics.co.uk,020 7946 0958,United Kingdom\n';
      expect(importJson(file('more.csv', more))).toMatchObject({ inserted: 2, kept_apart: 2 });
      expect(q(['show', '2']).stdout).toMatch(/also at this number: Olivia Clarke #1, Siobhán Ó Briain #3,\s+Amara Okoye #4, and more\n/);
      importJson(file('desk.csv', 'First Name,Last Name,Phone\nDee,Ng,+44 20 7946 0958 ext. 12\n'));
      expect(q(['show', '6']).stdout).not.toMatch(/also at this number/);
    });

    it('without ids, a different first name and personal e-mail at the number is someone else; a row that says less is a duplicate', async () => {
      importJson(file('first.csv', 'First Name,Last Name,Email,Phone\nYuki,Watanabe,yuki.watanabe@tokai.example,+81 3-1234-5678\n'));
      const second = importJson(
        file(
          'second.csv',
          'First Name,Last Name,Email,Phone\n' +
            'Hiroshi,Tanaka,hiroshi.tanaka@tokai.example,+81 3 1234 5678\n' + // someone else at Yuki's number
            'Hiroshi,Tanaka,,+81312345678\n' + // no e-mail: the number's first lead, Yuki's, for all it says
            'Hiro,T.,hiroshi.tanaka@tokai.example,+81 3 1234 5678\n' + // Hiroshi's e-mail: Hiroshi
            'Aiko,Sato,info@tokai.example,+81 3 1234 5678\n', // a shared mailbox names nobody
        ),
      );
      expect(second).toMatchObject({ inserted: 1, duplicates: 3, kept_apart: 1 });
      expect((await leads()).map((l) => l.first_name)).toEqual(['Yuki', 'Hiroshi']);
      // A big store and a one-row file take the database's indexes rather than the import's own key index.
      const many = 'First Name,Last Name,Email,Phone\n' + Array.from({ length: 30 }, (_, i) => `P${i},X,p${i}@ex.example,+1 212 555 ${String(1000 + i)}\n`).join('');
      importJson(file('many.csv', many));
      const third = importJson(file('third.csv', 'First Name,Last Name,Email,Phone\nKenji,Mori,kenji.mori@tokai.example,+81 3 1234 5678\n'));
      expect(third).toMatchObject({ inserted: 1, duplicates: 0, kept_apart: 1 });
      // A do-not-call on the number reaches everyone at it.
      expect(q(['dnc', 'add', '+81 3 1234 5678', '--reason', 'switchboard asked']).code).toBe(0);
      expect((await store.query("SELECT DISTINCT status FROM leads WHERE phone = '+81312345678'")).map((l) => l.status)).toEqual(['do-not-call']);
    });
  });

  describe('forget and extensions', () => {
    it('forgets the person at an extension only; a bare number erases its own lead and stops the rest', async () => {
      importJson(file('acme.csv', 'First Name,Phone\nReception,212-736-3001\nAna,212-736-3001 x101\nBo,212-736-3001 x202\n'));
      const one = q(['forget', '212-736-3001 x101', '--yes', '--json']);
      expect(one.code, one.stderr).toBe(0);
      expect(json(one)).toMatchObject({ leads: 1 });
      expect((await leads()).map((l) => [l.first_name, l.status])).toEqual([['Reception', 'new'], ['Bo', 'new']]);
      const bare = q(['forget', '+12127363001', '--yes', '--json']);
      expect(json(bare)).toMatchObject({ leads: 1 });
      expect((await leads()).map((l) => [l.first_name, l.status])).toEqual([['Bo', 'do-not-call']]);
      const back = importJson(file('again.csv', 'First Name,Phone\nAna,212-736-3001 x101\nReception,212-736-3001\nCy,212-736-3001 x303\n'));
      expect(back).toMatchObject({ inserted: 0, suppressed: 3 });
    });
  });

  describe('repeats within a file', () => {
    it('with --on-duplicate update, a repeat of a row that updated a lead is a duplicate, not a second update', async () => {
      importJson(file('first.csv', 'First Name,Phone,Email\nAna,212-555-0101,\n'));
      const r = importJson(
        file('crm.csv', 'First Name,Phone,Email\nAnabel,212-555-0101,ana@example.com\nAnnie,212-555-0101,\nAnnabelle,212-555-0199,ana@example.com\n'),
        '--on-duplicate',
        'update',
      );
      expect(r).toMatchObject({ inserted: 0, updated: 1, duplicates: 2 });
      expect((await leads()).map((l) => l.first_name)).toEqual(['Anabel']);
    });
  });

  describe("a CRM's own do-not-call flag", () => {
    const crm =
      'First Name,Phone,Email,Do Not Call,Unsubscribed from all email\n' +
      'Ana,212-555-0101,ana@example.com,true,false\n' +
      'Bo,212-555-0102,bo@example.com,0,true\n' +
      'Cy,212-555-0103,,Yes,\n' +
      'Dee,212-555-0104 x12,,X,\n';

    it('suppresses the row as dnc add does, and counts it', async () => {
      const r = importJson(file('crm.csv', crm));
      expect(r).toMatchObject({ rows_read: 4, inserted: 1, suppressed: 3 });
      expect(r.mapping).toContainEqual({ column: 'Do Not Call', field: 'do_not_call' });
      expect((await leads()).map((l) => l.first_name)).toEqual(['Bo']);
      const listed = q(['dnc', 'list', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(listed.map((e: { kind: string; value: string }) => `${e.kind}:${e.value}`).sort()).toEqual(
        ['email:ana@example.com', 'phone:+12125550101', 'phone:+12125550103', 'phone:+12125550104;ext=12'].sort(),
      );
      expect(listed.every((e: { source: string }) => /^import batch 1 \(.*crm\.csv\)$/.test(e.source))).toBe(true);
    });

    it('turns an existing matching lead into do-not-call; a dry run changes nothing', async () => {
      importJson(file('leads.csv', 'First Name,Phone\nAna,212-555-0101\nCy,212-555-0103\n'));
      const flagged = file('crm.csv', 'First Name,Phone,DoNotCall\nAna,(212) 555-0101,1\n');
      const dry = importJson(flagged, '--dry-run');
      expect(dry).toMatchObject({ suppressed: 1, dry_run: true });
      expect((await leads()).map((l) => l.status)).toEqual(['new', 'new']);
      expect(q(['dnc', 'list', '--json']).stdout.trim()).toBe('');
      const real = importJson(flagged);
      expect(real).toMatchObject({ suppressed: 1, inserted: 0 });
      expect((await leads()).map((l) => l.status)).toEqual(['do-not-call', 'new']);
    });

    it('suppresses a later row of the same person in the same file, and an earlier one made callable', async () => {
      const r = importJson(file('crm.csv', 'First Name,Phone,DoNotCall\nAna,212-555-0101,\nAna,212-555-0101,true\nAna,212-555-0101,\n'));
      expect(r).toMatchObject({ inserted: 1, suppressed: 2 });
      expect((await leads()).map((l) => l.status)).toEqual(['do-not-call']);
    });
  });

  describe('hand-off to a CRM with required fields missing', () => {
    it("fills Salesforce's LastName and Company with '[not provided]' and says how many", async () => {
      importJson(file('l.csv', 'Name,Company,Phone\nMadonna,,212-555-0101\nAna Lopez,Acme,212-555-0102\n'));
      for (const id of ['1', '2']) expect(q(['log', id, 'qualified', '--force', '--need', 'x', '--timeframe', 'Q1', '--authority', 'me', '--note', 'n']).code).toBe(0);
      const out = join(dir, 'sf.csv');
      const r = q(['export', 'sales-ready', '--profile', 'salesforce', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/filled with '\[not provided\]': LastName of 1 lead, Company of 1 lead/);
      const again = q(['export', 'sales-ready', '--profile', 'salesforce', '--batch', '1']);
      const [first, second] = parse(again.stdout, { columns: true }) as Record<string, string>[];
      expect([first.FirstName, first.LastName, first.Company]).toEqual(['Madonna', '[not provided]', '[not provided]']);
      expect([second.LastName, second.Company]).toEqual(['Lopez', 'Acme']);
      expect((await leads()).map((l) => l.status)).toEqual(['handed-off', 'handed-off']);
    });

    it('reports the fills in --json', async () => {
      importJson(file('l.csv', 'Phone\n212-555-0101\n'));
      expect(q(['log', '1', 'qualified', '--force', '--need', 'x', '--timeframe', 'Q1', '--authority', 'me', '--note', 'n']).code).toBe(0);
      const r = q(['export', 'sales-ready', '--profile', 'hubspot', '--out', join(dir, 'hs.csv'), '--json']);
      expect(json(r).filled).toEqual({ lastname: 1 });
    });
  });
});
