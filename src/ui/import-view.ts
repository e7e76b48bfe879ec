// What `callq import` tells people (docs/importing.md): the columns as read, then the summary.
// Column headers come from the file, in any script: they are padded by terminal columns. The file's
// name, its headers and the values rejected rows quote are printed as safe lines (safe-text.ts).
import type { ChalkInstance } from 'chalk';
import type { ImportSummary } from '../app/import-leads.js';
import type { CsvFile } from '../io/csv-read.js';
import { describeField, type ColumnMapping } from '../io/fields.js';
import { pad, visibleLength } from './table.js';
import { safeText } from './safe-text.js';

/** 'Reading FILE (encoding, delimiter, header line). Columns:' and one line a column: header → field. */
export function mappingText(csv: CsvFile, mapping: readonly ColumnMapping[]): string {
  const name = (m: ColumnMapping) => safeText(m.header || `(column ${m.index + 1})`);
  const width = Math.min(28, Math.max(...mapping.map((m) => visibleLength(name(m)))));
  const delimiter = csv.dialect.delimiter === '\t' ? 'tab' : `'${csv.dialect.delimiter}'`;
  return [
    `Reading ${safeText(csv.path)} (${csv.dialect.encoding}, delimiter ${delimiter}, header on line ${csv.headerLine}). Columns:`,
    ...mapping.map((m) => `  ${pad(name(m), width)}  → ${safeText(describeField(m))}`),
  ].join('\n');
}

/** The counts, the first rejected rows and warnings (`shown`), and what to do next. */
export function summaryText(s: ImportSummary, shown: readonly string[], rejectsPath: string | undefined, c: ChalkInstance): string {
  const reasons = Object.entries(s.rejected_by_reason).map(([r, n]) => `${r} ${n}`).join(', ');
  const warnings = Object.entries(s.warnings_by_kind).map(([k, n]) => `${k} ${n}`).join(', ');
  const row = (label: string, n: number, extra = '') => `  ${label.padEnd(11)} ${String(n).padStart(9)}${extra ? `  (${extra})` : ''}`;
  const noted = shown.length;
  // Undecodable characters are counted one by one but noted once per line (below, too).
  const total = s.rejected + s.warnings - (s.warnings_by_kind.undecodable ?? 0) + (s.undecodable_lines?.length ?? 0);
  const file = safeText(s.file);
  const lines = [
    s.dry_run
      ? c.bold(`Dry run: nothing was written. Importing ${file} would give:`)
      : c.bold(`Imported ${file} as batch ${s.batch} in ${s.seconds.toFixed(1)} s${s.lock === 'whole' ? ' (in one transaction: nobody else could write meanwhile)' : ''}:`),
    row('rows read', s.rows_read),
    row('inserted', s.inserted),
    row('updated', s.updated),
    row('duplicates', s.duplicates),
    row('suppressed', s.suppressed, s.suppressed ? 'on the do-not-call list or flagged do-not-call in the file; not imported' : ''),
    row('rejected', s.rejected, reasons),
    row('warnings', s.warnings, warnings),
    ...s.notes.map((n) => `  Note: ${safeText(n)}`),
    ...shown.map((l) => `  ${safeText(l)}`),
  ];
  if (total > noted) lines.push(`  … and ${total - noted} more${rejectsPath ? '' : ' (--rejects FILE writes every rejected row)'}`);
  if (rejectsPath) {
    lines.push(s.rejected ? `Rejected rows written to ${safeText(rejectsPath)}${s.dry_run ? ' (a dry run: nothing was imported)' : ''}.` : `No row was rejected; ${safeText(rejectsPath)} holds only the header.`);
  }
  if (s.warnings_by_kind.undecodable) {
    const where = s.undecodable_lines?.length ? ` (line${s.undecodable_lines.length > 1 ? 's' : ''} ${s.undecodable_lines.join(', ')}${s.undecodable_lines.length >= 10 ? ', …' : ''})` : '';
    lines.push(
      `${s.warnings_by_kind.undecodable} character(s) were not valid UTF-8${where} and read as �; the rest is UTF-8. Fix those lines, ` +
        'or if the whole file is in another encoding, undo this batch and re-import with --encoding windows-1252 (or the right one).',
    );
  }
  if (!s.dry_run && s.batch !== null) lines.push(`Undo with: callq import undo ${s.batch}`);
  return lines.join('\n');
}
