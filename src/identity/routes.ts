import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf, SESSION_COOKIE } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { renderPage } from '../web/render.ts';
import { parseForm, formErrors } from '../web/forms.ts';
import { AppError } from '../platform/errors.ts';
import { ROLE_LABELS } from '../access/roles.ts';
import { signIn, signOut } from './service.ts';
import { SIGN_IN_FAILED } from './rules.ts';
import { randomToken, safeEqual } from './secrets.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.ts';
import { presentToken } from './present.ts';

const SIGNIN_CSRF_COOKIE = 'homeward_signin';
import { ErrorBody } from '../web/schemas.ts';

const SignInForm = z.object({
  username: z.string().trim().min(1, 'Enter your username').max(100, 'Username must be 100 characters or fewer'),
  password: z.string().min(1, 'Enter your password').max(200, 'Password must be 200 characters or fewer'),
  next: z.string().optional(),
  _signin: z.string().optional(),
});
const SignInJson = z.strictObject({ username: z.string().trim().min(1, 'Enter your username').max(100), password: z.string().min(1, 'Enter your password').max(200) });
const SessionOut = z.object({
  user: z.object({ username: z.string(), displayName: z.string(), role: z.string(), roleLabel: z.string(), organisation: z.object({ id: z.string(), name: z.string(), kind: z.string() }) }),
  csrfToken: z.string().optional(),
});
const TokenOut = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), revokedAt: z.string().nullable(), lastUsedAt: z.string().nullable() });

function cookieOptions(req: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: req.protocol === 'https' };
}

