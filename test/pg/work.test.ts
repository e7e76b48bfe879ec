// callq work on PostgreSQL, driven through a real pseudo-terminal (as test/cli/work.test.ts drives
// it on SQLite): one connection for the session, claims, outcomes, a skip and the claim given
// back on quitting, all in the team's database.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pty from 'node-pty';
import { BIN, ROOT } from '../helpers.js';
import { freshDatabase, pgInfo, type TestDatabase } from './db.js';
import type { PgClient } from '../../src/db/pg/open.js';
import { queueRank } from '../../src/core/priority.js';
import { resolveSettings } from '../../src/core/settings.js';

const NOW = '2026-11-24T16:00:00Z'; // Tuesday 11:00 New York
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

/** The binary in an 80×40 pseudo-terminal; waits for screen text (the test's timeout bounds it). */
class Terminal {
  private raw = '';
  private cursor = 0;
  private ended: { exitCode: number } | null = null;
  private readonly term: pty.IPty;
  readonly exited: Promise<{ exitCode: number }>;

  constructor(args: string[]) {
    this.term = pty.spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: 80,
      rows: 40,
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LANG: 'C.UTF-8', TERM: 'xterm-256color', NO_COLOR: '1', CALLQ_REP: 'ana' },
    });
    this.term.onData((d) => (this.raw += d));
    this.exited = new Promise((done) => this.term.onExit((e) => done((this.ended = e))));
  }

  get rest(): string {
    return this.raw.replace(ANSI, '').slice(this.cursor);
  }

  async waitFor(text: string): Promise<string> {
    const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'));
    for (;;) {
      const seen = this.rest;
      const m = pattern.exec(seen);
      if (m) {
        this.cursor += m.index + m[0].length;
        return seen.slice(0, m.index + m[0].length);
      }
      if (this.ended) throw new Error(`the program ended (exit ${this.ended.exitCode}) before '${text}' appeared:\n${seen.slice(-2500)}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async talk(...steps: [text: string, keys?: string][]): Promise<void> {
    for (const [text, keys] of steps) {
      if (text) await this.waitFor(text);
      if (keys) this.term.write(keys);
    }
  }

  kill(): void {
    try {
      this.term.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe.skipIf(pgInfo.unavailable)('callq work on PostgreSQL', () => {
  let db: TestDatabase;
  let client: PgClient;
  const terminals: Terminal[] = [];

  beforeAll(async () => {
    db = await freshDatabase({ migrated: true });
    client = await db.connect();
    const weights = resolveSettings(new Map()).weights;
    const created = '2026-11-01T12:00:00.000Z';
    for (const [i, name] of ['Avery', 'Blake', 'Casey'].entries()) {
      const row = { score: 95 - i * 5, attempts: 0, source: 'webinar', campaign: null, last_call_at: null, inbound_at: null, created_at: created };
      await client.query(
        `INSERT INTO leads(id, first_name, last_name, phone, timezone, timezone_source, score, source, status, attempts, queue_rank, created_at, updated_at)
         VALUES ($1, $2, 'Test', $3, 'America/New_York', 'column', $4, 'webinar', 'new', 0, $5, $6, $6)`,
        [i + 1, name, `+1212555010${i + 1}`, row.score, queueRank(row, weights), created],
      );
    }
  });
  afterEach(() => {
    for (const t of terminals.splice(0)) t.kill();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('claims, saves, skips and gives the claim back on quitting', async () => {
    const t = new Terminal(['--db', db.url, '--now', NOW, 'work']);
    terminals.push(t);
    const first = await t.waitFor('outcome key ›');
    expect(first).toContain('Avery Test');
    await t.talk(
      ['', 'n'],
      ['✓ Saved no-answer for #1 Avery Test'],
      ['Blake Test'], ['outcome key ›', 's'],
      ['Skipped #2 Blake Test; it is back in the queue.'],
      ['Casey Test'], ['outcome key ›', 'c'], ['Call back when?', 'tomorrow 10am\r'], ['Note?', 'in a meeting\r'],
      ['✓ Saved callback for #3 Casey Test'],
      ['Blake Test'], ['outcome key ›', 'Q'],
      ['Session: 2 dials, 1 contacts, 0 sales-ready, 1 skipped. Lead #2 is back in the queue'],
    );
    expect((await t.exited).exitCode).toBe(0);
    const { rows: calls } = await client.query('SELECT lead_id, rep, disposition, notes, called_at FROM calls ORDER BY id');
    expect(calls).toEqual([
      { lead_id: 1, rep: 'ana', disposition: 'no-answer', notes: null, called_at: '2026-11-24T16:00:00.000Z' },
      { lead_id: 3, rep: 'ana', disposition: 'callback', notes: 'in a meeting', called_at: '2026-11-24T16:00:00.000Z' },
    ]);
    const { rows: leads } = await client.query('SELECT id, status, claim_rep, callback_at FROM leads ORDER BY id');
    expect(leads).toEqual([
      { id: 1, status: 'working', claim_rep: null, callback_at: null },
      { id: 2, status: 'new', claim_rep: null, callback_at: null },
      { id: 3, status: 'callback', claim_rep: null, callback_at: '2026-11-25T15:00:00.000Z' },
    ]);
  });
});
