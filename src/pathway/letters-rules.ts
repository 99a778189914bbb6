import type { LetterKind } from './schema.ts';

/**
 * GP letter templates (version-stamped so a stored letter says which wording it used). Placeholders in {braces}
 * are filled from the episode; an unknown placeholder is left visible rather than silently dropped.
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

/** Which episode event produces which letter. */
export const LETTER_FOR_EVENT: Partial<Record<string, LetterKind>> = { 'start-home': 'start', 'return-to-hospital': 'return', 'withdraw-consent': 'return', complete: 'completion' };

/** Fills a template's placeholders. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}
