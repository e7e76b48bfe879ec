import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { cardWidth, closingSoon, dialFormat, leadLocalTime, renderTerms } from '../../src/ui/lead-view.js';
import type { PriorityTerm } from '../../src/core/priority.js';

describe('dialFormat', () => {
  it.each([
    ['+12125550142', '+1 (212) 555-0142'],
    ['+33142685317', '+33 1 42 68 53 17'],
    ['+442079460958', '+44 20 7946 0958'],
    ['+493086427150', '+49 30 86427150'],
    ['+999', '+999'],
  ])('%s → %s', (e164, shown) => expect(dialFormat(e164)).toBe(shown));
});

describe('leadLocalTime', () => {
  const at = new Date('2026-11-24T20:00:00Z'); // Tue 15:00 New York
  const lead = (timezone: string, timezone_source = 'phone') => ({ timezone, timezone_source });

  it('spells out each clock of a lead in up to three zones', () => {
    expect(leadLocalTime(lead('America/New_York'), at)).toBe('Tue 15:00 New York');
    expect(leadLocalTime(lead('America/Adak,America/Anchorage'), at)).toBe('Tue 10:00 Adak / Tue 11:00 Anchorage');
    expect(leadLocalTime(lead('America/New_York', 'default'), at)).toBe('Tue 15:00 New York (zone assumed)');
  });

  it("gives a country's many zones as the span of their clocks", () => {
    const us = 'America/Chicago,America/Los_Angeles,America/New_York,Pacific/Honolulu';
    expect(leadLocalTime(lead(us), at)).toBe('Tue 10:00–15:00 in 4 zones');
    expect(leadLocalTime(lead(us, 'country'), at)).toBe('Tue 10:00–15:00 in 4 zones');
    // Across midnight, the last clock's day is named too.
    const wide = 'America/Los_Angeles,Asia/Tokyo,Europe/London,Pacific/Kiritimati';
    expect(leadLocalTime(lead(wide), new Date('2026-11-24T14:30:00Z'))).toBe('Tue 06:30–Wed 04:30 in 4 zones');
    // Zones that agree on the time give it once.
    expect(leadLocalTime(lead('Europe/Berlin,Europe/Paris,Europe/Rome,Europe/Madrid'), at)).toBe('Tue 21:00 in 4 zones');
  });
});

describe('cardWidth', () => {
  it.each([
    [undefined, 78],
    [0, 78], // a terminal that does not know its width
    [200, 78],
    [80, 78],
    [50, 48],
    [20, 30],
  ])('%s columns → %i', (columns, width) => expect(cardWidth(columns)).toBe(width));
});

describe('closingSoon', () => {
  const closes = new Date('2026-11-24T22:00:00Z');
  it.each([
    ['2026-11-24T21:30:00Z', null], // half an hour left: nothing said
    ['2026-11-24T21:45:00Z', 'closes in 15 min'],
    ['2026-11-24T21:58:30Z', 'closes in 1 min'],
    ['2026-11-24T21:59:30Z', 'closes in under a minute'],
  ])('at %s: %s', (now, said) => expect(closingSoon(closes, new Date(now))).toBe(said));
});

describe('renderTerms (--explain)', () => {
  const plain = new Chalk({ level: 0 });
  const terms = (campaign: string): PriorityTerm[] => [
    { name: 'score', input: '80', weight: 0.5, points: 40 },
    { name: 'campaign', input: campaign, weight: 10, points: 10 },
  ];
  it('shows an input whole, a campaign name as long as 48 columns included, and keeps the columns aligned', () => {
    const name = '2026-Q3 Webinar: Zero-Trust for Mid-Market';
    const lines = renderTerms(terms(name), 50, plain).split('\n');
    expect(lines[1]).toContain(name);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1); // the points column lines up, the total's too
    expect(lines[2]).toMatch(/^total\s+50\.0$/);
  });
  it('cuts only an input longer than 48 columns', () => {
    const lines = renderTerms(terms('x'.repeat(60)), 50, plain).split('\n');
    expect(lines[1]).toContain(`${'x'.repeat(47)}…`);
  });
});
