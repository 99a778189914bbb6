import type { Db, Tx } from '../platform/db/client.ts';
import type { RequestContext } from '../platform/context.ts';
import { auditLog } from './schema.ts';

export interface AuditEntry {
  action: string;
  outcome?: 'success' | 'denied' | 'failure';
  patientId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Appends one audit row in the caller's transaction, so the record of a read or change commits or rolls back
 * with it. The database trigger fills seq and the hash chain.
 */
export async function audit(tx: Tx | Db, ctx: Partial<RequestContext> & { now: Date; purpose: string }, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    at: ctx.now,
    userId: ctx.userId ?? null,
    username: ctx.username ?? null,
    orgId: ctx.orgId ?? null,
    role: ctx.role ?? null,
    patientId: entry.patientId ?? null,
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    purpose: ctx.purpose,
    ip: ctx.ip ?? null,
    detail: entry.detail ?? null,
  });
}
