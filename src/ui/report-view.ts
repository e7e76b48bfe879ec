// How `callq report` reads for people (docs/reports.md): tables with bars, percentages marked
// when the sample is small, a legend under each. The figures come from core/reports.ts.
import type { ChalkInstance } from 'chalk';
import {
  SMALL_SAMPLE,
  WEEKDAY_NAMES,
  WEEK_ORDER,
  isSmallSample,
  type FunnelRow,
  type GroupField,
  type HourCell,
  type hoursGrid,
  type reasonGroups,
  type repRows,
} from '../core/reports.js';
import type { Period } from '../core/period.js';
import { localParts } from '../core/calling-window.js';
import { formatDuration } from '../core/when.js';
import { renderTable, truncate, visibleLength } from './table.js';
import { bar, barWidth, heat, withBars } from './chart.js';
import { safeText } from './safe-text.js';

/** What a report's title says: how leads are grouped, the period, the zone its times are in. */
export interface ReportHeading {
  by: GroupField;
  period: Period;
  zone: string;
}

/** '14.6% ', '50.0%*' on a small sample, '—' with nothing to divide by. */
function percent(value: number | null, n: number): string {
  if (value === null) return '— ';
  return `${(value * 100).toFixed(1)}%${isSmallSample(n) ? '*' : ' '}`;
}

function marked(text: string, n: number): string {
  return n === 0 ? '— ' : `${text}${isSmallSample(n) ? '*' : ' '}`;
}

/** Time from import to first call: '45s', '3m20s', '5h00m', '2d04h'. */
function span(seconds: number | null): string {
  if (seconds === null) return '';
  const s = Math.max(0, Math.round(seconds));
  return s < 86_400 ? formatDuration(s) : `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

export function groupLabel(group: string | null, isTotal = false): string {
  return isTotal ? '(all)' : group ?? '(none)';
}


function describePeriod(p: Period, what: string, zone: string): string {
  const at = (d: Date) => {
    const l = localParts(d, zone);
    return `${l.dateKey} ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
  };
  if (!p.since && !p.until) return 'all time';
  const range = p.since && p.until ? `from ${at(p.since)} to ${at(p.until)}` : p.since ? `since ${at(p.since)}` : `before ${at(p.until!)}`;
  return `${what} ${range} (${zone})`;
}

const LEGEND = `* fewer than ${SMALL_SAMPLE} behind the figure: read with care · — nothing to divide by`;

/** A table whose numeric columns are right-aligned under right-aligned headers. */
function table(headers: string[], rows: string[][], numeric: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i]))));
  const align = (cells: string[]) => cells.map((cell, i) => (numeric[i] ? ' '.repeat(widths[i] - visibleLength(cell)) + cell : cell));
  return renderTable(align(headers), rows.map(align), { width: 1000 });
}

/** A group, reason or rep name (values from the store: one safe line) cut to 24 terminal columns. */
const label = (text: string) => truncate(safeText(text), 24);


