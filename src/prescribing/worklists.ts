/**
 * The prescribing worklists, so nothing waits unseen (the pilot's "marry up" problem): for the Trust, LVEF due within
 * 14 days, overdue, and results awaiting assessment; doses in the next 14 days without a released prescription;
 * prescriptions awaiting screening. For the provider, released prescriptions to dispense.
 */
import { and, asc, eq, gte, inArray, isNull, lte, notInArray } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { addDays } from './dates.ts';
import { lvefMonitoringStatus } from './lvef-schedule.ts';
import { cycles, lvefResults, prescriptions, regimens, treatmentCourses } from './schema.ts';

export interface PrescribingItem {
  patientId: string;
  name: string;
  nhsNumber: string;
  courseId: string;
  detail: string;
  date: string | null;
  href: string;
}

const person = { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber };
const nameOf = (p: { givenName: string; familyName: string }) => `${p.familyName}, ${p.givenName}`;

/**
 * Every query names the Trust on the table it reads (not only through the patient), so the database goes straight to
 * the Trust's rows by index instead of reading every Trust's and letting row-level security drop them
 * (docs/performance.md). The worklists are for Trust staff only (policy: own-org).
 */
export function prescribingWorklists(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const today = londonDate(ctx.now);
    const horizon = addDays(today, 14);
    const lvefDueSoon: PrescribingItem[] = [];
    const lvefOverdue: PrescribingItem[] = [];
    const courses = await tx
      .select({ c: treatmentCourses, r: regimens, p: person })
      .from(treatmentCourses)
      .innerJoin(patients, eq(patients.id, treatmentCourses.patientId))
      .innerJoin(regimens, eq(regimens.id, treatmentCourses.regimenId))
      .where(and(eq(treatmentCourses.trustId, ctx.orgId), patientScope(ctx), inArray(treatmentCourses.status, ['active', 'suspended'])));
    const lastByCourse = new Map<string, string>();
    if (courses.length) {
      const all = await tx.select({ courseId: lvefResults.courseId, on: lvefResults.measuredOn }).from(lvefResults).where(inArray(lvefResults.courseId, courses.map((c) => c.c.id)));
      for (const r of all) if (r.on <= today && (lastByCourse.get(r.courseId) ?? '') < r.on) lastByCourse.set(r.courseId, r.on);
    }
    for (const { c, r, p } of courses) {
      const s = lvefMonitoringStatus(r.definition, lastByCourse.get(c.id) ?? null, today);
      const base = { patientId: p.id, name: nameOf(p), nhsNumber: p.nhsNumber, courseId: c.id, href: `/courses/${c.id}` };
      if (c.repeatLvefDueBy) lvefDueSoon.push({ ...base, detail: `Repeat LVEF after cardiac suspension, due by ${c.repeatLvefDueBy}`, date: c.repeatLvefDueBy });
      else if (s.state === 'overdue' || s.state === 'no-assessment') lvefOverdue.push({ ...base, detail: s.message, date: s.dueDate });
      else if (s.state === 'due' || (s.state === 'due-soon' && s.dueDate! <= horizon)) lvefDueSoon.push({ ...base, detail: s.message, date: s.dueDate });
    }
    const awaiting = await tx
      .select({ l: lvefResults, p: person })
      .from(lvefResults)
      .innerJoin(patients, eq(patients.id, lvefResults.patientId))
      .where(and(eq(lvefResults.trustId, ctx.orgId), patientScope(ctx), isNull(lvefResults.assessedAt)))
      .orderBy(asc(lvefResults.measuredOn));
    const undelivered = await tx
      .select({ cy: cycles, p: person })
      .from(cycles)
      .innerJoin(patients, eq(patients.id, cycles.patientId))
      .where(and(eq(cycles.trustId, ctx.orgId), patientScope(ctx), eq(cycles.status, 'planned'), gte(cycles.dueDate, today), lte(cycles.dueDate, horizon)))
      .orderBy(asc(cycles.dueDate));
    const ready = undelivered.length
      ? await tx
          .select({ cycleId: prescriptions.cycleId, state: prescriptions.state })
          .from(prescriptions)
          .where(and(inArray(prescriptions.cycleId, undelivered.map((u) => u.cy.id)), inArray(prescriptions.state, ['transmitted', 'delivered', 'verified'])))
      : [];
    const readyCycles = new Set(ready.filter((x) => x.state !== 'verified').map((x) => x.cycleId));
    const readyHospital = new Set(ready.filter((x) => x.state === 'verified').map((x) => x.cycleId));
    const dosesWithoutRelease = undelivered
      .filter((u) => !(u.cy.place === 'home' ? readyCycles.has(u.cy.id) : readyHospital.has(u.cy.id)))
      .map((u) => ({ patientId: u.p.id, name: nameOf(u.p), nhsNumber: u.p.nhsNumber, courseId: u.cy.courseId, detail: `Cycle ${u.cy.cycleNumber} (${u.cy.place}), ${u.cy.kind === 'reload' ? 're-loading' : u.cy.kind} dose`, date: u.cy.dueDate, href: `/courses/${u.cy.courseId}` }));
    const screening = await tx
      .select({ rx: prescriptions, p: person })
      .from(prescriptions)
      .innerJoin(patients, eq(patients.id, prescriptions.patientId))
      .where(and(eq(prescriptions.trustId, ctx.orgId), patientScope(ctx), eq(prescriptions.state, 'signed')))
      .orderBy(asc(prescriptions.doseDate));
    const rxItem = (r: (typeof screening)[number], detail: string): PrescribingItem => ({ patientId: r.p.id, name: nameOf(r.p), nhsNumber: r.p.nhsNumber, courseId: r.rx.courseId, detail, date: r.rx.doseDate, href: `/prescriptions/${r.rx.id}` });
    await audit(tx, ctx, { action: 'worklist:prescribing' });
    return {
      lvefDueSoon,
      lvefOverdue,
      lvefAwaitingAssessment: awaiting.map((a) => ({ patientId: a.p.id, name: nameOf(a.p), nhsNumber: a.p.nhsNumber, courseId: a.l.courseId, detail: `LVEF ${a.l.percent}% measured ${a.l.measuredOn}, awaiting assessment`, date: a.l.measuredOn, href: `/courses/${a.l.courseId}` })),
      dosesWithoutRelease,
      awaitingScreening: screening.map((r) => rxItem(r, `Cycle ${r.rx.cycleNumber}: signed, awaiting screening`)),
    };
  });
}

/** The provider's pharmacy list: prescriptions released to it and not yet dispensed. */
export function providerDispensingList(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const rows = await tx
      .select({ rx: prescriptions, p: person })
      .from(prescriptions)
      .innerJoin(patients, eq(patients.id, prescriptions.patientId))
      .where(and(patientScope(ctx), eq(prescriptions.providerId, ctx.orgId), eq(prescriptions.state, 'transmitted'), notInArray(prescriptions.state, ['cancelled'])))
      .orderBy(asc(prescriptions.doseDate));
    await audit(tx, ctx, { action: 'worklist:dispensing' });
    return rows.map((r) => ({ patientId: r.p.id, name: nameOf(r.p), nhsNumber: r.p.nhsNumber, courseId: r.rx.courseId, detail: `Cycle ${r.rx.cycleNumber}: ${r.rx.doses.map((d) => `${d.drug.toLowerCase()} ${d.doseMg} mg`).join(' + ')}`, date: r.rx.doseDate, href: `/prescriptions/${r.rx.id}` }));
  });
}
