/**
 * Dose calculation (spec §2.2, §2.6; rules 2–4, 8, 10, 13). Pure: the prescribing service passes the regimen and the
 * patient's measurements, and stores the working (`working`) with the prescription so a checker can see how the dose arose.
 */
import { daysBetween, formatDate, type IsoDate } from './dates.ts';
import { DOSE_UNITS, type RegimenDefinition, type RoundingRule, type WeightPolicy } from './regimen.ts';

/**
 * Plausible entries, to catch a slip of the keyboard (0 or 500 kg). These are NOT dose caps: the dose uses actual body
 * weight with no upper or lower limit (rule 3). The range itself is an ASSUMPTION for adults (trastuzumab is not for
 * under-18s, spec §2.2).
 */
export const WEIGHT_LIMITS_KG = { min: 20, max: 300 } as const;
export const HEIGHT_LIMITS_CM = { min: 100, max: 250 } as const;

/** Why a weight cannot be used, or null when it can. */
export function weightProblem(kg: number | null | undefined): string | null {
  if (kg === null || kg === undefined || !Number.isFinite(kg)) return 'Enter a weight in kilograms';
  if (kg < WEIGHT_LIMITS_KG.min || kg > WEIGHT_LIMITS_KG.max) return `Enter a weight between ${WEIGHT_LIMITS_KG.min} and ${WEIGHT_LIMITS_KG.max} kg`;
  return null;
}

/** Why a height cannot be used, or null when it can. */
export function heightProblem(cm: number | null | undefined): string | null {
  if (cm === null || cm === undefined || !Number.isFinite(cm)) return 'Enter a height in centimetres';
  if (cm < HEIGHT_LIMITS_CM.min || cm > HEIGHT_LIMITS_CM.max) return `Enter a height between ${HEIGHT_LIMITS_CM.min} and ${HEIGHT_LIMITS_CM.max} cm`;
  return null;
}

/** Half away from zero, with a hair of tolerance so binary fractions (420.5999…) land where a calculator would. */
const round = (n: number, dp: number) => (Math.sign(n) * Math.round(Math.abs(n) * 10 ** dp + 1e-7)) / 10 ** dp + 0; // + 0 turns -0 into 0

/** Body surface area by Mosteller, √(height cm × weight kg / 3600), in m² to 2 decimal places (the dose uses this value). */
export function mostellerBsa(heightCm: number, weightKg: number): number {
  return round(Math.sqrt((heightCm * weightKg) / 3600), 2);
}

/** Why a weight may not be used for a dose on `doseDate`, or null. Fixed doses use no weight, so never refuse. */
export function weightFreshnessProblem(def: RegimenDefinition, weighedOn: IsoDate, doseDate: IsoDate): string | null {
  if (def.basis === 'fixed') return null;
  const age = daysBetween(weighedOn, doseDate);
  if (age < 0) return `The weight is dated ${formatDate(weighedOn)}, after the dose date of ${formatDate(doseDate)}. Use a weight taken on or before the dose date`;
  if (age > def.weight.freshnessDays) {
    return `The weight was taken on ${formatDate(weighedOn)}, ${age} days before the dose on ${formatDate(doseDate)}. Record a weight taken no more than ${def.weight.freshnessDays} days before the dose`;
  }
  return null;
}

/** The weight a change is measured from: the baseline, or the weight the last dose was calculated on (spec §2.2). */
export function referenceWeightKg(policy: WeightPolicy, weights: { baselineKg: number; lastUsedKg: number | null }): number {
  return policy.reference === 'baseline' || weights.lastUsedKg === null ? weights.baselineKg : weights.lastUsedKg;
}

export interface WeightBasis {
  /** The weight to calculate the dose on. */
  basisKg: number;
  /** Signed change from the reference, in % to 1 decimal place. */
  changePercent: number;
  thresholdReached: boolean;
  /** The dose changes, so the prescription must be recalculated and signed again. */
  resignRequired: boolean;
  reason: string | null;
}

/**
 * Which weight the dose is calculated on (rule 4, E7): the reference weight stands until the current weight differs from
 * it by the threshold or more (inclusive, in either direction); then the current weight, and the dose must be re-signed.
 * A Trust that recalculates every cycle always uses the current weight.
 */
export function weightForDose(policy: WeightPolicy, referenceKg: number, currentKg: number): WeightBasis {
  const diff = currentKg - referenceKg;
  // Compared as |Δ| × 100 ≥ threshold × reference so that exactly 10 % (70 → 63 kg) is not lost to rounding.
  const thresholdReached = Math.abs(diff) * 100 >= policy.changeThresholdPercent * referenceKg - 1e-9;
  const basisKg = thresholdReached || policy.recalculateEveryCycle ? currentKg : referenceKg;
  const changePercent = round((diff / referenceKg) * 100, 1);
  const resignRequired = basisKg !== referenceKg;
  const signed = `${changePercent > 0 ? '+' : ''}${changePercent.toFixed(1)}%`;
  const reason = resignRequired
    ? `The weight has changed by ${signed} since the dose was last calculated (${referenceKg} kg to ${currentKg} kg): recalculate the dose and sign the prescription again`
    : null;
  return { basisKg, changePercent, thresholdReached, resignRequired, reason };
}

