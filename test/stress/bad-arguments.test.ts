// Bad flags and bad values on every command: exit 2 and a message naming what was wrong, never a
// crash (exit 1), a stack trace or a hang. The command list is read from `callq --help`, so a new
// command without cases here fails the suite. Store-independent (flags and values are checked
// before a store opens, or the same code checks them): on a SQLite file, but for the bad values
// that reach the data (an unknown lead or batch, a refused callback), run on PostgreSQL too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir } from '../helpers.js';
import { seedLeads, seedStore } from '../seed.js';
import { newTestStore, STORE_KINDS, type TestStore } from '../stores.js';
import { NOW, describeRun, run, type Run, pool } from './support.js';

let dir: string;
let cleanup: () => void;
let db: string;
let leadId: number;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('callq-args-'));
  db = join(dir, 'args.db');
  expect(callq(['--db', db, 'init']).code).toBe(0);
  [leadId] = seedLeads(db, [{ first_name: 'Avery', score: 90 }]);
  expect(callq(['--db', db, '--now', NOW, 'next', '--json']).code).toBe(0);
  // A sales-ready lead, so export sales-ready gets as far as its --out file.
  seedLeads(db, [{ first_name: 'Blake', status: 'sales-ready' }]);
  writeFileSync(join(dir, 'leads.csv'), 'First Name,Last Name,Company,Phone\nAna,Lee,Acme,(212) 734-5524\n');
  writeFileSync(join(dir, 'dnc.txt'), '+12127345599\n');
  writeFileSync(join(dir, 'not-a-db.db'), 'just some text, not SQLite\n');
  expect(callq(['--db', db, 'backup', join(dir, 'good-backup.db')]).code).toBe(0);
});
afterAll(() => cleanup());

/** Every command and subcommand `callq --help` lists, as argument vectors ('config set', 'export calls', ...). */
function commandsFrom(help: string): { name: string; usage: string }[] {
  const section = help.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return section
    .split('\n')
    .map((line) => line.match(/^ {2}(\S+)(.*?)(?: {2,}|$)/))
    .filter((m): m is RegExpMatchArray => m !== null && m[1] !== 'help')
    .map((m) => ({ name: m[1], usage: m[2].trim() }));
}

type Command = { path: string[]; usage: string; options: { flag: string; value: boolean }[] };

/** Every command with its usage and options, in `callq --help` order: the `--help` runs of a level at most three at a time. */
async function allCommands(): Promise<Command[]> {
  const helpOf = async (path: string[]) => {
    const help = await run([...path, '--help'], { timeoutMs: 20_000 });
    expect(help.code, describeRun(help)).toBe(0);
    return help.stdout;
  };
  const below = async (path: string[], help: string): Promise<Command[]> => {
    const subs = commandsFrom(help).map((sub) => [...path, sub.name]);
    const helps = await pool(subs, 3, helpOf);
    const found: Command[] = [];
    for (const [i, sub] of subs.entries()) {
      const usage = helps[i].match(/^Usage: callq (.*)$/m)?.[1] ?? '';
      // The command's own options: the global ones (listed after them) are tested once, below.
      const options = [...helps[i].split(/^Global Options:$/m)[0].matchAll(/^ {2}(?:-\w, )?(--[\w-]+)( <[^>]+>)?/gm)]
        .filter((m) => m[1] !== '--help' && m[1] !== '--version')
        .map((m) => ({ flag: m[1], value: Boolean(m[2]) }));
      found.push({ path: sub, usage, options }, ...(await below(sub, helps[i])));
    }
    return found;
  };
  return below([], await helpOf([]));
}

/** Valid positional arguments for each argument name in a usage line, so only the flag under test is wrong. */
function positionals(usage: string, unique: string): string[] {
  const filler: Record<string, string> = {
    lead: String(leadId ?? 1),
    disposition: 'no-answer',
    file: join(dir, 'leads.csv'),
    key: 'hours.end',
    value: '18:00',
    'values...': '+12127345598',
    batch: '1',
    report: 'funnel',
    shell: 'bash',
    'phone-or-email': `gone-${unique}@example.com`,
  };
  const out: string[] = [];
  const words = usage.split(' ').slice(1);
  for (const m of words.join(' ').matchAll(/<([^>]+)>/g)) {
    const name = m[1];
    if (usage.startsWith('backup')) out.push(join(dir, `backup-${unique}.db`));
    else if (usage.startsWith('restore')) out.push(join(dir, 'good-backup.db'));
    else if (usage.startsWith('dnc import')) out.push(join(dir, 'dnc.txt'));
    else out.push(filler[name] ?? 'x');
  }
  return out;
}

