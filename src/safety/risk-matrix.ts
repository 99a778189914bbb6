/**
 * The NHS England clinical risk matrix (spec §7.1; UK Core hazard log) used by the hazard log: consequence ×
 * likelihood → a rating from 1 (acceptable) to 5 (unacceptable). The clinical safety officer assigns the inputs.
 */
export const CONSEQUENCES = ['Minor', 'Significant', 'Considerable', 'Major', 'Catastrophic'] as const;
export const LIKELIHOODS = ['Very Low', 'Low', 'Medium', 'High', 'Very High'] as const;
export type Consequence = (typeof CONSEQUENCES)[number];
export type Likelihood = (typeof LIKELIHOODS)[number];

// Rows: likelihood Very Low → Very High; columns: consequence Minor → Catastrophic.
const MATRIX: readonly (readonly number[])[] = [
  [1, 1, 2, 2, 3],
  [1, 2, 2, 3, 4],
  [2, 2, 3, 3, 4],
  [2, 3, 3, 4, 5],
  [3, 4, 4, 5, 5],
];

export const RATING_MEANING: Record<number, string> = {
  1: 'Acceptable, no further action',
  2: 'Acceptable where the cost of further reduction outweighs the benefit',
  3: 'Undesirable: acceptable only when further reduction is impractical',
  4: 'Mandatory elimination or control to reach an acceptable level',
  5: 'Unacceptable',
};

export function riskRating(consequence: Consequence, likelihood: Likelihood): number {
  return MATRIX[LIKELIHOODS.indexOf(likelihood)]![CONSEQUENCES.indexOf(consequence)]!;
}

/** Spec rule 40: a hazard whose residual risk is 4 or more blocks release. */
export const blocksRelease = (residual: number): boolean => residual >= 4;
