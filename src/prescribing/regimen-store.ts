/**
 * The regimen library in the database: built-in definitions are written as published version 1 at start-up (once);
 * an administrator adds later versions as drafts, checks them with `validateRegimen`, and publishes them. A published
 * version never changes (database trigger), and a course pins the version it started on.
 */
import { and, asc, desc, eq, max } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { REGIMEN_LIBRARY } from './regimen-library.ts';
import { validateRegimen, type RegimenDefinition } from './regimen.ts';
import { regimens, type RegimenRow } from './schema.ts';

/** Writes each built-in definition as published version 1 unless that code already has a version. Idempotent. */
export async function ensureRegimenLibrary(db: Db, now = new Date()): Promise<void> {
  for (const def of Object.values(REGIMEN_LIBRARY)) {
    await db
      .insert(regimens)
      .values({ code: def.code, version: def.version, name: def.name, status: 'published', definition: def, createdAt: now, publishedAt: now })
      .onConflictDoNothing();
  }
}

/** The newest published version of a regimen code, or undefined. */
export async function publishedRegimen(tx: Tx, code: string): Promise<RegimenRow | undefined> {
  const [row] = await tx.select().from(regimens).where(and(eq(regimens.code, code), eq(regimens.status, 'published'))).orderBy(desc(regimens.version)).limit(1);
  return row;
}

export function listRegimens(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => tx.select().from(regimens).orderBy(asc(regimens.code), desc(regimens.version)));
}

export function getRegimen(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select().from(regimens).where(eq(regimens.id, id));
    if (!row) throw notFound('regimen');
    return row;
  });
}

function check(def: RegimenDefinition): void {
  const problems = validateRegimen(def);
  if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
}

/**
 * Saves a new draft version of a regimen (the next number for its code). The definition is checked in full first, so
 * a draft can always be published as it stands.
 */
export function saveRegimenDraft(db: Db, ctx: RequestContext, def: RegimenDefinition) {
  return withContext(db, ctx, async (tx) => {
    const [{ top } = { top: null }] = await tx.select({ top: max(regimens.version) }).from(regimens).where(eq(regimens.code, def.code));
    const version = (top ?? 0) + 1;
    const definition = { ...def, version };
    check(definition);
    const [row] = await tx.insert(regimens).values({ code: def.code, version, name: def.name, status: 'draft', definition, createdBy: ctx.userId, createdAt: ctx.now }).returning();
    await audit(tx, ctx, { action: 'regimen:draft', detail: { code: def.code, version } });
    return row!;
  });
}

/** Publishes a draft: from now on new courses of this code use it; the previous published version is retired. */
export function publishRegimen(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select().from(regimens).where(eq(regimens.id, id));
    if (!row) throw notFound('regimen');
    if (row.status !== 'draft') throw new AppError('conflict', `Version ${row.version} of ${row.name} is already ${row.status}: a published version never changes. Save a new version instead.`);
    check(row.definition);
    await tx.update(regimens).set({ status: 'retired' }).where(and(eq(regimens.code, row.code), eq(regimens.status, 'published')));
    const [published] = await tx.update(regimens).set({ status: 'published', publishedBy: ctx.userId, publishedAt: ctx.now }).where(eq(regimens.id, id)).returning();
    await audit(tx, ctx, { action: 'regimen:publish', detail: { code: row.code, version: row.version } });
    return published!;
  });
}

/**
 * The regimens a patient can be offered home treatment on: the newest published version of each code that is marked
 * home-suitable and is not an illustrative example. A new regimen is a new published record — no code change.
 */
export async function treatableRegimens(tx: Tx | Db): Promise<{ value: string; text: string }[]> {
  const rows = await tx.select().from(regimens).where(eq(regimens.status, 'published')).orderBy(asc(regimens.name));
  return rows.filter((r) => r.definition.homeSuitable && !r.definition.illustrative).map((r) => ({ value: r.code, text: r.name }));
}

/** Display names of every regimen code (the newest version's name), for labels on pages and letters. */
export async function regimenNames(tx: Tx | Db): Promise<Record<string, string>> {
  const rows = await tx.select({ code: regimens.code, name: regimens.name, version: regimens.version }).from(regimens).orderBy(asc(regimens.version));
  return Object.fromEntries(rows.map((r) => [r.code, r.name]));
}

/** For pages: the regimens a patient can be offered, and every code's name. */
export const regimenChoices = (db: Db, ctx: RequestContext) => withContext(db, ctx, (tx) => treatableRegimens(tx));
export const regimenLabels = (db: Db, ctx: RequestContext) => withContext(db, ctx, (tx) => regimenNames(tx));
