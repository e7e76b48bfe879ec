import { describe, expect, it } from 'vitest';
import { explainScore, freshness, freshnessHorizon, newLeadRanker, queueRank, total, weightKey, type RankInput } from '../../src/core/priority.js';
import { resolveSettings } from '../../src/core/settings.js';

const w = resolveSettings(new Map([['weight.source.webinar', '15'], ['weight.campaign.q4-push', '-3']])).weights;
const NOW = new Date('2026-11-24T16:00:00Z');
const lead = (over: Partial<RankInput & { status: string; inbound_at: string | null }> = {}) => ({
  score: 50,
  attempts: 0,
  source: null,
  campaign: null,
  last_call_at: null,
  inbound_at: null,
  created_at: '2026-11-20T16:00:00.000Z',
  status: 'new',
  ...over,
});

describe('score terms', () => {
  it.each([
    ['score', lead({ score: 80 }), 40],
    ['attempts', lead({ attempts: 3 }), -15],
    ['source', lead({ source: 'Webinar' }), 15],
    ['campaign', lead({ campaign: 'Q4 Push' }), -3],
    ['waiting', lead({ created_at: '2026-11-22T16:00:00.000Z' }), 4],
    ['waiting', lead({ last_call_at: '2026-11-24T04:00:00.000Z' }), 1],
  ])('%s term of %j', (name, l, points) => {
    const term = explainScore(l, NOW, w).find((t) => t.name === name)!;
    expect(term.points).toBeCloseTo(points, 6);
  });

  it.each([
    [0, 200],
    [30, 100],
    [60, 50],
    [120, 12.5],
  ])('a new inbound lead %i minutes old earns %d freshness points', (minutes, points) => {
    const l = lead({ inbound_at: new Date(NOW.getTime() - minutes * 60_000).toISOString() });
    expect(freshness(l, NOW, w)).toBeCloseTo(points, 6);
  });

  it('freshness is only for new inbound leads', () => {
    expect(freshness(lead({ inbound_at: NOW.toISOString(), status: 'working' }), NOW, w)).toBe(0);
    expect(freshness(lead(), NOW, w)).toBe(0);
    expect(freshnessHorizon(w)).toBeCloseTo(Math.log2(200) * 30 * 60_000, 0);
  });

  it('the stored rank plus the clock equals the sum of the terms, for any lead and time', () => {
    const leads = [
      lead(),
      lead({ score: 90, attempts: 2, source: 'webinar', last_call_at: '2026-11-23T10:00:00.000Z' }),
      lead({ inbound_at: '2026-11-24T15:50:00.000Z', created_at: '2026-11-24T15:51:00.000Z', campaign: 'q4-push' }),
    ];
    for (const l of leads) {
      for (const at of [NOW, new Date('2027-03-01T12:00:00Z')]) {
        const sum = explainScore(l, at, w).reduce((a, t) => a + t.points, 0);
        expect(total(queueRank(l, w), l, at, w)).toBeCloseTo(sum, 6);
      }
    }
  });

  it('the clock never reorders two leads: the stored rank decides', () => {
    const a = lead({ score: 60, created_at: '2026-11-01T00:00:00.000Z' });
    const b = lead({ score: 90, created_at: '2026-11-20T00:00:00.000Z' });
    const later = new Date('2027-06-01T00:00:00Z');
    const order = (at: Date) => Math.sign(total(queueRank(a, w), a, at, w) - total(queueRank(b, w), b, at, w));
    expect(order(NOW)).toBe(Math.sign(queueRank(a, w) - queueRank(b, w)));
    expect(order(later)).toBe(order(NOW));
  });

  it('a fresh inbound lead outranks a top-scored lead with the default weights', () => {
    const fresh = lead({ score: 0, inbound_at: '2026-11-24T15:55:00.000Z', created_at: '2026-11-24T15:55:00.000Z' });
    const best = lead({ score: 100, source: 'webinar', created_at: '2026-11-01T00:00:00.000Z' });
    expect(total(queueRank(fresh, w), fresh, NOW, w)).toBeGreaterThan(total(queueRank(best, w), best, NOW, w));
  });

  it.each([
    ['Trade Show', 'trade-show'],
    ['  webinar ', 'webinar'],
    ['content_download', 'content-download'],
    [null, ''],
  ])('weight key of %j is %j', (value, key) => expect(weightKey(value)).toBe(key));
});

describe('newLeadRanker', () => {
  it('ranks new leads exactly as queueRank does', () => {
    const created = '2026-11-23T15:00:00.000Z';
    const rankNew = newLeadRanker(w, created);
    for (const source of [null, 'webinar', ' Webinar ', 'trade_show', 'constructor'])
      for (const campaign of [null, 'q4-push', 'Q4 push', 'other'])
        for (const score of [0, 37, 100]) {
          const expected = queueRank({ score, attempts: 0, source, campaign, last_call_at: null, created_at: created }, w);
          expect(Object.is(rankNew({ score, source, campaign }), expected)).toBe(true);
        }
  });
});

describe('source and campaign weights', () => {
  it("give no weight to a name that is only an object's inherited property", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const l = lead({ source: name, campaign: name });
      expect(queueRank(l, w)).toBe(queueRank(lead(), w));
      expect(newLeadRanker(w, l.created_at)({ score: 50, source: name, campaign: name })).toBe(queueRank(lead(), w));
      expect(explainScore(l, NOW, w).filter((t) => t.name === 'source' || t.name === 'campaign').map((t) => t.points)).toEqual([0, 0]);
    }
  });
});
