// The store operations for copying every table whole, to move a team's database to another store (callq db copy) (src/db/store.ts).
export interface TableStore {}
