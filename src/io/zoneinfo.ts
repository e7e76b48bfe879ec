// A zone's UTC offset and abbreviation from the system's time-zone database (TZif files,
// /usr/share/zoneinfo or $TZDIR), and the zone the system runs in, for showing times on the card
// of `callq next` without starting ICU: the first Intl.DateTimeFormat costs ~22 ms of CPU, a
// tenth of a `callq next` (docs/design.md, "Start-up of the rep's commands"). Display only: the
// calling-hours rules keep Intl's one database. Answers only between the file's first and last
// transitions (fat files run to 2037); anything else, an unreadable file or an unknown format
// gives undefined, and the caller asks Intl.
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** A zone's local time at an instant: offset from UTC in ms, and the file's abbreviation ('EST', '+04'). */
export interface ZoneLocal {
  offset: number;
  abbreviation: string;
}

interface Transitions {
  /** Transition instants, ms, ascending. */
  at: number[];
  /** The local time in force from at[i]. */
  local: ZoneLocal[];
  /** The local time in force from the last transition on, when it never changes again (else undefined). */
  after: ZoneLocal | undefined;
}

const cache = new Map<string, Transitions | null>();
/** An IANA name: letters, digits and _+- in slash-separated parts, none of them '..' (it becomes a path). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The version 2+ (64-bit) data of a TZif file, or null when it is not one. */
export function parseTzif(buf: Buffer): Transitions | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif' || buf[4] < 0x32) return null;
  const counts = (o: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(o + 20 + i * 4));
  const [isut, isstd, leap, times, types, chars] = counts(0);
  const second = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut;
  if (buf.length < second + 44 || buf.toString('latin1', second, second + 4) !== 'TZif') return null;
  const [isut2, isstd2, leap2, times2, types2, chars2] = counts(second);
  // Leap-second files count TAI-like seconds: leave them to Intl.
  if (leap2 !== 0) return null;
  const o = second + 44;
  // Each local time type (6 bytes): its offset in seconds, whether DST, where its abbreviation starts.
  const typesAt = o + times2 * 9;
  const charsAt = typesAt + types2 * 6;
  if (types2 === 0 || buf.length < charsAt + chars2) return null;
  const abbreviations = buf.subarray(charsAt, charsAt + chars2);
  const kinds = Array.from({ length: types2 }, (_, type): ZoneLocal => {
    const from = buf[typesAt + type * 6 + 5];
    const end = abbreviations.indexOf(0, from);
    return { offset: buf.readInt32BE(typesAt + type * 6) * 1000, abbreviation: end < 0 ? '' : abbreviations.toString('latin1', from, end) };
  });
  const at: number[] = [];
  const local: ZoneLocal[] = [];
  for (let i = 0; i < times2; i++) {
    const type = buf[o + times2 * 8 + i];
    if (type >= types2) return null;
    at.push(Number(buf.readBigInt64BE(o + i * 8)) * 1000);
    local.push(kinds[type]);
  }
  for (let i = 1; i < at.length; i++) if (at[i] <= at[i - 1]) return null;
  // The footer's POSIX TZ string rules the time after the last transition: without a rule
  // (no ',': a zone that no longer changes its clocks) the last offset simply stays.
  const end = charsAt + chars2 + leap2 * 12 + isstd2 + isut2;
  const footer = buf.toString('latin1', end, buf.length);
  const steady = /^\n[^\n,]+\n$/.test(footer);
  // Type 0: the zone's only type when nothing changes.
  return { at, local, after: steady ? (local.length ? local[local.length - 1] : kinds[0]) : undefined };
}

function transitions(zone: string): Transitions | null {
  let t = cache.get(zone);
  if (t === undefined) {
    t = null;
    if (ZONE_NAME.test(zone)) {
      try {
        t = parseTzif(readFileSync(join(process.env.TZDIR || '/usr/share/zoneinfo', zone)));
      } catch {
        t = null;
      }
    }
    cache.set(zone, t);
  }
  return t;
}

/** `zone`'s local time at `ms` as its file says, or undefined when the database cannot say. */
export function zoneinfoLocal(zone: string, ms: number): ZoneLocal | undefined {
  const t = transitions(zone);
  if (!t) return undefined;
  if (t.at.length === 0 || ms >= t.at[t.at.length - 1]) return t.after;
  if (ms < t.at[0]) return undefined;
  let lo = 0;
  let hi = t.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.at[mid] <= ms) lo = mid;
    else hi = mid - 1;
  }
  return t.local[lo];
}

/** `zone`'s offset from UTC (local minus UTC, ms) at `ms`, or undefined when the database cannot say. */
export function zoneinfoOffset(zone: string, ms: number): number | undefined {
  return zoneinfoLocal(zone, ms)?.offset;
}

/**
 * Zones whose files' abbreviations are not the short names Intl gives them (core/when.ts asks
 * en-US, en-GB, en-AU and en-IN): 'JST' where Intl says 'GMT+9', 'HST' where it says 'HAST',
 * '+04' where it says 'GST'. Their names are left to Intl. test/io/zoneinfo.test.ts finds them
 * among all the names this system's files and Intl share, links included.
 */
