// Where bin/callq.js starts. The rep's per-call commands, `next` and `log`, run from here, built
// into one CommonJS file (build/callq.cjs) with the database driver's JavaScript, so they start
// without the ES module loader, commander or the other commands; anything else loads the full
// program (main.ts). docs/design.md, "Start-up of the rep's commands", has the figures.
import { parseFastCommand, type FastCommand } from './cli/fast-next.js';
import { resolveContext } from './cli/context.js';
import { writeSync } from 'node:fs';
import { BROKEN_PIPE, reportFailure, watchStdout } from './cli/failure.js';
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

/**
 * For --json, where only write() is used: the document goes to fd 1 with writeSync, without
 * creating the stream (~6% of a bare start-up for a pipe). A full non-blocking pipe falls back
 * to the stream; a write error ends the process as watchStdout() does.
 */
const jsonOut = {
  write(text: string): boolean {
    let data = Buffer.from(text);
    try {
      while (data.length) data = data.subarray(writeSync(1, data));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return stdout().write(data);
      if (code !== 'EPIPE') process.stderr.write(`callq: cannot write the output: ${(err as Error).message}.\n`);
      process.exit(code === 'EPIPE' ? BROKEN_PIPE : EXIT.unexpected);
    }
    return true;
  },
};

async function runFast(fast: FastCommand, argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const ctx = resolveContext(fast.global);
    if (ctx.json) Object.defineProperty(ctx, 'stdout', { value: jsonOut });
    else Object.defineProperty(ctx, 'stdout', { get: stdout });
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
