// ExportStore on PostgreSQL (src/db/store/exports.ts).
import type { PgConnection } from './connection.js';
import type { ExportStore } from '../../store/exports.js';
import {
  callRowsPg,
  cleanupRowsPg,
  countCallsPg,
  countCleanupPg,
  countNurturePg,
  nurtureRowsPg,
  getHandoffBatchPg,
  readHandoffPg,
  recordHandoffPg,
} from '../exports.js';
import { funnelTalliesPg, lostTalliesPg, repTalliesPg, zoneQuarterTalliesPg } from '../reports.js';
import { addSuppressionsPg, listSuppressionsPg, removeSuppressionsPg, suppressLeadsMatchingPg } from '../suppressions.js';
import { loadSettingsPg } from '../settings.js';

export function pgExports(conn: PgConnection): ExportStore {
  const client = conn.client;
  return {
    handoffBatch: (id) => getHandoffBatchPg(client, id),
    readHandoff: (selection, write) => readHandoffPg(client, selection, write),
    recordHandoff: (record) => recordHandoffPg(conn, record),
    cleanupRows: (window) => cleanupRowsPg(client, window),
    countCleanup: (window) => countCleanupPg(client, window),
    nurtureRows: (window) => nurtureRowsPg(client, window),
    countNurture: (window) => countNurturePg(client, window),
    callRows: (window) => callRowsPg(client, window),
    countCalls: (window) => countCallsPg(client, window),

    funnelTallies: (field, period) => funnelTalliesPg(client, field, period),
    lostTallies: (field, period) => lostTalliesPg(client, field, period),
    repTallies: (period) => repTalliesPg(client, period),
    zoneQuarterTallies: (period) => zoneQuarterTalliesPg(client, period),

    defaultCountry: async () => (await loadSettingsPg(client)).defaultCountry,
    addDoNotCall: (keys, reason, source, now) =>
      conn.transaction(async (c) => {
        const added = await addSuppressionsPg(c, keys, reason, source, now);
        return { added, leads_suppressed: await suppressLeadsMatchingPg(c, keys, now) };
      }),
    removeDoNotCall: (keys) => conn.transaction((c) => removeSuppressionsPg(c, keys)),
    listDoNotCall: (kind) => listSuppressionsPg(client, kind),
  };
}
