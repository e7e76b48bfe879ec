#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its figures against its baseline).
// Takes several minutes: the benchmarks build databases of 1,000,000 leads.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const name of ['next', 'concurrency', 'import', 'import-under-load', 'export', 'maintain', 'report', 'pg-claims', 'next-store', 'counts']) {
  console.log(`\n=== bench/${name}.js`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
