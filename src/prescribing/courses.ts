/**
 * Treatment courses: starting one from a home-pathway episode (the schedule generated from the pinned regimen version),
 * reading it with everything the Trust and the provider see, and weights. Schedule changes after a deferral or a dose
 * given late go through `applySchedule`, which also ends any prescription the change made stale.
 */
import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { episodes } from '../pathway/schema.ts';
import { addDays, formatDate } from './dates.ts';
import { weightForDose, weightProblem, heightProblem } from './dose-rules.ts';
import { buildSchedule, type ScheduledDose } from './schedule-rules.ts';
import { gateFor, loadCourse, lvefHistory, type LoadedCourse } from './course-data.ts';
import { lvefMonitoringStatus } from './lvef-schedule.ts';
import { publishedRegimen } from './regimen-store.ts';
import { administrations, cycles, deferrals, doseOverrides, prescriptionEvents, prescriptions, treatmentCourses, weights, type CycleRow } from './schema.ts';
import { endPrescription, LIVE_STATES } from './prescription-store.ts';
import { moveVisits } from '../visits/moves.ts';

/** Episode states in which a course may start: the patient has chosen home treatment and is not back in hospital. */
export const COURSE_STARTABLE = ['accepted', 'referred', 'provider-accepted', 'consented', 'active-at-home'];

/** Starts the course for an episode on its regimen's current published version, generating every cycle's due date. */
export function startCourse(db: Db, ctx: RequestContext, episodeId: string, input: { startDate: string }) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx
      .select({ episode: episodes })
      .from(episodes)
      .innerJoin(patients, eq(patients.id, episodes.patientId))
      .where(and(eq(episodes.id, episodeId), eq(episodes.trustId, ctx.orgId), patientScope(ctx)));
    if (!row) throw notFound('episode');
    const episode = row.episode;
    if (!COURSE_STARTABLE.includes(episode.state)) {
      throw new AppError('conflict', 'A treatment course can start only once the patient has accepted home treatment, and not after a return to hospital.');
    }
    const [existing] = await tx.select({ id: treatmentCourses.id }).from(treatmentCourses).where(eq(treatmentCourses.episodeId, episodeId));
    if (existing) throw new AppError('conflict', 'This episode already has a treatment course.');
    const regimen = await publishedRegimen(tx, episode.regimen);
    if (!regimen) throw new AppError('conflict', 'There is no published version of this regimen: ask an administrator to publish one.');
    const def = regimen.definition;
    const [course] = await tx
      .insert(treatmentCourses)
      .values({ episodeId, patientId: episode.patientId, trustId: episode.trustId, regimenId: regimen.id, startDate: input.startDate, createdBy: ctx.userId, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    const schedule = buildSchedule(def, input.startDate);
    await tx.insert(cycles).values(
      schedule.map((s) => ({
        courseId: course!.id,
        patientId: episode.patientId,
        trustId: episode.trustId,
        cycleNumber: s.cycle,
        originalDueDate: s.dueDate,
        dueDate: s.dueDate,
        kind: s.kind,
        place: s.cycle <= def.hospitalCyclesFirst || !def.homeSuitable ? ('hospital' as const) : ('home' as const),
        updatedAt: ctx.now,
      })),
    );
    await audit(tx, ctx, { action: 'course:start', patientId: episode.patientId, detail: { courseId: course!.id, regimen: regimen.code, version: regimen.version, startDate: input.startDate } });
    return course!;
  });
}

/**
 * Writes a new schedule for the cycles of a course (from `rescheduleFrom`), and ends any live prescription whose cycle
 * moved or changed dose type: a prescription must always match its cycle's date and dose, or nobody may act on it.
 * `except` is the prescription the caller deals with itself.
 */
export async function applySchedule(tx: Tx, ctx: RequestContext, loaded: LoadedCourse, current: CycleRow[], next: ScheduledDose[], except: string | null): Promise<void> {
  for (const s of next) {
    const c = current.find((x) => x.cycleNumber === s.cycle);
    if (!c || c.status !== 'planned' || (c.dueDate === s.dueDate && c.kind === s.kind)) continue;
    await tx.update(cycles).set({ dueDate: s.dueDate, kind: s.kind, updatedAt: ctx.now }).where(eq(cycles.id, c.id));
    await moveVisits(tx, ctx, c.id, s.dueDate, 'The treatment schedule changed');
    const live = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, c.id), inArray(prescriptions.state, LIVE_STATES)));
    for (const rx of live) {
      if (rx.id === except) continue;
      await endPrescription(tx, ctx, rx, 'cancel', `The schedule changed: cycle ${c.cycleNumber} moved from ${formatDate(c.dueDate)} to ${formatDate(s.dueDate)}${c.kind !== s.kind ? ` and is now a ${s.kind === 'reload' ? 're-loading' : s.kind} dose` : ''}. Prescribe it again.`);
    }
  }
  void loaded;
}