export function funnelText(c: ChalkInstance, width: number, o: ReportHeading, rows: FunnelRow[], all: FunnelRow): string {
  const list = [...rows, all];
  const names = list.map((r, i) => label(groupLabel(r.group, i === rows.length)));
  const stages = table(
    [o.by, 'leads', 'attempted', 'contacted', 'sales-ready', 'conversion'],
    list.map((r, i) => [names[i], String(r.leads), String(r.attempted), String(r.contacted), String(r.sales_ready), percent(r.conversion, r.leads)]),
    [false, true, true, true, true, true],
  );
  const top = Math.max(...list.map((r) => r.conversion ?? 0));
  const bars = list.map((r) => bar(r.conversion, top, barWidth(visibleLength(stages.split('\n')[0]) + 2, width, { max: 30 })));
  const quality = table(
    [o.by, 'reached', 'of contacted', 'attempts', 'to 1st call'],
    list.map((r, i) => [
      names[i],
      percent(r.contact_rate, r.attempted),
      percent(r.conversion_of_contacted, r.contacted),
      marked(r.median_attempts_to_qualify === null ? '' : String(r.median_attempts_to_qualify), r.sales_ready),
      marked(span(r.median_seconds_to_first_call), r.attempted),
    ]),
    [false, true, true, true, true],
  );
  const digits = String(all.leads).length;
  const lost = table(
    [o.by, 'disqualified', 'exhausted', 'do-not-call'],
    list.map((r, i) => [names[i], ...[r.disqualified, r.exhausted, r.do_not_call].map((n) => `${String(n).padStart(digits)} ${percent(r.leads ? n / r.leads : null, r.leads).padStart(7)}`)]),
    [false, true, true, true],
  );
  return [
    c.bold(`Funnel by ${o.by} — ${describePeriod(o.period, 'leads created', o.zone)}`),
    '',
    withBars(stages, bars, c.cyan),
    '',
    quality,
    '',
    lost,
    '',
    c.dim('conversion = sales-ready ÷ leads (of contacted: ÷ contacted) · reached = leads'),
    c.dim('contacted ÷ leads attempted (a rep\'s contact rate, in report reps, is contacts'),
    c.dim('÷ dials) · attempts: median calls of the leads that became'),
    c.dim('sales-ready · to 1st call: median time from import to first call'),
    c.dim('why leads were lost: callq report reasons'),
    c.dim(LEGEND),
  ].join('\n');
}

export function reasonsText(c: ChalkInstance, width: number, o: ReportHeading, groups: ReturnType<typeof reasonGroups>['groups'], total: ReturnType<typeof reasonGroups>['total']): string {
  const lines = [c.bold(`Why leads were lost, by ${o.by} — ${describePeriod(o.period, 'leads created', o.zone)}`)];
  for (const [i, g] of [...groups, total].entries()) {
    const name = i === groups.length ? `all ${o.by}s` : safeText(groupLabel(g.group));
    lines.push('', `${c.bold(name)}: ${g.leads} leads, ${g.lost} lost (${percent(g.leads ? g.lost / g.leads : null, g.leads).trim()})`);
    if (g.reasons.length === 0) continue;
    const t = table(
      ['reason', 'leads', 'of lost', 'of leads'],
      g.reasons.map((r) => [label(r.reason), String(r.leads), percent(r.share_of_lost, g.lost), percent(r.share_of_leads, g.leads)]),
      [false, true, true, true],
    );
    const top = Math.max(...g.reasons.map((r) => r.leads));
    const bars = g.reasons.map((r) => bar(r.leads, top, barWidth(visibleLength(t.split('\n')[0]) + 4, width, { max: 30 })));
    lines.push(...withBars(t, bars, c.cyan).split('\n').map((l) => '  ' + l));
  }
  lines.push('', c.dim('lost = disqualified (by reason) + do-not-call + exhausted (max-attempts calls'), c.dim('in a row without reaching anyone)'), c.dim(LEGEND));
  return lines.join('\n');
}

export function repsText(c: ChalkInstance, width: number, o: ReportHeading, reps: ReturnType<typeof repRows>['reps'], total: ReturnType<typeof repRows>['total']): string {
  const list = [...reps, { rep: '(all)', ...total }];
  const t = table(
    ['rep', 'dials', 'contacts', 'contact rate', 'sales-ready', 'hours', 'dials/h', 'talk time'],
    list.map((r) => [
      label(r.rep),
      String(r.dials),
      String(r.contacts),
      percent(r.contact_rate, r.dials),
      String(r.sales_ready),
      String(r.active_hours),
      r.dials_per_hour === null ? '—' : r.dials_per_hour.toFixed(1),
      formatDuration(r.talk_time_s),
    ]),
    [false, true, true, true, true, true, true, true],
  );
  // Each rep's calls by outcome, the team's most frequent outcomes first, in as many tables as
  // the terminal's width needs (eleven outcomes side by side take some 130 columns).
  const names = list.map((r) => label(r.rep));
  const first = Math.max(3, ...names.map(visibleLength)) + 2;
  const chunks: string[][] = [];
  let used = width;
  for (const d of Object.keys(total.dispositions)) {
    const w = Math.max(visibleLength(d), String(total.dispositions[d]).length) + 2;
    if (used + w > width) {
      chunks.push([]);
      used = first;
    }
    chunks[chunks.length - 1].push(d);
    used += w;
  }
  const byOutcome = chunks
    .map((outcomes) => table(['rep', ...outcomes], list.map((r, i) => [names[i], ...outcomes.map((d) => String(r.dispositions[d] ?? 0))]), [false, ...outcomes.map(() => true)]))
    .join('\n\n');
  return [
    c.bold(`Rep activity — ${describePeriod(o.period, 'calls', o.zone)}`),
    '',
    reps.length ? t : 'No calls in this period.',
    ...(reps.length ? ['', c.bold('Outcomes'), '', byOutcome] : []),
    '',
    c.dim('hours = clock hours with at least one call · dials/h = dials ÷ those hours'),
    c.dim('talk time = sum of call durations'),
    c.dim(LEGEND),
  ].join('\n');
}

