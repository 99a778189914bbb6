import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations } from '../organisations/schema.ts';
import { users } from '../identity/schema.ts';
import { patients } from '../patients/schema.ts';
import { episodes } from '../pathway/schema.ts';
import type { RegimenDefinition } from './regimen.ts';
import { PRESCRIPTION_EVENTS, PRESCRIPTION_STATES } from './prescription-rules.ts';

export const REGIMEN_STATUSES = ['draft', 'published', 'retired'] as const;
export const DOSE_KINDS = ['loading', 'maintenance', 'reload'] as const;
export const CYCLE_STATUSES = ['planned', 'given', 'not-given'] as const;
export const COURSE_STATUSES = ['active', 'suspended', 'completed', 'stopped'] as const;

/**
 * The regimen library as versioned data. A published version never changes (a database trigger refuses it); a
 * course and each prescription pin the version they were made from, so editing the library never rewrites history.
 */
export const regimens = pgTable(
  'regimens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: REGIMEN_STATUSES }).notNull(),
    definition: jsonb('definition').$type<RegimenDefinition>().notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    publishedBy: uuid('published_by').references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('regimens_code_version_idx').on(t.code, t.version)],
);
export type RegimenRow = typeof regimens.$inferSelect;

/** A patient's course of one regimen version under a home-pathway episode: the schedule hangs from it. */
export const treatmentCourses = pgTable(
  'treatment_courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    episodeId: uuid('episode_id').notNull().references(() => episodes.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    regimenId: uuid('regimen_id').notNull().references(() => regimens.id),
    /** The date cycle 1 is (or was) due. */
    startDate: date('start_date', { mode: 'string' }).notNull(),
    status: text('status', { enum: COURSE_STATUSES }).notNull().default('active'),
    /** Set when an LVEF result suspends treatment; cleared only by a prescriber's resume decision (rule 19). */
    suspendedOn: date('suspended_on', { mode: 'string' }),
    repeatLvefDueBy: date('repeat_lvef_due_by', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  // By Trust and status: the worklists read only a Trust's active and suspended courses.
  (t) => [uniqueIndex('treatment_courses_episode_idx').on(t.episodeId), index('treatment_courses_patient_idx').on(t.patientId), index('treatment_courses_trust_status_idx').on(t.trustId, t.status)],
);
export type CourseRow = typeof treatmentCourses.$inferSelect;

/** One planned dose. `originalDueDate` never changes: every deferral is judged against it (spec §6.3.3). */
export const cycles = pgTable(
  'cycles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').notNull().references(() => treatmentCourses.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    cycleNumber: integer('cycle_number').notNull(),
    originalDueDate: date('original_due_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: DOSE_KINDS }).notNull(),
    place: text('place', { enum: ['hospital', 'home'] }).notNull(),
    status: text('status', { enum: CYCLE_STATUSES }).notNull().default('planned'),
    givenOn: date('given_on', { mode: 'string' }),
    /** Set by a grade 2+ reaction: the next dose is given in hospital until a prescriber has reviewed the reaction. */
    hospitalOnlyReason: text('hospital_only_reason'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('cycles_course_number_idx').on(t.courseId, t.cycleNumber), index('cycles_due_idx').on(t.trustId, t.dueDate)],
);
export type CycleRow = typeof cycles.$inferSelect;

/** Weights (and heights) as measured, for dose calculation and the SACT return (item 28). */
export const weights = pgTable(
  'weights',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    weightKg: doublePrecision('weight_kg').notNull(),
    heightCm: doublePrecision('height_cm'),
    measuredOn: date('measured_on', { mode: 'string' }).notNull(),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('weights_patient_idx').on(t.patientId, t.measuredOn)],
);

export interface PrescribedDrug {
  drug: string;
  calculatedMg: number;
  doseMg: number;
  working: string;
}

export interface DeliveryRecord {
  batch: string;
  expiry: string;
  coldChainConfirmed: boolean;
  deliveredOn: string;
}

/** One cycle's prescription, with everything the provider needs to dispense and give it. */
export const prescriptions = pgTable(
  'prescriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').notNull().references(() => treatmentCourses.id),
    cycleId: uuid('cycle_id').notNull().references(() => cycles.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    /** The provider it is for (home cycles only); it sees the prescription once released to it. */
    providerId: uuid('provider_id').references(() => organisations.id),
    regimenId: uuid('regimen_id').notNull().references(() => regimens.id),
    cycleNumber: integer('cycle_number').notNull(),
    doseKind: text('dose_kind', { enum: DOSE_KINDS }).notNull(),
    /** The date the dose is for; it must equal the cycle's due date when given, or the prescription is stale. */
    doseDate: date('dose_date', { mode: 'string' }).notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }).notNull(),
    weightKg: doublePrecision('weight_kg'),
    weightMeasuredOn: date('weight_measured_on', { mode: 'string' }),
    heightCm: doublePrecision('height_cm'),
    bsaM2: doublePrecision('bsa_m2'),
    doses: jsonb('doses').$type<PrescribedDrug[]>().notNull(),
    route: text('route').notNull(),
    infusionMinutes: integer('infusion_minutes').notNull(),
    observationMinutes: integer('observation_minutes').notNull(),
    premedication: jsonb('premedication').$type<string[]>().notNull(),
    anaphylaxisKit: boolean('anaphylaxis_kit').notNull(),
    state: text('state', { enum: PRESCRIPTION_STATES }).notNull().default('draft'),
    heldFrom: text('held_from', { enum: PRESCRIPTION_STATES }),
    signedBy: uuid('signed_by').references(() => users.id),
    signedAt: timestamp('signed_at', { withTimezone: true }),
    verifiedBy: uuid('verified_by').references(() => users.id),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    releasedBy: uuid('released_by').references(() => users.id),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    delivery: jsonb('delivery').$type<DeliveryRecord>(),
    deliveredBy: uuid('delivered_by').references(() => users.id),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    endReason: text('end_reason'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('prescriptions_cycle_idx').on(t.cycleId),
    // A course's prescriptions (course page, weight changes): found by index, not by reading every Trust's.
    index('prescriptions_course_idx').on(t.courseId),
    index('prescriptions_trust_state_idx').on(t.trustId, t.state),
    index('prescriptions_provider_state_idx').on(t.providerId, t.state),
    // One live prescription per cycle: a stale one must end before another is written (the deferral incident).
    uniqueIndex('prescriptions_one_live_per_cycle_idx')
      .on(t.cycleId)
      .where(sql`state in ('draft','signed','verified','transmitted','delivered','on-hold','administered')`),
  ],
);
export type PrescriptionRow = typeof prescriptions.$inferSelect;

