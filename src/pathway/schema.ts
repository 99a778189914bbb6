import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { EPISODE_EVENTS, EPISODE_STATES } from './episode-rules.ts';
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

/**
 * One patient, one regimen, the home pathway. `state` only ever changes through `applyEpisodeEvent`, which writes an
 * `episode_events` row (who, when, why) in the same transaction. `version` guards against lost updates.
 */
export const episodes = pgTable(
  'episodes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    regimen: text('regimen').notNull(),
    state: text('state', { enum: EPISODE_STATES }).notNull().default('identified'),
    providerId: uuid('provider_id').references(() => organisations.id),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('episodes_patient_idx').on(t.patientId), index('episodes_trust_state_idx').on(t.trustId, t.state)],
);

/** The full history of an episode: every transition with who, when, why and the event's details. */
export const episodeEvents = pgTable(
  'episode_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    episodeId: uuid('episode_id').notNull().references(() => episodes.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    event: text('event', { enum: EPISODE_EVENTS }).notNull(),
    fromState: text('from_state', { enum: EPISODE_STATES }).notNull(),
    toState: text('to_state', { enum: EPISODE_STATES }).notNull(),
    /** The episode version this event produced: orders the history even when two events share a timestamp. */
    version: integer('version').notNull().default(0),
    reasonCode: text('reason_code'),
    note: text('note'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    byUserId: uuid('by_user_id').notNull().references(() => users.id),
    byOrgId: uuid('by_org_id').notNull().references(() => organisations.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  // By time as well: the monthly report starts from the episodes with events since the start of its range.
  (t) => [index('episode_events_episode_idx').on(t.episodeId, t.at), index('episode_events_at_idx').on(t.at)],
);

export type Episode = typeof episodes.$inferSelect;
export type EpisodeEventRow = typeof episodeEvents.$inferSelect;

export const LETTER_KINDS = ['start', 'return', 'completion'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

/** GP letters generated from the episode (start of home treatment, return to hospital, completion), kept as sent. */
export const gpLetters = pgTable(
  'gp_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    episodeId: uuid('episode_id').notNull().references(() => episodes.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    kind: text('kind', { enum: LETTER_KINDS }).notNull(),
    templateVersion: text('template_version').notNull(),
    bodyText: text('body_text').notNull(),
    pdfBase64: text('pdf_base64').notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('gp_letters_episode_idx').on(t.episodeId)],
);
export type GpLetter = typeof gpLetters.$inferSelect;
