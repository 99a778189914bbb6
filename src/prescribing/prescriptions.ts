/**
 * The prescription lifecycle against the database (spec §6.2): written from the schedule and a recent weight, signed
 * by a prescriber, screened by a different pharmacist, released to the provider, dispensed, given — each step checked
 * by the pure rules with facts read inside the same transaction, and each step's who/when kept.
 */
import { and, asc, desc, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import { scalar, type Db, type Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { formatDate } from './dates.ts';
import { administrationTimes, calculateDose, weightForDose, weightFreshnessProblem } from './dose-rules.ts';
import { overrideProblems } from './gate-rules.ts';
import { validityWindow, withinValidity } from './prescription-rules.ts';
import { phaseOf, rescheduleFrom } from './schedule-rules.ts';
import { consentOnFile, gateFor, loadCourse, lockCourse, type LoadedCourse } from './course-data.ts';
import { applySchedule, latestWeight } from './courses.ts';
import { applyStep, LIVE_STATES } from './prescription-store.ts';
import { administrations, cycles, doseOverrides, prescriptionEvents, prescriptions, type CycleRow, type PrescriptionRow } from './schema.ts';

/** A cycle the user may see, with its course loaded. */
async function loadCycle(tx: Tx, ctx: RequestContext, cycleId: string): Promise<{ cycle: CycleRow; loaded: LoadedCourse }> {
  const [row] = await tx.select({ cycle: cycles }).from(cycles).innerJoin(patients, eq(patients.id, cycles.patientId)).where(and(eq(cycles.id, cycleId), patientScope(ctx)));
  if (!row) throw notFound('cycle');
  return { cycle: row.cycle, loaded: await loadCourse(tx, ctx, row.cycle.courseId) };
}

/** A prescription the user may see (a provider only once released to it), with its cycle and course. */
export async function loadPrescription(tx: Tx, ctx: RequestContext, id: string): Promise<{ rx: PrescriptionRow; cycle: CycleRow; loaded: LoadedCourse }> {
  const [row] = await tx.select({ rx: prescriptions }).from(prescriptions).innerJoin(patients, eq(patients.id, prescriptions.patientId)).where(and(eq(prescriptions.id, id), patientScope(ctx)));
  if (!row) throw notFound('prescription');
  const { cycle, loaded } = await loadCycle(tx, ctx, row.rx.cycleId);
  return { rx: row.rx, cycle, loaded };
}

/** The dose and date a prescription is for still match its cycle in the schedule. */
export function matchesSchedule(rx: PrescriptionRow, cycle: CycleRow): boolean {
  return rx.doseDate === cycle.dueDate && rx.doseKind === cycle.kind && cycle.status === 'planned';
}
const STALE_SCHEDULE = 'This prescription no longer matches the treatment schedule (the cycle was moved or its dose changed). Do not give it: the Trust must prescribe the cycle again.';

/**
 * Writes a draft prescription for a planned cycle: the dose from the regimen version the course pins and the latest
 * weight (or the weight the last dose was calculated on, unless it changed by the threshold), with the infusion and
 * observation times, premedication and anaphylaxis kit.
 */
export function createPrescription(db: Db, ctx: RequestContext, cycleId: string) {
  return withContext(db, ctx, async (tx) => {
    const { cycle, loaded } = await loadCycle(tx, ctx, cycleId);
    if (loaded.course.trustId !== ctx.orgId) throw notFound('cycle');
    await lockCourse(tx, loaded.course.id);
    const { course, def, regimen } = loaded;
    if (cycle.status !== 'planned') throw new AppError('conflict', `Cycle ${cycle.cycleNumber} has already been ${cycle.status === 'given' ? 'given' : 'recorded as not given'}.`);
    const [live] = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, cycleId), inArray(prescriptions.state, LIVE_STATES)));
    if (live) throw new AppError('conflict', `Cycle ${cycle.cycleNumber} already has a prescription (${live.state}). Cancel it before writing another.`);
    let weightKg: number | undefined;
    let heightCm: number | undefined;
    let weighedOn: string | null = null;
    const weight = await latestWeight(tx, course.patientId, cycle.dueDate);
    if (def.basis !== 'fixed' || weight) {
      if (!weight && def.basis !== 'fixed') throw new AppError('validation', 'Record the patient’s weight before prescribing', { weightKg: 'Record the patient’s weight before prescribing' });
      if (weight) {
        const stale = weightFreshnessProblem(def, weight.measuredOn, cycle.dueDate);
        if (stale) throw new AppError('validation', stale, { weightKg: stale });
        const [previous] = await tx
          .select({ weightKg: prescriptions.weightKg })
          .from(prescriptions)
          .where(and(eq(prescriptions.courseId, course.id), isNotNull(prescriptions.signedAt), isNotNull(prescriptions.weightKg), ne(prescriptions.state, 'entered-in-error')))
          .orderBy(desc(prescriptions.signedAt))
          .limit(1);
        weightKg = previous?.weightKg != null ? weightForDose(def.weight, previous.weightKg, weight.weightKg).basisKg : weight.weightKg;
        weighedOn = weight.measuredOn;
        heightCm = weight.heightCm ?? undefined;
      }
    }
    const dose = calculateDose(def, phaseOf(cycle.kind), { weightKg, heightCm });
    if (!dose.ok) throw new AppError('validation', Object.values(dose.problems)[0]!, dose.problems);
    const times = administrationTimes(def, { firstDose: cycle.cycleNumber === 1, reload: cycle.kind === 'reload', previousWellTolerated: false });
    const window = validityWindow(def, cycle.dueDate);
    const [rx] = await tx
      .insert(prescriptions)
      .values({
        courseId: course.id,
        cycleId,
        patientId: course.patientId,
        trustId: course.trustId,
        providerId: cycle.place === 'home' ? loaded.providerId : null,
        regimenId: regimen.id,
        cycleNumber: cycle.cycleNumber,
        doseKind: cycle.kind,
        doseDate: cycle.dueDate,
        validFrom: window.validFrom,
        validTo: window.validTo,
        weightKg: weightKg ?? null,
        weightMeasuredOn: weighedOn,
        heightCm: heightCm ?? null,
        bsaM2: dose.bsaM2,
        doses: dose.doses.map((d) => ({ drug: d.drug, calculatedMg: d.calculatedMg, doseMg: d.doseMg, working: d.working })),
        route: def.route,
        infusionMinutes: times.infusionMinutes,
        observationMinutes: times.observationMinutes,
        premedication: def.premedication,
        anaphylaxisKit: def.anaphylaxisKitRequired,
        createdBy: ctx.userId,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await tx.insert(prescriptionEvents).values({ prescriptionId: rx!.id, patientId: rx!.patientId, trustId: rx!.trustId, event: 'create', fromState: null, toState: 'draft', version: 1, data: { doses: rx!.doses, weightKg: rx!.weightKg }, byUserId: ctx.userId, byOrgId: ctx.orgId, at: ctx.now });
    await audit(tx, ctx, { action: 'prescription:create', patientId: course.patientId, detail: { prescriptionId: rx!.id, cycle: cycle.cycleNumber } });
    return rx!;
  });
}

export function getPrescription(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const { rx, cycle, loaded } = await loadPrescription(tx, ctx, id);
    const history = await tx.select().from(prescriptionEvents).where(eq(prescriptionEvents.prescriptionId, id)).orderBy(asc(prescriptionEvents.version));
    const overrides = await tx.select().from(doseOverrides).where(eq(doseOverrides.prescriptionId, id)).orderBy(asc(doseOverrides.at));
    const gate = rx.state === 'administered' ? null : await gateFor(tx, loaded, rx, rx.doseDate, ctx.orgKind === 'provider' ? 'administer' : 'release');
    await audit(tx, ctx, { action: 'prescription:read', patientId: rx.patientId, detail: { prescriptionId: id } });
    return { rx, cycle, loaded, history, overrides, gate, matchesSchedule: matchesSchedule(rx, cycle) };
  });
}

