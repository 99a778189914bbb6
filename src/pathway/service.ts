import { and, asc, eq } from 'drizzle-orm';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { organisations } from '../organisations/schema.ts';

/** Home-care providers a Trust may refer to. */
export function listProviders(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) =>
    tx.select().from(organisations).where(and(eq(organisations.kind, 'provider'), eq(organisations.active, true))).orderBy(asc(organisations.name)),
  );
}
