// RepStore on PostgreSQL (src/db/store/rep.ts). The claim and the outcome are the statements of
// src/db/pg/queue.ts and outcomes.ts (docs/design.md, "PostgreSQL store"); a row lock held past
// lock_timeout (the busy timeout) fails as busy, exit 75 (src/db/pg/errors.ts).
import type { PgConnection } from './connection.js';
import type { RepStore } from '../../store/rep.js';
import { pgSchemaVersion } from '../migrations.js';
import { loadSettingsPg, loadStoredSettingsPg, removeSettingPg, storeSettingPg } from '../settings.js';
import {
  claimNextLeadPg,
  explainEmptyQueuePg,
  heldClaimPg,
  queueCandidatesPg,
  queueSizePg,
  releaseClaimPg,
  renewClaimPg,
  zoneGroupOpenPg,
} from '../queue.js';
import { activeClaimsPg, callsForLeadPg, countByStatusPg, getLeadPg, recomputeQueueRanksPg, suppressionForPg } from '../leads.js';
import { recordOutcomePg } from '../outcomes.js';
import { affectsQueueRank, resolveSettings } from '../../../core/settings.js';
import type { PgClient } from '../open.js';

/** `opening`: the settings read as the connection opened, the first loadSettings' answer (a round trip saved). */
export function pgRep(conn: PgConnection, opening?: Map<string, string>): RepStore {
  const { client } = conn;
  let atOpening = opening;
  const recomputeIfRanked = async (c: PgClient, key: string) => {
    if (affectsQueueRank(key)) await recomputeQueueRanksPg(c, resolveSettings(await loadStoredSettingsPg(c)).weights);
  };
  return {
    schemaVersion: () => pgSchemaVersion(client),
    loadSettings: async () => {
      const stored = atOpening;
      atOpening = undefined;
      return stored ? resolveSettings(stored) : loadSettingsPg(client);
    },
    storedSettings: () => loadStoredSettingsPg(client),
    storeSetting: (key, value, rep, now) =>
      conn.transaction(async (c) => {
        await storeSettingPg(c, key, value, rep, now);
        await recomputeIfRanked(c, key);
      }),
    removeSetting: (key) =>
      conn.transaction(async (c) => {
        const removed = await removeSettingPg(c, key);
        if (removed) await recomputeIfRanked(c, key);
        return removed;
      }),
    heldClaim: (rep, now) => heldClaimPg(client, rep, now),
    // The claim is its own transaction, nearly always one round trip (queue.ts).
    claimNext: (now, settings, rep, filters) => claimNextLeadPg(client, now, settings, rep, filters),
    release: (leadId, rep, now) => releaseClaimPg(client, leadId, rep, now),
    renew: (leadId, rep, token, now, settings) => renewClaimPg(client, leadId, rep, token, now, settings),
    explainEmptyQueue: (now, settings, rep, filters) => explainEmptyQueuePg(client, now, settings, rep, filters),
    zoneGroupOpen: (timezone, now, settings) => zoneGroupOpenPg(client, timezone, now, settings),
    queueCandidates: (now, settings, rep, filters, limit) => queueCandidatesPg(client, now, settings, rep, filters, limit),
    queueSize: (now, settings) => queueSizePg(client, now, settings),
    getLead: (id) => getLeadPg(client, id),
    callsForLead: (leadId, limit) => callsForLeadPg(client, leadId, limit),
    countByStatus: () => countByStatusPg(client),
    activeClaims: (now) => activeClaimsPg(client, now),
    suppressionFor: (lead) => suppressionForPg(client, lead),
    // One statement (outcomes.ts): the write matches only the lead as read, so it needs no transaction of its own.
    recordOutcome: (o, settings, plan, known) => recordOutcomePg(client, o, settings, plan, known),
  };
}
