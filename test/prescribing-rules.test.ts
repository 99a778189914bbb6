// Golden values for the prescribing and LVEF rules, taken from ../shared/domain/spec.md: §15 worked examples (E…),
// §14 numbered rules and §2, §3, §6 sections. Each test is named after the example or rule it proves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, addMonths, daysBetween, formatDate, isIsoDate } from '../src/prescribing/dates.ts';
import { SACT_ROUTE_CODES, validateRegimen, type RegimenDefinition, type RoundingRule } from '../src/prescribing/regimen.ts';
import {
  ILLUSTRATIVE_PACLITAXEL_WEEKLY as PACLITAXEL,
  ILLUSTRATIVE_PERTUZUMAB_TRASTUZUMAB_SC as PHESGO,
  REGIMEN_LIBRARY,
  TRASTUZUMAB_IV_3_WEEKLY as IV3W,
  TRASTUZUMAB_IV_WEEKLY as IVW,
  TRASTUZUMAB_SC_3_WEEKLY as SC,
} from '../src/prescribing/regimen-library.ts';
import {
  administrationTimes,
  calculateDose,
  doseVariance,
  heightProblem,
  mostellerBsa,
  referenceWeightKg,
  roundDose,
  weightForDose,
  weightFreshnessProblem,
  weightProblem,
  type DosePhase,
} from '../src/prescribing/dose-rules.ts';
import { courseCost, formatPounds, vialsForDose } from '../src/prescribing/vial-rules.ts';
import { buildSchedule, courseLimitProblem, lateDose, phaseOf, rescheduleFrom } from '../src/prescribing/schedule-rules.ts';
import { deferralOutcome } from '../src/prescribing/deferral-rules.ts';
import {
  allowedPrescriptionEvents,
  FHIR_STATUS,
  pharmacistVerified,
  PRESCRIPTION_EVENTS,
  PRESCRIPTION_STATES,
  transitionPrescription,
  validityWindow,
  withinValidity,
  type Actor,
  type PrescriptionChecks,
  type PrescriptionRecord,
  type PrescriptionState,
} from '../src/prescribing/prescription-rules.ts';
import { assessLvef, baselineBlocks, lvefBand, lvefProblem, methodProblem, type LvefReading } from '../src/prescribing/lvef-rules.ts';
import { afterTreatmentLvefDates, lvefMonitoringStatus, plannedLvefDates } from '../src/prescribing/lvef-schedule.ts';
import { doseGate } from '../src/prescribing/gate-rules.ts';

/** The single-drug dose in mg, or a failure that names the problems. */
function mg(def: RegimenDefinition, phase: DosePhase, weightKg?: number, heightCm?: number): number {
  const r = calculateDose(def, phase, { weightKg, heightCm });
  assert.ok(r.ok, `dose refused: ${JSON.stringify(r.ok ? '' : r.problems)}`);
  assert.equal(r.doses.length, 1);
  return r.doses[0]!.doseMg;
}
const echo = (date: string, percent: number): LvefReading => ({ date, percent, method: 'echo' });

// ---- §15 worked examples -------------------------------------------------------------------------------------------

test('E1 (rules 6–7): 70 kg, due 2026-03-01, given 2026-03-10 → re-load 560 mg over 90 min, then 420 mg due 2026-03-31', () => {
  const o = lateDose(IV3W, 'maintenance', '2026-03-01', '2026-03-10');
  assert.equal(o.daysLate, 9);
  assert.equal(o.kind, 'reload');
  assert.equal(mg(IV3W, phaseOf(o.kind), 70), 560);
  assert.equal(o.nextDueDate, '2026-03-31');
  assert.equal(o.rebased, true);
  assert.equal(o.cycleDelay, true, 'SACT Cycle Delay = yes');
  assert.deepEqual(o.warnings, []);
  assert.match(o.explanation, /9 days late, more than 7 days, so it must be a re-loading dose, given over 90 minutes/);
  assert.equal(mg(IV3W, 'maintenance', 70), 420);
  // Re-load infusion ~90 min; observation uses the "subsequent" value (E1 note).
  assert.deepEqual(administrationTimes(IV3W, { firstDose: false, reload: true, previousWellTolerated: true }), { infusionMinutes: 90, observationMinutes: 120 });
  const r = calculateDose(IV3W, 'loading', { weightKg: 70 });
  assert.ok(r.ok);
  assert.equal(r.doses[0]!.working, '8 mg/kg × 70 kg = 560 mg');
});

test('E1 (rule 27, §6.3.4): the downstream schedule is re-anchored on the re-load; cycle numbers do not move', () => {
  const plan = buildSchedule(IV3W, '2026-01-18'); // cycle 3 falls due on 2026-03-01
  assert.equal(plan[2]!.dueDate, '2026-03-01');
  const r = rescheduleFrom(IV3W, plan, 3, '2026-03-10');
  assert.ok(r);
  assert.equal(r.schedule.length, 18);
  assert.deepEqual(r.schedule.slice(0, 5), [
    { cycle: 1, dueDate: '2026-01-18', kind: 'loading' },
    { cycle: 2, dueDate: '2026-02-08', kind: 'maintenance' },
    { cycle: 3, dueDate: '2026-03-10', kind: 'reload' },
    { cycle: 4, dueDate: '2026-03-31', kind: 'maintenance' },
    { cycle: 5, dueDate: '2026-04-21', kind: 'maintenance' },
  ]);
  assert.equal(r.schedule[17]!.dueDate, addDays('2026-03-31', 14 * 21), 'the 18-cycle end date moves with the delay');
  assert.equal(rescheduleFrom(IV3W, plan, 42, '2026-03-10'), null, 'an unknown cycle');
});

