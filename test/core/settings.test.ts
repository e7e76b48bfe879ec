import { describe, expect, it } from 'vitest';
import { getSetting, listSettings, parseDays, resolveSettings, settingProblem, settingWarning, validateSetting, affectsQueueRank } from '../../src/core/settings.js';
import { parseDelay, formatDelay } from '../../src/core/delay.js';
import { UsageError } from '../../src/core/errors.js';

describe('settings validation', () => {
  it.each([
    ['hours.start', '08:30', '08:30'],
    ['hours.end', '18:00', '18:00'],
    ['hours.days', 'mon-fri', 'mon-fri'],
    ['hours.days', 'mon,wed,fri', 'mon,wed,fri'],
    ['hours.holidays', '12-25,2026-11-26', '12-25,2026-11-26'],
    ['max-attempts', '5', '5'],
    ['max-per-day', '3', '3'],
    ['min-gap', '90m', '90m'],
    ['lease', '10m', '10m'],
    ['retry.no-answer', '3h', '3h'],
    ['retry.voicemail', '2bd', '2bd'],
    ['retry.sent-info', '3d', '3d'],
    ['weight.score', '1.5', '1.5'],
    ['weight.source.webinar', '15', '15'],
    ['weight.campaign.q4-push', '-3', '-3'],
    ['timezone.default', 'America/Chicago', 'America/Chicago'],
    ['timezone.default', '', ''],
    ['country.default', 'gb', 'GB'],
    ['reasons', 'no-budget,competitor,wrong-person', 'no-budget,competitor,wrong-person'],
    ['disposition.sent-info', 'nurture contact', 'nurture contact'],
    ['disposition.left-message', 'retry no-contact after=2d', 'retry no-contact after=2d'],
    ['disposition.busy', 'off', 'off'],
    ['qualify.required', 'need,authority', 'need,authority'],
    // Stored as callq reads them.
    ['timezone.default', 'america/new_york', 'America/New_York'],
    ['timezone.default', 'Asia/Kolkata', 'Asia/Kolkata'], // not ICU's legacy Asia/Calcutta
    ['timezone.default', 'Europe/Kyiv', 'Europe/Kyiv'],
    ['hours.start', '8:30', '08:30'],
    ['hours.days', 'Mon-Fri', 'mon-fri'],
    ['hours.holidays', '12-25, 01-01', '12-25,01-01'],
    ['reasons', 'no-budget,no-budget, competitor', 'no-budget,competitor'],
    ['weight.fresh.half-life', '1m', '1m'],
    ['weight.score', '+2', '+2'],
  ])('accepts %s = %s', (key, value, stored) => {
    expect(validateSetting(key, value)).toBe(stored);
  });

  it.each([
    ['hours.start', '9am'],
    ['hours.start', '25:00'],
    ['hours.start', '21:30'],
    ['hours.end', '07:00'],
    ['hours.days', 'weekdays'],
    ['hours.holidays', 'christmas'],
    ['max-attempts', '0'],
    ['max-attempts', 'eight'],
    ['max-per-day', '2.5'],
    ['min-gap', 'soon'],
    ['lease', '-5m'],
    ['weight.score', 'high'],
    ['weight.source.Web Site', '3'],
    ['timezone.default', 'Mars/Olympus'],
    ['country.default', 'USA'],
    ['reasons', 'No Budget'],
    ['disposition.sent-info', 'teleport'],
    ['no.such.key', '1'],
    ['retention', '0'],
    ['lease', '0m'],
    ['lease', '30s'],
    ['lease', '9h'],
    ['lease', '1bd'],
    ['callback.grace', '1bd'],
    ['disposition.do-not-call', 'off'],
    ['disposition.do-not-call', 'disqualify contact'],
    ['disposition.left-message', 'retry after=soon'],
    ['disposition.sent-info', 'nurture after=2d'],
    ['disposition.quit', 'retry'],
    ['weight.score', '0x10'],
    ['weight.attempt', '1e3'],
    ['weight.fresh.half-life', '0m'],
  ])('refuses %s = %s with a UsageError naming the key', (key, value) => {
    expect(() => validateSetting(key, value)).toThrow(UsageError);
    expect(() => validateSetting(key, value)).toThrow(key);
  });

  it('refuses a stored retention of 0 pointing to the one-off purge', () => {
    expect(() => validateSetting('retention', '0')).toThrow("run 'callq maintain --retention 0'");
  });
});

