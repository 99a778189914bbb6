/**
 * Writes one patient's record from their plan: registry row, home-pathway episode and its history (with referral and
 * consents), and for those who chose home the treatment course — every cycle, weight, LVEF result, prescription with
 * its full lifecycle, home visit with its checklist, dose given, reaction, incident and Trust alert — as the services
 * would have written them day by day up to the anchor. Valid by construction: the state machines, versions, unique
 * indexes and the dose gate's rules hold, because the load skips the database's own checks for speed.
 */
import type { EpisodeEvent, EpisodeState } from '../../src/pathway/episode-rules.ts';
import { BUILT_IN_CONSENT_FORMS } from '../../src/pathway/consent-forms.ts';
import { DEFAULT_CHECKLIST } from '../../src/pathway/suitability.ts';
import { administrationTimes, calculateDose } from '../../src/prescribing/dose-rules.ts';
import { assessLvef, type LvefMethod } from '../../src/prescribing/lvef-rules.ts';
import { lvefMonitoringStatus } from '../../src/prescribing/lvef-schedule.ts';
import type { RegimenDefinition } from '../../src/prescribing/regimen.ts';
import { phaseOf, type DoseKind } from '../../src/prescribing/schedule-rules.ts';
import { CTCAE_GRADES, DEFAULT_OBSERVATION_LIMITS, observationsOutOfRange } from '../../src/visits/rules.ts';
import { iso, tsLondon } from './dates.ts';
import type { IdSource } from './ids.ts';
import { esc, json } from './loader.ts';
import { CARDIOLOGISTS, SITES_IV, SITES_SC, WINDOWS } from './names.ts';
import type { Network } from './network.ts';
import { person, type NhsNumbers } from './people.ts';
import type { Plan } from './plan.ts';
import { type Rng, Weighted } from './random.ts';
import type { TableName, Tables } from './tables.ts';

export const REGIMEN_CODES = { weekly: 'trastuzumab-iv-weekly', iv3: 'trastuzumab-iv-3-weekly', sc3: 'trastuzumab-sc-3-weekly' } as const;

/** Which regimen a plan's course uses: weekly IV for a calibrated share, otherwise 3-weekly (a fifth subcutaneous). */
export function regimenOf(plan: Plan, weeklyShare: number): string {
  if (plan.uRegimen < weeklyShare) return REGIMEN_CODES.weekly;
  return plan.uSubcutaneous < 0.2 ? REGIMEN_CODES.sc3 : REGIMEN_CODES.iv3;
}

/** The course's key days for a plan and regimen (shared with the calibration pass). */
export function courseDays(plan: Plan, def: RegimenDefinition) {
  const start = plan.accept + plan.startOffset;
  const firstHome = start + def.hospitalCyclesFirst * def.cycleLengthDays;
  const lastDue = start + (def.totalCycles - 1) * def.cycleLengthDays;
  // Returns, withdrawals and discontinuation happen after the first home dose and before the last.
  const endDay = firstHome + 1 + Math.floor(plan.endingAt * Math.max(0, lastDue - firstHome - 2));
  return { start, firstHome, lastDue, endDay };
}

/** Doses a plan's course gives before the anchor on a regimen (for calibration; deferrals move dates, not counts). */
export function dosesBefore(plan: Plan, def: RegimenDefinition, anchor: number): number {
  if (plan.accept < 0 || plan.accept + 1 >= anchor) return 0;
  const { start, endDay } = courseDays(plan, def);
  const limit = plan.ending === 'discontinue' ? Math.min(anchor, endDay) : anchor;
  if (start >= limit) return 0;
  return Math.min(def.totalCycles, Math.floor((limit - 1 - start) / def.cycleLengthDays) + 1);
}

export type PatientIds = Record<Exclude<TableName, 'organisations' | 'units' | 'agreements' | 'users' | 'regimens'>, IdSource>;

export interface Writer {
  t: Tables;
  ids: PatientIds;
  net: Network;
  anchor: number;
  weeklyShare: number;
  nhs: NhsNumbers;
  /** Which of its provider's nurses looks after a patient. */
  nurseOf: (patient: number, provider: number) => number;
}

const DEFER_MIX = new Weighted<'TOXICITY' | 'PATIENT_REQUEST' | 'OTHER'>([
  ['PATIENT_REQUEST', 45],
  ['TOXICITY', 35],
  ['OTHER', 20],
]);
const NOT_GIVEN_MIX = new Weighted<readonly [string, string]>([
  [['PATIENT_UNWELL', 'Patient unwell or symptoms'], 40],
  [['OBSERVATIONS_OUT_OF_RANGE', 'Observations outside the limits'], 25],
  [['VENOUS_ACCESS', 'Venous access not possible'], 15],
  [['NOT_AT_HOME', 'Patient not at home'], 10],
  [['PRODUCT_PROBLEM', 'Product problem (cold chain, damage, wrong item)'], 10],
]);
const INCIDENT_MIX = new Weighted<readonly [string, string]>([
  [['DELIVERY_FAILURE', 'Delivery arrived after the visit window; the visit was rearranged for later the same day'], 30],
  [['NEAR_MISS', 'Label checked against the prescription before preparation: a transcription slip was caught'], 25],
  [['COLD_CHAIN_BREAK', 'Cool box temperature logger showed a short excursion; pharmacy confirmed the product was usable'], 20],
  [['SPILLAGE', 'Small spillage while priming the line, cleaned with the spill kit; no exposure'], 10],
  [['OTHER', 'Access to the property delayed; patient informed and visit completed'], 15],
]);
const SEVERITY_MIX = new Weighted<string>([
  ['no-harm', 70],
  ['low', 22],
  ['moderate', 7],
  ['severe', 1],
]);
const METHOD_MIX = new Weighted<LvefMethod>([
  ['echo', 85],
  ['muga', 12],
  ['mri', 3],
]);

