// An import whose PostgreSQL session ends while its rows stream in (an administrator's
// pg_terminate_backend, a server shutting down): exit 75 with "lost PostgreSQL", never exit 1
// with a driver's stack trace nor a silent 141, and nothing of the batch stays callable
// (src/db/pg/import.ts; docs/setup.md, "Exit codes on PostgreSQL").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { BASE_ENV, BIN, tempDir, type RunResult } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';

const NOW = '2026-11-24T15:00:00Z';

function rows(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const digits = String(i).padStart(6, '0');
    text += `Lead${i},Test,Company ${i},+1 212 5${digits.slice(0, 2)} ${digits.slice(2)},lead${i}@example${i}.com\n`;
  }
  return text;
}

describe.skipIf(pgInfo.unavailable)('an import that loses its session mid-stream', () => {
  let db: TestDatabase;
  let admin: PgClient;
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    admin = await db.connect();
    ({ dir, cleanup } = tempDir());
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    cleanup?.();
  });

  it('exit 75, lost PostgreSQL, no stack trace; no lead and no finished batch left', async () => {
    // A named pipe as the file: the test decides when the rows arrive.
    const fifo = join(dir, 'leads.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, '--db', db.url, '--now', NOW, 'import', fifo], { env: { ...BASE_ENV, CALLQ_REP: 'ops' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const done = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));

    const input = createWriteStream(fifo);
    input.on('error', () => {}); // the importer may be gone before the last rows
    input.write('First Name,Last Name,Company,Phone,Email\n' + rows(0, 20_000));
    // Its rows are in the session's COPY and it waits for more: end that session.
    let pid: number | undefined;
    while (pid === undefined) {
      const { rows: found } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_progress_copy WHERE datname = $1 AND tuples_processed >= 15000`,
        [db.name],
      );
      pid = found[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // The rest of the file arrives once the session is gone: the importer's next rows meet a closed connection.
    for (;;) {
      const { rows: alive } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (alive.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    input.end(rows(20_000, 60_000));

    const r = await done;
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toContain(`lost PostgreSQL at ${db.url}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('unexpected failure');
    expect((await admin.query('SELECT count(*) AS n FROM leads')).rows).toEqual([{ n: 0 }]);
    expect((await admin.query(`SELECT count(*) AS n FROM imports WHERE state = 'complete'`)).rows).toEqual([{ n: 0 }]);
  });
});
