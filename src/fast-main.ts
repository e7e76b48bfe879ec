// Where bin/callq.js starts. The rep's per-call commands, `next` and `log`, run from here, built
// into one CommonJS file (build/callq.cjs) with the database driver's JavaScript, so they start
// without the ES module loader, commander or the other commands; anything else loads the full
// program (main.ts). docs/design.md, "Start-up of the rep's commands", has the figures.
import { parseFastCommand, type FastCommand } from './cli/fast-next.js';
import { resolveContext } from './cli/context.js';
import { reportFailure, watchStdout } from './cli/failure.js';
import { EXIT } from './core/errors.js';
import { run as runNext } from './cli/next.js';
import { run as runLog } from './cli/log.js';

/** process.stdout, watched for write errors from its first use: Node creates the stream then (a few ms), and `callq log` may never write to it. */
let watched = false;
function stdout(): NodeJS.WriteStream {
  if (!watched) {
    watched = true;
    watchStdout();
  }
  return process.stdout;
}

async function runFast(fast: FastCommand, argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const ctx = resolveContext(fast.global);
    Object.defineProperty(ctx, 'stdout', { get: stdout });
    const run = fast.command === 'next' ? runNext : runLog;
    await run(ctx, fast.args, fast.opts);
    return EXIT.ok;
  } catch (err) {
    if (json) stdout();
    return reportFailure(err, json);
  }
}

const fast = parseFastCommand(process.argv.slice(2));
if (fast) {
  runFast(fast, process.argv).then((code) => {
    process.exitCode = code;
  });
} else {
  // The full program sets the exit code itself.
  void import('./main.js');
}
