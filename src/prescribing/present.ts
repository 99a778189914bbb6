/** Rows → JSON for the prescribing API (and view models for the pages), chosen for the viewer. */
import type { RequestContext } from '../platform/context.ts';
import { allowedPrescriptionEvents, FHIR_STATUS, pharmacistVerified } from './prescription-rules.ts';
import type { CycleRow, LvefRow, PrescriptionRow } from './schema.ts';
import type { getCourse } from './courses.ts';

export const presentCycle = (c: CycleRow) => ({ id: c.id, cycle: c.cycleNumber, originalDueDate: c.originalDueDate, dueDate: c.dueDate, kind: c.kind, place: c.place, status: c.status, givenOn: c.givenOn });

export function presentPrescription(rx: PrescriptionRow) {
  return {
    id: rx.id,
    courseId: rx.courseId,
    cycleId: rx.cycleId,
    cycle: rx.cycleNumber,
    doseKind: rx.doseKind,
    doseDate: rx.doseDate,
    validFrom: rx.validFrom,
    validTo: rx.validTo,
    weightKg: rx.weightKg,
    weightMeasuredOn: rx.weightMeasuredOn,
    bsaM2: rx.bsaM2,
    doses: rx.doses,
    route: rx.route,
    infusionMinutes: rx.infusionMinutes,
    observationMinutes: rx.observationMinutes,
    premedication: rx.premedication,
    anaphylaxisKit: rx.anaphylaxisKit,
    state: rx.state,
    fhirStatus: FHIR_STATUS[rx.state],
    pharmacistVerified: pharmacistVerified(rx),
    heldFrom: rx.heldFrom,
    signedBy: rx.signedBy,
    signedAt: rx.signedAt?.toISOString() ?? null,
    verifiedBy: rx.verifiedBy,
    verifiedAt: rx.verifiedAt?.toISOString() ?? null,
    releasedAt: rx.releasedAt?.toISOString() ?? null,
    delivery: rx.delivery,
    deliveredAt: rx.deliveredAt?.toISOString() ?? null,
    endReason: rx.endReason,
    version: rx.version,
    allowedEvents: allowedPrescriptionEvents(rx.state),
  };
}

export const presentLvef = (l: LvefRow) => ({
  id: l.id,
  measuredOn: l.measuredOn,
  method: l.method,
  percent: l.percent,
  reportingClinician: l.reportingClinician,
  symptomaticHeartFailure: l.symptomaticHeartFailure,
  assessedAt: l.assessedAt?.toISOString() ?? null,
  action: l.action,
  message: l.message,
  warnings: l.warnings ?? [],
});

type CourseView = Awaited<ReturnType<typeof getCourse>>;

export function presentCourse(v: CourseView, ctx: RequestContext) {
  const trust = ctx.orgKind === 'trust';
  return {
    id: v.course.id,
    episodeId: v.course.episodeId,
    patientId: v.course.patientId,
    regimen: { id: v.regimen.id, code: v.regimen.code, version: v.regimen.version, name: v.regimen.name },
    startDate: v.course.startDate,
    status: v.course.status,
    suspendedOn: v.course.suspendedOn,
    repeatLvefDueBy: v.course.repeatLvefDueBy,
    version: v.course.version,
    schedule: v.schedule.map(presentCycle),
    // A provider sees only the prescriptions released to it (row-level security already filters them).
    prescriptions: v.prescriptions.map(presentPrescription),
    overrides: v.overrides.map((o) => ({ id: o.id, prescriptionId: o.prescriptionId, reason: o.reason, blocks: o.blocks, byName: o.byName, at: o.at.toISOString() })),
    deferrals: v.deferrals.map((d) => ({ id: d.id, cycleId: d.cycleId, reasonCode: d.reasonCode, note: d.note, originalDueDate: d.originalDueDate, fromDate: d.fromDate, newDate: d.newDate, daysLate: d.daysLate, doseKind: d.doseKind, outcome: d.outcome, at: d.at.toISOString() })),
    weights: trust ? v.weights.map((w) => ({ weightKg: w.weightKg, heightCm: w.heightCm, measuredOn: w.measuredOn })) : [],
    lvef: v.lvef.map(presentLvef),
    baselineId: v.baselineId,
    monitoring: { state: v.monitoring.state, dueDate: v.monitoring.dueDate, releaseUntil: v.monitoring.releaseUntil, message: v.monitoring.message },
    gate: v.gate ? { allowed: v.gate.allowed, blocking: v.gate.blocking, warnings: v.gate.warnings } : null,
  };
}