test('E2 (rule 5): due 2026-03-01, given exactly 7 days late → maintenance 420 mg; next 2026-03-22 with a warning, or 2026-03-29 if rebased', () => {
  const o = lateDose(IV3W, 'maintenance', '2026-03-01', '2026-03-08');
  assert.equal(o.daysLate, 7);
  assert.equal(o.kind, 'maintenance');
  assert.equal(mg(IV3W, phaseOf(o.kind), 70), 420);
  assert.equal(o.nextDueDate, '2026-03-22');
  assert.equal(o.shortInterval, true);
  assert.deepEqual(o.warnings, ['The next dose is due on 22 March 2026, only 14 days after this one (the usual interval is 21 days). The prescriber must confirm this date']);
  const rebase: RegimenDefinition = { ...IV3W, missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 7, rebaseAfterMinorDelay: true } };
  const r = lateDose(rebase, 'maintenance', '2026-03-01', '2026-03-08');
  assert.equal(r.kind, 'maintenance');
  assert.equal(r.nextDueDate, '2026-03-29');
  assert.equal(r.shortInterval, false);
  // Boundary either side: 8 days late is "more than one week".
  assert.equal(lateDose(IV3W, 'maintenance', '2026-03-01', '2026-03-09').kind, 'reload');
  assert.equal(lateDose(IV3W, 'maintenance', '2026-03-01', '2026-03-01').kind, 'maintenance');
  assert.equal(lateDose(IV3W, 'maintenance', '2026-03-01', '2026-03-01').cycleDelay, false);
});

test('E3 (§3.7 row 6): LVEF baseline 62 %, now 51 % → continue, with an amber warning', () => {
  const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 62), current: echo('2026-04-01', 51) });
  assert.equal(a.dropPoints, 11);
  assert.equal(a.action, 'continue-with-warning');
  assert.equal(a.suspended, false);
  assert.deepEqual(a.tasks, []);
  assert.match(a.message, /^Continue, with clinician review: LVEF 62% to 51%, a drop of 11 points, but not below 50%/);
});

test('E4 (rules 16, 18): LVEF 62 % → 49 % → suspend, repeat within 21 days, cardiology referral, visits cancelled; resumed 28 days late → re-load', () => {
  const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 62), current: echo('2026-03-25', 49) });
  assert.equal(a.dropPoints, 13);
  assert.equal(a.action, 'suspend');
  assert.equal(a.suspended, true);
  assert.equal(a.repeatDueBy, '2026-04-15');
  assert.deepEqual(a.tasks, ['hold-prescriptions-and-cancel-visits', 'repeat-lvef', 'cardiology-referral']);
  assert.match(a.message, /Repeat the LVEF by 15 April 2026 and refer to cardiology/);
  const o = lateDose(IV3W, 'maintenance', '2026-04-01', '2026-04-29');
  assert.equal(o.daysLate, 28);
  assert.equal(o.kind, 'reload');
  assert.equal(mg(IV3W, phaseOf(o.kind), 70), 560, '8 mg/kg');
});

test('E5 (rule 17, hazard H03): baseline 57 % (eligible), now 49 % → 8 points (14 % relative) → continue, never suspend', () => {
  assert.deepEqual(baselineBlocks(IV3W, echo('2026-01-05', 57), '2026-01-10'), []);
  const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 57), current: echo('2026-04-01', 49) });
  assert.equal(a.dropPoints, 8);
  assert.equal(a.suspended, false);
  assert.equal(a.action, 'continue-with-warning');
  assert.match(a.message, /49% is below 50%, but only 8 points below baseline \(57%\)/);
});

test('E6 (rule 16): inclusive 10-point boundary — 58 → 48 and 58 → 47 suspend; 60 → 50 continues', () => {
  for (const now of [48, 47]) {
    const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 58), current: echo('2026-04-01', now) });
    assert.equal(a.action, 'suspend', `58 → ${now}`);
  }
  const b = assessLvef(IV3W, { baseline: echo('2026-01-05', 60), current: echo('2026-04-01', 50) });
  assert.equal(b.dropPoints, 10);
  assert.equal(b.action, 'continue-with-warning');
  assert.equal(assessLvef(IV3W, { baseline: echo('2026-01-05', 60), current: echo('2026-04-01', 52) }).action, 'continue');
});

test('E7 (rule 4): 10 % weight change from 70 kg — 66 kg keeps 420 mg; 63 kg → 378 mg; 77 kg → 462 mg; 62 kg → 372 mg, each to be re-signed', () => {
  const policy = IV3W.weight;
  const cases = [
    [66, -5.7, false, 420],
    [63, -10, true, 378],
    [77, 10, true, 462],
    [62, -11.4, true, 372],
  ] as const;
  for (const [kg, change, resign, dose] of cases) {
    const w = weightForDose(policy, 70, kg);
    assert.equal(w.changePercent, change, `${kg} kg`);
    assert.equal(w.resignRequired, resign, `${kg} kg`);
    assert.equal(mg(IV3W, 'maintenance', w.basisKg), dose, `${kg} kg`);
  }
  assert.equal(weightForDose(policy, 70, 63).reason, 'The weight has changed by -10.0% since the dose was last calculated (70 kg to 63 kg): recalculate the dose and sign the prescription again');
  assert.equal(weightForDose(policy, 70, 66).reason, null);
  // A Trust that recalculates every cycle gives 396 mg at 66 kg.
  const everyCycle = weightForDose({ ...policy, recalculateEveryCycle: true }, 70, 66);
  assert.equal(mg(IV3W, 'maintenance', everyCycle.basisKg), 396);
  // Reference weight (§2.2, §17 decision 2): last used by default, baseline when the Trust chooses.
  assert.equal(referenceWeightKg(policy, { baselineKg: 72, lastUsedKg: 70 }), 70);
  assert.equal(referenceWeightKg({ ...policy, reference: 'baseline' }, { baselineKg: 72, lastUsedKg: 70 }), 72);
  assert.equal(referenceWeightKg(policy, { baselineKg: 72, lastUsedKg: null }), 72);
});

