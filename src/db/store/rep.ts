// The store operations for settings, leads, the queue, claims, outcomes, status (src/db/store.ts).
export interface RepStore {}
