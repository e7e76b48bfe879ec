#!/usr/bin/env node
// Removes from build/ every chunk the current entry (build/main.js) cannot reach. bundle.js keeps
// older hashed chunks on purpose, so a callq started before an upgrade can still load them; a
// package, though, must ship only the current build's chunks. Run by `prepack`.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// esbuild writes relative imports as `from "./chunk-X.js"`, `import("./x.js")` and bare `import "./x.js"`.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.\/[^"']+\.js)["']/g;

/** The .js files of `dir` reachable from `entry` through relative imports. */
export function reachable(dir, entry = 'main.js') {
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = m[1].slice(2);
      if (!existsSync(join(dir, target))) throw new Error(`${name} imports ./${target}, which is missing from ${dir}: rebuild (npm run build).`);
      queue.push(target);
    }
  }
  return seen;
}

/** Deletes the .js files of `dir` the entry does not reach; data folders (tz-data) stay. Returns what it removed. */
export function prune(dir) {
  const keep = reachable(dir);
  const removed = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js') || keep.has(name) || statSync(join(dir, name)).isDirectory()) continue;
    rmSync(join(dir, name));
    removed.push(name);
  }
  return removed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'build');
  const removed = prune(dir);
  process.stderr.write(`build/: ${reachable(dir).size} chunks in use, ${removed.length} older ones removed\n`);
}
