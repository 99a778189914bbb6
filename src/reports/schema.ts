import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../identity/schema.ts';
import type { ReportSettings } from './settings.ts';

/**
 * The report's settings as an administrator saved them. Each save appends the next version and none is ever changed
 * or deleted (a trigger refuses it), so a past report can always be explained by the values it was made with. No
 * patient data: the whole table is readable by every report, including the commissioner's and network lead's.
 */
export const reportSettingsVersions = pgTable('report_settings_versions', {
  id: uuid('id').primaryKey().defaultRandom(),
  version: integer('version').notNull().unique('report_settings_versions_version_uq'),
  settings: jsonb('settings').$type<ReportSettings>().notNull(),
  reason: text('reason').notNull(),
  savedBy: uuid('saved_by').notNull().references(() => users.id),
  /** The name as it was when saved, so the history reads the same after a user is renamed. */
  savedByName: text('saved_by_name').notNull(),
  savedAt: timestamp('saved_at', { withTimezone: true }).notNull(),
});
export type ReportSettingsVersion = typeof reportSettingsVersions.$inferSelect;
