/**
 * Loading a course and everything the rules need about it inside one transaction, and the cardiac dose gate asked
 * against the database's own state. Every caller re-reads inside its own transaction, so a decision is never taken
 * on a page's stale copy.
 */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { RequestContext } from '../platform/context.ts';
import type { Tx } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { episodes } from '../pathway/schema.ts';
import { consents } from '../pathway/config-schema.ts';
import { doseGate, type GateResult } from './gate-rules.ts';
import { baselineBlocks, type LvefReading } from './lvef-rules.ts';
import { lvefMonitoringStatus } from './lvef-schedule.ts';
import type { RegimenDefinition } from './regimen.ts';
import { administrations, cycles, doseOverrides, lvefResults, regimens, treatmentCourses, type CourseRow, type LvefRow, type PrescriptionRow, type RegimenRow } from './schema.ts';

export interface LoadedCourse {
  course: CourseRow;
  regimen: RegimenRow;
  def: RegimenDefinition;
  episodeState: string;
  providerId: string | null;
}

/** A course the user may see (row-level security and the patient scope), with its pinned regimen version. */
export async function loadCourse(tx: Tx, ctx: RequestContext, courseId: string): Promise<LoadedCourse> {
  const [row] = await tx
    .select({ course: treatmentCourses, regimen: regimens, episodeState: episodes.state, providerId: episodes.providerId })
    .from(treatmentCourses)
    .innerJoin(patients, eq(patients.id, treatmentCourses.patientId))
    .innerJoin(regimens, eq(regimens.id, treatmentCourses.regimenId))
    .innerJoin(episodes, eq(episodes.id, treatmentCourses.episodeId))
    .where(and(eq(treatmentCourses.id, courseId), patientScope(ctx)));
  if (!row) throw notFound('treatment course');
  return { course: row.course, regimen: row.regimen, def: row.regimen.definition, episodeState: row.episodeState, providerId: row.providerId };
}

/** Locks the course row for the rest of the transaction: deferral, suspension and release queue behind each other. */
export async function lockCourse(tx: Tx, courseId: string): Promise<void> {
  await tx.select({ id: treatmentCourses.id }).from(treatmentCourses).where(eq(treatmentCourses.id, courseId)).for('update');
}

export const reading = (r: LvefRow): LvefReading => ({ date: r.measuredOn, percent: r.percent, method: r.method });

/** The course's LVEF results in date order, and the baseline: the latest measured on or before cycle 1's date. */
export async function lvefHistory(tx: Tx, course: CourseRow): Promise<{ results: LvefRow[]; baseline: LvefRow | null }> {
  const results = await tx.select().from(lvefResults).where(eq(lvefResults.courseId, course.id)).orderBy(asc(lvefResults.measuredOn), asc(lvefResults.recordedAt));
  const before = results.filter((r) => r.measuredOn <= course.startDate);
  return { results, baseline: before.at(-1) ?? null };
}

/** Both consents (treatment at home and data sharing) are on file and not withdrawn for the episode. */
export async function consentOnFile(tx: Tx, episodeId: string): Promise<boolean> {
  const rows = await tx.select({ kind: consents.kind }).from(consents).where(and(eq(consents.episodeId, episodeId), isNull(consents.withdrawnAt)));
  const kinds = new Set(rows.map((r) => r.kind));
  return kinds.has('home-treatment') && kinds.has('data-sharing');
}

/** The latest override a prescriber recorded on this prescription, if any. */
export async function overrideFor(tx: Tx, prescriptionId: string) {
  const [o] = await tx.select().from(doseOverrides).where(eq(doseOverrides.prescriptionId, prescriptionId)).orderBy(desc(doseOverrides.at)).limit(1);
  return o ?? null;
}

/**
 * The cardiac gate for one prescription on one date (spec §3.7; the gate): baseline blocks until the first dose
 * of the course has been given, monitoring status for the date, suspension, results awaiting assessment, and any
 * prescriber override recorded on this prescription.
 */
export async function gateFor(tx: Tx, loaded: LoadedCourse, rx: Pick<PrescriptionRow, 'id'> | null, onDate: string, action: 'release' | 'administer'): Promise<GateResult & { overrideId: string | null }> {
  const { course, def } = loaded;
  const { results, baseline } = await lvefHistory(tx, course);
  const [given] = await tx.select({ id: administrations.id }).from(administrations).innerJoin(cycles, eq(cycles.id, administrations.cycleId)).where(eq(cycles.courseId, course.id)).limit(1);
  const started = !!given;
  const blocks = started ? [] : baselineBlocks(def, baseline ? reading(baseline) : null, course.startDate);
  const measured = results.filter((r) => r.measuredOn <= onDate).at(-1);
  const monitoring = lvefMonitoringStatus(def, measured?.measuredOn ?? null, onDate);
  const awaiting = results.filter((r) => r.assessedAt === null).length;
  const override = rx ? await overrideFor(tx, rx.id) : null;
  const gate = doseGate({ action, baseline: blocks, monitoring, suspended: course.suspendedOn !== null, awaitingAssessment: awaiting, override: override ? { name: override.byName, reason: override.reason } : null });
  return { ...gate, overrideId: override && gate.overridden.length ? override.id : null };
}
