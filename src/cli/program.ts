// Wires every command. Each action lazy-loads its module, so `callq next` loads only what it needs.
import { Argument, Command, Option } from 'commander';
import { resolveContext, type Context, type GlobalOptions } from './context.js';
import type { OptionValues } from './args.js';

/** A command: it reads its options (commander's values) once, with its own parse function. */
type Runner = (ctx: Context, args: string[], values: OptionValues) => Promise<void>;

/** The options every command takes, before or after its name (see globalOptions()). */
const GLOBAL_OPTIONS: [flags: string, description: string][] = [
  ['--db <path>', 'database: a SQLite file, or a postgres:// URL (default: $CALLQ_DB, else ./callq.db)'],
  ['--rep <name>', 'rep name (default: $CALLQ_REP, else the OS user)'],
  ['--now <iso>', 'act as if it were this instant (ISO-8601), for what-if planning and tests'],
  ['--json', 'print stable JSON (NDJSON for streams) for scripts'],
  ['--no-color', 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces colour into a pipe)'],
];
const GLOBAL_KEYS = ['db', 'rep', 'now', 'json', 'color'] as const;

/**
 * The global options as given, whether before the command name or after it: a value given on
 * the command line wins over a default, the one nearest the command over one further out.
 */
function globalOptions(command: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) chain.push(c);
  const out: Record<string, unknown> = {};
  for (const key of GLOBAL_KEYS) {
    const given = chain.find((c) => c.getOptionValueSource(key) === 'cli');
    out[key] = (given ?? chain[chain.length - 1]).getOptionValue(key);
  }
  return out as GlobalOptions;
}

/** An action that resolves the global options, then imports and runs the command module. */
function lazy(load: () => Promise<{ run: Runner }>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const ctx = resolveContext(globalOptions(command));
    const args = received.slice(0, -2).flat() as string[];
    const { run } = await load();
    await run(ctx, args, command.opts());
  };
}

function examples(lines: string[]): string {
  return '\nExamples:\n' + lines.map((l) => `  $ ${l}`).join('\n') + '\n';
}

/** Every exit status callq uses (docs/setup.md, "Exit codes"), for `callq --help`, `callq help exit-codes` and the man page. */
export const EXIT_CODES: ReadonlyArray<{ code: number; short: string; meaning: string }> = [
  { code: 0, short: 'ok', meaning: 'ok. An import is ok even if every row was rejected or a duplicate.' },
  { code: 1, short: 'unexpected failure', meaning: 'unexpected failure: a bug (please report it with the command you ran), or the machine failed under callq, e.g. a full disk. The message says which.' },
  { code: 2, short: 'usage or input error', meaning: 'usage or input error: unknown command or flag, invalid value, bad CSV, unknown lead, no database. Nothing was changed.' },
  { code: 3, short: 'nothing to do', meaning: 'nothing to do: the queue is empty (the message says why and when it opens), no lead to hand off, no data rows.' },
  { code: 4, short: 'conflict', meaning: 'conflict: another rep holds the lead, or your claim expired or changed.' },
  { code: 5, short: 'database integrity problem', meaning: "database integrity problem: run 'callq maintain' for a check, or restore a backup." },
  { code: 75, short: 'database busy (try again)', meaning: 'database busy, try again: another process held the database longer than the busy timeout, or the PostgreSQL server could not be reached (EX_TEMPFAIL). Nothing was changed.' },
  { code: 130, short: 'interrupted', meaning: "interrupted: 'callq work' ended by Ctrl-C, a closed terminal or SIGTERM (the claim was given back)." },
  { code: 141, short: 'output closed', meaning: "the reader of stdout went away ('callq export cleanup | head'); an export marks nothing then." },
];

