// Rows in the text format of PostgreSQL's COPY FROM STDIN (one line a row, tab-separated, \N for
// NULL, backslash escapes): how `callq db copy` streams tables into PostgreSQL.

/** One row as a line of COPY's text format. */
export function copyTextLine(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) line += (i ? '\t' : '') + copyTextValue(row[i]);
  return line + '\n';
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]) : value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // callq stores no blobs; one in a SQLite file is not callq's and cannot go to a text column.
  throw new Error(`cannot copy a value of type ${Buffer.isBuffer(value) ? 'blob' : typeof value} into PostgreSQL: callq's columns hold text and numbers only.`);
}
