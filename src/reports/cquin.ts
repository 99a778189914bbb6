/**
 * CQUIN: met or not per Trust against the target in force (spec §10.1, rule 47). Pure.
 */
import { percentages, type Figures } from './rules.ts';
import type { CquinTarget } from './settings.ts';

export interface CquinResult {
  target: CquinTarget;
  offeredPercent: number | null;
  optedPercent: number | null;
  /** null when the target sets no offered figure. */
  offeredMet: boolean | null;
  optedMet: boolean;
  met: boolean;
}

/**
 * Met when every figure the target sets is reached (at least the target percentage). With no suitable patients there
 * is nothing to measure: not met, because a payment cannot rest on an empty denominator.
 */
export function cquinResult(f: Figures, target: CquinTarget): CquinResult {
  const p = percentages(f.counts);
  const reached = (value: number | null, goal: number) => value !== null && value >= goal;
  const offeredMet = target.offeredPercent === null ? null : reached(p.offeredOfSuitable, target.offeredPercent);
  const optedMet = reached(p.optedOfSuitable, target.optedPercent);
  return { target, offeredPercent: p.offeredOfSuitable, optedPercent: p.optedOfSuitable, offeredMet, optedMet, met: optedMet && offeredMet !== false };
}
