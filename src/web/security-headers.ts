import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    cspNonce: string;
  }
}

/**
 * Security headers on every response (RG-20). Scripts run only from this origin or with the per-response nonce
 * (nhsuk-frontend's template has one inline script). The API docs UI sets its own CSP.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.decorateRequest('cspNonce', '');
  app.addHook('onRequest', async (req) => {
    req.cspNonce = randomBytes(16).toString('base64');
  });
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith('/docs')) {
      reply.header(
        'content-security-policy',
        [
          "default-src 'self'",
          `script-src 'self' 'nonce-${req.cspNonce}'`,
          "style-src 'self'",
          "img-src 'self' data:",
          "font-src 'self'",
          "connect-src 'self'",
          "object-src 'none'",
          "base-uri 'none'",
          "form-action 'self'",
          "frame-ancestors 'none'",
        ].join('; '),
      );
    }
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!req.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
    reply.removeHeader('x-powered-by');
  });
}