describe('resolved settings', () => {
  it('has the spec defaults', () => {
    const s = resolveSettings(new Map());
    expect(s.hours).toEqual({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] });
    expect(s.maxAttempts).toBe(8);
    expect(s.maxPerDay).toBe(2);
    expect(s.minGap).toEqual({ ms: 3_600_000, businessDays: 0 });
    expect(s.lease).toEqual({ ms: 900_000, businessDays: 0 });
    expect(s.callbackGrace).toEqual({ ms: 900_000, businessDays: 0 });
    expect(s.retry['no-answer']).toEqual({ ms: 4 * 3_600_000, businessDays: 0 });
    expect(s.retry.busy).toEqual({ ms: 30 * 60_000, businessDays: 0 });
    expect(s.retry.voicemail).toEqual({ ms: 0, businessDays: 1 });
    expect(s.retry.gatekeeper).toEqual({ ms: 2 * 3_600_000, businessDays: 0 });
    expect(s.dispositions.map((d) => d.name)).toEqual([
      'no-answer', 'busy', 'voicemail', 'gatekeeper', 'bad-number', 'callback', 'nurture', 'not-interested', 'disqualified', 'do-not-call', 'qualified',
    ]);
    expect(s.reasons).toContain('no-budget');
    expect(s.reasons).toHaveLength(10);
    expect(s.qualifyRequired).toEqual(['need', 'timeframe', 'authority']);
    expect(s.qualifyOptional).toEqual(['budget']);
  });

  it('applies team-defined dispositions, retries and weights', () => {
    const s = resolveSettings(
      new Map([
        ['disposition.sent-info', 'retry contact after=3d'],
        ['disposition.busy', 'off'],
        ['retry.no-answer', '2h'],
        ['weight.source.webinar', '15'],
        ['hours.days', 'mon-sat'],
      ]),
    );
    expect(s.dispositions.find((d) => d.name === 'sent-info')).toEqual({ name: 'sent-info', kind: 'retry', contact: true, after: '3d' });
    expect(s.dispositions.find((d) => d.name === 'busy')).toBeUndefined();
    expect(s.retry['sent-info']).toEqual({ ms: 3 * 86_400_000, businessDays: 0 });
    expect(s.retry['no-answer']).toEqual({ ms: 2 * 3_600_000, businessDays: 0 });
    expect(s.weights.source).toEqual({ webinar: 15 });
    expect(s.hours.days).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lists defaults and team-defined keys', () => {
    const list = listSettings(new Map([['weight.source.webinar', '15'], ['hours.end', '18:00']]));
    expect(list.find((s) => s.key === 'hours.end')).toMatchObject({ value: '18:00', isDefault: false, default: '17:00' });
    expect(list.find((s) => s.key === 'hours.start')).toMatchObject({ value: '09:00', isDefault: true });
    expect(list.at(-1)).toMatchObject({ key: 'weight.source.webinar', value: '15', isDefault: false });
  });

  it('knows which keys reorder the queue', () => {
    expect(affectsQueueRank('weight.score')).toBe(true);
    expect(affectsQueueRank('weight.source.webinar')).toBe(true);
    expect(affectsQueueRank('weight.fresh')).toBe(false);
    expect(affectsQueueRank('hours.end')).toBe(false);
  });
});

describe('small parsers', () => {
  it.each([
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['sat-mon', [0, 1, 6]],
    ['tue', [2]],
    ['mon,wed', [1, 3]],
    ['monday', null],
    ['', null],
  ])('parseDays(%j)', (text, days) => expect(parseDays(text)).toEqual(days));

  it.each([
    ['30m', { ms: 1_800_000, businessDays: 0 }],
    ['4h', { ms: 14_400_000, businessDays: 0 }],
    ['1h30m', { ms: 5_400_000, businessDays: 0 }],
    ['2d', { ms: 172_800_000, businessDays: 0 }],
    ['1bd', { ms: 0, businessDays: 1 }],
    ['1w', { ms: 604_800_000, businessDays: 0 }],
    ['4', null],
    ['h', null],
    ['1.5bd', null],
    ['4 hours', null],
  ])('parseDelay(%j)', (text, delay) => expect(parseDelay(text)).toEqual(delay));

  it('formats delays back', () => {
    expect(formatDelay({ ms: 5_400_000, businessDays: 0 })).toBe('1h30m');
    expect(formatDelay({ ms: 0, businessDays: 1 })).toBe('1bd');
  });
});

describe('settings against the team\'s others', () => {
  const team = new Map([['disposition.left-message', 'retry no-contact after=2d'], ['disposition.sent-info', 'nurture contact']]);
  it.each([
    ['retry.no-answer', '2h', null],
    ['retry.left-message', '1d', null],
    ['retry.sent-info', '1d', "retry.sent-info sets the delay of a retry disposition, and 'sent-info' is a nurture disposition"],
    ['retry.no-anwser', '1h', "'no-anwser' is no disposition. The retry dispositions are no-answer, busy, voicemail, gatekeeper, left-message"],
    ['hours.start', '17:30', 'calling hours would run from 17:30 to 17:00'],
    ['hours.end', '10:00', null],
    ['qualify.required', 'need,budget', 'budget is in qualify.optional too'],
    ['qualify.optional', 'budget,need', 'need is in qualify.required too'],
  ])('%s = %s', (key, value, problem) => {
    const said = settingProblem(team, key, value);
    if (problem === null) expect(said).toBeNull();
    else expect(said).toContain(problem);
  });

  it.each([
    ['disposition.busy', 'do-not-call', "'busy' now puts the person's phone and e-mail on the do-not-call list for good, where by default it retries the lead after a delay."],
    ['disposition.busy', 'retry no-contact', null],
    ['disposition.voicemail', 'retry no-contact after=2d', 'applies to calls logged from now on'],
    ['retry.no-answer', '2h', 'applies to calls logged from now on'],
    ['max-per-day', '3', 'applies to calls logged from now on'],
    ['hours.end', '22:00', 'acts as 21:00'],
    ['weight.score', '1', null],
  ])('warns on %s = %s', (key, value, warning) => {
    const said = settingWarning(key, value);
    if (warning === null) expect(said).toBeNull();
    else expect(said).toContain(warning);
  });

  it('shows the retry delay in use, and what an unset team key means', () => {
    expect(getSetting(new Map([['disposition.voicemail', 'retry no-contact after=2d']]), 'retry.voicemail')).toMatchObject({ value: '2d', isDefault: false });
    expect(getSetting(team, 'retry.left-message')).toMatchObject({ value: '2d' });
    expect(getSetting(new Map(), 'weight.campaign.q4')).toMatchObject({ value: '0', isDefault: true });
    expect(getSetting(new Map(), 'disposition.sent-info')).toMatchObject({ value: 'off', isDefault: true });
    expect(() => getSetting(new Map(), 'retry.sent-info')).toThrow(/unknown setting/);
  });
});
