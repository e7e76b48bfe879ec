// The fixture call history the report tests share (test/fixtures/reports/history.json): the
// team's settings, the leads, and every call, logged through the binary with `callq log`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { callq, FIXTURES } from './helpers.js';
import { seedLeads } from './seed.js';

interface History {
  settings: Record<string, string>;
  leads: { id: number; source: string; campaign: string | null; timezone: string | null; created_at: string }[];
  calls: { at: string; lead: number; rep: string; disposition: string; duration: string; args?: string[] }[];
}

const history = JSON.parse(readFileSync(join(FIXTURES, 'reports', 'history.json'), 'utf8')) as History;

/** Writes the history into `db`, a database `callq init` made. */
export function logReportHistory(db: string): void {
  for (const [key, value] of Object.entries(history.settings)) expect(callq(['--db', db, 'config', 'set', key, value]).code).toBe(0);
  seedLeads(db, history.leads.map((l) => ({ ...l, list: 'fixture' })));
  for (const c of history.calls) {
    const r = callq(['--db', db, '--rep', c.rep, '--now', c.at, 'log', String(c.lead), c.disposition, '--force', '--duration', c.duration, ...(c.args ?? [])]);
    expect(r.code, `${c.at} lead ${c.lead} ${c.disposition}: ${r.stderr}`).toBe(0);
  }
}
