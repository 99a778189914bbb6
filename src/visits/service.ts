/**
 * Home visits: scheduling from the treatment schedule, the nurse's day, the safety panel with its hard stop, the
 * pre-administration checklist, the dose record (through the prescribing context's one administration path), "not
 * given" as a deferral request to the Trust, reactions and incidents — each written with its audit row in one
 * transaction, so the Trust sees it at once.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { episodeEvents } from '../pathway/schema.ts';
import { users } from '../identity/schema.ts';
import { addDays } from '../prescribing/dates.ts';
import { consentOnFile, gateFor, loadCourse } from '../prescribing/course-data.ts';
import { administerInTx, loadPrescription, matchesSchedule } from '../prescribing/prescriptions.ts';
import { applyStep, LIVE_STATES } from '../prescribing/prescription-store.ts';
import { administrations, cycles, prescriptions } from '../prescribing/schema.ts';
import { administrationProblems, ALERT_FROM_GRADE, checkProblems, CTCAE_GRADES, DEFAULT_OBSERVATION_LIMITS, reactionProblems, windowProblems, type CheckInput } from './rules.ts';
import { incidents, reactions, recordingKeys, trustAlerts, visitChecks, visits, type VisitRow } from './schema.ts';

async function loadVisit(tx: Tx, ctx: RequestContext, id: string): Promise<VisitRow> {
  const [row] = await tx.select({ v: visits }).from(visits).innerJoin(patients, eq(patients.id, visits.patientId)).where(and(eq(visits.id, id), patientScope(ctx)));
  if (!row) throw notFound('visit');
  return row.v;
}

const STALE = 'Someone else changed this visit since you opened it. Reload the page to see the latest, then try again.';

/** The provider's coordinator books a visit for every planned home cycle of a course that has none yet. */
export function scheduleVisits(db: Db, ctx: RequestContext, courseId: string, input: { windowStart: string; windowEnd: string; nurseId?: string | null }) {
  return withContext(db, ctx, async (tx) => {
    const loaded = await loadCourse(tx, ctx, courseId);
    if (loaded.providerId !== ctx.orgId) throw notFound('treatment course');
    const problems = windowProblems(input);
    if (input.nurseId) await checkNurse(tx, ctx, input.nurseId, problems);
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const planned = await tx.select().from(cycles).where(and(eq(cycles.courseId, courseId), eq(cycles.place, 'home'), eq(cycles.status, 'planned'))).orderBy(asc(cycles.cycleNumber));
    const existing = planned.length ? await tx.select({ cycleId: visits.cycleId }).from(visits).where(and(inArray(visits.cycleId, planned.map((c) => c.id)), inArray(visits.status, ['scheduled', 'given']))) : [];
    const has = new Set(existing.map((e) => e.cycleId));
    const rows = planned
      .filter((c) => !has.has(c.id))
      .map((c) => ({ cycleId: c.id, patientId: c.patientId, trustId: c.trustId, providerId: ctx.orgId, nurseId: input.nurseId ?? null, visitDate: c.dueDate, windowStart: input.windowStart, windowEnd: input.windowEnd, createdBy: ctx.userId, createdAt: ctx.now, updatedAt: ctx.now }));
    const created = rows.length ? await tx.insert(visits).values(rows).returning() : [];
    await audit(tx, ctx, { action: 'visit:schedule', patientId: loaded.course.patientId, detail: { courseId, visits: created.length } });
    return created;
  });
}

async function checkNurse(tx: Tx, ctx: RequestContext, nurseId: string, problems: Record<string, string>) {
  const [n] = await tx.select().from(users).where(and(eq(users.id, nurseId), eq(users.orgId, ctx.orgId), eq(users.role, 'provider-nurse'), eq(users.active, true)));
  if (!n) problems.nurseId = 'Select one of your organisation’s nurses';
}

/**
 * Reschedules a visit (date inside the prescription's valid dates, window, nurse) with a reason. Moving a dose beyond
 * its valid dates is a deferral, which only the Trust can make.
 */
