import { boolean, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from '../identity/schema.ts';
import { organisations } from '../organisations/schema.ts';
import { patients } from '../patients/schema.ts';
import { LETTER_KINDS, episodes } from './schema.ts';

/** One suitability checklist item as an administrator configures it. */
export type ChecklistItemConfig = { code: string; text: string; naAllowed?: boolean };

/**
 * Suitability checklists per regimen, edited by an administrator. Each save is a new version and old versions are
 * never changed, so an assessment can always be read against the wording the nurse answered.
 */
export const suitabilityChecklists = pgTable(
  'suitability_checklists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    regimen: text('regimen').notNull(),
    version: integer('version').notNull(),
    items: jsonb('items').$type<ChecklistItemConfig[]>().notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('suitability_checklists_regimen_version_uq').on(t.regimen, t.version)],
);

export const CONSENT_KINDS = ['home-treatment', 'data-sharing'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

/** Consent forms, versioned: the patient signs one version of each, and the record says which. */
export const consentForms = pgTable(
  'consent_forms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: CONSENT_KINDS }).notNull(),
    version: text('version').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    /** A retired version can no longer be chosen for new consent; consent already given on it still stands. */
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('consent_forms_kind_version_uq').on(t.kind, t.version)],
);
export type ConsentForm = typeof consentForms.$inferSelect;

/** A consent the patient gave on one form version, who took it and when; withdrawal is recorded, never deleted. */
export const consents = pgTable(
  'consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    episodeId: uuid('episode_id').notNull().references(() => episodes.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    /** The provider named on a data-sharing consent. */
    providerId: uuid('provider_id').references(() => organisations.id),
    kind: text('kind', { enum: CONSENT_KINDS }).notNull(),
    formVersion: text('form_version').notNull(),
    takenOn: date('taken_on', { mode: 'string' }).notNull(),
    takenBy: uuid('taken_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    withdrawnBy: uuid('withdrawn_by').references(() => users.id),
    withdrawalNote: text('withdrawal_note'),
  },
  (t) => [index('consents_episode_idx').on(t.episodeId)],
);
export type Consent = typeof consents.$inferSelect;

/** GP letter templates, versioned like checklists: a stored letter names the template version it used. */
export const letterTemplates = pgTable(
  'letter_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: LETTER_KINDS }).notNull(),
    version: integer('version').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('letter_templates_kind_version_uq').on(t.kind, t.version)],
);
