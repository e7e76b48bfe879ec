import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Context } from './context.js';
import { textOption, type OptionValues } from './args.js';
import { openDatabase, type DB } from '../db/open.js';
import { loadSettings } from '../db/settings.js';
import { addSuppressions, listSuppressions, removeSuppressions } from '../db/suppressions.js';
import { suppressMatchingLeads } from '../db/outcomes.js';
import { parseContactValue } from '../io/contact-value.js';
import type { SuppressionKey } from '../core/suppression.js';
import { UsageError } from '../core/errors.js';
import { printData, printInfo, printJson, printJsonLine } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

interface AddResult {
  added: number;
  already_listed: number;
  leads_suppressed: number;
}

/** Adds keys and moves matching leads to do-not-call, in one transaction. */
function addAndSuppress(ctx: Context, db: DB, keys: SuppressionKey[], reason: string | null, source: string): AddResult {
  return db
    .transaction((): AddResult => {
      const added = addSuppressions(db, keys, reason, source, ctx.now);
      const pick = (kind: string) => keys.filter((k) => k.kind === kind).map((k) => k.value);
      const leads = suppressMatchingLeads(db, pick('phone'), pick('email'), pick('domain'), ctx.now);
      return { added, already_listed: keys.length - added, leads_suppressed: leads };
    })
    .immediate();
}

/** Runs `work` with the team database open (created if needed) and its default country. */
async function withDatabase<T>(ctx: Context, work: (db: DB, country: string) => T | Promise<T>): Promise<T> {
  const db = openDatabase(ctx.dbPath);
  try {
    return await work(db, loadSettings(db).defaultCountry);
  } finally {
    db.close();
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
  const result = await withDatabase(ctx, (db, country) => addAndSuppress(ctx, db, parseAll(entries, country), opts.reason, opts.source));
  report(ctx, result, 'Do-not-call');
}

export async function remove(ctx: Context, values: string[]): Promise<void> {
  const { removed, listed } = await withDatabase(ctx, (db, country) => {
    const keys = parseAll(values, country);
    return { removed: db.transaction(() => removeSuppressions(db, keys)).immediate(), listed: keys.length };
  });
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
  const db = openDatabase(ctx.dbPath);
  try {
    const rows = listSuppressions(db, kind);
    if (ctx.json) {
      for (const r of rows) printJsonLine(ctx, { kind: r.kind, value: r.value, erased: r.value === null, reason: r.reason, source: r.source, created_at: r.created_at });
      return;
    }
    const table: string[][] = [];
    for (const r of rows) table.push([r.kind, r.value ?? '(erased person)', r.reason ?? '', r.source ?? '', r.created_at.slice(0, 16).replace('T', ' ')]);
    printData(ctx, table.length ? renderTable(['kind', 'value', 'reason', 'source', 'added (UTC)'], table) : 'The do-not-call list is empty.');
  } finally {
    db.close();
  }
}

/**
 * A list of phones, emails and @domains, one per line (the first column of a CSV counts; a
 * header line is skipped). Bad lines are reported with their line number; the rest are added
 * in one transaction.
 */
export async function importList(ctx: Context, [file]: string[], values: OptionValues): Promise<void> {
  const opts = entryOptions(values, file);
  await withDatabase(ctx, (db, country) => importInto(ctx, db, country, file, opts));
}

async function importInto(ctx: Context, db: DB, country: string, file: string, opts: EntryOptions): Promise<void> {
  const keys: SuppressionKey[] = [];
  let rejected = 0;
  let lineNo = 0;
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err) => reject(new UsageError(`cannot read ${file}: ${err.message}.`)));
  });
  await opened;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    const cell = raw.replace(/^\uFEFF/, '').split(/[,;\t|]/)[0].trim().replace(/^"(.*)"$/, '$1');
    if (cell === '') continue;
    const parsed = parseContactValue(cell, country);
    if (parsed.ok) keys.push(parsed.key);
    else if (lineNo === 1 && /[a-z]/i.test(cell) && !cell.includes('@')) continue; // a header
    else {
      rejected++;
      if (!ctx.json) printInfo(ctx, `${file}:${lineNo}: ${parsed.problem}`);
    }
  }
  if (keys.length === 0 && rejected === 0) throw new UsageError(`${file} lists no phone, email or @domain.`);
  const result = addAndSuppress(ctx, db, keys, opts.reason, opts.source);
  report(ctx, { file, read: keys.length + rejected, ...result, rejected }, `Do-not-call import of ${file}`);
}