test('E8 (§2.7, §5.3, §5.4): 70 kg, 18 cycles, 150 mg vials at £407.40 → 55 vials £22,407.00, 550 mg wasted £1,493.80, VAT £4,481.40', () => {
  const doses = buildSchedule(IV3W, '2026-01-05').map((c) => mg(IV3W, phaseOf(c.kind), 70));
  assert.equal(doses.length, 18);
  assert.deepEqual(vialsForDose(560, 150), { vials: 4, issuedMg: 600, wastedMg: 40 });
  assert.deepEqual(vialsForDose(420, 150), { vials: 3, issuedMg: 450, wastedMg: 30 });
  assert.equal(vialsForDose(450, 150).vials, 3, 'an exact multiple needs no extra vial');
  const c = courseCost(doses, { mg: 150, pricePence: 40_740 }, 20);
  assert.equal(c.vials, 55);
  assert.equal(c.givenMg, 7_700);
  assert.equal(c.issuedMg, 8_250);
  assert.equal(c.wastedMg, 550);
  assert.equal(formatPounds(c.costPence), '£22,407.00');
  assert.equal(formatPounds(c.wastedCostPence), '£1,493.80');
  assert.equal(formatPounds(c.vatPence), '£4,481.40');
  assert.equal(formatPounds(c.grossPence), '£26,888.40');
});

test('E9 (rule 2): SC 600 mg due 2026-03-01, given 2026-03-12 → still 600 mg, next no earlier than 2026-04-02', () => {
  const o = lateDose(SC, 'maintenance', '2026-03-01', '2026-03-12');
  assert.equal(o.kind, 'maintenance');
  assert.equal(mg(SC, phaseOf(o.kind)), 600);
  assert.equal(o.nextDueDate, '2026-04-02');
  assert.equal(daysBetween('2026-03-12', o.nextDueDate), 21);
});

test('E15 (rule 36, rule 27): SACT route IV "01", SC "05"; a delay keeps the cycle number and records a cycle delay', () => {
  assert.equal(SACT_ROUTE_CODES[IV3W.route], '01');
  assert.equal(SACT_ROUTE_CODES[SC.route], '05');
  const d = deferralOutcome(IV3W, { cycle: 7, originalDueDate: '2026-03-01', plannedKind: 'maintenance', prescribedKind: 'maintenance', validTo: '2026-03-08', newDate: '2026-03-10', reason: 'TOXICITY' });
  assert.ok(d.ok);
  assert.equal(d.cycle, 7);
  assert.equal(d.dose.cycleDelay, true);
});

test('E16: weekly 65 kg, 130 mg due 2026-06-02, resumed 2026-06-12 (10 days late) → re-load 260 mg; next 130 mg due 2026-06-19', () => {
  assert.equal(mg(IVW, 'maintenance', 65), 130);
  const o = lateDose(IVW, 'maintenance', '2026-06-02', '2026-06-12');
  assert.equal(o.daysLate, 10);
  assert.equal(o.kind, 'reload');
  assert.equal(mg(IVW, phaseOf(o.kind), 65), 260);
  assert.equal(o.nextDueDate, '2026-06-19');
});

// ---- §14 dosing rules and §2 ---------------------------------------------------------------------------------------

test('rule 1 (§2.1): q3w 8 → 6 mg/kg every 21 days for 18 cycles; weekly 4 → 2 mg/kg every 7 days', () => {
  const s = buildSchedule(IV3W, '2026-01-05');
  assert.equal(s.length, 18);
  assert.deepEqual(s.slice(0, 3), [
    { cycle: 1, dueDate: '2026-01-05', kind: 'loading' },
    { cycle: 2, dueDate: '2026-01-26', kind: 'maintenance' },
    { cycle: 3, dueDate: '2026-02-16', kind: 'maintenance' },
  ]);
  assert.equal(s[17]!.dueDate, '2026-12-28');
  assert.equal(mg(IV3W, 'loading', 70), 560);
  const w = buildSchedule(IVW, '2026-01-05');
  assert.deepEqual(w.slice(0, 2).map((c) => [c.dueDate, mg(IVW, phaseOf(c.kind), 70)]), [['2026-01-05', 280], ['2026-01-12', 140]]);
  // SACT numbering may start above 1 (treatment begun elsewhere): no loading dose, only the cycles that remain.
  const later = buildSchedule(IV3W, '2026-01-05', 5);
  assert.equal(later.length, 14);
  assert.deepEqual(later[0], { cycle: 5, dueDate: '2026-01-05', kind: 'maintenance' });
});

test('rule 2: SC trastuzumab is 600 mg every time, never weight-based, no loading dose, and needs no weight', () => {
  for (const phase of ['loading', 'maintenance'] as const) {
    assert.equal(mg(SC, phase), 600);
    assert.equal(mg(SC, phase, 45), 600);
    assert.equal(mg(SC, phase, 140), 600);
  }
  assert.equal(buildSchedule(SC, '2026-01-05')[0]!.kind, 'maintenance');
  assert.equal(weightFreshnessProblem(SC, '2025-12-01', '2026-03-01'), null, 'weight only for the SACT return');
});

test('rule 3: dose on actual body weight with no cap, e.g. 150 kg → 1,200 mg loading', () => {
  assert.equal(mg(IV3W, 'loading', 150), 1200);
  assert.equal(mg(IV3W, 'maintenance', 40.5), 243);
  assert.equal(mg(IV3W, 'maintenance', 70.1), 420.6, 'no binary-fraction noise');
});

test('weight and height entry: 0 kg and 500 kg refused; blank refused; a plausible adult accepted', () => {
  assert.equal(weightProblem(0), 'Enter a weight between 20 and 300 kg');
  assert.equal(weightProblem(500), 'Enter a weight between 20 and 300 kg');
  assert.equal(weightProblem(undefined), 'Enter a weight in kilograms');
  assert.equal(weightProblem(Number.NaN), 'Enter a weight in kilograms');
  assert.equal(weightProblem(70), null);
  assert.equal(heightProblem(0), 'Enter a height between 100 and 250 cm');
  assert.equal(heightProblem(300), 'Enter a height between 100 and 250 cm');
  assert.equal(heightProblem(null), 'Enter a height in centimetres');
  assert.equal(heightProblem(165), null);
  assert.deepEqual(calculateDose(IV3W, 'loading', { weightKg: 500 }), { ok: false, problems: { weight: 'Enter a weight between 20 and 300 kg' } });
  assert.deepEqual(calculateDose(IV3W, 'loading', {}), { ok: false, problems: { weight: 'Enter a weight in kilograms' } });
  assert.deepEqual(calculateDose(PACLITAXEL, 'maintenance', { weightKg: 0 }), { ok: false, problems: { weight: 'Enter a weight between 20 and 300 kg', height: 'Enter a height in centimetres' } });
});

