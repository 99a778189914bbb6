import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit/service.ts';
import { principalFromSession, principalFromToken, type Principal } from '../identity/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { safeEqual } from '../identity/secrets.ts';
import { ACTIONS, decide, type Action } from './policy.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action this route performs; checked against the policy table before anything else runs. */
    action?: Action;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const SESSION_COOKIE = 'homeward_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for JSON API routes, which answer errors as JSON rather than HTML pages. */
export function isApi(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || req.url.startsWith('/health') || req.url.startsWith('/docs');
}

/** The signed-in user's context; routes that declare a non-public action always have one. */
export function ctxOf(req: FastifyRequest): RequestContext {
  if (!req.principal) throw new AppError('unauthenticated', 'Sign in to continue');
  return req.principal.ctx;
}

/**
 * The request pipeline's access half: authenticate (API token or session cookie) → authorise the route's declared
 * action against the policy table → (pre-validation) CSRF for cookie-authenticated changes. A route without an
 * action is refused, so nothing is reachable by accident.
 */
export function registerGuard(app: FastifyInstance, deps: { db: Db; clock: Clock }): void {
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (req, reply) => {
    const action = req.routeOptions.config?.action;
    if (action === undefined) {
      // Unknown URL (404 handler) or a route that forgot to declare an action: never serve it.
      if (req.routeOptions.url === undefined) return;
      throw new AppError('forbidden', 'You do not have permission to do this');
    }
    if (!ACTIONS.includes(action)) throw new AppError('forbidden', 'You do not have permission to do this');
    const now = deps.clock.now();
    const ip = req.ip ?? null;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      req.principal = await principalFromToken(deps.db, auth.slice(7).trim(), now, ip);
      if (!req.principal && action !== 'public') throw new AppError('unauthenticated', 'The API token is not valid');
    } else {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) req.principal = await principalFromSession(deps.db, cookie, now, ip);
    }
    if (action === 'public') return;
    if (!req.principal) return unauthenticated(req, reply);
    if (!decide(req.principal.ctx.role, action)) {
      await auditDenied(deps.db, req, action, 'role');
      throw new AppError('forbidden', 'You do not have permission to do this');
    }
  });

  app.addHook('preValidation', async (req) => {
    if (SAFE_METHODS.has(req.method) || req.principal?.via !== 'session') return;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = (req.headers['x-csrf-token'] as string | undefined) ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
    if (body && typeof body === 'object' && '_csrf' in body) delete body._csrf;
    if (!sent || !req.principal.csrfToken || !safeEqual(sent, req.principal.csrfToken)) {
      await auditDenied(deps.db, req, req.routeOptions.config.action ?? 'session', 'csrf');
      throw new AppError('csrf', 'Your form has expired or was sent from another site. Go back, reload the page and try again.');
    }
  });
}

function unauthenticated(req: FastifyRequest, reply: FastifyReply) {
  if (isApi(req)) throw new AppError('unauthenticated', 'Sign in to continue');
  const next = req.method === 'GET' ? req.url : '/';
  return reply.redirect(`/sign-in?next=${encodeURIComponent(next)}`, 303);
}

/** Denied attempts are audited in their own transaction: the request itself changes nothing. */
export async function auditDenied(db: Db, req: FastifyRequest, action: string, reason: string): Promise<void> {
  const ctx = req.principal?.ctx;
  if (!ctx) return;
  await db.transaction((tx) =>
    audit(tx, ctx, {
      action,
      outcome: 'denied',
      detail: { reason, method: req.method, route: req.routeOptions.url, params: req.params as Record<string, unknown> },
    }),
  );
}
