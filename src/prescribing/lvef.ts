/**
 * LVEF results and their assessment (spec §3): Trust staff record results as reported; a prescriber assesses each
 * with the decision table (pure rules in lvef-rules.ts). A suspension holds every open prescription of the course in
 * the same transaction and sets the repeat-LVEF task; nothing but a prescriber's resume decision, after a newer
 * assessed result, lifts it (rule 19).
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { formatDate } from './dates.ts';
import { assessLvef, baselineBlocks, lvefProblem, methodProblem, type LvefMethod } from './lvef-rules.ts';
import { loadCourse, lockCourse, lvefHistory, reading } from './course-data.ts';
import { applyStep } from './prescription-store.ts';
import { lvefResults, prescriptions, treatmentCourses } from './schema.ts';

export interface LvefInput {
  measuredOn: string;
  method: LvefMethod;
  percent: number;
  reportingClinician: string;
  symptomaticHeartFailure?: boolean;
}

export function recordLvef(db: Db, ctx: RequestContext, courseId: string, input: LvefInput) {
  return withContext(db, ctx, async (tx) => {
    const { course } = await loadCourse(tx, ctx, courseId);
    if (course.trustId !== ctx.orgId) throw notFound('treatment course');
    const fields: Record<string, string> = {};
    const p = lvefProblem(input.percent);
    if (p) fields.percent = p;
    else if (!Number.isInteger(input.percent)) fields.percent = 'Enter the LVEF as a whole number, for example 60';
    const m = methodProblem(input.method);
    if (m) fields.method = m;
    if (input.measuredOn > londonDate(ctx.now)) fields.measuredOn = 'The date of the scan must be today or in the past';
    if (!input.reportingClinician.trim()) fields.reportingClinician = 'Enter the name of the clinician who reported the scan';
    if (Object.keys(fields).length) throw new AppError('validation', Object.values(fields)[0]!, fields);
    const [row] = await tx
      .insert(lvefResults)
      .values({ courseId, patientId: course.patientId, trustId: course.trustId, measuredOn: input.measuredOn, method: input.method, percent: input.percent, reportingClinician: input.reportingClinician.trim(), symptomaticHeartFailure: input.symptomaticHeartFailure ?? false, recordedBy: ctx.userId, recordedAt: ctx.now })
      .returning();
    await audit(tx, ctx, { action: 'lvef:record', patientId: course.patientId, detail: { courseId, resultId: row!.id, percent: input.percent, measuredOn: input.measuredOn } });
    return row!;
  });
}

/** A prescriber assesses a result: the baseline against the start rules, any later one against the decision table. */
export function assessLvefResult(db: Db, ctx: RequestContext, resultId: string, input: { note?: string }) {
  return withContext(db, ctx, async (tx) => {
    const [found] = await tx.select().from(lvefResults).where(eq(lvefResults.id, resultId));
    if (!found) throw notFound('LVEF result');
    const loaded = await loadCourse(tx, ctx, found.courseId);
    if (loaded.course.trustId !== ctx.orgId) throw notFound('LVEF result');
    await lockCourse(tx, loaded.course.id);
    const [result] = await tx.select().from(lvefResults).where(eq(lvefResults.id, resultId));
    if (result!.assessedAt) throw new AppError('conflict', `This result was already assessed on ${formatDate(londonDate(result!.assessedAt))}.`);
    const { course, def } = loaded;
    const { baseline } = await lvefHistory(tx, course);
    const today = londonDate(ctx.now);
    let action: (typeof lvefResults.$inferSelect)['action'];
    let message: string;
    let warnings: string[] = [];
    let suspend = false;
    let repeatDueBy: string | null = null;
    if (baseline && baseline.id === result!.id) {
      const blocks = baselineBlocks(def, reading(result!), course.startDate);
      action = blocks.length ? 'baseline-blocked' : 'baseline-ok';
      message = blocks.length ? blocks.map((b) => b.message).join('. ') : `Baseline LVEF ${result!.percent}%: treatment may start`;
    } else {
      if (!baseline) throw new AppError('conflict', 'There is no baseline LVEF (a result on or before cycle 1): record and assess the baseline first.');
      const [suspending] = course.suspendedOn
        ? await tx.select().from(lvefResults).where(and(eq(lvefResults.courseId, course.id), eq(lvefResults.action, 'suspend'))).orderBy(desc(lvefResults.assessedAt)).limit(1)
        : [];
      const a = assessLvef(def, { baseline: reading(baseline), current: reading(result!), symptomaticHeartFailure: result!.symptomaticHeartFailure, suspendedAt: suspending ? reading(suspending) : null });
      action = a.action;
      message = a.message;
      warnings = a.warnings;
      suspend = a.action === 'suspend';
      repeatDueBy = a.repeatDueBy;
    }
    const [assessed] = await tx
      .update(lvefResults)
      .set({ assessedBy: ctx.userId, assessedAt: ctx.now, action, message, warnings, assessmentNote: input.note ?? null })
      .where(eq(lvefResults.id, resultId))
      .returning();
    const held: string[] = [];
    if (!suspend && course.suspendedOn && result!.measuredOn >= course.suspendedOn) {
      // The repeat scan the suspension asked for has been done: the task leaves the worklist; treatment stays suspended.
      await tx.update(treatmentCourses).set({ repeatLvefDueBy: null, version: course.version + 1, updatedAt: ctx.now }).where(eq(treatmentCourses.id, course.id));
    }
    if (suspend) {
      await tx.update(treatmentCourses).set({ status: 'suspended', suspendedOn: today, repeatLvefDueBy: repeatDueBy, version: course.version + 1, updatedAt: ctx.now }).where(eq(treatmentCourses.id, course.id));
      const open = await tx.select().from(prescriptions).where(and(eq(prescriptions.courseId, course.id), inArray(prescriptions.state, ['signed', 'verified', 'transmitted', 'delivered'])));
      for (const rx of open) {
        await applyStep(tx, ctx, rx, 'hold', { reason: `Cardiac suspension: ${message}` });
        held.push(rx.id);
      }
    }
    await audit(tx, ctx, { action: 'lvef:assess', patientId: course.patientId, detail: { resultId, action, suspended: suspend, prescriptionsHeld: held } });
    return { result: assessed!, suspended: suspend, prescriptionsHeld: held };
  });
}