test('§2.2 weight freshness: a weight up to 7 days before the dose is used; 8 days old, or dated after the dose, is refused', () => {
  assert.equal(weightFreshnessProblem(IV3W, '2026-02-22', '2026-03-01'), null);
  assert.equal(weightFreshnessProblem(IV3W, '2026-03-01', '2026-03-01'), null);
  assert.equal(weightFreshnessProblem(IV3W, '2026-02-21', '2026-03-01'), 'The weight was taken on 21 February 2026, 8 days before the dose on 1 March 2026. Record a weight taken no more than 7 days before the dose');
  assert.equal(weightFreshnessProblem(IV3W, '2026-03-02', '2026-03-01'), 'The weight is dated 2 March 2026, after the dose date of 1 March 2026. Use a weight taken on or before the dose date');
});

test('BSA (Mosteller, spec §1.3): 180 cm 80 kg → 2.00 m²; 170 cm 70 kg → 1.82 m²; paclitaxel 80 mg/m² × 1.82 = 145.6 → 145 mg', () => {
  assert.equal(mostellerBsa(180, 80), 2);
  assert.equal(mostellerBsa(170, 70), 1.82);
  assert.equal(mostellerBsa(160, 55), 1.56);
  const r = calculateDose(PACLITAXEL, 'maintenance', { weightKg: 70, heightCm: 170 });
  assert.ok(r.ok);
  assert.equal(r.bsaM2, 1.82);
  assert.deepEqual(r.doses, [{ drug: 'PACLITAXEL', calculatedMg: 145.6, doseMg: 145, variancePercent: -0.4, working: '80 mg/m² × 1.82 m² = 145.6 mg, rounded to 145 mg' }]);
});

test('fixed-dose combination (illustrative): pertuzumab/trastuzumab SC loads 1200/600 mg, maintains 600/600 mg, re-loads from 21 days late', () => {
  const load = calculateDose(PHESGO, 'loading');
  assert.ok(load.ok);
  assert.deepEqual(load.doses.map((d) => [d.drug, d.doseMg]), [['PERTUZUMAB', 1200], ['TRASTUZUMAB', 600]]);
  const keep = calculateDose(PHESGO, 'maintenance');
  assert.ok(keep.ok);
  assert.deepEqual(keep.doses.map((d) => [d.drug, d.doseMg]), [['PERTUZUMAB', 600], ['TRASTUZUMAB', 600]]);
  assert.equal(lateDose(PHESGO, 'maintenance', '2026-03-01', '2026-03-21').kind, 'maintenance');
  assert.equal(lateDose(PHESGO, 'maintenance', '2026-03-01', '2026-03-22').kind, 'reload', '6 weeks between doses');
});

test('rules 8 and 10: loading 90 min, 30-min maintenance only after a well-tolerated dose; observation 6 h first, 2 h after', () => {
  assert.deepEqual(administrationTimes(IV3W, { firstDose: true, reload: false, previousWellTolerated: false }), { infusionMinutes: 90, observationMinutes: 360 });
  assert.deepEqual(administrationTimes(IV3W, { firstDose: false, reload: false, previousWellTolerated: false }), { infusionMinutes: 90, observationMinutes: 120 });
  assert.deepEqual(administrationTimes(IV3W, { firstDose: false, reload: false, previousWellTolerated: true }), { infusionMinutes: 30, observationMinutes: 120 });
  const trust: RegimenDefinition = { ...IV3W, observationAfterReload: 'first' };
  assert.deepEqual(administrationTimes(trust, { firstDose: false, reload: true, previousWellTolerated: true }), { infusionMinutes: 90, observationMinutes: 360 });
});

test('rule 12: a 19th cycle, or a dose beyond 52 weeks from the first, needs an override reason', () => {
  assert.equal(courseLimitProblem(IV3W, 18, '2026-01-05', '2026-12-28'), null);
  assert.equal(courseLimitProblem(IV3W, 19, '2026-01-05', '2027-01-18'), 'Cycle 19 is beyond the 18-cycle course. Record an override reason to prescribe it');
  assert.equal(courseLimitProblem(IV3W, 18, '2026-01-05', '2027-01-04'), null, 'exactly 52 weeks');
  assert.equal(courseLimitProblem(IV3W, 18, '2026-01-05', '2027-01-05'), '5 January 2027 is more than 52 weeks after the first dose on 5 January 2026. Record an override reason to prescribe it');
});

test('rule 13 (§2.6): dispensed dose within ±5 % of the calculated dose; rounding and bands outside the tolerance are refused', () => {
  assert.deepEqual(doseVariance(420, 441, 5), { variancePercent: 5, withinTolerance: true });
  assert.deepEqual(doseVariance(420, 442, 5), { variancePercent: 5.2, withinTolerance: false });
  assert.deepEqual(doseVariance(420, 399, 5), { variancePercent: -5, withinTolerance: true });
  assert.equal(roundDose({ kind: 'nearest', stepMg: 150 }, 420), 450);
  const bands: RoundingRule = { kind: 'bands', bands: [{ fromMg: 9.49, toMg: 10.49, doseMg: 10 }] };
  assert.equal(roundDose(bands, 9.49), 10, 'DBT example: 9.49–10.49 mg → 10 mg');
  assert.equal(roundDose(bands, 10.49), null);
  const vialRounded: RegimenDefinition = { ...IV3W, rounding: { kind: 'nearest', stepMg: 150 } };
  assert.equal(mg(vialRounded, 'maintenance', 72), 450, '432 mg → 450 mg is +4.2 %');
  const r = calculateDose(vialRounded, 'maintenance', { weightKg: 70 });
  assert.deepEqual(r, { ok: false, problems: { 'drugs.0': 'Rounding the trastuzumab dose from 420 mg to 450 mg changes it by 7.1%, more than the 5% allowed' } });
  const banded: RegimenDefinition = { ...IV3W, rounding: { kind: 'bands', bands: [{ fromMg: 400, toMg: 440, doseMg: 420 }] } };
  assert.deepEqual(calculateDose(banded, 'loading', { weightKg: 70 }), { ok: false, problems: { 'drugs.0': 'No dose band covers the calculated trastuzumab dose of 560 mg: ask pharmacy to check the band table' } });
});

