import { AppError, statusFor } from '../platform/errors.ts';
import type { z } from 'zod';

export interface FormErrors {
  /** Field id → message, for each input's error message. */
  errors: Record<string, string>;
  /** The NHS error summary's list, each linking to its input. */
  errorList: { text: string; href: string }[];
}

/** Builds the error-summary shape from field messages (keys are input ids). */
export function formErrors(errors: Record<string, string>): FormErrors {
  return { errors, errorList: Object.entries(errors).map(([id, text]) => ({ text, href: `#${id}` })) };
}

/**
 * Parses a submitted HTML form with a zod schema. Pages validate here rather than in the route schema so a
 * mistake re-renders the form with the NHS error summary instead of a JSON 400.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): { ok: true; data: z.infer<S> } | ({ ok: false } & FormErrors) {
  const res = schema.safeParse(body ?? {});
  if (res.success) return { ok: true, data: res.data };
  const errors: Record<string, string> = {};
  for (const issue of res.error.issues) {
    const key = issue.path.join('-') || 'form';
    errors[key] ??= issue.message;
  }
  return { ok: false, ...formErrors(errors) };
}

/** Empty form strings mean "not given". */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/**
 * Runs a service call from a form handler: a refusal with field messages (a clash, a wrong kind of organisation)
 * comes back as form errors to re-render; anything else propagates to the error handler.
 */
export async function attempt<T>(p: Promise<T>): Promise<{ ok: true; value: T } | ({ ok: false; status: number } & FormErrors)> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof AppError && err.fields) return { ok: false, status: statusFor[err.code], ...formErrors(err.fields) };
    throw err;
  }
}
