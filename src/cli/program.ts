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
      ]) + '\nExit codes: 0 ok, 1 unexpected failure, 2 usage or input error, 3 nothing to do, 4 conflict, 5 database integrity problem.\n',
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

  return program;
}

export { Option };
