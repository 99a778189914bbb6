/** Pure rules for organisations and data-sharing agreements. */

export interface AgreementDates {
  startsOn: string;
  endsOn: string | null;
  endedAt: Date | null;
}

/** An agreement is in force from its start date to its end date inclusive, unless an administrator ended it. */
export function agreementActive(a: AgreementDates, today: string): boolean {
  if (a.endedAt) return false;
  if (a.startsOn > today) return false;
  return a.endsOn === null || a.endsOn >= today;
}

export type AgreementStatus = 'active' | 'not-started' | 'expired' | 'ended';

export function agreementStatus(a: AgreementDates, today: string): AgreementStatus {
  if (a.endedAt) return 'ended';
  if (a.startsOn > today) return 'not-started';
  if (a.endsOn !== null && a.endsOn < today) return 'expired';
  return 'active';
}

/** ODS codes: upper-case letters and digits (3 for a Trust, 5 for a site; up to 10 allowed for other bodies). */
export const ODS_CODE = /^[A-Z0-9]{3,10}$/;