const base = () => ['--db', db, '--rep', 'ana', '--now', NOW];
const noCrash = (r: Run) => !r.timedOut && r.code !== 1 && r.code !== null && !/unexpected failure|\n\s+at .*:\d+:\d+/.test(r.stderr);

/**
 * Definitely wrong values, per command: each must exit 2 (or the code given) and the message must
 * name the value or the flag (the regex). Every command `callq --help` lists must have an entry.
 */
const BAD: Record<string, [string[], RegExp, number?][]> = {
  init: [[['init', 'extra'], /too many arguments/]],
  status: [[['status', 'extra'], /too many arguments/]],
  config: [[['config', 'frobnicate'], /unknown command 'frobnicate'/]],
  'config list': [[['config', 'list', 'extra'], /too many arguments/]],
  'config get': [[['config', 'get', 'no.such.key'], /unknown setting 'no.such.key'/]],
  'config set': [
    [['config', 'set', 'hours.end', '25:00'], /25:00/],
    [['config', 'set', 'max-attempts', '-3'], /-3/],
    [['config', 'set', 'lease', 'forever'], /forever/],
    [['config', 'set', 'hours.days', 'someday'], /someday/],
    [['config', 'set', 'hours.holidays', '12-25,2026-02-30'], /2026-02-30/],
    [['config', 'set', 'timezone.default', 'Mars/Olympus_Mons'], /Mars\/Olympus_Mons/],
    [['config', 'set', 'disposition.sent-info', 'teleport'], /teleport/],
  ],
  'config unset': [[['config', 'unset', 'no.such.key'], /no.such.key/]],
  next: [[['next', '--list'], /--list <name>' argument missing/], [['next', 'extra'], /too many arguments/]],
  queue: [[['queue', '--limit', 'abc'], /--limit 'abc'/], [['queue', '--limit', '-5'], /--limit '-5'/], [['queue', '--limit', '0'], /--limit '0'/]],
  work: [[['work'], /needs a terminal/], [['work', '--campaign'], /--campaign <name>' argument missing/]],
  why: [[['why', 'abc'], /invalid lead 'abc'/], [['why', '99999'], /unknown lead 99999/], [['why', '-1'], /-1/]],
  release: [[['release', 'abc'], /invalid lead 'abc'/], [['release', '1.5'], /1\.5/]],
  show: [[['show', 'abc'], /invalid lead 'abc'/], [['show', '99999'], /unknown lead 99999/]],
  log: [
    [['log', 'abc', 'no-answer'], /invalid lead 'abc'/],
    [['log', '1'], /missing required argument 'disposition'/],
    [['log', '1', 'teleported'], /unknown disposition 'teleported'/],
    [['log', '1', 'callback', '--at', 'whenever'], /whenever/],
    [['log', '1', 'nurture', '--until', 'someday'], /someday/],
    [['log', '1', 'no-answer', '--duration', 'long'], /long/],
    [['log', '1', 'disqualified', '--reason', 'moon-phase'], /moon-phase/],
    [['log', '1', 'qualified', '--answer', 'novalue'], /novalue/],
    [['log', '1', 'no-answer', '--at', 'tomorrow 10:00'], /--at is only for callbacks/],
    [['log', '1', 'callback', '--at', '2026-11-25T08:00:00Z'], /outside calling hours/],
  ],
  import: [
    [['import', 'MISSING_CSV'], /missing\.csv/],
    [['import', 'LEADS', '--on-duplicate', 'merge'], /merge/],
    [['import', 'LEADS', '--encoding', 'klingon'], /klingon/],
    [['import', 'LEADS', '--delimiter', '::'], /::/],
    [['import', 'LEADS', '--map', 'Phone'], /Phone/],
    [['import', 'LEADS', '--country', 'ZZ'], /ZZ/],
  ],
  'import undo': [[['import', 'undo', 'abc'], /abc/], [['import', 'undo', '999'], /999/]],
  imports: [[['imports', 'extra'], /too many arguments/]],
  maintain: [
    [['maintain', '--retention', '-1'], /--retention '-1'/],
    [['maintain', '--retention', 'forever'], /forever/],
    [['maintain', '--keep', '3'], /--keep needs --backup/],
    [['maintain', '--backup', 'BACKUPS', '--keep', 'lots'], /lots/],
  ],
  backup: [[['backup', 'GOOD_BACKUP'], /exists|--force/], [['backup'], /missing required argument/]],
  // A file that is not SQLite fails the backup's integrity check: exit 5, as the README says.
  restore: [[['restore', 'MISSING'], /no backup at/], [['restore', 'NOTADB', '--force'], /not-a-db\.db is not a backup: it is a text file/]],
  forget: [[['forget', '@example.com', '--yes'], /whole domain/], [['forget', 'nobody', '--yes'], /'nobody'/]],
  export: [[['export', 'everything'], /unknown command 'everything'/]],
  'export sales-ready': [
    [['export', 'sales-ready', '--profile', 'zoho'], /zoho/],
    [['export', 'sales-ready', '--batch', 'abc'], /--batch 'abc'/],
    [['export', 'sales-ready', '--batch', '999'], /999/],
    [['export', 'sales-ready', '--out', '/nonexistent-dir/x.csv'], /nonexistent-dir/],
    [['export', 'sales-ready', '--excel', '--json'], /--excel/],
  ],
  'export cleanup': [[['export', 'cleanup', '--since', 'yesteryear'], /yesteryear/], [['export', 'cleanup', '--until', 'someday'], /someday/]],
  'export nurture': [[['export', 'nurture', '--since', 'last spring'], /last spring/], [['export', 'nurture', '--until', '2026-02-30'], /2026-02-30/]],
  'export calls': [[['export', 'calls', '--since', 'garbage'], /garbage/], [['export', 'calls', '--until', '2026-13-45'], /2026-13-45/]],
  report: [
    [['report', 'horoscope'], /horoscope/],
    [['report', 'funnel', '--by', 'colour'], /colour/],
    [['report', 'reps', '--since', 'the dawn of time'], /the dawn of time/],
  ],
  dnc: [[['dnc', 'purge'], /unknown command 'purge'/]],
  'dnc add': [[['dnc', 'add', 'not-a-phone'], /not-a-phone/], [['dnc', 'add'], /missing required argument/]],
  'dnc remove': [[['dnc', 'remove', 'garbage'], /garbage/]],
  'dnc list': [[['dnc', 'list', '--kind', 'fax'], /fax/]],
  'dnc import': [[['dnc', 'import', 'MISSING'], /missing/i]],
  db: [[['db', 'frobnicate'], /unknown command 'frobnicate'/]],
  'db copy': [
    [['db', 'copy'], /needs --to TARGET/],
    [['db', 'copy', '--to', 'GOOD_BACKUP'], /good-backup\.db is not empty/],
    [['db', 'copy', '--to', 'postgres://callq@localhost/none?host=/nonexistent-dir'], /cannot copy into postgres:\/\/callq@localhost\/none/],
  ],
  completion: [[['completion', 'powershell'], /powershell/], [['completion'], /missing required argument 'shell'/]],
};

function resolve(args: string[]): string[] {
  const paths: Record<string, string> = {
    LEADS: join(dir, 'leads.csv'),
    MISSING: join(dir, 'missing.db'),
    MISSING_CSV: join(dir, 'missing.csv'),
    GOOD_BACKUP: join(dir, 'good-backup.db'),
    NOTADB: join(dir, 'not-a-db.db'),
    BACKUPS: join(dir, 'backups'),
  };
  return args.map((a) => paths[a] ?? a);
}

describe('every command', () => {
  // Read once (about fifty `--help` runs) and shared by the tests below, which only read it.
  let listed: Promise<Command[]> | undefined;
  const commands = () => (listed ??= allCommands());

  it('has bad-value cases here (read from callq --help)', async () => {
    const names = (await commands()).map((c) => c.path.join(' '));
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((n) => !(n in BAD))).toEqual([]);
  });

  it('an unknown flag exits 2 naming it; a missing option value exits 2', async () => {
    const cases = (await commands()).flatMap((c) => {
      const args = positionals(c.usage, c.path.join('-'));
      const list: { argv: string[]; expect: RegExp }[] = [{ argv: [...c.path, ...args, '--frobnicate'], expect: /unknown option '--frobnicate'/ }];
      const valued = c.options.find((o) => o.value);
      if (valued) list.push({ argv: [...c.path, ...args, valued.flag], expect: new RegExp(`'${valued.flag} <[^>]+>' argument missing`) });
      return list;
    });
    const results = await pool(cases, 3, (k) => run([...base(), ...k.argv], { timeoutMs: 20_000 }));
    const wrong = results
      .map((r, i) => ({ r, k: cases[i] }))
      .filter(({ r, k }) => r.code !== 2 || !k.expect.test(r.stderr) || !/--help/.test(r.stderr))
      .map(({ r, k }) => `callq ${k.argv.join(' ')}: ${describeRun(r)}`);
    expect(wrong).toEqual([]);
  }, 90_000);

  it('a bad value exits 2 with a message naming it', async () => {
    const cases = Object.entries(BAD).flatMap(([name, list]) => list.map(([argv, expected, code = 2]) => ({ name, argv: resolve(argv), expected, code })));
    const results = await pool(cases, 3, (k) => run([...base(), ...k.argv], { timeoutMs: 20_000, cwd: dir }));
    const wrong = results
      .map((r, i) => ({ r, k: cases[i] }))
      .filter(({ r, k }) => r.code !== k.code || !k.expected.test(r.stderr) || !noCrash(r))
      .map(({ r, k }) => `callq ${k.argv.join(' ')} (want ${k.expected}): ${describeRun(r)}`);
    expect(wrong).toEqual([]);
  }, 90_000);

  it('hostile values for every option never crash or hang (exit 0, 2, 3 or 4)', async () => {
    const hostile = ['', '-1', `\u202e${'9'.repeat(3000)}'";--`];
    const cases = (await commands()).flatMap((c, ci) =>
      c.options
        .filter((o) => o.value)
        .flatMap((o, oi) => hostile.map((v, vi) => [...c.path, ...positionals(c.usage, `${ci}-${oi}-${vi}`), o.flag, v])),
    );
    expect(cases.length).toBeGreaterThan(60);
    const results = await pool(cases, 3, (argv) => run([...base(), ...argv], { timeoutMs: 20_000, cwd: dir }));
    const wrong = results
      .map((r, i) => ({ r, argv: cases[i] }))
      .filter(({ r }) => !noCrash(r) || ![0, 2, 3, 4].includes(r.code!))
      .map(({ r, argv }) => `callq ${argv.join(' ').slice(0, 200)}: ${describeRun(r)}`);
    expect(wrong).toEqual([]);
    // A hang is caught per run (20 s); the whole takes a few hundred runs, so its own bound is generous.
  }, 600_000);

  it('bad global options exit 2 naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['--now', 'yesterday-ish', 'status'], /--now 'yesterday-ish'/],
      [['--now', '2026-02-30T10:00:00Z', 'status'], /2026-02-30/],
      [['--now', '2026-11-24T24:30:00Z', 'status'], /24:30/],
      [['--rep', '', 'status'], /rep/],
      [['--rep', 'a\tb', 'status'], /rep name/],
      [['--db', dir, 'status'], new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
      [['--db', join(dir, 'nowhere.db'), 'queue'], /no database at .*nowhere\.db/],
      [['--db', join(dir, 'not-a-db.db'), 'status'], /not-a-db\.db/],
      [['--frobnicate', 'status'], /unknown option '--frobnicate'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    const results = await pool(cases, 3, ([argv]) => run(argv, { timeoutMs: 20_000, cwd: dir }));
    const wrong = results
      .map((r, i) => ({ r, c: cases[i] }))
      .filter(({ r, c }) => !([2, 5].includes(r.code!) && c[1].test(r.stderr) && noCrash(r)))
      .map(({ r, c }) => `callq ${c[0].join(' ')}: ${describeRun(r)}`);
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe.runIf(STORE_KINDS.includes('postgres'))('bad values that reach the store, on PostgreSQL', () => {
  const REACH_STORE = ['why', 'show', 'release', 'log', 'import undo', 'export sales-ready', 'forget'];
  let store: TestStore;
  beforeAll(async () => {
    // The SQLite file's leads: lead 1 claimed by ana, a sales-ready lead.
    store = await newTestStore('postgres', { migrated: true });
    await seedStore(store, [{ first_name: 'Avery', score: 90 }]);
    expect(callq(['--db', store.db, '--now', NOW, 'next', '--json']).code).toBe(0);
    await seedStore(store, [{ first_name: 'Blake', status: 'sales-ready' }]);
  });
  afterAll(() => store.cleanup());

  it('exit 2 with the message SQLite gives', async () => {
    const cases = REACH_STORE.flatMap((name) => BAD[name].map(([argv, expected, code = 2]) => ({ argv: resolve(argv), expected, code })));
    const results = await pool(cases, 3, (k) => run(['--db', store.db, '--rep', 'ana', '--now', NOW, ...k.argv], { timeoutMs: 20_000, cwd: dir }));
    const wrong = results
      .map((r, i) => ({ r, k: cases[i] }))
      .filter(({ r, k }) => r.code !== k.code || !k.expected.test(r.stderr) || !noCrash(r))
      .map(({ r, k }) => `callq ${k.argv.join(' ')} (want ${k.expected}): ${describeRun(r)}`);
    expect(wrong).toEqual([]);
  }, 90_000);
});
