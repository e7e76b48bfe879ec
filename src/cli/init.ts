import { openContextStore, type Context } from './context.js';
import { printInfo, printJson } from '../ui/output.js';
import { warnIfEveryoneReads } from './privacy.js';

/** Creates the database (a SQLite file, or callq's schema in an existing PostgreSQL database) or migrates it. */
export async function run(ctx: Context): Promise<void> {
  const store = await openContextStore(ctx, { create: true });
  try {
    const version = await store.rep.schemaVersion();
    if (ctx.json) printJson(ctx, { db: store.name, store: { kind: store.kind, name: store.name }, schema_version: version });
    else printInfo(ctx, `callq database ready at ${store.name} (${store.kind === 'postgres' ? 'PostgreSQL, ' : ''}schema version ${version}).`);
    warnIfEveryoneReads(ctx);
  } finally {
    await store.close();
  }
}
