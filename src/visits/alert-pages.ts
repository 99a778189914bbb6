import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { bodyOf, pageErrors, tryService, type PageErrors } from '../prescribing/page-helpers.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { openAlerts, resolveAlert } from './service.ts';
import { ResolveInput } from './validation.ts';

export const ALERT_LABELS: Record<string, string> = { reaction: 'Reaction', 'deferral-request': 'Deferral request', incident: 'Incident' };
const ALERT_TAGS: Record<string, string> = { reaction: 'nhsuk-tag--red', 'deferral-request': 'nhsuk-tag--orange', incident: 'nhsuk-tag--yellow' };
/** What dealing with each kind means, shown above its form. */
const ALERT_HINTS: Record<string, string> = {
  reaction: 'A prescriber reviews the reaction. Recording the review lifts the hospital-only mark from the next dose.',
  'deferral-request': 'Defer the cycle from the patient’s treatment course: that answers this request. Close it here only if no new date is needed.',
  incident: 'Record what was found and done about the incident.',
};

type Extra = Partial<PageErrors> & { values?: Record<string, unknown> };

/** The Trust's open alerts from home visits (reactions, deferral requests, incidents), each with a form to deal with it. */
export async function alertPages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  const alertsPage = async (req: FastifyRequest, reply: FastifyReply, extra: Extra = {}) => {
    const ctx = ctxOf(req);
    const canResolve = decide(ctx.role, 'alert:resolve');
    const alerts = (await openAlerts(db, ctx)).map((r) => ({
      id: r.a.id,
      kind: r.a.kind,
      label: ALERT_LABELS[r.a.kind] ?? r.a.kind,
      tag: ALERT_TAGS[r.a.kind] ?? 'nhsuk-tag--grey',
      hint: ALERT_HINTS[r.a.kind] ?? '',
      message: r.a.message,
      raisedAt: r.a.raisedAt.toISOString(),
      patientId: r.p.id,
      name: `${r.p.familyName}, ${r.p.givenName}`,
      nhsNumber: formatNhsNumber(r.p.nhsNumber),
    }));
    const query = req.query as Record<string, string | undefined>;
    return renderPage(req, reply, 'visits/views/alerts.njk', {
      title: 'Alerts from home visits',
      alerts,
      canResolve,
      done: query.done === 'resolved' ? 'The alert has been dealt with and taken off the list.' : null,
      errors: {},
      ...extra,
    });
  };

  app.get('/alerts', { config: { action: 'alert:read' }, schema: { hide: true } }, async (req, reply) => alertsPage(req, reply));

  app.post('/alerts/:id/resolve', { config: { action: 'alert:resolve' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    const formId = `alert-${req.params.id}`;
    const form = parseForm(ResolveInput, { resolution: typeof body.resolution === 'string' ? body.resolution : undefined });
    if (!form.ok) return alertsPage(req, reply.code(400), { ...pageErrors(formId, form.errors, ['resolution']), values: body });
    // A reaction needs a prescriber: the service's refusal (403) is shown in the error summary, not as an error page.
    const result = await tryService(resolveAlert(db, ctxOf(req), req.params.id, form.data), formId, ['resolution']);
    if (!result.ok) return alertsPage(req, reply.code(result.status), { ...result, values: body });
    return reply.redirect('/alerts?done=resolved', 303);
  });
}