const SUITABLE_ANSWERS = Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.code, 'yes']));
const ITEM_TEXT = Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.code, i.text]));

interface EventRow {
  event: EpisodeEvent;
  day: number;
  minute: number;
  byProvider: boolean;
  reason: string | null;
  note: string | null;
  data: Record<string, unknown>;
  to: EpisodeState;
}

export function writePatient(w: Writer, index: number, plan: Plan, rng: Rng): void {
  const { t, ids, net, anchor } = w;
  const trust = net.trusts[plan.trust]!;
  const unit = trust.units[plan.unit]!;
  const providerIndex = trust.provider;
  const provider = net.providers[providerIndex]!;
  const nurse = provider.nurses[w.nurseOf(index, providerIndex)]!;
  const p = person(rng, w.nhs, plan.trust, trust.place, plan.identified);
  const patientId = ids.patients.id();
  const regCode = regimenOf(plan, w.weeklyShare);
  const regimen = net.regimens[regCode]!;
  const def = regimen.def;
  const minuteOf = () => rng.int(8 * 60, 17 * 60);
  const createdMinute = minuteOf();
  t.patients.add(
    patientId, trust.id, unit.id, p.nhsNumber, p.givenName, esc(p.familyName), p.dateOfBirth, p.postcode, p.sex, p.addressLine1, null, p.town, p.phone,
    p.gpPracticeCode, p.gpPracticeName, p.ethnicCategory, p.imdDecile, p.diagnosisCode, p.consultant, 1, trust.nurse, tsLondon(plan.identified, createdMinute), tsLondon(plan.identified, createdMinute),
  );

  // ---- The pathway events, in order, then cut at the anchor.
  const events: EventRow[] = [];
  const ev = (event: EpisodeEvent, to: EpisodeState, day: number, extra: Partial<EventRow> = {}) =>
    events.push({ event, to, day, minute: minuteOf(), byProvider: false, reason: null, note: null, data: {}, ...extra });
  if (plan.suitable) ev('assess', 'suitable', plan.assess, { data: { answers: SUITABLE_ANSWERS, checklistVersion: 0, suitable: true, unmetItems: [] } });
  else {
    const code = plan.unmet!;
    ev('assess', 'not-suitable', plan.assess, { data: { answers: { ...SUITABLE_ANSWERS, [code]: 'no' }, checklistVersion: 0, suitable: false, unmetItems: [ITEM_TEXT[code]] } });
  }
  if (plan.offer >= 0) ev('offer', 'offered', plan.offer, { data: { offeredOn: iso(plan.offer), leafletVersion: 'HOME-SACT-1' } });
  for (const a of plan.answers) {
    if (a.kind === 'accept') ev('accept', 'accepted', a.day);
    else if (a.kind === 'undecided') ev('undecided', 'undecided', a.day);
    else ev('decline', 'declined', a.day, { reason: a.reason, note: a.reason === 'OTHER' ? 'Carer works shifts and cannot be at home for the visits' : null, data: { reasonCode: a.reason } });
  }

  const course = plan.accept >= 0 && plan.accept + 1 < anchor ? courseDays(plan, def) : null;
  let consentDay = -1;
  let endEvent: EpisodeEvent | null = null;
  if (plan.accept >= 0) {
    const days = courseDays(plan, def);
    const refer = plan.accept + plan.referOffset;
    const answer = refer + plan.providerAnswerOffset;
    ev('refer', 'referred', refer, {
      data: {
        providerId: provider.id,
        schedule: def.cycleLengthDays === 7 ? `Weekly to cycle ${def.totalCycles}` : `Every 3 weeks to cycle ${def.totalCycles}`,
        allergies: rng.next() < 0.12 ? 'Penicillin (rash)' : 'None known',
        venousAccess: def.route === 'SC' ? 'not-applicable' : rng.next() < 0.1 ? 'port' : 'peripheral',
        ...(rng.next() < 0.3 ? { accessNotes: 'Ground-floor flat; ring twice' } : {}),
        keyContacts: 'Next of kin on the Trust record',
        lvefStatus: 'In date at referral',
        prescriber: trust.prescriberName,
      },
    });
    if (plan.ending === 'provider-decline') {
      ev('provider-decline', 'provider-declined', answer, { byProvider: true, note: 'Outside the current nursing capacity for this postcode' });
    } else {
      ev('provider-accept', 'provider-accepted', answer, { byProvider: true });
      consentDay = Math.min(answer + rng.int(1, 5), days.firstHome - 1);
      ev('consent', 'consented', consentDay, {
        data: { homeTreatmentForm: BUILT_IN_CONSENT_FORMS['home-treatment'].version, dataSharingForm: BUILT_IN_CONSENT_FORMS['data-sharing'].version, takenOn: iso(consentDay) },
      });
      ev('start-home', 'active-at-home', days.firstHome, { minute: 7 * 60 + 30 });
      if (plan.ending === 'return') {
        endEvent = 'return-to-hospital';
        ev('return-to-hospital', 'returned-to-hospital', days.endDay, { reason: plan.returnReason, note: plan.returnReason === 'OTHER' ? 'Moving out of the provider’s area' : null, data: { reasonCode: plan.returnReason } });
      } else if (plan.ending === 'withdraw') {
        endEvent = 'withdraw-consent';
        ev('withdraw-consent', 'returned-to-hospital', days.endDay, { note: 'Withdrew consent to treatment at home by phone; prefers the day unit' });
      } else if (plan.ending === 'discontinue') {
        endEvent = 'discontinue';
        ev('discontinue', 'discontinued', days.endDay, { note: 'Disease progression on restaging: trastuzumab stopped' });
      } else {
        ev('complete', 'completed', days.lastDue + rng.int(1, 3));
      }
    }
  }
  const happened = events.filter((e) => e.day < anchor);
  const endDay = endEvent && happened.some((e) => e.event === endEvent) ? course!.endDay : Infinity;

  const episodeId = ids.episodes.id();
  let state: EpisodeState = 'identified';
  let referralId: string | null = null;
  let referralStatus = 'referred';
  let referralAt = '';
  happened.forEach((e, k) => {
    const from = state;
    state = e.to;
    const at = tsLondon(e.day, e.minute);
    const byOrg = e.byProvider ? provider.id : trust.id;
    const by = e.byProvider ? provider.coordinator : trust.nurse;
    t.episode_events.add(ids.episode_events.id(), episodeId, patientId, trust.id, e.event, from, e.to, k + 2, e.reason, e.note, json(e.data), by, byOrg, at);
    if (e.event === 'refer') {
      referralId = ids.referrals.id();
      referralAt = at;
    }
    if (e.event === 'provider-accept') referralStatus = 'accepted';
    if (e.event === 'provider-decline') referralStatus = 'declined';
    if (e.event === 'return-to-hospital' || e.event === 'withdraw-consent' || e.event === 'discontinue' || e.event === 'complete') referralStatus = 'withdrawn';
  });
  const last = happened.at(-1);
  const created = tsLondon(plan.identified, createdMinute);
  t.episodes.add(episodeId, patientId, trust.id, regCode, state, referralId ? provider.id : null, happened.length + 1, trust.nurse, created, last ? tsLondon(last.day, last.minute) : created);
  if (referralId) t.referrals.add(referralId, patientId, trust.id, provider.id, referralStatus, trust.nurse, referralAt);
  const consent = happened.find((e) => e.event === 'consent');
  if (consent) {
    const withdrawn = happened.find((e) => e.event === 'withdraw-consent');
    for (const [kind, form] of [['home-treatment', BUILT_IN_CONSENT_FORMS['home-treatment'].version], ['data-sharing', BUILT_IN_CONSENT_FORMS['data-sharing'].version]] as const) {
      t.consents.add(
        ids.consents.id(), episodeId, patientId, trust.id, provider.id, kind, form, iso(consent.day), trust.nurse, tsLondon(consent.day, consent.minute),
        withdrawn ? tsLondon(withdrawn.day, withdrawn.minute) : null, withdrawn ? trust.nurse : null, withdrawn ? withdrawn.note : null,
      );
    }
  }
  if (!course) return;

  writeCourse(w, rng, {
    patientId, episodeId, trust, providerIndex, nurse, regimenId: regimen.id, def, plan, course, endDay,
    endReason: endEvent === 'discontinue' ? 'discontinue' : endEvent ? endEvent.replace(/-/g, ' ') : null,
    providerDeclined: plan.ending === 'provider-decline',
    booking: consent ? Math.min(consent.day + 1, course.firstHome - 1) : -1,
    startedHome: happened.some((e) => e.event === 'start-home'),
  });
}

