import { describe, expect, it } from 'vitest';
import { dialFormat } from '../../src/ui/lead-view.js';

describe('dialFormat', () => {
  it.each([
    ['+12125550142', '+1 (212) 555-0142'],
    ['+33142685317', '+33 1 42 68 53 17'],
    ['+442079460958', '+44 20 7946 0958'],
    ['+493086427150', '+49 30 86427150'],
    ['+999', '+999'],
  ])('%s → %s', (e164, shown) => expect(dialFormat(e164)).toBe(shown));
});
