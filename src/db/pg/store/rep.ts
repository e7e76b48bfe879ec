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
  zoneGroupClosesPg,
} from '../queue.js';
import { activeClaimsPg, applyDefaultZonePg, callsForLeadPg, countByStatusPg, getLeadPg, recomputeQueueRanksPg, sharingNumberPg, suppressionForPg } from '../leads.js';
import { recordOutcomePg } from '../outcomes.js';
import { affectsQueueRank, resolveSettings } from '../../../core/settings.js';
import type { PgClient } from '../open.js';

/** `opening`: the settings read as the connection opened, the first loadSettings' answer (a round trip saved). */
export function pgRep(conn: PgConnection, opening?: Map<string, string>): RepStore {
  let atOpening = opening;
  /**
   * `op` on the live connection (PgConnection.live: one the server ended meanwhile is replaced
   * first), waiting for the server's answer no longer than the answer wait (PgConnection.answered).
   */
  const live =
    <A extends unknown[], R>(op: (c: PgClient, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const c = await conn.live();
      return conn.answered(c, op(c, ...args));
    };
  const inTransaction =
    <A extends unknown[], R>(op: (c: PgClient, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await conn.live();
      return conn.transaction((c) => op(c, ...args));
    };
  // What follows from a setting, in its transaction: the default zone given to leads.
  const followUp = async (c: PgClient, key: string, now: Date): Promise<number> =>
    key === 'timezone.default' ? applyDefaultZonePg(c, resolveSettings(await loadStoredSettingsPg(c)).defaultZone, now) : 0;
  // And after it: the stored ranks under new weights, a slice of leads per transaction.
  const reRank = async (key: string) => {
    if (affectsQueueRank(key)) await recomputeQueueRanksPg(conn, async (c) => resolveSettings(await loadStoredSettingsPg(c)).weights);
  };
  return {
    schemaVersion: live(pgSchemaVersion),
    loadSettings: async () => {
      const stored = atOpening;
      atOpening = undefined;
      if (stored) return resolveSettings(stored);
      const c = await conn.live();
      return conn.answered(c, loadSettingsPg(c));
    },
    storedSettings: live(loadStoredSettingsPg),
    async storeSetting(key: string, value: string, rep: string, now: Date) {
      const zoned = await inTransaction(async (c) => {
        await storeSettingPg(c, key, value, rep, now);
        return followUp(c, key, now);
      })();
      await reRank(key);
      return zoned;
    },
    async removeSetting(key: string, now: Date) {
      const zoned = await inTransaction(async (c) => ((await removeSettingPg(c, key)) ? followUp(c, key, now) : null))();
      if (zoned !== null) await reRank(key);
      return zoned;
    },
    heldClaim: live(heldClaimPg),
    // The claim is its own transaction, nearly always one round trip (queue.ts).
    claimNext: live(claimNextLeadPg),
    release: live(releaseClaimPg),
    renew: live(renewClaimPg),
    explainEmptyQueue: live(explainEmptyQueuePg),
    zoneGroupCloses: live(zoneGroupClosesPg),
    queueCandidates: live(queueCandidatesPg),
    queueSize: live(queueSizePg),
    getLead: live(getLeadPg),
    callsForLead: live(callsForLeadPg),
    sharingNumber: live(sharingNumberPg),
    countByStatus: live(countByStatusPg),
    activeClaims: live(activeClaimsPg),
    suppressionFor: live(suppressionForPg),
    // One statement (outcomes.ts): the write matches only the lead as read, so it needs no transaction of its own.
    recordOutcome: live(recordOutcomePg),
  };
}
