// Moving a team's database to another store (docs/moving-to-postgres.md): every table callq
// keeps, read in one snapshot of the source and written in one transaction on the target, ids
// kept, id sequences moved past them, row counts compared before the target commits.
import type { Store } from '../db/store.js';
import { DATA_TABLES, type TableInfo } from '../db/store/tables.js';
import { ExitError, IntegrityError, UsageError } from '../core/errors.js';

export interface CopiedTable {
  name: string;
  /** Rows in the source's snapshot. */
  source: number;
  /** Rows in the target after the copy (the same, or nothing was committed). */
  target: number;
}

export interface CopyResult {
  schemaVersion: number;
  tables: CopiedTable[];
}

/** Refuses a source and target that are one database, or a target that already holds a team's data. */
export async function checkCopyTarget(source: Store, target: Store): Promise<void> {
  if ((await source.tables.identity()) === (await target.tables.identity())) {
    throw new UsageError(`the target ${target.name} is the source database itself: give --to a new file or another, empty database.`);
  }
  await refuseData(target, await target.tables.counts(DATA_TABLES));
}

const WHAT: Record<(typeof DATA_TABLES)[number], string> = {
  leads: 'leads',
  calls: 'calls',
  imports: 'import batches',
  suppressions: 'do-not-call entries',
  handoffs: 'hand-off batches',
  import_updates: 'pending import merges',
};

async function refuseData(target: Store, counts: Record<string, number>): Promise<void> {
  const held = DATA_TABLES.filter((t) => counts[t] > 0).map((t) => `${counts[t]} ${WHAT[t]}`);
  if (held.length) {
    throw new UsageError(
      `the target ${target.name} is not empty (it has ${held.join(', ')}): db copy writes only into a new file or a database without ` +
        'leads, so that nothing of the source mixes with rows already there. Nothing was changed.',
    );
  }
}

/** Copies every table of `source` into `target` (checked with checkCopyTarget first). */
export async function copyDatabase(source: Store, target: Store): Promise<CopyResult> {
  const [from, to] = [await source.tables.schemaVersion(), await target.tables.schemaVersion()];
  if (from !== to) {
    throw new UsageError(
      `the source ${source.name} has schema version ${from} and the target ${target.name} ${to}: ` +
        `bring the source up to this callq's version first ('callq init --db SOURCE'), then copy again.`,
    );
  }
  const tables = sameTables(await source.tables.listTables(), await target.tables.listTables(), source, target);
  const names = tables.map((t) => t.name);
  const copied = await source.tables.snapshot(async (reader) => {
    const expected = await reader.counts(names);
    return target.tables.load(async (writer) => {
      // Checked again inside the transaction: a write since checkCopyTarget would be mixed in.
      await refuseData(target, await writer.counts(DATA_TABLES));
      for (const t of tables) {
        // Settings, and the rows the leads' triggers just derived, give way to the source's own.
        await writer.clear(t.name);
        try {
          await writer.write(t.name, t.columns, reader.rows(t.name, t.columns));
        } catch (err) {
          if (err instanceof ExitError) throw err;
          const where = (err as { where?: string }).where;
          throw new Error(
            `copying table ${t.name} into ${target.name} failed: ${(err as Error).message}${where ? ` (${where})` : ''}. Nothing was committed.`,
            { cause: err },
          );
        }
      }
      await writer.resetSequences(names);
      const found = await writer.counts(names);
      const result = names.map((name) => ({ name, source: expected[name], target: found[name] }));
      const wrong = result.filter((t) => t.source !== t.target);
      if (wrong.length) {
        throw new IntegrityError(
          `the copy does not match its source (${wrong.map((t) => `${t.name}: ${t.source} read, ${t.target} written`).join('; ')}); ` +
            `nothing was committed to ${target.name}.`,
        );
      }
      return result;
    });
  });
  await target.tables.analyze(names);
  return { schemaVersion: from, tables: copied };
}

/** The tables in the target's column order; a column one side lacks is a schema mismatch (a bug). */
function sameTables(source: TableInfo[], target: TableInfo[], s: Store, t: Store): TableInfo[] {
  return target.map((table) => {
    const theirs = source.find((x) => x.name === table.name)?.columns ?? [];
    const missing = table.columns.filter((c) => !theirs.includes(c)).map((c) => `${s.name} lacks ${table.name}.${c}`);
    const extra = theirs.filter((c) => !table.columns.includes(c)).map((c) => `${t.name} lacks ${table.name}.${c}`);
    if (missing.length || extra.length) {
      throw new Error(`the two databases' schemas differ at the same version (${[...missing, ...extra].join('; ')}): this is a bug in callq.`);
    }
    return table;
  });
}
