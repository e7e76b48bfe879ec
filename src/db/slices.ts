// Work done in slices, each its own write transaction, so reps' short claims and outcomes come
// and go between them: an import's slices, its end and clean-up phases (imports.ts,
// import-writer.ts), a weight change's re-ranking (leads.ts). Kept apart from imports.ts so the
// rep's commands, which re-rank nothing, load none of the import's modules.
import { retryWhileBusy, type DB } from './open.js';
import { sleepSync } from '../io/sleep.js';

/**
 * How long one write slice should hold the lock. Each slice writes every index page its rows
 * touch (the phone, e-mail and queue indexes take keys in random order), so small slices cost
 * far more in all than large ones; a rep that finds the lock taken retries every 2 ms
 * (retryWhileBusy) and so waits about one slice. Sizes are scaled from the last slice's time.
 */
const SLICE_TARGET_MS = 200;

export const SLICE_MIN = 4096;

const SLICE_MAX = 65_536;

/**
 * How long an import's slice waits for the lock before the import fails (exit 75): reps' short
 * transactions come and go between slices, and an import should outwait them, not give up.
 */
export const IMPORT_PATIENCE_MS = 60_000;

/** Staged merges applied, or leads published or removed, in the first transaction of the end and clean-up phases. */
const PUBLISH_ROWS = 4096;

/** The pause after each transaction of the end and clean-up phases, in which waiting reps take the lock. */
const SLICE_PAUSE_MS = 10;

/** The next slice size (rows) after a slice of `size` rows held the lock `ms`. */
export function nextSlice(size: number, ms: number): number {
  const scaled = ms <= 0 ? size * 2 : Math.round((size * SLICE_TARGET_MS) / ms);
  return Math.max(SLICE_MIN, Math.min(SLICE_MAX, scaled, size * 2));
}

/**
 * Runs `work(size)` (one transaction, returning rows done) until it returns 0, sizing each by the
 * last one's time, with a pause between them for reps waiting on the lock: an import's end and
 * clean-up phases, a weight change's re-ranking (leads.ts).
 */
export function inSlices(db: DB, work: (size: number) => number, pause: (() => void) | null): number {
  let size = PUBLISH_ROWS;
  let total = 0;
  for (;;) {
    const started = performance.now();
    const n = retryWhileBusy(db, () => db.transaction(() => work(size)).immediate(), IMPORT_PATIENCE_MS);
    if (n === 0) return total;
    total += n;
    size = nextSlice(size, performance.now() - started);
    // Back-to-back transactions would take the lock again within microseconds: a rep that
    // found it taken (and retries every 2 ms) gets this window.
    sleepSync(SLICE_PAUSE_MS);
    pause?.();
  }
}