export type StepInput =
  | { event: 'sign' | 'verify' | 'transmit' | 'resume'; expectedVersion?: number }
  | { event: 'hold' | 'cancel'; reason: string; expectedVersion?: number }
  | { event: 'deliver'; batch: string; expiry: string; coldChainConfirmed: boolean; deliveredOn: string; expectedVersion?: number }
  | { event: 'not-given'; reason: string; expectedVersion?: number };

const HOME_STATES = ['consented', 'active-at-home'];

/** One lifecycle step with its checks (the provider's steps only on released prescriptions, which is all it can see). */
export function stepPrescription(db: Db, ctx: RequestContext, id: string, input: StepInput) {
  return withContext(db, ctx, async (tx) => {
    const { rx, cycle, loaded } = await loadPrescription(tx, ctx, id);
    await lockCourse(tx, loaded.course.id);
    const v = input.expectedVersion;
    const today = londonDate(ctx.now);
    switch (input.event) {
      case 'sign': {
        const weightOk = rx.weightMeasuredOn === null ? loaded.def.basis === 'fixed' : weightFreshnessProblem(loaded.def, rx.weightMeasuredOn, rx.doseDate) === null;
        const gate = await gateFor(tx, loaded, rx, rx.doseDate, 'release');
        if (!gate.allowed) throw new AppError('conflict', `You cannot sign this prescription yet. ${gate.blocking.join('. ')}.`);
        if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
        const consent = cycle.place === 'hospital' || (await consentOnFile(tx, loaded.course.episodeId));
        return applyStep(tx, ctx, rx, 'sign', { expectedVersion: v, checks: { weightInDate: weightOk, lvefClear: true, consentOnFile: consent, regimenActive: loaded.regimen.status !== 'draft' }, set: { signedBy: ctx.userId, signedAt: ctx.now }, data: gate.overridden.length ? { overridden: gate.overridden } : undefined });
      }
      case 'verify':
        if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
        return applyStep(tx, ctx, rx, 'verify', { expectedVersion: v, set: { verifiedBy: ctx.userId, verifiedAt: ctx.now } });
      case 'transmit': {
        if (cycle.place !== 'home') throw new AppError('conflict', `Cycle ${cycle.cycleNumber} is given in hospital: it is not sent to the provider.`);
        if (cycle.hospitalOnlyReason) throw new AppError('conflict', `Cycle ${cycle.cycleNumber} must be given in hospital until a prescriber has reviewed it: ${cycle.hospitalOnlyReason}`);
        if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
        const agreement = loaded.providerId ? await scalar<boolean>(tx, sql`select app_agreement_active(${rx.trustId}::uuid, ${loaded.providerId}::uuid)`) : false;
        const homeEligible = HOME_STATES.includes(loaded.episodeState) && loaded.providerId === rx.providerId && agreement === true;
        if (!homeEligible) throw new AppError('conflict', 'This patient is not on the home pathway with this provider now (consent, the provider’s acceptance and an active agreement are needed). Do not release it.');
        const gate = await gateFor(tx, loaded, rx, rx.doseDate, 'release');
        if (!gate.allowed) throw new AppError('conflict', `${gate.blocking.join('. ')}.`);
        return applyStep(tx, ctx, rx, 'transmit', { expectedVersion: v, checks: { homeEligible, lvefClear: true }, set: { releasedBy: ctx.userId, releasedAt: ctx.now }, data: gate.overridden.length ? { overridden: gate.overridden, overrideId: gate.overrideId } : undefined });
      }
      case 'deliver': {
        const fields: Record<string, string> = {};
        if (input.expiry < rx.doseDate) fields.expiry = `The product expires on ${formatDate(input.expiry)}, before the dose on ${formatDate(rx.doseDate)}: do not dispense it`;
        if (input.deliveredOn > today) fields.deliveredOn = 'The delivery date must be today or in the past';
        if (!input.coldChainConfirmed) fields.coldChainConfirmed = 'Confirm the cold chain (2–8 °C) was kept from packing to delivery';
        if (Object.keys(fields).length) throw new AppError('validation', Object.values(fields)[0]!, fields);
        if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
        const delivery = { batch: input.batch, expiry: input.expiry, coldChainConfirmed: input.coldChainConfirmed, deliveredOn: input.deliveredOn };
        return applyStep(tx, ctx, rx, 'deliver', { expectedVersion: v, checks: { coldChainOk: true }, set: { delivery, deliveredBy: ctx.userId, deliveredAt: ctx.now }, data: delivery });
      }
      case 'resume': {
        const gate = await gateFor(tx, loaded, rx, rx.doseDate, 'release');
        if (!gate.allowed) throw new AppError('conflict', `${gate.blocking.join('. ')}.`);
        if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
        return applyStep(tx, ctx, rx, 'resume', { expectedVersion: v, checks: { withinValidity: withinValidity(rx, rx.doseDate) && rx.validTo >= today, lvefClear: true } });
      }
      case 'hold':
      case 'cancel':
        return applyStep(tx, ctx, rx, input.event, { expectedVersion: v, reason: input.reason, set: input.event === 'cancel' ? { endReason: input.reason } : undefined });
      case 'not-given':
        // The cycle stays planned: a dose not given is re-planned through a deferral, never left as a silent gap.
        return applyStep(tx, ctx, rx, cycle.place === 'home' ? 'not-given' : 'not-given-in-hospital', { expectedVersion: v, reason: input.reason, set: { endReason: input.reason } });
    }
  });
}

