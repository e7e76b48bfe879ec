// Waiting without returning to the event loop: between retries of a synchronous operation (a
// busy SQLite lock, an import's slices, an empty pipe on standard input).
const CELL = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds. */
export function sleepSync(ms: number): void {
  Atomics.wait(CELL, 0, 0, ms);
}
