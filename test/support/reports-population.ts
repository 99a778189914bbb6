/**
 * A known population for the report tests, built through the services with back-dated request contexts (as
 * src/demo/population.ts does): three Trusts at 58.3%, 61.5% and 65.0% uptake between January and May 2026, a mix of
 * decline reasons, returns to hospital, a completion, a change of mind, and three treatment courses whose home doses
 * give the savings — one with a deferral that moves a dose from March into April.
 */
import { eq } from 'drizzle-orm';
import { contextFor } from '../../src/identity/service.ts';
import { users } from '../../src/identity/schema.ts';
import { units } from '../../src/organisations/schema.ts';
import { createPatient } from '../../src/patients/service.ts';
import { applyEpisodeEvent, createEpisode } from '../../src/pathway/episodes.ts';
import type { EpisodeEventData } from '../../src/pathway/validation.ts';
import { allYes } from '../../src/pathway/suitability.ts';
import { addDays } from '../../src/prescribing/dates.ts';
import { getCourse, recordWeight, startCourse } from '../../src/prescribing/courses.ts';
import { assessLvefResult, recordLvef } from '../../src/prescribing/lvef.ts';
import { administerDose, createPrescription, stepPrescription } from '../../src/prescribing/prescriptions.ts';
import { deferCycle } from '../../src/prescribing/deferral.ts';
import type { RequestContext } from '../../src/platform/context.ts';
import type { World } from './world.ts';
import { nextNhsNumber } from './world.ts';

export type Path = 'home' | 'home-return' | 'home-withdraw' | 'home-complete' | 'accepted' | 'changed-mind' | `decline:${string}` | 'undecided' | 'awaiting' | 'not-offered' | 'not-suitable';
export interface Script {
  unit: number;
  suitableOn: string;
  path: Path;
  /** A treatment course starting on this date, with home doses given (and a deferral, for one). */
  course?: { start: string; deferCycle?: { cycle: number; to: string } };
}

const d = (s: string) => `2026-${s}`;
const dec = (r: string): Path => `decline:${r}`;
/** Per Trust: who became suitable when, and what happened next. */
export const SCRIPTS: Record<'RX1' | 'RX2' | 'RX3', Script[]> = {
  // 7 of 12 opted (58.3%); 11 offered (one suitable patient not yet offered: the CQUIN's 100% offered is missed).
  RX1: [
    { unit: 0, suitableOn: d('01-05'), path: 'home', course: { start: d('01-06'), deferCycle: { cycle: 5, to: d('04-02') } } },
    { unit: 0, suitableOn: d('01-12'), path: 'home' },
    { unit: 1, suitableOn: d('01-19'), path: 'home-return' },
    { unit: 1, suitableOn: d('01-29'), path: 'home' },
    { unit: 0, suitableOn: d('02-16'), path: 'home' },
    { unit: 0, suitableOn: d('01-07'), path: 'home-complete' },
    { unit: 1, suitableOn: d('03-02'), path: 'home' },
    { unit: 0, suitableOn: d('01-20'), path: dec('PREFERS_HOSPITAL_SUPPORT') },
    { unit: 1, suitableOn: d('02-09'), path: dec('WANTS_CONTACT_WITH_OTHER_PATIENTS') },
    { unit: 0, suitableOn: d('03-09'), path: dec('SAFETY_CONCERN_AT_HOME') },
    { unit: 1, suitableOn: d('03-16'), path: 'undecided' },
    { unit: 0, suitableOn: d('04-20'), path: 'not-offered' },
    { unit: 0, suitableOn: d('02-03'), path: 'not-suitable' },
  ],
  // 8 of 13 opted (61.5%), all offered.
  RX2: [
    { unit: 0, suitableOn: d('01-26'), path: 'home', course: { start: d('02-02') } },
    { unit: 0, suitableOn: d('02-02'), path: 'home' },
    { unit: 1, suitableOn: d('02-09'), path: 'home' },
    { unit: 1, suitableOn: d('03-02'), path: 'home' },
    { unit: 0, suitableOn: d('03-23'), path: 'home' },
    { unit: 1, suitableOn: d('01-13'), path: 'home-return' },
    { unit: 0, suitableOn: d('01-06'), path: 'home-complete' },
    { unit: 1, suitableOn: d('04-13'), path: 'accepted' },
    { unit: 0, suitableOn: d('01-20'), path: dec('PREFERS_HOSPITAL_SUPPORT') },
    { unit: 1, suitableOn: d('02-23'), path: dec('HOME_PRIVACY_OR_FAMILY') },
    { unit: 0, suitableOn: d('03-30'), path: dec('PREFERS_HOSPITAL_SUPPORT') },
    { unit: 1, suitableOn: d('04-06'), path: 'undecided' },
    { unit: 0, suitableOn: d('05-26'), path: 'awaiting' },
  ],
  // 13 of 20 opted (65.0%), all offered.
  RX3: [
    { unit: 0, suitableOn: d('01-05'), path: 'home', course: { start: d('01-12') } },
    ...['01-12', '01-19', '02-02', '02-09', '02-16', '03-02', '03-09', '03-16', '04-06'].map((s): Script => ({ unit: 0, suitableOn: d(s), path: 'home' })),
    { unit: 0, suitableOn: d('01-26'), path: 'home-return' },
    { unit: 0, suitableOn: d('02-23'), path: 'home-withdraw' },
    { unit: 0, suitableOn: d('03-23'), path: 'changed-mind' },
    ...['COMBINED_WITH_IV_CHEMO_IN_HOSPITAL', 'OUT_OF_AREA', 'PREFERS_HOSPITAL_SUPPORT', 'HOME_ENVIRONMENT_UNSUITABLE', 'PREFERS_HOSPITAL_SUPPORT'].map((r, i): Script => ({ unit: 0, suitableOn: d(`04-${String(13 + i).padStart(2, '0')}`), path: dec(r) })),
    { unit: 0, suitableOn: d('05-04'), path: 'undecided' },
    { unit: 0, suitableOn: d('05-25'), path: 'awaiting' },
  ],
};