// ---- regimens as data ---------------------------------------------------------------------------------------------

test('§1.3 regimens are data: every built-in definition validates; illustrative ones say so', () => {
  for (const def of Object.values(REGIMEN_LIBRARY)) assert.deepEqual(validateRegimen(def), {}, def.code);
  assert.deepEqual(Object.keys(REGIMEN_LIBRARY), ['trastuzumab-iv-3-weekly', 'trastuzumab-iv-weekly', 'trastuzumab-sc-3-weekly', 'illustrative-paclitaxel-weekly', 'illustrative-pertuzumab-trastuzumab-sc']);
  for (const def of [PACLITAXEL, PHESGO]) {
    assert.equal(def.illustrative, true);
    assert.match(def.name, /^ILLUSTRATIVE/);
  }
  assert.equal(IV3W.illustrative, false);
  assert.notEqual(IV3W.weight, IVW.weight, 'no two definitions share a nested object');
});

test('validateRegimen: a broken definition gets one plain message per field', () => {
  const broken: RegimenDefinition = {
    ...SC,
    code: 'X',
    name: ' ',
    cycleLengthDays: 0,
    drugs: [{ drug: 'TRASTUZUMAB', loading: null, maintenance: 0 }, { drug: 'TRASTUZUMAB', loading: -1, maintenance: 5 }],
    missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 7, rebaseAfterMinorDelay: false },
    hospitalCyclesFirst: 19,
    rounding: { kind: 'nearest', stepMg: 5 },
    lvefMonitoring: { intervalWeeks: 12, blockAfterDays: 60, dueSoonDays: 14, repeatAfterSuspensionDays: 21, baselineBlockAtOrBelow: 55 },
  };
  assert.deepEqual(validateRegimen(broken), {
    code: 'Enter a code of 3 to 60 lower-case letters, digits and hyphens, starting with a letter',
    name: 'Enter the regimen name',
    'drugs.0.maintenance': 'Enter a maintenance dose for drug 1 greater than 0 mg',
    'drugs.1.drug': 'Drug 2 repeats TRASTUZUMAB: list each drug once',
    'drugs.1.loading': 'Enter a loading dose for drug 2 greater than 0 mg, or none',
    rounding: 'A fixed dose is not rounded: choose no rounding',
    cycleLengthDays: 'Enter a cycle length between 1 and 365 days',
    hospitalCyclesFirst: 'Enter the cycles given in hospital first, between 0 and the number of cycles',
    'lvefMonitoring.blockAfterDays': 'Release can only be blocked on or after the day the LVEF is due',
  });
  const noLoading: RegimenDefinition = { ...SC, missedDose: { kind: 'reload-when-late', reloadAfterDaysLate: 7, rebaseAfterMinorDelay: false } };
  assert.deepEqual(validateRegimen(noLoading), { missedDose: 'A re-loading rule needs a loading dose: add one, or choose "same dose"' });
});

// ---- §3 LVEF --------------------------------------------------------------------------------------------------------

test('§3.6 LVEF entry: 0 % and 101 % refused, 1–100 % accepted; method echo, MUGA or MRI', () => {
  assert.equal(lvefProblem(0), 'Enter an LVEF between 1 and 100%');
  assert.equal(lvefProblem(101), 'Enter an LVEF between 1 and 100%');
  assert.equal(lvefProblem(undefined), 'Enter the LVEF as a percentage, for example 60');
  assert.equal(lvefProblem(1), null);
  assert.equal(lvefProblem(100), null);
  assert.equal(methodProblem('echo'), null);
  assert.equal(methodProblem('muga'), null);
  assert.equal(methodProblem('xray'), 'Select echocardiogram, MUGA scan or cardiac MRI');
  assert.equal(methodProblem(''), 'Select echocardiogram, MUGA scan or cardiac MRI');
  const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 62), current: { date: '2026-04-01', percent: 60, method: 'muga' } });
  assert.deepEqual(a.warnings, ['This LVEF was measured by muga scan, the baseline by echocardiogram: compare with care']);
  assert.deepEqual([lvefBand(50), lvefBand(45), lvefBand(40)], ['preserved', 'mildly reduced', 'reduced']);
});

test('rule 14 (§3.1, §3.7 rows 1–2): no baseline blocks without override; baseline 55 % blocks unless overridden; 56 % starts', () => {
  const none = baselineBlocks(IV3W, null, '2026-01-10');
  assert.deepEqual(none.map((b) => [b.code, b.overridable]), [['NO_BASELINE', false]]);
  assert.deepEqual(baselineBlocks(IV3W, echo('2026-01-11', 60), '2026-01-10').map((b) => b.code), ['NO_BASELINE'], 'a scan after cycle 1 is no baseline');
  const low = baselineBlocks(IV3W, echo('2026-01-05', 55), '2026-01-10');
  assert.deepEqual(low, [{ code: 'BASELINE_LOW', overridable: true, message: 'The baseline LVEF is 55%, at or below 55%: treatment cannot start unless a clinician records an override' }]);
  assert.deepEqual(baselineBlocks(IV3W, echo('2026-01-05', 56), '2026-01-10'), []);
  assert.deepEqual(baselineBlocks(IV3W, echo('2026-01-05', 60), '2026-01-10', ['VALVULAR_DISEASE']).map((b) => b.message), ['Clinically significant valvular disease: treatment cannot start unless a clinician records an override']);
  assert.deepEqual(baselineBlocks(PACLITAXEL, null, '2026-01-10'), [], 'a regimen without cardiac monitoring');

  const monitoring = lvefMonitoringStatus(IV3W, '2026-01-05', '2026-01-10');
  const blocked = doseGate({ action: 'release', baseline: low, monitoring, suspended: false, awaitingAssessment: 0 });
  assert.equal(blocked.allowed, false);
  assert.deepEqual(blocked.blocking, ['Do not release this dose: The baseline LVEF is 55%, at or below 55%: treatment cannot start unless a clinician records an override']);
  const overridden = doseGate({ action: 'release', baseline: low, monitoring, suspended: false, awaitingAssessment: 0, override: { name: 'Dr A Patel', reason: 'Discussed with cardio-oncology; benefits outweigh risks' } });
  assert.equal(overridden.allowed, true);
  assert.equal(overridden.overridden.length, 1);
  const incomplete = doseGate({ action: 'release', baseline: low, monitoring, suspended: false, awaitingAssessment: 0, override: { name: 'Dr A Patel', reason: ' ' } });
  assert.equal(incomplete.allowed, false);
  assert.deepEqual(incomplete.problems, { overrideReason: 'Enter the reason for the override' });
  const noBaseline = doseGate({ action: 'release', baseline: none, monitoring: lvefMonitoringStatus(IV3W, null, '2026-01-10'), suspended: false, awaitingAssessment: 0, override: { name: 'Dr A Patel', reason: 'Urgent' } });
  assert.deepEqual(noBaseline.blocking, ['Do not release this dose: There is no baseline LVEF before cycle 1: request an echocardiogram or MUGA scan'], 'no override, and said once');
});

