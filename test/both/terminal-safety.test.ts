// Lead data never drives the rep's terminal (docs/design.md, "Lead data never drives the
// terminal"), on both stores. test/fixtures/hostile/terminal-escapes.csv holds terminal control
// sequences in names, company, title, source and custom fields: Ana's name sets the window title
// (ESC ] 0;pwned BEL), her company clears the screen (ESC [2J), her title hides text (ESC [8m),
// her custom fields hold backspaces, bidi isolates and a right-to-left override, a C1 CSI, DEL
// and NEL; Bo's name rings the bell and an invalid e-mail holds an escape (a warning quotes it);
// Cy's phone holds one (the rejected row's line quotes it). The file is imported under a name
// holding an escape too, a rep's note and a do-not-call reason add more. Every human view must
// print them as marks (␛ ␇ ␈ ␍ ␊ ␡, <U+202E>); JSON and CSV keep the exact stored values.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pty from 'node-pty';
import { parse } from 'csv-parse/sync';
import { BIN, FIXTURES, ROOT, callq, initDb, json, type RunResult } from '../helpers.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';

const BEFORE = '2026-11-23T16:00:00Z';
// Tuesday 2026-11-24, 11:00 in New York: Ana's retry is due.
const NOW = '2026-11-24T16:00:00Z';
const FILE_NAME = 'leads\x1b]0;pwned\x07.csv';
const NOTE = 'rang\x1b]0;pwned\x07 twice\r\nthen\x08\x08 \u202eok';
const DNC_REASON = 'asked\rby phone\x1b[2J';

// What must never reach the terminal raw from data: C0 controls but LF, DEL, C1, line and
// paragraph separators, bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Every raw control character in `text`, as code points with what surrounds them (none expected). */
function rawControls(text: string): string[] {
  return [...text.matchAll(RAW)].map((m) => `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(Math.max(0, m.index! - 20), m.index! + 20))}`);
}

/** Exit 0 and nothing raw on either stream. */
function expectSafe(r: RunResult): void {
  expect(r.stderr, 'stderr').not.toMatch(/unexpected failure/);
  expect(r.code).toBe(0);
  expect(rawControls(r.stdout), 'stdout').toEqual([]);
  expect(rawControls(r.stderr), 'stderr').toEqual([]);
}

