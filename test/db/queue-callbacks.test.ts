// Due callbacks in zones that are closed must not hide one in an open zone, however many there are.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { loadSettings } from '../../src/db/settings.js';
import { claimNextLead, openZoneGroups, queueCandidates } from '../../src/db/queue.js';
import { tempDir } from '../helpers.js';

const NOW = new Date('2026-11-24T16:00:00Z'); // Tuesday 11:00 New York, 01:00 Tokyo (Wednesday)

let db: DB;
let cleanup: () => void;
beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  db = openDatabase(join(t.dir, 'cb.db'), { create: true });
});
afterEach(() => {
  db.close();
  cleanup();
});

function callback(zone: string, at: string, rep: string): number {
  return Number(
    db
      .prepare(
        `INSERT INTO leads(phone, timezone, status, callback_at, callback_rep, next_eligible_at, created_at, updated_at)
         VALUES (?, ?, 'callback', ?, ?, ?, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`,
      )
      .run(`+1212${String(5550000 + Number(db.prepare('SELECT count(*) FROM leads').pluck().get()))}`, zone, at, rep, at).lastInsertRowid,
  );
}

describe('due callbacks', () => {
  it('one in an open zone is served behind 300 older ones in a closed zone', () => {
    for (let i = 0; i < 300; i++) callback('Asia/Tokyo', new Date(NOW.getTime() - (400 - i) * 60_000).toISOString(), 'ana');
    const open = callback('America/New_York', new Date(NOW.getTime() - 20 * 60_000).toISOString(), 'ben'); // past its grace
    const settings = loadSettings(db);
    expect(queueCandidates(db, NOW, settings, 'ana', {}, 5).map((e) => e.lead.id)).toEqual([open]);
    expect(claimNextLead(db, NOW, settings, 'ana', {})).toMatchObject({ reason: 'callback', lead: { id: open } });
  });

  it("a rep's own callback comes first even behind many of colleagues' that are past their grace", () => {
    for (let i = 0; i < 300; i++) callback('America/New_York', new Date(NOW.getTime() - (400 - i) * 60_000).toISOString(), 'ben');
    const mine = callback('America/New_York', new Date(NOW.getTime() - 60_000).toISOString(), 'ana');
    const settings = loadSettings(db);
    expect(claimNextLead(db, NOW, settings, 'ana', {})).toMatchObject({ reason: 'callback-mine', lead: { id: mine } });
    expect(claimNextLead(db, NOW, settings, 'cy', {})).toMatchObject({ reason: 'callback' });
  });
});

describe('open zone groups in a long-running process', () => {
  it('follows calling hours another process changes, though it keeps the parsed windows', () => {
    callback('America/New_York', new Date(NOW.getTime() - 60_000).toISOString(), 'ana');
    const settings = loadSettings(db);
    expect(openZoneGroups(db, NOW, settings)).toEqual(['America/New_York']);
    // Another process (a colleague's `callq config set hours`) stores windows that close the zone now.
    const other = openDatabase(db.name);
    const closed = { ...JSON.parse(other.prepare('SELECT windows FROM lead_zones').pluck().get() as string), open: [] };
    other.prepare('UPDATE lead_zones SET windows = ?').run(JSON.stringify(closed));
    other.close();
    expect(openZoneGroups(db, NOW, settings)).toEqual([]);
    expect(claimNextLead(db, NOW, settings, 'ana', {})).toBeNull();
  });
});