export function rescheduleVisit(db: Db, ctx: RequestContext, id: string, input: { visitDate: string; windowStart: string; windowEnd: string; nurseId?: string | null; reason: string; expectedVersion?: number }) {
  return withContext(db, ctx, async (tx) => {
    const v = await loadVisit(tx, ctx, id);
    if (v.providerId !== ctx.orgId) throw notFound('visit');
    if (input.expectedVersion !== undefined && input.expectedVersion !== v.version) throw new AppError('conflict', STALE);
    if (v.status !== 'scheduled') throw new AppError('conflict', 'Only a scheduled visit can be rescheduled.');
    const problems = windowProblems(input);
    if (!input.reason.trim()) problems.reason = 'Enter the reason for rescheduling';
    if (input.nurseId) await checkNurse(tx, ctx, input.nurseId, problems);
    const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, v.cycleId));
    const loaded = await loadCourse(tx, ctx, cycle!.courseId);
    const lastDay = addDays(cycle!.dueDate, loaded.def.validDaysAfterDue);
    if (input.visitDate < cycle!.dueDate || input.visitDate > lastDay) problems.visitDate = `Choose a date from ${cycle!.dueDate} to ${lastDay}, when the dose may be given. To move it further, ask the Trust to defer the cycle`;
    if (input.visitDate < londonDate(ctx.now)) problems.visitDate = 'The visit date must be today or later';
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const [updated] = await tx
      .update(visits)
      .set({ visitDate: input.visitDate, windowStart: input.windowStart, windowEnd: input.windowEnd, nurseId: input.nurseId ?? v.nurseId, rescheduleReason: input.reason.trim(), version: v.version + 1, updatedAt: ctx.now })
      .where(and(eq(visits.id, id), eq(visits.version, v.version)))
      .returning();
    if (!updated) throw new AppError('conflict', STALE);
    await audit(tx, ctx, { action: 'visit:reschedule', patientId: v.patientId, detail: { visitId: id, from: v.visitDate, to: input.visitDate, reason: input.reason.trim() } });
    return updated;
  });
}

/** Visits of the user's provider between two dates (a day or a week), optionally for one nurse, with patient names. */
export function listVisits(db: Db, ctx: RequestContext, q: { from: string; to: string; nurseId?: string }) {
  return withContext(db, ctx, async (tx) => {
    const rows = await tx
      .select({ v: visits, p: { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, postcode: patients.postcode, addressLine1: patients.addressLine1, town: patients.town }, nurse: users.displayName })
      .from(visits)
      .innerJoin(patients, eq(patients.id, visits.patientId))
      .leftJoin(users, eq(users.id, visits.nurseId))
      .where(and(patientScope(ctx), eq(visits.providerId, ctx.orgId), gte(visits.visitDate, q.from), lte(visits.visitDate, q.to), q.nurseId ? eq(visits.nurseId, q.nurseId) : undefined))
      .orderBy(asc(visits.visitDate), asc(visits.windowStart));
    await audit(tx, ctx, { action: 'visit:list', detail: { from: q.from, to: q.to, nurseId: q.nurseId ?? null, count: rows.length } });
    return rows;
  });
}

/**
 * Everything the nurse needs at the door, and the hard stop: the prescribing gate for today, the prescription released
 * and dispensed for this cycle and still matching the schedule, consent on file, and no "hospital only" mark.
 */
