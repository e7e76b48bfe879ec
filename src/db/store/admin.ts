// The store operations for backup, restore, maintenance, erasure, copying a database to another store (src/db/store.ts).
export interface AdminStore {}
