/**
 * Breast surveillance after treatment (spec §9.2, rule 44; worked example E13). Trusts differ, so the protocol is data:
 * a version names how many annual mammograms follow diagnosis and what happens after. Pure: the Personalised
 * Stratified Follow-Up context (remote monitoring) books and tracks the tests from these dates.
 */
import { addMonths, type IsoDate } from '../prescribing/dates.ts';

export interface SurveillanceProtocol {
  code: string;
  name: string;
  /**
   * 'five-years-then-to-50' (North Devon): yearly for 5 years after diagnosis; then yearly until 50 if diagnosed under
   * 50; then the NHS Breast Screening Programme. 'to-50-or-five-years' (GSTT): yearly until 50, or for 5 years if
   * diagnosed at 50 or over; then the screening programme.
   */
  rule: 'five-years-then-to-50' | 'to-50-or-five-years';
  annualYears: number;
  untilAge: number;
}

export const NORTH_DEVON: SurveillanceProtocol = { code: 'ndevon-1', name: 'Yearly for 5 years, then to 50 (North Devon)', rule: 'five-years-then-to-50', annualYears: 5, untilAge: 50 };
export const GSTT: SurveillanceProtocol = { code: 'gstt-1', name: 'Yearly until 50, or 5 years if over 50 (GSTT)', rule: 'to-50-or-five-years', annualYears: 5, untilAge: 50 };

export interface SurveillancePlan {
  mammograms: IsoDate[];
  /** What follows the last hospital mammogram. */
  then: 'NHS Breast Screening Programme (3-yearly to 73)';
}

/**
 * The mammogram dates for a patient diagnosed on `diagnosis` aged `ageAtDiagnosis` (in whole years; the nth anniversary
 * is taken as age + n, since the exact birthday is not needed for a yearly plan).
 */
export function surveillancePlan(p: SurveillanceProtocol, diagnosis: IsoDate, ageAtDiagnosis: number): SurveillancePlan {
  const years: number[] = [];
  const ageAt = (n: number) => ageAtDiagnosis + n;
  if (p.rule === 'five-years-then-to-50') {
    for (let n = 1; n <= p.annualYears || (ageAtDiagnosis < p.untilAge && ageAt(n) <= p.untilAge); n++) years.push(n);
  } else if (ageAtDiagnosis < p.untilAge) {
    for (let n = 1; ageAt(n) <= p.untilAge; n++) years.push(n);
  } else {
    for (let n = 1; n <= p.annualYears; n++) years.push(n);
  }
  return { mammograms: years.map((n) => addMonths(diagnosis, 12 * n)), then: 'NHS Breast Screening Programme (3-yearly to 73)' };
}
