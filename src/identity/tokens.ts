import { and, desc, eq, isNull } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { apiTokens } from './schema.ts';
import { randomToken, sha256 } from './secrets.ts';

/** Creates an API token for the signed-in user. The plain value is returned once and never stored. */
export async function createApiToken(db: Db, ctx: RequestContext, name: string) {
  const token = randomToken('hw_');
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId: ctx.userId, name, tokenHash: sha256(token), createdAt: ctx.now })
      .returning();
    await audit(tx, ctx, { action: 'token:create', detail: { tokenId: row!.id, name } });
    return { token, record: row! };
  });
}

/** The signed-in user's own tokens (never anybody else's). */
export async function listApiTokens(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) =>
    tx.select().from(apiTokens).where(eq(apiTokens.userId, ctx.userId)).orderBy(desc(apiTokens.createdAt)),
  );
}

/** Revokes one of the signed-in user's tokens; another user's token id is "not found". */
export async function revokeApiToken(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: ctx.now })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, ctx.userId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) throw notFound('API token');
    await audit(tx, ctx, { action: 'token:revoke', detail: { tokenId: id } });
    return row;
  });
}
