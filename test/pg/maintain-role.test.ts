// `callq maintain` run by a role that may read and write callq's rows but does not own its
// tables (a team's rep role): PostgreSQL lets only the owner VACUUM and ANALYZE, and skips the
// tables for anyone else with a mere warning. maintain says the step was skipped, never that it
// ran (src/db/pg/maintenance.ts; docs/operations.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callq, json } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';

const NOW = '2026-11-24T15:00:00Z';
const ROLE = `callq_rep_${process.pid}`;

interface Report {
  optimized: boolean;
  vacuumed: boolean;
  steps: { name: string; detail?: string }[];
}

describe.skipIf(pgInfo.unavailable)('maintain by a role that does not own the tables', () => {
  let db: TestDatabase;
  let admin: PgClient;
  const url = (user: string) => db.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${user}@`);

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    admin = await db.connect();
    await admin.query(`CREATE ROLE ${ROLE} LOGIN`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ROLE}`);
    await admin.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${ROLE}`);
  });
  afterAll(async () => {
    // Its grants are in this database only: revoked here, then the role can go.
    await admin?.query(`DROP OWNED BY ${ROLE}; DROP ROLE ${ROLE}`);
    await admin?.end();
    await db?.drop();
  });

  it('reports optimize and vacuum as skipped, not done; the owner runs both', () => {
    const rep = callq(['--db', url(ROLE), '--now', NOW, 'maintain', '--vacuum', '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    const report = json<Report>(rep);
    expect(report.optimized).toBe(false);
    expect(report.vacuumed).toBe(false);
    for (const name of ['optimize', 'vacuum']) {
      expect(report.steps.find((s) => s.name === name)?.detail).toMatch(/^skipped: only the tables' owner/);
    }
    const text = callq(['--db', url(ROLE), '--now', NOW, 'maintain']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/optimize +skipped: only the tables' owner/);

    const owner = json<Report>(callq(['--db', db.url, '--now', NOW, 'maintain', '--vacuum', '--json']));
    expect(owner.optimized).toBe(true);
    expect(owner.vacuumed).toBe(true);
    expect(owner.steps.find((s) => s.name === 'optimize')?.detail).toBe('VACUUM (ANALYZE) leads, calls');
  });
});