test('rule 15 (§3.2, §3.7 row 3): LVEF due 84 days after the last; release blocked from day 92 unless a prescriber overrides with a reason', () => {
  const last = '2026-01-01';
  const at = (d: string) => lvefMonitoringStatus(IV3W, last, d);
  assert.equal(at('2026-03-11').state, 'in-date'); // 69 days
  assert.equal(at('2026-03-12').state, 'due-soon'); // 70 days
  assert.equal(at('2026-03-26').state, 'due'); // 84 days
  assert.equal(at('2026-03-26').message, 'LVEF due since 26 March 2026: doses cannot be released after 2 April 2026 without a new one');
  assert.equal(at('2026-04-02').blocksRelease, false); // 91 days
  const overdue = at('2026-04-03'); // 92 days
  assert.equal(overdue.state, 'overdue');
  assert.equal(overdue.blocksRelease, true);
  assert.equal(overdue.message, 'Cardiac monitoring overdue: the last LVEF was on 1 January 2026, 92 days before. Book an echocardiogram or MUGA scan');
  const blocked = doseGate({ action: 'administer', baseline: [], monitoring: overdue, suspended: false, awaitingAssessment: 0 });
  assert.equal(blocked.allowed, false);
  assert.match(blocked.blocking[0]!, /^Do not give this dose: Cardiac monitoring overdue/);
  const gate = doseGate({ action: 'administer', baseline: [], monitoring: overdue, suspended: false, awaitingAssessment: 0, override: { name: 'Dr A Patel', reason: 'Echo booked next week' } });
  assert.equal(gate.allowed, true);
  assert.deepEqual(gate.overridden, [overdue.message]);
  const noReason = doseGate({ action: 'administer', baseline: [], monitoring: overdue, suspended: false, awaitingAssessment: 0, override: { name: 'Dr A Patel', reason: '' } });
  assert.equal(noReason.allowed, false);
  const due = doseGate({ action: 'release', baseline: [], monitoring: at('2026-03-26'), suspended: false, awaitingAssessment: 0 });
  assert.equal(due.allowed, true);
  assert.equal(due.warnings.length, 1);
  assert.equal(lvefMonitoringStatus(PACLITAXEL, null, '2026-03-26').blocksRelease, false);
  // Planned assessments: baseline by cycle 1, then every 12 weeks to the last cycle.
  assert.deepEqual(plannedLvefDates(IV3W, '2026-01-05', '2026-12-28').map((p) => `${p.kind} ${p.dueBy}`), [
    'baseline 2026-01-05',
    'on-treatment 2026-03-30',
    'on-treatment 2026-06-22',
    'on-treatment 2026-09-14',
    'on-treatment 2026-12-07',
  ]);
});

test('rules 18–19 (§3.4, §3.7 row 5): while suspended, no result resumes treatment; not improved → discontinuation strongly considered', () => {
  const baseline = echo('2026-01-05', 62);
  const suspendedAt = echo('2026-03-25', 49);
  const better = assessLvef(IV3W, { baseline, current: echo('2026-04-14', 58), suspendedAt });
  assert.equal(better.action, 'stay-suspended');
  assert.equal(better.suspended, true);
  assert.match(better.message, /only a clinician’s decision to resume can restart it/);
  for (const worse of [49, 45]) {
    const a = assessLvef(IV3W, { baseline, current: echo('2026-04-14', worse), suspendedAt });
    assert.equal(a.action, 'consider-discontinuation');
    assert.equal(a.suspended, true);
  }
  const gate = doseGate({ action: 'release', baseline: [], monitoring: lvefMonitoringStatus(IV3W, '2026-04-14', '2026-04-20'), suspended: true, awaitingAssessment: 1 });
  assert.equal(gate.allowed, false);
  assert.equal(doseGate({ action: 'release', baseline: [], monitoring: lvefMonitoringStatus(IV3W, '2026-04-14', '2026-04-20'), suspended: true, awaitingAssessment: 1, override: { name: 'Dr A Patel', reason: 'Cardio-oncology advised one more dose' } }).allowed, true, 'a named prescriber with a reason may override for this dose');
  assert.deepEqual(gate.blocking, [
    'Do not release this dose: Treatment is suspended for cardiac reasons: do not give. A clinician must record a decision to resume',
    'Do not release this dose: 1 LVEF result is waiting for a clinician to assess',
  ]);
  // Only a prescriber can take a held prescription off hold; the system cannot.
  const held: PrescriptionRecord = { state: 'on-hold', signedBy: 'u1', heldFrom: 'transmitted' };
  const sys = transitionPrescription(held, 'resume', { userId: 'system', role: 'system' }, { withinValidity: true, lvefClear: true });
  assert.equal(sys.ok, false);
  assert.deepEqual(transitionPrescription(held, 'resume', { userId: 'u1', role: 'trust-prescriber' }, { withinValidity: true, lvefClear: true }), { ok: true, to: 'transmitted' });
});

