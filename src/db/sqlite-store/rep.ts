// RepStore on a SQLite file (src/db/store/rep.ts): today's functions, unchanged, behind the async
// operations. Writes go through retryWhileBusy (the 2 ms busy retry, docs/design.md).
import { retryWhileBusy, schemaVersion, type DB } from '../open.js';
import type { RepStore } from '../store/rep.js';
import { loadSettings, loadStoredSettings, removeSetting, storeSetting } from '../settings.js';
import { claimNextLead, explainEmptyQueue, heldClaim, queueCandidates, queueSize, releaseClaim, renewClaim, zoneGroupCloses } from '../queue.js';
import { activeClaims, applyDefaultZone, countByStatus, getLead, recomputeQueueRanks, sharingNumber } from '../leads.js';
import { callsForLead } from '../calls.js';
import { suppressionMatcher } from '../suppressions.js';
import { recordOutcome } from '../outcomes.js';
import { affectsQueueRank, resolveSettings } from '../../core/settings.js';

export function sqliteRep(db: DB): RepStore {
  let matcher: ReturnType<typeof suppressionMatcher> | undefined;
  // What follows from a setting, in its transaction: the default zone given to leads.
  const followUp = (key: string, now: Date): number =>
    key === 'timezone.default' ? applyDefaultZone(db, resolveSettings(loadStoredSettings(db)).defaultZone, now) : 0;
  // And after it: the stored ranks under new weights, a slice of leads per transaction.
  const reRank = (key: string) => {
    if (affectsQueueRank(key)) recomputeQueueRanks(db, () => resolveSettings(loadStoredSettings(db)).weights);
  };
  return {
    schemaVersion: async () => schemaVersion(db),
    loadSettings: async () => loadSettings(db),
    storedSettings: async () => loadStoredSettings(db),
    async storeSetting(key, value, rep, now) {
      const zoned = db
        .transaction(() => {
          storeSetting(db, key, value, rep, now);
          return followUp(key, now);
        })
        .immediate();
      reRank(key);
      return zoned;
    },
    async removeSetting(key, now) {
      const zoned = db.transaction(() => (removeSetting(db, key) ? followUp(key, now) : null)).immediate();
      if (zoned !== null) reRank(key);
      return zoned;
    },
    heldClaim: async (rep, now) => heldClaim(db, rep, now),
    claimNext: async (now, settings, rep, filters) => retryWhileBusy(db, () => claimNextLead(db, now, settings, rep, filters)),
    release: async (leadId, rep, now) => retryWhileBusy(db, () => releaseClaim(db, leadId, rep, now)),
    renew: async (leadId, rep, token, now, settings) => retryWhileBusy(db, () => renewClaim(db, leadId, rep, token, now, settings)),
    explainEmptyQueue: async (now, settings, rep, filters) => explainEmptyQueue(db, now, settings, rep, filters),
    zoneGroupCloses: async (timezone, now, settings) => zoneGroupCloses(db, timezone, now, settings),
    queueCandidates: async (now, settings, rep, filters, limit) => queueCandidates(db, now, settings, rep, filters, limit),
    queueSize: async (now, settings) => queueSize(db, now, settings),
    getLead: async (id) => getLead(db, id),
    callsForLead: async (leadId, limit) => callsForLead(db, leadId, limit),
    sharingNumber: async (lead, limit) => sharingNumber(db, lead, limit),
    countByStatus: async () => countByStatus(db),
    activeClaims: async (now) => activeClaims(db, now),
    async suppressionFor(lead) {
      matcher ??= suppressionMatcher(db);
      return matcher(lead);
    },
    recordOutcome: async (o, settings, plan) => retryWhileBusy(db, () => recordOutcome(db, o, settings, plan)),
  };
}
