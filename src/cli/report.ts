// `callq report funnel|reasons|reps|hours` (docs/reports.md): parse → query → shape → render as
// tables with bars (ui/report-view.ts), --json or --csv. Definitions: docs/reports.md and src/core/reports.ts.
import { stringify } from 'csv-stringify/sync';
import type { ChalkInstance } from 'chalk';
import { openContextStore, type Context } from './context.js';
import { flagOption, textOption, viewerZone, type OptionValues } from './args.js';
import type { ExportStore } from '../db/store/exports.js';
import {
  GROUP_FIELDS,
  SMALL_SAMPLE,
  WEEKDAY_NAMES,
  WEEK_ORDER,
  byVolume,
  funnelRow,
  hoursGrid,
  reasonGroups,
  repRows,
  type FunnelRow,
  type GroupField,
  type HourCell,
} from '../core/reports.js';
import { parsePeriod, type Period } from '../core/period.js';
import { UsageError } from '../core/errors.js';
import { neutraliseCell } from '../io/csv-write.js';
import { printData, printJson } from '../ui/output.js';
import { terminalColumns } from '../ui/chart.js';
import { funnelText, groupLabel, hoursText, reasonsText, repsText } from '../ui/report-view.js';
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

export async function run(ctx: Context, [name]: string[], values: OptionValues): Promise<void> {
  const report = parseName(name);
  const options = reportOptions(ctx, report, values);
  const store = await openContextStore(ctx);
  let out: Rendered;
  try {
    out = await REPORT[report](store.exports, options);
  } finally {
    await store.close();
  }
  if (ctx.json) printJson(ctx, out.json);
  else if (options.csv) ctx.stdout.write(stringify(out.csv.rows, { header: true, columns: out.csv.columns, cast: { string: (v) => neutraliseCell(v, false) } }));
  else printData(ctx, out.human(paint(ctx, ctx.stdout), terminalColumns(ctx.stdout)));
}

function parseName(name: string): ReportName {
  if ((REPORTS as readonly string[]).includes(name)) return name as ReportName;
  throw new UsageError(`unknown report '${name}': use one of ${REPORTS.join(', ')} (e.g. callq report funnel --by campaign).`);
}

function reportOptions(ctx: Context, report: ReportName, values: OptionValues): Options {
  const by = textOption(values, 'by');
  if (by !== undefined && !isGroupField(by)) throw new UsageError(`invalid --by '${by}': use one of ${GROUP_FIELDS.join(', ')}.`);
  if (by !== undefined && (report === 'reps' || report === 'hours')) {
    throw new UsageError(`--by is for the funnel and reasons reports; '${report}' is not grouped by lead source.`);
  }
  const csv = flagOption(values, 'csv');
  if (csv && ctx.json) throw new UsageError('choose one of --json and --csv.');
  const zone = viewerZone();
  return { by: by ?? 'source', period: parsePeriod(textOption(values, 'since'), textOption(values, 'until'), ctx.now, zone), csv, zone };
}

function isGroupField(value: string): value is GroupField {
  return (GROUP_FIELDS as readonly string[]).includes(value);
}

const REPORT: Record<ReportName, (store: ExportStore, o: Options) => Promise<Rendered>> = {
  funnel: async (store, o) => {
    const { groups, total } = await store.funnelTallies(o.by, o.period);
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

  reasons: async (store, o) => {
    const { leadsByGroup, lost } = await store.lostTallies(o.by, o.period);
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

  reps: async (store, o) => {
    const { reps, total } = repRows(await store.repTallies(o.period));
    const json = <T extends (typeof reps)[number] | typeof total>(r: T) => ({ ...r, ...roundRates(r, ['contact_rate']), dials_per_hour: roundTo(r.dials_per_hour, 2) });
    const columns = ['dials', 'contacts', 'contact_rate', 'sales_ready', 'active_hours', 'dials_per_hour', 'talk_time_s'] as const;
    // One CSV column per outcome the period has, after the figures.
    const outcomes = Object.keys(total.dispositions);
    const csvRow = (name: string, r: (typeof reps)[number] | typeof total) => [name, ...columns.map((k) => json(r)[k]), ...outcomes.map((d) => r.dispositions[d] ?? 0)];
    return {
      json: { report: 'reps', period: periodJson(o.period, 'called_at'), reps: reps.map(json), total: json(total) },
      csv: { columns: ['rep', ...columns, ...outcomes], rows: [...reps.map((r) => csvRow(r.rep, r)), csvRow('(all)', total)] },
      human: (c, width) => repsText(c, width, o, reps, total),
    };
  },

  hours: async (store, o) => {
    const grid = hoursGrid(await store.zoneQuarterTallies(o.period));
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

function periodJson(p: Period, field: string) {
  return { field, since: p.since?.toISOString() ?? null, until: p.until?.toISOString() ?? null };
}
