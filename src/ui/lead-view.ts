// The lead card reps read (an 80-column layout). The JSON shape is in lead-json.ts, which
// scripts' hot paths load without this module and its phone formatting.
import type { ChalkInstance } from 'chalk';
import { createRequire } from 'node:module';
import type { LeadRow } from '../db/leads.js';
import type { CallRow } from '../db/calls.js';
import type { NumberSharer } from '../db/store/rep.js';
import type { PriorityTerm } from '../core/priority.js';
import { leadZones, primaryZone, type LocalParts } from '../core/calling-window.js';
import { formatBothZones, formatInZone, localPartsVia, type ZoneLookup } from '../core/when.js';
import { pad, truncate, visibleLength } from './table.js';
import { chunkToWidth } from './width.js';
import { nameToShow, parseJson } from './lead-json.js';
import { safeText, safeValue } from './safe-text.js';

/**
 * A phone number laid out for dialling: North American numbers as +1 (212) 555-0142, others in
 * their country's international grouping (+33 1 02 93 54 89). The `min` metadata has every
 * country's formats and loads in a fraction of the time of `max`, which validation needs; it
 * is loaded only when a number outside North America is shown (as an ES module at start-up it
 * cost every card, queue and why ~35 ms).
 */
export function dialFormat(e164: string): string {
  const nanp = e164.match(/^\+1(\d{3})(\d{3})(\d{4})$/);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  formatter ??= createRequire(import.meta.url)('libphonenumber-js/min') as PhoneFormatter;
  return formatter.parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** The number laid out for dialling, then its extension: '+1 (212) 736-3001 ext. 101'. */
export function dialWithExtension(e164: string, ext: string | null): string {
  return ext ? `${dialFormat(e164)} ext. ${ext}` : dialFormat(e164);
}

type PhoneFormatter = typeof import('libphonenumber-js/min');
let formatter: PhoneFormatter | undefined;

const pad2 = (n: number) => String(n).padStart(2, '0');
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * "Tue 10:42 in America/New_York" for each zone of the lead. `lookup`, when it knows a zone,
 * spares the card Intl's start-up (docs/design.md, "Start-up of the rep's commands").
 */
export function leadLocalTime(lead: Pick<LeadRow, 'timezone' | 'timezone_source'>, now: Date, lookup?: ZoneLookup): string {
  const zones = leadZones(lead);
  if (zones.length === 0) return 'time zone unknown';
  const assumed = lead.timezone_source === 'default' ? ' (zone assumed)' : '';
  if (zones.length > SPELLED_ZONES) return zoneSpan(zones, now, lookup) + assumed;
  const parts = zones.map((z) => {
    const p = localPartsVia(now, z, lookup);
    return `${WEEKDAY[p.weekday]} ${pad2(p.hour)}:${pad2(p.minute)} ${z.replace(/^.*\//, '').replace(/_/g, ' ')}`;
  });
  return parts.join(' / ') + assumed;
}

/** A lead in more zone groups than this (a country's several zones, no area to tell which) gets the span of its clocks. */
const SPELLED_ZONES = 3;

/**
 * The earliest and latest local time among `zones`, and how many zones: 'Tue 10:00–15:00 in 29
 * zones', 'Tue 23:30–Wed 02:30 in 5 zones'. A toll-free number or a mobile with only a country
 * has every zone of that country; spelled out, the card's line and the queue's column ran to
 * 600 characters and cut off whether the lead was inside calling hours.
 */
function zoneSpan(zones: readonly string[], now: Date, lookup?: ZoneLookup): string {
  const clocks = zones.map((z) => localPartsVia(now, z, lookup)).map((p) => ({ p, at: Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) }));
  clocks.sort((a, b) => a.at - b.at);
  const [first, last] = [clocks[0].p, clocks[clocks.length - 1].p];
  const time = (p: LocalParts) => `${pad2(p.hour)}:${pad2(p.minute)}`;
  const to = first.dateKey === last.dateKey ? time(last) : `${WEEKDAY[last.weekday]} ${time(last)}`;
  const span = first.dateKey === last.dateKey && time(first) === time(last) ? time(first) : `${time(first)}–${to}`;
  return `${WEEKDAY[first.weekday]} ${span} in ${zones.length} zones`;
}

export interface CardExtras {
  now: Date;
  /** Why this lead is next, in words. */
  why?: string;
  total?: number;
  terms?: PriorityTerm[];
  calls?: CallRow[];
  insideHours?: boolean;
  /** When the lead's calling hours close, while inside them (calling-window.ts windowCloses): said when that is soon. */
  hoursClose?: Date | null;
  notice?: string;
  /** The reader's zone (args.ts, viewerZone): call times and the claim in it, a callback in it and the lead's. */
  viewerZone: string;
  /** Zone offsets and names known without Intl, for every time on the card. */
  lookup?: ZoneLookup;
  /** Other leads whose own number is this lead's (RepStore.sharingNumber, SHARERS_NAMED + 1 of them at most). */
  sharing?: readonly NumberSharer[];
  /** Every custom field (callq show); otherwise two lines of them and how many more. */
  allFields?: boolean;
  /** The terminal's width: the card is drawn 78 columns wide, narrower in a narrower terminal. */
  columns?: number;
}

