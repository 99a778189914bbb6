/**
 * The suitability checklist for home SACT (spec §4.2), system defaults; each item is answered yes, no or not
 * applicable. Pure: the result and the unmet items are derived here and stored with the assessment.
 */

export const DEFAULT_CHECKLIST = [
  { code: 'REGIMEN_HOME_SUITABLE', text: 'The regimen is flagged suitable for home treatment by the Trust' },
  { code: 'HOSPITAL_DOSES_GIVEN', text: 'Loading dose and the required maintenance cycles given in hospital without reaction' },
  { code: 'NO_GRADE2_REACTION', text: 'No infusion-related reaction of grade 2 or more on any previous dose' },
  { code: 'LVEF_IN_DATE', text: 'LVEF monitoring is in date and treatment is not suspended' },
  { code: 'SACT_CONSENT', text: 'Consent to SACT documented and the patient has capacity to consent' },
  { code: 'DATA_SHARING_ACK', text: 'The patient agrees to share data with the named home-care provider and to home visits' },
  { code: 'HOME_ENVIRONMENT', text: 'Home has running water, an indoor toilet, a working phone, safe access and space' },
  { code: 'PERFORMANCE_STATUS', text: 'ECOG 0–1, or 2 with a carer living in the home' },
  { code: 'IN_SERVICE_AREA', text: 'Postcode is within the provider’s contracted service area' },
  { code: 'VENOUS_ACCESS', text: 'Venous access adequate for IV treatment (not applicable to subcutaneous)', naAllowed: true },
  { code: 'PATIENT_AGREES', text: 'The patient agrees, knowing they may return to hospital at any time' },
] as const;

export type ChecklistAnswer = 'yes' | 'no' | 'na';
export type ChecklistItem = { code: string; text: string; naAllowed?: boolean };

/** Every item answered yes (not applicable where that is allowed would also do), for scripts and tests. */
export function allYes(): Record<string, ChecklistAnswer> {
  return Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.code, 'yes' as const]));
}

/** Problems with a set of answers: unknown items, unanswered items, "not applicable" where it cannot apply. */
export function checklistProblems(items: readonly ChecklistItem[], answers: Record<string, string | undefined>): Record<string, string> {
  const problems: Record<string, string> = {};
  const known = new Set(items.map((i) => i.code));
  for (const code of Object.keys(answers)) if (!known.has(code)) problems[code] = `Remove "${code}": it is not on the checklist`;
  for (const i of items) {
    const a = answers[i.code];
    if (!a) problems[i.code] = 'Select yes, no or not applicable';
    else if (a === 'na' && !i.naAllowed) problems[i.code] = 'Select yes or no: this item always applies';
  }
  return problems;
}

export interface ChecklistResult {
  suitable: boolean;
  unmet: string[];
  unanswered: string[];
}

/** Suitable only when every item is answered and none is "no"; "not applicable" never counts against. */
export function assessChecklist(items: readonly ChecklistItem[], answers: Record<string, ChecklistAnswer | undefined>): ChecklistResult {
  const unanswered = items.filter((i) => !answers[i.code]).map((i) => i.code);
  const unmet = items.filter((i) => answers[i.code] === 'no').map((i) => i.text);
  return { suitable: unanswered.length === 0 && unmet.length === 0, unmet, unanswered };
}

export const MAX_CHECKLIST_ITEMS = 30;
const CODE = /^[A-Z][A-Z0-9_]{1,49}$/;

/** A stable code for a new item, made from its wording and kept unique on the list. */
export function codeFor(text: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = text.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).replace(/^(\d)/, 'N$1') || 'ITEM';
  let code = base.length >= 2 ? base : `ITEM_${base}`;
  for (let n = 2; used.has(code); n++) code = `${base}_${n}`;
  return code;
}

/** Problems with a checklist an administrator is saving, keyed by `items.<index>.<field>`. */
export function checklistConfigProblems(items: readonly ChecklistItem[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (items.length === 0) problems.items = 'Keep at least one item on the checklist';
  if (items.length > MAX_CHECKLIST_ITEMS) problems.items = `A checklist can have at most ${MAX_CHECKLIST_ITEMS} items`;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const text = item.text.trim();
    if (!text) problems[`items.${i}.text`] = `Enter the wording of item ${i + 1}`;
    else if (text.length > 300) problems[`items.${i}.text`] = `Item ${i + 1} must be 300 characters or fewer`;
    if (!CODE.test(item.code)) problems[`items.${i}.code`] = `Item ${i + 1} needs a code of capital letters, digits and underscores`;
    else if (seen.has(item.code)) problems[`items.${i}.code`] = `Item ${i + 1} repeats the code ${item.code}: each item needs its own`;
    seen.add(item.code);
  });
  return problems;
}
