/**
 * The report settings for the administration page and API: what is in force, every saved version, and a save. Reads
 * are not audited (no patient data, like the other administrative lists); each save is, with the change.
 */
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { currentSettings, saveSettings, settingsHistory } from './settings-store.ts';

/** The settings in force and every saved version, newest first. */
export function reportSettingsOverview(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => ({ current: await currentSettings(tx), history: await settingsHistory(tx) }));
}

/** Saves the next version of the settings (validated; refused when someone saved since `basedOnVersion`). */
export function saveReportSettings(db: Db, ctx: RequestContext, input: { settings: unknown; reason: string; basedOnVersion?: number | undefined }) {
  return withContext(db, ctx, (tx) => saveSettings(tx, ctx, input.settings, input.reason, input.basedOnVersion));
}