/** A course with its schedule, prescriptions, weights, LVEF results, deferrals and overrides, and the LVEF status today. */
export function getCourse(db: Db, ctx: RequestContext, courseId: string) {
  return withContext(db, ctx, async (tx) => {
    const loaded = await loadCourse(tx, ctx, courseId);
    const { course, def } = loaded;
    const schedule = await tx.select().from(cycles).where(eq(cycles.courseId, courseId)).orderBy(asc(cycles.cycleNumber));
    const rxs = await tx.select().from(prescriptions).where(eq(prescriptions.courseId, courseId)).orderBy(asc(prescriptions.cycleNumber), asc(prescriptions.createdAt));
    const rxIds = rxs.map((r) => r.id);
    const events = rxIds.length ? await tx.select().from(prescriptionEvents).where(inArray(prescriptionEvents.prescriptionId, rxIds)).orderBy(asc(prescriptionEvents.at), asc(prescriptionEvents.version)) : [];
    const overrides = rxIds.length ? await tx.select().from(doseOverrides).where(inArray(doseOverrides.prescriptionId, rxIds)).orderBy(asc(doseOverrides.at)) : [];
    const given = rxIds.length ? await tx.select().from(administrations).where(inArray(administrations.prescriptionId, rxIds)) : [];
    const deferred = await tx.select().from(deferrals).where(inArray(deferrals.cycleId, schedule.map((c) => c.id))).orderBy(asc(deferrals.at));
    const weightRows = await tx.select().from(weights).where(eq(weights.patientId, course.patientId)).orderBy(desc(weights.measuredOn), desc(weights.recordedAt)).limit(10);
    const { results, baseline } = await lvefHistory(tx, course);
    const today = londonDate(ctx.now);
    const last = results.filter((r) => r.measuredOn <= today).at(-1);
    const monitoring = lvefMonitoringStatus(def, last?.measuredOn ?? null, today);
    const nextCycle = schedule.find((c) => c.status === 'planned');
    const gate = nextCycle ? await gateFor(tx, loaded, null, nextCycle.dueDate, 'release') : null;
    await audit(tx, ctx, { action: 'course:read', patientId: course.patientId, detail: { courseId } });
    return { ...loaded, schedule, prescriptions: rxs, events, overrides, administrations: given, deferrals: deferred, weights: weightRows, lvef: results, baselineId: baseline?.id ?? null, monitoring, nextCycle: nextCycle ?? null, gate };
  });
}

/** The course of an episode, if one has started (for the episode page). */
export function courseOfEpisode(db: Db, ctx: RequestContext, episodeId: string) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select({ id: treatmentCourses.id }).from(treatmentCourses).innerJoin(patients, eq(patients.id, treatmentCourses.patientId)).where(and(eq(treatmentCourses.episodeId, episodeId), patientScope(ctx)));
    return row?.id ?? null;
  });
}

/**
 * Records a weight (and optionally height) for a course's patient. A change of the regimen's threshold or more from the
 * weight a live prescription was calculated on ends that prescription: it must be recalculated and signed again (rule 4).
 */
export function recordWeight(db: Db, ctx: RequestContext, courseId: string, input: { weightKg: number; heightCm?: number | null; measuredOn: string }) {
  return withContext(db, ctx, async (tx) => {
    const loaded = await loadCourse(tx, ctx, courseId);
    const fields: Record<string, string> = {};
    const w = weightProblem(input.weightKg);
    if (w) fields.weightKg = w;
    if (input.heightCm !== undefined && input.heightCm !== null) {
      const h = heightProblem(input.heightCm);
      if (h) fields.heightCm = h;
    }
    if (input.measuredOn > londonDate(ctx.now)) fields.measuredOn = 'The date the weight was measured must be today or in the past';
    if (Object.keys(fields).length) throw new AppError('validation', Object.values(fields)[0]!, fields);
    const { course, def } = loaded;
    const [row] = await tx
      .insert(weights)
      .values({ patientId: course.patientId, trustId: course.trustId, weightKg: input.weightKg, heightCm: input.heightCm ?? null, measuredOn: input.measuredOn, recordedBy: ctx.userId, recordedAt: ctx.now })
      .returning();
    const ended: string[] = [];
    if (def.basis !== 'fixed') {
      const live = await tx.select().from(prescriptions).where(and(eq(prescriptions.courseId, courseId), inArray(prescriptions.state, LIVE_STATES.filter((s) => s !== 'administered'))));
      for (const rx of live) {
        if (rx.weightKg === null) continue;
        const basis = weightForDose(def.weight, rx.weightKg, input.weightKg);
        if (basis.thresholdReached) {
          await endPrescription(tx, ctx, rx, 'cancel', basis.reason ?? 'The weight changed: recalculate the dose and sign again');
          ended.push(rx.id);
        }
      }
    }
    await audit(tx, ctx, { action: 'weight:record', patientId: course.patientId, detail: { courseId, weightKg: input.weightKg, measuredOn: input.measuredOn, prescriptionsEnded: ended } });
    return { weight: row!, prescriptionsEnded: ended };
  });
}

/** The most recent weight on or before a date. */
export async function latestWeight(tx: Tx, patientId: string, onOrBefore: string) {
  const [row] = await tx.select().from(weights).where(and(eq(weights.patientId, patientId), lte(weights.measuredOn, onOrBefore))).orderBy(desc(weights.measuredOn), desc(weights.recordedAt)).limit(1);
  return row ?? null;
}

export const upcomingWindow = (today: string, days: number) => ({ from: today, to: addDays(today, days) });
