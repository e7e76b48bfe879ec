// What `npm pack` ships: only what runs (bin, the current build, the man page).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';
// @ts-expect-error: a plain JS build script, without type declarations
import { prune, reachable } from '../../scripts/prune-build.js';

describe('npm pack', () => {
  it('lists bin, build, the man page and package.json, and neither dist/ nor data/', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const paths: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/callq.js', 'build/main.js', 'build/tz-data/tz-data.json', 'man/callq.1', 'package.json']));
    expect(paths.filter((p) => !/^(bin|build|man)\/|^(package\.json|README\.md)$/.test(p))).toEqual([]);
  });

  it('prunes build/ to the current chunks before packing', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.prepack).toMatch(/npm run build && node scripts\/prune-build\.js$/);
  });
});

describe('prune-build', () => {
  it('removes chunks the entry does not reach, and the pruned build still runs every kind of command', () => {
    const t = tempDir();
    try {
      // A copy of the installed layout: bin/, build/, package.json, and the dependencies.
      cpSync(join(ROOT, 'bin'), join(t.dir, 'bin'), { recursive: true });
      cpSync(join(ROOT, 'build'), join(t.dir, 'build'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(t.dir, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(t.dir, 'node_modules'));
      const build = join(t.dir, 'build');
      writeFileSync(join(build, 'chunk-OLDBUILD.js'), 'export const stale = 1;\n');
      writeFileSync(join(build, 'queue-OLDBUILD.js'), 'import "./chunk-OLDBUILD.js";\n');

      const removed: string[] = prune(build);
      expect(removed).toEqual(expect.arrayContaining(['chunk-OLDBUILD.js', 'queue-OLDBUILD.js']));
      const left = readdirSync(build).filter((f) => f.endsWith('.js'));
      expect(new Set(left)).toEqual(reachable(build));
      expect(readdirSync(join(build, 'tz-data'))).toEqual(['tz-data.json']);

      const db = join(t.dir, 'p.db');
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [join(t.dir, 'bin', 'callq.js'), '--db', db, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', CALLQ_REP: 'ana', NO_COLOR: '1', TZ: 'UTC' } });
      for (const args of [['init'], ['import', join(ROOT, 'data', 'sample-leads.csv'), '--list', 's'], ['queue', '--now', '2026-11-24T16:00:00Z'], ['report', 'funnel'], ['completion', 'bash'], ['--help']]) {
        const r = run(...args);
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
    } finally {
      t.cleanup();
    }
  });

  it('refuses a build whose entry imports a missing chunk', () => {
    const t = tempDir();
    try {
      mkdirSync(join(t.dir, 'b'));
      writeFileSync(join(t.dir, 'b', 'main.js'), 'const m = await import("./gone-ABC.js");\n');
      expect(() => reachable(join(t.dir, 'b'))).toThrow(/imports \.\/gone-ABC\.js, which is missing/);
    } finally {
      t.cleanup();
    }
  });
});