/** A named prescriber lifts the cardiac gate for one prescription, with a reason. Audited; shown to the nurse. */
export function overrideGate(db: Db, ctx: RequestContext, id: string, input: { reason: string }) {
  return withContext(db, ctx, async (tx) => {
    const { rx, loaded } = await loadPrescription(tx, ctx, id);
    if (rx.trustId !== ctx.orgId) throw notFound('prescription');
    const problems = overrideProblems({ name: ctx.displayName, reason: input.reason });
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, { reason: Object.values(problems)[0]! });
    if (!LIVE_STATES.includes(rx.state) || rx.state === 'administered') throw new AppError('conflict', 'This prescription has ended: there is nothing to override.');
    const gate = await gateFor(tx, loaded, null, rx.doseDate, 'release');
    const blocks = gate.blocking.map((b) => b.replace(/^Do not release this dose: /, ''));
    if (!blocks.length) throw new AppError('conflict', 'Nothing is blocking this dose: no override is needed.');
    const [row] = await tx.insert(doseOverrides).values({ prescriptionId: id, patientId: rx.patientId, trustId: rx.trustId, reason: input.reason.trim(), blocks, byUserId: ctx.userId, byName: ctx.displayName, at: ctx.now }).returning();
    await tx.insert(prescriptionEvents).values({ prescriptionId: id, patientId: rx.patientId, trustId: rx.trustId, event: 'override', fromState: rx.state, toState: rx.state, version: rx.version, reason: input.reason.trim(), data: { blocks }, byUserId: ctx.userId, byOrgId: ctx.orgId, at: ctx.now });
    await audit(tx, ctx, { action: 'prescription:override', patientId: rx.patientId, detail: { prescriptionId: id, blocks, reason: input.reason.trim() } });
    return row!;
  });
}