interface CourseInput {
  patientId: string;
  episodeId: string;
  trust: Network['trusts'][number];
  providerIndex: number;
  nurse: string;
  regimenId: string;
  def: RegimenDefinition;
  plan: Plan;
  course: ReturnType<typeof courseDays>;
  /** The day the patient left the home pathway (Infinity when they have not). */
  endDay: number;
  /** The pathway event that ended it, as the visit cancellation names it. */
  endReason: string | null;
  providerDeclined: boolean;
  /** The day the coordinator booked the visits (-1: not booked). */
  booking: number;
  startedHome: boolean;
}

interface Scan {
  day: number;
  percent: number;
}

function writeCourse(w: Writer, rng: Rng, c: CourseInput): void {
  const { t, ids, net, anchor } = w;
  const { def, trust, patientId, plan } = c;
  const provider = net.providers[c.providerIndex]!;
  const { start, lastDue } = c.course;
  const len = def.cycleLengthDays;
  const rebase = def.missedDose.kind === 'same-dose';
  const courseN = ids.treatment_courses.take();
  const courseId = ids.treatment_courses.format(courseN);
  const courseCreated = tsLondon(plan.accept + 1, rng.int(13 * 60, 17 * 60));
  const discontinued = c.endReason === 'discontinue' && c.endDay < anchor;

  // ---- LVEF: a baseline before cycle 1, then about every 12 weeks while on treatment, then 6-monthly after it.
  const scans: Scan[] = [];
  const baseline = Math.max(56, Math.min(74, Math.round(rng.normal(63, 5))));
  scans.push({ day: start - rng.int(6, 28), percent: baseline });
  const onTreatmentUntil = Math.min(discontinued ? c.endDay : lastDue, anchor - 1);
  for (let d = scans[0]!.day + rng.int(74, 86); d <= onTreatmentUntil; d += rng.int(74, 86)) {
    const drop = rng.next() < 0.04 ? rng.int(10, 12) : Math.max(0, Math.round(rng.normal(2, 3)));
    scans.push({ day: d, percent: Math.max(50, baseline - drop) });
  }
  const activeAtAnchor = !discontinued && lastDue >= anchor;
  if (plan.lvefLapse && activeAtAnchor && scans.length > 1 && scans.at(-1)!.day >= anchor - 70) scans.pop();
  if (!discontinued && lastDue < anchor) {
    for (let d = lastDue + 182; d < anchor && d <= lastDue + 730; d += 182) scans.push({ day: d, percent: Math.max(50, baseline - Math.max(0, Math.round(rng.normal(1, 3)))) });
  }
  const method = METHOD_MIX.draw(rng);
  const cardiologist = rng.pick(CARDIOLOGISTS);
  for (const [k, s] of scans.entries()) {
    if (s.day >= anchor) continue;
    const recordedDay = Math.min(s.day + rng.int(0, 2), anchor - 1);
    const assessedDay = recordedDay + rng.int(0, 1);
    const assessed = assessedDay < anchor;
    let action: string;
    let message: string;
    let warnings: string[] = [];
    if (k === 0) {
      action = 'baseline-ok';
      message = `Baseline LVEF ${s.percent}%: treatment may start`;
    } else {
      const a = assessLvef(def, { baseline: { date: iso(scans[0]!.day), percent: baseline, method }, current: { date: iso(s.day), percent: s.percent, method }, symptomaticHeartFailure: false, suspendedAt: null });
      action = a.action;
      message = a.message;
      warnings = a.warnings;
    }
    t.lvef_results.add(
      ids.lvef_results.id(), courseId, patientId, trust.id, iso(s.day), method, s.percent, cardiologist, false, trust.nurse, tsLondon(recordedDay, rng.int(9 * 60, 16 * 60)),
      assessed ? trust.prescriber : null, assessed ? tsLondon(assessedDay, 17 * 60) : null, assessed ? action : null, assessed ? esc(message) : null, assessed ? json(warnings) : null, null,
    );
  }
  /** The last scan measured on or before a day (doses are gated on it). */
  const scanBefore = (day: number) => {
    let best: Scan | null = null;
    for (const s of scans) if (s.day <= day && (!best || s.day > best.day)) best = s;
    return best;
  };


  // ---- Doses: the regimen's amounts on the patient's weight, worked out as the prescribing service does. Every
  // prescription of the course is on this weight (later weighings stay well inside the 10% that would change it).
  const weightKg = Math.round(Math.max(45, Math.min(130, rng.normal(74, 14))) * 10) / 10;
  const heightCm = Math.round(Math.max(148, Math.min(190, rng.normal(163, 7))));
  const doses = (kind: DoseKind) => {
    const r = calculateDose(def, phaseOf(kind), { weightKg, heightCm });
    if (!r.ok) throw new Error(`The benchmark dose could not be calculated: ${Object.values(r.problems).join('; ')}`);
    return { doses: json(r.doses.map((x) => ({ drug: x.drug, calculatedMg: x.calculatedMg, doseMg: x.doseMg, working: x.working }))), given: json(r.doses.map((x) => ({ drug: x.drug, doseMg: x.doseMg }))) };
  };
  const loading = doses('loading');
  const maintenance = doses('maintenance');
  const sites = def.route === 'SC' ? SITES_SC : SITES_IV;
  const window = WINDOWS[rng.int(0, WINDOWS.length - 1)]!;
  const windowStart = Number(window[0].slice(0, 2)) * 60 + Number(window[0].slice(3));
  t.course_stage.add(
    courseN, patientId, trust.id, provider.id, c.regimenId, weightKg, heightCm, def.route, json(def.premedication), def.anaphylaxisKitRequired, trust.prescriber, trust.pharmacist, trust.nurse,
    provider.pharmacist, c.nurse, provider.coordinator, window[0], window[1], loading.doses, maintenance.doses, loading.given, maintenance.given, def.validDaysAfterDue,
  );

  let shift = 0;
  let given = 0;
  let nextPlannedSeen = false;
  let hospitalOnlyNext: string | null = null;
  let courseUpdated = courseCreated;
  for (let n = 1; n <= def.totalCycles; n++) {
    const originalDue = start + (n - 1) * len;
    const kind: DoseKind = n === 1 && def.drugs.some((d) => d.loading !== null) ? 'loading' : 'maintenance';
    const fromDate = originalDue + shift;
    let due = fromDate;
    // Counters: the database formats the ids of staged rows; the few rows written here that point to them format their own.
    const cycleN = ids.cycles.take();
    const cycleId = () => ids.cycles.format(cycleN);
    const bookedHome = n > def.hospitalCyclesFirst && def.homeSuitable && !c.providerDeclined;
    // A deferral before the dose (patient's request, toxicity): the cycle, its visit and prescription move together.
    let deferred = false;
    if (bookedHome && fromDate - 3 < anchor && fromDate < c.endDay && rng.next() < 0.03) {
      const reason = DEFER_MIX.draw(rng);
      due = fromDate + rng.int(1, len === 7 ? 3 : 6);
      if (rebase) shift += due - fromDate;
      deferred = true;
      t.deferrals.add(
        ids.deferrals.id(), cycleId(), null, patientId, trust.id, reason, reason === 'OTHER' ? 'Family event: patient asked to move the dose' : null,
        iso(originalDue), iso(fromDate), iso(due), due - originalDue, kind, 'resume-on-new-date', trust.prescriber, tsLondon(fromDate - 3, 11 * 60),
      );
    }
    const home = bookedHome && due < c.endDay;
    const stopped = discontinued && due >= c.endDay;
    const hasVisit = bookedHome && c.booking >= 0 && c.booking < anchor;
    const past = due < anchor && !stopped;

    // A home visit where the dose could not be given: the Trust defers the cycle and gives it in the day unit.
    let notGiven: { code: string; label: string; newDay: number } | null = null;
    if (past && home && hasVisit && rng.next() < 0.008) {
      const newDay = due + rng.int(2, len === 7 ? 3 : 6);
      const [code, label] = NOT_GIVEN_MIX.draw(rng);
      if (newDay < anchor) notGiven = { code, label, newDay };
    }
    const visitN = hasVisit ? ids.visits.take() : null;
    const visitId = () => (visitN === null ? null : ids.visits.format(visitN));
    const visitStatus = !hasVisit ? null : past && home ? (notGiven ? 'not-given' : 'given') : !home || stopped ? 'cancelled' : 'scheduled';

    const cycle: CycleFacts = {
      cycleN, n, kind, originalDue, due: notGiven ? notGiven.newDay : due,
      // A cycle given in the day unit after a missed home visit was moved there by the Trust; a stopped course's cycles stay as planned.
      place: notGiven || (!home && !(stopped && bookedHome)) ? 'hospital' : 'home',
      status: 'planned', givenOn: null, hospitalOnly: null, updated: courseCreated,
    };
    const visit: VisitFacts | null = visitN !== null
      ? { n: visitN, status: visitStatus!, date: due, version: 1 + (deferred ? 1 : 0) + (visitStatus === 'scheduled' ? 0 : 1), reschedule: null, booked: c.booking, updated: '', nurseAssigned: true, check: null }
      : null;
    if (visit) {
      if (visit.status === 'cancelled') {
        visit.reschedule = `The patient left the home pathway (${c.endReason ?? 'return to hospital'})`;
        visit.updated = tsLondon(Math.min(c.endDay, anchor - 1), 12 * 60);
      } else if (deferred) {
        visit.reschedule = 'The treatment schedule changed';
        visit.updated = tsLondon(fromDate - 3, 11 * 60);
      } else visit.updated = tsLondon(c.booking, 11 * 60);
      // A few visits far ahead are not yet given to a nurse.
      if (visit.status === 'scheduled' && due - anchor > 7 && rng.next() < 0.1) visit.nurseAssigned = false;
    }
    const rxs: RxFacts[] = [];

    if (past) {
      const doseDay = notGiven ? notGiven.newDay : due;
      if (notGiven) {
        const rx = prescription(w, rng, c, { n, kind, due, home: true, outcome: 'not-given', reason: notGiven.label, windowStart, sites, overrideBlocks: null });
        rxs.push(rx);
        visit!.updated = tsLondon(due, rx.startMinute + 20);
        visit!.check = check(rng, c, rx.startMinute - 10, false, notGiven.label);
        t.trust_alerts.add(
          ids.trust_alerts.id(), patientId, trust.id, cycleId(), visitId(), 'deferral-request', esc(`Cycle ${n} was not given on ${iso(due)} (${notGiven.label}). Defer the cycle to a new date.`),
          provider.id, visit!.updated, trust.prescriber, tsLondon(due + 1, 10 * 60), `Deferred to ${iso(notGiven.newDay)}`,
        );
        t.deferrals.add(
          ids.deferrals.id(), cycleId(), ids.prescriptions.format(rx.n), patientId, trust.id, notGiven.code === 'PATIENT_UNWELL' ? 'TOXICITY' : 'OTHER', esc(`Not given at home: ${notGiven.label}`),
          iso(originalDue), iso(due), iso(notGiven.newDay), notGiven.newDay - originalDue, kind, 'cancel-and-prescribe-again', trust.prescriber, tsLondon(due + 1, 10 * 60),
        );
        if (rebase) shift += notGiven.newDay - due;
      }
      // Doses given while cardiac monitoring is overdue went ahead on a prescriber's documented override.
      const lastScan = scanBefore(doseDay);
      const blockAfter = def.lvefMonitoring?.blockAfterDays ?? Infinity;
      const overrideBlocks = lastScan && doseDay - lastScan.day > blockAfter ? [lvefMonitoringStatus(def, iso(lastScan.day), iso(doseDay)).message] : null;
      const doseHome = home && !notGiven;
      const rx = prescription(w, rng, c, {
        n, kind, due: doseDay, home: doseHome, outcome: 'given', reason: null, windowStart, sites, overrideBlocks, createDay: notGiven ? Math.max(doseDay - 2, due + 1) : undefined,
      });
      rxs.push(rx);
      given++;
      cycle.status = 'given';
      cycle.givenOn = doseDay;
      cycle.updated = rx.givenAt;
      if (doseHome) {
        visit!.updated = rx.givenAt;
        visit!.check = check(rng, c, rx.startMinute - 10, true, null);
        // A reaction at the visit; grade 2 or more alerts the Trust, and the next dose is hospital only until reviewed.
        const r = rng.next();
        const grade = r < 0.0004 ? 3 : r < 0.0034 ? 2 : r < 0.0234 ? 1 : 0;
        if (grade) {
          const description = grade === 1 ? 'Mild flushing and chills during the infusion; settled after slowing it' : grade === 2 ? 'Rigors and rash, infusion stopped; settled with antihistamine and hydrocortisone' : 'Wheeze and hypotension; adrenaline given, ambulance called';
          const actions = grade === 1 ? '["INFUSION_SLOWED","OBSERVED"]' : grade === 2 ? '["INFUSION_STOPPED","ANTIHISTAMINE","HYDROCORTISONE","OBSERVED"]' : '["INFUSION_STOPPED","ADRENALINE","OXYGEN","AMBULANCE_999"]';
          const at = tsLondon(doseDay, rx.startMinute + 20);
          t.reactions.add(ids.reactions.id(), visitId(), patientId, trust.id, provider.id, grade, description, actions, c.nurse, at);
          if (grade >= 2) {
            const why = `${CTCAE_GRADES[grade]} reaction on ${iso(doseDay)}: ${description}`;
            const reviewDay = doseDay + rng.int(1, 3);
            const reviewed = reviewDay < anchor;
            if (!reviewed) hospitalOnlyNext = why;
            t.trust_alerts.add(
              ids.trust_alerts.id(), patientId, trust.id, null, visitId(), 'reaction', esc(`${why}. Cycle ${n + 1} is marked hospital only until a prescriber reviews this reaction.`),
              provider.id, at, reviewed ? trust.prescriber : null, reviewed ? tsLondon(reviewDay, 12 * 60) : null, reviewed ? 'Reviewed in clinic: premedication before the next dose; home treatment continues' : null,
            );
          }
        }
        if (rng.next() < 0.005) {
          const [kindCode, description] = INCIDENT_MIX.draw(rng);
          const at = tsLondon(doseDay, rx.startMinute + 30);
          const severity = SEVERITY_MIX.draw(rng);
          t.incidents.add(ids.incidents.id(), visitId(), patientId, trust.id, provider.id, kindCode, severity, description, c.nurse, at);
          const resolveDay = doseDay + rng.int(1, 4);
          const resolved = resolveDay < anchor;
          t.trust_alerts.add(
            ids.trust_alerts.id(), patientId, trust.id, cycleId(), visitId(), 'incident', esc(`Incident at the home visit on ${iso(doseDay)} (${kindCode.toLowerCase().replace(/_/g, ' ')}, ${severity}): ${description}`),
            provider.id, at, resolved ? trust.nurse : null, resolved ? tsLondon(resolveDay, 15 * 60) : null, resolved ? 'Discussed with the provider; no further action' : null,
          );
        }
      }
    } else if (!stopped) {
      if (hospitalOnlyNext) {
        cycle.hospitalOnly = hospitalOnlyNext;
        hospitalOnlyNext = null;
      }
      // The next dose after the anchor: its prescription is somewhere in its lifecycle, or not written yet.
      if (!nextPlannedSeen) {
        nextPlannedSeen = true;
        const state = upcomingState(rng, due - anchor, home, plan.lvefLapse && activeAtAnchor, !!cycle.hospitalOnly);
        if (state) rxs.push(prescription(w, rng, c, { n, kind, due, home, outcome: state, reason: null, windowStart, sites, overrideBlocks: null }));
      }
      if (!home && bookedHome && c.endDay < anchor) cycle.updated = tsLondon(c.endDay, 12 * 60);
    }
    if (cycle.updated > courseUpdated) courseUpdated = cycle.updated;
    stageRows(w, courseN, cycle, visit, rxs);
  }
  const status = discontinued ? 'stopped' : given === def.totalCycles ? 'completed' : 'active';
  t.treatment_courses.add(courseId, c.episodeId, patientId, trust.id, c.regimenId, iso(start), status, null, null, 1, trust.prescriber, courseCreated, courseUpdated);
}

