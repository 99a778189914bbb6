/**
 * Built-in regimen definitions. The three trastuzumab regimens carry the spec's values (§2, §3, §14); the last two are
 * ILLUSTRATIVE data-only examples showing that a body-surface-area regimen and a fixed-dose combination need no new code.
 * Their values are not in the spec and must not be used to treat anyone until a Trust pharmacist has checked them.
 */
import type { LvefMonitoring, RegimenDefinition, WeightPolicy } from './regimen.ts';

/** Rule 15 (due at 12 weeks, block release after 91 days), rule 18 (repeat within 21 days), NICE TA107 (≤ 55 % blocks). */
const TRASTUZUMAB_LVEF: LvefMonitoring = { intervalWeeks: 12, blockAfterDays: 91, dueSoonDays: 14, repeatAfterSuspensionDays: 21, baselineBlockAtOrBelow: 55 };

/** Spec §2.2: 10 % change from the last-used weight; the 7-day freshness window is an UNSOURCED Trust parameter. */
const TRUST_WEIGHT: WeightPolicy = { freshnessDays: 7, changeThresholdPercent: 10, reference: 'last-used', recalculateEveryCycle: false };

/** 150 mg vial at £407.40 list price (NICE ESNM13; spec §2.7). */
const IV_VIAL = { mg: 150, pricePence: 40_740 };

type Shared = Pick<RegimenDefinition, 'version' | 'observationMinutes' | 'observationAfterReload' | 'premedication' | 'anaphylaxisKitRequired' | 'lvefMonitoring' | 'weight' | 'rounding' | 'tolerancePercent' | 'homeSuitable' | 'validDaysAfterDue' | 'illustrative'>;

/** The trastuzumab values every definition starts from (a fresh copy each time, so no two regimens share an object). */
const common = (): Shared => ({
  version: 1,
  observationMinutes: { first: 360, subsequent: 120 },
  observationAfterReload: 'subsequent',
  premedication: [], // "Premedications are not required" [ROCHE-MI-DOSE]
  anaphylaxisKitRequired: true, // rule 11
  lvefMonitoring: { ...TRASTUZUMAB_LVEF },
  weight: { ...TRUST_WEIGHT },
  rounding: { kind: 'none' }, // trastuzumab is not known to be nationally banded (§2.6): a Trust band table is data
  tolerancePercent: 5,
  homeSuitable: true,
  validDaysAfterDue: 7,
  illustrative: false,
});

export const TRASTUZUMAB_IV_3_WEEKLY: RegimenDefinition = {
  ...common(),
  code: 'trastuzumab-iv-3-weekly',
  name: 'Trastuzumab IV, 3-weekly',
  route: 'IV',
  basis: 'weight',
  drugs: [{ drug: 'TRASTUZUMAB', loading: 8, maintenance: 6, vial: IV_VIAL }],
  cycleLengthDays: 21,
  totalCycles: 18, // early breast cancer: 1 year, at most 18 cycles (rule 12)
  courseLimitWeeks: 52,
  infusionMinutes: { first: 90, subsequent: 90, subsequentIfWellTolerated: 30 }, // rule 8
  missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 7, rebaseAfterMinorDelay: false }, // rules 5–6
  hospitalCyclesFirst: 2, // §4.2 item 2 (ASSUMPTION): the loading dose and 1 maintenance cycle in hospital
  source: 'Spec §2.1–2.4, §3, §14 rules 1–13 [SPC-IV; ROCHE-MI-DOSE; NICE-TA107]',
};

export const TRASTUZUMAB_IV_WEEKLY: RegimenDefinition = {
  ...common(),
  code: 'trastuzumab-iv-weekly',
  name: 'Trastuzumab IV, weekly',
  route: 'IV',
  basis: 'weight',
  drugs: [{ drug: 'TRASTUZUMAB', loading: 4, maintenance: 2, vial: IV_VIAL }],
  cycleLengthDays: 7,
  totalCycles: 52, // ASSUMPTION: one year of weekly doses, the same 52-week limit as rule 12
  courseLimitWeeks: 52,
  infusionMinutes: { first: 90, subsequent: 90, subsequentIfWellTolerated: 30 },
  missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 7, rebaseAfterMinorDelay: false },
  hospitalCyclesFirst: 2,
  source: 'Spec §2.1–2.4, §3, §14 rules 1–13 [SPC-IV; ROCHE-MI-DOSE; NICE-TA107]',
};