/** Only same-site relative paths, so the "next" parameter cannot send a user to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function sessionOut(req: FastifyRequest) {
  const ctx = ctxOf(req);
  return {
    user: { username: ctx.username, displayName: ctx.displayName, role: ctx.role, roleLabel: ROLE_LABELS[ctx.role], organisation: { id: ctx.orgId, name: ctx.orgName, kind: ctx.orgKind } },
    csrfToken: req.principal?.csrfToken,
  };
}

/** Sign-in and sign-out (pages and API), the session endpoint and per-user API tokens. */
export async function identityRoutes(base: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { db, clock } = deps;
  const tooMany = () => new AppError('rate_limited', 'Too many sign-in attempts from your network. Wait a minute and try again.');
  const showSignIn = (req: FastifyRequest, reply: FastifyReply, extra: object = {}) => {
    // Login CSRF: a double-submit token, since there is no session yet to hold one.
    const token = randomToken();
    reply.setCookie(SIGNIN_CSRF_COOKIE, token, cookieOptions(req));
    return renderPage(req, reply, 'identity/views/sign-in.njk', { title: 'Sign in', signinToken: token, ...extra });
  };

  app.get('/sign-in', { config: { action: 'public' }, schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional(), signedOut: z.string().max(5).optional() }) } }, async (req, reply) =>
    showSignIn(req, reply, { next: safeNext(req.query.next), signedOut: req.query.signedOut === '1' }),
  );

  app.post('/sign-in', { config: { action: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const form = parseForm(SignInForm, req.body);
    const values = (req.body ?? {}) as Record<string, string>;
    const sentCookie = req.cookies[SIGNIN_CSRF_COOKIE];
    if (!req.principal && (!sentCookie || !values._signin || !safeEqual(sentCookie, values._signin))) {
      reply.code(403);
      return showSignIn(req, reply, { ...formErrors({ username: 'Your sign-in page expired. Enter your username and password again.' }), values: { username: values.username } });
    }
    if (!form.ok) {
      reply.code(400);
      return showSignIn(req, reply, { ...form, values: { username: values.username }, next: safeNext(values.next) });
    }
    if (!deps.signInLimiter.allow(req.ip)) {
      reply.code(429);
      return showSignIn(req, reply, { ...formErrors({ username: tooMany().message }), values: { username: form.data.username }, next: safeNext(form.data.next) });
    }
    const result = await signIn(db, { username: form.data.username, password: form.data.password, now: clock.now(), ip: req.ip, previousSessionToken: req.cookies[SESSION_COOKIE] });
    if (!result.ok || !result.sessionToken) {
      reply.code(401);
      return showSignIn(req, reply, { ...formErrors({ username: SIGN_IN_FAILED }), values: { username: form.data.username }, next: safeNext(form.data.next) });
    }
    reply.clearCookie(SIGNIN_CSRF_COOKIE, { path: '/' });
    reply.setCookie(SESSION_COOKIE, result.sessionToken, cookieOptions(req));
    return reply.redirect(safeNext(form.data.next), 303);
  });

  app.post('/sign-out', { config: { action: 'session' }, schema: { hide: true } }, async (req, reply) => {
    await signOut(db, ctxOf(req), req.cookies[SESSION_COOKIE] ?? '');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in?signedOut=1', 303);
  });

  app.post(
    '/api/v1/auth/sign-in',
    {
      config: { action: 'public' },
      schema: { tags: ['auth'], summary: 'Sign in with a username and password; sets the session cookie', body: SignInJson, response: { 200: SessionOut, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody } },
    },
    async (req, reply) => {
      // JSON only: a cross-site HTML form cannot send application/json, which protects this cookie-less call from CSRF.
      if (!req.headers['content-type']?.startsWith('application/json')) throw new AppError('bad_request', 'Send the request body as JSON (Content-Type: application/json)');
      if (!deps.signInLimiter.allow(req.ip)) throw tooMany();
      const result = await signIn(db, { ...req.body, now: clock.now(), ip: req.ip, previousSessionToken: req.cookies[SESSION_COOKIE] });
      if (!result.ok || !result.sessionToken || !result.user) throw new AppError('unauthenticated', SIGN_IN_FAILED);
      reply.setCookie(SESSION_COOKIE, result.sessionToken, cookieOptions(req));
      const { principalFromSession } = await import('./service.ts');
      req.principal = await principalFromSession(db, result.sessionToken, clock.now(), req.ip);
      return sessionOut(req);
    },
  );

  app.post('/api/v1/auth/sign-out', { config: { action: 'session' }, schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } } }, async (req, reply) => {
    await signOut(db, ctxOf(req), req.cookies[SESSION_COOKIE] ?? '');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/api/v1/auth/session', { config: { action: 'session' }, schema: { tags: ['auth'], summary: 'The signed-in user and the CSRF token for cookie-authenticated changes', response: { 200: SessionOut } } }, async (req) => sessionOut(req));

  app.get('/api/v1/auth/tokens', { config: { action: 'token:manage' }, schema: { tags: ['auth'], summary: 'Your API tokens', response: { 200: z.object({ tokens: z.array(TokenOut) }) } } }, async (req) => ({
    tokens: (await listApiTokens(db, ctxOf(req))).map(presentToken),
  }));

  app.post(
    '/api/v1/auth/tokens',
    { config: { action: 'token:manage' }, schema: { tags: ['auth'], summary: 'Create an API token (shown once)', body: z.strictObject({ name: z.string().trim().min(1, 'Enter a name for the token').max(100, 'Name must be 100 characters or fewer') }), response: { 201: TokenOut.extend({ token: z.string() }) } } },
    async (req, reply) => {
      const { token, record } = await createApiToken(db, ctxOf(req), req.body.name);
      return reply.code(201).send({ ...presentToken(record), token });
    },
  );

  app.delete('/api/v1/auth/tokens/:id', { config: { action: 'token:manage' }, schema: { tags: ['auth'], summary: 'Revoke one of your API tokens', params: z.object({ id: z.uuid('Enter a valid token id') }), response: { 200: TokenOut, 404: ErrorBody } } }, async (req) =>
    presentToken(await revokeApiToken(db, ctxOf(req), req.params.id)),
  );

  app.get('/account/tokens', { config: { action: 'token:manage' }, schema: { hide: true } }, async (req, reply) =>
    renderPage(req, reply, 'identity/views/tokens.njk', { title: 'API tokens', tokens: (await listApiTokens(db, ctxOf(req))).map(presentToken) }),
  );

  app.post('/account/tokens', { config: { action: 'token:manage' }, schema: { hide: true } }, async (req, reply) => {
    const form = parseForm(z.object({ name: z.string().trim().min(1, 'Enter a name for the token').max(100, 'Name must be 100 characters or fewer') }), req.body);
    const tokens = async () => (await listApiTokens(db, ctxOf(req))).map(presentToken);
    if (!form.ok) return renderPage(req, reply.code(400), 'identity/views/tokens.njk', { title: 'API tokens', tokens: await tokens(), ...form });
    const { token } = await createApiToken(db, ctxOf(req), form.data.name);
    return renderPage(req, reply.code(201), 'identity/views/tokens.njk', { title: 'API tokens', tokens: await tokens(), newToken: token });
  });

  app.post('/account/tokens/:id/revoke', { config: { action: 'token:manage' }, schema: { hide: true, params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
    await revokeApiToken(db, ctxOf(req), req.params.id);
    return reply.redirect('/account/tokens', 303);
  });
}
