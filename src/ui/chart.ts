// Terminal bar charts beside the numbers of a table: unicode eighth blocks, so a bar 20 cells wide
// shows 160 steps, sized to what is left of the terminal's width (80 columns when unknown).
import type { ChalkInstance } from 'chalk';
import { visibleLength } from './table.js';

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';

/** A bar `width` cells long at `max`; nothing for zero, negative or unknown values. */
export function bar(value: number | null, max: number, width: number): string {
  if (value === null || !(value > 0) || !(max > 0) || width <= 0) return '';
  const eighths = Math.max(1, Math.round(Math.min(value / max, 1) * width * 8));
  return FULL.repeat(Math.floor(eighths / 8)) + PARTIAL[eighths % 8];
}

/** Cells left for bars after `used` columns of text, at most `max`; 0 (no bars) when fewer than `min` are left. */
export function barWidth(used: number, columns: number | undefined, { min = 4, max = 40 } = {}): number {
  const room = (columns && columns > 0 ? columns : 80) - used - 1;
  return room < min ? 0 : Math.min(max, room);
}

/** The terminal width for charts: the stream's columns, else 80. */
export function terminalColumns(stream: NodeJS.WriteStream): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** Appends a bar to each line of a rendered table, after its widest line. Header and rule lines get none. */
export function withBars(table: string, bars: string[], paint: (text: string) => string = (t) => t): string {
  const lines = table.split('\n');
  const width = Math.max(...lines.filter((_, i) => i !== 1).map(visibleLength)); // the rule line is padded to 10
  return lines
    .map((line, i) => (i < 2 || !bars[i - 2] ? line : line + ' '.repeat(width - visibleLength(line) + 1) + paint(bars[i - 2])))
    .join('\n');
}

/** Colours a cell of a heat grid by where it stands between the lowest and highest value shown. */
export function heat(c: ChalkInstance, text: string, value: number | null, low: number, high: number): string {
  if (value === null || !(high > low)) return text;
  const at = (value - low) / (high - low);
  if (at >= 0.75) return c.green.bold(text);
  if (at >= 0.5) return c.green(text);
  if (at < 0.25) return c.dim(text);
  return text;
}
