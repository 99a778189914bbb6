import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { z } from 'zod';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { sessions, users } from '../identity/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { agreements, organisations, units, type OrgKind } from './schema.ts';
import type { AgreementInput, OrganisationInput, OrganisationPatch, UnitInput } from './validation.ts';

const UNIQUE_VIOLATION = '23505';

export function listOrganisations(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => tx.select().from(organisations).orderBy(asc(organisations.kind), asc(organisations.name)));
}

export async function getOrganisation(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, id));
    if (!org) throw notFound('organisation');
    const orgUnits = await tx.select().from(units).where(eq(units.trustId, id)).orderBy(asc(units.name));
    return { org, units: orgUnits };
  });
}

/** Runs a write and turns a unique-constraint clash into a field message. */
async function unique<T>(fn: () => Promise<T>, field: string, message: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (pgCode(err) === UNIQUE_VIOLATION) throw new AppError('conflict', message, { [field]: message });
    throw err;
  }
}

export function createOrganisation(db: Db, ctx: RequestContext, input: z.infer<typeof OrganisationInput>) {
  return unique(
    () =>
      withContext(db, ctx, async (tx) => {
        const [org] = await tx.insert(organisations).values(input).returning();
        await audit(tx, ctx, { action: 'org:create', detail: { orgId: org!.id, odsCode: input.odsCode } });
        return org!;
      }),
    'odsCode',
    'An organisation with this ODS code already exists',
  );
}

/** Renames or (de)activates an organisation; deactivating one ends its staff's sessions at once. */
export function updateOrganisation(db: Db, ctx: RequestContext, id: string, patch: z.infer<typeof OrganisationPatch>) {
  return withContext(db, ctx, async (tx) => {
    const [org] = await tx.update(organisations).set(patch).where(eq(organisations.id, id)).returning();
    if (!org) throw notFound('organisation');
    if (patch.active === false) await endSessionsOfOrg(tx, id, ctx.now);
    await audit(tx, ctx, { action: 'org:update', detail: { orgId: id, ...patch } });
    return org;
  });
}

async function endSessionsOfOrg(tx: Tx, orgId: string, now: Date) {
  const staff = tx.select({ id: users.id }).from(users).where(eq(users.orgId, orgId));
  await tx.update(sessions).set({ endedAt: now }).where(and(inArray(sessions.userId, staff), isNull(sessions.endedAt)));
}

async function requireKind(tx: Tx, id: string, kind: OrgKind, field: string, message: string) {
  const [org] = await tx.select().from(organisations).where(eq(organisations.id, id));
  if (!org || org.kind !== kind) throw new AppError('validation', message, { [field]: message });
  return org;
}

export function createUnit(db: Db, ctx: RequestContext, input: z.infer<typeof UnitInput>) {
  return unique(
    () =>
      withContext(db, ctx, async (tx) => {
        await requireKind(tx, input.trustId, 'trust', 'trustId', 'Select an NHS Trust');
        const [unit] = await tx.insert(units).values(input).returning();
        await audit(tx, ctx, { action: 'unit:create', detail: { unitId: unit!.id, trustId: input.trustId } });
        return unit!;
      }),
    'code',
    'A unit with this code already exists',
  );
}

export function listUnits(db: Db, ctx: RequestContext, trustId?: string) {
  return withContext(db, ctx, (tx) => {
    const q = tx.select().from(units);
    return (trustId ? q.where(eq(units.trustId, trustId)) : q).orderBy(asc(units.name));
  });
}

export function listAgreements(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => tx.select().from(agreements).orderBy(asc(agreements.startsOn)));
}

export function createAgreement(db: Db, ctx: RequestContext, input: z.infer<typeof AgreementInput>) {
  return withContext(db, ctx, async (tx) => {
    await requireKind(tx, input.trustId, 'trust', 'trustId', 'Select an NHS Trust');
    await requireKind(tx, input.providerId, 'provider', 'providerId', 'Select a home-care provider');
    const [row] = await tx.insert(agreements).values({ ...input, endsOn: input.endsOn ?? null }).returning();
    await audit(tx, ctx, { action: 'agreement:create', detail: { agreementId: row!.id, trustId: input.trustId, providerId: input.providerId } });
    return row!;
  });
}

/** Ends an agreement now. Row-level security reads `ended_at`, so provider access stops with this commit. */
export function endAgreement(db: Db, ctx: RequestContext, id: string, reason: string) {
  return withContext(db, ctx, async (tx) => {
    const [existing] = await tx.select().from(agreements).where(eq(agreements.id, id));
    if (!existing) throw notFound('agreement');
    if (existing.endedAt) throw new AppError('conflict', 'This agreement has already ended');
    const today = londonDate(ctx.now);
    const [row] = await tx
      .update(agreements)
      .set({ endedAt: ctx.now, endedReason: reason, endsOn: existing.endsOn && existing.endsOn < today ? existing.endsOn : today })
      .where(eq(agreements.id, id))
      .returning();
    await audit(tx, ctx, { action: 'agreement:end', detail: { agreementId: id, reason } });
    return row!;
  });
}
