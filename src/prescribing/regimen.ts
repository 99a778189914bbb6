/**
 * A regimen is data, not code (spec §1.3): everything the dose, schedule, missed-dose and LVEF rules need to know
 * about one regimen lives in a `RegimenDefinition`, so a new regimen is a new record (checked by `validateRegimen`)
 * and never a new branch in the rules. The built-in definitions are in regimen-library.ts.
 */

export type Route = 'IV' | 'SC';

/** SACT Drug Route of Administration codes (spec §14 rule 36). */
export const SACT_ROUTE_CODES: Record<Route, string> = { IV: '01', SC: '05' };

/** How a dose is worked out: mg per kg of actual body weight, mg per m² of body surface area (Mosteller), or fixed mg. */
export type DoseBasis = 'weight' | 'bsa' | 'fixed';

/** The unit a drug's `loading` and `maintenance` amounts are written in, for each basis. */
export const DOSE_UNITS: Record<DoseBasis, string> = { weight: 'mg/kg', bsa: 'mg/m²', fixed: 'mg' };

/** One drug of the regimen (a fixed-dose combination lists each of its drugs). Amounts are in `DOSE_UNITS[basis]`. */
export interface DrugDose {
  /** SACT drug name, in capitals (e.g. TRASTUZUMAB). */
  drug: string;
  /** The first dose, also given to re-load after a long delay; null when the regimen has no loading dose. */
  loading: number | null;
  maintenance: number;
  /** The vial dispensed, for whole-vial counts, wastage and cost (spec §2.7); price null when not sourced. */
  vial?: { mg: number; pricePence: number | null };
}

/** One row of a dose-banding table: a calculated dose from `fromMg` (inclusive) to `toMg` (exclusive) is given as `doseMg`. */
export interface DoseBand {
  fromMg: number;
  toMg: number;
  doseMg: number;
}

/**
 * How the calculated dose becomes the prescribed dose (spec §2.6): as calculated (to 0.1 mg), to the nearest step,
 * or from a band table. Whichever, the result must stay within `tolerancePercent` of the calculated dose (rule 13).
 */
export type RoundingRule = { kind: 'none' } | { kind: 'nearest'; stepMg: number } | { kind: 'bands'; bands: DoseBand[] };

/**
 * What a late dose becomes (spec §2.3). `reload-when-late`: more than `reloadAfterDaysLate` days late → the loading dose
 * again and the schedule restarts from the day given; otherwise the maintenance dose, keeping the original schedule
 * (or restarting from the day given when `rebaseAfterMinorDelay`, a CSO-approved setting, default false).
 * `same-dose`: the dose never changes and the next dose is one cycle after the day given (SC trastuzumab, E9).
 */
export type MissedDoseRule =
  | { kind: 'reload-when-late'; reloadAfterDaysLate: number; rebaseAfterMinorDelay: boolean }
  | { kind: 'same-dose' };

/** Weight rules (spec §2.2). Weight is recorded every cycle even for fixed doses: the SACT return needs it. */
export interface WeightPolicy {
  /** The weight must be measured no more than this many days before the dose date (UNSOURCED: Trust parameter). */
  freshnessDays: number;
  /** A change of at least this percentage from the reference weight means recalculate and re-sign. */
  changeThresholdPercent: number;
  /** Which weight the change is measured from (spec §17 decision 2; default the weight of the last calculated dose). */
  reference: 'last-used' | 'baseline';
  /** Some Trusts recalculate from the current weight every cycle, whatever the change (E7). */
  recalculateEveryCycle: boolean;
}

/** Cardiac monitoring for the regimen (spec §3.2, rules 15 and 18). */
export interface LvefMonitoring {
  /** A new LVEF is due this many weeks after the last (3 months → 12 weeks). */
  intervalWeeks: number;
  /** Release to the provider is blocked once the last LVEF is more than this many days old (rule 15: 91). */
  blockAfterDays: number;
  /** How many days before the due date the status shows "due soon" (ASSUMPTION). */
  dueSoonDays: number;
  /** After a suspension, the repeat LVEF is due within this many days (rule 18: 21). */
  repeatAfterSuspensionDays: number;
  /** A baseline LVEF at or below this blocks the start of treatment unless a clinician overrides (NICE TA107: 55). */
  baselineBlockAtOrBelow: number;
}

/** Limits for the observations taken before each home dose; outside them the nurse must decide (ASSUMPTION: Trust SOP). */
export interface ObservationLimits {
  temperatureC: { min: number; max: number };
  pulse: { min: number; max: number };
  systolic: { min: number; max: number };
  diastolic: { min: number; max: number };
  spo2: { min: number };
}

