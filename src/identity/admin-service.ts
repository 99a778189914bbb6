import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit/service.ts';
import { ROLE_ORG_KIND, ROLES } from '../access/roles.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { organisations, units } from '../organisations/schema.ts';
import { sessions, userUnits, users } from './schema.ts';
import { hashPassword } from './secrets.ts';

const password = z.string({ error: 'Enter a password' }).min(12, 'Password must be at least 12 characters').max(200, 'Password must be 200 characters or fewer');

export const UserInput = z.strictObject({
  username: z.string({ error: 'Enter a username' }).trim().toLowerCase().regex(/^[a-z0-9][a-z0-9.-]{1,62}$/, 'Enter a username of 2 to 63 lower-case letters, numbers, dots or hyphens'),
  displayName: z.string({ error: 'Enter the person’s name' }).trim().min(1, 'Enter the person’s name').max(200, 'Name must be 200 characters or fewer'),
  password,
  orgId: z.uuid('Select an organisation'),
  role: z.enum(ROLES, { error: 'Select a role' }),
  unitIds: z.array(z.uuid('Select a valid unit')).max(50).default([]),
});

export const UserPatch = z.strictObject({
  displayName: z.string().trim().min(1, 'Enter the person’s name').max(200, 'Name must be 200 characters or fewer').optional(),
  role: z.enum(ROLES, { error: 'Select a role' }).optional(),
  active: z.boolean({ error: 'Active must be true or false' }).optional(),
  password: password.optional(),
  unitIds: z.array(z.uuid('Select a valid unit')).max(50).optional(),
});

/** A role must belong to its organisation's kind, and units must be that Trust's own. */
async function checkPlacement(tx: Tx, orgId: string, role: (typeof ROLES)[number], unitIds: string[]) {
  const [org] = await tx.select().from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new AppError('validation', 'Select an organisation', { orgId: 'Select an organisation' });
  if (ROLE_ORG_KIND[role] !== org.kind) {
    const msg = `Select a role that belongs to a ${org.kind === 'trust' ? 'Trust' : org.kind}: this role cannot be given to staff of ${org.name}`;
    throw new AppError('validation', msg, { role: msg });
  }
  if (unitIds.length) {
    const found = await tx.select({ id: units.id }).from(units).where(and(inArray(units.id, unitIds), eq(units.trustId, orgId)));
    if (found.length !== new Set(unitIds).size) throw new AppError('validation', 'Select units of this Trust only', { unitIds: 'Select units of this Trust only' });
  }
}

export async function listUsers(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const list = await tx.select().from(users).orderBy(asc(users.username));
    const links = await tx.select().from(userUnits);
    return list.map((u) => ({ user: u, unitIds: links.filter((l) => l.userId === u.id).map((l) => l.unitId) }));
  });
}

export async function getUser(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, id));
    if (!user) throw notFound('user');
    const links = await tx.select().from(userUnits).where(eq(userUnits.userId, id));
    return { user, unitIds: links.map((l) => l.unitId) };
  });
}

export async function createUser(db: Db, ctx: RequestContext, input: z.infer<typeof UserInput>) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await withContext(db, ctx, async (tx) => {
      await checkPlacement(tx, input.orgId, input.role, input.unitIds);
      const [user] = await tx.insert(users).values({ username: input.username, displayName: input.displayName, passwordHash, orgId: input.orgId, role: input.role }).returning();
      if (input.unitIds.length) await tx.insert(userUnits).values(input.unitIds.map((unitId) => ({ userId: user!.id, unitId })));
      await audit(tx, ctx, { action: 'user:create', detail: { targetUserId: user!.id, username: input.username, role: input.role, orgId: input.orgId } });
      return { user: user!, unitIds: input.unitIds };
    });
  } catch (err) {
    if (pgCode(err) === '23505') throw new AppError('conflict', 'A user with this username already exists', { username: 'A user with this username already exists' });
    throw err;
  }
}

/** Changes a user. Deactivating, a new role or a password reset ends their sessions, so the change applies at once. */
export async function updateUser(db: Db, ctx: RequestContext, id: string, patch: z.infer<typeof UserPatch>) {
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return withContext(db, ctx, async (tx) => {
    const [existing] = await tx.select().from(users).where(eq(users.id, id));
    if (!existing) throw notFound('user');
    const role = patch.role ?? existing.role;
    const unitIds = patch.unitIds ?? (await tx.select().from(userUnits).where(eq(userUnits.userId, id))).map((l) => l.unitId);
    await checkPlacement(tx, existing.orgId, role, unitIds);
    const [user] = await tx
      .update(users)
      .set({ displayName: patch.displayName ?? existing.displayName, role, active: patch.active ?? existing.active, ...(passwordHash ? { passwordHash } : {}) })
      .where(eq(users.id, id))
      .returning();
    if (patch.unitIds) {
      await tx.delete(userUnits).where(eq(userUnits.userId, id));
      if (unitIds.length) await tx.insert(userUnits).values(unitIds.map((unitId) => ({ userId: id, unitId })));
    }
    if (patch.active === false || (patch.role && patch.role !== existing.role) || passwordHash) {
      await tx.update(sessions).set({ endedAt: ctx.now }).where(and(eq(sessions.userId, id), isNull(sessions.endedAt)));
    }
    const { password: _omit, ...logged } = patch;
    await audit(tx, ctx, { action: 'user:update', detail: { targetUserId: id, ...logged, passwordReset: Boolean(passwordHash) } });
    return { user: user!, unitIds };
  });
}
