/**
 * The one place a prescription's state is written: `applyStep` asks the pure state machine, writes the new state
 * guarded by the version the caller read (so two pharmacists screening at once cannot both succeed), and writes the
 * history row and the audit row in the same transaction.
 */
import { and, eq } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Tx } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { transitionPrescription, type PrescriptionChecks, type PrescriptionEvent, type PrescriptionState } from './prescription-rules.ts';
import { prescriptionEvents, prescriptions, type PrescriptionRow } from './schema.ts';

/** States in which a prescription still stands for its cycle (one per cycle, enforced by a unique index). */
export const LIVE_STATES: PrescriptionState[] = ['draft', 'signed', 'verified', 'transmitted', 'delivered', 'on-hold', 'administered'];

export const STALE_MESSAGE = 'Someone else changed this prescription since you opened it. Reload the page to see the latest, then try again.';

export interface StepOptions {
  checks?: PrescriptionChecks;
  reason?: string | null;
  data?: Record<string, unknown>;
  /** Extra columns to write with the new state (approvals, delivery, dose date). */
  set?: Partial<typeof prescriptions.$inferInsert>;
  expectedVersion?: number;
  /** The actor recorded as the system (an LVEF suspension holding every open prescription). */
  asSystem?: boolean;
}

/** Applies one lifecycle step, or throws 409 saying what is allowed. Returns the updated row. */
export async function applyStep(tx: Tx, ctx: RequestContext, rx: PrescriptionRow, event: PrescriptionEvent, opts: StepOptions = {}): Promise<PrescriptionRow> {
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== rx.version) throw new AppError('conflict', STALE_MESSAGE);
  const actor = opts.asSystem ? { userId: 'system', role: 'system' as const } : { userId: ctx.userId, role: ctx.role };
  const result = transitionPrescription({ state: rx.state, signedBy: rx.signedBy, heldFrom: rx.heldFrom }, event, actor, opts.checks ?? {});
  if (!result.ok) throw new AppError(result.reason === 'wrong-role' ? 'forbidden' : 'conflict', result.message);
  const heldFrom = event === 'hold' ? rx.state : event === 'resume' ? null : rx.heldFrom;
  const [updated] = await tx
    .update(prescriptions)
    .set({ ...opts.set, state: result.to, heldFrom, version: rx.version + 1, updatedAt: ctx.now })
    .where(and(eq(prescriptions.id, rx.id), eq(prescriptions.version, rx.version)))
    .returning();
  if (!updated) throw new AppError('conflict', STALE_MESSAGE);
  await tx.insert(prescriptionEvents).values({
    prescriptionId: rx.id,
    patientId: rx.patientId,
    trustId: rx.trustId,
    event,
    fromState: rx.state,
    toState: result.to,
    version: updated.version,
    reason: opts.reason ?? null,
    data: opts.data ?? null,
    byUserId: ctx.userId,
    byOrgId: ctx.orgId,
    at: ctx.now,
  });
  await audit(tx, ctx, { action: `prescription:${event}`, patientId: rx.patientId, detail: { prescriptionId: rx.id, cycle: rx.cycleNumber, from: rx.state, to: result.to, ...(opts.reason ? { reason: opts.reason } : {}) } });
  return updated;
}

/** Ends a prescription the schedule or a weight change made stale: cancelled, with the reason in its history. */
export async function endPrescription(tx: Tx, ctx: RequestContext, rx: PrescriptionRow, event: 'cancel', reason: string): Promise<PrescriptionRow> {
  // Cancelling is the prescriber's or pharmacist's step; when the system ends one (a weight recorded by a nurse) the
  // history still names who caused it, and the reason says why.
  const asSystem = ctx.role !== 'trust-prescriber' && ctx.role !== 'trust-pharmacist';
  if (asSystem) {
    const [updated] = await tx
      .update(prescriptions)
      .set({ state: 'cancelled', endReason: reason, version: rx.version + 1, updatedAt: ctx.now })
      .where(and(eq(prescriptions.id, rx.id), eq(prescriptions.version, rx.version)))
      .returning();
    if (!updated) throw new AppError('conflict', STALE_MESSAGE);
    await tx.insert(prescriptionEvents).values({ prescriptionId: rx.id, patientId: rx.patientId, trustId: rx.trustId, event, fromState: rx.state, toState: 'cancelled', version: updated.version, reason, byUserId: ctx.userId, byOrgId: ctx.orgId, at: ctx.now });
    await audit(tx, ctx, { action: 'prescription:cancel', patientId: rx.patientId, detail: { prescriptionId: rx.id, from: rx.state, reason } });
    return updated;
  }
  return applyStep(tx, ctx, rx, event, { reason, set: { endReason: reason } });
}