/** The environment variables callq reads, for `callq help environment` and the man page. */
export const ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string }> = [
  { name: 'CALLQ_DB', meaning: 'the database when --db is not given: a SQLite file, or a postgres:// URL a team shares (else ./callq.db).' },
  { name: 'CALLQ_REP', meaning: 'your rep name when --rep is not given (else your OS user name).' },
  { name: 'NO_COLOR', meaning: 'set and not empty: no colour, as --no-color. Wins over FORCE_COLOR.' },
  { name: 'FORCE_COLOR', meaning: "1, 2, 3 or set but empty: colour even into a pipe or file (1 basic, 2 256 colours, 3 true colour); 0: no colour." },
  { name: 'TERM', meaning: "dumb: no colour (unless FORCE_COLOR says otherwise). Without any of these, colour is on only when output is a terminal." },
  { name: 'TZ', meaning: "your time zone: times are shown in it, beside the lead's local time." },
  { name: 'LANG, LC_ALL, LC_CTYPE', meaning: "a locale without UTF-8 (LANG=C, or none, as under cron) draws tables' rules in ASCII." },
  {
    name: 'CALLQ_BUSY_TIMEOUT',
    meaning: 'how long a command waits for another writer before exit 75: milliseconds (5000) or a duration (10s, at most 1h). Wins over the busy-timeout setting; else 5 s.',
  },
  { name: 'CALLQ_PG_BIN', meaning: "PostgreSQL: the folder of pg_dump and pg_restore for backup and restore (else they are looked for on PATH and in PostgreSQL's usual folders)." },
  {
    name: 'PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE',
    meaning: 'PostgreSQL: what a postgres:// URL leaves out, as for psql. A password is better kept in ~/.pgpass (or the file PGPASSFILE names), mode 0600.',
  },
  { name: 'PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY', meaning: 'PostgreSQL: encryption and certificates when the URL names none, as psql reads them (docs/setup.md).' },
  {
    name: 'PGCONNECT_TIMEOUT',
    meaning: "PostgreSQL: seconds to wait for the server to let a command in (15 when unset; 0 waits as long as it takes); plus the busy timeout, also how long a rep's command waits for an answer.",
  },
];

/** `head` then `text` wrapped to 80 columns, the lines after the first indented under the text. */
function hanging(head: string, text: string): string {
  const lines: string[] = [];
  let line = head;
  for (const word of text.split(' ')) {
    if (line.length > head.length && line.length + 1 + word.length > 80) {
      lines.push(line);
      line = ' '.repeat(head.length) + word;
    } else line = line.length > head.length ? `${line} ${word}` : line + word;
  }
  return [...lines, line].join('\n');
}

/** Help topics: `callq help NAME` prints one. */
export const HELP_TOPICS: Readonly<Record<string, { summary: string; text: () => string }>> = {
  'exit-codes': {
    summary: 'what each exit status means',
    text: () => 'Exit codes:\n' + EXIT_CODES.map((e) => hanging(`  ${String(e.code).padStart(3)}  `, e.meaning)).join('\n') + '\n',
  },
  environment: {
    summary: 'the environment variables callq reads',
    // A name longer than the column goes on a line of its own, its meaning under it.
    text: () =>
      'Environment:\n' +
      ENVIRONMENT.map((e) => (e.name.length <= 12 ? hanging(`  ${e.name.padEnd(13)}`, e.meaning) : `  ${e.name}\n${hanging(' '.repeat(15), e.meaning)}`)).join('\n') +
      '\n',
  },
};

