import { openContextStore, type Context } from './context.js';
import { textOption, type OptionValues } from './args.js';
import { type Store } from '../db/store.js';
import { parseContactValue } from '../io/contact-value.js';
import type { SuppressionKey } from '../core/suppression.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { printData, printInfo, printJson, printJsonLine } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { safeText } from '../ui/safe-text.js';

interface AddResult {
  added: number;
  already_listed: number;
  leads_suppressed: number;
}

/** Adds keys and moves matching leads to do-not-call, in one transaction. */
async function addAndSuppress(ctx: Context, store: Store, keys: SuppressionKey[], reason: string | null, source: string): Promise<AddResult> {
  const { added, leads_suppressed } = await store.exports.addDoNotCall(keys, reason, source, ctx.now);
  return { added, already_listed: keys.length - added, leads_suppressed };
}

/** Runs `work` with the team database open and its default country. */
async function withDatabase<T>(ctx: Context, work: (store: Store, country: string) => T | Promise<T>): Promise<T> {
  const store = await openContextStore(ctx);
  try {
    return await work(store, await store.exports.defaultCountry());
  } finally {
    await store.close();
  }
}

function parseAll(values: string[], country: string): SuppressionKey[] {
  return values.map((v) => {
    const parsed = parseContactValue(v, country);
    if (!parsed.ok) throw new UsageError(`cannot add '${v}' to the do-not-call list: ${parsed.problem}. Nothing was changed.`);
    return parsed.key;
  });
}

function report(ctx: Context, result: AddResult & { rejected?: number; file?: string; read?: number }, what: string): void {
  if (ctx.json) printJson(ctx, result);
  else {
    printInfo(
      ctx,
      `${what}: ${result.added} added, ${result.already_listed} already listed; ${result.leads_suppressed} lead(s) moved to do-not-call.` +
        (result.rejected ? ` ${result.rejected} line(s) rejected (listed above).` : ''),
    );
  }
}

/** Why and whence entries are added (`dnc add`, `dnc import`); `source` defaults to who or what added them. */
interface EntryOptions {
  reason: string | null;
  source: string;
}

function entryOptions(values: OptionValues, defaultSource: string): EntryOptions {
  return { reason: textOption(values, 'reason') ?? null, source: textOption(values, 'source') ?? defaultSource };
}

export async function add(ctx: Context, entries: string[], values: OptionValues): Promise<void> {
  const opts = entryOptions(values, `added by ${ctx.rep}`);
  const result = await withDatabase(ctx, (store, country) => addAndSuppress(ctx, store, parseAll(entries, country), opts.reason, opts.source));
  report(ctx, result, 'Do-not-call');
}

export async function remove(ctx: Context, values: string[]): Promise<void> {
  const { removed, listed } = await withDatabase(ctx, async (store, country) => {
    const keys = parseAll(values, country);
    return { removed: await store.exports.removeDoNotCall(keys), listed: keys.length };
  });
  if (removed === 0) {
    // Nothing matched (a typo, or removed already): exit 3, as for any command with nothing to do.
    const which = values.length === 1 ? `'${values[0]}' is not` : `none of the ${values.length} values is`;
    throw new NothingToDoError(`${which} on the do-not-call list: nothing was removed (see 'callq dnc list').`, { removed: 0, not_listed: listed });
  }
  if (ctx.json) printJson(ctx, { removed, not_listed: listed - removed });
  else {
    printInfo(
      ctx,
      `Removed ${removed} of ${listed} from the do-not-call list. Leads already moved to do-not-call stay there ` +
        '(a do-not-call lead is never called again); a new import of the contact will be callable.',
    );
  }
}

export async function list(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const kind = textOption(values, 'kind');
  if (kind && !['phone', 'email', 'domain'].includes(kind)) throw new UsageError(`invalid --kind '${kind}': use phone, email or domain.`);
  const store = await openContextStore(ctx);
  try {
    const pages = store.exports.listDoNotCall(kind);
    if (ctx.json) {
      for await (const page of pages) {
        for (const r of page) printJsonLine(ctx, { kind: r.kind, value: r.value, erased: r.value === null, reason: r.reason, source: r.source, created_at: r.created_at });
      }
      return;
    }
    const table: string[][] = [];
    for await (const page of pages) {
      for (const r of page) table.push([r.kind, r.value ?? '(erased person)', r.reason ?? '', r.source ?? '', r.created_at.slice(0, 16).replace('T', ' ')]);
    }
    printData(ctx, table.length ? renderTable(['kind', 'value', 'reason', 'source', 'added (UTC)'], table) : 'The do-not-call list is empty.');
  } finally {
    await store.close();
  }
}

