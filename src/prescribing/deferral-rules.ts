/**
 * Deferral (spec §6.3, rules 7, 26–28): the control for hazard H01, a maintenance dose given when a re-load was needed
 * because a cycle was moved but its prescription was not. A deferral is an event with who, when, a reason and a new
 * date — never an edit of the date field — and it is judged against the cycle's ORIGINAL due date every time, however
 * many times the cycle has been moved.
 */
import { formatDate, isIsoDate, type IsoDate } from './dates.ts';
import type { RegimenDefinition } from './regimen.ts';
import { lateDose, type DoseKind, type LateDoseOutcome } from './schedule-rules.ts';

/** Reasons a cycle is deferred (spec §6.2 "cardiac suspension, toxicity, patient request"); SACT delay codes are UNSOURCED. */
export const DEFERRAL_REASONS = {
  CARDIAC_SUSPENSION: 'Cardiac suspension (LVEF)',
  TOXICITY: 'Toxicity',
  PATIENT_REQUEST: 'Patient request',
  OTHER: 'Other',
} as const;
export type DeferralReason = keyof typeof DEFERRAL_REASONS;

export interface DeferralRequest {
  cycle: number;
  /** The due date the schedule gave this cycle, before any deferral. */
  originalDueDate: IsoDate;
  /** What the schedule planned for this cycle (loading or maintenance). */
  plannedKind: DoseKind;
  /** What the cycle's current prescription is for. */
  prescribedKind: DoseKind;
  /** The last day the current prescription may be given (spec §5.1: due date + 7 days by default). */
  validTo: IsoDate;
  newDate: IsoDate;
  reason: DeferralReason;
}

export type DeferralOutcome =
  | {
      ok: true;
      /** Always true: the prescription goes on hold at once, and visits and deliveries are re-planned with it (§6.3.2). */
      holdNow: true;
      /** What happens to the held prescription once the new date is set (§6.3.3, rule 28). */
      then: 'resume-on-new-date' | 'cancel-and-prescribe-again';
      reasons: string[];
      /** Unchanged: a deferral never increments the cycle number (rule 27). */
      cycle: number;
      dose: LateDoseOutcome;
    }
  | { ok: false; problems: Record<string, string> };

/**
 * The outcome of deferring a cycle to a new date: hold now; then either resume the same prescription on the new date,
 * or cancel it and require a new one signed and verified, when the dose type changes (maintenance → re-load) or the new
 * date is past the prescription's validity.
 */
export function deferralOutcome(def: RegimenDefinition, d: DeferralRequest): DeferralOutcome {
  const problems: Record<string, string> = {};
  if (!isIsoDate(d.newDate)) problems.newDate = 'Enter the new date as a real date, for example 2026-03-10';
  else if (d.newDate <= d.originalDueDate) problems.newDate = `The new date must be after the original due date of ${formatDate(d.originalDueDate)}`;
  if (!(d.reason in DEFERRAL_REASONS)) problems.reason = 'Select a reason for the deferral';
  if (Object.keys(problems).length) return { ok: false, problems };
  const dose = lateDose(def, d.plannedKind, d.originalDueDate, d.newDate);
  const reasons: string[] = [];
  if (dose.kind !== d.prescribedKind) {
    reasons.push(`The dose changes from ${describe(d.prescribedKind)} to ${describe(dose.kind)}: the nurse cannot change it, so a new prescription must be signed and verified`);
  }
  if (d.newDate > d.validTo) reasons.push(`The new date is after the prescription’s last valid day, ${formatDate(d.validTo)}: prescribe the cycle again`);
  return { ok: true, holdNow: true, then: reasons.length ? 'cancel-and-prescribe-again' : 'resume-on-new-date', reasons, cycle: d.cycle, dose };
}

const describe = (k: DoseKind) => (k === 'reload' ? 'a re-loading dose' : `a ${k} dose`);
