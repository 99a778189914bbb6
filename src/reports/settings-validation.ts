/** The report settings API's input and output (strict: an unknown field is refused with 400 naming it). */
import { z } from 'zod';
import { ReportSettings } from './settings.ts';
import { REASON_MAX } from './settings-store.ts';

/** PUT /api/v1/reports/settings: the whole settings (money in pence, VAT in basis points) and why they change. */
export const SettingsSave = z.strictObject({
  settings: ReportSettings,
  reason: z.string({ error: 'Enter the reason for the change' }).trim().min(1, 'Enter the reason for the change').max(REASON_MAX, `The reason must be ${REASON_MAX} characters or fewer`),
  basedOnVersion: z.number().int().min(0).optional().describe('The version the change was made from: refused with 409 if another has been saved since'),
});

export const SettingsVersionOut = z.object({
  version: z.number().describe('0: the built-in defaults, never saved by an administrator'),
  label: z.string().describe('As shown beside the report\'s figures'),
  savedByName: z.string().nullable(),
  savedAt: z.string().nullable(),
  reason: z.string().nullable(),
  settings: ReportSettings,
});

export const SettingsOverviewOut = z.object({ current: SettingsVersionOut, history: z.array(SettingsVersionOut).describe('Every saved version, newest first') });
