/**
 * What the prescribing context asks of visits inside its own transactions: when a cycle moves (a deferral, or the
 * schedule recomputed after a late dose) its open visit moves with it; a deferral answers the provider's "not given"
 * request. Kept here so the prescribing code does not know the visit tables.
 */
import { and, eq, gte, isNull } from 'drizzle-orm';
import { londonDate } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Tx } from '../platform/db/client.ts';
import { trustAlerts, visits } from './schema.ts';

export async function moveVisits(tx: Tx, ctx: RequestContext, cycleId: string, newDate: string, reason: string): Promise<void> {
  const open = await tx.select().from(visits).where(and(eq(visits.cycleId, cycleId), eq(visits.status, 'scheduled')));
  for (const v of open) {
    if (v.visitDate === newDate) continue;
    await tx.update(visits).set({ visitDate: newDate, rescheduleReason: reason, version: v.version + 1, updatedAt: ctx.now }).where(eq(visits.id, v.id));
  }
}

export async function resolveDeferralRequests(tx: Tx, ctx: RequestContext, cycleId: string, resolution: string): Promise<void> {
  await tx
    .update(trustAlerts)
    .set({ resolvedBy: ctx.userId, resolvedAt: ctx.now, resolution })
    .where(and(eq(trustAlerts.cycleId, cycleId), eq(trustAlerts.kind, 'deferral-request'), isNull(trustAlerts.resolvedAt)));
}

/**
 * The patient leaves the home pathway (back to hospital, consent withdrawn, discontinued, completed): every visit from
 * today on is cancelled with the reason, in the same transaction (spec rule 30), so no nurse goes to the door. A past
 * visit left without a dose stays as it was: it was missed, and the performance figures must say so.
 */
export async function cancelFutureVisits(tx: Tx, ctx: RequestContext, patientId: string, reason: string): Promise<number> {
  const cancelled = await tx
    .update(visits)
    .set({ status: 'cancelled', rescheduleReason: reason, updatedAt: ctx.now })
    .where(and(eq(visits.patientId, patientId), eq(visits.status, 'scheduled'), gte(visits.visitDate, londonDate(ctx.now))))
    .returning({ id: visits.id });
  return cancelled.length;
}