/** Where the next prescription stands, by how far away its dose is (null: not written yet). */
function upcomingState(rng: Rng, daysAway: number, home: boolean, lvefOverdue: boolean, hospitalOnly: boolean): Outcome | null {
  const u = rng.next();
  // Release is blocked while cardiac monitoring is overdue or a reaction awaits review: signed at most.
  const cap = (s: Outcome | null): Outcome | null => ((lvefOverdue || hospitalOnly) && s && s !== 'draft' && s !== 'signed' ? 'signed' : s);
  if (daysAway <= 0) return cap(home ? (u < 0.85 ? 'delivered' : u < 0.95 ? 'transmitted' : null) : u < 0.9 ? 'verified' : null);
  if (daysAway <= 2) return cap(home ? (u < 0.4 ? 'delivered' : u < 0.8 ? 'transmitted' : u < 0.85 ? 'verified' : u < 0.9 ? 'signed' : null) : u < 0.7 ? 'verified' : u < 0.85 ? 'signed' : null);
  if (daysAway <= 7) return cap(home ? (u < 0.3 ? 'transmitted' : u < 0.4 ? 'verified' : u < 0.55 ? 'signed' : u < 0.65 ? 'draft' : null) : u < 0.3 ? 'verified' : u < 0.5 ? 'signed' : null);
  if (daysAway <= 13) return cap(u < 0.05 ? 'signed' : u < 0.1 ? 'draft' : null);
  return null;
}

