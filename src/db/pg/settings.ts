// The settings table on PostgreSQL: the same rows as on SQLite (src/db/settings.ts).
import type { ClientBase } from 'pg';
import { resolveSettings, type Settings } from '../../core/settings.js';

export async function loadSettingsPg(client: ClientBase): Promise<Settings> {
  const { rows } = await client.query<{ key: string; value: string }>('SELECT key, value FROM settings');
  return resolveSettings(new Map(rows.map((r) => [r.key, r.value])));
}

export async function storeSettingPg(client: ClientBase, key: string, value: string, rep: string, now: Date): Promise<void> {
  await client.query(
    `INSERT INTO settings(key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [key, value, now.toISOString(), rep],
  );
}

export async function loadStoredSettingsPg(client: ClientBase): Promise<Map<string, string>> {
  const { rows } = await client.query<{ key: string; value: string }>('SELECT key, value FROM settings');
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function removeSettingPg(client: ClientBase, key: string): Promise<boolean> {
  const { rowCount } = await client.query('DELETE FROM settings WHERE key = $1', [key]);
  return (rowCount ?? 0) > 0;
}
