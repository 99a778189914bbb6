/**
 * Shared pieces of the prescribing pages: reading form fields, turning zod and service field messages into the NHS
 * error summary (each field's id on the page is `<form>-<field>`, so the many small forms on one page never clash),
 * and the words the pages use for states, events and dose types.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, statusFor } from '../platform/errors.ts';
import type { FormErrors } from '../web/forms.ts';
import { DEFERRAL_REASONS } from './deferral-rules.ts';
import { LVEF_METHODS } from './lvef-rules.ts';

export type Body = Record<string, unknown>;
export const bodyOf = (req: FastifyRequest): Body => (req.body ?? {}) as Body;

/** A form string, or undefined when blank or missing. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
/** A number typed into a form: undefined when blank (zod then says what to enter), NaN when not a number. */
export const num = (v: unknown): number | undefined => (text(v) === undefined ? undefined : Number(String(v).trim().replace(/,/g, '')));
/** A version carried in a hidden field (a stale page sends the version it was drawn from). */
export const version = (v: unknown): number | undefined => (text(v) === undefined ? undefined : Number(v));
export const ticked = (v: unknown): boolean => v === 'yes' || (Array.isArray(v) && v.includes('yes'));

export interface PageErrors extends FormErrors {
  /** The form that failed: only its inputs are refilled with what was typed. */
  failed: string;
}

/**
 * Field messages keyed as zod or a service keys them (`reason`, `doses.0`, `doses-0-doseMg`) → errors keyed by the
 * input's id on the page. `fields` lists the keys the form has inputs for; `alias` points a service key at one of
 * them; anything else is shown in the summary without a link (there is no input to go to).
 */
export function pageErrors(form: string, messages: Record<string, string>, fields: readonly string[], alias: Record<string, string> = {}): PageErrors {
  const errors: Record<string, string> = {};
  const errorList: { text: string; href?: string }[] = [];
  for (const [raw, message] of Object.entries(messages)) {
    const key = alias[raw.replace(/\./g, '-')] ?? raw.replace(/\./g, '-');
    if (fields.includes(key)) {
      const id = `${form}-${key}`;
      if (errors[id]) continue;
      errors[id] = message;
      errorList.push({ text: message, href: `#${id}` });
    } else if (!errorList.some((e) => e.text === message)) errorList.push({ text: message });
  }
  return { errors, errorList: errorList as FormErrors['errorList'], failed: form };
}

/**
 * Runs a service call from a form: a refusal the person can act on (bad input, a step not allowed now, someone else
 * changed it first) comes back as page errors with its status; anything else (not found, a fault) propagates.
 */
export async function tryService<T>(p: Promise<T>, form: string, fields: readonly string[], alias: Record<string, string> = {}): Promise<{ ok: true; value: T } | ({ ok: false; status: number } & PageErrors)> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof AppError && (err.code === 'validation' || err.code === 'conflict' || err.code === 'forbidden')) {
      const messages = err.fields && Object.keys(err.fields).length ? err.fields : { _: err.message };
      return { ok: false, status: statusFor[err.code], ...pageErrors(form, messages, fields, alias) };
    }
    throw err;
  }
}

export const STATE_LABELS: Record<string, string> = {
  draft: 'Draft',
  signed: 'Signed',
  verified: 'Verified',
  transmitted: 'Released to the provider',
  delivered: 'Dispensed and delivered',
  administered: 'Given',
  'not-given': 'Not given',
  'on-hold': 'On hold',
  cancelled: 'Cancelled',
  expired: 'Expired',
  'entered-in-error': 'Entered in error',
};

export const STATE_TAGS: Record<string, string> = {
  draft: 'nhsuk-tag--grey',
  signed: 'nhsuk-tag--blue',
  verified: 'nhsuk-tag--aqua-green',
  transmitted: 'nhsuk-tag--purple',
  delivered: 'nhsuk-tag--purple',
  administered: 'nhsuk-tag--green',
  'not-given': 'nhsuk-tag--orange',
  'on-hold': 'nhsuk-tag--yellow',
  cancelled: 'nhsuk-tag--red',
  expired: 'nhsuk-tag--red',
  'entered-in-error': 'nhsuk-tag--red',
};

export const HISTORY_LABELS: Record<string, string> = {
  create: 'Written as a draft',
  sign: 'Signed',
  verify: 'Verified (clinically screened)',
  transmit: 'Released to the provider',
  deliver: 'Dispensed and delivered',
  administer: 'Dose given',
  'administer-in-hospital': 'Dose given in hospital',
  'not-given': 'Dose not given',
  hold: 'Put on hold',
  resume: 'Taken off hold',
  cancel: 'Cancelled',
  expire: 'Expired',
  'enter-in-error': 'Entered in error',
  override: 'Cardiac gate overridden',
};

export const DOSE_KIND_LABELS: Record<string, string> = { loading: 'Loading', maintenance: 'Maintenance', reload: 'Re-loading' };
export const COURSE_STATUS_LABELS: Record<string, string> = { active: 'Active', suspended: 'Suspended', completed: 'Completed', stopped: 'Stopped' };
export const CYCLE_STATUS_LABELS: Record<string, string> = { planned: 'Planned', given: 'Given', 'not-given': 'Not given' };
export const DEFERRAL_OUTCOME_LABELS: Record<string, string> = { 'resume-on-new-date': 'Same prescription, on the new date', 'cancel-and-prescribe-again': 'Prescription cancelled: prescribe again' };

export const METHOD_ITEMS = Object.entries(LVEF_METHODS).map(([value, label]) => ({ value, text: label }));
export const DEFERRAL_ITEMS = Object.entries(DEFERRAL_REASONS).map(([value, label]) => ({ value, text: label }));
