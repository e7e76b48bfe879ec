// AdminStore on a SQLite file (src/db/store/admin.ts): today's backup, maintenance and forget
// code, with what only a file has (WAL checkpoint, temp-file sweeps, byte-level scrub).
import type { DB } from '../open.js';
import { type AdminStore, type ForgetReport, type Mention, peopleFound } from '../store/admin.js';
import { writeBackup } from '../backup.js';
import { removeTempsNearby, runMaintenance } from '../maintenance.js';
import { erasedValues, erasePerson, findPerson, handoffFilesOf, mentionsOf, scrubTraces } from '../forget.js';
import { loadSettings } from '../settings.js';
import { ConflictError } from '../../core/errors.js';

export function sqliteAdmin(db: DB): AdminStore {
  const path = db.name;
  return {
    async maintain(request) {
      return runMaintenance(db, { ...request, dbPath: path });
    },
    async backup(file, options) {
      // quick_check, as maintain --backup: integrity_check took 36 s of a 1M-lead backup's 48 s;
      // restore runs integrity_check on the backup before it replaces anything.
      const result = writeBackup(db, file, { replace: options.replace, check: 'quick_check' });
      return { ...result, integrity: 'ok' };
    },
    async findPerson(key) {
      const person = findPerson(db, key);
      return { leads: person.leads.map((l) => l.id), calls: person.calls, people: peopleFound(person.leads) };
    },
    async forgetPerson(key, now): Promise<ForgetReport> {
      const person = findPerson(db, key);
      const handoffFiles = handoffFilesOf(db, person.leads);
      const erased = erasePerson(db, person, now);
      // A value still in the file because another lead's data names it (a colleague's note
      // "her cell +1 415 …") is that lead's, kept and reported; only the rest are old copies.
      let mentions: Mention[] = [];
      const scrub = scrubTraces(db, path, erasedValues(db, person), (found) => {
        mentions = found.length ? mentionsOf(db, found) : [];
        return new Set(mentions.map((m) => m.value));
      });
      if (scrub.traces.length) {
        throw new ConflictError(
          `the data was erased, but another process still holds an old snapshot, so copies remain in ${path}-wal. ` +
            "Run 'callq forget' again once reps have quit callq (it finds nothing more to erase and finishes the clean-up).",
          { leads: erased.leads, calls: erased.calls, suppressions: erased.suppressions, traces: scrub.traces.length },
        );
      }
      // Hidden copies a killed export, import or backup left beside the database or a hand-off.
      const temps = removeTempsNearby(db, path, []);
      return { ...erased, vacuumed: scrub.vacuumed, checkpoint: scrub.checkpoint, temp_files: temps, retains: [], mentions, handoff_files: handoffFiles };
    },
    async defaultCountry() {
      return loadSettings(db).defaultCountry;
    },
  };
}