export function visitPanel(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const v = await loadVisit(tx, ctx, id);
    const [patient] = await tx.select().from(patients).where(eq(patients.id, v.patientId));
    const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, v.cycleId));
    const loaded = await loadCourse(tx, ctx, cycle!.courseId);
    const today = londonDate(ctx.now);
    const [rx] = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, v.cycleId), inArray(prescriptions.state, LIVE_STATES))).orderBy(desc(prescriptions.createdAt)).limit(1);
    const [referral] = await tx.select({ data: episodeEvents.data }).from(episodeEvents).where(and(eq(episodeEvents.episodeId, loaded.course.episodeId), eq(episodeEvents.event, 'refer'))).orderBy(desc(episodeEvents.version)).limit(1);
    const refer = (referral?.data ?? {}) as { allergies?: string; accessNotes?: string; keyContacts?: string; venousAccess?: string };
    const [lastReaction] = await tx.select().from(reactions).where(eq(reactions.patientId, v.patientId)).orderBy(desc(reactions.recordedAt)).limit(1);
    const gate = await gateFor(tx, loaded, rx ?? null, today, 'administer');
    const stops: string[] = [...gate.blocking];
    if (!rx || rx.releasedAt === null) stops.push('No prescription has been released for this dose: do not give');
    else if (rx.state === 'on-hold') stops.push('The prescription is on hold: do not give');
    else if (rx.state !== 'delivered' && rx.state !== 'administered') stops.push('The dose has not been dispensed and delivered: do not give');
    if (rx && !matchesSchedule(rx, cycle!) && rx.state !== 'administered') stops.push('The prescription no longer matches the schedule: do not give. The Trust must prescribe again');
    if (cycle!.hospitalOnlyReason) stops.push(`This dose must be given in hospital until a prescriber has reviewed it: ${cycle!.hospitalOnlyReason}`);
    if (!(await consentOnFile(tx, loaded.course.episodeId))) stops.push('Consent to treatment at home is not on file or was withdrawn: do not give');
    if (v.visitDate !== today && v.status === 'scheduled') stops.push(`This visit is booked for ${v.visitDate}, not today`);
    const [check] = await tx.select().from(visitChecks).where(eq(visitChecks.visitId, id)).orderBy(desc(visitChecks.recordedAt)).limit(1);
    const [given] = await tx.select().from(administrations).where(eq(administrations.visitId, id)).limit(1);
    await audit(tx, ctx, { action: 'visit:read', patientId: v.patientId, detail: { visitId: id } });
    return { visit: v, patient: patient!, cycle: cycle!, regimen: loaded.regimen, prescription: rx ?? null, refer, lastReaction: lastReaction ?? null, gate, stops, check: check ?? null, administration: given ?? null, limits: loaded.def.observationLimits ?? DEFAULT_OBSERVATION_LIMITS };
  });
}

async function claimKey(tx: Tx, key: string, v: VisitRow, kind: string, recordId: string, now: Date) {
  await tx.insert(recordingKeys).values({ key, patientId: v.patientId, trustId: v.trustId, kind, recordId, at: now });
}
async function keyUsed(tx: Tx, key: string): Promise<boolean> {
  const [k] = await tx.select({ key: recordingKeys.key }).from(recordingKeys).where(eq(recordingKeys.key, key));
  return !!k;
}
const ALREADY = 'This has already been recorded.';

async function openVisitForNurse(tx: Tx, ctx: RequestContext, id: string): Promise<VisitRow> {
  const v = await loadVisit(tx, ctx, id);
  if (v.providerId !== ctx.orgId) throw notFound('visit');
  // Serialise recordings for one visit, so a retried or doubled submission sees the first one.
  await tx.select({ id: visits.id }).from(visits).where(eq(visits.id, id)).for('update');
  return v;
}

/** The pre-administration checklist. An answer outside the limits needs a decision: give with a reason, or do not give. */
export function recordCheck(db: Db, ctx: RequestContext, id: string, input: CheckInput & { idempotencyKey: string }) {
  return withContext(db, ctx, async (tx) => {
    const v = await openVisitForNurse(tx, ctx, id);
    if (await keyUsed(tx, input.idempotencyKey)) throw new AppError('conflict', ALREADY);
    if (v.status !== 'scheduled') throw new AppError('conflict', 'This visit is already closed.');
    const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, v.cycleId));
    const { def } = await loadCourse(tx, ctx, cycle!.courseId);
    const { problems, outOfRange } = checkProblems(input, def.observationLimits ?? DEFAULT_OBSERVATION_LIMITS);
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const [row] = await tx
      .insert(visitChecks)
      .values({ visitId: id, patientId: v.patientId, trustId: v.trustId, identifiers: input.identifiers, consentValid: input.consentValid, observations: input.observations, symptoms: input.symptoms, outOfRange, decision: input.decision, decisionReason: input.decisionReason?.trim() || null, recordedBy: ctx.userId, recordedAt: ctx.now })
      .returning();
    await claimKey(tx, input.idempotencyKey, v, 'check', row!.id, ctx.now);
    await audit(tx, ctx, { action: 'visit:check', patientId: v.patientId, detail: { visitId: id, decision: input.decision, outOfRange } });
    return row!;
  });
}

