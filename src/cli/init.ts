import type { Context } from './context.js';
import { openDatabase, schemaVersion } from '../db/open.js';
import { printInfo, printJson } from '../ui/output.js';

export async function run(ctx: Context): Promise<void> {
  const db = openDatabase(ctx.dbPath, { create: true });
  try {
    const version = schemaVersion(db);
    if (ctx.json) printJson(ctx, { db: ctx.dbPath, schema_version: version });
    else printInfo(ctx, `callq database ready at ${ctx.dbPath} (schema version ${version}).`);
  } finally {
    db.close();
  }
}
