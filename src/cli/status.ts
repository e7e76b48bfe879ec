import type { Context } from './context.js';
import { openDatabase, schemaVersion } from '../db/open.js';
import { activeClaims, countByStatus } from '../db/leads.js';
import { loadSettings } from '../db/settings.js';
import { queueSize } from '../db/queue.js';
import { STATUSES } from '../core/lifecycle.js';
import { printData, printJson } from '../ui/output.js';
import { paint } from '../ui/style.js';

export async function run(ctx: Context): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const byStatus = countByStatus(db);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, byStatus[s] ?? 0]));
    const claims = activeClaims(db, ctx.now);
    const queue = queueSize(db, ctx.now, loadSettings(db));
    const leads = Object.values(counts).reduce((a, b) => a + b, 0);
    if (ctx.json) {
      printJson(ctx, { db: ctx.dbPath, schema_version: schemaVersion(db), now: ctx.now.toISOString(), leads, by_status: counts, claims, queue_now: queue });
      return;
    }
    const c = paint(ctx, ctx.stdout);
    const lines = [
      `${c.bold('database')}   ${ctx.dbPath}`,
      `${c.bold('schema')}     version ${schemaVersion(db)}`,
      `${c.bold('leads')}      ${leads}`,
      ...STATUSES.map((s) => `  ${s.padEnd(13)} ${String(counts[s]).padStart(8)}`),
      `${c.bold('claims')}     ${claims.length ? claims.map((cl) => `${cl.rep} → lead ${cl.lead_id} (until ${cl.expires_at})`).join('; ') : 'none'}`,
      `${c.bold('queue now')}  ${queue} callable${ctx.nowGiven ? ` at ${ctx.now.toISOString()}` : ''}`,
    ];
    printData(ctx, lines.join('\n'));
  } finally {
    db.close();
  }
}
