/**
 * Where the report's settings come from: the newest version an administrator saved, else the defaults of settings.ts
 * (the pilot's CQUIN and the spec's unit costs). Every save appends a version; none is ever changed or deleted (a
 * trigger refuses it), so a past report can be explained by the values it was made with.
 */
import { asc, desc, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { audit } from '../audit/service.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Tx } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { reportSettingsVersions, type ReportSettingsVersion } from './schema.ts';
import { DEFAULT_SETTINGS, DEFAULT_VERSION_INFO, ReportSettings, settingsLabel, type SettingsVersionInfo } from './settings.ts';

export interface SettingsInForce {
  settings: ReportSettings;
  info: SettingsVersionInfo;
}
export interface SavedSettings extends SettingsInForce {
  info: SettingsVersionInfo & { savedAt: string; savedByName: string; reason: string };
}

/** Arbitrary constant: saves are taken one at a time, so two administrators cannot both write version n+1. */
const SAVE_LOCK_KEY = 727_016;
export const REASON_MAX = 500;

const toSaved = (row: ReportSettingsVersion): SavedSettings => ({
  // Parsed, not trusted: a stored version that no longer fits the schema is an error, never a silent default.
  settings: ReportSettings.parse(row.settings),
  info: { version: row.version, savedByName: row.savedByName, savedAt: row.savedAt.toISOString(), reason: row.reason, label: settingsLabel(row) },
});

/** The settings in force: the latest saved version, or the defaults when none is saved. */
export async function currentSettings(tx: Tx): Promise<SettingsInForce> {
  const [row] = await tx.select().from(reportSettingsVersions).orderBy(desc(reportSettingsVersions.version)).limit(1);
  return row ? toSaved(row) : { settings: structuredClone(DEFAULT_SETTINGS), info: { ...DEFAULT_VERSION_INFO } };
}

/** Every saved version, newest first. */
export async function settingsHistory(tx: Tx): Promise<SavedSettings[]> {
  const rows = await tx.select().from(reportSettingsVersions).orderBy(asc(reportSettingsVersions.version));
  return rows.map(toSaved).reverse();
}

const fieldsOf = (error: z.ZodError): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const i of error.issues) fields[i.path.join('.') || 'settings'] ??= i.message;
  return fields;
};

/** What is wrong with settings and a reason an administrator sent, keyed by the field's path ("cquin.0.to"). */
export function settingsProblems(settings: unknown, reason: string): { settings?: ReportSettings; problems: Record<string, string> } {
  const parsed = ReportSettings.safeParse(settings);
  const problems: Record<string, string> = parsed.success ? {} : fieldsOf(parsed.error);
  const why = reason.trim();
  if (!why) problems.reason = 'Enter the reason for the change';
  else if (why.length > REASON_MAX) problems.reason = `The reason must be ${REASON_MAX} characters or fewer`;
  return parsed.success ? { settings: parsed.data, problems } : { problems };
}

/**
 * Validates and appends version n+1, audited in the same transaction. With `basedOnVersion` (the version the editor
 * started from) a save made after someone else's is refused rather than silently undoing their change.
 */
export async function saveSettings(tx: Tx, ctx: RequestContext, settings: unknown, reason: string, basedOnVersion?: number): Promise<SavedSettings> {
  const { settings: valid, problems } = settingsProblems(settings, reason);
  if (!valid || Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
  const why = reason.trim();
  await tx.execute(sql`select pg_advisory_xact_lock(${SAVE_LOCK_KEY})`);
  const current = await currentSettings(tx);
  if (basedOnVersion !== undefined && basedOnVersion !== current.info.version) {
    const msg = `Version ${current.info.version} of the settings was saved by ${current.info.savedByName ?? 'an administrator'} after you opened them: check the values shown and save again`;
    throw new AppError('conflict', msg, { basedOnVersion: msg });
  }
  const version = current.info.version + 1;
  const [row] = await tx.insert(reportSettingsVersions).values({ version, settings: valid, reason: why, savedBy: ctx.userId, savedByName: ctx.displayName, savedAt: ctx.now }).returning();
  await audit(tx, ctx, { action: 'report-settings:save', detail: { version, reason: why, cquinTargets: valid.cquin.length } });
  return toSaved(row!);
}
