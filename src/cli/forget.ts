import { openContextStore, type Context } from './context.js';
import { flagOption, type OptionValues } from './args.js';
import type { SuppressionKey } from '../core/suppression.js';
import { parseContactValue } from '../io/contact-value.js';
import { isPersonalEmail } from '../core/identity.js';
import { NothingToDoError, UsageError } from '../core/errors.js';
import { printInfo, printJson } from '../ui/output.js';
import { nameToShow } from '../ui/lead-json.js';

/** `callq forget PHONE|EMAIL [--yes] [--everyone]`: erase a person for good, keeping only a hash-only suppression. */
export async function run(ctx: Context, [value]: string[], values: OptionValues): Promise<void> {
  const yes = flagOption(values, 'yes');
  const store = await openContextStore(ctx);
  try {
    const key = personKey(value ?? '', await store.admin.defaultCountry());
    const person = await store.admin.findPerson(key);
    if (key.kind === 'phone' && person.people.length > 1 && !flagOption(values, 'everyone')) {
      const who = person.people.map((p) => `${nameToShow(p) || `lead ${p.ids[0]}`} (lead${p.ids.length === 1 ? '' : 's'} ${p.ids.join(', ')})`).join(', ');
      throw new UsageError(
        `'${key.value}' is the number of ${person.people.length} people: ${who}. Forgetting it would erase them all and keep everyone ` +
          `at that number from being called again. Give the person's personal email address (or their number with its extension), ` +
          `or add --everyone to erase them all.`,
      );
    }
    const what =
      `${person.leads.length} lead${person.leads.length === 1 ? '' : 's'}${person.leads.length ? ` (${person.leads.join(', ')})` : ''} ` +
      `and ${person.calls} call${person.calls === 1 ? '' : 's'} with their notes`;
    if (!yes) await confirmErasure(ctx, `Erase ${what} for ${key.value}? Only a hash stays on the do-not-call list.`);

    const erased = await store.admin.forgetPerson(key, ctx.now);
    const temps = erased.temp_files;
    for (const f of temps.failed) printInfo(ctx, `warning: could not remove ${f.path}, a temporary copy a killed callq run left (${f.error}); remove it by hand.`);
    if (ctx.json) {
      printJson(ctx, {
        kind: key.kind, leads: erased.leads, calls: erased.calls, suppressions: erased.suppressions, vacuumed: erased.vacuumed, checkpoint: erased.checkpoint,
        temp_files_removed: temps.removed.length, temp_files_failed: temps.failed.map((f) => f.path),
        ...(store.kind === 'postgres' ? { retains: erased.retains } : {}),
        mentions: erased.mentions,
        handoff_files: erased.handoff_files,
      });
      return;
    }
    const vacuumed =
      store.kind === 'postgres'
        ? erased.vacuumed ? '; VACUUM ran on the tables it touched' : ''
        : erased.vacuumed ? '; the file was rebuilt (VACUUM) to remove old copies' : '';
    printInfo(
      ctx,
      `forgot ${key.value}: erased ${erased.leads} lead${erased.leads === 1 ? '' : 's'} and ${erased.calls} call${erased.calls === 1 ? '' : 's'}; ` +
        `${erased.suppressions} hash-only do-not-call entr${erased.suppressions === 1 ? 'y' : 'ies'} kept, so they are never imported or called again` +
        vacuumed +
        (temps.removed.length ? `; ${temps.removed.length} temporary file${temps.removed.length === 1 ? '' : 's'} left by killed runs removed` : '') +
        (store.kind === 'postgres'
          ? `. PostgreSQL may still hold copies: ${erased.retains.join('; ')}.`
          : '. Backups taken before now still hold the data until they rotate out.'),
    );
    if (erased.handoff_files.length) {
      printInfo(
        ctx,
        `note: the person was handed off to Sales in ${erased.handoff_files.join(', ')}: callq cannot erase them from a file it wrote earlier, ` +
          "nor from Sales' CRM; remove them there. Clean-up, nurture and call exports written earlier may hold them too.",
      );
    }
    const mentioned = [...new Set(erased.mentions.map((m) => m.lead))];
    const named = [...new Set(erased.mentions.map((m) => m.value))];
    if (mentioned.length) {
      printInfo(
        ctx,
        `note: ${named.join(', ')} still appear${named.length === 1 ? 's' : ''} in the data of ` +
          `lead${mentioned.length === 1 ? '' : 's'} ${mentioned.join(', ')} (fields, answers or call notes someone wrote about them): ` +
          `those are other people's records, kept as they are. Check them ('callq show ID'), and forget them too if they are this person's.`,
      );
    }
  } finally {
    await store.close();
  }
}

/** The phone or email to forget, normalised as import and the do-not-call list store them. */
function personKey(value: string, defaultCountry: string): SuppressionKey {
  const parsed = parseContactValue(value, defaultCountry);
  if (!parsed.ok) throw new UsageError(`cannot forget '${value}': ${parsed.problem}. Give a phone number (as dialled or in E.164) or an email address.`);
  if (parsed.key.kind === 'domain') throw new UsageError(`'${value}' is a whole domain, not a person: give a phone number or an email address.`);
  if (parsed.key.kind === 'email' && !isPersonalEmail(parsed.key.value)) {
    throw new UsageError(
      `'${parsed.key.value}' is a shared mailbox, which may reach several people: forgetting it would erase everyone on it and keep ` +
        `their colleagues from being imported again. Give the person's phone number or personal email address.`,
    );
  }
  return parsed.key;
}

async function confirmErasure(ctx: Context, message: string): Promise<void> {
  if (!ctx.stdin.isTTY) throw new UsageError('forget erases data for good and no terminal is there to confirm: pass --yes.');
  const { confirm } = await import('@inquirer/prompts');
  const ok = await confirm({ message, default: false }, { input: ctx.stdin, output: ctx.stderr });
  if (!ok) throw new NothingToDoError('nothing was erased.');
}
