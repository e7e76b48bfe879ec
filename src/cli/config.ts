import { openContextStore, type Context } from './context.js';
import { affectsQueueRank, getSetting, listSettings, settingKey, settingProblem, settingWarning, validateSetting } from '../core/settings.js';
import { UsageError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { renderTable, truncate } from '../ui/table.js';

/** Columns a value takes at most in `config list` in a terminal. */
const VALUE_WIDTH = 32;
const shown = (value: string) => (value === '' ? "''" : value);

/** What a change of timezone.default did to `n` stored leads: given `zone`, or (null) back to unknown. */
function zonedNote(n: number, zone: string | null): string {
  return zone ? `${n} lead(s) whose time zone was unknown now use ${zone}.` : `${n} lead(s) that used the default zone are back to an unknown zone (not called until one is set).`;
}

export async function list(ctx: Context): Promise<void> {
  const store = await openContextStore(ctx);
  try {
    const settings = listSettings(await store.rep.storedSettings());
    const tty = Boolean(ctx.stdout.isTTY && ctx.stdout.columns);
    if (ctx.json) {
      printJson(ctx, settings.map(({ key, value, isDefault, describe }) => ({ key, value, default: isDefault, describe })));
      return;
    }
    printData(
      ctx,
      // In a terminal, fitted to it: a long value (the reasons list) is cut to VALUE_WIDTH, so
      // the meaning keeps room ('callq config get KEY' prints a value whole); piped, whole lines.
      renderTable(
        ['setting', 'changed', 'value', 'meaning'],
        settings.map((s) => [s.key, s.isDefault ? '' : 'yes', tty ? truncate(shown(s.value), VALUE_WIDTH) : shown(s.value), s.describe]),
        { width: tty ? ctx.stdout.columns : Infinity },
      ),
    );
  } finally {
    await store.close();
  }
}

export async function get(ctx: Context, [given]: string[]): Promise<void> {
  const key = settingKey(given);
  const store = await openContextStore(ctx);
  try {
    const info = getSetting(await store.rep.storedSettings(), key);
    if (ctx.json) printJson(ctx, { key: info.key, value: info.value, default: info.isDefault });
    else printData(ctx, info.value);
  } finally {
    await store.close();
  }
}

export async function set(ctx: Context, [given, value]: string[]): Promise<void> {
  const key = settingKey(given);
  const normalised = validateSetting(key, value);
  if (key === 'country.default') {
    // A code of two letters is not yet a country: phones written without one are read in it.
    const { countryCode } = await import('../io/phone.js');
    if (countryCode(normalised) !== normalised) throw new UsageError(`invalid value '${value}' for ${key}: '${normalised}' is not a country code callq knows (ISO 3166, like 'US', 'GB', 'DE').`);
  }
  const store = await openContextStore(ctx);
  try {
    const problem = settingProblem(await store.rep.storedSettings(), key, normalised);
    if (problem) throw new UsageError(`invalid value '${value}' for ${key}: ${problem}.`);
    // A weight re-ranks every queued lead: about a minute at a million leads, while reps work on.
    if (affectsQueueRank(key) && !ctx.json) printInfo(ctx, `${key} = ${shown(normalised)}: recomputing the queue order of every lead waiting to be called (reps keep working meanwhile)…`);
    const zoned = await store.rep.storeSetting(key, normalised, ctx.rep, ctx.now);
    const warning = settingWarning(key, normalised);
    if (warning) printInfo(ctx, `warning: ${warning}`);
    if (ctx.json) printJson(ctx, { key, value: normalised, ...(key === 'timezone.default' ? { leads_zoned: zoned } : {}) });
    else printInfo(ctx, `${key} = ${shown(normalised)}`);
    if (zoned && !ctx.json) printInfo(ctx, zonedNote(zoned, normalised || null));
  } finally {
    await store.close();
  }
}

export async function unset(ctx: Context, [given]: string[]): Promise<void> {
  const key = settingKey(given);
  const store = await openContextStore(ctx);
  try {
    const stored = await store.rep.storedSettings();
    if (!stored.has(key)) {
      // Nothing to do, and not an error: a set-up script that runs twice still succeeds.
      const info = getSetting(stored, key); // throws for unknown keys
      if (ctx.json) printJson(ctx, { key, value: info.value, default: true });
      else printInfo(ctx, `${key} is already at its default (${shown(info.value)}).`);
      return;
    }
    const unzoned = await store.rep.removeSetting(key, ctx.now);
    const after = listSettings(await store.rep.storedSettings()).find((s) => s.key === key);
    if (ctx.json) printJson(ctx, { key, value: after?.value ?? null, default: true, ...(key === 'timezone.default' ? { leads_zoned: unzoned ?? 0 } : {}) });
    else printInfo(ctx, after ? `${key} = ${shown(after.value)} (default)` : `${key} removed`);
    if (unzoned && !ctx.json) printInfo(ctx, zonedNote(unzoned, null));
  } finally {
    await store.close();
  }
}