test('§3.7 row 7: symptomatic heart failure at any LVEF → clinician review before the next dose', () => {
  const a = assessLvef(IV3W, { baseline: echo('2026-01-05', 62), current: echo('2026-04-01', 58), symptomaticHeartFailure: true });
  assert.equal(a.action, 'clinician-review');
  assert.equal(a.reviewRequired, true);
  assert.deepEqual(a.tasks, ['clinician-review', 'cardiology-referral']);
  const both = assessLvef(IV3W, { baseline: echo('2026-01-05', 62), current: echo('2026-04-01', 45), symptomaticHeartFailure: true });
  assert.equal(both.action, 'suspend');
  assert.equal(both.reviewRequired, true);
});

test('rule 20: after the last dose, LVEF every 6 months to 24 months; yearly to 5 years after anthracyclines', () => {
  assert.deepEqual(afterTreatmentLvefDates('2026-08-31', false).map((p) => p.dueBy), ['2027-02-28', '2027-08-31', '2028-02-29', '2028-08-31']);
  assert.deepEqual(afterTreatmentLvefDates('2026-01-05', true).map((p) => p.dueBy).slice(4), ['2029-01-05', '2030-01-05', '2031-01-05']);
});

// ---- §6 prescriptions ---------------------------------------------------------------------------------------------

const prescriber: Actor = { userId: 'dr-patel', role: 'trust-prescriber' };
const pharmacist: Actor = { userId: 'ph-jones', role: 'trust-pharmacist' };
const providerPharmacist: Actor = { userId: 'pp-khan', role: 'provider-pharmacist' };
const nurse: Actor = { userId: 'pn-smith', role: 'provider-nurse' };
const allChecks: PrescriptionChecks = { weightInDate: true, lvefClear: true, consentOnFile: true, regimenActive: true, homeEligible: true, coldChainOk: true, withinValidity: true, doseMatchesVerified: true, anaphylaxisKitReady: true };

test('§6.2: draft → signed → verified → transmitted → delivered → administered, FHIR status and pharmacist-verified flag at each step', () => {
  let rx: PrescriptionRecord = { state: 'draft', signedBy: null, heldFrom: null };
  const steps = [
    ['sign', prescriber, 'signed', 'active', false],
    ['verify', pharmacist, 'verified', 'active', true],
    ['transmit', pharmacist, 'transmitted', 'active', true],
    ['deliver', providerPharmacist, 'delivered', 'active', true],
    ['administer', nurse, 'administered', 'completed', true],
  ] as const;
  for (const [event, actor, to, fhir, verified] of steps) {
    const r = transitionPrescription(rx, event, actor, allChecks);
    assert.deepEqual(r, { ok: true, to }, event);
    rx = { ...rx, state: to, signedBy: event === 'sign' ? actor.userId : rx.signedBy };
    assert.equal(FHIR_STATUS[rx.state], fhir);
    assert.equal(pharmacistVerified(rx), verified);
  }
  assert.deepEqual(allowedPrescriptionEvents('administered'), []);
  assert.equal(FHIR_STATUS.expired, 'stopped', 'R4 has no "expired"');
});

test('rule 24 (§6.2): the person who signed cannot verify; a different pharmacist can; a prescriber cannot verify at all', () => {
  const signed: PrescriptionRecord = { state: 'signed', signedBy: 'ph-jones', heldFrom: null };
  const same = transitionPrescription(signed, 'verify', pharmacist);
  assert.equal(same.ok, false);
  if (!same.ok) {
    assert.equal(same.reason, 'same-person');
    assert.equal(same.message, 'You signed this prescription, so you cannot verify it: another pharmacist must screen it.');
  }
  assert.deepEqual(transitionPrescription({ ...signed, signedBy: 'dr-patel' }, 'verify', pharmacist), { ok: true, to: 'verified' });
  const byPrescriber = transitionPrescription({ ...signed, signedBy: 'dr-patel' }, 'verify', prescriber);
  assert.equal(byPrescriber.ok, false);
  if (!byPrescriber.ok) assert.equal(byPrescriber.message, 'Only a Trust pharmacist can verify (clinically screen) the prescription.');
});

test('§6.2: an out-of-order step is refused with a message naming what is allowed', () => {
  const r = transitionPrescription({ state: 'draft', signedBy: null, heldFrom: null }, 'transmit', pharmacist, allChecks);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.reason, 'wrong-state');
    assert.deepEqual(r.allowed, ['sign', 'cancel', 'enter-in-error']);
    assert.equal(r.message, 'You cannot send the prescription to the provider while it is a draft. You can: sign the prescription, cancel the prescription, mark the prescription as entered in error.');
  }
  const done = transitionPrescription({ state: 'administered', signedBy: 'dr-patel', heldFrom: null }, 'cancel', prescriber);
  assert.equal(done.ok, false, 'rule 25: cancelled only before any administration');
  if (!done.ok) assert.match(done.message, /No further step is possible/);
});

test('§1.2, §6.2: the provider acts only on released prescriptions, and never on one on hold', () => {
  for (const state of ['draft', 'signed', 'verified'] as const) {
    const r = transitionPrescription({ state, signedBy: 'dr-patel', heldFrom: null }, 'administer', nurse, allChecks);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.message, 'A home-care provider can act on a prescription only after the Trust has verified it and sent it to them.');
  }
  const held = transitionPrescription({ state: 'on-hold', signedBy: 'dr-patel', heldFrom: 'delivered' }, 'administer', nurse, allChecks);
  assert.equal(held.ok, false);
  if (!held.ok) assert.match(held.message, /^This prescription is on hold: do not give it/);
  const trustNurse = transitionPrescription({ state: 'delivered', signedBy: 'dr-patel', heldFrom: null }, 'administer', { userId: 't', role: 'trust-nurse' }, allChecks);
  assert.equal(trustNurse.ok, false);
  if (!trustNurse.ok) assert.equal(trustNurse.message, 'Only a provider nurse can record the dose as given.');
  const signByProvider = transitionPrescription({ state: 'transmitted', signedBy: 'dr-patel', heldFrom: null }, 'hold', nurse);
  assert.equal(signByProvider.ok, false, 'a provider cannot hold or alter a prescription');
});