export function buildProgram(version: string): Command {
  const program = new Command('callq')
    .description('A teleprospecting call queue: import leads, call the next one inside calling hours, record outcomes, hand off sales-ready leads.')
    // Options are read positionally: the program's own before the command name, the command's
    // after it. Otherwise commander scans the whole line for the program's options, and an option
    // value such as --reason '-Verbal request' or --note --json is read as -V (the version) or
    // --json. The global options are added (hidden) to every command, so they still work anywhere.
    .enablePositionalOptions()
    .version(version, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      examples([
        'callq import leads.csv --list q4-webinar --source webinar',
        'callq work                      # the rep screen: card, outcome, next card',
        'callq next --json               # claim the next lead (scripts)',
        "callq log 42 callback --at 'tomorrow 10:00' --note 'asked to call back'",
        'callq export sales-ready --out handoff.csv --profile salesforce',
        'callq maintain --backup /var/backups/callq --keep 14',
      ]) +
        `\nExit codes: ${EXIT_CODES.map((e) => `${e.code} ${e.short}`).join(', ')}.\n` +
        `\nHelp topics: ${Object.keys(HELP_TOPICS).map((t) => `callq help ${t}`).join(', ')}. Shell completion: callq completion bash|zsh|fish.\n`,
    );

  program
    .command('init')
    .description("create the database (a SQLite file, or callq's tables in an existing PostgreSQL database) or migrate it, and show where it is")
    .addHelpText('after', examples(['callq init', 'callq --db /srv/callq/team.db init', 'callq --db postgres://callq@db.example.com/sales init']))
    .action(lazy(() => import('./init.js')));

  program
    .command('status')
    .description('the database in use (file or PostgreSQL, password hidden), schema version, leads by status, active claims, queue size now')
    .addHelpText('after', examples(['callq status', 'callq status --json', "callq status --now '2026-11-24T16:55-05:00'"]))
    .action(lazy(() => import('./status.js')));

  const config = program
    .command('config')
    .description("the team's shared settings: calling hours, retry delays, limits, weights, dispositions, reasons")
    .addHelpText(
      'after',
      examples([
        'callq config list',
        'callq config get hours.end',
        'callq config set hours.end 18:00',
        "callq config set hours.holidays '12-25,01-01,2026-11-26'",
        'callq config set weight.source.webinar 15',
        "callq config set disposition.sent-info 'nurture contact'",
      ]),
    );
  config
    .command('list')
    .description('every setting, its value and whether it is the default')
    .addHelpText('after', examples(['callq config list', 'callq config list --json']))
    .action(lazy(() => import('./config.js').then((m) => ({ run: m.list }))));
  config
    .command('get <key>')
    .description('one setting')
    .addHelpText('after', examples(['callq config get hours.end', 'callq config get reasons', 'callq config get max-attempts --json']))
    .action(lazy(() => import('./config.js').then((m) => ({ run: m.get }))));
  config
    .command('set <key> <value>')
    .description('change a setting for the whole team (invalid values are refused)')
    .addHelpText('after', examples(['callq config set hours.start 08:30', 'callq config set max-attempts 6', "callq config set reasons 'no-budget,competitor,wrong-person'"]))
    .action(lazy(() => import('./config.js').then((m) => ({ run: m.set }))));
  config
    .command('unset <key>')
    .description('return a setting to its default (or remove a team-defined key)')
    .addHelpText('after', examples(['callq config unset hours.end', 'callq config unset weight.source.webinar']))
    .action(lazy(() => import('./config.js').then((m) => ({ run: m.unset }))));

  const filterOptions = (cmd: Command) =>
    cmd
      .option('--list <name>', 'only leads of this list')
      .option('--campaign <name>', 'only leads of this campaign')
      .option('--source <name>', 'only leads from this source');

  filterOptions(
    program
      .command('next')
      .description('claim the best lead to call now and print its card (a rep holds one claim at a time)')
      .option('--skip', 'give back the lead you hold and claim another; only that lead is left out (earlier skips are not remembered: callq work does that)')
      .option('--explain', 'print every score term, its weight and the total'),
  )
    .addHelpText('after', examples(['callq next', 'callq next --skip', 'callq next --list q4-webinar --explain', 'callq next --json   # for scripts: lead, claim token, score']))
    .action(lazy(() => import('./next.js')));

  filterOptions(
    program
      .command('queue')
      .description('preview the order of the queue without claiming anything')
      .option('--limit <n>', 'how many leads to show', '20')
      .option('--explain', 'print each score term for every lead'),
  )
    .addHelpText('after', examples(['callq queue', 'callq queue --limit 5 --explain', "callq queue --now '2026-11-24T16:55-05:00'   # what-if"]))
    .action(lazy(() => import('./queue.js')));

  filterOptions(
    program
      .command('work')
      .description("the rep's screen: claim, card, one-key outcome, follow-up questions, next card (needs a terminal)"),
  )
    .addHelpText(
      'after',
      examples(['callq work', 'callq work --list q4-webinar', 'callq --rep ana work --campaign spring']) +
        "\nKeys are shown on screen ('?' explains them). Q or Ctrl-D quits (exit 0); Ctrl-C or closing the terminal\n" +
        "quits with exit 130. The lead you hold goes back to the queue either way. Scripts use 'callq next --json'\n" +
        "and 'callq log'.\n",
    )
    .action(lazy(() => import('./work.js')));

  program
    .command('why <lead>')
    .description('why a lead is or is not callable now, and when it will be')
    .addHelpText('after', examples(['callq why 42', 'callq why 42 --json']))
    .action(lazy(() => import('./why.js')));

  program
    .command('release [lead]')
    .description('give back your claim (on LEAD, or whatever you hold) so the lead returns to the queue')
    .addHelpText('after', examples(['callq release', 'callq release 42']))
    .action(lazy(() => import('./release.js')));

  program
    .command('show <lead>')
    .description("a lead's card and full call history")
    .addHelpText('after', examples(['callq show 42', 'callq show 42 --json']))
    .action(lazy(() => import('./show.js')));

  program
    .command('log <lead> <disposition>')
    .description('record the outcome of a call (releases your claim)')
    .option('--note <text>', 'what happened; for qualified: the hand-off note for Sales')
    .option('--at <when>', "callback time, in the lead's local time: 'tomorrow 10:00', 'in 2h', 'mon 9:30', ISO")
    .option('--until <date>', "nurture until: '2027-02-01', 'in 3 months', 'next month'")
    .option('--reason <code>', 'disqualification reason (see callq config get reasons)')
    .option('--need <text>', 'qualification: the need')
    .option('--timeframe <text>', 'qualification: the timeframe')
    .option('--authority <text>', 'qualification: who decides')
    .option('--budget <text>', 'qualification: the budget')
    .option('--answer <key=value...>', 'other qualification answers the team requires')
    .option('--duration <length>', "talk time: '3m20s', '90s', '1:30'")
    .option('--force', 'record a call made outside the queue (only when no one else holds the lead)')
    .option('--token <token>', 'the claim token from callq next --json (refuses if the claim changed)')
    .addHelpText(
      'after',
      examples([
        "callq log 42 no-answer",
        "callq log 42 callback --at 'tomorrow 10:00' --note 'in a meeting'",
        "callq log 42 nurture --until 'in 3 months' --note 'budget opens in Q2'",
        'callq log 42 disqualified --reason no-budget',
        "callq log 42 qualified --need 'call tracking' --timeframe Q1 --authority 'VP Sales' --note 'wants a demo'",
        'callq log 42 do-not-call',
      ]) + '\nDispositions: no-answer, busy, voicemail, gatekeeper, bad-number, callback, nurture, not-interested, disqualified, do-not-call, qualified (and any the team adds).\n',
    )
    .action(lazy(() => import('./log.js')));

  const importCmd = program
    .command('import')
    .argument('<file>', 'the CSV file (or tab/semicolon/pipe-separated text)')
    .description('import a lead list from a CSV file: one transaction, duplicates and do-not-call entries skipped, rejects reported')
    .option('--list <name>', 'the list every row belongs to')
    .option('--source <source>', 'lead source for rows whose Lead Source column is blank or missing')
    .option('--campaign <campaign>', 'campaign for rows whose Campaign column is blank or missing')
    .option('--map <pairs>', "column mapping overrides: 'Header=field,Other Header=field' (field custom or ignore allowed)")
    .option('--country <code>', 'country for phone numbers without a country code when a row has no Country (default: setting country.default)')
    .option('--encoding <name>', 'any TextDecoder encoding: utf-8, windows-1252 (latin1), iso-8859-2, shift_jis, … (default: detected)')
    .option('--delimiter <char>', ", ; | or tab (default: detected, or Excel's sep= line)")
    .option('--on-duplicate <action>', 'skip (default) or update: merge the row into the lead it duplicates (never its status or history)')
    .option('--id-system <name>', "the system the id column's ids come from (hubspot, salesforce, …): ids join only leads with ids from it")
    .option('--inbound', 'the leads arrived just now (speed-to-lead: they go to the front of the queue)')
    .option('--dry-run', 'report exactly what would happen, change nothing')
    .option('--lock <mode>', 'auto (default): whole while nobody works, else slices; whole: one transaction, fastest, others wait; slices: short write slices reps work between')
    .option('--rejects <file>', "write rejected rows to this CSV with their line number and reason ('-': stdout)")
    .option('--raw', "with --rejects: do not neutralise cells a spreadsheet would run as formulas (= + - @ ...: a leading ')")
    .addHelpText(
      'after',
      examples([
        'callq import leads.csv --list q4-webinar --source webinar',
        'callq import vendor.csv --dry-run --rejects rejects.csv',
        "callq import export.csv --map 'Tel. privé=phone,Société=company' --country FR",
        'callq import crm.csv --on-duplicate update --json',
        'callq import form-fills.csv --inbound',
        'callq import big-list.csv --lock whole',
        'callq import undo 7',
      ]) + '\nExit codes: 0 imported (even if every row was rejected or a duplicate), 2 unreadable or broken file (nothing imported), 3 no data rows, 75 the database stayed busy past busy-timeout (try again). A second import waits for the first.\n',
    )
    .action(lazy(() => import('./import.js')));
  importCmd
    .command('undo <batch>')
    .description('remove the leads an import batch created (leads it only updated are kept); refused if any was called, unless --force')
    .option('--force', 'remove them even if they have been called (their call history goes too)')
    .addHelpText('after', examples(['callq imports', 'callq import undo 7', 'callq import undo 7 --force']))
    .action(lazy(() => import('./imports.js').then((m) => ({ run: m.undo }))));

  program
    .command('imports')
    .description('list import batches: file, time, rep, counts, state (running, publishing, interrupted, failed, undone)')
    .addHelpText('after', examples(['callq imports', 'callq imports --json']))
    .action(lazy(() => import('./imports.js').then((m) => ({ run: m.list }))));

  program
    .command('maintain')
    .description('nightly clean-up, check and backup, safe while reps work: expire claims, exhaust, return nurture, purge, checkpoint, optimize')
    .option('--dry-run', 'count what each step would change, change nothing')
    .option('--backup <dir>', 'write a checked backup to DIR, named by date (callq-YYYY-MM-DDTHHMMSSZ.db, or .dump from PostgreSQL)')
    .option('--keep <n>', 'with --backup: how many backups to keep in DIR (default 7)')
    .option('--retention <days>', 'purge personal data of leads closed this many days ago (default: the retention setting)')
    .option('--vacuum', 'rebuild the file (PostgreSQL: VACUUM FULL the tables) afterwards; blocks writers while it runs: use when nobody works')
    .addHelpText(
      'after',
      examples([
        'callq maintain --dry-run',
        'callq maintain --backup /var/backups/callq --keep 14',
        'callq maintain --json --backup /var/backups/callq --keep 14   # for cron and monitoring',
        'callq maintain --vacuum   # e.g. on Sundays',
      ]) + '\nExit codes: 0 done, 2 bad flag or no database, 75 database busy too long (try again), 5 integrity check failed (restore a backup).\n',
    )
    .action(lazy(() => import('./maintain.js')));

  program
    .command('backup <file>')
    .description('write a consistent, checked copy of the database to FILE (safe while reps work)')
    .option('--force', 'replace FILE if it exists')
    .addHelpText('after', examples(['callq backup before-import.db', 'callq backup /mnt/usb/callq.db --force', 'callq --db postgres://callq@db.internal/team backup team.dump   # pg_dump archive']))
    .action(lazy(() => import('./backup.js').then((m) => ({ run: m.backup }))));

  program
    .command('restore <file>')
    .description('replace the database with a backup, after checking it (refused while anyone has the database open)')
    .option('--force', 'replace an existing database (every change since the backup is lost)')
    .addHelpText('after', examples(['callq restore /var/backups/callq/callq-2026-11-24T020000Z.db --force', 'callq --db postgres://callq@db.internal/team restore team.dump --force']))
    .action(lazy(() => import('./backup.js').then((m) => ({ run: m.restore }))));

  program
    .command('db')
    .description('the database as a whole: copy it to another store (a new file, or PostgreSQL)')
    .addHelpText('after', examples(["callq db copy --to 'postgres://callq@db.example.com/sales'"]))
    .command('copy')
    .description('copy every table into a new file or an empty PostgreSQL database, in one transaction, row counts checked')
    .option('--to <target>', 'a new database file, or the postgres:// URL of a database without leads')
    .addHelpText(
      'after',
      examples([
        "callq db copy --to 'postgres://callq@db.example.com/sales'   # move the team to PostgreSQL",
        "callq --db 'postgres://callq@db.example.com/sales' db copy --to callq-copy.db --json",
      ]) + '\nExit codes: 0 copied, 2 bad target (not empty, the source itself, unreachable), 5 counts differ (nothing committed).\n',
    )
    .action(lazy(() => import('./db-copy.js')));

  program
    .command('forget <phone-or-email>')
    .description("erase a person's leads, calls and notes for good, keeping only a hash so they are never called again")
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--everyone', 'a phone number several people share (colleagues at a main number): erase them all')
    .addHelpText('after', examples(["callq forget '+1 415 555 0123'", 'callq forget ana@example.com --yes']))
    .action(lazy(() => import('./forget.js')));

  const exportCmd = program
    .command('export')
    .description('hand sales-ready leads to Sales, the clean-up and nurture lists to Marketing, the call log to anyone (CSV or NDJSON)')
    .addHelpText(
      'after',
      examples([
        'callq export sales-ready --out handoff.csv --profile salesforce',
        'callq export cleanup --since 2026-11-01 --out cleanup.csv',
        'callq export calls --since 2026-11-01 --json > calls.ndjson',
      ]),
    );
  const fileOptions = (cmd: Command) =>
    cmd
      .option('--out <file>', 'write this file atomically (default: stdout)')
      .option('--excel', 'start the CSV with a UTF-8 byte-order mark, so Excel reads accents right')
      .option('--raw', "do not neutralise cells a spreadsheet would run as formulas (= + - @ ...: a leading ')");
  fileOptions(
    exportCmd
      .command('sales-ready')
      .description('leads qualified and not yet handed off, marked handed-off in one batch once the file is complete')
      .addOption(new Option('--profile <name>', 'column names and status values for the CRM import').choices(['default', 'salesforce', 'hubspot']))
      .option('--all', 'every sales-ready or handed-off lead (only the not-yet-handed-off ones are marked)')
      .option('--batch <id>', 'export a past hand-off batch again: same rows, same order, nothing marked')
      .option('--no-mark', 'write the file but mark nothing (a preview)'),
  )
    .addHelpText(
      'after',
      examples([
        'callq export sales-ready --out handoff.csv --profile salesforce',
        'callq export sales-ready --profile hubspot --excel --out hubspot.csv',
        'callq export sales-ready --no-mark | less        # preview',
        'callq export sales-ready --batch 12 --out again.csv',
      ]) + '\nExit code 3 (nothing written) when no lead is waiting to be handed off.\n',
    )
    .action(lazy(() => import('./export.js').then((m) => ({ run: m.salesReady }))));
  fileOptions(
    exportCmd
      .command('cleanup')
      .description("for Marketing's database: every disqualified, do-not-call and exhausted lead, with reason and date")
      .option('--since <date>', 'only leads closed on or after this date or ISO time')
      .option('--until <date>', 'only leads closed before this date or ISO time'),
  )
    .addHelpText('after', examples(['callq export cleanup --out cleanup.csv', 'callq export cleanup --since 2026-11-01 --json > cleanup.ndjson', 'callq export cleanup --since yesterday --until today --out daily.csv   # a cron job: yesterday\'s, once']))
    .action(lazy(() => import('./export.js').then((m) => ({ run: m.cleanup }))));
  fileOptions(
    exportCmd
      .command('nurture')
      .description("for Marketing's nurture campaigns: every lead interested later, until when, and the rep's note")
      .option('--since <date>', 'only leads nurtured on or after this date or ISO time')
      .option('--until <date>', 'only leads nurtured before this date or ISO time'),
  )
    .addHelpText('after', examples(['callq export nurture --excel --out nurture.csv', 'callq export nurture --since 7d --json > nurture.ndjson']))
    .action(lazy(() => import('./export.js').then((m) => ({ run: m.nurture }))));
  fileOptions(
    exportCmd
      .command('calls')
      .description("the call log with each lead's name, company and phone, oldest first")
      .option('--since <date>', 'calls on or after this date or ISO time')
      .option('--until <date>', 'calls before this date or ISO time'),
  )
    .addHelpText('after', examples(['callq export calls --since 2026-11-01 --until 2026-12-01 --out november.csv']))
    .action(lazy(() => import('./export.js').then((m) => ({ run: m.calls }))));

  program
    .command('report <report>')
    .description('what the calls say: funnel (by source), reasons (why leads were lost), reps (activity), hours (when to call)')
    .option('--by <field>', 'group leads by source, campaign or list (funnel, reasons; default source)')
    .option('--since <when>', "from this day or time: 'today', 'yesterday', '7d' (7×24h ago), 2026-11-01, or an ISO time")
    .option('--until <when>', 'before this day or time (same forms)')
    .option('--csv', 'plain CSV on stdout for spreadsheets')
    .addHelpText(
      'after',
      examples([
        'callq report funnel                       # leads → attempted → contacted → sales-ready, by source',
        'callq report funnel --by campaign --since 2026-10-01',
        'callq report reasons --csv > lost-by-source.csv',
        'callq report reps --since today',
        'callq report hours --since 30d --json',
      ]) + '\nfunnel and reasons take leads created in the period; reps and hours take calls made in it.\n',
    )
    .action(lazy(() => import('./report.js')));

  const dnc = program
    .command('dnc')
    .description('the do-not-call list: phones, emails and @domains that are never called')
    .addHelpText(
      'after',
      examples([
        "callq dnc add '(212) 555-0142' pat@example.com --reason 'asked on call'",
        'callq dnc add @competitor.com',
        'callq dnc import state-dnc.csv --source state-list',
        'callq dnc list --json',
        'callq dnc remove +12125550142',
      ]),
    );
  dnc
    .command('add <values...>')
    .description('add phones, emails or @domains; matching leads move to do-not-call at once')
    .option('--reason <text>', 'why (kept with the entry)')
    .option('--source <text>', 'where the request came from')
    .addHelpText('after', examples(["callq dnc add '(212) 555-0142' --reason 'asked on call'", 'callq dnc add pat@example.com @competitor.com --source legal']))
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.add }))));
  dnc
    .command('remove <values...>')
    .description('take entries off the list (leads already do-not-call stay so)')
    .addHelpText('after', examples(['callq dnc remove +12125550142', 'callq dnc remove @competitor.com pat@example.com']))
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.remove }))));
  dnc
    .command('list')
    .description('every entry (NDJSON with --json)')
    .option('--kind <kind>', 'only phone, email or domain entries')
    .addHelpText('after', examples(['callq dnc list', 'callq dnc list --kind domain', 'callq dnc list --json > dnc.ndjson']))
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.list }))));
  dnc
    .command('import <file>')
    .description('add a list: one phone, email or @domain per line (first CSV column; a header is skipped)')
    .option('--reason <text>', 'why (kept with each entry)')
    .option('--source <text>', 'where the list came from (default: the file name)')
    .addHelpText('after', examples(['callq dnc import state-dnc.csv --source state-list', "callq dnc import opt-outs.txt --reason 'web form opt-out'"]))
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.importList }))));

  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(COMPLETION_SHELLS))
    .description('print a completion script for commands, subcommands, options and values, to load in your shell')
    .addHelpText(
      'after',
      examples([
        'source <(callq completion bash)                              # this bash session; add it to ~/.bashrc to keep it',
        'callq completion bash > ~/.local/share/bash-completion/completions/callq',
        'callq completion zsh > "${fpath[1]}/_callq"                   # then: autoload -U compinit && compinit',
        'callq completion fish > ~/.config/fish/completions/callq.fish',
      ]),
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell as (typeof COMPLETION_SHELLS)[number], program));
    });

  // `callq help dnc add`: commander's own help command reads only the first name.
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('display help for command')
    .action((names: string[]) => showHelp(program, names));

  // Topics are hidden commands whose help is the topic's text: `callq help exit-codes`.
  for (const [name, topic] of Object.entries(HELP_TOPICS)) {
    program
      .command(name, { hidden: true })
      .description(topic.summary)
      .configureHelp({ formatHelp: () => topic.text() })
      .action(() => void process.stdout.write(topic.text()));
  }

  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  addGlobalOptions(program.commands);
  return program;
}

/** Prints the help of the command `names` leads to (the program's without names); an unknown name is a usage error. */
function showHelp(program: Command, names: readonly string[]): never {
  let cmd: Command = program;
  for (const [i, name] of names.entries()) {
    const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub) cmd.error(`error: unknown command '${names.slice(0, i + 1).join(' ')}'`, { code: 'commander.unknownCommand' });
    cmd = sub;
  }
  return cmd.help();
}

/** Every command (and subcommand) also takes the global options after its name, unlisted in its help. */
function addGlobalOptions(commands: readonly Command[]): void {
  for (const cmd of commands) {
    if (cmd.name() === 'help') continue;
    for (const [flags, description] of GLOBAL_OPTIONS) cmd.addOption(new Option(flags, description).hideHelp());
    addGlobalOptions(cmd.commands);
  }
}

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

