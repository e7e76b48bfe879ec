import { describe, expect, it } from 'vitest';
import { judgeLead, type EligibilityLead } from '../../src/core/eligibility.js';
import { resolveSettings } from '../../src/core/settings.js';

const settings = resolveSettings(new Map());
const NOW = new Date('2026-11-24T16:00:00Z'); // Tuesday 11:00 New York
const lead = (over: Partial<EligibilityLead> = {}): EligibilityLead => ({
  id: 1,
  status: 'new',
  timezone: 'America/New_York',
  attempts: 0,
  attempts_since_contact: 0,
  day_attempts: 0,
  attempt_day: null,
  last_call_at: null,
  last_disposition: null,
  next_eligible_at: null,
  callback_at: null,
  callback_rep: null,
  nurture_until: null,
  claim_rep: null,
  claim_expires_at: null,
  ...over,
});

describe('why a lead is or is not callable', () => {
  it('a fresh lead inside hours is callable now', () => {
    expect(judgeLead(lead(), NOW, settings, 'ana', null)).toMatchObject({ callable: true, blockers: [], callableAt: NOW });
  });

  it.each<[string, Partial<EligibilityLead>, string | null, string[], string | null]>([
    ['closed status', { status: 'disqualified' }, null, ['status'], null],
    ['suppressed', {}, 'phone +12125550100', ['suppressed'], null],
    ["a colleague's claim", { claim_rep: 'bob', claim_expires_at: '2026-11-24T16:10:00.000Z' }, null, ['claim'], '2026-11-24T16:10:00.000Z'],
    ['my own claim', { claim_rep: 'ana', claim_expires_at: '2026-11-24T16:10:00.000Z' }, null, [], '2026-11-24T16:00:00.000Z'],
    ['retry time', { status: 'working', next_eligible_at: '2026-11-24T20:00:00.000Z', last_disposition: 'no-answer' }, null, ['retry'], '2026-11-24T20:00:00.000Z'],
    ['per-day limit', { status: 'working', next_eligible_at: '2026-11-25T05:00:00.000Z', day_attempts: 2, attempt_day: '2026-11-24' }, null, ['per-day'], '2026-11-25T14:00:00.000Z'],
    ['nurture date', { status: 'nurture', next_eligible_at: '2027-02-01T14:00:00.000Z', nurture_until: '2027-02-01T14:00:00.000Z' }, null, ['nurture'], '2027-02-01T14:00:00.000Z'],
    ["a colleague's callback within grace", { status: 'callback', callback_at: '2026-11-24T15:50:00.000Z', callback_rep: 'bob' }, null, ['callback'], '2026-11-24T16:05:00.000Z'],
    ['my callback, due', { status: 'callback', callback_at: '2026-11-24T15:50:00.000Z', callback_rep: 'ana' }, null, [], '2026-11-24T16:00:00.000Z'],
    ['outside hours (Los Angeles 08:00)', { timezone: 'America/Los_Angeles' }, null, ['hours'], '2026-11-24T17:00:00.000Z'],
    ['unknown zone', { timezone: null }, null, ['timezone'], null],
    ['attempt limit', { status: 'working', attempts_since_contact: 8 }, null, ['attempts'], null],
  ])('%s', (_name, over, suppressed, rules, callableAt) => {
    const v = judgeLead(lead(over), NOW, settings, 'ana', suppressed);
    expect(v.blockers.map((b) => b.rule)).toEqual(rules);
    expect(v.callable).toBe(rules.length === 0);
    expect(v.callableAt?.toISOString() ?? null).toBe(callableAt);
  });

  it('a retry says its time was set by the settings in force when the call was logged', () => {
    const v = judgeLead(lead({ status: 'working', next_eligible_at: '2026-11-24T20:00:00.000Z', last_disposition: 'no-answer' }), NOW, settings, 'ana', null);
    expect(v.blockers[0].message).toBe("retry delay after 'no-answer', min-gap and max-per-day, as set when that call was logged");
  });

  it('a retry that lifts after hours waits for the next window', () => {
    const v = judgeLead(lead({ status: 'working', next_eligible_at: '2026-11-24T23:00:00.000Z' }), NOW, settings, 'ana', null);
    expect(v.callableAt?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
  });
});