/**
 * A list of phones, emails and @domains, one per line: the first column of a CSV, or, when its
 * header names phone and e-mail columns (as a CRM's export does), those columns; a header line
 * is skipped. The US registry's layout, area code and number in two columns, is read as one
 * number. Bad lines are reported with their line number; the rest are added in one transaction.
 * A file with no usable line is refused (exit 2): a cron job loading the wrong file must not
 * report success.
 */
export async function importList(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const opts = entryOptions(values, file);
  await withDatabase(ctx, (store, country) => importInto(ctx, store, country, file, opts));
}

/** Area code and number in two columns ('212,7363001'), as the US National Do Not Call Registry's files give them. */
const AREA_CODE = /^\d{3}$/;
const LOCAL_NUMBER = /^\d{7}$/;

async function importInto(ctx: Context, store: Store, country: string, file: string, opts: EntryOptions): Promise<void> {
  const keys: SuppressionKey[] = [];
  let rejected = 0;
  // Read as `callq import` reads a CSV: its encoding (UTF-8, UTF-16, Windows-1252 …), its
  // delimiter and quoting; a file that is not text (a database, a spreadsheet) is refused whole.
  const { footerNote, openCsv, parseChunk, titleNote } = await import('../io/csv-read.js');
  const { recognise } = await import('../io/fields.js');
  const csv = openCsv(file);
  if (csv.titleLines && !ctx.json) printInfo(ctx, `${file}: ${titleNote(csv.titleLines, csv.headerLine)}`);
  // A header names its columns; a first line that holds a contact (`2125550100,Mobile`) is data.
  const isHeader = !parseContactValue(csv.header[0]?.trim() ?? '', country).ok;
  const field = (i: number) => (isHeader ? recognise(csv.header[i]) : undefined);
  const named = csv.header.flatMap((h, i) => (['phone', 'alt_phone', 'email'].includes(field(i) ?? '') ? [i] : []));
  // Column 0 is read too unless a phone column is named or it names some other field: a list
  // headed 'Number,Email' must not lose its numbers because 'Number' is not a spelling callq knows.
  const phoneNamed = named.some((i) => field(i) !== 'email');
  const columns = named.length === 0 ? [0] : phoneNamed || field(0) !== undefined || named.includes(0) ? named : [0, ...named];
  // Said when it matters: the columns read are not simply the first.
  if (columns.join() !== '0' && !ctx.json) {
    printInfo(ctx, `${file}: reading the column${columns.length > 1 ? 's' : ''} ${columns.map((i) => `'${safeText(csv.header[i])}'`).join(', ')}.`);
  }
  const consider = (fields: string[], line: number) => {
    const headerLine = line === csv.headerLine && named.length > 0;
    for (const column of columns) {
      let cell = (fields[column] ?? '').trim();
      if (cell === '' || headerLine) continue;
      if (!named.length && AREA_CODE.test(cell) && LOCAL_NUMBER.test((fields[1] ?? '').trim())) cell = `+1${cell}${fields[1].trim()}`;
      const parsed = parseContactValue(cell, country);
      if (parsed.ok) keys.push(parsed.key);
      else if (line === csv.headerLine && /[a-z]/i.test(cell) && !cell.includes('@')) return; // a header
      else {
        rejected++;
        if (!ctx.json) printInfo(ctx, `${file}:${line}: ${parsed.problem}`);
      }
    }
  };
  try {
    consider(csv.header, csv.headerLine);
    for await (const chunk of csv.chunks()) for (const record of parseChunk(chunk, csv.dialect.delimiter)) consider(record.fields, record.line);
  } catch (err) {
    const line = (err as { line?: number }).line;
    if (line === undefined || err instanceof UsageError) throw err;
    throw new UsageError(`${file}, line ${line}: cannot be read as CSV (${(err as Error).message}). Nothing was added.`, { line });
  } finally {
    csv.close();
  }
  const footer = csv.footer();
  if (footer && !ctx.json) printInfo(ctx, `${file}: ${footerNote(footer, 'entries')}`);
  if (keys.length === 0) {
    throw new UsageError(
      rejected === 0
        ? `${file} lists no phone, email or @domain.`
        : `${file}: none of its ${rejected} line(s) holds a phone number, email or @domain${named.length ? '' : ' in its first column'}` +
            ` (a header naming a Phone or Email column picks those). Nothing was added.`,
      { rejected },
    );
  }
  const result = await addAndSuppress(ctx, store, keys, opts.reason, opts.source);
  report(ctx, { file, read: keys.length + rejected, ...result, rejected }, `Do-not-call import of ${file}`);
}
