import { boolean, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations } from '../organisations/schema.ts';
import { users } from '../identity/schema.ts';
import { patients } from '../patients/schema.ts';
import { cycles } from '../prescribing/schema.ts';

export const VISIT_STATUSES = ['scheduled', 'given', 'not-given', 'cancelled'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

/**
 * A home visit to give one cycle's dose: generated from the treatment schedule for home cycles, with a time window and
 * a nurse. A deferral moves it with the cycle (same transaction); a reschedule is an edit with a reason.
 */
export const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cycleId: uuid('cycle_id').notNull().references(() => cycles.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    providerId: uuid('provider_id').notNull().references(() => organisations.id),
    nurseId: uuid('nurse_id').references(() => users.id),
    visitDate: date('visit_date', { mode: 'string' }).notNull(),
    windowStart: text('window_start').notNull(),
    windowEnd: text('window_end').notNull(),
    status: text('status', { enum: VISIT_STATUSES }).notNull().default('scheduled'),
    rescheduleReason: text('reschedule_reason'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('visits_one_open_per_cycle_idx').on(t.cycleId).where(sql`status <> 'cancelled'`),
    index('visits_provider_date_idx').on(t.providerId, t.visitDate),
    index('visits_nurse_date_idx').on(t.nurseId, t.visitDate),
    // A patient's visits and a cycle's (cancelled ones included), by index.
    index('visits_patient_idx').on(t.patientId),
    index('visits_cycle_idx').on(t.cycleId),
  ],
);
export type VisitRow = typeof visits.$inferSelect;

export interface Observations {
  temperatureC: number;
  pulse: number;
  systolic: number;
  diastolic: number;
  spo2: number;
}

/** The pre-administration checklist as the nurse completed it, with any out-of-range answer and the decision taken. */
export const visitChecks = pgTable(
  'visit_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id').notNull().references(() => visits.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    identifiers: jsonb('identifiers').$type<string[]>().notNull(),
    consentValid: boolean('consent_valid').notNull(),
    observations: jsonb('observations').$type<Observations>().notNull(),
    symptoms: jsonb('symptoms').$type<Record<string, boolean>>().notNull(),
    outOfRange: jsonb('out_of_range').$type<string[]>().notNull(),
    decision: text('decision', { enum: ['give', 'do-not-give'] }).notNull(),
    decisionReason: text('decision_reason'),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('visit_checks_visit_idx').on(t.visitId)],
);

export const REACTION_ACTIONS = ['INFUSION_STOPPED', 'INFUSION_SLOWED', 'ANTIHISTAMINE', 'HYDROCORTISONE', 'ADRENALINE', 'OXYGEN', 'AMBULANCE_999', 'OBSERVED'] as const;

/** A reaction graded CTCAE v5 (1–5) with the actions taken. Grade 2 or more alerts the Trust and makes the next dose hospital only. */
export const reactions = pgTable(
  'reactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id').notNull().references(() => visits.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    providerId: uuid('provider_id').notNull().references(() => organisations.id),
    grade: integer('grade').notNull(),
    description: text('description').notNull(),
    actions: jsonb('actions').$type<string[]>().notNull(),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('reactions_patient_idx').on(t.patientId)],
);

export const INCIDENT_KINDS = ['SPILLAGE', 'COLD_CHAIN_BREAK', 'DELIVERY_FAILURE', 'NEAR_MISS', 'OTHER'] as const;
export const INCIDENT_SEVERITIES = ['no-harm', 'low', 'moderate', 'severe', 'death'] as const;

export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id').notNull().references(() => visits.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    providerId: uuid('provider_id').notNull().references(() => organisations.id),
    kind: text('kind', { enum: INCIDENT_KINDS }).notNull(),
    severity: text('severity', { enum: INCIDENT_SEVERITIES }).notNull(),
    description: text('description').notNull(),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incidents_trust_idx').on(t.trustId, t.recordedAt)],
);

export const ALERT_KINDS = ['reaction', 'deferral-request', 'incident'] as const;

/** What the provider's record raises for the Trust: shown on the patient's record and the Trust's worklist until dealt with. */
export const trustAlerts = pgTable(
  'trust_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    cycleId: uuid('cycle_id').references(() => cycles.id),
    visitId: uuid('visit_id').references(() => visits.id),
    kind: text('kind', { enum: ALERT_KINDS }).notNull(),
    message: text('message').notNull(),
    raisedByOrg: uuid('raised_by_org').notNull().references(() => organisations.id),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolution: text('resolution'),
  },
  (t) => [index('trust_alerts_open_idx').on(t.trustId, t.resolvedAt)],
);

/** Client-generated keys of recordings already accepted, so a retried submission answers "already recorded". */
export const recordingKeys = pgTable('recording_keys', {
  key: text('key').primaryKey(),
  patientId: uuid('patient_id').notNull().references(() => patients.id),
  trustId: uuid('trust_id').notNull().references(() => organisations.id),
  kind: text('kind').notNull(),
  recordId: uuid('record_id').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
});

