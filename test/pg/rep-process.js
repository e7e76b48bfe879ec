// One rep as its own process, for the PostgreSQL concurrency test and bench: claims and logs
// through the built store (dist/) until the queue is empty or `seconds` run out, then prints
// what it did as JSON. Input: a JSON object in argv[2] — { config, rep, now, seconds?, startAt?, limit? }.
import { connectPg } from '../../dist/db/pg/open.js';
import { sessionSettings } from '../../dist/db/pg/session.js';
import { loadSettingsPg } from '../../dist/db/pg/settings.js';
import { claimNextLeadPg } from '../../dist/db/pg/queue.js';
import { recordOutcomePg } from '../../dist/db/pg/outcomes.js';
import { mixedOutcome } from '../../bench/lib/outcome-mix.js';

const { config, rep, now: nowIso, seconds, startAt, limit } = JSON.parse(process.argv[2]);
const now = new Date(nowIso);
const client = await connectPg({ ...config, ...sessionSettings() }); // the session callq's commands open
const settings = await loadSettingsPg(client);
const out = { rep, claimed: [], logged: [], held: 0, claimMs: [], logMs: [], errors: [], elapsedMs: 0 };
while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 2));
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const end = seconds ? started + seconds * 1000 : Infinity;
for (let i = 0; performance.now() < end; i++) {
  if (limit && out.claimMs.length >= limit) break;
  try {
    const t0 = performance.now();
    const claim = await claimNextLeadPg(client, now, settings, rep, {});
    const t1 = performance.now();
    out.claimMs.push(t1 - t0);
    if (!claim) break;
    if (claim.reason === 'held') out.held++;
    else out.claimed.push(claim.lead.id);
    await recordOutcomePg(client, { leadId: claim.lead.id, rep, now, force: false, token: claim.token }, settings, mixedOutcome(settings, rep, i, now),
      claim.lead, // as callq work does: the row the claim returned
    );
    out.logMs.push(performance.now() - t1);
    out.logged.push(claim.lead.id);
  } catch (err) {
    out.errors.push(`${rep}: ${err?.message ?? err}`);
    if (out.errors.length > 20) break;
  }
}
out.elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
out.loopCpuMs = (cpu.user + cpu.system) / 1000; // this process's CPU time in the loop (start-up excluded)
await client.end();
process.stdout.write(JSON.stringify(out) + '\n');