/** How long before a lead's calling hours close the card says so: a call started then may run past them. */
export const CLOSING_SOON_MS = 15 * 60_000;

/** 'closes in 4 min', 'closes in under a minute', or null while more than CLOSING_SOON_MS are left. */
export function closingSoon(closes: Date, now: Date): string | null {
  const ms = closes.getTime() - now.getTime();
  if (ms > CLOSING_SOON_MS) return null;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 1 ? 'closes in under a minute' : `closes in ${minutes} min`;
}

/**
 * The card's width in a terminal of `columns`: 78 at most, 30 at least; 78 when the width is not
 * known (not a terminal, or one that reports 0 columns, as `script` and some serial consoles do).
 */
export function cardWidth(columns: number | undefined): number {
  return Math.max(30, Math.min(78, (columns || 80) - 2));
}

// Every value from the store is laid out as one safe line (safe-text.ts): a name or note holding
// terminal escapes or bidi overrides shows them as marks instead of obeying them.
export function renderCard(lead: LeadRow, x: CardExtras, c: ChalkInstance): string {
  const width = cardWidth(x.columns);
  const rule = c.dim('─'.repeat(width));
  const lines: string[] = [rule];
  const name = nameToShow(lead) || '(no name)';
  lines.push(`${c.bold(name)}${lead.title ? c.dim(' · ') + safeText(lead.title) : ''}${c.dim('  #' + lead.id)}`);
  if (lead.company) lines.push(c.cyan(safeText(lead.company)));
  lines.push('');
  lines.push(`  ${c.bold.green('☎ ' + safeText(dialWithExtension(lead.phone, lead.phone_ext)))}${lead.email ? c.dim('   ' + safeText(lead.email)) : ''}`);
  const alts = parseJson<string[]>(lead.alt_phones, []);
  if (alts.length) lines.push(c.dim(`    also ${alts.map(dialFormat).join(', ')}`));
  if (x.sharing?.length) lines.push(...sharingLines(x.sharing, width).map((l) => c.dim(l)));
  const closing = x.insideHours && x.hoursClose ? closingSoon(x.hoursClose, x.now) : null;
  const hours =
    x.insideHours === undefined ? '' : x.insideHours ? c.green('  inside calling hours') + (closing ? c.yellow(` · ${closing}`) : '') : c.yellow('  outside calling hours');
  lines.push(`  ${c.bold('lead time')} ${leadLocalTime(lead, x.now, x.lookup)}${hours}`);
  const place = safeText([lead.region, lead.country].filter(Boolean).join(', '));
  lines.push(
    `  ${c.bold('status')} ${lead.status}   ${c.bold('attempts')} ${lead.attempts}   ${c.bold('score')} ${lead.score}` +
      `${place ? `   ${c.bold('where')} ${place}` : ''}`,
  );
  const origin = [lead.source && `source ${lead.source}`, lead.campaign && `campaign ${lead.campaign}`, lead.list && `list ${lead.list}`].filter(Boolean);
  if (origin.length) lines.push(c.dim(`  ${safeText(origin.join(' · '))}`));
  if (lead.callback_at && lead.status === 'callback') {
    const due = bothZones(new Date(lead.callback_at), lead, x.viewerZone, x.lookup);
    // Both zones take most of the line: whose callback it is may go on the next.
    const items = [`callback due ${due}`, ...(lead.callback_rep ? [`for ${safeText(lead.callback_rep)}`] : [])];
    lines.push(...wrapItems(items, width, ' ').map((l) => c.magenta(l)));
  }
  const custom = Object.entries(parseJson<Record<string, string>>(lead.custom, {})).filter(([, v]) => v !== '' && v !== null);
  if (custom.length) {
    const items = custom.map(([k, v]) => `${safeText(k)}: ${truncate(safeText(String(v).replace(/\s+/g, ' ')), 60)}`);
    lines.push(...customLines(items, width, x.allFields ? Infinity : 2, lead.id).map((l) => c.dim(l)));
  }
  if (x.calls?.length) {
    lines.push('');
    lines.push(c.bold('  last calls'));
    x.calls.slice(0, 3).forEach((call, i) => {
      const when = formatInZone(new Date(call.called_at), x.viewerZone, { lookup: x.lookup });
      const [disposition, rep] = [safeText(call.disposition), safeText(call.rep)];
      const head = `   ${when} ${disposition} by ${rep}`;
      const text = safeValue(call.notes?.replace(/\s+/g, ' '));
      const room = width - visibleLength(head) - 3;
      // The latest note is read in full (on its own lines if need be); older ones get what is left of their line.
      const wrapped = i === 0 && visibleLength(text) > room;
      const note = text && !wrapped ? ` — ${truncate(text, Math.max(10, room))}` : '';
      lines.push(`   ${c.dim(when)} ${disposition} ${c.dim('by ' + rep)}${note}`);
      if (wrapped) lines.push(...wrapItems(text.split(' '), width - 4, ' ').slice(0, 3).map((l) => `    ${l}`));
    });
  }
  if (x.why) {
    lines.push('');
    lines.push(c.dim(`  next because: ${x.why}${x.total !== undefined ? ` (score ${x.total.toFixed(1)})` : ''}`));
  }
  if (x.terms) lines.push(...renderTerms(x.terms, x.total ?? 0, c).split('\n').map((l) => '  ' + l));
  if (x.notice) lines.push(...wrapItems(x.notice.split(' '), width, ' ').map((l) => c.yellow(l)));
  lines.push(rule);
  return lines.map((line) => truncate(line, width + 2)).join('\n');
}

