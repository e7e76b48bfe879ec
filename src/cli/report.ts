// `callq report funnel|reasons|reps|hours` (docs/reports.md): parse → query → shape → render as
// tables with bars, --json or --csv. Definitions: docs/reports.md and src/core/reports.ts.
import { stringify } from 'csv-stringify/sync';
import type { ChalkInstance } from 'chalk';
import type { Context } from './context.js';
import { viewerZone } from './args.js';
import { openDatabase } from '../db/open.js';
import { funnelTallies, lostTallies, repTallies, zoneQuarterTallies } from '../db/reports.js';
import {
  GROUP_FIELDS,
  SMALL_SAMPLE,
  WEEKDAY_NAMES,
  WEEK_ORDER,
  byVolume,
  funnelRow,
  hoursGrid,
  isSmallSample,
  reasonGroups,
  repRows,
  type FunnelRow,
  type GroupField,
  type HourCell,
} from '../core/reports.js';
import { parsePeriod, type Period } from '../core/period.js';
import { localParts } from '../core/calling-window.js';
import { formatDuration } from '../core/when.js';
import { UsageError } from '../core/errors.js';
import { neutraliseCell } from '../io/csv-write.js';
import { printData, printJson } from '../ui/output.js';
import { renderTable, visibleLength } from '../ui/table.js';
import { bar, barWidth, heat, terminalColumns, withBars } from '../ui/chart.js';
import { paint } from '../ui/style.js';

const REPORTS = ['funnel', 'reasons', 'reps', 'hours'] as const;
type ReportName = (typeof REPORTS)[number];

interface Options {
  by: GroupField;
  period: Period;
  csv: boolean;
  zone: string;
}

/** What a report hands to the output: the JSON document, the CSV table, and the human text (built only when shown). */
interface Rendered {
  json: Record<string, unknown>;
  csv: { columns: string[]; rows: unknown[][] };
  human: (c: ChalkInstance, columns: number) => string;
}

export async function run(ctx: Context, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const report = parseName(name);
  const options = parseOptions(ctx, report, opts);
  const db = openDatabase(ctx.dbPath);
  let out: Rendered;
  try {
    out = REPORT[report](db, options);
  } finally {
    db.close();
  }
  if (ctx.json) printJson(ctx, out.json);
  else if (options.csv) ctx.stdout.write(stringify(out.csv.rows, { header: true, columns: out.csv.columns, cast: { string: (v) => neutraliseCell(v, false) } }));
  else printData(ctx, out.human(paint(ctx, ctx.stdout), terminalColumns(ctx.stdout)));
}

function parseName(name: string): ReportName {
  if ((REPORTS as readonly string[]).includes(name)) return name as ReportName;
  throw new UsageError(`unknown report '${name}': use one of ${REPORTS.join(', ')} (e.g. callq report funnel --by campaign).`);
}

function parseOptions(ctx: Context, report: ReportName, opts: Record<string, unknown>): Options {
  const by = (opts.by as string | undefined) ?? 'source';
  if (!(GROUP_FIELDS as readonly string[]).includes(by)) throw new UsageError(`invalid --by '${by}': use one of ${GROUP_FIELDS.join(', ')}.`);
  if (opts.by !== undefined && (report === 'reps' || report === 'hours')) {
    throw new UsageError(`--by is for the funnel and reasons reports; '${report}' is not grouped by lead source.`);
  }
  if (opts.csv && ctx.json) throw new UsageError('choose one of --json and --csv.');
  const zone = viewerZone();
  return { by: by as GroupField, period: parsePeriod(opts.since as string | undefined, opts.until as string | undefined, ctx.now, zone), csv: Boolean(opts.csv), zone };
}

