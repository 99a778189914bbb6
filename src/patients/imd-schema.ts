import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../identity/schema.ts';

/**
 * Postcode → Index of Multiple Deprivation decile (1 = most deprived 10%), imported by an administrator from the
 * published CSV. Keyed by the postcode without spaces in capitals, so "bs1 4dj" and "BS1 4DJ" find the same row.
 */
export const imdDeciles = pgTable('imd_deciles', {
  postcode: text('postcode').primaryKey(),
  decile: integer('decile').notNull(),
  importId: uuid('import_id').notNull(),
});

/** Each import: who, when, from which file, how many rows, so a looked-up decile can be traced to its source. */
export const imdImports = pgTable('imd_imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  filename: text('filename').notNull(),
  rows: integer('rows').notNull(),
  importedBy: uuid('imported_by').notNull().references(() => users.id),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
});
