import { formatNhsNumber } from '../patients/rules.ts';
import type { LetterKind } from './schema.ts';

/**
 * The built-in GP letter templates: version 0 of each kind, in force until an administrator saves a version.
 * `version` is the label stamped on letters written from them; it stays as it was before templates became
 * editable, so letters already stored keep naming the wording they used. Placeholders in {braces} are filled from
 * the episode; an unknown placeholder is left visible rather than silently dropped.
 */
export const LETTER_TEMPLATES: Record<LetterKind, { version: string; subject: string; body: string }> = {
  start: {
    version: 'GP-START-1',
    subject: 'Start of home treatment',
    body: 'Dear Doctor,\n\nRe: {patientName}, NHS number {nhsNumber}, date of birth {dateOfBirth}\n\n{patientName} has chosen to receive {regimen} at home, given by {providerName} nurses on behalf of {trustName}. Treatment at home started on {date}. The patient can return to hospital treatment at any time.\n\nYours sincerely,\n{signedBy}\n{trustName}',
  },
  return: {
    version: 'GP-RETURN-1',
    subject: 'Return to hospital treatment',
    body: 'Dear Doctor,\n\nRe: {patientName}, NHS number {nhsNumber}, date of birth {dateOfBirth}\n\n{patientName} has returned from home treatment to treatment in hospital at {trustName} on {date}. Reason: {reason}.{note}\n\nYours sincerely,\n{signedBy}\n{trustName}',
  },
  completion: {
    version: 'GP-COMPLETE-1',
    subject: 'Completion of home treatment',
    body: 'Dear Doctor,\n\nRe: {patientName}, NHS number {nhsNumber}, date of birth {dateOfBirth}\n\n{patientName} completed {regimen} on {date}. Follow-up continues with {trustName}.\n\nYours sincerely,\n{signedBy}\n{trustName}',
  },
};

export const LETTER_KIND_LABELS: Record<LetterKind, string> = {
  start: 'Start of home treatment',
  return: 'Return to hospital treatment',
  completion: 'Completion of home treatment',
};

/**
 * The label a letter stores for the template version it used. Saved version n is labelled n + 1 because the
 * built-in default (version 0) has always been labelled 1: no two wordings ever share a label.
 */
export function templateVersionLabel(kind: LetterKind, version: number): string {
  return `${LETTER_TEMPLATES[kind].version.replace(/-\d+$/, '')}-${version + 1}`;
}

/** Every placeholder a template may use, with what it is filled with (shown to the administrator). */
export const LETTER_PLACEHOLDERS = {
  patientName: 'The patient’s given and family name',
  nhsNumber: 'The patient’s NHS number, for example 999 123 4567',
  dateOfBirth: 'The patient’s date of birth, for example 14 March 1962',
  regimen: 'The treatment, for example Trastuzumab SC 600 mg, 3-weekly',
  providerName: 'The home-care provider giving treatment at home',
  trustName: 'The NHS Trust writing the letter',
  date: 'The date the letter was written',
  reason: 'Why the patient returned to hospital (return letters; “not recorded” otherwise)',
  note: 'The nurse’s note about the return, if any, after a space (empty when there is none)',
  signedBy: 'The name of the person who recorded the event',
  gpPracticeName: 'The patient’s GP practice, for example Riverside Surgery (“your practice” when not recorded)',
  gpAddressee: 'Who the letter is to, for example The GP, Riverside Surgery (B81001)',
} as const;
export type LetterPlaceholder = keyof typeof LETTER_PLACEHOLDERS;

export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

/** Which episode event produces which letter. */
export const LETTER_FOR_EVENT: Partial<Record<string, LetterKind>> = { 'start-home': 'start', 'return-to-hospital': 'return', 'withdraw-consent': 'return', complete: 'completion' };

/** Fills a template's placeholders. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}

const known = (name: string): name is LetterPlaceholder => Object.hasOwn(LETTER_PLACEHOLDERS, name);
const placeholderList = () =>
  Object.keys(LETTER_PLACEHOLDERS)
    .map((p) => `{${p}}`)
    .join(', ');

/**
 * The first problem with the braces and placeholders of a piece of template text, if any. A brace that does not
 * make a known placeholder would otherwise reach the GP as literal text, so it is refused when the template is
 * saved rather than discovered in a letter.
 */
function placeholderProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '}') return 'Remove the } that has no { before it, or add the missing {';
    if (text[i] !== '{') continue;
    const close = text.indexOf('}', i + 1);
    const nextOpen = text.indexOf('{', i + 1);
    const lineEnd = text.indexOf('\n', i + 1);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close) || (lineEnd !== -1 && lineEnd < close)) {
      const start = text.slice(i, i + 20).split('\n')[0]!;
      return `Close the brace after ${start}: a placeholder is a name in braces, for example {patientName}`;
    }
    const name = text.slice(i + 1, close);
    if (!known(name)) return `Remove {${name}}: it is not a placeholder. You can use ${placeholderList()}`;
    i = close;
  }
  return undefined;
}

