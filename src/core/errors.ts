// Typed failures. Only the entry point turns them into a process exit code (docs/setup.md, "Exit codes").

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  nothingToDo: 3,
  conflict: 4,
  integrity: 5,
  /** The database stayed locked by another writer past the busy timeout: try again (EX_TEMPFAIL). */
  busy: 75,
  /** The interactive session was interrupted (Ctrl-C, or its terminal closed): 128 + SIGINT, as shells expect. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
    /** Extra detail for --json consumers (e.g. when the queue opens next). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flag, bad CSV, unknown lead, invalid value: exit 2. */
export class UsageError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.usage, detail);
  }
}

/** Queue empty, no match: exit 3. */
export class NothingToDoError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.nothingToDo, detail);
  }
}

/** Lead claimed by another rep, lease expired: exit 4. */
export class ConflictError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.conflict, detail);
  }
}

/** Database integrity problem: exit 5. */
export class IntegrityError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.integrity, detail);
  }
}

/** Another process held the database's write lock past the busy timeout: exit 75, try again. */
export class BusyError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.busy, detail);
  }
}

/** Ctrl-C or a closed terminal ended `callq work`: exit 130. */
export class InterruptedError extends ExitError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super(message, EXIT.interrupted, detail);
  }
}