type Outcome = 'given' | 'not-given' | 'draft' | 'signed' | 'verified' | 'transmitted' | 'delivered';

interface CycleFacts {
  cycleN: number;
  n: number;
  kind: DoseKind;
  originalDue: number;
  due: number;
  place: 'home' | 'hospital';
  status: 'planned' | 'given';
  givenOn: number | null;
  hospitalOnly: string | null;
  updated: string;
}

interface CheckFacts {
  minute: number;
  give: boolean;
  reason: string | null;
  o: { temperatureC: number; pulse: number; systolic: number; diastolic: number; spo2: number };
  outOfRange: string;
  fullIdentity: boolean;
}

interface VisitFacts {
  n: number;
  status: string;
  date: number;
  version: number;
  reschedule: string | null;
  booked: number;
  updated: string;
  nurseAssigned: boolean;
  check: CheckFacts | null;
}

/** A prescription as the stage row carries it: the database writes its row, history, weight and dose from these. */
interface RxFacts {
  n: number;
  home: boolean;
  /** Lifecycle steps reached: 1 draft, 2 signed, 3 verified, 4 released, 5 delivered. */
  reach: number;
  /** How it ended: given, not given, or still open. */
  end: 'administered' | 'not-given' | null;
  day: number;
  deliverDay: number | null;
  due: number;
  kind: DoseKind;
  infusion: number;
  observation: number;
  weightFactor: number;
  minutes: [number, number, number, number, number];
  startMinute: number;
  givenAt: string;
  overrideN: number | null;
  overrideBlocks: string | null;
  eventBase: number;
  batch: string;
  expiry: number;
  site: string;
  endReason: string | null;
}

