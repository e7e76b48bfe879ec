// What a file named as a database is, by its first bytes, when it is surely not one: a typo in
// --db, CALLQ_DB or a backup's path often names a CSV, a workbook or an archive, and that is a
// usage error (exit 2) to be said plainly, not a damaged database (exit 5, "restore a backup").
// Small and free of imports, so that opening a database (`callq next`) loads nothing more.
// output-file.ts reads the same first bytes to refuse overwriting such a file with a table.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export const SQLITE_HEADER = 'SQLite format 3\0';

/** Other files a --db typo may name, by their first bytes: zip (xlsx, docx, ods), gzip, PDF, pg_dump. */
const FOREIGN_MAGIC: [string, string][] = [
  ['PK\x03\x04', 'a zip archive (a spreadsheet or document?)'],
  ['\x1f\x8b', 'a gzip archive'],
  ['%PDF', 'a PDF document'],
  ['PGDMP', "a PostgreSQL backup (pg_dump's custom format)"],
];

/** Up to `n` first bytes of `path`. */
export function headOf(path: string, n: number): Buffer {
  const head = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the file at `path` is surely not a SQLite database, or null (it is one, damaged or not, or
 * an empty file, or it cannot be read). A database damaged even in its first bytes is still
 * binary; a text file (a CSV, an export, a note) or another known kind of file is not one.
 */
export function notADatabase(path: string): string | null {
  let head: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return 'it is a folder';
    if (!stat.isFile() || stat.size === 0) return null;
    head = headOf(path, 4096);
  } catch {
    return null;
  }
  const start = head.subarray(0, 16).toString('latin1');
  if (start === SQLITE_HEADER) return null;
  const known = FOREIGN_MAGIC.find(([magic]) => start.startsWith(magic));
  if (known) return `it is ${known[1]}, not a SQLite database`;
  if (head.includes(0)) return null;
  const first = head.toString('utf8').split('\n')[0].replace(/\uFFFD+$/, '').trim();
  return `it is a text file, not a SQLite database (it starts '${first.slice(0, 60)}')`;
}