export const TRASTUZUMAB_SC_3_WEEKLY: RegimenDefinition = {
  ...common(),
  code: 'trastuzumab-sc-3-weekly',
  name: 'Trastuzumab SC 600 mg, 3-weekly',
  route: 'SC',
  basis: 'fixed',
  drugs: [{ drug: 'TRASTUZUMAB', loading: null, maintenance: 600, vial: { mg: 600, pricePence: null } }], // rule 2; price UNSOURCED
  cycleLengthDays: 21,
  totalCycles: 18,
  courseLimitWeeks: 52,
  infusionMinutes: { first: 5, subsequent: 5, subsequentIfWellTolerated: null }, // injected over 2–5 minutes
  // Observation 6 h / 2 h is UNSOURCED for SC, taken by analogy with IV (spec §2.4, §17 decision 6).
  missedDose: { kind: 'same-dose' }, // E9: 600 mg whatever the delay; next dose at least 21 days later
  hospitalCyclesFirst: 1, // ASSUMPTION: the first dose (6 h observation) in hospital
  source: 'Spec §2.1, §2.3 (SC wording UNSOURCED), §2.4, §3, §14 rule 2 [MIMS-SC; NHSUK-TRAS]',
};

/** ILLUSTRATIVE — a body-surface-area regimen (weekly paclitaxel); values are typical, not from the spec. */
export const ILLUSTRATIVE_PACLITAXEL_WEEKLY: RegimenDefinition = {
  ...common(),
  code: 'illustrative-paclitaxel-weekly',
  name: 'ILLUSTRATIVE: Paclitaxel 80 mg/m² weekly',
  route: 'IV',
  basis: 'bsa',
  drugs: [{ drug: 'PACLITAXEL', loading: null, maintenance: 80 }],
  cycleLengthDays: 7,
  totalCycles: 12,
  courseLimitWeeks: null,
  infusionMinutes: { first: 60, subsequent: 60, subsequentIfWellTolerated: null },
  observationMinutes: { first: 30, subsequent: 0 },
  premedication: ['Dexamethasone 8 mg IV', 'Chlorphenamine 10 mg IV', 'Famotidine 20 mg IV'],
  lvefMonitoring: null,
  missedDose: { kind: 'same-dose' },
  rounding: { kind: 'nearest', stepMg: 5 },
  homeSuitable: false,
  hospitalCyclesFirst: 1,
  source: 'ILLUSTRATIVE values, not from the spec: check against the Trust protocol before use',
  illustrative: true,
};

/**
 * ILLUSTRATIVE — a fixed-dose combination (pertuzumab/trastuzumab SC): loading 1200/600 mg, maintenance 600/600 mg every
 * 3 weeks, re-load when 6 weeks or more pass between doses (21 or more days late). Recalled from the product's SmPC, not
 * in the spec: verify on eMC before use.
 */
export const ILLUSTRATIVE_PERTUZUMAB_TRASTUZUMAB_SC: RegimenDefinition = {
  ...common(),
  code: 'illustrative-pertuzumab-trastuzumab-sc',
  name: 'ILLUSTRATIVE: Pertuzumab/trastuzumab SC fixed-dose, 3-weekly',
  route: 'SC',
  basis: 'fixed',
  drugs: [
    { drug: 'PERTUZUMAB', loading: 1200, maintenance: 600 },
    { drug: 'TRASTUZUMAB', loading: 600, maintenance: 600 },
  ],
  cycleLengthDays: 21,
  totalCycles: 18,
  courseLimitWeeks: 52,
  infusionMinutes: { first: 8, subsequent: 5, subsequentIfWellTolerated: null },
  observationMinutes: { first: 30, subsequent: 15 },
  missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 20, rebaseAfterMinorDelay: true },
  hospitalCyclesFirst: 1,
  source: 'ILLUSTRATIVE values recalled from the pertuzumab/trastuzumab SC SmPC, not from the spec: verify before use',
  illustrative: true,
};

/** Every built-in definition, keyed by code. */
export const REGIMEN_LIBRARY: Readonly<Record<string, RegimenDefinition>> = Object.fromEntries(
  [TRASTUZUMAB_IV_3_WEEKLY, TRASTUZUMAB_IV_WEEKLY, TRASTUZUMAB_SC_3_WEEKLY, ILLUSTRATIVE_PACLITAXEL_WEEKLY, ILLUSTRATIVE_PERTUZUMAB_TRASTUZUMAB_SC].map((r) => [r.code, r]),
);