interface RxInput {
  n: number;
  kind: DoseKind;
  due: number;
  home: boolean;
  outcome: Outcome;
  reason: string | null;
  windowStart: number;
  sites: readonly string[];
  /** The dose gate's blocks a prescriber overrode for this dose (cardiac monitoring overdue), or null. */
  overrideBlocks: string[] | null;
  /** The day the prescription was written, when not two days before the dose (a dose prescribed again). */
  createDay?: number;
}

/**
 * One prescription: written and signed two days before the dose, screened and (for home doses) released that
 * afternoon, delivered the day before, then given or not. For doses still to come the lifecycle stops at `outcome`,
 * on the day before the anchor at the latest. A prescriber's override is written here; everything else by the database.
 */
function prescription(w: Writer, rng: Rng, c: CourseInput, r: RxInput): RxFacts {
  const { t, ids, anchor } = w;
  const { trust, patientId, def } = c;
  const rxN = ids.prescriptions.take();
  const times = administrationTimes(def, { firstDose: r.n === 1, reload: r.kind === 'reload', previousWellTolerated: false });
  const future = r.outcome !== 'given' && r.outcome !== 'not-given';
  const day = future ? Math.min(r.due - 2, anchor - 1) : (r.createDay ?? r.due - 2);
  const order: Outcome[] = r.home ? ['draft', 'signed', 'verified', 'transmitted', 'delivered'] : ['draft', 'signed', 'verified'];
  const reach = future ? order.indexOf(r.outcome) + 1 : order.length;
  const minutes: RxFacts['minutes'] = [9 * 60 + rng.int(0, 50), 10 * 60 + rng.int(0, 50), 14 * 60 + rng.int(0, 100), 16 * 60 + rng.int(0, 40), 17 * 60 + rng.int(0, 90)];
  const startMinute = r.home ? r.windowStart + rng.int(0, 60) : rng.int(9 * 60, 14 * 60);
  let overrideN: number | null = null;
  let overrideBlocks: string | null = null;
  // History ids are reserved in a block of six (create … the dose), so the database can number them in order.
  const eventBase = ids.prescription_events.reserve(6);
  if (r.overrideBlocks && reach >= 2) {
    overrideN = ids.dose_overrides.take();
    const id = ids.prescriptions.format(rxN);
    overrideBlocks = json(r.overrideBlocks);
    const reason = 'Echocardiogram booked for next week; clinically well with no cardiac symptoms, so this dose goes ahead';
    const at = tsLondon(day, 11 * 60);
    t.dose_overrides.add(ids.dose_overrides.format(overrideN), id, patientId, trust.id, reason, overrideBlocks, trust.prescriber, trust.prescriberName, at);
    t.prescription_events.add(ids.prescription_events.id(), id, patientId, trust.id, 'override', 'signed', 'signed', 2, reason, `{"blocks":${overrideBlocks}}`, trust.prescriber, trust.id, at);
  }
  const end = r.outcome === 'given' ? 'administered' : r.outcome === 'not-given' ? 'not-given' : null;
  const givenMinute = end === 'not-given' ? startMinute + 20 : startMinute + times.infusionMinutes + (r.home ? times.observationMinutes : 0);
  return {
    n: rxN,
    home: r.home,
    reach,
    end,
    day,
    deliverDay: reach >= 5 ? (future ? Math.min(r.due - 1, anchor - 1) : r.due - 1) : null,
    due: r.due,
    kind: r.kind,
    infusion: times.infusionMinutes,
    observation: times.observationMinutes,
    // The morning's weighing as a fraction of the dosing weight (exactly it at cycle 1).
    weightFactor: r.n === 1 ? 1 : Math.round((1 + rng.normal(0, 0.012)) * 10000) / 10000,
    minutes,
    startMinute,
    givenAt: end ? tsLondon(r.due, givenMinute) : '',
    overrideN,
    overrideBlocks,
    eventBase,
    batch: `TZ${rng.int(10000, 99999)}${String.fromCharCode(65 + rng.int(0, 25))}`,
    expiry: r.due + rng.int(60, 240),
    site: rng.pick(r.sites),
    endReason: end === 'not-given' ? r.reason : null,
  };
}

