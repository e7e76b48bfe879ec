// callq work driven through a real pseudo-terminal on both stores: keys in, screen text out, the
// store asserted after (test/stores.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { callq, initDb } from '../helpers.js';
import { pgInfo } from '../pg/db.js';
import { Terminal } from '../terminal.js';
import { seedStore, type SeedLead } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

// Tuesday 2026-11-24, 11:00 in New York.
const NOW = '2026-11-24T16:00:00Z';
const DOWN = '\x1b[B';
const ESC = '\x1b';
const CTRL_C = '\x03';
const BACKSPACE = '\x7f';

describe.each(STORE_KINDS)('callq work in a terminal on %s', (kind) => {
  let store: TestStore;
  const terminals: Terminal[] = [];
  beforeEach(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(store.db);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') for (const t of terminals) console.log(t.describe());
    for (const t of terminals.splice(0)) t.kill('SIGKILL');
    await store.cleanup();
  });

  function work(extra: string[] = [], env?: Record<string, string>): Terminal {
    const t = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work', ...extra], env);
    terminals.push(t);
    return t;
  }

  /** Seeds leads whose scores fix the order: the first is served first. */
  async function seedInOrder(names: string[], extra: Partial<SeedLead> = {}): Promise<Record<string, number>> {
    const ids = await seedStore(store, names.map((first_name, i) => ({ first_name, last_name: 'Test', score: 95 - i * 5, ...extra })));
    return Object.fromEntries(names.map((n, i) => [n, ids[i]]));
  }

  const query = <T = any>(sql: string, ...params: unknown[]) => store.query<T>(sql, ...params);
  const lead = async (id: number) => (await query('SELECT * FROM leads WHERE id = ?', id))[0];
  const callsOf = (id: number) => query('SELECT * FROM calls WHERE lead_id = ? ORDER BY id', id);
  const liveClaims = () => query('SELECT id, claim_rep FROM leads WHERE claim_rep IS NOT NULL ORDER BY id');

  it.each([80, 120])('callq queue in a terminal %i columns wide fits it, cutting long names and companies', async (cols) => {
    await seedStore(store, [
      { first_name: 'Maximiliane', last_name: 'Östergaard-Lindqvist', company: 'Bretagne Agroalimentaire Coopérative Maritime SA', score: 90 },
      { first_name: 'Li', last_name: 'Wei', company: 'Acme', score: 80 },
    ]);
    const t = new Terminal(['--db', store.db, '--now', NOW, 'queue'], { NO_COLOR: '1' }, { cols });
    terminals.push(t);
    expect(await t.exitCode()).toBe(0);
    const lines = t.screen.split(/\r?\n/).filter((l) => l.trim());
    expect(lines.length).toBe(4); // header, rule, two leads: no row wrapped
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(cols);
    expect(lines[2]).toMatch(/^1 {2}\d+ {2,}Maxim[^…]*… {2}/); // cut, not wrapped
    expect(lines[2]).toContain('Tue 11:00 New York');
    expect(lines[3]).toMatch(/Li Wei {2,}Acme {2,}new/);
  });

  it('callq work in a terminal 50 columns wide draws its card and legend to fit, rather than 80 wide and wrapped', async () => {
    await seedStore(store, [{ first_name: 'Maximiliane', last_name: 'Östergaard-Lindqvist', company: 'Bretagne Agroalimentaire Coopérative Maritime SA', score: 90 }]);
    const t = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work'], { NO_COLOR: '1' }, { cols: 50 });
    terminals.push(t);
    const screen = await t.waitFor('outcome key ›');
    const lines = screen.split(/\r?\n/);
    expect(lines.some((l) => /^─{48}$/.test(l))).toBe(true); // the card's rule, 48 wide
    expect(lines.some((l) => /^─{50}$/.test(l))).toBe(false); // not a 78-wide rule wrapped at 50
    expect(lines[0]).toMatch(/^ana · 0 dials · 0 contacts · .*…$/); // the tally cut, not wrapped
    expect(screen).toContain('Q quit');
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
  });

  it('the card names the colleagues at the lead’s number', async () => {
    await seedStore(store, [
      { first_name: 'Olivia', last_name: 'Clarke', phone: '+12127363000', score: 90 },
      { first_name: 'James', last_name: 'Patel', phone: '+12127363000', score: 10 },
    ]);
    const t = work();
    const card = await t.waitFor('outcome key ›');
    expect(card).toContain('Olivia Clarke');
    expect(card).toMatch(/also at this number: James Patel #\d+/);
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
  });

  it('works a list: one-key outcome, skip, callback, qualification, reason list, menu, note-first, quit', async () => {
    const id = await seedInOrder(['Avery', 'Blake', 'Casey', 'Drew', 'Emery', 'Finley', 'Gray']);
    const t = work();

    const first = await t.waitFor('outcome key ›');
    expect(first).toContain('Avery Test');
    expect(first).toContain('0 dials · 0 contacts · 0 sales-ready');
    expect(first).toContain('+1 (212)');
    expect(first).toMatch(/lead time Tue 11:00 New York\s+inside calling hours/);
    expect(first).toMatch(/n no-answer\s+b busy\s+v voicemail/);
    expect(first.split('\n').every((line) => line.replace(/\r$/, '').length <= 80)).toBe(true);
    const E = '\r';
    await t.talk(
      // A: one key, saved at once (no-contact outcomes ask nothing).
      ['', 'n'],
      [`✓ Saved no-answer for #${id.Avery} Avery Test`],
      // B: skip; the next card is C even though B still ranks higher.
      ['Blake Test'], ['outcome key ›', 's'],
      [`Skipped #${id.Blake} Blake Test; it is back in the queue.`],
      // C: callback. A time outside calling hours is refused with the nearest allowed one; the
      // accepted time is said back in both zones before the note.
      ['Casey Test'], ['outcome key ›', 'c'],
      ["Lead's time now: Tue 24 Nov 11:00 EST."], ['Call back when?', 'tomorrow 8pm' + E],
      ['outside calling hours', BACKSPACE.repeat('tomorrow 8pm'.length) + 'tomorrow 10am' + E],
      ['→ Wed 25 Nov 10:00 EST (lead) · 15:00 UTC (you)'], ['Note?', 'in a meeting, call tomorrow' + E],
      [`✓ Saved callback for #${id.Casey} Casey Test`],
      // D (B, skipped in this session, waits until no other lead is left): qualified; the hand-off note is required.
      ['Drew Test'], ['outcome key ›', 'q'],
      ['Need?', 'call tracking' + E], ['Timeframe?', 'Q1' + E], ['Authority?', 'VP Sales' + E], ['Budget (optional)?', E],
      ['Hand-off note for Sales?', E], ['Required', 'wants a demo next Tuesday' + E],
      ['3 dials · 2 contacts · 1 sales-ready'], [`✓ Saved qualified for #${id.Drew} Drew Test`],
      // E: disqualified, reason picked from the list with the arrow keys.
      ['Emery Test'], ['outcome key ›', 'd'], ['Reason', DOWN + DOWN + E], ['Note?', E],
      [`✓ Saved disqualified for #${id.Emery} Emery Test: disqualified (no-need)`],
      // F: the arrow-key menu (Enter opens it), then a note.
      ['Finley Test'], ['outcome key ›', E], ['Outcome', DOWN + DOWN + E], ['Note?', 'left a voicemail about the webinar' + E],
      [`✓ Saved voicemail for #${id.Finley} Finley Test`],
      // G: '+' asks a note for a no-contact outcome too.
      ['Gray Test'], ['outcome key ›', '+'], ['note first', 'b'], ['Note?', 'line busy twice' + E],
      ['6 dials · 3 contacts · 1 sales-ready'], [`✓ Saved busy for #${id.Gray} Gray Test`],
      // B, the only lead left, comes round again: history and help pages, then quit.
      ['Only leads you skipped are left to call: they come round again.'],
      // In the menu too, a key picks the item printed beside it, case and all: Q quits (q would be qualified).
      ['Blake Test'], ['outcome key ›', 'h'], ['no calls yet', ' '], ['outcome key ›', '?'], ['same as D', ' '], ['outcome key ›', E], ['Outcome', 'Q'],
      [`Session: 6 dials, 3 contacts, 1 sales-ready, 1 skipped. Lead #${id.Blake} is back in the queue`],
    );
    expect(await t.exitCode()).toBe(0);

    expect(await query('SELECT lead_id, rep, disposition, called_at FROM calls ORDER BY id')).toEqual(
      [
        [id.Avery, 'no-answer'],
        [id.Casey, 'callback'],
        [id.Drew, 'qualified'],
        [id.Emery, 'disqualified'],
        [id.Finley, 'voicemail'],
        [id.Gray, 'busy'],
      ].map(([lead_id, disposition]) => ({ lead_id, rep: 'ana', disposition, called_at: '2026-11-24T16:00:00.000Z' })),
    );
    expect(await lead(id.Avery)).toMatchObject({ status: 'working', attempts: 1 });
    expect(await lead(id.Casey)).toMatchObject({ status: 'callback', callback_at: '2026-11-25T15:00:00.000Z', callback_rep: 'ana' });
    expect((await callsOf(id.Casey))[0].notes).toBe('in a meeting, call tomorrow');
    const drew = await lead(id.Drew);
    expect(drew).toMatchObject({ status: 'sales-ready', handoff_note: 'wants a demo next Tuesday' });
    expect(JSON.parse(drew.qualification)).toEqual({ need: 'call tracking', timeframe: 'Q1', authority: 'VP Sales' });
    expect(await lead(id.Emery)).toMatchObject({ status: 'disqualified', disqualify_reason: 'no-need' });
    expect((await callsOf(id.Finley))[0].notes).toBe('left a voicemail about the webinar');
    expect((await callsOf(id.Gray))[0].notes).toBe('line busy twice');
    expect(await lead(id.Blake)).toMatchObject({ status: 'new', attempts: 0 });
    expect(await callsOf(id.Blake)).toEqual([]);
    expect(await liveClaims()).toEqual([]);
  });

  it('skipping goes down the queue: leads skipped in the session come round again only when no other is left, the one just skipped not first', async () => {
    const id = await seedInOrder(['Avery', 'Blake', 'Casey', 'Drew']);
    const t = work();
    const card = (name: string) => `${name} Test  #${id[name]}`;
    const skip = async (name: string) => {
      await t.talk([card(name)], ['outcome key ›', 's']);
      await t.waitFor(`Skipped #${id[name]} ${name} Test; it is back in the queue.`);
    };
    // Each skip brings a lead not skipped yet (skipping used to bounce between the top two).
    for (const name of ['Avery', 'Blake', 'Casey', 'Drew']) await skip(name);
    // Only skipped leads are left: in the queue's order again, Drew (just skipped) not first.
    await t.talk(['Only leads you skipped are left to call: they come round again.'], [card('Avery')], ['outcome key ›', 'n']);
    await t.waitFor(`✓ Saved no-answer for #${id.Avery} Avery Test`);
    // The second round goes down the queue too, and round again.
    for (const name of ['Blake', 'Casey', 'Drew']) await skip(name);
    await t.talk(['Only leads you skipped are left to call: they come round again.'], [card('Blake')], ['outcome key ›', 'Q']);
    await t.waitFor(`Session: 1 dial, 0 contacts, 0 sales-ready, 7 skipped. Lead #${id.Blake} is back in the queue`);
    expect(await t.exitCode()).toBe(0);
    expect(await query('SELECT lead_id, disposition FROM calls')).toEqual([{ lead_id: id.Avery, disposition: 'no-answer' }]);
    expect(await liveClaims()).toEqual([]);
  });

  it('a lone lead skipped comes straight back, said so, rather than an empty queue', async () => {
    const { Avery } = await seedInOrder(['Avery']);
    const t = work();
    await t.talk([`Avery Test  #${Avery}`], ['outcome key ›', 's']);
    await t.waitFor(`Skipped #${Avery} Avery Test; it is back in the queue.`);
    await t.talk(['Only leads you skipped are left to call: they come round again.'], [`Avery Test  #${Avery}`], ['outcome key ›', 'Q']);
    await t.waitFor(`Session: 0 dials, 0 contacts, 0 sales-ready, 1 skipped. Lead #${Avery} is back in the queue`);
    expect(await t.exitCode()).toBe(0);
    expect(t.screen).not.toContain('No lead to call');
    expect(await liveClaims()).toEqual([]);
  });

  it('the card and the history page give times in the lead’s zone and the rep’s', async () => {
    const [id] = await seedStore(store, [{ first_name: 'Dana', last_name: 'Whitfield', timezone: 'America/Chicago' }]);
    // Monday 15:40 in New York, 14:40 in Chicago: a callback for tomorrow 10am, lead time.
    const monday = '2026-11-23T20:40:00Z';
    expect(callq(['--db', store.db, '--rep', 'ana', '--now', monday, 'next']).code).toBe(0);
    expect(callq(['--db', store.db, '--rep', 'ana', '--now', monday, 'log', String(id), 'callback', '--at', 'tomorrow 10am']).code).toBe(0);
    const t = work([], { NO_COLOR: '1', TZ: 'America/New_York' });
    await t.waitFor('callback due Tue 24 Nov 10:00 CST (lead) · 11:00 EST (you) for ana');
    await t.waitFor('Mon 23 Nov 15:40 EST callback by ana');
    await t.talk(['outcome key ›', 'h'], ['Mon 23 Nov 15:40 EST  callback  by ana'], ['callback Tue 24 Nov 10:00 CST (lead) · 11:00 EST (you)'], ['any key', 'Q']);
    expect(await t.exitCode()).toBe(0);
    expect(t.screen).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('the card says when the lead’s calling hours close soon', async () => {
    await seedStore(store, [{ first_name: 'Lee', last_name: 'Late', timezone: 'America/New_York' }]);
    // Tue 16:56 in New York: hours close at 17:00.
    const t = new Terminal(['--db', store.db, '--rep', 'ana', '--now', '2026-11-24T21:56:10Z', 'work'], { NO_COLOR: '1' });
    terminals.push(t);
    await t.waitFor('Lee Late');
    await t.waitFor('inside calling hours · closes in 3 min');
    await t.talk(['outcome key ›', 'Q']);
    expect(await t.exitCode()).toBe(0);
  });

  it('Ctrl-C in the middle of a prompt releases the claim, saves nothing and exits 130 (colour on)', async () => {
    const { Avery } = await seedInOrder(['Avery']);
    const t = work([], { FORCE_COLOR: '1' });
    await t.waitFor('Avery Test');
    await t.waitFor('outcome key ›');
    expect((await lead(Avery)).claim_rep).toBe('ana');

    // Esc inside a question goes back to the card.
    t.write('g');
    await t.waitFor('Note?');
    t.write(ESC);
    await t.waitFor('Back to the card; nothing was saved.');
    await t.waitFor('outcome key ›');

    t.write('c');
    await t.waitFor('Call back when?');
    t.write('tomorr');
    await t.waitFor('tomorr');
    t.write(CTRL_C);
    await t.waitFor(`interrupted (Ctrl-C). Session: 0 dials, 0 contacts, 0 sales-ready, 0 skipped. Lead #${Avery} is back in the queue; nothing was saved for it.`);
    expect(await t.exitCode()).toBe(130);
    expect(await lead(Avery)).toMatchObject({ status: 'new', attempts: 0, claim_rep: null, claim_token: null, claim_expires_at: null, callback_at: null });
    expect(await query('SELECT * FROM calls')).toEqual([]);
  });

  it('a lapsed claim nobody took is renewed; a lost claim is said plainly, nothing is saved, and the next lead comes up', async () => {
    const id = await seedInOrder(['Avery', 'Blake', 'Casey', 'Dana']);
    const setClaim = (leadId: number, sql: string) => query(`UPDATE leads SET ${sql} WHERE id = ?`, leadId);
    // A colleague takes the lead (say the lease ran out while the rep was away).
    const steal = (leadId: number) => setClaim(leadId, "claim_rep = 'bob', claim_token = 'bobs-token', claim_expires_at = '2026-11-24T16:30:00.000Z'");
    const t = work();

    // The lease ran out (the rep sat on the card) but the token is unchanged: nobody took it, so it is renewed and saved.
    await t.waitFor('Avery Test');
    await t.waitFor('outcome key ›');
    await setClaim(id.Avery, "claim_expires_at = '2026-11-24T15:45:00.000Z'");
    t.write('n');
    await t.waitFor(`✓ Saved no-answer for #${id.Avery} Avery Test`);

    // Taken before the key: said at once, before any question.
    await t.waitFor('Blake Test');
    await t.waitFor('outcome key ›');
    await steal(id.Blake);
    t.write('g');
    await t.waitFor(`#${id.Blake} Blake Test: Your claim on this lead was lost (expired or taken); nothing was saved.`);

    // Taken while the rep types the note: detected at save time.
    await t.waitFor('Casey Test');
    await t.waitFor('outcome key ›');
    t.write('g');
    await t.waitFor('Note?');
    await steal(id.Casey);
    t.answer('spoke to reception');
    await t.waitFor(`#${id.Casey} Casey Test: Your claim on this lead was lost`);
    await t.waitFor('Dana Test');
    await t.waitFor('outcome key ›');
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
    expect(await query('SELECT lead_id, disposition FROM calls')).toEqual([{ lead_id: id.Avery, disposition: 'no-answer' }]);
    expect(await liveClaims()).toEqual([
      { id: id.Blake, claim_rep: 'bob' },
      { id: id.Casey, claim_rep: 'bob' },
    ]);
  });

  // Each check of the wait is a claim, which serves whatever became callable; the explanation
  // (every waiting lead counted, a second and more on a million leads) is asked for when the wait
  // begins, not on every check. On PostgreSQL that is counted from the statements the server logs.
  it('an empty queue says why and when, waits, and serves the lead once it opens', async () => {
    const [id] = await seedStore(store, [{ first_name: 'Later', next_eligible_at: '2026-11-24T18:00:00.000Z' }]);
    const statements = kind === 'postgres' ? await statementLog() : null;
    const t = work();
    await t.waitFor('No lead to call. No lead can be called right now.');
    await t.waitFor('1 waiting for a retry time');
    await t.waitFor('The next lead becomes callable at Tue 24 Nov 18:00 UTC');
    await t.waitFor('w wait for the next lead');
    t.write('w');
    await t.waitFor('waiting — next check in 30s');
    for (let check = 0; check < 3; check++) {
      t.write(' '); // any key: check now
      await t.waitFor('waiting — next check in 30s');
    }
    if (statements) {
      expect(statements.runs(CLAIMING)).toBeGreaterThanOrEqual(4); // the first claim and one per check
      expect(statements.runs(EXPLAINING)).toBe(1);
    }
    await query('UPDATE leads SET next_eligible_at = NULL WHERE id = ?', id);
    t.write(' ');
    await t.waitFor('Later Test');
    await t.waitFor('outcome key ›');
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
    expect(await liveClaims()).toEqual([]);
    if (statements) expect(statements.runs(EXPLAINING)).toBe(1);
  });

  /** Fragments of explainEmptyQueuePg's statement and of the claim's. */
  const EXPLAINING = 'count(*) FILTER (WHERE next_eligible_at >';
  const CLAIMING = 'pg_advisory_xact_lock(';

  /**
   * From now on, sessions opened on this PostgreSQL database log every statement they run;
   * `runs(fragment)` counts those logged since that contain it. A statement sent with parameters
   * is logged in three phases (parse, bind, execute), one sent as text, as the claim is, in one
   * line: only the runs are counted.
   */
  async function statementLog() {
    const [{ name }] = await query<{ name: string }>('SELECT current_database() AS name');
    await query(`ALTER DATABASE "${name}" SET log_min_duration_statement = 0`);
    const log = join(pgInfo.socketDir, 'server.log');
    const from = statSync(log).size;
    return {
      runs: (fragment: string) =>
        readFileSync(log)
          .subarray(from)
          .toString('utf8')
          .split(/\n(?=\S)/)
          .filter((entry) => entry.includes(fragment) && !/duration: [\d.]+ ms {2}(parse|bind) /.test(entry)).length,
    };
  }

  it('a closed terminal (SIGHUP) gives the lead back', async () => {
    const { Avery } = await seedInOrder(['Avery']);
    const t = work();
    await t.waitFor('outcome key ›');
    t.write('u');
    await t.waitFor('Nurture until?');
    expect((await lead(Avery)).claim_rep).toBe('ana');
    t.kill('SIGHUP');
    expect(await t.exitCode()).toBe(130);
    expect(await lead(Avery)).toMatchObject({ status: 'new', claim_rep: null });
    expect(await query('SELECT * FROM calls')).toEqual([]);
  });

  /** The claims `callq status` lists at the session's instant. */
  const claimsInStatus = () => JSON.parse(callq(['--db', store.db, '--now', NOW, 'status', '--json']).stdout).claims;

  it('a closed terminal (its master side closed, as a window or tmux kill-session does) gives the lead back and exits 130', async () => {
    const { Avery } = await seedInOrder(['Avery']);
    const t = work();
    await t.waitFor('Avery Test');
    await t.waitFor('outcome key ›');
    expect(claimsInStatus()).toEqual([expect.objectContaining({ rep: 'ana', lead_id: Avery })]);
    t.close();
    // Not 1 from a failed write, nor a signal from Node aborting at exit.
    expect(await t.exited).toMatchObject({ exitCode: 130, signal: 0 });
    expect(await lead(Avery)).toMatchObject({ status: 'new', claim_rep: null, claim_token: null });
    expect(claimsInStatus()).toEqual([]);
    expect(await query('SELECT * FROM calls')).toEqual([]);
  });

  describe.each([
    ['a card is shown', []],
    ['a question is asked', [['u', 'Nurture until?']]],
  ] as [string, [string, string][]][])('a terminal that closes with no SIGHUP for callq (only end of input and EIO) while %s', (_, steps) => {
    it('gives the lead back, exits 130 and says so on stderr without a stack trace', async () => {
      const { Avery } = await seedInOrder(['Avery']);
      const stderr = join(store.dir, 'stderr.txt');
      const t = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work'], { NO_COLOR: '1' }, { underShell: { stderr } });
      terminals.push(t);
      await t.waitFor('outcome key ›');
      for (const [keys, shown] of steps) {
        t.write(keys);
        await t.waitFor(shown);
      }
      expect(claimsInStatus()).toEqual([expect.objectContaining({ rep: 'ana', lead_id: Avery })]);
      t.close();
      expect(await t.exitCode()).toBe(130);
      expect(await lead(Avery)).toMatchObject({ status: 'new', claim_rep: null, claim_token: null });
      expect(claimsInStatus()).toEqual([]);
      expect(await query('SELECT * FROM calls')).toEqual([]);
      const said = readFileSync(stderr, 'utf8');
      expect(said).toContain(`callq: the terminal closed or callq was stopped. Session: 0 dials, 0 contacts, 0 sales-ready, 0 skipped. Lead #${Avery} is back in the queue; nothing was saved for it.`);
      expect(said).not.toMatch(/cannot write|Assertion|Native stack|\n\s+at /);
    });
  });

  it('on the real clock, keeps renewing the claim while the card is on screen', async () => {
    // A lead whose local time is about noon now, calling every day, a 3-second lease renewed every second.
    const offset = 12 - new Date().getUTCHours();
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    expect(callq(['--db', store.db, 'config', 'set', 'hours.days', 'sun-sat']).code).toBe(0);
    // A lease shorter than `config set` allows (1m), written straight into the settings, so the
    // renewals come within seconds.
    await store.query(`INSERT INTO settings (key, value, updated_at) VALUES ('lease', '3s', '2026-01-01T00:00:00.000Z')`);
    const [id] = await seedStore(store, [{ first_name: 'Noon', timezone: zone }]);
    const before = Date.now();
    const t = new Terminal(['--db', store.db, '--rep', 'ana', 'work']);
    terminals.push(t);
    await t.waitFor('Noon Test');
    await t.waitFor('outcome key ›');
    const first = (await lead(id)).claim_expires_at as string;
    // Renewed on the real clock; the test's own timeout bounds the wait.
    let renewed = first;
    while (renewed === first) {
      await new Promise((r) => setTimeout(r, 100));
      renewed = (await lead(id)).claim_expires_at;
    }
    expect(renewed > first).toBe(true);
    // On the real clock: renewed after the session started, for the 3-second lease.
    expect(Date.parse(renewed)).toBeGreaterThanOrEqual(before + 3000);
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
    expect((await lead(id)).claim_rep).toBeNull();
  });

  it('a lead already held from callq next is shown again, with a note', async () => {
    const { Avery } = await seedInOrder(['Avery', 'Blake']);
    expect(callq(['--db', store.db, '--rep', 'ana', '--now', NOW, 'next']).code).toBe(0);
    const t = work();
    await t.waitFor('Avery Test');
    await t.waitFor('You already held this lead');
    t.write('Q');
    expect(await t.exitCode()).toBe(0);
    expect((await lead(Avery)).claim_rep).toBeNull();
  });
});
