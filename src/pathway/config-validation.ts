import { z } from 'zod';
import { CONSENT_KINDS } from './config-schema.ts';
import { MAX_CHECKLIST_ITEMS } from './suitability.ts';

export const RegimenParams = z.object({ regimen: z.string().max(100) });

/** A whole checklist as the administrator wants it: items keep their code; a new item may leave it out. */
export const ChecklistSave = z.strictObject({
  items: z
    .array(
      z.strictObject({
        code: z.string().max(50).optional(),
        text: z.string({ error: 'Enter the wording of the item' }).trim().min(1, 'Enter the wording of the item').max(300, 'An item must be 300 characters or fewer'),
        naAllowed: z.boolean().optional(),
      }),
      { error: 'Enter the checklist items' },
    )
    .min(1, 'Keep at least one item on the checklist')
    .max(MAX_CHECKLIST_ITEMS, `A checklist can have at most ${MAX_CHECKLIST_ITEMS} items`),
});

const text = (missing: string, max: number, label: string) => z.string({ error: missing }).trim().min(1, missing).max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

export const ConsentFormCreate = z.strictObject({
  kind: z.enum(CONSENT_KINDS, { error: 'Select which consent this form is for' }),
  version: text('Enter the version label, for example HOME-TX-2', 50, 'The version label').regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dots, hyphens and underscores in the version label'),
  title: text('Enter the title of the form', 200, 'The title'),
  summary: text('Enter what the patient agrees to', 2000, 'What the patient agrees to'),
});