export interface RegimenDefinition {
  code: string;
  name: string;
  version: number;
  route: Route;
  basis: DoseBasis;
  drugs: DrugDose[];
  cycleLengthDays: number;
  totalCycles: number;
  /** The course ends after this many weeks from the first dose whatever the cycle count (rule 12), or null. */
  courseLimitWeeks: number | null;
  /** Infusion (or injection) time; `first` also applies to a re-loading dose (rule 8). */
  infusionMinutes: { first: number; subsequent: number; subsequentIfWellTolerated: number | null };
  /** Observation after the start of the dose (rule 10). */
  observationMinutes: { first: number; subsequent: number };
  /** Which observation period a re-loading dose gets: the SmPC does not say, so "subsequent" unless the Trust decides (E1). */
  observationAfterReload: 'first' | 'subsequent';
  premedication: string[];
  anaphylaxisKitRequired: boolean;
  lvefMonitoring: LvefMonitoring | null;
  weight: WeightPolicy;
  missedDose: MissedDoseRule;
  rounding: RoundingRule;
  /** The dispensed dose may differ from the calculated one by at most this percentage (rule 13: 5 %). */
  tolerancePercent: number;
  homeSuitable: boolean;
  /** Cycles that must be given in hospital before any at home (spec §4.2 item 2). */
  hospitalCyclesFirst: number;
  /** A cycle's prescription is valid until this many days after its due date (spec §5.1, rule 28: 7). */
  validDaysAfterDue: number;
  /** Pre-administration observation limits for this regimen; absent → the service's defaults. */
  observationLimits?: ObservationLimits;
  /** Where the values come from; illustrative definitions say so here and in `illustrative`. */
  source: string;
  illustrative: boolean;
}

const CODE = /^[a-z][a-z0-9-]{2,59}$/;
const DRUG = /^[A-Z][A-Z0-9 /-]{1,59}$/;
const whole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
const positive = (n: number) => Number.isFinite(n) && n > 0;