const at = (date: string) => new Date(`${date}T10:00:00Z`);

async function ctxOf(w: World, username: string): Promise<RequestContext> {
  const [u] = await w.database.db.select().from(users).where(eq(users.username, username));
  return (await contextFor(w.database.db, u!, w.clock.now(), null))!;
}

/** Builds the population; returns the episode ids by Trust and the provider id. */
export async function buildReportPopulation(w: World) {
  const db = w.database.db;
  const provider = await w.org('HX1');
  const coordinator = await ctxOf(w, 'provider-coordinator');
  const providerPharmacist = await ctxOf(w, 'provider-pharmacist');
  const providerNurse = await ctxOf(w, 'provider-nurse');
  const episodesByTrust: Record<string, string[]> = {};
  let n = 0;
  for (const [ods, scripts] of Object.entries(SCRIPTS)) {
    const suffix = ods === 'RX1' ? '' : ods === 'RX2' ? '-b' : '-c';
    const nurse = await ctxOf(w, `trust-nurse${suffix}`);
    const prescriber = await ctxOf(w, `trust-prescriber${suffix}`);
    const pharmacist = await ctxOf(w, `trust-pharmacist${suffix}`);
    const trust = await w.org(ods);
    const unitList = await db.select().from(units).where(eq(units.trustId, trust.id)).orderBy(units.code);
    episodesByTrust[ods] = [];
    for (const s of scripts) {
      const on = (days: number): RequestContext => ({ ...nurse, now: at(addDays(s.suitableOn, days)) });
      const age = 40 + ((n * 7) % 45);
      const patient = await createPatient(db, on(0), { nhsNumber: nextNhsNumber(), givenName: 'Report', familyName: `Population${n++}`, dateOfBirth: `${1990 - age}-03-15`, unitId: unitList[s.unit]!.id, diagnosisCode: 'C50.9', ethnicCategory: ['A', 'H', 'M', 'A', 'C'][n % 5]!, imdDecile: 1 + (n % 10), postcode: undefined });
      const episode = await createEpisode(db, on(0), patient.id, { regimen: 'trastuzumab-iv-3-weekly' });
      episodesByTrust[ods]!.push(episode.id);
      const ev = (data: EpisodeEventData | { event: 'provider-accept' }, ctx: RequestContext) => applyEpisodeEvent(db, ctx, episode.id, data as EpisodeEventData);
      if (s.path === 'not-suitable') {
        await ev({ event: 'assess', answers: { ...allYes(), PERFORMANCE_STATUS: 'no' } }, on(0));
        continue;
      }
      await ev({ event: 'assess', answers: allYes() }, on(0));
      if (s.path === 'not-offered') continue;
      await ev({ event: 'offer', offeredOn: addDays(s.suitableOn, 1), leafletVersion: 'HOME-SACT-1' }, on(1));
      if (s.path === 'awaiting') continue;
      if (s.path === 'undecided') {
        await ev({ event: 'undecided' }, on(3));
        continue;
      }
      if (s.path.startsWith('decline:')) {
        await ev({ event: 'decline', reasonCode: s.path.slice(8) as 'OTHER' }, on(3));
        continue;
      }
      if (s.path === 'changed-mind') {
        await ev({ event: 'decline', reasonCode: 'SAFETY_CONCERN_AT_HOME' }, on(3));
        await ev({ event: 'offer', offeredOn: addDays(s.suitableOn, 10), leafletVersion: 'HOME-SACT-1' }, on(10));
      }
      const base = s.path === 'changed-mind' ? 10 : 0;
      await ev({ event: 'accept' }, on(base + 3));
      await ev({ event: 'refer', providerId: provider.id, schedule: 'Every 3 weeks', allergies: 'None known', venousAccess: 'peripheral', keyContacts: 'On the Trust record', lvefStatus: 'In date', prescriber: 'Dr Priya Shah' }, on(base + 4));
      if (s.path === 'accepted') continue;
      await ev({ event: 'provider-accept' }, { ...coordinator, now: at(addDays(s.suitableOn, base + 5)) });
      await ev({ event: 'consent', homeTreatmentForm: 'HOME-TX-1', dataSharingForm: 'DATA-SHARE-1', takenOn: addDays(s.suitableOn, base + 6) }, on(base + 6));
      await ev({ event: 'start-home' }, on(base + 8));
      if (s.path === 'home-return') await ev({ event: 'return-to-hospital', reasonCode: ods === 'RX2' ? 'REACTION' : 'PATIENT_CHOICE' }, on(base + 38));
      if (s.path === 'home-withdraw') await ev({ event: 'withdraw-consent', note: 'Withdrew consent to treatment at home' }, on(base + 38));
      if (s.path === 'home-complete') await ev({ event: 'complete' }, on(base + 120));
      if (s.course) await giveCourse(w, s.course, episode.id, { nurse, prescriber, pharmacist, providerPharmacist, providerNurse });
    }
  }
  return { episodesByTrust, providerId: provider.id };
}

