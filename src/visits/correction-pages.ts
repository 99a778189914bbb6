/**
 * The nurse's "Correct the dose record" form on the visit page (issue 5): site, start and end time on the day the dose
 * was given, the observation period and a reason, with the record's version in a hidden field. A refusal re-shows
 * the visit page with the NHS error summary and what was typed (a stale version says so, and keeps the typing); a
 * correction goes back to the visit with a banner. The service decides everything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { AppError, statusFor } from '../platform/errors.ts';
import { formatDate } from '../prescribing/dates.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { IdParams } from '../web/schemas.ts';
import { correctVisitDose, CorrectionInput, type AdministrationRow } from './corrections.ts';
import { list, londonInstant, londonTime, type Body } from './nurse-forms.ts';

type Refusal = { errors: Record<string, string>; errorList: { text: string; href: string }[]; failed: string; values: Body };
type VisitPage = (req: FastifyRequest, reply: FastifyReply, id: string, extra: Refusal) => Promise<unknown>;

const FORM = 'correction';
const FIELDS = ['site', 'startTime', 'endTime', 'observationCompleted', 'reason'] as const;
const ALIAS: Record<string, string> = { startedAt: 'startTime', endedAt: 'endTime' };
const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** Messages keyed by the service's or zod's field names → the inputs' errors and the summary in the form's order. */
function refusal(values: Body, ...sets: Record<string, string>[]): Refusal {
  const errors: Record<string, string> = {};
  const linked: { text: string; href: string; at: number }[] = [];
  const loose: { text: string }[] = [];
  for (const messages of sets) {
    for (const [raw, text] of Object.entries(messages)) {
      const key = ALIAS[raw] ?? raw;
      const at = (FIELDS as readonly string[]).indexOf(key);
      const id = `${FORM}-${key}`;
      if (at >= 0) {
        if (errors[id]) continue;
        errors[id] = text;
        linked.push({ text, href: `#${id}`, at });
      } else if (!loose.some((e) => e.text === text)) loose.push({ text });
    }
  }
  const errorList = [...loose, ...linked.sort((a, b) => a.at - b.at).map(({ text, href }) => ({ text, href }))] as Refusal['errorList'];
  return { errors, errorList, failed: FORM, values };
}

/** The form as the browser sends it → the service's input; times are read as London time on the dose's date. */
export function correctionInput(b: Body) {
  const pre: Record<string, string> = {};
  const date = str(b.givenOn).trim();
  const startedAt = londonInstant(date, str(b.startTime).trim());
  const endedAt = londonInstant(date, str(b.endTime).trim());
  if (!startedAt) pre.startTime = 'Enter the time the dose was started as a 24-hour time, for example 09:30';
  if (!endedAt) pre.endTime = 'Enter the time the dose ended as a 24-hour time, for example 10:00';
  else if (startedAt && endedAt <= startedAt) pre.endTime = 'The end time must be after the start time';
  if (!str(b.site).trim()) pre.site = 'Enter the site, for example left forearm or right thigh';
  if (!str(b.reason).trim()) pre.reason = 'Enter the reason for the correction';
  const version = str(b.expectedVersion).trim();
  const input = {
    expectedVersion: /^\d+$/.test(version) ? Number(version) : undefined,
    site: str(b.site),
    startedAt: startedAt ?? '',
    endedAt: endedAt ?? '',
    observationCompleted: list(b.observationCompleted).includes('yes'),
    reason: str(b.reason),
  };
  return { input, pre };
}

/**
 * The form's fields, shown to the nurse who recorded the dose: the record as it stands, or what was typed when the
 * correction was refused.
 */
export function correctionView(a: AdministrationRow | null, canRecord: boolean, userId: string, failed: string | undefined, values: Body) {
  if (!a || !canRecord || a.recordedBy !== userId) return null;
  const typed = failed === FORM;
  const time = (d: Date | null) => (d ? londonTime(d) : '');
  const ticked = typed ? list(values.observationCompleted).includes('yes') : a.observationCompleted === true;
  return {
    expectedVersion: typed ? str(values.expectedVersion) : String(a.version),
    givenOn: a.givenOn,
    date: formatDate(a.givenOn),
    current: `${a.site ?? 'No site'}, ${time(a.startedAt)} to ${time(a.endedAt)}${a.observationCompleted ? ', observation period completed' : ''}`,
    site: typed ? str(values.site) : (a.site ?? ''),
    startTime: typed ? str(values.startTime) : time(a.startedAt),
    endTime: typed ? str(values.endTime) : time(a.endedAt),
    observationCompleted: [{ value: 'yes', text: 'The observation period was completed', checked: ticked }],
    reason: typed ? str(values.reason) : '',
  };
}

/** POST /visits/:id/administration/correction, registered from the nurse's pages with their visit page. */
export function correctionPage(base: FastifyInstance, { db }: Pick<AppDeps, 'db'>, visitPage: VisitPage): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post('/visits/:id/administration/correction', { config: { action: 'visit:record' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Body;
    const id = req.params.id;
    const { input, pre } = correctionInput(body);
    const parsed = parseForm(CorrectionInput, input);
    if (!parsed.ok || Object.keys(pre).length) {
      const zodErrors = parsed.ok ? {} : Object.fromEntries(Object.entries(parsed.errors).filter(([k]) => !pre[ALIAS[k] ?? k]));
      return visitPage(req, reply.code(400), id, refusal(body, pre, zodErrors));
    }
    try {
      await correctVisitDose(db, ctxOf(req), id, parsed.data);
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'validation' && err.code !== 'conflict')) throw err;
      return visitPage(req, reply.code(statusFor[err.code]), id, refusal(body, err.fields && Object.keys(err.fields).length ? err.fields : { _: err.message }));
    }
    return reply.redirect(`/visits/${id}?done=correction`, 303);
  });
}
