/**
 * When LVEF is due (spec §3.2; rules 15 and 20): a baseline before cycle 1, then every N weeks during treatment, then
 * 6-monthly to 24 months after the last dose (yearly to 5 years after anthracyclines). The status for a date is what
 * the dose gate reads. "3 months" is encoded as due at 12 weeks and release blocked after 91 days (rule 15, §3.2).
 */
import { addDays, addMonths, daysBetween, formatDate, type IsoDate } from './dates.ts';
import type { RegimenDefinition } from './regimen.ts';

export type MonitoringState = 'not-monitored' | 'no-assessment' | 'in-date' | 'due-soon' | 'due' | 'overdue';

export interface MonitoringStatus {
  state: MonitoringState;
  lastDate: IsoDate | null;
  dueDate: IsoDate | null;
  /** The last day a dose may still be released on this assessment. */
  releaseUntil: IsoDate | null;
  /** Release to the provider and administration are blocked (decision-table row 3). */
  blocksRelease: boolean;
  message: string;
}

/** The LVEF monitoring status on `onDate` (normally the planned dose date) given the last assessment before it. */
export function lvefMonitoringStatus(def: RegimenDefinition, lastAssessment: IsoDate | null, onDate: IsoDate): MonitoringStatus {
  const m = def.lvefMonitoring;
  if (!m) return { state: 'not-monitored', lastDate: null, dueDate: null, releaseUntil: null, blocksRelease: false, message: 'This regimen needs no LVEF monitoring' };
  if (!lastAssessment || lastAssessment > onDate) {
    return { state: 'no-assessment', lastDate: null, dueDate: null, releaseUntil: null, blocksRelease: true, message: 'There is no LVEF assessment on record before this date: request an echocardiogram or MUGA scan' };
  }
  const age = daysBetween(lastAssessment, onDate);
  const dueDate = addDays(lastAssessment, m.intervalWeeks * 7);
  const releaseUntil = addDays(lastAssessment, m.blockAfterDays);
  const at = { lastDate: lastAssessment, dueDate, releaseUntil };
  if (age > m.blockAfterDays) {
    return { ...at, state: 'overdue', blocksRelease: true, message: `Cardiac monitoring overdue: the last LVEF was on ${formatDate(lastAssessment)}, ${age} days before. Book an echocardiogram or MUGA scan` };
  }
  if (age >= m.intervalWeeks * 7) {
    return { ...at, state: 'due', blocksRelease: false, message: `LVEF due since ${formatDate(dueDate)}: doses cannot be released after ${formatDate(releaseUntil)} without a new one` };
  }
  if (age >= m.intervalWeeks * 7 - m.dueSoonDays) return { ...at, state: 'due-soon', blocksRelease: false, message: `LVEF due on ${formatDate(dueDate)}` };
  return { ...at, state: 'in-date', blocksRelease: false, message: `LVEF in date: next due on ${formatDate(dueDate)}` };
}

export interface PlannedLvef {
  kind: 'baseline' | 'on-treatment' | 'after-treatment';
  /** The assessment is due on or before this date. */
  dueBy: IsoDate;
}

/** The planned on-treatment assessments: a baseline by cycle 1, then every interval from cycle 1 up to the last cycle. */
export function plannedLvefDates(def: RegimenDefinition, cycle1Date: IsoDate, lastCycleDate: IsoDate): PlannedLvef[] {
  const m = def.lvefMonitoring;
  if (!m) return [];
  const plan: PlannedLvef[] = [{ kind: 'baseline', dueBy: cycle1Date }];
  for (let d = addDays(cycle1Date, m.intervalWeeks * 7); d <= lastCycleDate; d = addDays(d, m.intervalWeeks * 7)) plan.push({ kind: 'on-treatment', dueBy: d });
  return plan;
}

/** After the last dose (rule 20): every 6 months to 24 months; with prior anthracyclines, then yearly to 5 years. */
export function afterTreatmentLvefDates(lastDoseDate: IsoDate, priorAnthracycline: boolean): PlannedLvef[] {
  const months = priorAnthracycline ? [6, 12, 18, 24, 36, 48, 60] : [6, 12, 18, 24];
  return months.map((n) => ({ kind: 'after-treatment', dueBy: addMonths(lastDoseDate, n) }));
}
