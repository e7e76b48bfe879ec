// The best-n scores the fresh-lead search keeps (src/core/queue-order.ts TopScores).
import { describe, expect, it } from 'vitest';
import { TopScores } from '../../src/core/queue-order.js';

describe('TopScores', () => {
  it('has no bar until it holds n scores, then the n-th best of every score added', () => {
    const top = new TopScores(3);
    expect(top.bar).toBe(-Infinity);
    top.add(5);
    top.add(9);
    expect(top.bar).toBe(-Infinity);
    top.add(1);
    expect(top.bar).toBe(1);
    top.add(7);
    expect(top.bar).toBe(5);
    top.add(5);
    expect(top.bar).toBe(5);
    top.add(2);
    expect(top.bar).toBe(5);
  });

  it('agrees with sorting every score, on random scores with ties', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 4, 8]) {
      const top = new TopScores(n);
      const all: number[] = [];
      for (let i = 0; i < 500; i++) {
        const score = Math.floor(random() * 50);
        top.add(score);
        all.push(score);
        const sorted = [...all].sort((a, b) => b - a);
        expect(top.bar, `n ${n}, after ${i + 1}`).toBe(sorted.length >= n ? sorted[n - 1] : -Infinity);
      }
    }
  });
});
