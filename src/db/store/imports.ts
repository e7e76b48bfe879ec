// The store operations for importing lists, the list of imports, undo (src/db/store.ts).
export interface ImportStore {}
