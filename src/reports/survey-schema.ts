import { check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations, units } from '../organisations/schema.ts';
import { users } from '../identity/schema.ts';
import { patients } from '../patients/schema.ts';
import { episodes } from '../pathway/schema.ts';
import { SURVEY_KINDS, type StoredAnswers } from './surveys.ts';

/**
 * A one-time link a Trust's nurse gives a patient on the home pathway to answer the satisfaction survey without
 * signing in. Only the SHA-256 of the token is stored, so a copy of the table opens no survey. Used once: `used_at` is
 * set in the transaction that stores the answers, and the answers' unique `link_id` holds even if two submissions race.
 */
export const surveyLinks = pgTable(
  'survey_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    episodeId: uuid('episode_id').notNull().references(() => episodes.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    /** The patient's unit when the link was made, so the answers count in that unit's report. */
    unitId: uuid('unit_id').references(() => units.id),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('survey_links_token_hash_uq').on(t.tokenHash), index('survey_links_episode_idx').on(t.episodeId)],
);
export type SurveyLink = typeof surveyLinks.$inferSelect;

export const SURVEY_SOURCES = ['patient-link', 'staff'] as const;

/**
 * One completed survey, written once and never changed (a trigger refuses UPDATE and DELETE). A patient survey belongs
 * to the patient's Trust and names the patient and episode (for the Trust's own audit and drill-down, never shown to
 * aggregate viewers); a staff evaluation belongs to the respondent's organisation (a Trust or the provider) and names
 * no patient. `entered_by` is the member of staff who entered it, or none when the patient answered through a link.
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    orgId: uuid('org_id').notNull().references(() => organisations.id),
    unitId: uuid('unit_id').references(() => units.id),
    patientId: uuid('patient_id').references(() => patients.id),
    episodeId: uuid('episode_id').references(() => episodes.id),
    answers: jsonb('answers').$type<StoredAnswers>().notNull(),
    source: text('source', { enum: SURVEY_SOURCES }).notNull(),
    enteredBy: uuid('entered_by').references(() => users.id),
    linkId: uuid('link_id').references(() => surveyLinks.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('survey_responses_link_uq').on(t.linkId),
    index('survey_responses_org_kind_idx').on(t.orgId, t.kind, t.submittedAt),
    check('survey_responses_patient_ck', sql`(${t.kind} = 'patient-satisfaction') = (${t.patientId} IS NOT NULL AND ${t.episodeId} IS NOT NULL)`),
    check('survey_responses_source_ck', sql`(${t.source} = 'patient-link') = (${t.linkId} IS NOT NULL AND ${t.enteredBy} IS NULL) AND (${t.source} = 'staff') = (${t.enteredBy} IS NOT NULL)`),
  ],
);
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
