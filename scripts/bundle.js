#!/usr/bin/env node
// Bundles the CLI into build/ for bin/callq.js. Why: Node's ESM loader spends ~15 ms resolving
// and linking ~40 small files on every start. Two builds (docs/design.md, "Start-up of the rep's
// commands"):
//   - build/callq.cjs, where bin/callq.js starts: `next` and `log`, the commands a rep runs on
//     every call, in one CommonJS file with better-sqlite3's JavaScript (its native addon is loaded
//     from node_modules). CommonJS, because Node's ES module loader alone costs about a fifth of a
//     bare `node` start-up here. Anything else it hands to build/main.js. Of the stores it holds
//     the rep's operations only (the other groups are stubs that say so); the PostgreSQL store's
//     code runs, and `pg` is required, only for a postgres:// database.
//   - build/main.js, the full program: one ES module entry plus lazily loaded chunks. npm packages
//     stay external. chalk is an ES module only, so callq.cjs imports the colour module (style.ts)
//     from this build's chunk rather than bundling it.
// tsc still type-checks and emits dist/ for the tests and benchmarks.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
// Build into a fresh folder, then move its chunks into build/ and the entries last. Chunk names
// carry a content hash, so chunks a running callq loaded from an older build stay in place
// (reps keep working through an upgrade); each entry switches to the new build in one rename,
// main.js first, then callq.cjs, which may load it.
// A package must hold only the current chunks: `prepack` runs scripts/prune-build.js.
const fresh = join(root, `.build-${process.pid}`);
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** npm packages bundled into build/main.js's chunks rather than loaded from node_modules. */
const BUNDLED = ['libphonenumber-js', 'csv-parse'];
rmSync(fresh, { recursive: true, force: true });
const program = await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src', 'main.ts')],
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // npm packages stay external, but for the two an import leans on: libphonenumber-js (~100
  // small files) and csv-parse, bundled into the chunks that use them, cut a one-row import's
  // CPU by a fifth. (lead-view.ts requires libphonenumber-js/min at run time, from node_modules.)
  external: Object.keys(dependencies).filter((d) => !BUNDLED.includes(d)),
  metafile: true,
  logLevel: 'warning',
});
const chunkOf = (source) => {
  const found = Object.entries(program.metafile.outputs).find(([, o]) => o.entryPoint === source);
  if (!found) throw new Error(`no chunk for ${source} in the program build`);
  return `./${basename(found[0])}`;
};

