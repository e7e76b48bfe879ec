// A one-line progress bar for long work (import, export, maintain on big data). It draws on
// stderr only when stderr is a terminal and --json is off, so scripts and logs never see it;
// everywhere else every method is a no-op.
//
//   const bar = progressBar(ctx, { total: bytes, label: 'importing', unit: 'bytes' });
//   bar.tick(n);        // n more done
//   bar.update(done);   // or: this much done in all
//   bar.done();         // clears the line
import type { Context } from '../cli/context.js';
import { safeText } from './safe-text.js';

export interface ProgressOptions {
  /** Amount of work in all; omit when unknown (then only the count and rate are shown). */
  total?: number;
  label: string;
  /** 'bytes' shows sizes in kB/MB; anything else is shown as a plain count with this word. */
  unit?: string;
}

export interface ProgressBar {
  tick(n?: number): void;
  update(done: number): void;
  done(): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 20;

const SILENT: ProgressBar = { tick() {}, update() {}, done() {} };

export function progressBar(ctx: Pick<Context, 'stderr' | 'json'>, options: ProgressOptions): ProgressBar {
  const stream = ctx.stderr;
  if (!stream.isTTY || ctx.json) return SILENT;
  const started = Date.now();
  let count = 0;
  let drawnAt = 0;
  let drawn = false;

  const draw = () => {
    drawnAt = Date.now();
    drawn = true;
    const columns = stream.columns || 80;
    stream.write('\r' + progressLine(options, count, (drawnAt - started) / 1000).slice(0, columns - 1) + '\x1b[K');
  };
  const maybeDraw = () => {
    if (Date.now() - drawnAt >= REDRAW_MS) draw();
  };

  return {
    tick(n = 1) {
      count += n;
      maybeDraw();
    },
    update(done) {
      count = done;
      maybeDraw();
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The text of the bar: label, bar and percentage when the total is known, amount, rate, time left. */
function progressLine(options: ProgressOptions, done: number, seconds: number): string {
  const amount = (n: number) => (options.unit === 'bytes' ? formatBytes(n) : `${Math.round(n).toLocaleString('en-US')}${options.unit ? ' ' + options.unit : ''}`);
  const rate = seconds > 0 ? done / seconds : 0;
  const parts = [safeText(options.label)]; // it may name the file read: one safe line
  if (options.total && options.total > 0) {
    const share = Math.min(1, done / options.total);
    const filled = Math.round(share * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${String(Math.floor(share * 100)).padStart(3)}%`);
    parts.push(`${amount(done)} of ${amount(options.total)}`);
    if (rate > 0 && share < 1) parts.push(`${formatSeconds((options.total - done) / rate)} left`);
  } else {
    parts.push(amount(done));
    if (rate > 0) parts.push(`${amount(rate)}/s`);
  }
  return parts.join('  ');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
