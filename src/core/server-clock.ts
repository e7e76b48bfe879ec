// One clock for a team on many machines. On SQLite every rep works on the one host, so they all
// read one clock; on PostgreSQL each rep's machine has its own, and a laptop an hour off would
// call outside the lead's calling hours, let a colleague's claim lapse early, or file outcomes at
// the wrong time. callq therefore acts at the database server's time (measured as the store
// opens: Store.clockOffsetMs) unless --now says otherwise, and tells a rep whose clock is far off.

/** How far a machine's clock may be from the server's before callq says so. */
const SKEW_WARNING_MS = 60_000;

/**
 * What a command acts at once its store told the server's clock (`offsetMs`, none for SQLite):
 * `now` moved by the offset and the shift for later instants, unless --now was given
 * (`nowGiven`); and the warning for a clock far off, if any.
 */
export function atServerClock(now: Date, nowGiven: boolean, offsetMs: number | undefined): { now: Date; shiftMs: number; warning: string | null } {
  if (nowGiven || offsetMs === undefined) return { now, shiftMs: 0, warning: null };
  return { now: new Date(now.getTime() + offsetMs), shiftMs: offsetMs, warning: clockSkewWarning(offsetMs) };
}

/** A warning for a machine whose clock is SKEW_WARNING_MS or more from the server's, else null. */
function clockSkewWarning(offsetMs: number): string | null {
  if (Math.abs(offsetMs) < SKEW_WARNING_MS) return null;
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const size = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return (
    `warning: this machine's clock is ${size} ${offsetMs > 0 ? 'behind' : 'ahead of'} the database server's; ` +
    "callq goes by the server's (calling hours, claims, outcomes). Set this machine's clock right (NTP)."
  );
}
