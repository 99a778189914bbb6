/**
 * Correcting a recorded home dose (issue 5): the nurse who recorded it may correct what may be corrected — the site,
 * the start and end times (on the same day) and the observation period — with the record's version, so an edit made
 * on a stale copy is refused rather than overwriting someone else's. The dose, its date, batch and prescription can
 * never change (a database trigger refuses it too). Nothing is deleted: the values before and after, and the reason,
 * go into the audit row in the same transaction.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { formatDate } from '../prescribing/dates.ts';
import { administrations } from '../prescribing/schema.ts';
import { administrationProblems } from './rules.ts';
import { visits, type VisitRow } from './schema.ts';

export type AdministrationRow = typeof administrations.$inferSelect;

export const STALE_DOSE = 'Someone else changed this dose record since you opened it. Reload the page to see the latest, then try again.';
export const NO_DOSE = 'No dose has been recorded at this visit';
export const NOT_RECORDER = 'Only the nurse who recorded this dose can correct it.';
const REASON = 'Enter the reason for the correction';

const instant = (label: string) => z.string({ error: `Enter ${label}` }).refine((s) => !Number.isNaN(Date.parse(s)), `Enter ${label} as a date and time`);
export const CorrectionInput = z.strictObject({
  expectedVersion: z.number({ error: 'The correction has no version: reload the page' }).int().positive(),
  site: z.string({ error: 'Enter the site' }).max(100, 'The site must be 100 characters or fewer'),
  startedAt: instant('the start time'),
  endedAt: instant('the end time'),
  observationCompleted: z.boolean({ error: 'Confirm the observation period was completed' }),
  reason: z.string({ error: REASON }).max(500, 'The reason must be 500 characters or fewer'),
});
export type CorrectionInput = z.infer<typeof CorrectionInput>;

/** The parts of a dose record that may be corrected. */
const CORRECTABLE = ['site', 'startedAt', 'endedAt', 'observationCompleted'] as const;

/**
 * Problems with a correction, with the recording's own rules (site, times in order and not in the future, the
 * observation period) and two of its own: both times on the London date the dose was given, and a reason.
 */
export function correctionProblems(a: Pick<AdministrationRow, 'doses' | 'route' | 'batch' | 'givenOn'>, e: { site: string; startedAt: Date; endedAt: Date; observationCompleted: boolean; reason: string }, now: Date): Record<string, string> {
  const all = administrationProblems(
    { doses: a.doses, route: a.route ?? '', site: e.site, startedAt: e.startedAt, endedAt: e.endedAt, batch: a.batch ?? '-', expiry: '9999-12-31', observationCompleted: e.observationCompleted },
    { prescribed: a.doses, route: a.route ?? '', today: '', now },
  );
  const p: Record<string, string> = {};
  for (const k of CORRECTABLE) if (all[k]) p[k] = all[k];
  const day = formatDate(a.givenOn);
  if (!p.startedAt && londonDate(e.startedAt) !== a.givenOn) p.startedAt = `The start time must be on ${day}, the day the dose was given`;
  if (!p.endedAt && londonDate(e.endedAt) !== a.givenOn) p.endedAt = `The end time must be on ${day}, the day the dose was given`;
  if (!e.reason.trim()) p.reason = REASON;
  return p;
}

async function loadOwnVisit(tx: Tx, ctx: RequestContext, id: string): Promise<VisitRow> {
  const [row] = await tx.select({ v: visits }).from(visits).innerJoin(patients, eq(patients.id, visits.patientId)).where(and(eq(visits.id, id), patientScope(ctx)));
  if (!row || row.v.providerId !== ctx.orgId) throw notFound('visit');
  return row.v;
}

const snapshot = (a: Pick<AdministrationRow, 'site' | 'startedAt' | 'endedAt' | 'observationCompleted'>) => ({
  site: a.site,
  startedAt: a.startedAt?.toISOString() ?? null,
  endedAt: a.endedAt?.toISOString() ?? null,
  observationCompleted: a.observationCompleted,
});

/**
 * Corrects the dose recorded at a visit. Refused when the version sent is not the record's (someone changed it since
 * it was read), and again by the update itself (WHERE version = expected), so of two concurrent edits one loses.
 */
export function correctVisitDose(db: Db, ctx: RequestContext, visitId: string, input: CorrectionInput) {
  return withContext(db, ctx, async (tx) => {
    const v = await loadOwnVisit(tx, ctx, visitId);
    const [a] = await tx.select().from(administrations).where(eq(administrations.visitId, v.id)).limit(1);
    if (!a) throw new AppError('conflict', NO_DOSE);
    if (a.recordedBy !== ctx.userId) throw new AppError('forbidden', NOT_RECORDER);
    if (input.expectedVersion !== a.version) throw new AppError('conflict', STALE_DOSE);
    const startedAt = new Date(input.startedAt);
    const endedAt = new Date(input.endedAt);
    const problems = correctionProblems(a, { ...input, startedAt, endedAt }, ctx.now);
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const [updated] = await tx
      .update(administrations)
      .set({ site: input.site.trim(), startedAt, endedAt, observationCompleted: input.observationCompleted, version: a.version + 1 })
      .where(and(eq(administrations.id, a.id), eq(administrations.version, input.expectedVersion)))
      .returning();
    if (!updated) throw new AppError('conflict', STALE_DOSE);
    await audit(tx, ctx, {
      action: 'visit:dose-correct',
      patientId: a.patientId,
      detail: { visitId: v.id, administrationId: a.id, prescriptionId: a.prescriptionId, fromVersion: a.version, toVersion: updated.version, before: snapshot(a), after: snapshot(updated), reason: input.reason.trim() },
    });
    return updated;
  });
}

/** The dose record as the API shows it, with the version a correction must send back. */
export const presentAdministration = (a: AdministrationRow) => ({
  id: a.id,
  visitId: a.visitId,
  prescriptionId: a.prescriptionId,
  givenOn: a.givenOn,
  doses: a.doses,
  route: a.route,
  site: a.site,
  startedAt: a.startedAt?.toISOString() ?? null,
  endedAt: a.endedAt?.toISOString() ?? null,
  batch: a.batch,
  observationCompleted: a.observationCompleted,
  version: a.version,
});