test('§6.2 guards, rules 11 and 28: each step needs its checks; administration only within due date to due date + 7', () => {
  const draft: PrescriptionRecord = { state: 'draft', signedBy: null, heldFrom: null };
  const r = transitionPrescription(draft, 'sign', prescriber, { weightInDate: false, lvefClear: true, consentOnFile: true });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.message, 'You cannot sign the prescription yet: record a weight taken recently enough for this regimen; the regimen must be active.');
  const noKit = transitionPrescription({ state: 'delivered', signedBy: 'dr-patel', heldFrom: null }, 'administer', nurse, { ...allChecks, anaphylaxisKitReady: false });
  assert.equal(noKit.ok, false);
  if (!noKit.ok) assert.match(noKit.message, /confirm the anaphylaxis kit, with adrenaline 1 mg\/mL, is present/);
  const window = validityWindow(IV3W, '2026-03-01');
  assert.deepEqual(window, { validFrom: '2026-03-01', validTo: '2026-03-08' });
  assert.equal(withinValidity(window, '2026-03-08'), true);
  assert.equal(withinValidity(window, '2026-03-09'), false);
  assert.equal(withinValidity(window, '2026-02-28'), false);
  assert.deepEqual(transitionPrescription({ state: 'transmitted', signedBy: 'dr-patel', heldFrom: null }, 'expire', { userId: 'system', role: 'system' }, { pastValidity: true }), { ok: true, to: 'expired' });
});

test('rules 7 and 26 (§6.3): deferral holds at once; a change to a re-load cancels and needs a new signed and verified prescription', () => {
  const base = { cycle: 5, originalDueDate: '2026-03-01', plannedKind: 'maintenance', prescribedKind: 'maintenance', validTo: '2026-03-08', reason: 'PATIENT_REQUEST' } as const;
  const minor = deferralOutcome(IV3W, { ...base, newDate: '2026-03-08' });
  assert.ok(minor.ok);
  assert.equal(minor.holdNow, true);
  assert.equal(minor.then, 'resume-on-new-date');
  assert.deepEqual(minor.reasons, []);
  const major = deferralOutcome(IV3W, { ...base, newDate: '2026-03-10' });
  assert.ok(major.ok);
  assert.equal(major.then, 'cancel-and-prescribe-again');
  assert.equal(major.dose.kind, 'reload');
  assert.deepEqual(major.reasons, [
    'The dose changes from a maintenance dose to a re-loading dose: the nurse cannot change it, so a new prescription must be signed and verified',
    'The new date is after the prescription’s last valid day, 8 March 2026: prescribe the cycle again',
  ]);
  // SC: the dose never changes, but a date past the prescription's validity still needs a new prescription.
  const sc = deferralOutcome(SC, { ...base, newDate: '2026-03-12' });
  assert.ok(sc.ok);
  assert.equal(sc.dose.kind, 'maintenance');
  assert.equal(sc.then, 'cancel-and-prescribe-again');
  assert.deepEqual(deferralOutcome(IV3W, { ...base, newDate: '2026-03-01' }), { ok: false, problems: { newDate: 'The new date must be after the original due date of 1 March 2026' } });
  assert.deepEqual(deferralOutcome(IV3W, { ...base, newDate: '2026-02-30' }), { ok: false, problems: { newDate: 'Enter the new date as a real date, for example 2026-03-10' } });
  // The hold itself: the system may hold on a cardiac suspension; resuming returns to where it was held.
  assert.deepEqual(transitionPrescription({ state: 'delivered', signedBy: 'dr-patel', heldFrom: null }, 'hold', { userId: 'system', role: 'system' }), { ok: true, to: 'on-hold' });
  assert.deepEqual(transitionPrescription({ state: 'on-hold', signedBy: 'dr-patel', heldFrom: 'delivered' }, 'cancel', pharmacist), { ok: true, to: 'cancelled' });
});

test('§6.2 property: 2,000 random event sequences never reach an undefined state, and every wrong-state refusal names the allowed events', () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const actors: Actor[] = [prescriber, pharmacist, { userId: 'ph-2', role: 'trust-pharmacist' }, providerPharmacist, nurse, { userId: 'system', role: 'system' }, { userId: 'adm', role: 'admin' }];
  for (let run = 0; run < 2000; run++) {
    let rx: PrescriptionRecord = { state: 'draft', signedBy: null, heldFrom: null };
    for (let i = 0; i < 25; i++) {
      const event = PRESCRIPTION_EVENTS[rand(PRESCRIPTION_EVENTS.length)]!;
      const actor = actors[rand(actors.length)]!;
      const checks = rand(4) === 0 ? {} : { ...allChecks, pastValidity: true };
      const r = transitionPrescription(rx, event, actor, checks);
      if (r.ok) {
        assert.ok(PRESCRIPTION_STATES.includes(r.to));
        assert.ok(allowedPrescriptionEvents(rx.state).includes(event));
        if (event === 'verify') assert.notEqual(actor.userId, rx.signedBy, 'two-person rule');
        if (actor.role.startsWith('provider-')) assert.ok(['transmitted', 'delivered'].includes(rx.state));
        const heldFrom: PrescriptionState | null = r.to === 'on-hold' ? rx.state : rx.heldFrom;
        rx = { state: r.to, signedBy: event === 'sign' ? actor.userId : rx.signedBy, heldFrom };
      } else {
        assert.deepEqual(r.allowed, allowedPrescriptionEvents(rx.state));
        assert.ok(r.message.length > 10);
      }
    }
  }
});

// ---- dates ----------------------------------------------------------------------------------------------------------

test('calendar dates: whole days across the BST change, month ends, NHS long dates', () => {
  assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
  assert.equal(addDays('2026-10-24', 7), '2026-10-31');
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2027-08-31', 6), '2028-02-29');
  assert.equal(formatDate('2026-03-01'), '1 March 2026');
  assert.equal(isIsoDate('2026-02-29'), false);
  assert.equal(isIsoDate('2028-02-29'), true);
});