/** Template text as stored: line endings as a browser's textarea or Windows sends them become plain newlines. */
export function normaliseTemplateText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/**
 * Field messages for a template an administrator wants to save (empty when it may be saved). A letter that does
 * not identify the patient could be filed against the wrong record at the practice, so the body must use both
 * {patientName} and {nhsNumber}.
 */
export function templateProblems(subject: string, body: string): Record<string, string> {
  const problems: Record<string, string> = {};
  const s = normaliseTemplateText(subject);
  const b = normaliseTemplateText(body);
  if (!s) problems.subject = 'Enter the subject';
  else if (s.length > SUBJECT_MAX) problems.subject = `The subject must be ${SUBJECT_MAX} characters or fewer`;
  else if (s.includes('\n')) problems.subject = 'Write the subject on one line';
  else {
    const p = placeholderProblem(s);
    if (p) problems.subject = p;
  }
  if (!b) problems.body = 'Enter the letter text';
  else if (b.length > BODY_MAX) problems.body = `The letter text must be ${BODY_MAX.toLocaleString('en-GB')} characters or fewer`;
  else {
    const p = placeholderProblem(b);
    if (p) problems.body = p;
    else if (!b.includes('{patientName}') || !b.includes('{nhsNumber}')) problems.body = 'The letter must name the patient: include {patientName} and {nhsNumber}';
  }
  return problems;
}

/**
 * Who a letter is to, from the patient's registered GP practice. Said plainly when not recorded, so the Trust's
 * outgoing post can see the letter still needs an address rather than sending it nowhere.
 */
export function gpAddressee(practice: { name: string | null; code: string | null }): string {
  const name = practice.name?.trim();
  const code = practice.code?.trim();
  if (name) return `The GP, ${name}${code ? ` (${code})` : ''}`;
  if (code) return `The GP, practice ${code}`;
  return 'The patient’s GP (practice not recorded)';
}

/** The lines that open every letter, before the subject: addressee, then date. Not editable by templates. */
export function letterHeading(addressee: string, date: string): string[] {
  return [`To: ${addressee}`, date];
}

/** What a letter is filled from: the episode's patient, Trust, provider and event. */
export interface LetterFacts {
  givenName: string;
  familyName: string;
  /** Ten digits, unformatted. */
  nhsNumber: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  gpPracticeName: string | null;
  gpPracticeCode: string | null;
  regimen: string;
  providerName: string | null;
  trustName: string;
  now: Date;
  reason?: string | null;
  note?: string | null;
  signedBy: string;
}

const longDate = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(d);

/** The value of every placeholder for one letter. */
export function letterValues(f: LetterFacts): Record<LetterPlaceholder, string> {
  return {
    patientName: `${f.givenName} ${f.familyName}`,
    nhsNumber: formatNhsNumber(f.nhsNumber),
    // A date of birth is a calendar date, not an instant: formatted in UTC so no zone can move it a day.
    dateOfBirth: longDate(new Date(`${f.dateOfBirth}T00:00:00Z`), 'UTC'),
    regimen: f.regimen,
    providerName: f.providerName ?? 'the home-care provider',
    trustName: f.trustName,
    date: longDate(f.now, 'Europe/London'),
    reason: f.reason ?? 'not recorded',
    note: f.note ? ` ${f.note}` : '',
    signedBy: f.signedBy,
    gpPracticeName: f.gpPracticeName?.trim() || 'your practice',
    gpAddressee: gpAddressee({ name: f.gpPracticeName, code: f.gpPracticeCode }),
  };
}

/** A letter as written: the fixed heading (addressee, date), the filled subject and body, and the text stored. */
export function composeLetter(template: { subject: string; body: string }, facts: LetterFacts) {
  const values = letterValues(facts);
  const heading = letterHeading(values.gpAddressee, values.date);
  const subject = fillTemplate(template.subject, values);
  const body = fillTemplate(template.body, values);
  return { heading, subject, body, text: [...heading, '', subject, '', body].join('\n') };
}

/** A fictional patient, for showing an administrator what a template produces. Not a real NHS number (999 range). */
export function sampleLetterFacts(now: Date, signedBy: string): LetterFacts {
  return {
    givenName: 'Alex',
    familyName: 'Sample',
    nhsNumber: '9991234567',
    dateOfBirth: '1962-03-14',
    gpPracticeName: 'Riverside Surgery',
    gpPracticeCode: 'B81001',
    regimen: 'Trastuzumab SC 600 mg, 3-weekly',
    providerName: 'Example Home Healthcare',
    trustName: 'Example NHS Foundation Trust',
    now,
    reason: 'Clinical reason',
    note: 'Needs closer review.',
    signedBy,
  };
}
