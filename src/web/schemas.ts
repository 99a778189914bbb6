import { z } from 'zod';

/** The one error shape every API error uses. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
});

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

export const IdParams = z.object({ id: z.uuid('Enter a valid id') });
