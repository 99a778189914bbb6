import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import view from '@fastify/view';
import nunjucks from 'nunjucks';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerGuard } from '../access/guard.ts';
import { SignInRateLimiter } from '../identity/rate-limit.ts';
import type { Action } from '../access/policy.ts';
import type { Clock } from '../platform/clock.ts';
import { systemClock } from '../platform/clock.ts';
import type { Database } from '../platform/db/client.ts';
import { htmxFile, localNhsukCss, nhsukDist } from './assets.ts';
import { registerErrorHandling } from './errors.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { identityRoutes } from '../identity/routes.ts';
import { homeRoutes } from './home-routes.ts';
import { organisationRoutes } from '../organisations/routes.ts';
import { imdRoutes } from '../patients/imd-routes.ts';
import { userAdminRoutes } from '../identity/admin-routes.ts';
import { patientRoutes } from '../patients/routes.ts';
import { episodeRoutes } from '../pathway/episode-routes.ts';
import { episodePages } from '../pathway/episode-pages.ts';
import { pathwayConfigRoutes } from '../pathway/config-routes.ts';
import { letterTemplateRoutes } from '../pathway/letter-template-routes.ts';
import { prescribingRoutes } from '../prescribing/routes.ts';
import { visitRoutes } from '../visits/routes.ts';
import { schedulePages } from '../visits/schedule-pages.ts';
import { alertPages } from '../visits/alert-pages.ts';
import { performanceRoutes } from '../visits/performance-routes.ts';
import { nursePages } from '../visits/nurse-pages.ts';
import { prescribingPages } from '../prescribing/pages.ts';
import { ensureRegimenLibrary } from '../prescribing/regimen-store.ts';
import { regimenRoutes } from '../prescribing/regimen-routes.ts';
import { reportRoutes } from '../reports/routes.ts';
import { surveyRoutes } from '../reports/survey-routes.ts';
import { reportSettingsRoutes } from '../reports/settings-routes.ts';

export interface AppOptions {
  database: Database;
  clock?: Clock;
  version?: string;
  /** A pino logger; tests run without one. */
  loggerInstance?: FastifyBaseLogger;
  trustProxy?: boolean;
  /** Sign-in attempts allowed per client address per minute (default 20). */
  signInRateLimit?: number;
}

export interface RouteInfo {
  method: string;
  url: string;
  action: Action | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeInventory: RouteInfo[];
  }
}

export const BODY_LIMIT = 1024 * 1024;
const srcDir = fileURLToPath(new URL('..', import.meta.url));

/** Builds the whole application: one pipeline (authenticate → authorise the route's action → CSRF → validate → transaction → handler → present). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const clock = opts.clock ?? systemClock;
  const db = opts.database.db;
  // The built-in regimens are published version 1 of each code; later versions are the administrator's.
  await ensureRegimenLibrary(db, clock.now());
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    trustProxy: opts.trustProxy ?? false,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.decorate('routeInventory', [] as RouteInfo[]);
  app.addHook('onRoute', (r) => {
    // Static assets and the API docs are public by nature; say so, so the route inventory stays complete.
    if (r.url.startsWith('/assets/') || r.url.startsWith('/docs')) r.config = { ...r.config, action: 'public' } as typeof r.config;
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') app.routeInventory.push({ method: m, url: r.url, action: r.config?.action });
  });

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Homeward API', version: opts.version ?? '0.0.0', description: 'Shared-care home SACT pathway' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'homeward_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    hideUntagged: false,
  });
  // The API documentation UI is third-party; it gets its own CSP that allows the inline styles it needs, on /docs only.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: (h) => h.replace(/style-src [^;]*;/, "style-src 'self' 'unsafe-inline';").replace(/font-src [^;]*;/, "font-src 'self' data:;"), uiConfig: { validatorUrl: null } as never });

  await app.register(view, {
    engine: { nunjucks },
    templates: [srcDir, nhsukDist],
    options: {
      autoescape: true,
      onConfigure: (env: nunjucks.Environment) => {
        const fmt = (opts: Intl.DateTimeFormatOptions) => {
          // One formatter per filter, not per date shown: a long list would otherwise build one per row.
          const f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'Europe/London' });
          return (v: unknown) => (v ? f.format(new Date(/^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? `${String(v)}T12:00:00Z` : String(v))) : '');
        };
        // Clinical dates and times are shown in Europe/London whatever the server's zone.
        env.addFilter('date', fmt({ day: 'numeric', month: 'long', year: 'numeric' }));
        env.addFilter('datetime', fmt({ day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }));
      },
    },
  });

  // Assets: nhsuk-frontend images and scripts, our CSS, htmx. Served locally: no request leaves the machine.
  const nhsukCss = localNhsukCss();
  await app.register(fastifyStatic, { root: join(nhsukDist, 'nhsuk'), prefix: '/assets/nhsuk/', decorateReply: false, allowedPath: (p) => /\.(js|map|svg|png|ico|json)$/.test(p) });
  // Icons and the manifest where nhsuk-frontend's CSS and template expect them (/assets/images/…, /assets/manifest.json).
  await app.register(fastifyStatic, { root: join(nhsukDist, 'nhsuk', 'assets', 'images'), prefix: '/assets/images/', decorateReply: false });
  const manifest = readFileSync(join(nhsukDist, 'nhsuk', 'assets', 'manifest.json'));
  app.get('/assets/manifest.json', { config: { action: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.type('application/manifest+json').send(manifest));
  await app.register(fastifyStatic, { root: join(srcDir, 'web', 'assets'), prefix: '/assets/', decorateReply: false, allowedPath: (p) => /\.(css|js)$/.test(p) });

  registerSecurityHeaders(app);
  registerGuard(app, { db, clock });
  registerErrorHandling(app, { db });

  app.get('/assets/nhsuk.css', { config: { action: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.type('text/css').header('cache-control', 'public, max-age=3600').send(nhsukCss));
  const htmx = readFileSync(htmxFile);
  app.get('/assets/htmx.min.js', { config: { action: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript').header('cache-control', 'public, max-age=3600').send(htmx));

  const deps = { db, clock, database: opts.database, version: opts.version ?? '0.0.0', signInLimiter: new SignInRateLimiter(opts.signInRateLimit ?? 20, () => clock.now().getTime()) };
  await app.register(async (scoped) => {
    await identityRoutes(scoped, deps);
    await homeRoutes(scoped, deps);
    await organisationRoutes(scoped, deps);
    await imdRoutes(scoped, deps);
    await userAdminRoutes(scoped, deps);
    await patientRoutes(scoped, deps);
    await episodeRoutes(scoped, deps);
    await episodePages(scoped, deps);
    await pathwayConfigRoutes(scoped, deps);
    await letterTemplateRoutes(scoped, deps);
    await prescribingRoutes(scoped, deps);
    await visitRoutes(scoped, deps);
    await schedulePages(scoped, deps);
    await alertPages(scoped, deps);
    await performanceRoutes(scoped, deps);
    await nursePages(scoped, deps);
    await prescribingPages(scoped, deps);
    await regimenRoutes(scoped, deps);
    await reportRoutes(scoped, deps);
    await surveyRoutes(scoped, deps);
    await reportSettingsRoutes(scoped, deps);
  });
  return app;
}

export type AppDeps = { db: Database['db']; clock: Clock; database: Database; version: string; signInLimiter: SignInRateLimiter };