/** Problems with a regimen definition, keyed by field, worded for the person configuring it. Empty when it is usable. */
export function validateRegimen(def: RegimenDefinition): Record<string, string> {
  const p: Record<string, string> = {};
  if (!CODE.test(def.code)) p.code = 'Enter a code of 3 to 60 lower-case letters, digits and hyphens, starting with a letter';
  if (!def.name.trim()) p.name = 'Enter the regimen name';
  if (!whole(def.version, 1, 10_000)) p.version = 'The version must be a whole number of 1 or more';
  if (!(def.route in SACT_ROUTE_CODES)) p.route = 'Select IV or SC';
  if (!(def.basis in DOSE_UNITS)) p.basis = 'Select weight (mg/kg), body surface area (mg/m²) or fixed dose (mg)';
  if (def.drugs.length === 0) p.drugs = 'Add at least one drug';
  const unit = DOSE_UNITS[def.basis] ?? 'mg';
  const seen = new Set<string>();
  def.drugs.forEach((d, i) => {
    const n = i + 1;
    if (!DRUG.test(d.drug)) p[`drugs.${i}.drug`] = `Enter the name of drug ${n} in capitals, as on the SACT return`;
    else if (seen.has(d.drug)) p[`drugs.${i}.drug`] = `Drug ${n} repeats ${d.drug}: list each drug once`;
    seen.add(d.drug);
    if (!positive(d.maintenance)) p[`drugs.${i}.maintenance`] = `Enter a maintenance dose for drug ${n} greater than 0 ${unit}`;
    if (d.loading !== null && !positive(d.loading)) p[`drugs.${i}.loading`] = `Enter a loading dose for drug ${n} greater than 0 ${unit}, or none`;
    if (d.vial && !positive(d.vial.mg)) p[`drugs.${i}.vial`] = `Enter the vial size of drug ${n} in mg`;
  });
  if (def.basis === 'fixed' && def.rounding.kind !== 'none') p.rounding = 'A fixed dose is not rounded: choose no rounding';
  if (!whole(def.cycleLengthDays, 1, 365)) p.cycleLengthDays = 'Enter a cycle length between 1 and 365 days';
  if (!whole(def.totalCycles, 1, 200)) p.totalCycles = 'Enter a number of cycles between 1 and 200';
  if (def.courseLimitWeeks !== null && !whole(def.courseLimitWeeks, 1, 520)) p.courseLimitWeeks = 'Enter a course limit between 1 and 520 weeks, or none';
  const m = def.infusionMinutes;
  if (!whole(m.first, 1, 1440) || !whole(m.subsequent, 1, 1440)) p.infusionMinutes = 'Enter infusion or injection times between 1 and 1,440 minutes';
  if (m.subsequentIfWellTolerated !== null && !whole(m.subsequentIfWellTolerated, 1, m.subsequent)) p.infusionMinutes = 'The shorter time for a well-tolerated dose must be between 1 minute and the usual time';
  const o = def.observationMinutes;
  if (!whole(o.first, 0, 1440) || !whole(o.subsequent, 0, 1440)) p.observationMinutes = 'Enter observation times between 0 and 1,440 minutes';
  if (def.premedication.some((x) => !x.trim())) p.premedication = 'Remove the empty premedication line';
  if (!whole(def.weight.freshnessDays, 0, 90)) p['weight.freshnessDays'] = 'Enter how recent the weight must be, between 0 and 90 days';
  if (!positive(def.weight.changeThresholdPercent) || def.weight.changeThresholdPercent > 50) p['weight.changeThresholdPercent'] = 'Enter a weight change threshold between 1 and 50%';
  const hasLoading = def.drugs.some((d) => d.loading !== null);
  if (def.missedDose.kind === 'reload-when-late') {
    if (!hasLoading) p.missedDose = 'A re-loading rule needs a loading dose: add one, or choose "same dose"';
    if (!whole(def.missedDose.reloadAfterDaysLate, 0, 365)) p.missedDose = 'Enter the days late before re-loading, between 0 and 365';
  }
  const r = def.rounding;
  if (r.kind === 'nearest' && !positive(r.stepMg)) p.rounding = 'Enter a rounding step greater than 0 mg';
  if (r.kind === 'bands') {
    if (r.bands.length === 0) p.rounding = 'Add at least one dose band';
    r.bands.forEach((b, i) => {
      if (!(b.fromMg >= 0 && b.toMg > b.fromMg && positive(b.doseMg))) p[`rounding.bands.${i}`] = `Band ${i + 1} needs a from dose below its to dose and a band dose above 0 mg`;
      else if (i > 0 && b.fromMg < r.bands[i - 1]!.toMg) p[`rounding.bands.${i}`] = `Band ${i + 1} overlaps band ${i}: list bands in order without overlaps`;
    });
  }
  if (!(def.tolerancePercent >= 0 && def.tolerancePercent <= 10)) p.tolerancePercent = 'Enter a dose tolerance between 0 and 10%';
  if (!whole(def.hospitalCyclesFirst, 0, def.totalCycles)) p.hospitalCyclesFirst = 'Enter the cycles given in hospital first, between 0 and the number of cycles';
  if (!whole(def.validDaysAfterDue, 0, 28)) p.validDaysAfterDue = 'Enter how long a prescription stays valid after its due date, between 0 and 28 days';
  const l = def.lvefMonitoring;
  if (l) {
    if (!whole(l.intervalWeeks, 1, 52)) p['lvefMonitoring.intervalWeeks'] = 'Enter an LVEF interval between 1 and 52 weeks';
    if (!whole(l.blockAfterDays, l.intervalWeeks * 7, 400)) p['lvefMonitoring.blockAfterDays'] = 'Release can only be blocked on or after the day the LVEF is due';
    if (!whole(l.dueSoonDays, 0, l.intervalWeeks * 7)) p['lvefMonitoring.dueSoonDays'] = 'Enter how many days before the due date to warn, no more than the interval';
    if (!whole(l.repeatAfterSuspensionDays, 1, 90)) p['lvefMonitoring.repeatAfterSuspensionDays'] = 'Enter the repeat LVEF time after a suspension, between 1 and 90 days';
    if (!whole(l.baselineBlockAtOrBelow, 1, 99)) p['lvefMonitoring.baselineBlockAtOrBelow'] = 'Enter the baseline LVEF threshold between 1 and 99%';
  }
  const lim = def.observationLimits;
  if (lim) {
    for (const k of ['temperatureC', 'pulse', 'systolic', 'diastolic'] as const) {
      if (!(Number.isFinite(lim[k].min) && Number.isFinite(lim[k].max) && lim[k].min < lim[k].max)) p[`observationLimits.${k}`] = `Enter a lower ${k === 'temperatureC' ? 'temperature' : k} limit below the upper one`;
    }
    if (!(lim.spo2.min > 50 && lim.spo2.min <= 100)) p['observationLimits.spo2'] = 'Enter the lowest oxygen saturation between 51 and 100%';
  }
  if (!def.source.trim()) p.source = 'Say where the values come from';
  return p;
}
