// Times on the cards and histories people read (next, show) are the lead's local time and the
// rep's, as `callq work` shows them, whatever the zone the rep's system runs in; --json keeps
// ISO UTC. `next` reads zones from the system's files (src/io/zoneinfo.ts) and must say what
// Intl says, which `show` asks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BASE_ENV, BIN, callq, initDb, intlCountingEnv, json, tempDir } from '../helpers.js';
import { seedLeads } from '../seed.js';

// Monday 23 Nov 2026, 15:40 in New York, 14:40 in Chicago: the rep files a callback for tomorrow 10am, lead time.
const MON = '2026-11-23T20:40:00Z';
// Tuesday 24 Nov, 11:00 in New York: the callback (10:00 in Chicago) is due.
const TUE = '2026-11-24T16:00:00Z';

let dir: string;
let db: string;
let cleanup: () => void;
let lead: number;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'q.db');
  initDb(db);
  [lead] = seedLeads(db, [{ first_name: 'Dana', last_name: 'Whitfield', timezone: 'America/Chicago', phone: '+13125550142' }]);
  expect(callq(['--db', db, '--now', MON, 'next']).code).toBe(0);
  const logged = callq(['--db', db, '--now', MON, 'log', String(lead), 'callback', '--at', 'tomorrow 10am', '--note', 'routing pains']);
  expect(logged.code, logged.stderr).toBe(0);
});
afterEach(() => cleanup());

