// What a rep's commands load on PostgreSQL: `callq next` and `callq log` run once per call, so
// their start-up is the queue's latency (docs/design.md, "Start-up of the rep's commands").
// node:crypto alone costs a tenth of a bare Node start-up; on PostgreSQL neither command loads it
// (the claim token is made by the server, prepared statements are named by a plain hash, and
// node-postgres's crypto helpers load only for a password exchange).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York

describe.skipIf(pgInfo.unavailable)("a rep's commands on PostgreSQL", () => {
  let db: TestDatabase;
  let dir: string;
  let cleanup: () => void;
  let preload: string;
  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    ({ dir, cleanup } = tempDir());
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'Name,Phone\nAna Lee,+1 212 555 0100\nBo Chen,+1 212 555 0101\n');
    const imported = callq(['--db', db.url, '--now', NOW, 'import', csv]);
    expect(imported.code, imported.stderr).toBe(0);
    // Reports, as the process exits, how many times Node loaded its crypto module.
    preload = join(dir, 'count-crypto.cjs');
    writeFileSync(preload, `process.on('exit', () => process.stderr.write('crypto loads: ' + process.moduleLoadList.filter((m) => m === 'NativeModule crypto').length + '\\n'));\n`);
  });
  afterAll(async () => {
    cleanup?.();
    await db?.drop();
  });

  const run = (args: string[]) => callq(['--db', db.url, '--rep', 'ana', '--now', NOW, ...args], { env: { NODE_OPTIONS: `--require ${preload}` } });

  it('loads no crypto module to claim a lead, show it held, or log the call', () => {
    // The preload itself counts: a command that does load crypto is reported as such.
    const control = callq(['--db', db.url, 'config', 'list'], { env: { NODE_OPTIONS: `--require ${preload} --require node:crypto` } });
    expect(control.stderr).toContain('crypto loads: 1');
    const fresh = run(['next']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('Ana Lee');
    expect(fresh.stderr).toContain('crypto loads: 0');
    const held = run(['next']);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toContain('crypto loads: 0');
    const logged = run(['log', '1', 'no-answer']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(logged.stderr).toContain('crypto loads: 0');
  });
});