/** How far a dose is from the calculated one, and whether that is within the tolerance (rule 13). */
export function doseVariance(calculatedMg: number, doseMg: number, tolerancePercent: number): { variancePercent: number; withinTolerance: boolean } {
  const variancePercent = round(((doseMg - calculatedMg) / calculatedMg) * 100, 1);
  return { variancePercent, withinTolerance: Math.abs(doseMg - calculatedMg) * 100 <= tolerancePercent * calculatedMg + 1e-9 };
}

/** The prescribed dose for a calculated one under the regimen's rounding rule, or null when no band covers it. */
export function roundDose(rule: RoundingRule, calculatedMg: number): number | null {
  switch (rule.kind) {
    case 'none':
      return round(calculatedMg, 1);
    case 'nearest':
      return round(Math.round(calculatedMg / rule.stepMg + 1e-9) * rule.stepMg, 1);
    case 'bands':
      return rule.bands.find((b) => calculatedMg >= b.fromMg && calculatedMg < b.toMg)?.doseMg ?? null;
  }
}

export type DosePhase = 'loading' | 'maintenance';

export interface DrugDoseResult {
  drug: string;
  calculatedMg: number;
  doseMg: number;
  variancePercent: number;
  /** How the dose was worked out, e.g. "8 mg/kg × 70 kg = 560 mg". */
  working: string;
}

export type DoseResult = { ok: true; phase: DosePhase; bsaM2: number | null; doses: DrugDoseResult[] } | { ok: false; problems: Record<string, string> };

/**
 * The dose of each drug for a loading or maintenance dose. A loading dose of a regimen (or drug) without one is the
 * maintenance dose. Refuses with problems keyed by field when a measurement is missing or implausible, when no band
 * covers the dose, or when rounding would move it outside the tolerance.
 */
export function calculateDose(def: RegimenDefinition, phase: DosePhase, m: { weightKg?: number; heightCm?: number } = {}): DoseResult {
  const problems: Record<string, string> = {};
  if (def.basis !== 'fixed') {
    const w = weightProblem(m.weightKg);
    if (w) problems.weight = w;
  }
  if (def.basis === 'bsa') {
    const h = heightProblem(m.heightCm);
    if (h) problems.height = h;
  }
  if (Object.keys(problems).length) return { ok: false, problems };
  const weightKg = m.weightKg ?? 0;
  const bsaM2 = def.basis === 'bsa' ? mostellerBsa(m.heightCm ?? 0, weightKg) : null;
  const unit = DOSE_UNITS[def.basis];
  const doses: DrugDoseResult[] = [];
  def.drugs.forEach((d, i) => {
    const amount = phase === 'loading' && d.loading !== null ? d.loading : d.maintenance;
    const factor = def.basis === 'weight' ? weightKg : def.basis === 'bsa' ? (bsaM2 ?? 0) : 1;
    const calculatedMg = round(amount * factor, 1);
    const doseMg = roundDose(def.rounding, calculatedMg);
    if (doseMg === null) {
      problems[`drugs.${i}`] = `No dose band covers the calculated ${d.drug.toLowerCase()} dose of ${calculatedMg} mg: ask pharmacy to check the band table`;
      return;
    }
    const v = doseVariance(calculatedMg, doseMg, def.tolerancePercent);
    if (!v.withinTolerance) {
      problems[`drugs.${i}`] = `Rounding the ${d.drug.toLowerCase()} dose from ${calculatedMg} mg to ${doseMg} mg changes it by ${v.variancePercent}%, more than the ${def.tolerancePercent}% allowed`;
      return;
    }
    const basis = def.basis === 'weight' ? ` × ${weightKg} kg` : def.basis === 'bsa' ? ` × ${bsaM2} m²` : '';
    const rounded = doseMg === calculatedMg ? '' : `, rounded to ${doseMg} mg`;
    doses.push({ drug: d.drug, calculatedMg, doseMg, variancePercent: v.variancePercent, working: `${amount} ${unit}${basis} = ${calculatedMg} mg${rounded}` });
  });
  return Object.keys(problems).length ? { ok: false, problems } : { ok: true, phase, bsaM2, doses };
}

/**
 * Infusion and observation times for a dose (rules 8 and 10). A loading or re-loading dose takes the first-dose infusion
 * time; the shorter maintenance infusion only follows a well-tolerated dose; a re-loading dose gets the observation
 * period the regimen sets for it (E1: "subsequent" unless Trust policy says otherwise).
 */
export function administrationTimes(def: RegimenDefinition, dose: { firstDose: boolean; reload: boolean; previousWellTolerated: boolean }): { infusionMinutes: number; observationMinutes: number } {
  const i = def.infusionMinutes;
  const infusionMinutes = dose.firstDose || dose.reload ? i.first : dose.previousWellTolerated && i.subsequentIfWellTolerated !== null ? i.subsequentIfWellTolerated : i.subsequent;
  const firstObservation = dose.firstDose || (dose.reload && def.observationAfterReload === 'first');
  return { infusionMinutes, observationMinutes: firstObservation ? def.observationMinutes.first : def.observationMinutes.subsequent };
}
