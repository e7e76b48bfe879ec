import { describe, expect, it } from 'vitest';
import { leadZones, primaryZone, zonesOf } from '../../src/core/calling-window.js';

describe("a lead's zones", () => {
  it.each([
    [null, [], null],
    ['', [], null],
    ['America/New_York', ['America/New_York'], 'America/New_York'],
    ['America/Denver,America/Phoenix', ['America/Denver', 'America/Phoenix'], 'America/Denver'],
  ])('%j → %j, primary %j', (timezone, zones, primary) => {
    expect(leadZones({ timezone })).toEqual(zones);
    expect(zonesOf(timezone)).toEqual(zones);
    expect(primaryZone({ timezone })).toBe(primary);
  });
});
