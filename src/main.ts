// The full program: every command through commander. bin/callq.js starts in fast-main.ts, which
// serves `next` and `log` itself and loads this for anything else. The entry points are the only
// places that turn errors into exit codes.
import { readFileSync } from 'node:fs';
import { EXIT } from './core/errors.js';
import { reportFailure, watchStdout } from './cli/failure.js';

async function main(argv: string[]): Promise<number> {
  try {
    const { buildProgram } = await import('./cli/program.js');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    await buildProgram(version).parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(err, argv.includes('--json'));
  }
}

watchStdout();
process.exitCode = await main(process.argv);
