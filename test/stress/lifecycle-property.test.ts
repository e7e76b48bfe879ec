// Property: any sequence of outcomes on a lead, with any inputs, at any times, under any team
// settings, keeps the life cycle (src/core/lifecycle.ts): every move the planner makes is in the
// transition table, a refused outcome is a UsageError (exit 2) and changes nothing, attempts and
// contacts are counted exactly, and a closed lead stays closed. Then the same through the store
// (app/log-outcome.ts, as `callq log` records), on a SQLite file and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOutcome, type OutcomeLead, type OutcomePlan } from '../../src/core/outcome.js';
import { CALLABLE_STATUSES, TERMINAL_STATUSES, assertTransition, canTransition, type LeadStatus } from '../../src/core/lifecycle.js';
import { resolveSettings } from '../../src/core/settings.js';
import { UsageError } from '../../src/core/errors.js';
import { isOpen } from '../../src/core/calling-window.js';
import { newTestStore, STORE_KINDS, type TestStoreKind } from '../stores.js';

const ZONES = [['America/New_York'], ['America/Los_Angeles'], ['America/Chicago', 'America/New_York'], ['Europe/London'], ['Asia/Kolkata'], []];
const START = Date.parse('2026-11-24T16:00:00Z');

/** One step: an outcome with arbitrary inputs, or the hand-off export, some minutes later. */
const step = fc.record({
  kind: fc.constantFrom('no-answer', 'busy', 'voicemail', 'gatekeeper', 'bad-number', 'callback', 'nurture', 'not-interested', 'disqualified', 'do-not-call', 'qualified', 'sent-info', 'handoff'),
  minutesLater: fc.integer({ min: 0, max: 60 * 24 * 20 }),
  atOffsetMin: fc.option(fc.integer({ min: -600, max: 60 * 24 * 14 }), { nil: undefined }),
  untilOffsetDays: fc.option(fc.integer({ min: -3, max: 400 }), { nil: undefined }),
  reason: fc.option(fc.constantFrom('no-budget', 'competitor', 'bad-data', 'moon-phase', 'not-interested', ''), { nil: undefined }),
  answers: fc.record({ need: fc.option(fc.string(), { nil: undefined }), timeframe: fc.option(fc.string(), { nil: undefined }), authority: fc.option(fc.string(), { nil: undefined }) }),
  note: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
});

const teamSettings = fc.record({
  'max-attempts': fc.integer({ min: 1, max: 10 }).map(String),
  'max-per-day': fc.integer({ min: 1, max: 4 }).map(String),
  'min-gap': fc.constantFrom('0m', '30m', '1h', '1d'),
  'hours.days': fc.constantFrom('mon-fri', 'mon-sat', 'tue,thu'),
  'hours.end': fc.constantFrom('17:00', '20:00'),
  'disposition.sent-info': fc.constantFrom('nurture contact', 'retry contact after=3d', 'retry no-contact after=1h'),
});

const lead0 = (zones: string[], alternates: number): OutcomeLead => ({
  id: 1,
  status: 'new',
  phone: '+12127345521',
  alt_phones: Array.from({ length: alternates }, (_, i) => `+1212734560${i}`),
  zones,
  attempts: 0,
  contacts: 0,
  attempts_since_contact: 0,
  day_attempts: 0,
  attempt_day: null,
  first_call_at: null,
});

