// One rep as its own process on a SQLite file: the SQLite side of bench/pg-claims.js, the same
// loop and outcome mix as test/pg/rep-process.js. Input: JSON in argv[2] — { path, rep, now, seconds, startAt }.
import { openDatabase, retryWhileBusy } from '../../dist/db/open.js';
import { loadSettings } from '../../dist/db/settings.js';
import { claimNextLead } from '../../dist/db/queue.js';
import { recordOutcome } from '../../dist/db/outcomes.js';
import { mixedOutcome } from './outcome-mix.js';

const { path, rep, now: nowIso, seconds, startAt, limit } = JSON.parse(process.argv[2]);
const now = new Date(nowIso);
const db = openDatabase(path);
const settings = loadSettings(db);
const out = { rep, claimed: [], logged: [], held: 0, claimMs: [], logMs: [], errors: [], elapsedMs: 0 };
while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 2));
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const end = started + seconds * 1000;
for (let i = 0; performance.now() < end; i++) {
  if (limit && out.claimMs.length >= limit) break;
  try {
    const t0 = performance.now();
    const claim = retryWhileBusy(db, () => claimNextLead(db, now, settings, rep, {}));
    const t1 = performance.now();
    out.claimMs.push(t1 - t0);
    if (!claim) break;
    if (claim.reason === 'held') out.held++;
    else out.claimed.push(claim.lead.id);
    retryWhileBusy(db, () =>
      recordOutcome(db, { leadId: claim.lead.id, rep, now, force: false, token: claim.token }, settings, mixedOutcome(settings, rep, i, now)),
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
db.close();
process.stdout.write(JSON.stringify(out) + '\n');
