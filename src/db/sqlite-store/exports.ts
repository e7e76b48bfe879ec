// ExportStore on a SQLite file (src/db/store/exports.ts): the queries of src/db/exports.ts,
// reports.ts and suppressions.ts, their row generators read a page at a time.
import type { DB } from '../open.js';
import type { ExportStore } from '../store/exports.js';
import { callRows, cleanupRows, countCalls, countCleanup, countNurture, getHandoffBatch, handoffKeys, handoffLeads, nurtureRows, recordHandoff } from '../exports.js';
import { funnelTallies, lostTallies, repTallies, zoneQuarterTallies } from '../reports.js';
import { addSuppressions, listSuppressions, removeSuppressions } from '../suppressions.js';
import { suppressMatchingLeads } from '../outcomes.js';
import { loadSettings } from '../settings.js';

/** Rows per page: enough that the step between pages costs nothing next to the rows. */
const PAGE = 512;

/** A synchronous row iterator, started on the first read, handed out a page at a time. */
async function* pages<T>(rows: () => Iterable<T>): AsyncGenerator<T[]> {
  let page: T[] = [];
  for (const row of rows()) {
    page.push(row);
    if (page.length === PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

export function sqliteExports(db: DB): ExportStore {
  return {
    async handoffBatch(id) {
      return getHandoffBatch(db, id);
    },

    async readHandoff(selection, write) {
      // One read snapshot for both passes, so the columns found in the first fit every row of the second.
      db.exec('BEGIN');
      try {
        const { count, keys } = handoffKeys(db, selection);
        return await write({ count, keys, leads: pages(() => handoffLeads(db, selection)) });
      } finally {
        db.exec('COMMIT');
      }
    },

    async recordHandoff(record) {
      return recordHandoff(db, record);
    },

    cleanupRows: (window) => pages(() => cleanupRows(db, window)),
    countCleanup: async (window) => countCleanup(db, window),
    nurtureRows: (window) => pages(() => nurtureRows(db, window)),
    countNurture: async (window) => countNurture(db, window),
    callRows: (window) => pages(() => callRows(db, window)),
    countCalls: async (window) => countCalls(db, window),

    funnelTallies: async (field, period) => funnelTallies(db, field, period),
    lostTallies: async (field, period) => lostTallies(db, field, period),
    repTallies: async (period) => repTallies(db, period),
    zoneQuarterTallies: async (period) => zoneQuarterTallies(db, period),

    defaultCountry: async () => loadSettings(db).defaultCountry,

    async addDoNotCall(keys, reason, source, now) {
      return db
        .transaction(() => {
          const added = addSuppressions(db, [...keys], reason, source, now);
          const pick = (kind: string) => keys.filter((k) => k.kind === kind).map((k) => k.value);
          return { added, leads_suppressed: suppressMatchingLeads(db, pick('phone'), pick('email'), pick('domain'), now) };
        })
        .immediate();
    },

    async removeDoNotCall(keys) {
      return db.transaction(() => removeSuppressions(db, [...keys])).immediate();
    },

    listDoNotCall: (kind) => pages(() => listSuppressions(db, kind)),
  };
}