describe('the life cycle under random outcomes', () => {
  it('every planned move is in the transition table; refusals are UsageErrors that change nothing; counts are exact', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(teamSettings, fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 2 }), fc.array(step, { minLength: 1, maxLength: 30 }), (stored, zones, alternates, steps) => {
        const settings = resolveSettings(new Map(Object.entries(stored)));
        let lead = lead0(zones, alternates);
        let now = START;
        let closedEver: LeadStatus | null = null;
        for (const s of steps) {
          now += s.minutesLater * 60_000;
          const at = new Date(now);
          if (s.kind === 'handoff') {
            // The export's move, checked against the same table.
            if (lead.status === 'sales-ready') {
              assertTransition(lead.status, 'handed-off');
              lead = { ...lead, status: 'handed-off' };
            }
            continue;
          }
          const disposition = settings.dispositions.find((d) => d.name === s.kind)!;
          const before = lead;
          let plan: OutcomePlan;
          try {
            plan = planOutcome(
              lead,
              {
                disposition,
                note: s.note,
                at: s.atOffsetMin === undefined ? undefined : new Date(now + s.atOffsetMin * 60_000),
                until: s.untilOffsetDays === undefined ? undefined : new Date(now + s.untilOffsetDays * 86_400_000),
                reason: s.reason,
                answers: s.answers,
                rep: 'ana',
                viewerZone: 'UTC',
              },
              at,
              settings,
            );
          } catch (err) {
            // Refused: always a UsageError with a message, and the lead is untouched.
            expect(err).toBeInstanceOf(UsageError);
            expect((err as Error).message.length).toBeGreaterThan(10);
            expect(lead).toBe(before);
            continue;
          }
          // The move is in the table, and a closed lead only ever becomes do-not-call.
          expect(canTransition(before.status, plan.status), `${before.status} → ${plan.status} by ${s.kind}`).toBe(true);
          if (closedEver && closedEver !== 'sales-ready') expect(plan.status).toBe('do-not-call');
          // Counting: every call is an attempt; contacts and the no-contact streak follow the disposition.
          expect(plan.lead.attempts).toBe(before.attempts + 1);
          expect(plan.lead.contacts).toBe(before.contacts + (disposition.contact ? 1 : 0));
          expect(plan.lead.attempts_since_contact).toBe(disposition.contact ? 0 : before.attempts_since_contact + 1);
          expect(plan.lead.first_call_at).toBe(before.first_call_at ?? at.toISOString());
          expect(plan.call.contact).toBe(disposition.contact);
          expect(plan.suppress).toBe(disposition.kind === 'do-not-call');
          // Closed leads carry a close time and are never due again; open ones are due at or after now.
          if ((TERMINAL_STATUSES as readonly string[]).includes(plan.status) || plan.status === 'sales-ready') {
            expect(plan.lead.closed_at).toBe(at.toISOString());
            expect(plan.lead.next_eligible_at).toBeNull();
          } else {
            expect(CALLABLE_STATUSES).toContain(plan.status);
            expect(plan.lead.closed_at).toBeNull();
            expect(Date.parse(plan.lead.next_eligible_at!)).toBeGreaterThanOrEqual(now);
          }
          // Exhaustion happens exactly when the no-contact streak reaches max-attempts on an ordinary retry.
          if (plan.status === 'exhausted') expect(plan.lead.attempts_since_contact).toBeGreaterThanOrEqual(settings.maxAttempts);
          if (plan.lead.attempts_since_contact >= settings.maxAttempts && ['working'].includes(plan.status)) expect.fail('should have been exhausted');
          // A callback is in the future, inside calling hours in every zone of the lead.
          if (plan.status === 'callback') {
            expect(Date.parse(plan.lead.callback_at!)).toBeGreaterThan(now);
            if (zones.length) expect(isOpen(zones, new Date(plan.lead.callback_at!), settings.hours)).toBe(true);
            expect(plan.lead.callback_rep).toBe('ana');
          }
          if (plan.status === 'nurture') expect(Date.parse(plan.lead.nurture_until!)).toBeGreaterThan(now);
          if (plan.status === 'sales-ready') {
            for (const q of settings.qualifyRequired) expect(JSON.parse(plan.lead.qualification!)[q]).toBeTruthy();
            expect(plan.lead.handoff_note).toBeTruthy();
          }
          // bad-number moves to the next alternate or closes as bad-data.
          if (disposition.kind === 'bad-number') {
            if (before.alt_phones.length) expect(plan.lead.phone).toBe(before.alt_phones[0]);
            else expect(plan.lead.disqualify_reason).toBe('bad-data');
          }
          lead = {
            ...before,
            status: plan.status,
            phone: plan.lead.phone,
            alt_phones: plan.lead.alt_phones,
            attempts: plan.lead.attempts,
            contacts: plan.lead.contacts,
            attempts_since_contact: plan.lead.attempts_since_contact,
            day_attempts: plan.lead.day_attempts,
            attempt_day: plan.lead.attempt_day,
            first_call_at: plan.lead.first_call_at,
          };
          if (!(CALLABLE_STATUSES as readonly string[]).includes(plan.status)) closedEver = plan.status;
          reached.add(`${before.status}→${plan.status}`);
        }
      }),
      { numRuns: 1000 },
    );
    // The runs really went everywhere: every status was reached, from more than one place.
    const targets = new Set([...reached].map((t) => t.split('→')[1]));
    expect([...targets].sort()).toEqual(['callback', 'disqualified', 'do-not-call', 'exhausted', 'nurture', 'sales-ready', 'working']);
    expect(reached.size).toBeGreaterThan(25);
  });

  it('from every closed status, only do-not-call is accepted, and do-not-call is final', () => {
    const settings = resolveSettings(new Map());
    for (const status of ['disqualified', 'exhausted', 'handed-off', 'do-not-call', 'sales-ready'] as LeadStatus[]) {
      for (const disposition of settings.dispositions) {
        const input = {
          disposition,
          note: 'n',
          at: new Date(START + 86_400_000),
          until: new Date(START + 30 * 86_400_000),
          reason: 'no-budget',
          answers: { need: 'a', timeframe: 'b', authority: 'c' },
          rep: 'ana',
          viewerZone: 'UTC',
        };
        const attempt = () => planOutcome({ ...lead0(['America/New_York'], 0), status }, input, new Date(START), settings);
        // With no alternate phone, bad-number closes the lead as bad-data (a disqualification).
        const target = disposition.kind === 'do-not-call' ? 'do-not-call' : ['disqualify', 'not-interested', 'bad-number'].includes(disposition.kind) ? 'disqualified' : 'working';
        const allowed = canTransition(status, target);
        if (allowed) expect(() => attempt(), `${status} + ${disposition.name}`).not.toThrow();
        else expect(() => attempt(), `${status} + ${disposition.name}`).toThrow(UsageError);
      }
    }
  });
});

