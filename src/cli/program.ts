// Wires every command. Each action lazy-loads its module, so `callq next` loads only what it needs.
import { Command, Option } from 'commander';
import { resolveContext, type Context, type GlobalOptions } from './context.js';

type Runner = (ctx: Context, args: string[], opts: Record<string, unknown>) => Promise<void>;

/** An action that resolves the global options, then imports and runs the command module. */
function lazy(load: () => Promise<{ run: Runner }>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const opts = command.optsWithGlobals() as Record<string, unknown> & GlobalOptions;
    const ctx = resolveContext(opts);
    const args = received.slice(0, -2).flat() as string[];
    const { run } = await load();
    await run(ctx, args, command.opts());
  };
}

function examples(lines: string[]): string {
  return '\nExamples:\n' + lines.map((l) => `  $ ${l}`).join('\n') + '\n';
}

export function buildProgram(version: string): Command {
  const program = new Command('callq')
    .description('A teleprospecting call queue: import leads, call the next one inside calling hours, record outcomes, hand off sales-ready leads.')
    .version(version, '-V, --version')
    .option('--db <path>', 'database file (default: $CALLQ_DB, else ./callq.db)')
    .option('--rep <name>', 'rep name (default: $CALLQ_REP, else the OS user)')
    .option('--now <iso>', 'act as if it were this instant (ISO-8601), for what-if planning and tests')
    .option('--json', 'print stable JSON (NDJSON for streams) for scripts')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      examples([
        'callq import leads.csv --list q4-webinar --source webinar',
        'callq work                      # the rep screen: card, outcome, next card',
        'callq next --json               # claim the next lead (scripts)',
        "callq log 42 callback --at 'tomorrow 10:00' --note 'asked to call back'",
        'callq export sales-ready --out handoff.csv --profile salesforce',
        'callq maintain --backup /var/backups/callq --keep 14',
      ]) + '\nExit codes: 0 ok, 1 unexpected failure, 2 usage or input error, 3 nothing to do, 4 conflict (claimed by another rep, lease expired), 5 database integrity problem, 75 database busy: try again.\n',
    );

  program
    .command('init')
    .description('create the database (or migrate it to this version) and show where it is')
    .addHelpText('after', examples(['callq init', 'callq --db /srv/callq/team.db init']))
    .action(lazy(() => import('./init.js')));

  program
    .command('status')
    .description('database path, schema version, leads by status, active claims, queue size now')
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
  config.command('list').description('every setting, its value and whether it is the default').action(lazy(() => import('./config.js').then((m) => ({ run: m.list }))));
  config.command('get <key>').description('one setting').action(lazy(() => import('./config.js').then((m) => ({ run: m.get }))));
  config
    .command('set <key> <value>')
    .description('change a setting for the whole team (invalid values are refused)')
    .action(lazy(() => import('./config.js').then((m) => ({ run: m.set }))));
  config
    .command('unset <key>')
    .description('return a setting to its default (or remove a team-defined key)')
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
      .option('--skip', 'give back the lead you hold and claim the next one')
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
        "\nKeys are shown on screen ('?' explains them). Q or Ctrl-D quits (exit 0); Ctrl-C quits with exit 130.\n" +
        "The lead you hold goes back to the queue either way. Scripts use 'callq next --json' and 'callq log'.\n",
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
    .option('--encoding <name>', 'utf-8, utf-16le, utf-16be or windows-1252 (default: detected)')
    .option('--delimiter <char>', ", ; | or tab (default: detected, or Excel's sep= line)")
    .option('--on-duplicate <action>', 'skip (default) or update: merge the row into the lead it duplicates (never its status or history)')
    .option('--inbound', 'the leads arrived just now (speed-to-lead: they go to the front of the queue)')
    .option('--dry-run', 'report exactly what would happen, change nothing')
    .option('--rejects <file>', 'write rejected rows to this CSV with their line number and reason')
    .addHelpText(
      'after',
      examples([
        'callq import leads.csv --list q4-webinar --source webinar',
        'callq import vendor.csv --dry-run --rejects rejects.csv',
        "callq import export.csv --map 'Tel. privé=phone,Société=company' --country FR",
        'callq import crm.csv --on-duplicate update --json',
        'callq import form-fills.csv --inbound',
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
    .option('--backup <dir>', 'write a checked backup to DIR, named by date (callq-YYYY-MM-DDTHHMMSSZ.db)')
    .option('--keep <n>', 'with --backup: how many backups to keep in DIR (default 7)')
    .option('--retention <days>', 'purge personal data of leads closed this many days ago (default: the retention setting)')
    .option('--vacuum', 'rebuild the file afterwards (blocks writers while it runs: use when nobody works)')
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
    .addHelpText('after', examples(['callq backup before-import.db', 'callq backup /mnt/usb/callq.db --force']))
    .action(lazy(() => import('./backup.js').then((m) => ({ run: m.backup }))));

  program
    .command('restore <file>')
    .description('replace the database with a backup, after checking it (refused while anyone has the database open)')
    .option('--force', 'replace an existing database (every change since the backup is lost)')
    .addHelpText('after', examples(['callq restore /var/backups/callq/callq-2026-11-24T020000Z.db --force']))
    .action(lazy(() => import('./backup.js').then((m) => ({ run: m.restore }))));

  program
    .command('forget <phone-or-email>')
    .description("erase a person's leads, calls and notes for good, keeping only a hash so they are never called again")
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', examples(["callq forget '+1 415 555 0123'", 'callq forget ana@example.com --yes']))
    .action(lazy(() => import('./forget.js')));

  const exportCmd = program
    .command('export')
    .description('hand sales-ready leads to Sales, the clean-up list to Marketing, the call log to anyone (CSV or NDJSON)');
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
      .option('--since <date>', 'only leads closed on or after this date or ISO time'),
  )
    .addHelpText('after', examples(['callq export cleanup --out cleanup.csv', 'callq export cleanup --since 2026-11-01 --json > cleanup.ndjson']))
    .action(lazy(() => import('./export.js').then((m) => ({ run: m.cleanup }))));
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
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.add }))));
  dnc
    .command('remove <values...>')
    .description('take entries off the list (leads already do-not-call stay so)')
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.remove }))));
  dnc
    .command('list')
    .description('every entry (NDJSON with --json)')
    .option('--kind <kind>', 'only phone, email or domain entries')
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.list }))));
  dnc
    .command('import <file>')
    .description('add a list: one phone, email or @domain per line (first CSV column; a header is skipped)')
    .option('--reason <text>', 'why (kept with each entry)')
    .option('--source <text>', 'where the list came from (default: the file name)')
    .action(lazy(() => import('./dnc.js').then((m) => ({ run: m.importList }))));

  return program;
}

