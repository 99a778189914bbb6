import { z } from 'zod';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES, REACTION_ACTIONS } from './schema.ts';
import { IDENTIFIERS } from './rules.ts';
import { NOT_GIVEN_REASONS } from './service.ts';

const realDate = (missing: string) =>
  z
    .string({ error: missing })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a real date, for example 2026-06-01')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter a real date, for example 2026-06-01');
const time = (label: string) => z.string({ error: `Enter ${label}` });
const instant = (label: string) => z.string({ error: `Enter ${label}` }).refine((s) => !Number.isNaN(Date.parse(s)), `Enter ${label} as a date and time`);
/** The key the phone generates for each recording, so a retry is recognised. */
const key = z.string({ error: 'The recording has no key: reload the page' }).min(8, 'The recording key is too short').max(100, 'The recording key is too long');
const num = (label: string) => z.number({ error: `Enter the ${label}` });

export const ScheduleInput = z.strictObject({ windowStart: time('the start of the window'), windowEnd: time('the end of the window'), nurseId: z.uuid('Select a nurse').nullable().optional() });
export const RescheduleInput = z.strictObject({
  visitDate: realDate('Enter the visit date'),
  windowStart: time('the start of the window'),
  windowEnd: time('the end of the window'),
  nurseId: z.uuid('Select a nurse').nullable().optional(),
  reason: z.string({ error: 'Enter the reason for rescheduling' }).max(500, 'The reason must be 500 characters or fewer'),
  expectedVersion: z.number().int().positive().optional(),
});
export const VisitQuery = z.strictObject({ from: realDate('Enter the first date'), to: realDate('Enter the last date'), nurseId: z.uuid('Select a nurse').optional() });
export const CheckInput = z.strictObject({
  idempotencyKey: key,
  identifiers: z.array(z.enum(Object.keys(IDENTIFIERS) as [keyof typeof IDENTIFIERS]), { error: 'Confirm the patient’s identity with at least two identifiers' }),
  consentValid: z.boolean({ error: 'Confirm consent is still valid' }),
  observations: z.strictObject({ temperatureC: num('temperature'), pulse: num('pulse'), systolic: num('systolic blood pressure'), diastolic: num('diastolic blood pressure'), spo2: num('oxygen saturation') }),
  symptoms: z.record(z.string(), z.boolean()),
  decision: z.enum(['give', 'do-not-give'], { error: 'Choose whether to give the dose' }),
  decisionReason: z.string().max(1000, 'The reason must be 1,000 characters or fewer').nullable().optional(),
});
export const DoseInput = z.strictObject({
  idempotencyKey: key,
  doses: z.array(z.strictObject({ drug: z.string(), doseMg: num('dose given in mg') })).min(1, 'Enter the dose given'),
  route: z.string({ error: 'Enter the route' }),
  site: z.string({ error: 'Enter the site' }).max(100, 'The site must be 100 characters or fewer'),
  startedAt: instant('the start time'),
  endedAt: instant('the end time'),
  batch: z.string({ error: 'Enter the batch number' }).max(50, 'The batch number must be 50 characters or fewer'),
  expiry: realDate('Enter the expiry date'),
  observationCompleted: z.boolean({ error: 'Confirm the observation period was completed' }),
  anaphylaxisKitConfirmed: z.boolean({ error: 'Confirm the anaphylaxis kit is present' }),
});
export const NotGivenInput = z.strictObject({
  idempotencyKey: key,
  reasonCode: z.enum(Object.keys(NOT_GIVEN_REASONS) as [keyof typeof NOT_GIVEN_REASONS], { error: 'Select why the dose was not given' }),
  note: z.string().max(1000, 'The note must be 1,000 characters or fewer').optional(),
});
export const ReactionInput = z.strictObject({
  idempotencyKey: key,
  grade: z.number({ error: 'Select a CTCAE grade from 1 to 5' }),
  description: z.string({ error: 'Describe the reaction' }).max(2000, 'The description must be 2,000 characters or fewer'),
  actions: z.array(z.enum(REACTION_ACTIONS)).default([]),
});
export const IncidentInput = z.strictObject({
  idempotencyKey: key,
  kind: z.enum(INCIDENT_KINDS, { error: 'Select the kind of incident' }),
  severity: z.enum(INCIDENT_SEVERITIES, { error: 'Select the severity' }),
  description: z.string({ error: 'Describe what happened' }).max(2000, 'The description must be 2,000 characters or fewer'),
});
export const ResolveInput = z.strictObject({ resolution: z.string({ error: 'Enter what was decided' }).max(1000, 'The note must be 1,000 characters or fewer') });
