import type { Context } from './context.js';
import { openDatabase } from '../db/open.js';
import { loadStoredSettings, removeSetting, storeSetting } from '../db/settings.js';
import { recomputeQueueRanks } from '../db/leads.js';
import { affectsQueueRank, getSetting, listSettings, resolveSettings, validateSetting } from '../core/settings.js';
import { UsageError } from '../core/errors.js';
import { printData, printInfo, printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

export async function list(ctx: Context): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const settings = listSettings(loadStoredSettings(db));
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
    db.close();
  }
}

export async function get(ctx: Context, [key]: string[]): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const info = getSetting(loadStoredSettings(db), key);
    if (ctx.json) printJson(ctx, { key: info.key, value: info.value, default: info.isDefault });
    else printData(ctx, info.value);
  } finally {
    db.close();
  }
}

export async function set(ctx: Context, [key, value]: string[]): Promise<void> {
  const normalised = validateSetting(key, value);
  const db = openDatabase(ctx.dbPath);
  try {
    db.transaction(() => {
      storeSetting(db, key, normalised, ctx.rep, ctx.now);
      if (affectsQueueRank(key)) recomputeQueueRanks(db, resolveSettings(loadStoredSettings(db)).weights);
    }).immediate();
    if (ctx.json) printJson(ctx, { key, value: normalised });
    else printInfo(ctx, `${key} = ${normalised}`);
  } finally {
    db.close();
  }
}

export async function unset(ctx: Context, [key]: string[]): Promise<void> {
  const db = openDatabase(ctx.dbPath);
  try {
    const stored = loadStoredSettings(db);
    if (!stored.has(key)) {
      getSetting(stored, key); // throws for unknown keys
      throw new UsageError(`${key} is already at its default.`);
    }
    db.transaction(() => {
      removeSetting(db, key);
      if (affectsQueueRank(key)) recomputeQueueRanks(db, resolveSettings(loadStoredSettings(db)).weights);
    }).immediate();
    const after = listSettings(loadStoredSettings(db)).find((s) => s.key === key);
    if (ctx.json) printJson(ctx, { key, value: after?.value ?? null, default: true });
    else printInfo(ctx, after ? `${key} = ${after.value} (default)` : `${key} removed`);
  } finally {
    db.close();
  }
}
