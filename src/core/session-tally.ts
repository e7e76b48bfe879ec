// The rep's running score for one `callq work` session: what the header line shows.

export interface SessionTally {
  startedAt: Date;
  /** Outcomes saved (every saved outcome is a dial). */
  dials: number;
  /** Dials that reached a person. */
  contacts: number;
  salesReady: number;
  skipped: number;
}

/** Below this, a dials-per-hour figure is noise (3 dials in 2 minutes is not 90 an hour). */
const RATE_AFTER_MS = 5 * 60_000;

export function newTally(startedAt: Date): SessionTally {
  return { startedAt, dials: 0, contacts: 0, salesReady: 0, skipped: 0 };
}

export function countOutcome(t: SessionTally, outcome: { contact: boolean; status: string }): SessionTally {
  return {
    ...t,
    dials: t.dials + 1,
    contacts: t.contacts + (outcome.contact ? 1 : 0),
    salesReady: t.salesReady + (outcome.status === 'sales-ready' ? 1 : 0),
  };
}

export function countSkip(t: SessionTally): SessionTally {
  return { ...t, skipped: t.skipped + 1 };
}

/** Dials per hour since the session started, or null while too little time has passed to say. */
export function dialsPerHour(t: SessionTally, now: Date): number | null {
  const elapsed = now.getTime() - t.startedAt.getTime();
  if (elapsed < RATE_AFTER_MS) return null;
  return t.dials / (elapsed / 3_600_000);
}
