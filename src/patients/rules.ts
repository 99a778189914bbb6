/** Pure identifier rules (spec §12). */

/**
 * NHS number Modulus 11 check, in the Data Dictionary's wording: weights 10..2 on the first nine digits, remainder
 * of the sum by 11 subtracted from 11; 11 → 0; 10 → invalid. Numbers of one repeated digit are refused too.
 */
export function isValidNhsNumber(input: string): boolean {
  const digits = input.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  if (/^(\d)\1{9}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === Number(digits[9]);
}

/** Stored without spaces; shown 3-3-4 as on NHS documents. */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/\s+/g, '');
}

export function formatNhsNumber(n: string): string {
  return `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
}

/**
 * BS7666 postcode shapes with the letters each position may hold (spec §12.2, E11): the first letter never Q, V or X;
 * the second never I, J or Z; a letter after the district digit only from A–H, J, K, P, S–U, W (A9A) or A, B, E, H, M,
 * N, P, R, V–Y (AA9A); the inward letters never C, I, K, M, O or V. GIR 0AA is the one historic exception.
 */
const OUTWARD = '(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])';
const BS7666 = new RegExp(`^(?:${OUTWARD}[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA)$`);
/** NHS pseudo-postcodes (ZZ99 plus a digit and two letters: no fixed abode, not known, country of residence). */
const PSEUDO = /^ZZ99[0-9][A-Z]{2}$/;

/** UK postcode (BS7666) or an NHS pseudo-postcode such as ZZ99 3VZ; returned upper-case with one space. */
export function normalisePostcode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/\s+/g, '');
  if (!BS7666.test(compact) && !PSEUDO.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** NHS pseudo-postcodes are not real places: they are kept out of IMD linkage (spec E11). */
export const isPseudoPostcode = (postcode: string): boolean => PSEUDO.test(postcode.replace(/\s+/g, ''));