/** The functions callq.cjs takes from each lazily loaded built-in (the build fails on any other). */
const LAZY_BUILTINS = { 'node:crypto': ['createHash', 'randomBytes'], 'node:os': ['userInfo', 'availableParallelism', 'homedir'] };
await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src', 'fast-main.ts')],
  outfile: join(fresh, 'callq.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // better-sqlite3's JavaScript is bundled; `bindings` is what it uses only when not told where its addon is.
  external: [...Object.keys(dependencies).filter((d) => d !== 'better-sqlite3'), 'bindings'],
  // Modules that read files beside themselves (open.ts, lead-view.ts) ask import.meta.url.
  define: { 'import.meta.url': '__callqModuleUrl' },
  banner: { js: `'use strict';\nconst __callqModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
  plugins: [
    {
      // Built-in modules only some runs use (a hash for a do-not-call entry, the OS user when no
      // --rep is given) load on first use: node:crypto alone costs ~5% of a bare start-up.
      name: 'lazy-builtins',
      setup(b) {
        b.onResolve({ filter: /^node:(crypto|os)$/ }, (args) =>
          args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-builtin' },
        );
        b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
          contents:
            `let m;\nconst load = () => (m ??= require(${JSON.stringify(args.path)}));\n` +
            LAZY_BUILTINS[args.path].map((name) => `export const ${name} = (...a) => load().${name}(...a);\n`).join(''),
          loader: 'js',
        }));
      },
    },
    {
      // next and log use only the store's `rep` group: the others, and what they load, stay out.
      name: 'rep-store-only',
      setup(b) {
        b.onResolve({ filter: /^\.\/(imports|exports|admin|tables)\.js$/ }, (args) => {
          const store = /[\\/]db[\\/]sqlite-store$/.test(args.resolveDir) ? 'sqlite' : /[\\/]db[\\/]pg[\\/]store$/.test(args.resolveDir) ? 'pg' : null;
          return store ? { path: `${store}:${args.path}`, namespace: 'rep-store-only' } : undefined;
        });
        b.onLoad({ filter: /.*/, namespace: 'rep-store-only' }, (args) => {
          const [, store, group] = args.path.match(/^(\w+):\.\/(\w+)\.js$/);
          const factory = `${store}${group[0].toUpperCase()}${group.slice(1)}`;
          return {
            contents:
              `export const ${factory} = () => new Proxy({}, { get(_, op) { ` +
              `throw new Error(\`the store's ${group} operations are not in callq.cjs (\${String(op)}); run through build/main.js\`); } });\n`,
            loader: 'js',
          };
        });
      },
    },
    {
      // node-postgres from one file, build/pg.cjs (below), required only for a postgres://
      // database: resolving and reading its thirty-odd files cost a `callq next` on PostgreSQL
      // about 30 ms, as much again as running them.
      name: 'pg-in-one-file',
      setup(b) {
        b.onResolve({ filter: /^pg$/ }, () => ({ path: './pg.cjs', external: true }));
      },
    },
    {
      name: 'program-chunks',
      setup(b) {
        b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: './main.js', external: true }));
        b.onResolve({ filter: /\/ui\/style\.js$/ }, () => ({ path: chunkOf('src/ui/style.ts'), external: true }));
      },
    },
  ],
  logLevel: 'warning',
});
// node-postgres and its dependencies in one CommonJS file for callq.cjs. pg-native (a different
// driver) and pg-cloudflare (Cloudflare Workers) are only required on request and stay out.
await build({
  absWorkingDir: root,
  stdin: { contents: "module.exports = require('pg');", resolveDir: root, sourcefile: 'pg-entry.cjs', loader: 'js' },
  outfile: join(fresh, 'pg.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['pg-native', 'pg-cloudflare'],
  plugins: [
    {
      // pg's crypto helpers load node:crypto as pg loads (~35 ms of a `callq next`), though only
      // a password exchange (SCRAM or MD5) calls them: they load on first use instead.
      name: 'pg-crypto-on-demand',
      setup(b) {
        // By its real path: esbuild resolves through symlinks (a linked node_modules, pnpm's store).
        const real = realpathSync(join(root, 'node_modules', 'pg', 'lib', 'crypto', 'utils.js'));
        const functions = Object.keys(createRequire(import.meta.url)(real));
        b.onResolve({ filter: /^\.\/(crypto\/)?utils$/ }, (args) =>
          join(args.resolveDir, `${args.path}.js`) === real ? { path: 'pg/lib/crypto/utils.js', namespace: 'pg-crypto-on-demand' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'pg-crypto-on-demand' }, () => ({
          contents:
            `let m;\nconst load = () => (m ??= require(${JSON.stringify(real)}));\n` +
            `module.exports = { ${functions.map((name) => `${name}: (...a) => load().${name}(...a)`).join(', ')} };\n`,
          resolveDir: dirname(real),
          loader: 'js',
        }));
      },
    },
  ],
  logLevel: 'warning',
});
// Data files read at run time relative to their module.
cpSync(join(root, 'src', 'io', 'tz-data'), join(fresh, 'tz-data'), { recursive: true });
mkdirSync(out, { recursive: true });
const entries = ['main.js', 'callq.cjs'];
for (const name of readdirSync(fresh)) {
  if (!entries.includes(name)) cpSync(join(fresh, name), join(out, name), { recursive: true });
}
for (const name of entries) renameSync(join(fresh, name), join(out, name));
rmSync(fresh, { recursive: true, force: true });
