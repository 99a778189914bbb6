import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLE_LABELS } from '../access/roles.ts';
import { navigationFor } from './navigation.ts';

/** Renders a page with the shell's common values: signed-in user, CSRF token, CSP nonce, navigation. */
export function renderPage(req: FastifyRequest, reply: FastifyReply, template: string, data: object = {}) {
  const p = req.principal;
  const user = p
    ? { name: p.ctx.displayName, role: ROLE_LABELS[p.ctx.role], org: p.ctx.orgName, username: p.ctx.username }
    : undefined;
  return reply.type('text/html; charset=utf-8').view(template, {
    ...data,
    user,
    csrfToken: p?.csrfToken ?? ((data as { csrfToken?: string }).csrfToken) ?? '',
    cspNonce: req.cspNonce,
    navigation: p ? navigationFor(p.ctx.role, req.url) : [],
  });
}
