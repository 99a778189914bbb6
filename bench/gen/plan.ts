/**
 * One patient's path through the home pathway, as days: when they were identified, assessed, offered, what they chose,
 * and for those who chose home, when treatment started and how it ended. Independent of the regimen (chosen later, so
 * the dose volume can be calibrated without changing anyone's choices) and of the rows written for it.
 *
 * The proportions follow the pilot (spec §10; src/demo/population.ts): about 92% suitable, nearly all offered, about
 * 60% of the suitable choosing home, a mix of reasons for declining, about one in ten returning to hospital.
 */
import type { DeclineReason, ReturnReason } from '../../src/pathway/episode-rules.ts';
import { type Rng, Weighted } from './random.ts';

export const DECLINE_MIX = new Weighted<DeclineReason>([
  ['PREFERS_HOSPITAL_SUPPORT', 30],
  ['WANTS_CONTACT_WITH_OTHER_PATIENTS', 14],
  ['SAFETY_CONCERN_AT_HOME', 14],
  ['HOME_PRIVACY_OR_FAMILY', 10],
  ['COMBINED_WITH_IV_CHEMO_IN_HOSPITAL', 12],
  ['HOME_ENVIRONMENT_UNSUITABLE', 6],
  ['OUT_OF_AREA', 6],
  ['CLINICALLY_UNSUITABLE', 4],
  ['OTHER', 4],
]);

export const RETURN_MIX = new Weighted<ReturnReason>([
  ['PATIENT_CHOICE', 35],
  ['CLINICAL', 22],
  ['LVEF', 14],
  ['REACTION', 10],
  ['PROVIDER_CAPACITY', 9],
  ['OTHER', 10],
]);

/** Checklist items a "not suitable" assessment most often fails on. */
export const UNMET_MIX = new Weighted<string>([
  ['PERFORMANCE_STATUS', 35],
  ['HOME_ENVIRONMENT', 25],
  ['IN_SERVICE_AREA', 15],
  ['NO_GRADE2_REACTION', 10],
  ['VENOUS_ACCESS', 10],
  ['LVEF_IN_DATE', 5],
]);

export type Ending =
  /** Still on the pathway at the anchor, or completed after the last dose. */
  | 'none'
  | 'return'
  | 'withdraw'
  | 'discontinue'
  /** The provider declined the referral: treatment continues in hospital. */
  | 'provider-decline';

export interface Plan {
  trust: number;
  unit: number;
  /** Identified (patient registered and episode opened). */
  identified: number;
  assess: number;
  suitable: boolean;
  unmet: string | null;
  /** -1 when not (yet) offered. */
  offer: number;
  /** The answers in order: an undecided patient may answer again later. */
  answers: { kind: 'accept' | 'decline' | 'undecided'; day: number; reason: DeclineReason | null }[];
  accept: number;
  /** First dose (cycle 1, in hospital), days after acceptance. */
  startOffset: number;
  referOffset: number;
  providerAnswerOffset: number;
  ending: Ending;
  /** Where in the home part of the course it ends (0–1). */
  endingAt: number;
  returnReason: ReturnReason;
  /** Random draws the regimen choice uses, so calibration can move the mix without moving anything else. */
  uRegimen: number;
  uSubcutaneous: number;
  /** A course whose scan falls behind (LVEF overdue at the anchor, doses given under a prescriber's override). */
  lvefLapse: boolean;
}

/**
 * The plan of one patient. `first` and `days` bound the identification date (the 24 months before the anchor);
 * `trustOf` maps a uniform draw to a Trust and unit (weighted by their size).
 */
export function planPatient(rng: Rng, first: number, days: number, trustOf: (u: number, v: number) => { trust: number; unit: number }): Plan {
  const where = trustOf(rng.next(), rng.next());
  // Somewhat more patients later in the window, as a service grows: 70% evenly spread, 30% rising linearly.
  const u = rng.next() < 0.7 ? rng.next() : Math.sqrt(rng.next());
  const identified = first + Math.min(days - 1, Math.floor(days * u));
  const assess = identified + rng.int(1, 6);
  const suitable = rng.next() >= 0.08;
  const plan: Plan = {
    ...where,
    identified,
    assess,
    suitable,
    unmet: suitable ? null : UNMET_MIX.draw(rng),
    offer: -1,
    answers: [],
    accept: -1,
    startOffset: rng.int(4, 10),
    referOffset: rng.int(1, 2),
    providerAnswerOffset: rng.int(1, 3),
    ending: 'none',
    endingAt: rng.next(),
    returnReason: RETURN_MIX.draw(rng),
    uRegimen: rng.next(),
    uSubcutaneous: rng.next(),
    lvefLapse: rng.next() < 0.05,
  };
  if (!suitable) return plan;
  // A few suitable patients are never offered (the CQUIN offered target is 100%, so not many).
  if (rng.next() < 0.025) return plan;
  plan.offer = assess + rng.int(1, 5);
  let day = plan.offer + rng.int(2, 12);
  const choice = rng.next();
  if (choice < 0.62) plan.answers.push({ kind: 'accept', day, reason: null });
  else if (choice < 0.9) plan.answers.push({ kind: 'decline', day, reason: DECLINE_MIX.draw(rng) });
  else {
    plan.answers.push({ kind: 'undecided', day, reason: null });
    day += rng.int(7, 21);
    const second = rng.next();
    if (second < 0.45) plan.answers.push({ kind: 'accept', day, reason: null });
    else if (second < 0.85) plan.answers.push({ kind: 'decline', day, reason: DECLINE_MIX.draw(rng) });
  }
  const accepted = plan.answers.find((a) => a.kind === 'accept');
  if (!accepted) return plan;
  plan.accept = accepted.day;
  const e = rng.next();
  plan.ending = e < 0.085 ? 'return' : e < 0.105 ? 'withdraw' : e < 0.115 ? 'discontinue' : e < 0.125 ? 'provider-decline' : 'none';
  return plan;
}
