// One rep as its own process, for the PostgreSQL concurrency test and bench: claims and logs
// through the built store (dist/) until the queue is empty or `seconds` run out, then prints
// what it did as JSON. Input: a JSON object in argv[2] — { config, rep, now, seconds?, startAt?, limit?,
// floorZone? }. With floorZone (bench/pg-claims.js's floor), each claim is the cheapest correct
// one instead of callq's: the best lead of that one zone group's index range, locked with SKIP
// LOCKED, with none of the queue's order (callbacks, fresh leads, other zones, calling hours);
// the outcome is still callq's.
import { connectPg } from '../../dist/db/pg/open.js';
import { sessionSettings } from '../../dist/db/pg/session.js';
import { loadSettingsPg } from '../../dist/db/pg/settings.js';
import { claimNextLeadPg } from '../../dist/db/pg/queue.js';
import { recordOutcomePg } from '../../dist/db/pg/outcomes.js';
import { mixedOutcome } from '../../bench/lib/outcome-mix.js';

const { config, rep, now: nowIso, seconds, startAt, limit, floorZone } = JSON.parse(process.argv[2]);
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
    const claim = floorZone ? await floorClaim() : await claimNextLeadPg(client, now, settings, rep, {});
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

async function floorClaim() {
  const expires = new Date(now.getTime() + 15 * 60_000).toISOString();
  const { rows } = await client.query({
    name: 'floor_claim',
    text: `UPDATE leads SET claim_rep = $1, claim_token = right(translate(gen_random_uuid()::text, '-', ''), 16), claim_expires_at = $2, updated_at = $3
      WHERE id = (SELECT id FROM leads WHERE timezone = $4 AND status IN ('new','working','nurture')
        AND (next_eligible_at IS NULL OR next_eligible_at <= $3) AND (claim_expires_at IS NULL OR claim_expires_at <= $3)
        ORDER BY queue_rank DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    values: [rep, expires, nowIso, floorZone],
  });
  return rows[0] ? { lead: rows[0], token: rows[0].claim_token, reason: 'score' } : null;
}
const cpu = process.cpuUsage(cpuAtStart);
out.loopCpuMs = (cpu.user + cpu.system) / 1000; // this process's CPU time in the loop (start-up excluded)
await client.end();
process.stdout.write(JSON.stringify(out) + '\n');
