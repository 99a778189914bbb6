/**
 * The UK LVEF decision table (spec §3.1, §3.3, §3.4, §3.7; rules 14, 16–19) as pure functions. Drops are absolute
 * percentage points, never relative percent (rule 17, hazard H03: the wording NICE corrected in TA107). A result can
 * suspend treatment but never resume it: resumption is a clinician's explicit order (rule 19).
 */
import { addDays, formatDate, type IsoDate } from './dates.ts';
import type { RegimenDefinition } from './regimen.ts';

/** Modalities (spec §3.6): echocardiogram or MUGA, or cardiac MRI, which the SmPC also accepts. */
export const LVEF_METHODS = { echo: 'Echocardiogram', muga: 'MUGA scan', mri: 'Cardiac MRI' } as const;
export type LvefMethod = keyof typeof LVEF_METHODS;

/** LOINC and SNOMED CT codes and UCUM unit for an LVEF observation (spec §3.6, to verify on the browsers). */
export const LVEF_CODES = { loinc: '10230-1', snomed: '250908004', unit: '%' } as const;

/** SmPC suspension rule: a drop of at least 10 points from baseline AND a value below 50 % (both needed). */
export const SUSPEND_DROP_POINTS = 10;
export const SUSPEND_BELOW_PERCENT = 50;

export interface LvefReading {
  date: IsoDate;
  percent: number;
  method: LvefMethod;
}

/** Why an LVEF value cannot be recorded, or null. */
export function lvefProblem(percent: number | null | undefined): string | null {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return 'Enter the LVEF as a percentage, for example 60';
  if (percent < 1 || percent > 100) return 'Enter an LVEF between 1 and 100%';
  return null;
}

/** Why a modality cannot be recorded, or null. */
export function methodProblem(method: string | null | undefined): string | null {
  return method && method in LVEF_METHODS ? null : 'Select echocardiogram, MUGA scan or cardiac MRI';
}

/** Informational ESC/HFA-style band (spec §3.6); it decides nothing. */
export function lvefBand(percent: number): 'preserved' | 'mildly reduced' | 'reduced' {
  return percent >= 50 ? 'preserved' : percent > 40 ? 'mildly reduced' : 'reduced';
}

/** Contraindications that, like a low baseline, block the start unless a clinician overrides (NICE TA107 §1.2, rule 14). */
export const CARDIAC_CONTRAINDICATIONS = {
  CONGESTIVE_HEART_FAILURE: 'Documented congestive heart failure',
  HIGH_RISK_ARRHYTHMIA: 'High-risk uncontrolled arrhythmia',
  ANGINA_ON_MEDICATION: 'Angina needing medication',
  VALVULAR_DISEASE: 'Clinically significant valvular disease',
  TRANSMURAL_INFARCTION: 'Transmural infarction on ECG',
  POORLY_CONTROLLED_HYPERTENSION: 'Poorly controlled hypertension',
} as const;
export type CardiacContraindication = keyof typeof CARDIAC_CONTRAINDICATIONS;

/** Something that stops a dose, and whether a documented clinician override may lift it. */
export interface CardiacBlock {
  code: 'NO_BASELINE' | 'BASELINE_LOW' | 'CONTRAINDICATION' | 'MONITORING_OVERDUE' | 'SUSPENDED' | 'AWAITING_ASSESSMENT';
  message: string;
  overridable: boolean;
}

/**
 * Decision-table rows 1–2: no baseline LVEF on or before cycle 1 blocks prescribing (request a scan; no override can
 * stand in for a missing measurement); a baseline at or below the threshold, or a listed contraindication, blocks
 * unless a clinician overrides. NICE states the 55 % rule for early breast cancer; it is applied to every trastuzumab
 * regimen here, the override covering the exceptions (ASSUMPTION, the safer reading).
 */
export function baselineBlocks(def: RegimenDefinition, baseline: LvefReading | null, cycle1Date: IsoDate, contraindications: readonly CardiacContraindication[] = []): CardiacBlock[] {
  const m = def.lvefMonitoring;
  if (!m) return [];
  const blocks: CardiacBlock[] = [];
  if (!baseline || baseline.date > cycle1Date) {
    blocks.push({ code: 'NO_BASELINE', overridable: false, message: 'There is no baseline LVEF before cycle 1: request an echocardiogram or MUGA scan' });
  } else if (baseline.percent <= m.baselineBlockAtOrBelow) {
    blocks.push({ code: 'BASELINE_LOW', overridable: true, message: `The baseline LVEF is ${baseline.percent}%, at or below ${m.baselineBlockAtOrBelow}%: treatment cannot start unless a clinician records an override` });
  }
  for (const c of contraindications) {
    blocks.push({ code: 'CONTRAINDICATION', overridable: true, message: `${CARDIAC_CONTRAINDICATIONS[c]}: treatment cannot start unless a clinician records an override` });
  }
  return blocks;
}

