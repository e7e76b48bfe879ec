// The rows a worker sends back must be exactly the rows the same chunk gives when it is
// normalised on the main thread (small files are), after the trip between threads.
import { describe, expect, it } from 'vitest';
import { flatRows, normaliseChunk, normaliseChunkFlat, type NormaliseSetup } from '../../src/io/import-worker.js';
import { mapColumns } from '../../src/io/fields.js';
import { recordLayout, type LeadDefaults } from '../../src/io/lead-record.js';
import { resolveSettings } from '../../src/core/settings.js';

const defaults: LeadDefaults = {
  country: 'US', list: 'q4', source: null, campaign: 'fall', inbound: false, now: '2026-11-23T15:00:00.000Z', defaultZone: null, weights: resolveSettings(new Map()).weights,
};
const HEADER = ['First Name', 'Email', 'Phone', 'Mobile', 'Country', 'Lead Score', 'Industry', 'Created Date'];

function setup(keepRejectedFields: boolean): NormaliseSetup {
  return { delimiter: ',', layout: recordLayout(mapColumns(HEADER)), defaults, keepRejectedFields };
}

const BODY = [
  'Ann,ann@acme.com,(212) 734-5526,,US,80,Software,',
  'Bo,not-an-email,212-734-5527,303-917-4402;303-917-4403,USA,hot,,11/23/2026 2:55 PM',
  ',,,,,,,',
  'Cy,cy@acme.com,,,US,,,',
  'Di,di@acme.com,123,,US,,,',
  '"Eve, Jr.","eve@acme.com","+44 20 7946 0958",,"United Kingdom",,"Line one\nline two",',
  'Fay,fay@acme.com,(212) 734-5528,,US,,,,extra',
  'Zoë,zoë@café.fr,+33 1 42 68 53 00,,FR,101,Café,2026-11-20',
  'Gus\u200B,gus@acme.com,(212) 734-5529,,,,,',
].join('\r\n');

describe('rows between threads', () => {
  it.each([true, false])('arrive as the main thread would have made them (rejected fields kept: %s)', (keep) => {
    const chunk = { text: BODY, firstLine: 2 };
    const inline = normaliseChunk(chunk, setup(keep));
    const sent = normaliseChunkFlat(chunk, setup(keep));
    if (!('rows' in inline) || !('flat' in sent)) throw new Error('expected rows');
    const received = [...flatRows(structuredClone(sent.flat))];
    expect(received).toEqual(inline.rows);
    // Every kind of row is in the sample: plain leads, leads with warnings, rejects.
    expect(received.filter((r) => typeof r[1] === 'string').map((r) => r[1])).toEqual(['no-phone', 'invalid-phone', 'malformed']);
    expect(received.filter((r) => Array.isArray(r[1]) && r[2]).length).toBeGreaterThan(0);
    expect(received.map((r) => r[0])).toEqual([2, 3, 5, 6, 7, 9, 10, 11]);
  });

  it('give the same error and line for a chunk that cannot be read', () => {
    const chunk = { text: `${BODY}\r\nHal,"hal@acme.com,(212) 734-5530,,US,,,`, firstLine: 2 };
    const inline = normaliseChunk(chunk, setup(false));
    expect(inline).toMatchObject({ error: expect.any(String), line: expect.any(Number) });
    expect(normaliseChunkFlat(chunk, setup(false))).toEqual(inline);
  });
});