const NAMED_OTHERWISE = new Set([
  'Africa/Addis_Ababa', 'Africa/Asmara', 'Africa/Asmera', 'Africa/Bangui', 'Africa/Blantyre', 'Africa/Brazzaville',
  'Africa/Bujumbura', 'Africa/Casablanca', 'Africa/Dar_es_Salaam', 'Africa/Djibouti', 'Africa/Douala', 'Africa/El_Aaiun',
  'Africa/Gaborone', 'Africa/Harare', 'Africa/Johannesburg', 'Africa/Juba', 'Africa/Kampala', 'Africa/Khartoum',
  'Africa/Kigali', 'Africa/Kinshasa', 'Africa/Lagos', 'Africa/Libreville', 'Africa/Luanda', 'Africa/Lubumbashi',
  'Africa/Lusaka', 'Africa/Malabo', 'Africa/Maputo', 'Africa/Maseru', 'Africa/Mbabane', 'Africa/Mogadishu',
  'Africa/Nairobi', 'Africa/Ndjamena', 'Africa/Niamey', 'Africa/Porto-Novo', 'Africa/Sao_Tome', 'Africa/Windhoek',
  'America/Adak', 'America/Atka', 'America/Chihuahua', 'America/Ciudad_Juarez', 'America/Dawson', 'America/Havana',
  'America/Hermosillo', 'America/Mazatlan', 'America/Scoresbysund', 'America/St_Johns', 'America/Whitehorse',
  'Antarctica/Casey', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Colombo', 'Asia/Dubai', 'Asia/Harbin', 'Asia/Hong_Kong',
  'Asia/Jakarta', 'Asia/Jayapura', 'Asia/Jerusalem', 'Asia/Karachi', 'Asia/Macao', 'Asia/Macau', 'Asia/Makassar',
  'Asia/Manila', 'Asia/Muscat', 'Asia/Pontianak', 'Asia/Pyongyang', 'Asia/Seoul', 'Asia/Shanghai', 'Asia/Taipei',
  'Asia/Tel_Aviv', 'Asia/Tokyo', 'Asia/Ujung_Pandang', 'Atlantic/Azores', 'Australia/Eucla', 'Australia/LHI',
  'Australia/Lord_Howe', 'Canada/Newfoundland', 'Canada/Yukon', 'Cuba', 'Eire', 'Etc/GMT', 'Europe/Dublin',
  'Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/Jersey', 'Europe/Kirov', 'Europe/Moscow', 'Europe/Simferopol',
  'Europe/Volgograd', 'GMT', 'GMT+0', 'GMT-0', 'GMT0', 'Hongkong', 'Indian/Antananarivo', 'Indian/Comoro',
  'Indian/Mayotte', 'Israel', 'Japan', 'MET', 'Mexico/BajaSur', 'PRC', 'Pacific/Guam', 'Pacific/Midway',
  'Pacific/Pago_Pago', 'Pacific/Saipan', 'Pacific/Samoa', 'ROC', 'ROK', 'US/Aleutian', 'US/Samoa', 'W-SU',
]);

/**
 * `zone`'s offset at `ms` and its short name as core/when.ts writes it with Intl: the file's
 * abbreviation ('EST'), a numeric one ('+0530') as Intl writes an offset it has no name for
 * ('GMT+5:30'); no name for the zones Intl names otherwise. Undefined when the file cannot say.
 */
export function zoneinfoTime(zone: string, ms: number): { offset: number; name?: string } | undefined {
  const local = zoneinfoLocal(zone, ms);
  if (!local) return undefined;
  if (!local.abbreviation || NAMED_OTHERWISE.has(zone)) return { offset: local.offset };
  return { offset: local.offset, name: /^[+-]\d+$/.test(local.abbreviation) ? gmtName(local.offset) : local.abbreviation };
}

/** 'GMT+5:30', 'GMT-3', 'GMT'. */
function gmtName(offset: number): string {
  if (offset === 0) return 'GMT';
  const minutes = Math.abs(offset) / 60_000;
  const rest = minutes % 60;
  return `GMT${offset < 0 ? '-' : '+'}${Math.floor(minutes / 60)}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}

/** Files in the zone folder that are not zones ICU takes from TZ. */
const NOT_ZONES = new Set(['posixrules', 'localtime', 'Factory']);

/**
 * The zone this process's Intl takes as the local one, read where ICU reads it, without starting
 * ICU: TZ, else where the link /etc/localtime points in the zone folder (a leading ':' and the
 * folder posix/ dropped, as ICU drops them). Undefined when that names no zone file here (an
 * empty TZ, a POSIX rule such as 'CET-1CEST', a copied /etc/localtime): the caller asks Intl.
 */
export function systemZone(): string | undefined {
  let name = process.env.TZ;
  if (name === undefined) {
    try {
      name = /\/zoneinfo\/(.+)$/.exec(readlinkSync('/etc/localtime'))?.[1];
    } catch {
      name = undefined;
    }
  }
  name = name?.replace(/^:/, '').replace(/^posix\//, '');
  return name && !NOT_ZONES.has(name) && transitions(name) ? name : undefined;
}
