import { openContextStore, type Context } from './context.js';
import { emptyHoursProblem, getSetting, hoursLimitWarning, listSettings, settingKey, validateSetting } from '../core/settings.js';
import { UsageError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

export async function list(ctx: Context): Promise<void> {
  const store = await openContextStore(ctx);
  try {
    const settings = listSettings(await store.rep.storedSettings());
    if (ctx.json) {
      printJson(ctx, settings.map(({ key, value, isDefault, describe }) => ({ key, value, default: isDefault, describe })));
      return;
    }
    printData(
      ctx,
      renderTable(
        ['setting', 'value', '', 'meaning'],
        settings.map((s) => [s.key, s.value === '' ? "''" : s.value, s.isDefault ? '' : '(set)', s.describe]),
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
    if (key === 'hours.start' || key === 'hours.end') {
      const stored = await store.rep.storedSettings();
      const other = key === 'hours.start' ? 'hours.end' : 'hours.start';
      const otherValue = getSetting(stored, other).value ?? '';
      const problem = key === 'hours.start' ? emptyHoursProblem(normalised, otherValue) : emptyHoursProblem(otherValue, normalised);
      if (problem) throw new UsageError(`invalid value '${value}' for ${key}: ${problem}.`);
    }
    await store.rep.storeSetting(key, normalised, ctx.rep, ctx.now);
    const warning = hoursLimitWarning(key, normalised);
    if (warning) printInfo(ctx, `warning: ${warning}`);
    if (ctx.json) printJson(ctx, { key, value: normalised });
    else printInfo(ctx, `${key} = ${normalised}`);
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
      getSetting(stored, key); // throws for unknown keys
      throw new UsageError(`${key} is already at its default.`);
    }
    await store.rep.removeSetting(key);
    const after = listSettings(await store.rep.storedSettings()).find((s) => s.key === key);
    if (ctx.json) printJson(ctx, { key, value: after?.value ?? null, default: true });
    else printInfo(ctx, after ? `${key} = ${after.value} (default)` : `${key} removed`);
  } finally {
    await store.close();
  }
}
