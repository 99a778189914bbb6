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

/** UK postcode (BS7666 shape) or an NHS pseudo-postcode such as ZZ99 3VZ; returned upper-case with one space. */
export function normalisePostcode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/\s+/g, '');
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
