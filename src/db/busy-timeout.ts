// How long a command waits for another writer, on either store: SQLite's busy timeout,
// PostgreSQL's lock_timeout (docs/setup.md).
import { UsageError } from '../core/errors.js';
import { parseBusyTimeout } from '../core/settings.js';

export const BUSY_TIMEOUT_MS = 5_000;

/**
 * How long to wait for another writer: CALLQ_BUSY_TIMEOUT (ms or a duration; empty counts as
 * unset) overrides the team's `busy-timeout` setting, which overrides the 5 s default. The
 * environment wins because it is the narrower choice: one script or one rep's shell.
 */
export function busyTimeoutFrom(env: NodeJS.ProcessEnv, stored: string | undefined): number {
  const raw = env.CALLQ_BUSY_TIMEOUT;
  if (raw !== undefined && raw.trim() !== '') {
    const ms = parseBusyTimeout(raw);
    if (ms === null) throw new UsageError(`invalid CALLQ_BUSY_TIMEOUT '${raw}': expected milliseconds like 5000 or a duration like 10s (at most 1h).`);
    return ms;
  }
  return (stored !== undefined ? parseBusyTimeout(stored) : null) ?? BUSY_TIMEOUT_MS;
}