export interface VisitDoseInput {
  idempotencyKey: string;
  doses: { drug: string; doseMg: number }[];
  route: string;
  site: string;
  startedAt: string;
  endedAt: string;
  batch: string;
  expiry: string;
  observationCompleted: boolean;
  anaphylaxisKitConfirmed: boolean;
}

/**
 * The dose given at the visit: after a checklist that decided "give", through the prescribing context's one
 * administration path (schedule match, gate, exact dose, one per prescription), with the visit record's columns.
 */
export function recordVisitDose(db: Db, ctx: RequestContext, id: string, input: VisitDoseInput) {
  return withContext(db, ctx, async (tx) => {
    const v = await openVisitForNurse(tx, ctx, id);
    const [same] = await tx.select({ key: recordingKeys.key }).from(recordingKeys).where(eq(recordingKeys.key, input.idempotencyKey));
    if (same) throw new AppError('conflict', 'This dose has already been recorded as given.');
    if (v.status === 'given') throw new AppError('conflict', 'This dose has already been recorded as given.');
    if (v.status !== 'scheduled') throw new AppError('conflict', 'This visit is closed: the dose was recorded as not given.');
    const [rx] = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, v.cycleId), inArray(prescriptions.state, LIVE_STATES))).limit(1);
    if (!rx) throw new AppError('conflict', 'No prescription has been released for this dose: do not give it.');
    const { rx: visible } = await loadPrescription(tx, ctx, rx.id);
    const startedAt = new Date(input.startedAt);
    const endedAt = new Date(input.endedAt);
    const today = londonDate(ctx.now);
    const problems = administrationProblems({ ...input, startedAt, endedAt }, { prescribed: visible.doses, route: visible.route, today, now: ctx.now });
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const [check] = await tx.select().from(visitChecks).where(eq(visitChecks.visitId, id)).orderBy(desc(visitChecks.recordedAt)).limit(1);
    if (!check) throw new AppError('conflict', 'Complete the pre-administration checklist before recording the dose.');
    if (check.decision !== 'give') throw new AppError('conflict', 'The checklist decided not to give this dose: record it as not given.');
    const givenOn = londonDate(startedAt);
    const updated = await administerInTx(tx, ctx, rx.id, { givenOn, doses: input.doses, anaphylaxisKitConfirmed: input.anaphylaxisKitConfirmed }, { visitId: id, route: input.route, site: input.site.trim(), startedAt, endedAt, batch: input.batch.trim(), expiry: input.expiry, observationCompleted: input.observationCompleted, idempotencyKey: input.idempotencyKey });
    await tx.update(visits).set({ status: 'given', version: v.version + 1, updatedAt: ctx.now }).where(eq(visits.id, id));
    await claimKey(tx, input.idempotencyKey, v, 'administration', rx.id, ctx.now);
    await audit(tx, ctx, { action: 'visit:dose', patientId: v.patientId, detail: { visitId: id, prescriptionId: rx.id, givenOn } });
    return updated;
  });
}

export const NOT_GIVEN_REASONS = {
  OBSERVATIONS_OUT_OF_RANGE: 'Observations outside the limits',
  PATIENT_UNWELL: 'Patient unwell or symptoms',
  PATIENT_DECLINED: 'Patient declined the dose',
  NOT_AT_HOME: 'Patient not at home',
  PRODUCT_PROBLEM: 'Product problem (cold chain, damage, wrong item)',
  VENOUS_ACCESS: 'Venous access not possible',
  OTHER: 'Other',
} as const;

