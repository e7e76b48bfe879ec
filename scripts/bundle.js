#!/usr/bin/env node
// Bundles the CLI into build/ for bin/callq.js. Why: Node's ESM loader spends ~15 ms resolving
// and linking ~40 small files on every start; one entry plus a few lazily loaded chunks keeps
// `callq next` close to bare `node` start-up. npm packages stay external (better-sqlite3 is
// native). tsc still type-checks and emits dist/ for the tests and benchmarks.
import { build } from 'esbuild';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
// Build beside the old bundle and swap it in whole, so a callq started meanwhile never finds
// a half-written build/.
const fresh = join(root, `.build-${process.pid}`);
const old = join(root, `.build-old-${process.pid}`);
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
try {
  renameSync(out, old);
} catch {
  // first build
}
renameSync(fresh, out);
rmSync(old, { recursive: true, force: true });
