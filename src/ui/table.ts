// Plain aligned tables for terminals (80 columns in mind); the last column may wrap.
// Cells are measured in terminal columns (width.ts), so CJK names and emoji line up.
// Cells are plain text, often values from the store: each is made one safe line (safe-text.ts),
// so colour a rendered table's lines, never its cells.
import { displayWidth, truncateToWidth } from './width.js';
import { safeText } from './safe-text.js';

export interface TableOptions {
  /**
   * Columns the table may take (default 100). The last column is cut to fit, to 10 columns at
   * least, then the `shrink` columns, then the last column again, down to its header's width.
   */
  width?: number;
  /**
   * Other columns that may be cut (with '…') when the table is still too wide, the widest first,
   * each down to SHRINK_MIN columns or its header's width: names and companies, in a terminal
   * narrower than the table.
   */
  shrink?: number[];
  /**
   * Columns left out, in this order, while the table cannot fit `width` even with every `shrink`
   * column cut and the last one down to its header: what a narrow terminal (a split pane) can
   * do without, so each row stays one line.
   */
  drop?: number[];
}

/** Columns a shrinkable column keeps at least (or its header's width, if wider). */
const SHRINK_MIN = 8;

export function renderTable(headers: string[], cells: string[][], options: TableOptions = {}): string {
  const width = options.width ?? 100;
  const dropped = columnsToDrop(headers, cells, options);
  if (dropped.size) {
    const keep = (row: string[]) => row.filter((_, i) => !dropped.has(i));
    const renumber = (list?: number[]) => list?.filter((i) => !dropped.has(i)).map((i) => i - [...dropped].filter((d) => d < i).length);
    return renderTable(keep(headers), cells.map(keep), { width, shrink: renumber(options.shrink) });
  }
  const rows = cells.map((r) => r.map((c) => safeText(c ?? '')));
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  const last = widths.length - 1;
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * last;
  widths[last] = Math.max(Math.min(10, widths[last]), Math.min(widths[last], width - (total() - widths[last])));
  const floor = (i: number) => Math.max(SHRINK_MIN, visibleLength(headers[i]));
  for (let over = total() - width; over > 0; over--) {
    const widest = (options.shrink ?? []).filter((i) => i !== last && widths[i] > floor(i)).sort((a, b) => widths[b] - widths[a])[0];
    if (widest === undefined) {
      // Then the last column, down to its header.
      widths[last] = Math.max(visibleLength(headers[last]), widths[last] - over);
      break;
    }
    widths[widest]--;
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === last ? truncate(c ?? '', widths[i]) : pad(truncate(c ?? '', widths[i]), widths[i])))
      .join('  ')
      .trimEnd();
  const rule = ruleChar();
  return [line(headers), line(widths.map((w) => rule.repeat(w))), ...rows.map(line)].join('\n');
}

/** The `drop` columns to leave out so the table can fit its width (none when it fits as it is). */
function columnsToDrop(headers: string[], cells: string[][], options: TableOptions): Set<number> {
  const dropped = new Set<number>();
  if (!options.drop?.length) return dropped;
  const width = options.width ?? 100;
  const last = headers.length - 1;
  const shrink = new Set(options.shrink ?? []);
  // The narrowest each column can be: a shrinkable one SHRINK_MIN (or its header), the last its header.
  const least = headers.map((h, i) => {
    const widest = Math.max(visibleLength(h), ...cells.map((r) => visibleLength(safeText(r[i] ?? ''))));
    if (i === last) return visibleLength(h);
    return shrink.has(i) ? Math.min(widest, Math.max(SHRINK_MIN, visibleLength(h))) : widest;
  });
  const total = () => least.reduce((a, w, i) => (dropped.has(i) ? a : a + w + 2), -2);
  for (const i of options.drop) {
    if (total() <= width) break;
    dropped.add(i);
  }
  return dropped;
}

/**
 * The rule under a table's headers: '─' where the locale says UTF-8, '-' where it does not. A
 * cron job runs with no LANG (or LANG=C), and its mail, sent as ASCII, showed each '─' as 'â”€'.
 * Values from the store are printed as they are.
 */
export function ruleChar(env: NodeJS.ProcessEnv = process.env): string {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) ? '─' : '-';
}

/** Columns `text` takes on a terminal (colour codes aside; wide and combining characters counted right). */
export function visibleLength(text: string): number {
  return displayWidth(text);
}

export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** At most `width` columns, cut between grapheme clusters, with '…' when cut. */
export function truncate(text: string, width: number): string {
  return truncateToWidth(text, width);
}