describe.each(STORE_KINDS)('terminal control sequences in lead data on %s', (kind) => {
  let store: TestStore;
  let imported: RunResult;
  let logged: RunResult;
  const run = (args: string[], env?: Record<string, string>) => callq(['--db', store.db, '--now', NOW, ...args], { env });

  // One store for the whole file: the tests read it, and only the last two (next, work) claim.
  beforeAll(async () => {
    store = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(store.db);
    const file = join(store.dir, FILE_NAME);
    copyFileSync(join(FIXTURES, 'hostile', 'terminal-escapes.csv'), file);
    imported = callq(['--db', store.db, '--now', BEFORE, 'import', file]);
    logged = callq(['--db', store.db, '--now', BEFORE, 'log', '1', 'no-answer', '--force', '--note', NOTE]);
    const dnc = callq(['--db', store.db, '--now', BEFORE, 'dnc', 'add', '+12127345525', '--reason', DNC_REASON]);
    expect(dnc.code, dnc.stderr).toBe(0);
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it('import: the file name, its warning and its rejected row print as marks', () => {
    expectSafe(imported);
    expect(imported.stderr).toContain('Reading ' + join(store.dir, 'leads␛]0;pwned␇.csv'));
    expect(imported.stderr).toMatch(/Imported .*leads␛\]0;pwned␇\.csv as batch 1/);
    expect(imported.stderr).toContain("invalid e-mail 'bo␛[31m@bad' dropped");
    expect(imported.stderr).toMatch(/rejected \(invalid-phone\): '12␛\]2/);
  });

  it("log: the 'Logged …' line names the lead with marks", () => {
    expectSafe(logged);
    expect(logged.stderr).toContain('Logged no-answer for #1 Ana␛]0;pwned␇ Lee:');
  });

  it('show: the card, its custom fields and the call history', () => {
    const r = run(['show', '1']);
    expectSafe(r);
    expect(r.stdout).toContain('Ana␛]0;pwned␇ Lee · VP␛[8m hidden␛[0m  #1');
    expect(r.stdout).toContain('Acme␛[2J␛[H Corp');
    expect(r.stdout).toContain('source fair␈␈␈web');
    expect(r.stdout).toContain('Notes: call␈␈␈back <U+2066>iso<U+2069> <U+202E>exe.pdf <U+009B>31m');
    expect(r.stdout).toContain('Vendor Score: 9␡<U+0085>');
    // The card and the history table read the note on one line (its line break read as a space).
    expect(r.stdout).toContain('rang␛]0;pwned␇ twice then␈␈ <U+202E>ok');
  });

  it('why: the lead, and the do-not-call reason that blocks a lead', () => {
    const ana = run(['why', '1']);
    expectSafe(ana);
    expect(ana.stdout).toContain('#1 Ana␛]0;pwned␇ Lee Acme␛[2J␛[H Corp');
    expect(ana.stdout).toMatch(/source\s+fair␈␈␈web/);
    const bo = run(['why', '2']);
    expectSafe(bo);
    expect(bo.stdout).toContain('#2 Bo␇b Ray');
    expect(bo.stdout).toContain('asked␍by phone␛[2J');
  });

  it('queue, as a table and explained', () => {
    const table = run(['queue']);
    expectSafe(table);
    expect(table.stdout).toMatch(/1\s+1\s+Ana␛\]0;pwned␇ Lee\s+Acme␛\[2J␛\[H Corp\s+working/);
    const explained = run(['queue', '--explain']);
    expectSafe(explained);
    expect(explained.stdout).toContain('1. #1 Ana␛]0;pwned␇ Lee Acme␛[2J␛[H Corp');
  });

  it('imports, dnc list and the reports', () => {
    const imports = run(['imports']);
    expectSafe(imports);
    expect(imports.stdout).toMatch(/leads␛\]0;pwned␇\.csv$/m);
    const dnc = run(['dnc', 'list']);
    expectSafe(dnc);
    expect(dnc.stdout).toContain('asked␍by phone␛[2J');
    for (const report of ['funnel', 'reasons']) {
      const r = run(['report', report]);
      expectSafe(r);
      expect(r.stdout).toContain('fair␈␈␈web');
    }
  });

  it("with colours on, callq's own colours stay and the data's escapes are still marks", () => {
    const r = run(['show', '1'], { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\x1b[1mAna␛]0;pwned␇ Lee\x1b[22m'); // bold name
    expect(r.stdout).toContain('\x1b[36mAcme␛[2J␛[H Corp\x1b[39m'); // cyan company
    // The only escapes left are colour codes (SGR), and none of them is the title's "hide text".
    const nonColour = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(rawControls(nonColour)).toEqual([]);
    expect(r.stdout).not.toContain('\x1b[8m');
  });

  it('--json keeps the exact stored values', () => {
    const shown = json(run(['--json', 'show', '1']));
    expect(shown.lead).toMatchObject({
      first_name: 'Ana\x1b]0;pwned\x07',
      company: 'Acme\x1b[2J\x1b[H Corp',
      title: 'VP\x1b[8m hidden\x1b[0m',
      source: 'fair\x08\x08\x08web',
      custom: { Notes: 'call\x08\x08\x08back \u2066iso\u2069 \u202eexe.pdf \u009b31m', 'Vendor Score': '9\x7f\u0085' },
    });
    expect(shown.calls[0].notes).toBe(NOTE);
    expect(json(run(['--json', 'queue']))[0].lead.name).toBe('Ana\x1b]0;pwned\x07 Lee');
    expect(json(run(['--json', 'imports']))[0].file).toBe(join(store.dir, FILE_NAME));
    const dnc = run(['--json', 'dnc', 'list']);
    expect(JSON.parse(dnc.stdout.trim().split('\n')[0]).reason).toBe(DNC_REASON);
  });

  it('CSV exports keep the stored bytes', () => {
    const calls = run(['export', 'calls']);
    expect(calls.code, calls.stderr).toBe(0);
    const callRows = parse(calls.stdout, { columns: true }) as Record<string, string>[];
    expect(callRows.find((c) => c.lead_id === '1')).toMatchObject({ first_name: 'Ana\x1b]0;pwned\x07', company: 'Acme\x1b[2J\x1b[H Corp', notes: NOTE });
    const cleanup = run(['export', 'cleanup']);
    expect(cleanup.code, cleanup.stderr).toBe(0);
    const bo = (parse(cleanup.stdout, { columns: true }) as Record<string, string>[]).find((l) => l.callq_id === '2');
    expect(bo).toMatchObject({ first_name: 'Bo\x07b', title: 'CTO\x1b[5m', reason: 'do-not-call' });
  });

  it('next (the card a rep reads)', () => {
    const r = run(['next']);
    expectSafe(r);
    expect(r.stdout).toContain('Ana␛]0;pwned␇ Lee · VP␛[8m hidden␛[0m  #1');
    expect(r.stdout).toContain('Notes: call␈␈␈back <U+2066>iso<U+2069> <U+202E>exe.pdf <U+009B>31m');
    expect(r.stdout).toContain('rang␛]0;pwned␇ twice then␈␈ <U+202E>ok');
  });

  describe('the work screen', () => {
    let term: pty.IPty | undefined;
    let raw = '';
    let ended = false;
    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') console.log(raw.slice(-3000));
      term?.kill('SIGKILL');
    });

    /** Waits until `text` has been drawn since `from`; fails if the program ends first (the test's timeout bounds the wait). */
    async function drawn(text: string, from: number): Promise<number> {
      for (;;) {
        const at = raw.indexOf(text, from);
        if (at >= 0) return at + text.length;
        if (ended) throw new Error(`the program ended before '${text}' was drawn`);
        await new Promise((r) => setTimeout(r, 15));
      }
    }

    it('draws the card and the history with marks; none of the data’s sequences reaches the terminal', async () => {
      term = pty.spawn(process.execPath, [BIN, '--db', store.db, '--rep', 'ana', '--now', NOW, 'work'], {
        name: 'xterm-256color',
        cols: 80,
        rows: 40,
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LANG: 'C.UTF-8', TERM: 'xterm-256color', NO_COLOR: '1' },
      });
      term.onData((d) => (raw += d));
      const exited = new Promise<number>((done) => term!.onExit((e) => ((ended = true), done(e.exitCode))));
      let at = await drawn('outcome key ›', 0);
      for (const text of ['Ana␛]0;pwned␇ Lee · VP␛[8m hidden␛[0m', 'Acme␛[2J␛[H Corp', 'Notes: call␈␈␈back <U+2066>iso<U+2069>', 'rang␛]0;pwned␇ twice']) {
        expect(raw).toContain(text);
      }
      term.write('h');
      at = await drawn('any key', at);
      expect(raw).toContain('rang␛]0;pwned␇ twice then␈␈ <U+202E>ok');
      term.write(' ');
      at = await drawn('outcome key ›', at);
      term.write('Q');
      await drawn('Session:', at);
      expect(await exited).toBe(0);
      // The screen has its own escapes (clear, cursor, colours off); the data's are never among them.
      for (const sequence of ['\x1b]0;pwned', '\x07', '\x1b[8m', '\x1b[2J\x1b[H Corp', '\x08', '\x7f', '\u202e', '\u2066', '\u2069', '\u009b', '\u0085']) {
        expect(raw.includes(sequence), JSON.stringify(sequence)).toBe(false);
      }
    });
  });
});
