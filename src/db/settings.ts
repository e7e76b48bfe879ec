// The settings table: team-wide key/value rows over the defaults in core/settings.
import { statement, type DB } from './open.js';
import { resolveSettings, type Settings } from '../core/settings.js';

export function loadStoredSettings(db: DB): Map<string, string> {
  const rows = statement(db, 'SELECT key, value FROM settings').all() as { key: string; value: string }[];
  return new Map(rows.map((r) => [r.key, r.value]));
}

export function loadSettings(db: DB): Settings {
  return resolveSettings(loadStoredSettings(db));
}

export function storeSetting(db: DB, key: string, value: string, rep: string, now: Date): void {
  db.prepare(
    `INSERT INTO settings(key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(key, value, now.toISOString(), rep);
}

export function removeSetting(db: DB, key: string): boolean {
  return db.prepare('DELETE FROM settings WHERE key = ?').run(key).changes > 0;
}
