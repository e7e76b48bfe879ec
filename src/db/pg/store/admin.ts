// AdminStore on PostgreSQL (src/db/store/admin.ts): maintenance (../maintenance.ts), pg_dump
// backups (../backup.ts), forget (../forget.ts).
import { dirname } from 'node:path';
import type { PgConnection } from './connection.js';
import { type AdminStore, peopleFound } from '../../store/admin.js';
import { runMaintenancePg } from '../maintenance.js';
import { writePgBackup } from '../backup.js';
import { erasePersonPg, findPersonPg, mentionsOfPg, pgRetains, vacuumErased } from '../forget.js';
import { loadSettingsPg } from '../settings.js';
import { removeStaleTemps, type TempSweep } from '../../../io/output-file.js';

export function pgAdmin(conn: PgConnection): AdminStore {
  return {
    maintain: (request) => runMaintenancePg(conn, request),
    async backup(file, options) {
      return { ...(await writePgBackup(conn.url, file, options)), integrity: 'ok' };
    },
    async findPerson(key) {
      const person = await findPersonPg(conn.client, key);
      return { leads: person.leads.map((l) => l.id), calls: person.calls, people: peopleFound(person.leads) };
    },
    async forgetPerson(key, now) {
      const { values, ...erased } = await erasePersonPg(conn, key, now);
      const mentions = await mentionsOfPg(conn.client, values);
      const vacuumed = await vacuumErased(conn.client);
      // Hidden copies killed exports left beside hand-off files (this machine's folders).
      const destinations = await conn.client.query<{ d: string }>(
        "SELECT DISTINCT destination AS d FROM handoffs WHERE destination IS NOT NULL AND destination <> 'stdout'",
      );
      const temps: TempSweep = { removed: [], failed: [] };
      for (const folder of new Set(destinations.rows.map((r) => dirname(r.d)))) {
        const s = removeStaleTemps(folder);
        temps.removed.push(...s.removed);
        temps.failed.push(...s.failed);
      }
      return { ...erased, vacuumed, checkpoint: null, temp_files: temps, retains: pgRetains(vacuumed), mentions };
    },
    async defaultCountry() {
      return (await loadSettingsPg(conn.client)).defaultCountry;
    },
  };
}
