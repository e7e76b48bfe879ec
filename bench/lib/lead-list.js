// The generated lead list the import benchmarks read (bench/gen-leads.js: 9 columns, 1%
// duplicates, 0.5% bad rows), made once in bench/out/ (again with REGENERATE=1), with what the
// generator says an importer should report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The list of `rows` rows: its path and the counts an importer should report. */
export function leadList(rows, out = join(root, 'bench', 'out')) {
  const csv = join(out, `import-${rows}.csv`);
  const expectFile = `${csv}.expect.json`;
  if (!existsSync(csv) || !existsSync(expectFile) || process.env.REGENERATE) {
    const gen = spawnSync(process.execPath, [join(root, 'bench', 'gen-leads.js'), String(rows), csv], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`gen-leads failed: ${gen.stderr}`);
    writeFileSync(expectFile, gen.stderr.trim().split('\n').pop());
  }
  return { csv, expected: JSON.parse(readFileSync(expectFile, 'utf8')).expect };
}
