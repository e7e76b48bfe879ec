// callq work waiting on an empty queue: each check is a claim, which serves whatever became
// callable; the explanation of why nothing can be called (every waiting lead counted, a second and
// more on a million leads) is asked for when the wait begins, not on every check
// (src/cli/work.ts). Counted from the statements the server logs for this test's database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { seedStore } from '../seed.js';
import { newTestStore, type TestStore } from '../stores.js';
import { Terminal } from '../terminal.js';
import { pgInfo } from './db.js';

const NOW = '2026-11-24T16:00:00Z'; // Tuesday 11:00 in New York
/** A fragment of the explanation's statement (src/db/pg/queue.ts, explainEmptyQueuePg) and of the claim's. */
const EXPLAINING = 'count(*) FILTER (WHERE next_eligible_at >';
const CLAIMING = 'pg_advisory_xact_lock(';

describe.skipIf(pgInfo.unavailable)('callq work waiting for a lead on PostgreSQL', () => {
  let store: TestStore;
  let terminal: Terminal | undefined;
  beforeEach(async () => {
    store = await newTestStore('postgres', { migrated: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && terminal) console.log(terminal.describe());
    terminal?.kill('SIGKILL');
    terminal = undefined;
    await store.cleanup();
  });

  it('explains the empty queue once, then checks by claiming alone until a lead is callable', async () => {
    const [id] = await seedStore(store, [{ first_name: 'Later', last_name: 'Test', next_eligible_at: '2026-11-24T18:00:00.000Z' }]);
    const [{ name }] = await store.query<{ name: string }>('SELECT current_database() AS name');
    // Sessions opened from now on log every statement they run (only this database's).
    await store.query(`ALTER DATABASE "${name}" SET log_min_duration_statement = 0`);
    const log = join(pgInfo.socketDir, 'server.log');
    const from = statSync(log).size;
    const logged = () => readFileSync(log).subarray(from).toString('utf8');
    // Each run of a statement sent with parameters is logged in three phases (parse, bind,
    // execute); one sent as text, as the claim is, in one line. Only the runs are counted.
    const count = (text: string, fragment: string) =>
      text.split(/\n(?=\S)/).filter((entry) => entry.includes(fragment) && !/duration: [\d.]+ ms {2}(parse|bind) /.test(entry)).length;

    terminal = new Terminal(['--db', store.db, '--rep', 'ana', '--now', NOW, 'work']);
    await terminal.waitFor('1 waiting for a retry time');
    await terminal.waitFor('w wait for the next lead');
    terminal.write('w');
    await terminal.waitFor('waiting — next check in 30s');
    for (let check = 0; check < 3; check++) {
      terminal.write(' '); // any key: check now
      await terminal.waitFor('waiting — next check in 30s');
    }
    const waited = logged();
    expect(count(waited, CLAIMING)).toBeGreaterThanOrEqual(4); // the first claim and one per check
    expect(count(waited, EXPLAINING)).toBe(1);

    await store.query('UPDATE leads SET next_eligible_at = NULL WHERE id = ?', id);
    terminal.write(' ');
    await terminal.waitFor('Later Test');
    await terminal.waitFor('outcome key ›');
    terminal.write('Q');
    expect(await terminal.exitCode()).toBe(0);
    expect(count(logged(), EXPLAINING)).toBe(1);
  });
});
