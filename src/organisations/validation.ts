import { z } from 'zod';
import { ORG_KINDS } from './schema.ts';
import { ODS_CODE } from './rules.ts';

const isoDate = (label: string) =>
  z
    .string({ error: `Enter the ${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} as a real date, for example 2026-04-01`)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), `Enter the ${label} as a real date, for example 2026-04-01`);

export const OrganisationInput = z.strictObject({
  kind: z.enum(ORG_KINDS, { error: 'Select the kind of organisation' }),
  odsCode: z.string({ error: 'Enter the ODS code' }).trim().toUpperCase().regex(ODS_CODE, 'Enter an ODS code of 3 to 10 letters and numbers, for example RQ3'),
  name: z.string({ error: 'Enter the organisation name' }).trim().min(1, 'Enter the organisation name').max(200, 'Name must be 200 characters or fewer'),
});

export const OrganisationPatch = z.strictObject({
  name: z.string().trim().min(1, 'Enter the organisation name').max(200, 'Name must be 200 characters or fewer').optional(),
  active: z.boolean({ error: 'Active must be true or false' }).optional(),
});

export const UnitInput = z.strictObject({
  trustId: z.uuid('Select the Trust'),
  code: z.string({ error: 'Enter the unit code' }).trim().toUpperCase().regex(ODS_CODE, 'Enter a unit code of 3 to 10 letters and numbers, for example RQ301'),
  name: z.string({ error: 'Enter the unit name' }).trim().min(1, 'Enter the unit name').max(200, 'Name must be 200 characters or fewer'),
});

export const AgreementInput = z
  .strictObject({
    trustId: z.uuid('Select the Trust'),
    providerId: z.uuid('Select the home-care provider'),
    reference: z.string({ error: 'Enter the agreement reference' }).trim().min(1, 'Enter the agreement reference').max(100, 'Reference must be 100 characters or fewer'),
    startsOn: isoDate('start date'),
    endsOn: isoDate('end date').nullish(),
  })
  .refine((a) => !a.endsOn || a.endsOn >= a.startsOn, { message: 'End date must be the same as or after the start date', path: ['endsOn'] });

export const EndAgreementInput = z.strictObject({
  reason: z.string({ error: 'Enter why the agreement is ending' }).trim().min(1, 'Enter why the agreement is ending').max(500, 'Reason must be 500 characters or fewer'),
});
