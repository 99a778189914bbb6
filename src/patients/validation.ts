import { z } from 'zod';
import { isValidNhsNumber, normaliseNhsNumber, normalisePostcode } from './rules.ts';

export const PatientInput = z.strictObject({
  nhsNumber: z
    .string({ error: 'Enter the NHS number' })
    .trim()
    .min(1, 'Enter the NHS number')
    .refine(isValidNhsNumber, 'Enter a valid NHS number: 10 digits, for example 943 476 5919')
    .transform(normaliseNhsNumber),
  givenName: z.string({ error: 'Enter the given name' }).trim().min(1, 'Enter the given name').max(100, 'Given name must be 100 characters or fewer'),
  familyName: z.string({ error: 'Enter the family name' }).trim().min(1, 'Enter the family name').max(100, 'Family name must be 100 characters or fewer'),
  dateOfBirth: z
    .string({ error: 'Enter the date of birth' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date of birth as a real date, for example 1961-03-27')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter the date of birth as a real date, for example 1961-03-27')
    .refine((s) => s >= '1900-01-01', 'Date of birth must be after 1 January 1900'),
  postcode: z
    .string()
    .trim()
    .optional()
    .transform((v, c) => {
      if (!v) return undefined;
      const p = normalisePostcode(v);
      if (!p) c.addIssue({ code: 'custom', message: 'Enter a real postcode, for example B9 5SS (or ZZ99 3VZ for no fixed abode)' });
      return p;
    }),
  unitId: z.uuid('Select a valid unit').optional(),
});

export const PatientSearch = z.strictObject({
  q: z.string().trim().max(100, 'Search must be 100 characters or fewer').optional(),
});
