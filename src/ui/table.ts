// Plain aligned tables for terminals (80 columns in mind); the last column may wrap.
// Cells are measured in terminal columns (width.ts), so CJK names and emoji line up.
// Cells are plain text, often values from the store: each is made one safe line (safe-text.ts),
// so colour a rendered table's lines, never its cells.
import { displayWidth, truncateToWidth } from './width.js';
import { safeText } from './safe-text.js';

export function renderTable(headers: string[], cells: string[][], options: { width?: number } = {}): string {
  const width = options.width ?? 100;
  const rows = cells.map((r) => r.map((c) => safeText(c ?? '')));
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  const fixed = widths.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  widths[widths.length - 1] = Math.max(10, Math.min(widths[widths.length - 1], width - fixed));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? truncate(c ?? '', widths[i]) : pad(c ?? '', widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
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
