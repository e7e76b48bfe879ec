// Lead lists from bench/gen-leads.js, written by the test process itself: the same bytes as
// `node bench/gen-leads.js ROWS FILE --seed SEED`, without starting a Node process per list.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.js';

interface Generator {
  header: string;
  row(): string;
}

const { createGenerator } = (await import(pathToFileURL(join(ROOT, 'bench', 'gen-leads.js')).href)) as {
  createGenerator(options: Record<string, unknown>): Generator;
};

/** gen-leads.js's options when only the seed is given (its parseArgs defaults). */
const DEFAULTS = { dupes: 0.01, bad: 0.005, columns: '9', now: '2026-11-23T12:00:00Z', label: false };

/** Writes `rows` generated leads to `file`, as `node bench/gen-leads.js rows file --seed seed` does. */
export function generateLeads(rows: number, file: string, seed: number | string): void {
  const g = createGenerator({ ...DEFAULTS, seed: String(seed) });
  const lines = [g.header];
  for (let i = 0; i < rows; i++) lines.push(g.row());
  writeFileSync(file, lines.join('\n') + '\n');
}