export function hoursText(c: ChalkInstance, width: number, o: ReportHeading, grid: ReturnType<typeof hoursGrid>): string {
  const hours = grid.by_hour.flatMap((x, h) => (x.dials ? [h] : []));
  const days = WEEK_ORDER.filter((d) => grid.by_weekday[d].dials > 0);
  const reliable = (cells: HourCell[]) => {
    const solid = cells.filter((x) => x.dials >= SMALL_SAMPLE);
    return Math.max(0, ...(solid.length ? solid : cells).map((x) => x.contact_rate ?? 0));
  };
  const rated = (title: string, names: string[], cells: HourCell[]) => {
    const t = table(
      [title, 'dials', 'contacts', 'contact rate'],
      cells.map((x, i) => [names[i], String(x.dials), String(x.contacts), percent(x.contact_rate, x.dials)]),
      [false, true, true, true],
    );
    const top = reliable(cells);
    return withBars(t, cells.map((x) => bar(x.contact_rate, top, barWidth(visibleLength(t.split('\n')[0]) + 2, width, { max: 36 }))), c.cyan);
  };
  const lines = [c.bold(`Best hours to call: contact rate by the lead's local time — ${describePeriod(o.period, 'calls', o.zone)}`), ''];
  if (!hours.length) lines.push('No calls to leads with a known time zone in this period.');
  else {
    lines.push(rated('local hour', hours.map((h) => `${String(h).padStart(2, '0')}:00`), hours.map((h) => grid.by_hour[h])), '');
    lines.push(rated('weekday', days.map((d) => WEEKDAY_NAMES[d]), days.map((d) => grid.by_weekday[d])), '');
    const shown = days.flatMap((d) => hours.map((h) => grid.cells[d][h]).filter((x) => x.dials >= SMALL_SAMPLE).map((x) => x.contact_rate ?? 0));
    const [low, high] = [Math.min(...shown), Math.max(...shown)];
    lines.push(c.bold('contact rate % by weekday and local hour'));
    lines.push('   ' + hours.map((h) => String(h).padStart(4) + ' ').join('').trimEnd());
    for (const d of days) {
      const cells = hours.map((h) => {
        const x = grid.cells[d][h];
        if (!x.dials) return '   · ';
        const text = `${String(Math.round((x.contact_rate ?? 0) * 100)).padStart(4)}${isSmallSample(x.dials) ? '*' : ' '}`;
        return isSmallSample(x.dials) ? text : heat(c, text, x.contact_rate, low, high);
      });
      lines.push(WEEKDAY_NAMES[d] + cells.join('').trimEnd());
    }
  }
  if (grid.unknown_zone.dials) {
    lines.push('', `${grid.unknown_zone.dials} calls (${grid.unknown_zone.contacts} contacts) to leads with no known time zone are not placed above.`);
  }
  lines.push('', c.dim("local time = in the lead's (first) time zone · '·' = no calls"), c.dim(LEGEND));
  return lines.join('\n');
}