/**
 * A trastuzumab IV 3-weekly course at 70 kg from `start`: cycles 1–2 in hospital, then home, every dose up to the end of
 * May prescribed, screened, released, dispensed and given on its due date; LVEF at baseline and again on 25 March.
 */
async function giveCourse(w: World, course: NonNullable<Script['course']>, episodeId: string, t: Record<'nurse' | 'prescriber' | 'pharmacist' | 'providerPharmacist' | 'providerNurse', RequestContext>) {
  const db = w.database.db;
  const as = (ctx: RequestContext, date: string): RequestContext => ({ ...ctx, now: at(date) });
  const started = await startCourse(db, as(t.prescriber, course.start), episodeId, { startDate: course.start });
  const lvef = async (on: string) => assessLvefResult(db, as(t.prescriber, on), (await recordLvef(db, as(t.nurse, on), started.id, { measuredOn: on, method: 'echo', percent: 62, reportingClinician: 'Dr Echo' })).id, {});
  await lvef(addDays(course.start, -5));
  let lvefAgain = false;
  for (;;) {
    const view = await getCourse(db, as(t.nurse, course.start), started.id);
    const cycle = view.schedule.find((c) => c.status === 'planned');
    if (!cycle || cycle.dueDate > '2026-05-31') break;
    if (course.deferCycle && cycle.cycleNumber === course.deferCycle.cycle && cycle.dueDate !== course.deferCycle.to) {
      await deferCycle(db, as(t.prescriber, addDays(cycle.dueDate, -2)), cycle.id, { newDate: course.deferCycle.to, reasonCode: 'PATIENT_REQUEST' });
      continue;
    }
    if (!lvefAgain && cycle.dueDate > '2026-03-25') {
      await lvef('2026-03-25');
      lvefAgain = true;
    }
    const before = addDays(cycle.dueDate, -1);
    await recordWeight(db, as(t.nurse, before), started.id, { weightKg: 70, measuredOn: before });
    const rx = await createPrescription(db, as(t.prescriber, before), cycle.id);
    await stepPrescription(db, as(t.prescriber, before), rx.id, { event: 'sign' });
    await stepPrescription(db, as(t.pharmacist, before), rx.id, { event: 'verify' });
    const dose = { givenOn: cycle.dueDate, doses: rx.doses.map((x) => ({ drug: x.drug, doseMg: x.doseMg })), anaphylaxisKitConfirmed: true };
    if (cycle.place === 'hospital') {
      await administerDose(db, as(t.nurse, cycle.dueDate), rx.id, dose);
      continue;
    }
    await stepPrescription(db, as(t.pharmacist, before), rx.id, { event: 'transmit' });
    await stepPrescription(db, as(t.providerPharmacist, before), rx.id, { event: 'deliver', batch: 'RPT1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: before });
    await administerDose(db, as(t.providerNurse, cycle.dueDate), rx.id, dose);
  }
}
