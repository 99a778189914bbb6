import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../organisations/schema.ts';
import { users } from '../identity/schema.ts';
import { patients } from '../patients/schema.ts';

export const REFERRAL_STATUSES = ['referred', 'accepted', 'declined', 'withdrawn'] as const;

/**
 * A referral of a Trust's patient to a home-care provider. With an active agreement between the two
 * organisations it is what lets the provider see the patient.
 */
export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    providerId: uuid('provider_id').notNull().references(() => organisations.id),
    status: text('status', { enum: REFERRAL_STATUSES }).notNull().default('referred'),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('referrals_patient_idx').on(t.patientId), index('referrals_provider_idx').on(t.providerId)],
);

export type Referral = typeof referrals.$inferSelect;
