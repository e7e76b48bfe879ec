// The store operations for hand-offs, clean-up lists, call exports, reports, the do-not-call list (src/db/store.ts).
export interface ExportStore {}
