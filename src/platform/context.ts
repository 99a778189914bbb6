import { sql } from 'drizzle-orm';
import type { Role } from '../access/roles.ts';
import type { OrgKind } from '../organisations/schema.ts';
import { londonDate } from './clock.ts';
import type { Db, Tx } from './db/client.ts';

/** Who is acting, built once by the authentication layer and passed to every service and audit write. */
export interface RequestContext {
  userId: string;
  username: string;
  displayName: string;
  orgId: string;
  orgKind: OrgKind;
  orgName: string;
  role: Role;
  /** Units a Trust user is limited to; empty means all of the Trust's units. */
  unitIds: string[];
  purpose: string;
  ip: string | null;
  now: Date;
}

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';

/**
 * Runs `fn` in one transaction as the request role: organisation and date set for row-level security, role
 * switched to homeward_app (no BYPASSRLS). Serialisation failures are retried a bounded number of times.
 */
export async function withContext<T>(db: Db, ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(
          sql`select set_config('app.org_id', ${ctx.orgId}, true), set_config('app.today', ${londonDate(ctx.now)}, true), set_config('app.user_id', ${ctx.userId}, true)`,
        );
        await tx.execute(sql`set local role homeward_app`);
        return fn(tx);
      });
    } catch (err) {
      const code = pgCode(err);
      if (attempt < 3 && (code === SERIALIZATION_FAILURE || code === DEADLOCK)) continue;
      throw err;
    }
  }
}

/** The SQLSTATE of a database error, whether raised directly or wrapped by drizzle. */
export function pgCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
