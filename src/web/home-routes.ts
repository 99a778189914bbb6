import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { ROLE_LABELS } from '../access/roles.ts';
import type { AppDeps } from './app.ts';
import { renderPage } from './render.ts';
import { homeFor } from './home.ts';

/** Health check and each role's home page. */
export async function homeRoutes(base: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/health',
    { config: { action: 'public' }, schema: { tags: ['service'], summary: 'Service health', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['embedded', 'postgres']), version: z.string() }) } } },
    async () => ({ status: 'ok' as const, database: deps.database.kind, version: deps.version }),
  );
  app.get('/', { config: { action: 'session' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = ctxOf(req);
    return renderPage(req, reply, 'web/views/home.njk', { title: ROLE_LABELS[ctx.role], home: homeFor(ctx.role), orgName: ctx.orgName });
  });
}