/** callq as the rep `ana` on a system set to `tz` (undefined: TZ unset, the system's /etc/localtime). */
function asRep(args: string[], tz: string | undefined, env: Record<string, string> = {}) {
  const { TZ: _, ...base } = BASE_ENV;
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], {
    env: { ...base, ...(tz === undefined ? {} : { TZ: tz }), CALLQ_REP: 'ana', ...env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const line = (text: string, start: string) => text.split('\n').find((l) => l.trimStart().startsWith(start))?.trim();

describe('times on the cards of next and show', () => {
  it('next shows the callback in the lead’s and the rep’s zones, the last calls and the claim in the rep’s', () => {
    const r = asRep(['--now', TUE, 'next'], 'America/New_York');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('callback due Tue 24 Nov 10:00 CST (lead) · 11:00 EST (you) for ana');
    expect(r.stdout).toMatch(/last calls\n\s+Mon 23 Nov 15:40 EST callback by ana — routing pains/);
    expect(r.stdout).toContain(`Claimed until Tue 24 Nov 11:15 EST. Log with: callq log ${lead} DISPOSITION`);
    expect(r.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    // Held: the same card, said so.
    const again = asRep(['--now', '2026-11-24T16:05:00Z', 'next'], 'America/Los_Angeles');
    expect(again.stdout).toContain('callback due Tue 24 Nov 10:00 CST (lead) · 08:00 PST (you) for ana');
    expect(again.stdout).toContain('You already hold this lead (until Tue 24 Nov 08:15 PST).');
    expect(again.stdout).toContain("'callq next --skip'.");
  });

  it('show gives the card and the history in the rep’s zone', () => {
    const r = asRep(['--now', TUE, 'show', String(lead)], 'America/Los_Angeles');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('callback due Tue 24 Nov 10:00 CST (lead) · 08:00 PST (you) for ana');
    expect(r.stdout).toMatch(/^when\s+rep\s+outcome/m);
    expect(r.stdout).not.toContain('UTC');
    expect(r.stdout).toMatch(/^Mon 23 Nov 12:40 PST\s+ana\s+callback\s+routing pains$/m);
  });

  it('--json keeps every instant in ISO UTC', () => {
    const shown = json(asRep(['--json', 'show', String(lead)], 'America/New_York'));
    expect(shown.lead.callback_at).toBe('2026-11-24T16:00:00.000Z');
    expect(shown.calls[0].called_at).toBe('2026-11-23T20:40:00.000Z');
    const claimed = json(asRep(['--json', '--now', TUE, 'next'], 'America/New_York'));
    expect(claimed.claim.expires_at).toBe('2026-11-24T16:15:00.000Z');
    expect(claimed.lead.callback_at).toBe('2026-11-24T16:00:00.000Z');
    expect(claimed.now).toBe('2026-11-24T16:00:00.000Z');
  });

  // Two processes for each setting: bounded by the count of processes, not by a clock.
  it('next reads the rep’s zone where Intl does and names it as Intl does, whatever TZ says', { timeout: 120_000 }, () => {
    // Asia/Tokyo and its link Japan: Intl says GMT+9 where the files say JST; Adelaide: half an
    // hour; '' and a POSIX rule: Intl takes UTC; unset: the system's /etc/localtime.
    const settings = ['America/Los_Angeles', ':America/New_York', 'Asia/Tokyo', 'Japan', 'Australia/Adelaide', 'Asia/Kolkata', 'posix/Asia/Tokyo', 'EST5EDT', '', 'CET-1CEST', undefined];
    for (const tz of settings) {
      // The first claims the lead; the others show it again, held.
      const next = asRep(['--now', TUE, 'next'], tz);
      expect(next.code, `${tz}: ${next.stderr}`).toBe(0);
      const show = asRep(['--now', TUE, 'show', String(lead)], tz);
      expect(line(next.stdout, 'callback due'), `TZ=${tz}`).toBe(line(show.stdout, 'callback due'));
      expect(line(next.stdout, 'callback due'), `TZ=${tz}`).toMatch(/^callback due Tue 24 Nov 10:00 CST/);
    }
  });

  it('next shows them without starting ICU for a rep and a lead in zones the files name as Intl does', () => {
    // Counts the Intl.DateTimeFormat objects the process makes.
    const env = intlCountingEnv(dir);
    // `callq queue` stores the week's calling windows, as the team's first command of the week does.
    expect(asRep(['--now', TUE, 'queue'], 'America/New_York', env).stderr).toMatch(/Intl\.DateTimeFormat made: [1-9]/);
    const r = asRep(['--now', TUE, 'next'], 'America/New_York', env);
    expect(r.stdout).toContain('callback due Tue 24 Nov 10:00 CST (lead) · 11:00 EST (you) for ana');
    expect(r.stdout).toContain('Mon 23 Nov 15:40 EST callback by ana');
    expect(r.stderr).toContain('Intl.DateTimeFormat made: 0');
  });
});

describe('a lead whose calling hours close soon', () => {
  it("next says so on the card and gives when they close in --json; nothing is said while more than 15 minutes are left", () => {
    const [late] = seedLeads(db, [{ first_name: 'Lee', last_name: 'Late', timezone: 'America/New_York', phone: '+12125550177', score: 99 }]);
    const at = '2026-11-24T21:52:30Z'; // Tue 16:52 in New York (hours close at 17:00), 15:52 in Chicago
    // ana's callback comes first: Chicago's hours close in an hour, so nothing is said.
    const ana = asRep(['--now', at, 'next'], 'America/New_York');
    expect(ana.code, ana.stderr).toBe(0);
    expect(ana.stdout).toContain('Dana Whitfield');
    expect(line(ana.stdout, 'lead time')).toBe('lead time Tue 15:52 Chicago  inside calling hours');
    // Held, as --json gives it: when its hours close.
    const held = json(asRep(['--now', at, 'next', '--json'], 'America/New_York'));
    expect([held.lead.id, held.again, held.hours_close_at]).toEqual([lead, true, '2026-11-24T23:00:00.000Z']);
    // bo gets the New York lead, 7 minutes before its hours close.
    const bo = asRep(['--now', at, 'next'], 'America/New_York', { CALLQ_REP: 'bo' });
    expect(bo.code, bo.stderr).toBe(0);
    expect(bo.stdout).toContain('Lee Late');
    expect(line(bo.stdout, 'lead time')).toBe('lead time Tue 16:52 New York  inside calling hours · closes in 7 min');
    expect(json(asRep(['--now', at, 'next', '--json'], 'America/New_York', { CALLQ_REP: 'bo' }))).toMatchObject({ lead: { id: late }, hours_close_at: '2026-11-24T22:00:00.000Z' });
  });
});
