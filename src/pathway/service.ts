import { and, asc, eq, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import { scalar, type Db } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { organisations } from '../organisations/schema.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { referrals } from './schema.ts';

/** Home-care providers a Trust may refer to. */
export function listProviders(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) =>
    tx.select().from(organisations).where(and(eq(organisations.kind, 'provider'), eq(organisations.active, true))).orderBy(asc(organisations.name)),
  );
}

/**
 * Refers one of the Trust's patients to a provider. The provider sees the patient only while an agreement between
 * the two is active; refusing a referral without one keeps the Trust from sharing what the provider cannot read.
 */
export async function createReferral(db: Db, ctx: RequestContext, patientId: string, providerId: string) {
  return withContext(db, ctx, async (tx) => {
    const [patient] = await tx.select().from(patients).where(and(eq(patients.id, patientId), patientScope(ctx)));
    if (!patient) throw notFound('patient');
    const [provider] = await tx.select().from(organisations).where(and(eq(organisations.id, providerId), eq(organisations.kind, 'provider')));
    if (!provider) throw new AppError('validation', 'Select a home-care provider', { providerId: 'Select a home-care provider' });
    const active = await scalar<boolean>(tx, sql`select app_agreement_active(${ctx.orgId}::uuid, ${providerId}::uuid)`);
    if (!active) {
      throw new AppError('validation', `There is no active data-sharing agreement with ${provider.name}`, { providerId: `There is no active data-sharing agreement with ${provider.name}` });
    }
    const [row] = await tx.insert(referrals).values({ patientId, trustId: ctx.orgId, providerId, createdBy: ctx.userId, createdAt: ctx.now }).returning();
    await audit(tx, ctx, { action: 'referral:create', patientId, detail: { referralId: row!.id, providerId } });
    return row!;
  });
}