export interface AdministerInput {
  givenOn: string;
  doses: { drug: string; doseMg: number }[];
  anaphylaxisKitConfirmed: boolean;
  expectedVersion?: number;
}

/** The home-visit record's extra columns (the visits context fills them). */
export interface AdministrationExtras {
  visitId: string;
  route: string;
  site: string;
  startedAt: Date;
  endedAt: Date;
  batch: string;
  expiry: string;
  observationCompleted: boolean;
  idempotencyKey: string;
}

export const ALREADY_RECORDED = 'This dose has already been recorded as given.';

/**
 * Records the dose as given: only against a prescription that still matches the schedule, on a date inside its
 * validity, with exactly the released dose, the emergency kit confirmed and the cardiac gate clear for that date. The
 * same dose can never be stored twice: a unique index on the prescription refuses the second.
 */
export function administerDose(db: Db, ctx: RequestContext, id: string, input: AdministerInput) {
  return withContext(db, ctx, (tx) => administerInTx(tx, ctx, id, input, null));
}

export async function administerInTx(tx: Tx, ctx: RequestContext, id: string, input: AdministerInput, extras: AdministrationExtras | null) {
  const { rx, cycle, loaded } = await loadPrescription(tx, ctx, id);
  await lockCourse(tx, loaded.course.id);
  if (extras) {
    const [same] = await tx.select({ id: administrations.id }).from(administrations).where(eq(administrations.idempotencyKey, extras.idempotencyKey));
    if (same) throw new AppError('conflict', ALREADY_RECORDED);
  }
  const fields: Record<string, string> = {};
  const today = londonDate(ctx.now);
  if (input.givenOn > today) fields.givenOn = 'The date the dose was given must be today or in the past';
  const prescribed = new Map(rx.doses.map((d) => [d.drug, d.doseMg]));
  const matches = input.doses.length === rx.doses.length && input.doses.every((d) => prescribed.get(d.drug) === d.doseMg);
  if (!matches) fields.doses = `The dose given must be exactly the prescribed dose: ${rx.doses.map((d) => `${d.drug.toLowerCase()} ${d.doseMg} mg`).join(', ')}`;
  if (Object.keys(fields).length) throw new AppError('validation', Object.values(fields)[0]!, fields);
  const [already] = await tx.select({ id: administrations.id }).from(administrations).where(eq(administrations.prescriptionId, id));
  if (already || rx.state === 'administered') throw new AppError('conflict', ALREADY_RECORDED);
  if (!matchesSchedule(rx, cycle)) throw new AppError('conflict', STALE_SCHEDULE);
  if (cycle.place === 'home' && cycle.hospitalOnlyReason) throw new AppError('conflict', `Do not give this dose at home: it must be given in hospital until a prescriber has reviewed it (${cycle.hospitalOnlyReason}).`);
  const gate = await gateFor(tx, loaded, rx, input.givenOn, 'administer');
  if (!gate.allowed) throw new AppError('conflict', `${gate.blocking.join('. ')}.`);
  const event = cycle.place === 'home' ? 'administer' : 'administer-in-hospital';
  const updated = await applyStep(tx, ctx, rx, event, {
    expectedVersion: input.expectedVersion,
    checks: { withinValidity: withinValidity(rx, input.givenOn), doseMatchesVerified: true, lvefClear: true, anaphylaxisKitReady: !rx.anaphylaxisKit || input.anaphylaxisKitConfirmed },
    data: { givenOn: input.givenOn, doses: input.doses, ...(gate.overrideId ? { overrideId: gate.overrideId, overridden: gate.overridden } : {}) },
  });
  try {
    await tx.insert(administrations).values({ prescriptionId: id, cycleId: cycle.id, patientId: rx.patientId, trustId: rx.trustId, byOrgId: ctx.orgId, place: cycle.place, givenOn: input.givenOn, doses: input.doses, overrideId: gate.overrideId, recordedBy: ctx.userId, recordedAt: ctx.now, ...(extras ?? {}) });
  } catch (err) {
    if (pgCode(err) === '23505') throw new AppError('conflict', ALREADY_RECORDED);
    throw err;
  }
  await tx.update(cycles).set({ status: 'given', givenOn: input.givenOn, updatedAt: ctx.now }).where(eq(cycles.id, cycle.id));
  // A dose given late (inside its validity) re-applies the missed-dose rule to the cycles after it.
  if (input.givenOn !== cycle.dueDate) {
    const all = await tx.select().from(cycles).where(eq(cycles.courseId, loaded.course.id)).orderBy(asc(cycles.cycleNumber));
    const re = rescheduleFrom(loaded.def, all.map((c) => ({ cycle: c.cycleNumber, dueDate: c.dueDate, kind: c.kind })), cycle.cycleNumber, input.givenOn);
    if (re) await applySchedule(tx, ctx, loaded, all.map((c) => (c.id === cycle.id ? { ...c, status: 'given' as const } : c)), re.schedule, id);
  }
  return updated;
}
