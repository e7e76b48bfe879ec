import { openContextStore, type Context } from './context.js';
import { STATUSES } from '../core/lifecycle.js';
import { printData, printJson } from '../ui/output.js';
import { paint } from '../ui/style.js';
import { viewerZone } from './args.js';
import { formatInZone } from '../core/when.js';
import { warnIfEveryoneReads } from './privacy.js';

export async function run(ctx: Context): Promise<void> {
  const store = await openContextStore(ctx);
  try {
    warnIfEveryoneReads(ctx);
    const rep = store.rep;
    const byStatus = await rep.countByStatus();
    const counts = Object.fromEntries(STATUSES.map((s) => [s, byStatus[s] ?? 0]));
    const claims = await rep.activeClaims(ctx.now);
    const queue = await rep.queueSize(ctx.now, await rep.loadSettings());
    const version = await rep.schemaVersion();
    const leads = Object.values(counts).reduce((a, b) => a + b, 0);
    if (ctx.json) {
      printJson(ctx, {
        db: store.name,
        store: { kind: store.kind, name: store.name, ...(store.transport ? { transport: store.transport } : {}) },
        schema_version: version,
        now: ctx.now.toISOString(),
        leads,
        by_status: counts,
        claims,
        queue_now: queue,
      });
      return;
    }
    const c = paint(ctx, ctx.stdout);
    const zone = viewerZone();
    const at = (iso: string | Date) => formatInZone(new Date(iso), zone, { withDate: true });
    const lines = [
      `${c.bold('database')}   ${store.name}`,
      `${c.bold('store')}      ${store.kind === 'postgres' ? `PostgreSQL, ${transportText(store.transport)}` : 'SQLite file'}`,
      `${c.bold('schema')}     version ${version}`,
      `${c.bold('leads')}      ${leads}`,
      ...STATUSES.map((s) => `  ${s.padEnd(13)} ${String(counts[s]).padStart(8)}`),
      `${c.bold('claims')}     ${claims.length ? claims.map((cl) => `${cl.rep} → lead ${cl.lead_id} (until ${at(cl.expires_at)})`).join('; ') : 'none'}`,
      `${c.bold('queue now')}  ${queue} callable${ctx.nowGiven ? ` at ${at(ctx.now)}` : ''}`,
    ];
    printData(ctx, lines.join('\n'));
  } finally {
    await store.close();
  }
}

/** The connection as `status` tells it: whether what reps read and write crosses the network encrypted. */
function transportText(transport: string | undefined): string {
  if (transport === 'unix socket') return 'over a unix socket (this machine)';
  if (transport === 'unencrypted' || transport === undefined) return 'not encrypted (TCP)';
  return `encrypted (${transport})`;
}
