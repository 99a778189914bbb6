import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { ROLE_PURPOSE, type Role } from '../access/roles.ts';
import type { Db } from '../platform/db/client.ts';
import type { RequestContext } from '../platform/context.ts';
import { organisations } from '../organisations/schema.ts';
import { apiTokens, sessions, signInAttempts, userUnits, users, type User } from './schema.ts';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, isLocked, LOCKOUT_DURATION_MS, LOCKOUT_WINDOW_MS, MAX_SESSIONS, sessionState } from './rules.ts';
import { decoyHash, randomToken, sha256, verifyPassword } from './secrets.ts';

export interface SignInResult {
  ok: boolean;
  sessionToken?: string;
  csrfToken?: string;
  user?: User;
}

/**
 * Checks a username and password, applies the lockout rule and, on success, starts a brand-new session (any
 * session the browser already had is ended, so the id always changes at sign-in). Every attempt is audited.
 */
export async function signIn(
  db: Db,
  input: { username: string; password: string; now: Date; ip: string | null; previousSessionToken?: string },
): Promise<SignInResult> {
  const { now } = input;
  const username = input.username.trim().toLowerCase();
  // One transaction per attempt, serialised per username by an advisory lock: simultaneous guesses cannot all read
  // "4 failures so far" and slip past the lockout together.
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'sign-in:' + username}))`);
    const [user] = await tx.select().from(users).where(eq(users.username, username));
    const [org] = user ? await tx.select().from(organisations).where(eq(organisations.id, user.orgId)) : [];
    const since = new Date(now.getTime() - LOCKOUT_WINDOW_MS - LOCKOUT_DURATION_MS);
    const attempts = await tx
      .select()
      .from(signInAttempts)
      .where(and(eq(signInAttempts.username, username), gt(signInAttempts.at, since)))
      .orderBy(desc(signInAttempts.at));
    const lastSuccess = attempts.findIndex((a) => a.succeeded);
    const failures = (lastSuccess === -1 ? attempts : attempts.slice(0, lastSuccess)).map((a) => a.at);
    const locked = isLocked(failures, now);
    // Always run argon2 so unknown, wrong and locked take the same time.
    const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
    const ok = Boolean(user && user.active && org?.active && passwordOk && !locked);
    const reason = !user ? 'unknown-user' : !user.active || !org?.active ? 'inactive' : locked ? 'locked' : passwordOk ? 'ok' : 'wrong-password';

    if (!locked) await tx.insert(signInAttempts).values({ username, at: now, succeeded: ok });
    // A successful sign-in always replaces the browser's session (fixation defence); a failed one leaves it be.
    if (ok && input.previousSessionToken) {
      await tx.update(sessions).set({ endedAt: now }).where(eq(sessions.idHash, sha256(input.previousSessionToken)));
    }
    await audit(tx, { now, purpose: 'authentication', userId: user?.id, username, orgId: user?.orgId, role: user?.role, ip: input.ip }, {
      action: 'auth:sign-in',
      outcome: ok ? 'success' : 'failure',
      detail: { reason },
    });
    if (!ok || !user) return { ok: false };
    const sessionToken = randomToken();
    const csrfToken = randomToken();
    await tx.insert(sessions).values({ idHash: sha256(sessionToken), userId: user.id, csrfToken, createdAt: now, lastSeenAt: now });
    // At most MAX_SESSIONS live sessions per person (RG-08): a fourth sign-in ends the oldest live one.
    const live = await tx
      .select({ idHash: sessions.idHash })
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, user.id),
          isNull(sessions.endedAt),
          gt(sessions.createdAt, new Date(now.getTime() - ABSOLUTE_TIMEOUT_MS)),
          gt(sessions.lastSeenAt, new Date(now.getTime() - IDLE_TIMEOUT_MS)),
        ),
      )
      .orderBy(desc(sessions.createdAt), desc(sessions.lastSeenAt));
    const newHash = sha256(sessionToken);
    const others = live.map((s) => s.idHash).filter((h) => h !== newHash);
    const excess = others.slice(MAX_SESSIONS - 1);
    if (excess.length) await tx.update(sessions).set({ endedAt: now }).where(inArray(sessions.idHash, excess));
    return { ok: true, sessionToken, csrfToken, user };
  });
}

/** Ends a session server-side; its cookie is worthless afterwards. */
export async function signOut(db: Db, ctx: RequestContext, sessionToken: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(sessions).set({ endedAt: ctx.now }).where(eq(sessions.idHash, sha256(sessionToken)));
    await audit(tx, ctx, { action: 'auth:sign-out' });
  });
}

export interface Principal {
  ctx: RequestContext;
  via: 'session' | 'token';
  csrfToken?: string;
}

export async function contextFor(db: Db, user: User, now: Date, ip: string | null): Promise<RequestContext | undefined> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, user.orgId));
  if (!org || !org.active || !user.active) return undefined;
  const unitRows = await db.select({ unitId: userUnits.unitId }).from(userUnits).where(eq(userUnits.userId, user.id));
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    orgId: org.id,
    orgKind: org.kind,
    orgName: org.name,
    role: user.role as Role,
    unitIds: unitRows.map((u) => u.unitId),
    purpose: ROLE_PURPOSE[user.role as Role],
    ip,
    now,
  };
}

/** Resolves a session cookie, enforcing idle and absolute timeouts and sliding the idle window. */
export async function principalFromSession(db: Db, token: string, now: Date, ip: string | null): Promise<Principal | undefined> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, sha256(token)));
  if (!row) return undefined;
  const state = sessionState(row.session, now);
  if (state !== 'active') {
    if (state !== 'ended') await db.update(sessions).set({ endedAt: now }).where(eq(sessions.idHash, row.session.idHash));
    return undefined;
  }
  const ctx = await contextFor(db, row.user, now, ip);
  if (!ctx) return undefined;
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
  return { ctx, via: 'session', csrfToken: row.session.csrfToken };
}

/** Resolves an `Authorization: Bearer` API token. */
export async function principalFromToken(db: Db, token: string, now: Date, ip: string | null): Promise<Principal | undefined> {
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)));
  if (!row) return undefined;
  const ctx = await contextFor(db, row.user, now, ip);
  if (!ctx) return undefined;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
  return { ctx, via: 'token' };
}