const REPORT: Record<ReportName, (db: ReturnType<typeof openDatabase>, o: Options) => Rendered> = {
  funnel: (db, o) => {
    const { groups, total } = funnelTallies(db, o.by, o.period);
    const rows = byVolume(groups.map(funnelRow), (r) => r.leads);
    const all = funnelRow(total);
    const json = (r: FunnelRow) => ({ ...r, ...roundRates(r, ['contact_rate', 'conversion', 'conversion_of_contacted']), median_seconds_to_first_call: roundTo(r.median_seconds_to_first_call, 0) });
    const columns = Object.keys(json(all)).slice(1);
    return {
      json: { report: 'funnel', by: o.by, period: periodJson(o.period, 'created_at'), small_sample_below: SMALL_SAMPLE, groups: rows.map(json), total: json(all) },
      csv: { columns: [o.by, ...columns], rows: [...rows, all].map((r, i) => [groupLabel(r.group, i === rows.length), ...columns.map((k) => (json(r) as Record<string, unknown>)[k])]) },
      human: (c, width) => funnelText(c, width, o, rows, all),
    };
  },

  reasons: (db, o) => {
    const { leadsByGroup, lost } = lostTallies(db, o.by, o.period);
    const { groups, total } = reasonGroups(leadsByGroup, lost);
    const json = (g: (typeof groups)[number]) => ({ ...g, reasons: g.reasons.map((r) => ({ ...r, ...roundRates(r, ['share_of_lost', 'share_of_leads']) })) });
    const csvRows = [...groups, total].flatMap((g, i) =>
      json(g).reasons.map((r) => [groupLabel(g.group, i === groups.length), r.reason, r.status, r.leads, r.share_of_lost, r.share_of_leads]),
    );
    return {
      json: { report: 'reasons', by: o.by, period: periodJson(o.period, 'created_at'), groups: groups.map(json), total: (({ group: _, ...t }) => t)(json(total)) },
      csv: { columns: [o.by, 'reason', 'status', 'leads', 'share_of_lost', 'share_of_leads'], rows: csvRows },
      human: (c, width) => reasonsText(c, width, o, groups, total),
    };
  },

  reps: (db, o) => {
    const { reps, total } = repRows(repTallies(db, o.period));
    const json = <T extends (typeof reps)[number] | typeof total>(r: T) => ({ ...r, ...roundRates(r, ['contact_rate']), dials_per_hour: roundTo(r.dials_per_hour, 2) });
    const columns = ['dials', 'contacts', 'contact_rate', 'sales_ready', 'active_hours', 'dials_per_hour', 'talk_time_s'] as const;
    return {
      json: { report: 'reps', period: periodJson(o.period, 'called_at'), reps: reps.map(json), total: json(total) },
      csv: { columns: ['rep', ...columns], rows: [...reps.map((r) => [r.rep, ...columns.map((k) => json(r)[k])]), ['(all)', ...columns.map((k) => json(total)[k])]] },
      human: (c) => repsText(c, o, reps, total),
    };
  },

  hours: (db, o) => {
    const grid = hoursGrid(zoneQuarterTallies(db, o.period));
    const cell = (x: HourCell) => ({ ...x, contact_rate: roundTo(x.contact_rate, 4) });
    const cells = WEEK_ORDER.flatMap((d) => grid.cells[d].flatMap((x, hour) => (x.dials ? [{ weekday: WEEKDAY_NAMES[d], hour, ...cell(x) }] : [])));
    return {
      json: {
        report: 'hours',
        period: periodJson(o.period, 'called_at'),
        zone: 'lead',
        by_hour: grid.by_hour.flatMap((x, hour) => (x.dials ? [{ hour, ...cell(x) }] : [])),
        by_weekday: WEEK_ORDER.flatMap((d) => (grid.by_weekday[d].dials ? [{ weekday: WEEKDAY_NAMES[d], ...cell(grid.by_weekday[d]) }] : [])),
        cells,
        total: cell(grid.total),
        unknown_zone: cell(grid.unknown_zone),
      },
      csv: { columns: ['weekday', 'hour', 'dials', 'contacts', 'contact_rate'], rows: cells.map((x) => [x.weekday, x.hour, x.dials, x.contacts, x.contact_rate]) },
      human: (c, width) => hoursText(c, width, o, grid),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Numbers for machines and people

function roundTo(value: number | null, digits: number): number | null {
  return value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;
}

function roundRates<T extends object, K extends keyof T>(row: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, roundTo(row[k] as number | null, 4)])) as Pick<T, K>;
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

function groupLabel(group: string | null, isTotal = false): string {
  return isTotal ? '(all)' : group ?? '(none)';
}

function periodJson(p: Period, field: string) {
  return { field, since: p.since?.toISOString() ?? null, until: p.until?.toISOString() ?? null };
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

const label = (text: string) => (text.length > 24 ? text.slice(0, 23) + '…' : text);

// ---------------------------------------------------------------------------------------------
// The human forms

function funnelText(c: ChalkInstance, width: number, o: Options, rows: FunnelRow[], all: FunnelRow): string {
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
    [o.by, 'contact rate', 'of contacted', 'attempts', 'to 1st call'],
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
    c.dim('conversion = sales-ready ÷ leads (of contacted: ÷ contacted) · contact rate ='),
    c.dim('contacted ÷ attempted · attempts: median calls of the leads that became'),
    c.dim('sales-ready · to 1st call: median time from import to first call'),
    c.dim('why leads were lost: callq report reasons'),
    c.dim(LEGEND),
  ].join('\n');
}

function reasonsText(c: ChalkInstance, width: number, o: Options, groups: ReturnType<typeof reasonGroups>['groups'], total: ReturnType<typeof reasonGroups>['total']): string {
  const lines = [c.bold(`Why leads were lost, by ${o.by} — ${describePeriod(o.period, 'leads created', o.zone)}`)];
  for (const [i, g] of [...groups, total].entries()) {
    const name = i === groups.length ? `all ${o.by}s` : groupLabel(g.group);
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
  lines.push('', c.dim('lost = disqualified (by reason) + do-not-call + exhausted (attempt limit'), c.dim('reached without contact)'), c.dim(LEGEND));
  return lines.join('\n');
}

function repsText(c: ChalkInstance, o: Options, reps: ReturnType<typeof repRows>['reps'], total: ReturnType<typeof repRows>['total']): string {
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
  return [
    c.bold(`Rep activity — ${describePeriod(o.period, 'calls', o.zone)}`),
    '',
    reps.length ? t : 'No calls in this period.',
    '',
    c.dim('hours = clock hours with at least one call · dials/h = dials ÷ those hours'),
    c.dim('talk time = sum of call durations'),
    c.dim(LEGEND),
  ].join('\n');
}

function hoursText(c: ChalkInstance, width: number, o: Options, grid: ReturnType<typeof hoursGrid>): string {
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