/**
 * A prescriber's decision to resume after a cardiac suspension: it needs a result measured after the suspension and
 * assessed. Held prescriptions stay on hold — each is resumed, or deferred (re-applying the missed-dose rule), on its own.
 */
export function resumeCourse(db: Db, ctx: RequestContext, courseId: string, input: { reason: string }) {
  return withContext(db, ctx, async (tx) => {
    const { course } = await loadCourse(tx, ctx, courseId);
    if (course.trustId !== ctx.orgId) throw notFound('treatment course');
    await lockCourse(tx, courseId);
    if (!input.reason.trim()) throw new AppError('validation', 'Enter the reason for resuming treatment', { reason: 'Enter the reason for resuming treatment' });
    if (!course.suspendedOn) throw new AppError('conflict', 'Treatment is not suspended.');
    const { results } = await lvefHistory(tx, course);
    const newer = results.filter((r) => r.measuredOn >= course.suspendedOn! && r.assessedAt !== null && r.action !== 'suspend');
    if (!newer.length) throw new AppError('conflict', `Record and assess an LVEF measured since the suspension on ${formatDate(course.suspendedOn)} before resuming.`);
    const [updated] = await tx.update(treatmentCourses).set({ status: 'active', suspendedOn: null, repeatLvefDueBy: null, version: course.version + 1, updatedAt: ctx.now }).where(eq(treatmentCourses.id, courseId)).returning();
    await audit(tx, ctx, { action: 'course:resume', patientId: course.patientId, detail: { courseId, reason: input.reason.trim(), afterResult: newer.at(-1)!.id } });
    return updated!;
  });
}
