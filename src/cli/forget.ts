import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Context } from './context.js';
import { openDatabase } from '../db/open.js';
import { loadSettings } from '../db/settings.js';
import { erasedValues, erasePerson, findPerson, scrubTraces } from '../db/forget.js';
import { suppressionKey, type SuppressionKey } from '../core/suppression.js';
import { ConflictError, NothingToDoError, UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';

/** `callq forget PHONE|EMAIL [--yes]`: erase a person for good, keeping only a hash-only suppression. */
export async function run(ctx: Context, [value]: string[], opts: Record<string, unknown>): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const key = personKey(value ?? '', loadSettings(db).defaultCountry);
    const person = findPerson(db, key);
    const what =
      `${person.leads.length} lead${person.leads.length === 1 ? '' : 's'}${person.leads.length ? ` (${person.leads.map((l) => l.id).join(', ')})` : ''} ` +
      `and ${person.calls} call${person.calls === 1 ? '' : 's'} with their notes`;
    if (opts.yes !== true) await confirmErasure(ctx, `Erase ${what} for ${key.value}? Only a hash stays on the do-not-call list.`);

    const erased = erasePerson(db, person, ctx.now);
    const scrub = scrubTraces(db, ctx.dbPath, erasedValues(db, person));
    if (scrub.traces.length) {
      throw new ConflictError(
        `the data was erased, but another process still holds an old snapshot, so copies remain in ${ctx.dbPath}-wal. ` +
          "Run 'callq forget' again once reps have quit callq (it finds nothing more to erase and finishes the clean-up).",
        { leads: erased.leads, calls: erased.calls, suppressions: erased.suppressions, traces: scrub.traces.length },
      );
    }
    if (ctx.json) {
      printJson(ctx, { kind: key.kind, leads: erased.leads, calls: erased.calls, suppressions: erased.suppressions, vacuumed: scrub.vacuumed, checkpoint: scrub.checkpoint });
      return;
    }
    printInfo(
      ctx,
      `forgot ${key.value}: erased ${erased.leads} lead${erased.leads === 1 ? '' : 's'} and ${erased.calls} call${erased.calls === 1 ? '' : 's'}; ` +
        `${erased.suppressions} hash-only do-not-call entr${erased.suppressions === 1 ? 'y' : 'ies'} kept, so they are never imported or called again` +
        (scrub.vacuumed ? '; the file was rebuilt (VACUUM) to remove old copies' : '') +
        '. Backups taken before now still hold the data until they rotate out.',
    );
  } finally {
    db.close();
  }
}

/** An email (contains '@') or a phone number, normalised as import and suppression store them. */
function personKey(value: string, defaultCountry: string): SuppressionKey {
  const text = value.trim();
  if (text.includes('@')) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) throw new UsageError(`invalid email '${value}': expected an address like ana@example.com.`);
    return suppressionKey('email', text);
  }
  const phone = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  if (!phone || !phone.isPossible()) {
    throw new UsageError(
      `'${value}' is neither an email nor a phone number callq can read (country.default is ${defaultCountry}). ` +
        'Give the number as dialled or in E.164, like +14155550123.',
    );
  }
  return suppressionKey('phone', phone.number);
}

async function confirmErasure(ctx: Context, message: string): Promise<void> {
  if (!process.stdin.isTTY) throw new UsageError('forget erases data for good and no terminal is there to confirm: pass --yes.');
  const { confirm } = await import('@inquirer/prompts');
  const ok = await confirm({ message, default: false }, { output: ctx.stderr });
  if (!ok) throw new NothingToDoError('nothing was erased.');
}
