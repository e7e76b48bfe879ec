// How `callq maintain` runs and times its steps, on either store (src/db/maintenance.ts,
// src/db/pg/maintenance.ts): each step is announced, timed and recorded for the report.
import type { StepName, StepReport } from '../core/maintenance.js';
import type { TempSweep } from '../io/output-file.js';

/** What a step that changes leads in batches is told: a dry run, and where to report progress. */
export interface BatchOptions {
  dryRun: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface StepCallbacks {
  dryRun: boolean;
  onStep?: (name: StepName) => void;
  onProgress?: (name: StepName, done: number, total: number) => void;
}

export function maintenanceSteps(callbacks: StepCallbacks) {
  const steps: StepReport[] = [];
  const step = async <T>(name: StepName, work: () => T | Promise<T>, count: (r: T) => number | null, detail?: (r: T) => string): Promise<T> => {
    callbacks.onStep?.(name);
    const t0 = performance.now();
    const result = await work();
    steps.push({ name, count: count(result), ms: Math.round(performance.now() - t0), ...(detail ? { detail: detail(result) } : {}) });
    return result;
  };
  const batch = (name: StepName): BatchOptions => ({ dryRun: callbacks.dryRun, onProgress: (d, t) => callbacks.onProgress?.(name, d, t) });
  return { steps, step, batch };
}

/** The report's detail for the temp-file sweep. */
export function describeTempSweep(t: TempSweep): string {
  return t.failed.length ? `${t.failed.length} could not be removed: ${t.failed[0].path} (${t.failed[0].error})` : 'left by killed runs';
}