/** The nurse's pre-administration checklist at the door: identity, consent, observations, symptoms, the decision. */
function check(rng: Rng, c: CourseInput, minute: number, give: boolean, reason: string | null): CheckFacts {
  const observations = {
    temperatureC: Math.round((36.1 + rng.next() * 1.2) * 10) / 10,
    pulse: rng.int(60, 96),
    systolic: rng.int(105, 148),
    diastolic: rng.int(62, 90),
    spo2: rng.int(95, 99),
  };
  if (!give && reason?.startsWith('Observations')) observations.temperatureC = 38.2;
  const outOfRange = observationsOutOfRange(observations, c.def.observationLimits ?? DEFAULT_OBSERVATION_LIMITS);
  return { minute, give, reason, o: observations, outOfRange: outOfRange.length ? json(outOfRange) : '[]', fullIdentity: rng.next() < 0.5 };
}

/**
 * The stage rows of one cycle: the first carries the cycle, its visit and checklist; each carries one prescription
 * (a cycle missed at home has two). The database expands them into cycles, weights, prescriptions and their history,
 * visits, checklists and doses given (see stage.ts).
 */
function stageRows(w: Writer, courseN: number, cy: CycleFacts, visit: VisitFacts | null, rxs: RxFacts[]): void {
  const count = Math.max(1, rxs.length);
  for (let k = 0; k < count; k++) {
    const rx = rxs[k];
    const first = k === 0;
    const v = first ? visit : null;
    const chk = v?.check ?? null;
    w.t.cycle_stage.add(
      courseN, first, cy.cycleN, cy.n, cy.originalDue, cy.due, cy.kind, cy.place, cy.status, cy.givenOn, cy.hospitalOnly === null ? null : esc(cy.hospitalOnly), cy.updated,
      rx ? rx.n : null, rx ? rx.home : null, rx ? rx.reach : null, rx ? rx.end : null, rx ? rx.day : null, rx ? rx.deliverDay : null, rx ? rx.due : null,
      rx ? rx.kind : null, rx ? rx.infusion : null, rx ? rx.observation : null, rx ? w.ids.weights.take() : null, rx ? rx.weightFactor : null,
      rx ? rx.minutes[0] : null, rx ? rx.minutes[1] : null, rx ? rx.minutes[2] : null, rx ? rx.minutes[3] : null, rx ? rx.minutes[4] : null, rx ? rx.startMinute : null,
      rx ? rx.overrideN : null, rx ? rx.overrideBlocks : null, rx ? rx.eventBase : null, rx ? rx.batch : null, rx ? rx.expiry : null, rx ? rx.site : null,
      rx?.endReason ? esc(rx.endReason) : null, rx?.end === 'administered' ? w.ids.administrations.take() : null,
      v ? v.n : null, v ? v.status : null, v ? v.date : null, v ? v.nurseAssigned : null, v ? v.version : null, v?.reschedule ? esc(v.reschedule) : null, v ? v.booked : null, v ? v.updated : null,
      chk ? w.ids.visit_checks.take() : null, chk ? chk.minute : null, chk ? chk.give : null, chk ? chk.fullIdentity : null, chk ? chk.o.temperatureC : null, chk ? chk.o.pulse : null, chk ? chk.o.systolic : null, chk ? chk.o.diastolic : null, chk ? chk.o.spo2 : null, chk ? chk.outOfRange : null, chk?.reason ? esc(chk.reason) : null,
    );
  }
}