/** Every step of every prescription: who, when, from and to, and why. Written once. */
export const prescriptionEvents = pgTable(
  'prescription_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    prescriptionId: uuid('prescription_id').notNull().references(() => prescriptions.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    event: text('event', { enum: [...PRESCRIPTION_EVENTS, 'create', 'override'] }).notNull(),
    fromState: text('from_state', { enum: PRESCRIPTION_STATES }),
    toState: text('to_state', { enum: PRESCRIPTION_STATES }).notNull(),
    version: integer('version').notNull(),
    reason: text('reason'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    byUserId: uuid('by_user_id').notNull().references(() => users.id),
    byOrgId: uuid('by_org_id').notNull().references(() => organisations.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('prescription_events_rx_idx').on(t.prescriptionId, t.version)],
);

/** A named prescriber lifting the cardiac gate for one dose, with the reason and the blocks it lifted. */
export const doseOverrides = pgTable(
  'dose_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    prescriptionId: uuid('prescription_id').notNull().references(() => prescriptions.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    reason: text('reason').notNull(),
    blocks: jsonb('blocks').$type<string[]>().notNull(),
    byUserId: uuid('by_user_id').notNull().references(() => users.id),
    byName: text('by_name').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('dose_overrides_rx_idx').on(t.prescriptionId)],
);

export const DEFERRAL_OUTCOMES = ['resume-on-new-date', 'cancel-and-prescribe-again'] as const;