/** "Not given": the prescription ends, the visit closes, and the Trust gets a deferral request on its worklist. */
export function recordNotGiven(db: Db, ctx: RequestContext, id: string, input: { idempotencyKey: string; reasonCode: keyof typeof NOT_GIVEN_REASONS; note?: string }) {
  return withContext(db, ctx, async (tx) => {
    const v = await openVisitForNurse(tx, ctx, id);
    if (await keyUsed(tx, input.idempotencyKey)) throw new AppError('conflict', ALREADY);
    if (v.status !== 'scheduled') throw new AppError('conflict', 'This visit is already closed.');
    const reason = `${NOT_GIVEN_REASONS[input.reasonCode]}${input.note?.trim() ? `: ${input.note.trim()}` : ''}`;
    const [rx] = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, v.cycleId), inArray(prescriptions.state, ['transmitted', 'delivered']))).limit(1);
    if (rx) await applyStep(tx, ctx, rx, 'not-given', { reason, set: { endReason: reason } });
    await tx.update(visits).set({ status: 'not-given', version: v.version + 1, updatedAt: ctx.now }).where(eq(visits.id, id));
    const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, v.cycleId));
    const [alert] = await tx
      .insert(trustAlerts)
      .values({ patientId: v.patientId, trustId: v.trustId, cycleId: v.cycleId, visitId: id, kind: 'deferral-request', message: `Cycle ${cycle!.cycleNumber} was not given on ${v.visitDate} (${reason}). Defer the cycle to a new date.`, raisedByOrg: ctx.orgId, raisedAt: ctx.now })
      .returning();
    await claimKey(tx, input.idempotencyKey, v, 'not-given', alert!.id, ctx.now);
    await audit(tx, ctx, { action: 'visit:not-given', patientId: v.patientId, detail: { visitId: id, reason } });
    return alert!;
  });
}

/** A reaction, graded CTCAE v5. Grade 2 or more alerts the Trust and makes the next planned dose hospital only. */
export function recordReaction(db: Db, ctx: RequestContext, id: string, input: { idempotencyKey: string; grade: number; description: string; actions: string[] }) {
  return withContext(db, ctx, async (tx) => {
    const v = await openVisitForNurse(tx, ctx, id);
    if (await keyUsed(tx, input.idempotencyKey)) throw new AppError('conflict', ALREADY);
    const problems = reactionProblems(input);
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const [row] = await tx.insert(reactions).values({ visitId: id, patientId: v.patientId, trustId: v.trustId, providerId: v.providerId, grade: input.grade, description: input.description.trim(), actions: input.actions, recordedBy: ctx.userId, recordedAt: ctx.now }).returning();
    let nextCycle: number | null = null;
    if (input.grade >= ALERT_FROM_GRADE) {
      const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, v.cycleId));
      const [next] = await tx.select().from(cycles).where(and(eq(cycles.courseId, cycle!.courseId), eq(cycles.status, 'planned'), gt(cycles.cycleNumber, cycle!.cycleNumber))).orderBy(asc(cycles.cycleNumber)).limit(1);
      const why = `${CTCAE_GRADES[input.grade]} reaction on ${v.visitDate}: ${input.description.trim()}`;
      if (next) {
        await tx.update(cycles).set({ hospitalOnlyReason: why, updatedAt: ctx.now }).where(eq(cycles.id, next.id));
        nextCycle = next.cycleNumber;
      }
      await tx.insert(trustAlerts).values({ patientId: v.patientId, trustId: v.trustId, cycleId: next?.id ?? null, visitId: id, kind: 'reaction', message: `${why}. ${next ? `Cycle ${next.cycleNumber} is marked hospital only until a prescriber reviews this reaction.` : ''}`.trim(), raisedByOrg: ctx.orgId, raisedAt: ctx.now });
    }
    await claimKey(tx, input.idempotencyKey, v, 'reaction', row!.id, ctx.now);
    await audit(tx, ctx, { action: 'visit:reaction', patientId: v.patientId, detail: { visitId: id, grade: input.grade, hospitalOnlyCycle: nextCycle } });
    return { reaction: row!, hospitalOnlyCycle: nextCycle };
  });
}

/** An incident linked to the visit, visible to the Trust's cancer manager (an alert on the Trust's list). */
export function recordIncident(db: Db, ctx: RequestContext, id: string, input: { idempotencyKey: string; kind: (typeof incidents.$inferInsert)['kind']; severity: (typeof incidents.$inferInsert)['severity']; description: string }) {
  return withContext(db, ctx, async (tx) => {
    const v = await openVisitForNurse(tx, ctx, id);
    if (await keyUsed(tx, input.idempotencyKey)) throw new AppError('conflict', ALREADY);
    if (!input.description.trim()) throw new AppError('validation', 'Describe what happened', { description: 'Describe what happened' });
    const [row] = await tx.insert(incidents).values({ visitId: id, patientId: v.patientId, trustId: v.trustId, providerId: v.providerId, kind: input.kind, severity: input.severity, description: input.description.trim(), recordedBy: ctx.userId, recordedAt: ctx.now }).returning();
    await tx.insert(trustAlerts).values({ patientId: v.patientId, trustId: v.trustId, cycleId: v.cycleId, visitId: id, kind: 'incident', message: `Incident at the home visit on ${v.visitDate} (${input.kind.toLowerCase().replace(/_/g, ' ')}, ${input.severity}): ${input.description.trim()}`, raisedByOrg: ctx.orgId, raisedAt: ctx.now });
    await claimKey(tx, input.idempotencyKey, v, 'incident', row!.id, ctx.now);
    await audit(tx, ctx, { action: 'visit:incident', patientId: v.patientId, detail: { visitId: id, kind: input.kind, severity: input.severity } });
    return row!;
  });
}

