import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { POLICY } from '../access/policy.ts';
import type { RequestContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { patients } from './schema.ts';

/**
 * The application's own filter for which patients a user may see, derived from the scope the policy table grants
 * for `patient:read`: 'own-org' → the user's Trust (and their units, when limited); 'agreement' → patients referred
 * to the user's provider under an active agreement. Row-level security applies the same rule underneath, so a
 * query that forgets this filter still leaks nothing.
 */
export function patientScope(ctx: RequestContext): SQL {
  const scope = POLICY['patient:read'][ctx.role];
  if (scope === 'own-org') {
    const own = eq(patients.trustId, ctx.orgId);
    return ctx.unitIds.length ? and(own, inArray(patients.unitId, ctx.unitIds))! : own;
  }
  if (scope === 'agreement') return sql`app_provider_sees_patient(${patients.id}, ${patients.trustId})`;
  return sql`false`;
}

/** Whether a Trust user limited to some units may work in this one (unlimited users may use any of their Trust's). */
export function unitAllowed(ctx: RequestContext, unitId: string | null | undefined): boolean {
  return !ctx.unitIds.length || (!!unitId && ctx.unitIds.includes(unitId));
}

/** A unit-limited user must register patients in one of their units. */
export function requireAllowedUnit(ctx: RequestContext, unitId: string | undefined): void {
  if (!unitAllowed(ctx, unitId)) {
    const msg = 'Select one of the units you work in';
    throw new AppError('validation', msg, { unitId: msg });
  }
}
