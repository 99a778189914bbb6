import { date, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { organisations, units } from '../organisations/schema.ts';
import { users } from '../identity/schema.ts';

/**
 * A patient registered by a Trust. Row-level security limits rows to the owning Trust and to providers that hold
 * an active referral under an active data-sharing agreement (see drizzle/0001_security.sql).
 */
export const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    unitId: uuid('unit_id').references(() => units.id),
    nhsNumber: text('nhs_number').notNull(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    dateOfBirth: date('date_of_birth').notNull(),
    postcode: text('postcode'),
    sex: text('sex', { enum: ['female', 'male', 'other', 'unknown'] }),
    addressLine1: text('address_line1'),
    addressLine2: text('address_line2'),
    town: text('town'),
    phone: text('phone'),
    gpPracticeCode: text('gp_practice_code'),
    gpPracticeName: text('gp_practice_name'),
    ethnicCategory: text('ethnic_category'),
    imdDecile: integer('imd_decile'),
    diagnosisCode: text('diagnosis_code'),
    consultant: text('consultant'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('patients_trust_nhs_number_uq').on(t.trustId, t.nhsNumber), index('patients_family_name_idx').on(t.familyName)],
);

export type Patient = typeof patients.$inferSelect;