/** A deferral is an event, never an edit of a date (spec §6.3.1). */
export const deferrals = pgTable(
  'deferrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cycleId: uuid('cycle_id').notNull().references(() => cycles.id),
    prescriptionId: uuid('prescription_id').references(() => prescriptions.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    reasonCode: text('reason_code').notNull(),
    note: text('note'),
    originalDueDate: date('original_due_date', { mode: 'string' }).notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    newDate: date('new_date', { mode: 'string' }).notNull(),
    daysLate: integer('days_late').notNull(),
    doseKind: text('dose_kind', { enum: DOSE_KINDS }).notNull(),
    outcome: text('outcome', { enum: DEFERRAL_OUTCOMES }).notNull(),
    byUserId: uuid('by_user_id').notNull().references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('deferrals_cycle_idx').on(t.cycleId)],
);

export const LVEF_ACTIONS = ['baseline-ok', 'baseline-blocked', 'continue', 'continue-with-warning', 'suspend', 'stay-suspended', 'consider-discontinuation', 'clinician-review'] as const;

/** LVEF results as reported, and the prescriber's assessment of each (spec §3.7). */
export const lvefResults = pgTable(
  'lvef_results',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').notNull().references(() => treatmentCourses.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    measuredOn: date('measured_on', { mode: 'string' }).notNull(),
    method: text('method', { enum: ['echo', 'muga', 'mri'] }).notNull(),
    percent: integer('percent').notNull(),
    reportingClinician: text('reporting_clinician').notNull(),
    symptomaticHeartFailure: boolean('symptomatic_heart_failure').notNull().default(false),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    assessedBy: uuid('assessed_by').references(() => users.id),
    assessedAt: timestamp('assessed_at', { withTimezone: true }),
    action: text('action', { enum: LVEF_ACTIONS }),
    message: text('message'),
    warnings: jsonb('warnings').$type<string[]>(),
    assessmentNote: text('assessment_note'),
  },
  // Results awaiting assessment, per Trust: the worklist's question, a few rows among millions.
  (t) => [index('lvef_results_course_idx').on(t.courseId, t.measuredOn), index('lvef_results_awaiting_idx').on(t.trustId).where(sql`assessed_at is null`)],
);
export type LvefRow = typeof lvefResults.$inferSelect;

/**
 * A dose given. One per prescription (a unique index, not only a check): the same dose can never be stored twice.
 * The home-visit record extends this with observations, batch checks and reactions.
 */
export const administrations = pgTable(
  'administrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    prescriptionId: uuid('prescription_id').notNull().references(() => prescriptions.id),
    cycleId: uuid('cycle_id').notNull().references(() => cycles.id),
    patientId: uuid('patient_id').notNull().references(() => patients.id),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    byOrgId: uuid('by_org_id').notNull().references(() => organisations.id),
    place: text('place', { enum: ['hospital', 'home'] }).notNull(),
    givenOn: date('given_on', { mode: 'string' }).notNull(),
    doses: jsonb('doses').$type<{ drug: string; doseMg: number }[]>().notNull(),
    overrideId: uuid('override_id').references(() => doseOverrides.id),
    // The home-visit record: which visit, how and where it was given, the product, and the observation period.
    visitId: uuid('visit_id'),
    route: text('route'),
    site: text('site'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    batch: text('batch'),
    expiry: date('expiry', { mode: 'string' }),
    observationCompleted: boolean('observation_completed'),
    /** The client-generated key of the recording: a retry with the same key is "already recorded", never a second row. */
    idempotencyKey: text('idempotency_key'),
    version: integer('version').notNull().default(1),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('administrations_prescription_idx').on(t.prescriptionId),
    uniqueIndex('administrations_idempotency_idx').on(t.idempotencyKey),
    index('administrations_patient_idx').on(t.patientId),
    // The report's doses of a month and the export's, per Trust (docs/performance.md).
    index('administrations_trust_given_idx').on(t.trustId, t.givenOn),
    // "Has this course given a dose?" (the cardiac gate, on every release and weight change) and a visit's dose: at
    // alliance size these took minutes each without an index, holding up every other request.
    index('administrations_cycle_idx').on(t.cycleId),
    index('administrations_visit_idx').on(t.visitId),
  ],
);
