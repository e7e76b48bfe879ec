// A claim is what a rep waits for: its commit never does the WAL checkpoint (copying the WAL
// into the database file and syncing it), and the commits that are not claims still do, so the
// WAL stays as short as SQLite's automatic checkpoint keeps it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { loadSettings } from '../../src/db/settings.js';
import { claimNextLead } from '../../src/db/queue.js';
import { parseAltPhones, recordOutcome } from '../../src/db/outcomes.js';
import { planOutcome } from '../../src/core/outcome.js';
import { seedLeads } from '../seed.js';
import { tempDir } from '../helpers.js';

const NOW = new Date('2026-11-24T16:00:00Z'); // Tuesday 11:00 in New York

let db: DB;
let cleanup: () => void;
beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  const path = join(t.dir, 'wal.db');
  seedLeads(path, Array.from({ length: 20 }, () => ({})));
  db = openDatabase(path);
  // Every commit of this connection would checkpoint, and the WAL starts empty.
  db.pragma('wal_autocheckpoint = 1');
  db.pragma('wal_checkpoint(TRUNCATE)');
});
afterEach(() => {
  db.close();
  cleanup();
});

const fileBytes = () => readFileSync(db.name);

it('a claim commits into the WAL without checkpointing, and the outcome after it checkpoints', () => {
  const settings = loadSettings(db);
  const before = fileBytes();

  const claim = claimNextLead(db, NOW, settings, 'ana', {});
  expect(claim?.lead.claim_rep).toBe('ana');
  expect(statSync(`${db.name}-wal`).size).toBeGreaterThan(0);
  expect(fileBytes().equals(before)).toBe(true); // the claim's pages are still only in the WAL
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1); // the connection's setting is back

  const noAnswer = settings.dispositions.find((d) => d.name === 'no-answer')!;
  recordOutcome(db, { leadId: claim!.lead.id, rep: 'ana', now: NOW, force: false, token: claim!.token }, settings, (lead) =>
    planOutcome(
      { ...lead, alt_phones: parseAltPhones(lead.alt_phones), zones: lead.timezone ? lead.timezone.split(',') : [] },
      { disposition: noAnswer, answers: {}, rep: 'ana', viewerZone: 'UTC' },
      NOW,
      settings,
    ),
  );
  const after = openDatabase(db.name, { readonly: true });
  try {
    // Checkpointed: the claim and the outcome are in the file itself.
    expect(fileBytes().equals(before)).toBe(false);
    expect(after.prepare('SELECT claim_rep, attempts FROM leads WHERE id = ?').get(claim!.lead.id)).toEqual({ claim_rep: null, attempts: 1 });
  } finally {
    after.close();
  }
});

it('a connection whose automatic checkpoint is off keeps it off', () => {
  db.pragma('wal_autocheckpoint = 0');
  expect(claimNextLead(db, NOW, loadSettings(db), 'ana', {})).not.toBeNull();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
});
