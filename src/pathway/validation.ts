import { z } from 'zod';
import { DECLINE_REASONS, RETURN_REASONS, type DeclineReason, type ReturnReason } from './episode-rules.ts';

const note = z.string().trim().max(1000, 'Note must be 1,000 characters or fewer').optional();
const dateField = (missing: string) => z
  .string({ error: missing })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a real date, for example 2026-06-01')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter a real date, for example 2026-06-01');
const isoDate = dateField('Enter the date');
const version = z.number().int().positive().optional();

const text = (label: string, max = 500) => z.string({ error: `Enter ${label}` }).trim().min(1, `Enter ${label}`).max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);

/** The electronic referral form (the pilot's paper form): what the provider needs to treat the patient at home. */
export const REFERRAL_FIELDS = {
  schedule: text('the treatment schedule, for example "every 3 weeks, cycle 5 of 18"', 200),
  allergies: text('allergies, or "None known"'),
  venousAccess: z.enum(['peripheral', 'picc', 'port', 'not-applicable'], { error: 'Select the venous access' }),
  accessNotes: z.string().trim().max(500, 'Home access notes must be 500 characters or fewer').optional(),
  keyContacts: text('the key contacts (name and phone number)'),
  lvefStatus: text('the LVEF status, for example "58% on 12 May 2026, next due 4 August"', 200),
  prescriber: text('the prescriber’s name', 100),
};

export const VENOUS_ACCESS_LABELS = { peripheral: 'Peripheral cannula', picc: 'PICC line', port: 'Implanted port', 'not-applicable': 'Not applicable (subcutaneous)' } as const;

export const EpisodeInput = z.strictObject({
  // Checked against the published, home-suitable regimens in the library by the service: a new regimen is data.
  regimen: z.string({ error: 'Select a regimen from the list' }).regex(/^[a-z][a-z0-9-]{2,59}$/, 'Select a regimen from the list'),
});

/** What each event needs; `expectedVersion` (optional) refuses the change if someone else changed the episode first. */
export const EpisodeEventInput = z.discriminatedUnion(
  'event',
  [
    // The answers are checked against the regimen's checklist in force (an administrator can change it), and the
    // result is worked out on the server from them: the client never says "suitable" itself.
    z.strictObject({ event: z.literal('assess'), answers: z.record(z.string().max(50), z.enum(['yes', 'no', 'na'], { error: 'Select yes, no or not applicable' }), { error: 'Answer the suitability checklist' }), note, expectedVersion: version }),
    z.strictObject({ event: z.literal('offer'), offeredOn: isoDate, leafletVersion: z.string({ error: 'Enter the leaflet version' }).trim().min(1, 'Enter the leaflet version').max(50), note, expectedVersion: version }),
    z.strictObject({ event: z.literal('accept'), note, expectedVersion: version }),
    z
      .strictObject({ event: z.literal('decline'), reasonCode: z.enum(Object.keys(DECLINE_REASONS) as [DeclineReason, ...DeclineReason[]], { error: 'Select the reason the patient declined' }), note, expectedVersion: version })
      .refine((d) => d.reasonCode !== 'OTHER' || !!d.note, { message: 'Enter the reason when you select Other', path: ['note'] }),
    z.strictObject({ event: z.literal('undecided'), note, expectedVersion: version }),
    z.strictObject({ event: z.literal('refer'), providerId: z.uuid('Select a home-care provider'), ...REFERRAL_FIELDS, note, expectedVersion: version }),
    // Two separate consents, each on a named form version (checked against the versions in use on the server).
    z.strictObject({
      event: z.literal('consent'),
      homeTreatmentForm: z.string({ error: 'Select the version of the treatment at home form the patient signed' }).trim().min(1, 'Select the version of the treatment at home form the patient signed').max(50),
      dataSharingForm: z.string({ error: 'Select the version of the data-sharing form the patient signed' }).trim().min(1, 'Select the version of the data-sharing form the patient signed').max(50),
      takenOn: dateField('Enter the date consent was taken'),
      note,
      expectedVersion: version,
    }),
    z.strictObject({ event: z.literal('start-home'), note, expectedVersion: version }),
    z
      .strictObject({ event: z.literal('return-to-hospital'), reasonCode: z.enum(Object.keys(RETURN_REASONS) as [ReturnReason, ...ReturnReason[]], { error: 'Select the reason for returning to hospital' }), note, expectedVersion: version })
      .refine((d) => d.reasonCode !== 'OTHER' || !!d.note, { message: 'Enter the reason when you select Other', path: ['note'] }),
    z.strictObject({ event: z.literal('withdraw-consent'), note: z.string({ error: 'Enter what the patient withdrew consent to, and when' }).trim().min(1, 'Enter what the patient withdrew consent to, and when').max(1000), expectedVersion: version }),
    z.strictObject({ event: z.literal('complete'), note, expectedVersion: version }),
    z.strictObject({ event: z.literal('discontinue'), note: z.string({ error: 'Enter why the episode is discontinued' }).trim().min(1, 'Enter why the episode is discontinued').max(1000), expectedVersion: version }),
  ],
  { error: 'Select a valid event' },
);
export type EpisodeEventData = z.infer<typeof EpisodeEventInput>;

export const ReferralResponseInput = z
  .strictObject({ decision: z.enum(['accept', 'decline'], { error: 'Select accept or decline' }), note, expectedVersion: version })
  .refine((d) => d.decision === 'accept' || !!d.note, { message: 'Enter why the referral is declined', path: ['note'] });
