// Commands run in-process with an injected clock and standard streams (src/cli/context.ts): the
// same code the binary runs, with every input the test's own.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Context } from '../../src/cli/context.js';
import { run as log } from '../../src/cli/log.js';
import { run as forget } from '../../src/cli/forget.js';
import { run as importFile } from '../../src/cli/import.js';
import { UsageError } from '../../src/core/errors.js';
import { queryDb, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';

let db: string;
useTempDb('in-process.db', (_d, path) => (db = path));

/** A context whose clock stands at `now`, with stdin `stdin` and stdout/stderr captured. */
function context(now: Date, stdin: Readable = Readable.from([])) {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
  };
  const [out, err] = [capture(), capture()];
  const ctx: Context = {
    dbPath: db,
    store: 'sqlite',
    rep: 'ana',
    now,
    nowGiven: true,
    json: false,
    color: false,
    clock: () => now,
    stdin: stdin as NodeJS.ReadStream,
    stdout: out.stream,
    stderr: err.stream,
  };
  return { ctx, stdout: out.text, stderr: err.text };
}

describe('commands in-process', () => {
  it('callq log records the call at the injected clock and says so on the injected stderr', async () => {
    const [id] = seedLeads(db, [{ first_name: 'Ana', last_name: 'Lima' }]);
    const now = new Date('2026-11-24T16:00:00Z');
    const { ctx, stdout, stderr } = context(now);
    await log(ctx, [String(id), 'no-answer'], { note: 'rang out', force: true });
    expect(stderr()).toMatch(new RegExp(`^Logged no-answer for #${id} Ana Lima: `));
    expect(stdout()).toBe('');
    const [call] = queryDb<{ called_at: string; notes: string; rep: string }>(db, 'SELECT called_at, notes, rep FROM calls WHERE lead_id = ?', id);
    expect(call).toEqual({ called_at: now.toISOString(), notes: 'rang out', rep: 'ana' });
  });

  it('callq log refuses a bad --answer before touching the database', async () => {
    const [id] = seedLeads(db, [{}]);
    const { ctx } = context(new Date('2026-11-24T16:00:00Z'));
    await expect(log(ctx, [String(id), 'qualified'], { answer: ['no-equals-sign'] })).rejects.toThrow(/invalid --answer 'no-equals-sign'/);
    expect(queryDb(db, 'SELECT * FROM calls')).toEqual([]);
  });

  it('callq forget asks on the injected stdin: without a terminal there it refuses and erases nothing', async () => {
    const [id] = seedLeads(db, [{ email: 'pat@example.com' }]);
    const { ctx } = context(new Date('2026-11-24T16:00:00Z'), Readable.from(['y\n']));
    const refused = forget(ctx, ['pat@example.com'], {});
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(/pass --yes/);
    expect(queryDb(db, 'SELECT id FROM leads')).toEqual([{ id }]);
  });

  it('callq import stamps its leads and batch with the injected clock and reports on the injected streams', async () => {
    const csv = join(dirname(db), 'leads.csv');
    writeFileSync(csv, 'name,phone\nAna Lima,+1 212 555 0142\nNo Phone,\n');
    const now = new Date('2026-11-24T16:00:00Z');
    const { ctx, stdout, stderr } = context(now);
    await importFile(ctx, [csv], { list: ' spring ', rejects: '-' });
    expect(stderr()).toMatch(/Imported .*leads\.csv as batch 1/);
    expect(stderr()).toMatch(/rejected +1 +\(no-phone 1\)/);
    // --rejects - writes the rejected rows to the injected stdout.
    expect(stdout()).toMatch(/^name,phone,line,reason,detail\nNo Phone,,3,no-phone,/);
    expect(queryDb(db, 'SELECT list, created_at FROM leads')).toEqual([{ list: 'spring', created_at: now.toISOString() }]);
    expect(queryDb(db, 'SELECT created_at FROM imports')).toEqual([{ created_at: now.toISOString() }]);
  });
});
