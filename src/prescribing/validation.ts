import { z } from 'zod';
import { DEFERRAL_REASONS } from './deferral-rules.ts';
import { LVEF_METHODS } from './lvef-rules.ts';

const realDate = (missing: string) =>
  z
    .string({ error: missing })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a real date, for example 2026-06-01')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter a real date, for example 2026-06-01');
const version = z.number().int().positive().optional();
const reason = (label: string) => z.string({ error: `Enter ${label}` }).trim().min(1, `Enter ${label}`).max(1000, `The ${label.replace(/^the /, '')} must be 1,000 characters or fewer`);

export const CourseInput = z.strictObject({ startDate: realDate('Enter the date cycle 1 is due') });

export const WeightInput = z.strictObject({
  weightKg: z.number({ error: 'Enter the weight in kilograms, for example 70' }),
  heightCm: z.number({ error: 'Enter the height in centimetres, for example 165' }).nullable().optional(),
  measuredOn: realDate('Enter the date the weight was measured'),
});

export const LvefInput = z.strictObject({
  measuredOn: realDate('Enter the date of the scan'),
  method: z.enum(Object.keys(LVEF_METHODS) as [keyof typeof LVEF_METHODS], { error: 'Select echocardiogram, MUGA scan or cardiac MRI' }),
  percent: z.number({ error: 'Enter the LVEF as a percentage, for example 60' }),
  reportingClinician: z.string({ error: 'Enter the name of the clinician who reported the scan' }).max(200, 'The clinician’s name must be 200 characters or fewer'),
  symptomaticHeartFailure: z.boolean().optional(),
});

export const AssessInput = z.strictObject({ note: z.string().trim().max(1000, 'The note must be 1,000 characters or fewer').optional() });
export const ReasonInput = z.strictObject({ reason: reason('the reason') });

export const StepInput = z.discriminatedUnion('event', [
  z.strictObject({ event: z.enum(['sign', 'verify', 'transmit', 'resume']), expectedVersion: version }),
  z.strictObject({ event: z.enum(['hold', 'cancel']), reason: reason('the reason'), expectedVersion: version }),
  z.strictObject({ event: z.literal('not-given'), reason: reason('the reason the dose was not given'), expectedVersion: version }),
  z.strictObject({
    event: z.literal('deliver'),
    batch: z.string({ error: 'Enter the batch number' }).trim().min(1, 'Enter the batch number').max(50, 'The batch number must be 50 characters or fewer'),
    expiry: realDate('Enter the expiry date'),
    coldChainConfirmed: z.boolean({ error: 'Confirm the cold chain was kept' }),
    deliveredOn: realDate('Enter the delivery date'),
    expectedVersion: version,
  }),
]);

export const DeferInput = z.strictObject({
  newDate: realDate('Enter the new date'),
  reasonCode: z.enum(Object.keys(DEFERRAL_REASONS) as [keyof typeof DEFERRAL_REASONS], { error: 'Select a reason for the deferral' }),
  note: z.string().trim().max(1000, 'The note must be 1,000 characters or fewer').optional(),
});

export const AdministerInput = z.strictObject({
  givenOn: realDate('Enter the date the dose was given'),
  doses: z.array(z.strictObject({ drug: z.string(), doseMg: z.number({ error: 'Enter the dose given in mg' }) }), { error: 'Enter the dose given' }).min(1, 'Enter the dose given'),
  anaphylaxisKitConfirmed: z.boolean({ error: 'Confirm the anaphylaxis kit is present' }),
  expectedVersion: version,
});
