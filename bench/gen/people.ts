/**
 * Patient identity and registry details: valid NHS numbers (Modulus 11, from the 999 range kept for testing), names,
 * dates of birth, addresses with well-formed postcodes, GP practice, ethnic category, IMD decile and diagnosis.
 */
import { withCheckDigit } from '../../src/demo/patients.ts';
import { iso } from './dates.ts';
import { CONSULTANTS, FAMILY, GIVEN_FEMALE, GIVEN_MALE, INWARD_LETTERS, POSTCODE_AREAS, STREETS } from './names.ts';
import { mix32, type Rng, Weighted } from './random.ts';

/**
 * NHS numbers 999 000 000x to 999 999 999x, walked in a seed-dependent order (a stride coprime with 10^6 visits each
 * stem once) and skipping the stems that have no check digit: about 909,000 distinct valid numbers.
 */
export class NhsNumbers {
  private j = 0;
  private readonly offset: number;
  constructor(seed: number) {
    this.offset = mix32(seed ^ 0xa11ce) % 1_000_000;
  }
  next(): string {
    for (;;) {
      if (this.j >= 1_000_000) throw new Error('Ran out of test-range NHS numbers (at most about 909,000 patients)');
      const stem = 999_000_000 + ((this.j++ * 7919 + this.offset) % 1_000_000);
      const n = withCheckDigit(String(stem));
      if (n) return n;
    }
  }
}

/** England's ethnic categories, roughly in proportion (NHS Data Dictionary letters; Z not stated). */
const ETHNIC = new Weighted<string | null>([
  ['A', 74], ['B', 1], ['C', 5], ['D', 0.5], ['E', 0.4], ['F', 0.6], ['G', 0.5], ['H', 3], ['J', 2.5], ['K', 1], ['L', 1.5],
  ['M', 1], ['N', 2], ['P', 0.5], ['R', 0.6], ['S', 1.5], ['Z', 3], [null, 2],
]);

const DIAGNOSES = new Weighted<string>([['C50.9', 50], ['C50.4', 15], ['C50.8', 10], ['C50.2', 8], ['C50.1', 7], ['C16.9', 5], ['C50.5', 5]]);

export interface Person {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'female' | 'male';
  postcode: string;
  addressLine1: string;
  town: string;
  phone: string;
  gpPracticeCode: string;
  gpPracticeName: string;
  ethnicCategory: string | null;
  imdDecile: number | null;
  diagnosisCode: string;
  consultant: string;
}

/** A patient of the Trust numbered `trust` (its area and town), first seen on `identified`. */
export function person(rng: Rng, nhs: NhsNumbers, trust: number, town: string, identified: number): Person {
  const diagnosisCode = DIAGNOSES.draw(rng);
  // HER2-positive breast cancer: nearly all women; gastric cancer (C16) more often men.
  const sex = rng.next() < (diagnosisCode.startsWith('C16') ? 0.3 : 0.99) ? 'female' : 'male';
  const age = Math.max(26, Math.min(92, Math.round(rng.normal(59, 12))));
  const dob = identified - age * 365 - rng.int(0, 364);
  const area = POSTCODE_AREAS[trust % POSTCODE_AREAS.length]!;
  const letter = () => INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]!;
  const practice = rng.int(1, 40);
  return {
    nhsNumber: nhs.next(),
    givenName: sex === 'female' ? rng.pick(GIVEN_FEMALE) : rng.pick(GIVEN_MALE),
    familyName: rng.pick(FAMILY),
    dateOfBirth: iso(dob),
    sex,
    postcode: `${area}${rng.int(1, 29)} ${rng.int(1, 9)}${letter()}${letter()}`,
    addressLine1: `${rng.int(1, 240)} ${rng.pick(STREETS)}`,
    town,
    phone: `07${rng.int(100, 999)} ${rng.int(100000, 999999)}`,
    gpPracticeCode: `${String.fromCharCode(65 + (trust % 26))}${String(80000 + trust * 50 + practice).slice(-5)}`,
    gpPracticeName: `${town} ${['Medical Centre', 'Surgery', 'Health Centre', 'Family Practice'][practice % 4]!}`,
    ethnicCategory: ETHNIC.draw(rng),
    imdDecile: rng.next() < 0.04 ? null : rng.int(1, 10),
    diagnosisCode,
    consultant: rng.pick(CONSULTANTS),
  };
}