// The same random outcomes through both stores: fewer runs on PostgreSQL (20 against 60), as each
// of its steps is a few round trips to the server (about 0.6 s a run while the suite runs, against
// 0.15 s on SQLite); the recorded outcomes are counted against the runs made (below).
const RUNS: Record<TestStoreKind, number> = { sqlite: 60, postgres: 20 };

describe.each(STORE_KINDS)('the life cycle as recorded in %s', (kind) => {
  it('random outcomes through callq log keep the call log and the lead in step', async () => {
    const { openStore } = await import('../../src/db/store.js');
    const { logOutcome } = await import('../../src/app/log-outcome.js');
    const { viewerZone } = await import('../../src/cli/args.js');
    const { initDb } = await import('../helpers.js');
    const { seedStore } = await import('../seed.js');
    const ts = await newTestStore(kind, { migrated: true });
    if (kind === 'sqlite') initDb(ts.db);
    const store = await openStore(ts.db);
    // The checks read through a connection of their own, as another process would.
    const pg = kind === 'postgres' ? await (await import('./support.js')).pgConnect(ts.db) : null;
    const read = async (sql: string, ...params: unknown[]): Promise<Record<string, any>[]> => {
      if (!pg) return ts.query(sql, ...params);
      let n = 0;
      return (await pg.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    };
    let run = 0;
    let total = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step.filter((s) => s.kind !== 'handoff'), { minLength: 1, maxLength: 12 }), async (steps) => {
          // A lead of its own for each run, with phones no other run's lead has.
          const alt = `+1212735${String(1000 + run++).slice(-4)}`;
          const [id] = await seedStore(ts, [{ alt_phones: [alt] }]);
          const [{ phone }] = await read('SELECT phone FROM leads WHERE id = ?', id);
          let now = START;
          let recorded = 0;
          for (const s of steps) {
            now += s.minutesLater * 60_000;
            const at = new Date(now);
            // Flags mostly where they belong (a stray one, about one time in seven, must be refused).
            const stray = s.minutesLater % 7 === 0;
            const fits = (...kinds: string[]) => stray || kinds.includes(s.kind);
            try {
              await logOutcome(store.rep, { rep: 'ana', now: at, viewerZone: viewerZone() }, {
                leadId: id,
                disposition: s.kind,
                note: s.note ?? (s.kind === 'qualified' ? 'wants a demo' : undefined),
                at: s.atOffsetMin === undefined || !fits('callback') ? undefined : new Date(now + s.atOffsetMin * 60_000).toISOString(),
                until: s.untilOffsetDays === undefined || !fits('nurture') ? undefined : new Date(now + s.untilOffsetDays * 86_400_000).toISOString(),
                reason: fits('disqualified', 'not-interested', 'do-not-call') ? s.reason : undefined,
                answers: s.kind === 'qualified' && !stray ? { need: 'a', timeframe: 'b', authority: 'c' } : s.answers,
                force: true,
              });
              recorded++;
              total++;
            } catch (err) {
              expect(err).toBeInstanceOf(UsageError);
            }
            const [lead] = await read('SELECT * FROM leads WHERE id = ?', id);
            const calls = await read('SELECT * FROM calls WHERE lead_id = ? ORDER BY id', id);
            // One call row per recorded outcome; each row's before is the previous row's after; the lead is the last after.
            expect(calls).toHaveLength(recorded);
            expect(lead.attempts).toBe(recorded);
            calls.forEach((c, i) => {
              expect(c.status_before).toBe(i === 0 ? 'new' : calls[i - 1].status_after);
              expect(canTransition(c.status_before, c.status_after), `${c.status_before} → ${c.status_after}`).toBe(true);
            });
            expect(lead.status).toBe(calls.length ? calls[calls.length - 1].status_after : 'new');
            expect(lead.claim_rep).toBeNull();
            if (lead.status === 'do-not-call') {
              const [{ n }] = await read("SELECT count(*) AS n FROM suppressions WHERE kind = 'phone' AND value IN (?, ?)", phone, alt);
              expect(n).toBeGreaterThan(0);
            }
          }
        }),
        { numRuns: RUNS[kind] },
      );
      // Many steps are rightly refused: a closed lead takes only do-not-call.
      expect(total).toBeGreaterThan((80 * RUNS[kind]) / 60);
    } finally {
      await pg?.end();
      await store.close();
      await ts.cleanup();
    }
  }, 120_000);
});
