import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { auditDenied, isApi } from '../access/guard.ts';
import type { Db } from '../platform/db/client.ts';
import { AppError, statusFor } from '../platform/errors.ts';
import { renderPage } from './render.ts';

/** Turns a validation path like "/address/postcode" or "body.name" into a field key "address.postcode". */
function fieldKey(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '.') || 'body';
}

/** Maps every error to `{error:{code,message,fields?}}` (or an NHS-style error page) without internal detail. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const fields: Record<string, string> = {};
    for (const v of err.validation) {
      const key = fieldKey(v.instancePath);
      const params = v.params as { keys?: unknown } | undefined;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(params?.keys)) {
        for (const k of params.keys as string[]) fields[key === 'body' ? k : `${key}.${k}`] = `Remove "${k}": it is not a field you can send`;
      } else fields[key] ??= v.message ?? 'Check this value';
    }
    return new AppError('validation', 'There is a problem with the information you sent', fields);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('payload_too_large', 'The request is too large: send no more than 1 MiB');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400))
    return new AppError('bad_request', 'The request body is not valid JSON');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('bad_request', 'Send the request body as JSON (Content-Type: application/json)');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 404) return new AppError('not_found', 'Page not found');
    if (fe.statusCode === 413) return new AppError('payload_too_large', 'The request is too large: send no more than 1 MiB');
    return new AppError('bad_request', 'The request could not be understood');
  }
  return new AppError('internal', 'Sorry, there is a problem with the service. Try again later.');
}

export function registerErrorHandling(app: FastifyInstance, deps: { db: Db }): void {
  app.setErrorHandler(async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toAppError(err);
    if (e.code === 'internal') req.log.error({ err }, 'unhandled error');
    if (e.code === 'not_found' && req.principal && req.routeOptions.config?.action) {
      // A "not found" raised inside a service rolled back with its transaction; record the attempt separately.
      // (Role denials are audited by the guard before this point.)
      await auditDenied(deps.db, req, req.routeOptions.config.action, 'not-found-or-foreign').catch(() => undefined);
    }
    return sendError(req, reply, e);
  });
  app.setNotFoundHandler(async (req, reply) => sendError(req, reply, new AppError('not_found', 'Page not found')));
}

export function sendError(req: FastifyRequest, reply: FastifyReply, e: AppError) {
  const status = statusFor[e.code];
  reply.code(status);
  if (isApi(req) || !req.headers.accept?.includes('text/html')) {
    return reply.send({ error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } });
  }
  const title = status === 404 ? 'Page not found' : status === 403 ? 'You cannot do this' : status === 401 ? 'Sign in' : status >= 500 ? 'Sorry, there is a problem with the service' : 'There is a problem';
  return renderPage(req, reply, 'web/views/error.njk', { title, message: e.message, status });
}
