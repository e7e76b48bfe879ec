import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that took longest in full runs (30 s or more of a worker's time each, the mean of
 * two runs), longest first. Vitest starts the files that took longest last time first, from its
 * cache; a fresh clone has no cache, and vitest then goes by file size, which can leave a long
 * file for the end while the other worker idles. Order only: no test depends on it.
 */
const SLOW_FIRST = [
  'test/stress/crash-mid-write.test.ts',
  'test/stress/hostile-csv.test.ts',
  'test/stress/bad-arguments.test.ts',
  'test/both/import.test.ts',
  'test/both/log.test.ts',
  'test/both/export-files.test.ts',
  'test/both/identity.test.ts',
  'test/both/queue.test.ts',
  'test/both/import-fixtures.test.ts',
  'test/both/export.test.ts',
  'test/both/report.test.ts',
  'test/cli/output-safety.test.ts',
  'test/stress/hostile-environment.test.ts',
  'test/both/import-parity.test.ts',
  'test/both/rep.test.ts',
  'test/both/dnc.test.ts',
  'test/cli/import-lock.test.ts',
  'test/pg/admin.test.ts',
  'test/cli/import-slices.test.ts',
  'test/stress/many-reps.test.ts',
  'test/both/admin.test.ts',
  'test/both/terminal-safety.test.ts',
];

class SlowFirstWithoutCache extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const key = (f: TestSpecification) => relative(this.ctx.config.root, f.moduleId);
    const cached = sorted.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${key(f)}`));
    if (cached) return sorted;
    const rank = (f: TestSpecification) => {
      const at = SLOW_FIRST.indexOf(key(f));
      return at === -1 ? SLOW_FIRST.length : at;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One throwaway PostgreSQL cluster per run for test/pg (skipped, with the reason, without PostgreSQL).
    globalSetup: ['test/pg/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One process per worker for all its files rather than a new one per file: the modules the
    // files share (libphonenumber, the time zones, better-sqlite3, the source) load once per
    // worker. The unit files (test/core, io, ui, db) take 16 s instead of 38 s. Each file still
    // gets its own module instance and temp folders; no test changes process-wide state for good.
    isolate: false,
    // Most tests wait on child processes (the built CLI) and on the PostgreSQL server, not on
    // their own CPU. Measured on two cores with half the tests on PostgreSQL: three workers ran the
    // whole suite in 579 s, two in 629–652 s, four in more than 600 s.
    maxWorkers: 3,
    sequence: { sequencer: SlowFirstWithoutCache },
  },
});
