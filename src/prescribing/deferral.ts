/**
 * Deferring a cycle (spec §6.3; the pilot's out-of-sync incident). One transaction: the deferral event is written,
 * the cycle moves, every later cycle is recomputed from the ORIGINAL due date by the missed-dose rule, and the cycle's
 * prescription is held for the new date — or, when the dose type changes or the new date is past its validity,
 * cancelled so a new one must be signed and screened. Anything the provider sees changes in the same commit.
 */
import { asc, and, eq, inArray } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { addDays } from './dates.ts';
import { DEFERRAL_REASONS, deferralOutcome, type DeferralReason } from './deferral-rules.ts';
import { moveVisits, resolveDeferralRequests } from '../visits/moves.ts';
import { rescheduleFrom, type DoseKind } from './schedule-rules.ts';
import { loadCourse, lockCourse } from './course-data.ts';
import { applySchedule } from './courses.ts';
import { applyStep, endPrescription, LIVE_STATES } from './prescription-store.ts';
import { cycles, deferrals, prescriptionEvents, prescriptions } from './schema.ts';

export interface DeferInput {
  newDate: string;
  reasonCode: DeferralReason;
  note?: string;
}

export function deferCycle(db: Db, ctx: RequestContext, cycleId: string, input: DeferInput) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select({ cycle: cycles }).from(cycles).innerJoin(patients, eq(patients.id, cycles.patientId)).where(and(eq(cycles.id, cycleId), patientScope(ctx)));
    if (!row || row.cycle.trustId !== ctx.orgId) throw notFound('cycle');
    const loaded = await loadCourse(tx, ctx, row.cycle.courseId);
    await lockCourse(tx, loaded.course.id);
    // Re-read under the lock: a deferral must start from the schedule as it is now.
    const [cycle] = await tx.select().from(cycles).where(eq(cycles.id, cycleId));
    if (!cycle || cycle.status !== 'planned') throw new AppError('conflict', 'Only a planned cycle can be deferred.');
    const today = londonDate(ctx.now);
    if (input.newDate < today) throw new AppError('validation', 'The new date must be today or later', { newDate: 'The new date must be today or later' });
    if (input.newDate <= cycle.dueDate) {
      const msg = 'The new date must be after the date the cycle is due now';
      throw new AppError('validation', msg, { newDate: msg });
    }
    const [rx] = await tx.select().from(prescriptions).where(and(eq(prescriptions.cycleId, cycleId), inArray(prescriptions.state, LIVE_STATES)));
    // The kind the schedule planned before any deferral: a re-load is only ever the result of one.
    const plannedKind: DoseKind = cycle.kind === 'reload' ? 'maintenance' : cycle.kind;
    const outcome = deferralOutcome(loaded.def, {
      cycle: cycle.cycleNumber,
      originalDueDate: cycle.originalDueDate,
      plannedKind,
      prescribedKind: rx?.doseKind ?? cycle.kind,
      validTo: rx?.validTo ?? addDays(cycle.originalDueDate, loaded.def.validDaysAfterDue),
      newDate: input.newDate,
      reason: input.reasonCode,
    });
    if (!outcome.ok) throw new AppError('validation', Object.values(outcome.problems)[0]!, outcome.problems);

    const all = await tx.select().from(cycles).where(eq(cycles.courseId, loaded.course.id)).orderBy(asc(cycles.cycleNumber));
    const base = all.map((c) => (c.id === cycle.id ? { cycle: c.cycleNumber, dueDate: c.originalDueDate, kind: plannedKind } : { cycle: c.cycleNumber, dueDate: c.dueDate, kind: c.kind }));
    const re = rescheduleFrom(loaded.def, base, cycle.cycleNumber, input.newDate)!;
    await tx.update(cycles).set({ dueDate: input.newDate, kind: outcome.dose.kind, updatedAt: ctx.now }).where(eq(cycles.id, cycle.id));
    // The home visit moves with the cycle, and a "not given" request from the provider is answered by this deferral.
    await moveVisits(tx, ctx, cycle.id, input.newDate, `Deferred: ${DEFERRAL_REASONS[input.reasonCode]}`);
    await resolveDeferralRequests(tx, ctx, cycle.id, `Deferred to ${input.newDate}`);
    await applySchedule(tx, ctx, loaded, all.filter((c) => c.id !== cycle.id), re.schedule.filter((s) => s.cycle !== cycle.cycleNumber), null);

    let prescriptionAction: 'none' | 'held' | 'cancelled' = 'none';
    if (rx) {
      const why = `Deferred to ${input.newDate}: ${outcome.reasons.join('; ') || 'same dose on the new date'}`;
      if (outcome.then === 'cancel-and-prescribe-again' || rx.state === 'draft') {
        await endPrescription(tx, ctx, rx, 'cancel', why);
        prescriptionAction = 'cancelled';
      } else if (rx.state === 'on-hold') {
        // Already held (a cardiac suspension): it stays held, now for the new date, and its history says so.
        await tx.update(prescriptions).set({ doseDate: input.newDate, version: rx.version + 1, updatedAt: ctx.now }).where(eq(prescriptions.id, rx.id));
        await tx.insert(prescriptionEvents).values({ prescriptionId: rx.id, patientId: rx.patientId, trustId: rx.trustId, event: 'hold', fromState: 'on-hold', toState: 'on-hold', version: rx.version + 1, reason: why, byUserId: ctx.userId, byOrgId: ctx.orgId, at: ctx.now });
        prescriptionAction = 'held';
      } else {
        await applyStep(tx, ctx, rx, 'hold', { reason: why, set: { doseDate: input.newDate } });
        prescriptionAction = 'held';
      }
    }
    const [deferral] = await tx
      .insert(deferrals)
      .values({
        cycleId,
        prescriptionId: rx?.id ?? null,
        patientId: cycle.patientId,
        trustId: cycle.trustId,
        reasonCode: input.reasonCode,
        note: input.note ?? null,
        originalDueDate: cycle.originalDueDate,
        fromDate: cycle.dueDate,
        newDate: input.newDate,
        daysLate: outcome.dose.daysLate,
        doseKind: outcome.dose.kind,
        outcome: outcome.then,
        byUserId: ctx.userId,
        at: ctx.now,
      })
      .returning();
    await audit(tx, ctx, { action: 'cycle:defer', patientId: cycle.patientId, detail: { cycleId, cycle: cycle.cycleNumber, from: cycle.dueDate, to: input.newDate, doseKind: outcome.dose.kind, outcome: outcome.then, prescription: prescriptionAction } });
    return { deferral: deferral!, outcome, prescriptionAction, nextDueDate: outcome.dose.nextDueDate };
  });
}
