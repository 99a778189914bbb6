/**
 * Whole-vial counts, wastage and course cost (spec §2.7, §5.3, §5.4, E8). Money is whole pence so that 55 vials at
 * £407.40 is exactly £22,407.00, never £22,406.999….
 */

export interface VialUse {
  vials: number;
  issuedMg: number;
  wastedMg: number;
}

/** Whole vials needed for one dose with no vial sharing; wastage = vials × vial size − dose (spec §5.4). */
export function vialsForDose(doseMg: number, vialMg: number): VialUse {
  // The tolerance stops a dose of exactly 3 vials (450 mg), stored as 450.00000001, asking for a 4th.
  const vials = Math.ceil(doseMg / vialMg - 1e-9);
  const issuedMg = vials * vialMg;
  return { vials, issuedMg, wastedMg: Math.round((issuedMg - doseMg) * 10) / 10 };
}

export interface CourseCost {
  vials: number;
  givenMg: number;
  issuedMg: number;
  wastedMg: number;
  costPence: number;
  /** The cost of the mg thrown away, at the vial's price per mg. */
  wastedCostPence: number;
  /** VAT at `vatPercent` on the drug cost: what a hospital would pay and a zero-rated homecare supply avoids (ASSUMPTION, §5.3). */
  vatPence: number;
  grossPence: number;
}

/** Vials, wastage and cost of a list of doses, each dispensed in whole vials of one size. */
export function courseCost(dosesMg: readonly number[], vial: { mg: number; pricePence: number }, vatPercent = 0): CourseCost {
  let vials = 0;
  let givenMg = 0;
  for (const dose of dosesMg) {
    vials += vialsForDose(dose, vial.mg).vials;
    givenMg += dose;
  }
  const issuedMg = vials * vial.mg;
  const wastedMg = Math.round((issuedMg - givenMg) * 10) / 10;
  const costPence = vials * vial.pricePence;
  const vatPence = Math.round((costPence * vatPercent) / 100);
  return { vials, givenMg, issuedMg, wastedMg, costPence, wastedCostPence: Math.round((wastedMg * vial.pricePence) / vial.mg), vatPence, grossPence: costPence + vatPence };
}

/** Pence as pounds the way NHS finance writes them: 2240700 → "£22,407.00". */
export function formatPounds(pence: number): string {
  return `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
