import { z } from 'zod';
import { isValidNhsNumber, normaliseNhsNumber, normalisePostcode } from './rules.ts';
import { ETHNIC_CATEGORIES, ICD10 } from './codes.ts';

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
    .refine((s) => s >= '1900-01-01', 'Date of birth must be after 1 January 1900')
    .refine((s) => s <= new Date().toISOString().slice(0, 10), 'Date of birth must be today or in the past'),
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
  sex: z.enum(['female', 'male', 'other', 'unknown'], { error: 'Select the patient’s sex' }).optional(),
  addressLine1: z.string().trim().max(100, 'Address line 1 must be 100 characters or fewer').optional(),
  addressLine2: z.string().trim().max(100, 'Address line 2 must be 100 characters or fewer').optional(),
  town: z.string().trim().max(100, 'Town or city must be 100 characters or fewer').optional(),
  phone: z.string().trim().regex(/^\+?[0-9 ()-]{10,20}$/, 'Enter a phone number, like 01632 960 001 or 07700 900 982').optional(),
  gpPracticeCode: z.string().trim().toUpperCase().regex(/^[A-Z]\d{5}$/, 'Enter the GP practice code: a letter and 5 digits, for example M85001').optional(),
  gpPracticeName: z.string().trim().max(200, 'GP practice name must be 200 characters or fewer').optional(),
  ethnicCategory: z.enum(Object.keys(ETHNIC_CATEGORIES) as [string, ...string[]], { error: 'Select an ethnic category from the list' }).optional(),
  imdDecile: z.coerce.number({ error: 'Enter the IMD decile as a number from 1 to 10' }).int('Enter the IMD decile as a whole number from 1 to 10').min(1, 'Enter the IMD decile as a number from 1 to 10').max(10, 'Enter the IMD decile as a number from 1 to 10').optional(),
  diagnosisCode: z.string().trim().toUpperCase().regex(ICD10, 'Enter the diagnosis as an ICD-10 code, for example C50.9').optional(),
  consultant: z.string().trim().max(100, 'Consultant must be 100 characters or fewer').optional(),
});

export const PatientSearch = z.strictObject({
  q: z.string().trim().max(100, 'Search must be 100 characters or fewer').optional(),
});
