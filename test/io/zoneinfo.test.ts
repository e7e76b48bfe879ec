// Zone offsets and names from the system's time-zone database (src/io/zoneinfo.ts), which the
// lead card uses instead of starting ICU: they must agree with Intl for every zone, say nothing
// when they cannot know, and spare `callq next` every Intl.DateTimeFormat.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTzif, zoneinfoOffset, zoneinfoTime } from '../../src/io/zoneinfo.js';
import { localParts } from '../../src/core/calling-window.js';
import { formatBothZones, formatInZone } from '../../src/core/when.js';
import { callq, intlCountingEnv, tempDir } from '../helpers.js';

const ZONEINFO = process.env.TZDIR || '/usr/share/zoneinfo';
const available = existsSync(join(ZONEINFO, 'America', 'New_York'));

/** Intl's offset (local minus UTC, ms) of `zone` at `ms`, whole seconds. */
function intlOffset(zone: string, ms: number): number {
  const p = localParts(new Date(ms), zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

describe.skipIf(!available)(`zone offsets from ${ZONEINFO}`, () => {
  it('agree with Intl for every zone it knows, around each clock change of 2015–2036 and at other instants', () => {
    const from = Date.UTC(2015, 0, 1);
    const to = Date.UTC(2036, 0, 1);
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let answered = 0;
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const instants: number[] = [];
      for (let i = 0; i < 40; i++) instants.push(from + Math.floor(random() * (to - from)));
      // Each second around a change: just before, at, just after (found by Intl's own offsets).
      for (let day = from; day < to; day += 7 * 86_400_000) {
        if (intlOffset(zone, day) === intlOffset(zone, day + 7 * 86_400_000)) continue;
        let [lo, hi] = [day, day + 7 * 86_400_000];
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(zone, mid) === intlOffset(zone, lo)) lo = mid;
          else hi = mid;
        }
        instants.push(lo - 1000, lo, hi, hi + 1000);
      }
      for (const ms of instants) {
        const offset = zoneinfoOffset(zone, ms);
        if (offset === undefined) continue;
        answered++;
        expect(offset, `${zone} at ${new Date(ms).toISOString()}`).toBe(intlOffset(zone, ms));
      }
    }
    // Nearly every instant is answered (zones with clock changes stop at the file's last one, 2037).
    expect(answered).toBeGreaterThan(Intl.supportedValuesOf('timeZone').length * 40 * 0.9);
  });

  it('writes times and zone names as Intl does, for every name the files and Intl share (links too), or leaves the name to Intl', () => {
    // Every file under the zone folder that Intl takes as a zone (posix/ and right/ are copies).
    const names = readdirSync(ZONEINFO, { recursive: true, encoding: 'utf8' }).filter((n) => !/^(posix|right)\//.test(n));
    const zones = names.filter((n) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: n });
        return zoneinfoOffset(n, Date.UTC(2026, 0, 1)) !== undefined;
      } catch {
        return false;
      }
    });
    expect(zones).toEqual(expect.arrayContaining(['America/New_York', 'Asia/Kolkata', 'Japan', 'US/Pacific', 'EST5EDT']));
    const differ = new Set<string>();
    let named = 0;
    // Every 29 days and an hour, 2015–2036: within every stretch between two clock changes, where
    // the name holds (the test above checks the offsets at each change).
    for (const zone of zones) {
      for (let ms = Date.UTC(2015, 0, 1); ms < Date.UTC(2036, 0, 1); ms += 29 * 86_400_000 + 3_600_000) {
        const at = new Date(ms);
        const known = zoneinfoTime(zone, ms);
        if (known?.name) named++;
        if (formatInZone(at, zone, { lookup: zoneinfoTime }) !== formatInZone(at, zone)) differ.add(zone);
      }
    }
    expect([...differ], 'zones whose names the files give otherwise than Intl: add them to NAMED_OTHERWISE').toEqual([]);
    // The files name nearly every zone: ICU starts only for the few Intl names otherwise.
    expect(named).toBeGreaterThan(zones.length * 250 * 0.75);
    const at = new Date('2026-11-24T16:00:00Z');
    expect(formatInZone(at, 'Asia/Kolkata', { lookup: zoneinfoTime })).toBe('Tue 24 Nov 21:30 IST');
    expect(formatInZone(at, 'Asia/Kathmandu', { lookup: zoneinfoTime })).toBe('Tue 24 Nov 21:45 GMT+5:45');
    expect(formatBothZones(at, 'America/Chicago', 'Asia/Tokyo', zoneinfoTime)).toBe('Tue 24 Nov 10:00 CST (lead) · Wed 25 Nov 01:00 GMT+9 (you)');
    expect(formatBothZones(at, 'America/Chicago', 'America/Chicago', zoneinfoTime)).toBe('Tue 24 Nov 10:00 CST');
  });

  it('answers zones that no longer change their clocks at any later instant, and gives up past the last change of one that does', () => {
    const far = Date.UTC(2090, 5, 1);
    expect(zoneinfoOffset('Asia/Kolkata', far)).toBe(5.5 * 3_600_000);
    expect(zoneinfoOffset('UTC', far)).toBe(0);
    expect(zoneinfoOffset('America/New_York', Date.UTC(2026, 10, 24, 15))).toBe(-5 * 3_600_000);
    expect(zoneinfoOffset('America/New_York', far)).toBeUndefined();
  });

  it('says nothing for unknown zones, names that are not zone names, and files that are not TZif', () => {
    expect(zoneinfoOffset('Mars/Olympus_Mons', Date.UTC(2026, 0, 1))).toBeUndefined();
    expect(zoneinfoOffset('../../etc/passwd', Date.UTC(2026, 0, 1))).toBeUndefined();
    expect(zoneinfoOffset('/etc/passwd', Date.UTC(2026, 0, 1))).toBeUndefined();
    expect(parseTzif(Buffer.from('not a zone file at all, but long enough to hold a header of 44 bytes'))).toBeNull();
    const real = readFileSync(join(ZONEINFO, 'Europe', 'Paris'));
    expect(parseTzif(real)).not.toBeNull();
    expect(parseTzif(real.subarray(0, 60))).toBeNull();
  });

  it('spares `callq next` every Intl.DateTimeFormat, and its card shows the local time Intl gives', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'q.db');
      const csv = join(dir, 'leads.csv');
      writeFileSync(csv, 'Name,Phone,Time Zone\nAna Lee,+1 212 555 0100,America/New_York\nBo Chen,+1 709 555 0123,America/St_Johns\n');
      const now = '2026-11-24T15:07:00Z';
      expect(callq(['--db', db, '--now', now, 'import', csv]).code).toBe(0);
      // Counts the Intl.DateTimeFormat objects the process makes.
      const env = intlCountingEnv(dir);
      // The control, a command that does use Intl: it is counted. (It also stores each zone
      // group's calling windows for the week, as the team's first command of the week does.)
      const queue = callq(['--db', db, '--rep', 'cy', '--now', now, 'queue'], { env });
      expect(queue.stderr).toMatch(/Intl\.DateTimeFormat made: [1-9]/);
      const seen: string[] = [];
      for (const rep of ['ana', 'ben']) {
        const next = callq(['--db', db, '--rep', rep, '--now', now, 'next'], { env });
        expect(next.code, next.stderr).toBe(0);
        expect(next.stderr).toContain('Intl.DateTimeFormat made: 0');
        seen.push(next.stdout.match(/lead time (.*?)  inside/)![1]);
      }
      const at = (zone: string) => {
        const p = localParts(new Date(now), zone);
        return `Tue ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
      };
      expect(seen.sort()).toEqual([`${at('America/New_York')} New York`, `${at('America/St_Johns')} St Johns`].sort());
    } finally {
      cleanup();
    }
  });
});