/** The Trust's open alerts (reactions, deferral requests, incidents), newest first. */
export function openAlerts(db: Db, ctx: RequestContext, patientId?: string) {
  return withContext(db, ctx, async (tx) => {
    const rows = await tx
      .select({ a: trustAlerts, p: { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber } })
      .from(trustAlerts)
      .innerJoin(patients, eq(patients.id, trustAlerts.patientId))
      .where(and(patientScope(ctx), eq(trustAlerts.trustId, ctx.orgId), isNull(trustAlerts.resolvedAt), patientId ? eq(trustAlerts.patientId, patientId) : undefined))
      .orderBy(desc(trustAlerts.raisedAt));
    await audit(tx, ctx, { action: 'alert:list', patientId: patientId ?? null, detail: { count: rows.length } });
    return rows;
  });
}

/**
 * The Trust deals with an alert. A reaction alert is a prescriber's review, which lifts the "hospital only" mark from
 * the next dose; a deferral request is answered by deferring the cycle (this only closes it when no dose is needed).
 */
export function resolveAlert(db: Db, ctx: RequestContext, id: string, input: { resolution: string }) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select({ a: trustAlerts }).from(trustAlerts).innerJoin(patients, eq(patients.id, trustAlerts.patientId)).where(and(eq(trustAlerts.id, id), eq(trustAlerts.trustId, ctx.orgId), patientScope(ctx)));
    if (!row) throw notFound('alert');
    const a = row.a;
    if (a.resolvedAt) throw new AppError('conflict', 'This alert has already been dealt with.');
    if (!input.resolution.trim()) throw new AppError('validation', 'Enter what was decided', { resolution: 'Enter what was decided' });
    if (a.kind === 'reaction' && ctx.role !== 'trust-prescriber') throw new AppError('forbidden', 'Only a prescriber can review a reaction and lift the hospital-only mark.');
    await tx.update(trustAlerts).set({ resolvedBy: ctx.userId, resolvedAt: ctx.now, resolution: input.resolution.trim() }).where(eq(trustAlerts.id, id));
    if (a.kind === 'reaction' && a.cycleId) await tx.update(cycles).set({ hospitalOnlyReason: null, updatedAt: ctx.now }).where(eq(cycles.id, a.cycleId));
    await audit(tx, ctx, { action: `alert:resolve`, patientId: a.patientId, detail: { alertId: id, kind: a.kind } });
    return { ...a, resolvedAt: ctx.now };
  });
}

/** What the provider recorded for a patient, for the Trust's patient record and the episode timeline. */
export function visitRecordFor(db: Db, ctx: RequestContext, patientId: string) {
  return withContext(db, ctx, async (tx) => {
    const [p] = await tx.select({ id: patients.id }).from(patients).where(and(eq(patients.id, patientId), patientScope(ctx)));
    if (!p) throw notFound('patient');
    const list = await tx.select().from(visits).where(eq(visits.patientId, patientId)).orderBy(asc(visits.visitDate));
    const given = await tx.select().from(administrations).where(eq(administrations.patientId, patientId)).orderBy(asc(administrations.givenOn));
    const reacts = await tx.select().from(reactions).where(eq(reactions.patientId, patientId)).orderBy(asc(reactions.recordedAt));
    const incs = await tx.select().from(incidents).where(eq(incidents.patientId, patientId)).orderBy(asc(incidents.recordedAt));
    await audit(tx, ctx, { action: 'visit:record-read', patientId });
    return { visits: list, administrations: given, reactions: reacts, incidents: incs };
  });
}