/** An instant for a lead in its zone and the viewer's ('… CST (lead) · 11:00 EST (you)'); the viewer's alone when the lead's zone is unknown. */
export function bothZones(at: Date, lead: Pick<LeadRow, 'timezone'>, viewerZone: string, lookup?: ZoneLookup): string {
  const zone = primaryZone(lead);
  return zone ? formatBothZones(at, zone, viewerZone, lookup) : formatInZone(at, viewerZone, { lookup });
}

/** Items joined by `separator`, wrapped into lines of at most `width` columns, each indented by two spaces. */
/**
 * A lead's custom fields in at most `maxLines` lines: as many as fit, in the file's order, and
 * then how many more there are and where to see them all (`callq show`).
 */
function customLines(items: string[], width: number, maxLines: number, id: number): string[] {
  for (let shown = items.length; shown > 0; shown--) {
    const rest = items.length - shown;
    const lines = wrapItems(rest ? [...items.slice(0, shown), `+${rest} more (callq show ${id})`] : items, width, ' · ');
    if (lines.length <= maxLines) return lines;
  }
  return wrapItems([`${items.length} fields (callq show ${id})`], width, ' · ');
}

/** How many colleagues at the lead's number the card names (it says when there are more). */
export const SHARERS_NAMED = 3;

/**
 * 'also at this number: James Patel #2, Siobhán Ó Briain #3', wrapped to `width`: colleagues at
 * a company's main number, so a rep knows the number is a switchboard, and that a do-not-call
 * on it reaches them too. `sharers` holds one more than SHARERS_NAMED when there are more.
 */
function sharingLines(sharers: readonly NumberSharer[], width: number): string[] {
  const named = sharers.slice(0, SHARERS_NAMED).map((s) => `${nameToShow(s) || 'lead'} #${s.id}`);
  const items = named.map((n, i) => (i < named.length - 1 || sharers.length > SHARERS_NAMED ? `${n},` : n));
  if (sharers.length > SHARERS_NAMED) items.push('and more');
  return wrapItems(['  also at this number:', ...items], width - 4, ' ').map((line, i) => (i === 0 ? line : `    ${line}`));
}

export function wrapItems(items: string[], width: number, separator = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  // An item wider than a line (a note in Chinese or Japanese has no spaces) is cut between characters.
  for (const item of items.flatMap((i) => (visibleLength(i) > width - 2 ? chunkToWidth(i, width - 2) : [i]))) {
    const next = line ? `${line}${separator}${item}` : `  ${item}`;
    if (line && visibleLength(next) > width) {
      lines.push(line);
      line = `  ${item}`;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** Columns a term's input takes at most in --explain (a campaign's whole name, unless very long). */
const TERM_INPUT_MAX = 48;

export function renderTerms(terms: PriorityTerm[], total: number, c: ChalkInstance): string {
  // Freshness long gone (an inbound lead of days ago) shows as nothing rather than 0.0; JSON keeps every term.
  const shown = terms.filter((t) => t.name !== 'fresh' || Math.abs(t.points) >= 0.05);
  const width = Math.min(TERM_INPUT_MAX, Math.max(22, ...shown.map((t) => visibleLength(safeText(t.input)))));
  const rows = shown.map((t) => `${t.name.padEnd(9)} ${pad(truncate(safeText(t.input), width), width)} × ${String(t.weight).padStart(6)} = ${t.points.toFixed(1).padStart(7)}`);
  return [...rows, c.bold(`${'total'.padEnd(9)} ${''.padEnd(width)}   ${''.padStart(6)}   ${total.toFixed(1).padStart(7)}`)].join('\n');
}
