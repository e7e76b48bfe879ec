#!/usr/bin/env node
// Bundles the CLI into build/ for bin/callq.js. Why: Node's ESM loader spends ~15 ms resolving
// and linking ~40 small files on every start; one entry plus a few lazily loaded chunks keeps
// `callq next` close to bare `node` start-up. npm packages stay external (better-sqlite3 is
// native). tsc still type-checks and emits dist/ for the tests and benchmarks.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
// Build into a fresh folder, then move its chunks into build/ and the entry last. Chunk names
// carry a content hash, so chunks a running callq loaded from an older build stay in place
// (reps keep working through an upgrade); the entry switches to the new build in one rename.
// A package must hold only the current chunks: `prepack` runs scripts/prune-build.js.
const fresh = join(root, `.build-${process.pid}`);
rmSync(fresh, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
// Data files read at run time relative to their module.
cpSync(join(root, 'src', 'io', 'tz-data'), join(fresh, 'tz-data'), { recursive: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(fresh)) {
  if (name !== 'main.js') cpSync(join(fresh, name), join(out, name), { recursive: true });
}
renameSync(join(fresh, 'main.js'), join(out, 'main.js'));
rmSync(fresh, { recursive: true, force: true });