export type LvefAction = 'continue' | 'continue-with-warning' | 'suspend' | 'stay-suspended' | 'consider-discontinuation' | 'clinician-review';
export type LvefTask = 'repeat-lvef' | 'cardiology-referral' | 'hold-prescriptions-and-cancel-visits' | 'clinician-review';

export interface LvefAssessment {
  action: LvefAction;
  /** Baseline − current, in absolute percentage points (negative when it rose). */
  dropPoints: number;
  /** Treatment is (or stays) suspended after this result. */
  suspended: boolean;
  /** Doses stop until a clinician has reviewed this result (symptomatic heart failure). */
  reviewRequired: boolean;
  message: string;
  warnings: string[];
  tasks: LvefTask[];
  /** The repeat LVEF is due by this date after a suspension (rule 18). */
  repeatDueBy: IsoDate | null;
}

export interface LvefInput {
  baseline: LvefReading;
  current: LvefReading;
  symptomaticHeartFailure?: boolean;
  /** The reading that suspended treatment, when it is suspended now. */
  suspendedAt?: LvefReading | null;
}

/**
 * Decision-table rows 4–7 for a new reading. While suspended, a reading no better than the one that suspended ("not
 * improved, or declined further") prompts "discontinuation strongly considered"; a better one changes nothing by itself.
 * "Improved" is read literally as higher than the suspending value (the spec sets no margin).
 */
export function assessLvef(def: RegimenDefinition, input: LvefInput): LvefAssessment {
  const { baseline, current } = input;
  const dropPoints = Math.round((baseline.percent - current.percent) * 10) / 10;
  const meetsSuspension = dropPoints >= SUSPEND_DROP_POINTS && current.percent < SUSPEND_BELOW_PERCENT;
  const repeatDays = def.lvefMonitoring?.repeatAfterSuspensionDays ?? 21;
  const warnings: string[] = [];
  if (baseline.method !== current.method) warnings.push(`This LVEF was measured by ${LVEF_METHODS[current.method].toLowerCase()}, the baseline by ${LVEF_METHODS[baseline.method].toLowerCase()}: compare with care`);
  const hf = input.symptomaticHeartFailure === true;
  if (hf) warnings.push('Symptomatic heart failure: a clinician must review, and discontinuation should be strongly considered');
  const reviewTasks: LvefTask[] = hf ? ['clinician-review', 'cardiology-referral'] : [];
  const base = { dropPoints, reviewRequired: hf, warnings, repeatDueBy: null };
  const points = `${baseline.percent}% to ${current.percent}%, a drop of ${dropPoints} points`;

  if (input.suspendedAt) {
    const was = input.suspendedAt.percent;
    if (current.percent <= was) {
      return { ...base, action: 'consider-discontinuation', suspended: true, tasks: ['cardiology-referral', 'clinician-review'], message: `LVEF has not improved since the suspension (${was}% to ${current.percent}%). Discontinuation should be strongly considered; treatment stays suspended until a clinician decides` };
    }
    return { ...base, action: 'stay-suspended', suspended: true, tasks: hf ? reviewTasks : ['clinician-review'], message: `LVEF has improved since the suspension (${was}% to ${current.percent}%). Treatment stays suspended: only a clinician’s decision to resume can restart it` };
  }
  if (meetsSuspension) {
    return {
      ...base,
      action: 'suspend',
      suspended: true,
      tasks: ['hold-prescriptions-and-cancel-visits', 'repeat-lvef', 'cardiology-referral', ...(hf ? (['clinician-review'] as const) : [])],
      repeatDueBy: addDays(current.date, repeatDays),
      message: `Suspend treatment: LVEF ${points}, and below ${SUSPEND_BELOW_PERCENT}%. Repeat the LVEF by ${formatDate(addDays(current.date, repeatDays))} and refer to cardiology`,
    };
  }
  if (hf) return { ...base, action: 'clinician-review', suspended: false, tasks: reviewTasks, message: `Symptomatic heart failure with LVEF ${current.percent}%: no dose until a clinician has reviewed` };
  if (dropPoints >= SUSPEND_DROP_POINTS || current.percent < SUSPEND_BELOW_PERCENT) {
    const why = dropPoints >= SUSPEND_DROP_POINTS ? `LVEF ${points}, but not below ${SUSPEND_BELOW_PERCENT}%` : `LVEF ${current.percent}% is below ${SUSPEND_BELOW_PERCENT}%, but ${dropPoints > 0 ? `only ${dropPoints} points below` : 'not below'} baseline (${baseline.percent}%)`;
    return { ...base, action: 'continue-with-warning', suspended: false, tasks: [], message: `Continue, with clinician review: ${why}. Both are needed to suspend` };
  }
  return { ...base, action: 'continue', suspended: false, tasks: [], message: `Continue: LVEF ${current.percent}% (baseline ${baseline.percent}%)` };
}
