// What the tests that drive the import writer in-process share: its options and empty counts.
import type { ImportCounts } from '../../src/db/imports.js';
import type { WriterOptions } from '../../src/db/import-writer.js';
import { resolveSettings } from '../../src/core/settings.js';

export const WRITER_NOW = new Date('2026-11-23T15:00:00Z');
export const NO_COUNTS: ImportCounts = { rows_read: 0, inserted: 0, updated: 0, duplicates: 0, suppressed: 0, rejected: 0 };

/** A writer's options for `leads.csv` imported by ops at WRITER_NOW, skipping duplicates, with `over` on top. */
export function writerOptions(expectedRows: number, over: Partial<WriterOptions> = {}): WriterOptions {
  return {
    fileName: 'leads.csv',
    rep: 'ops',
    now: WRITER_NOW,
    onDuplicate: 'skip',
    dryRun: false,
    weights: resolveSettings(new Map()).weights,
    expectedRows,
    unfilled: new Set(),
    ...over,
  };
}
