/**
 * The provider nurse's phone view: today's visits, and one visit with the safety panel, its hard stop, and the forms
 * for the checklist, the dose, "not given", a reaction and an incident. Each form posts to a page route that calls the
 * visit service (which makes every decision); a refusal re-shows the page with the NHS error summary and what was
 * typed, a success goes back to the visit with a banner, and a resubmission of something already recorded (the
 * offline recorder sending again, a double tap) says so plainly. Works without JavaScript.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import { londonDate } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import { formatDate } from '../prescribing/dates.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { accessNotesFor, latestLvef } from './nurse-data.ts';
import { checkInput, checkRuleProblems, doseInput, doseRuleProblems, incidentInput, incidentRuleProblems, notGivenInput, pageErrors, reactionInput, reactionRuleProblems, tryRecording, type Body, type FormName, type PageErrors } from './nurse-forms.ts';
import { DONE, VISIT_STATUS_LABELS } from './nurse-labels.ts';
import { correctionPage, correctionView } from './correction-pages.ts';
import { formsView, panelRows } from './nurse-view.ts';
import { ALERT_FROM_GRADE } from './rules.ts';
import { listVisits, recordCheck, recordIncident, recordNotGiven, recordReaction, recordVisitDose, visitPanel } from './service.ts';
import { CheckInput, DoseInput, IncidentInput, NotGivenInput, ReactionInput } from './validation.ts';

type Extra = Partial<PageErrors> & { values?: Body; already?: boolean };
const bodyOf = (req: FastifyRequest): Body => (req.body ?? {}) as Body;
const nameOf = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;

/** The nurse's visits today and those of the provider not yet given to a nurse; anyone else sees the provider's day. */
async function visitsToday(db: AppDeps['db'], ctx: RequestContext) {
  const today = londonDate(ctx.now);
  const day = { from: today, to: today };
  const rows =
    ctx.role === 'provider-nurse'
      ? [...(await listVisits(db, ctx, { ...day, nurseId: ctx.userId })), ...(await listVisits(db, ctx, day)).filter((r) => r.v.nurseId === null)]
      : await listVisits(db, ctx, day);
  rows.sort((a, b) => a.v.windowStart.localeCompare(b.v.windowStart) || a.p.familyName.localeCompare(b.p.familyName));
  const notes = await accessNotesFor(db, ctx, rows.map((r) => r.v.cycleId));
  return {
    today,
    visits: rows.map((r) => ({
      id: r.v.id,
      window: `${r.v.windowStart} to ${r.v.windowEnd}`,
      name: nameOf(r.p),
      address: [r.p.addressLine1, r.p.town].filter(Boolean).join(', '),
      postcode: r.p.postcode,
      accessNotes: notes.get(r.v.cycleId) ?? null,
      nurse: r.v.nurseId === null ? 'Not given to a nurse yet' : r.v.nurseId === ctx.userId ? null : r.nurse,
      status: VISIT_STATUS_LABELS[r.v.status],
    })),
  };
}

export async function nursePages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.get('/visits/today', { config: { action: 'visit:read' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const { today, visits } = await visitsToday(db, ctx);
    return renderPage(req, reply, 'visits/views/today.njk', { title: 'Today’s visits', today: formatDate(today), visits, userId: ctx.userId });
  });

  const visitPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Extra = {}) => {
    const ctx = ctxOf(req);
    const p = await visitPanel(db, ctx, id);
    const lvef = await latestLvef(db, ctx, p.cycle.courseId);
    const records = decide(ctx.role, 'visit:record') && p.visit.providerId === ctx.orgId;
    const open = p.visit.status === 'scheduled';
    const query = req.query as Record<string, unknown>;
    return renderPage(req, reply, 'visits/views/visit.njk', {
      title: `Home visit: ${nameOf(p.patient)}`,
      name: nameOf(p.patient),
      visit: { id: p.visit.id, date: formatDate(p.visit.visitDate), window: `${p.visit.windowStart} to ${p.visit.windowEnd}`, cycle: p.cycle.cycleNumber },
      status: VISIT_STATUS_LABELS[p.visit.status],
      rows: panelRows(p, lvef),
      stops: p.stops,
      show: {
        check: records && open,
        dose: records && open && p.stops.length === 0 && !!p.prescription,
        notGiven: records && open,
        reaction: records,
        incident: records,
      },
      forms: formsView(p, ctx.now, extra.failed, extra.values ?? {}),
      correction: correctionView(p.administration, records, ctx.userId, extra.failed, extra.values ?? {}),
      done: DONE[typeof query.done === 'string' ? query.done : ''] ?? null,
      userId: ctx.userId,
      errors: {},
      errorList: [],
      ...extra,
    });
  };

  app.get('/visits/:id', { config: { action: 'visit:read' }, schema: { hide: true, params: IdParams } }, async (req, reply) => visitPage(req, reply, req.params.id));

  /**
   * One recording route: the form read into the service's input, checked by its zod schema and the pure rules (so
   * every problem shows at once), then the service, which decides. Nothing is saved unless the service says so.
   */
  function recording<S extends z.ZodType, T>(
    path: string,
    form: FormName,
    schema: S,
    read: (b: Body) => { input: unknown; pre?: Record<string, string>; rules?: Record<string, string> },
    call: (ctx: RequestContext, id: string, data: z.infer<S>) => Promise<T>,
    done: (value: T) => string,
  ) {
    app.post(path, { config: { action: 'visit:record' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
      const body = bodyOf(req);
      const id = req.params.id;
      const { input, pre = {}, rules = {} } = read(body);
      const parsed = parseForm(schema, input);
      if (!parsed.ok || Object.keys(pre).length) {
        const zodErrors = parsed.ok ? {} : parsed.errors;
        return visitPage(req, reply.code(400), id, { ...pageErrors(form, pre, zodErrors, rules), values: body });
      }
      const r = await tryRecording(call(ctxOf(req), id, parsed.data), form);
      if (r.ok) return reply.redirect(`/visits/${id}?done=${done(r.value)}`, 303);
      if (r.already) return visitPage(req, reply.code(409), id, { already: true });
      return visitPage(req, reply.code(r.status), id, { ...r, values: body });
    });
  }

  recording(
    '/visits/:id/checks',
    'check',
    CheckInput,
    (b) => {
      const input = checkInput(b);
      return { input, rules: checkRuleProblems(input) };
    },
    (ctx, id, data) => recordCheck(db, ctx, id, data),
    () => 'check',
  );
  recording(
    '/visits/:id/administration',
    'dose',
    DoseInput,
    (b) => {
      const { input, pre } = doseInput(b);
      return { input, pre, rules: doseRuleProblems(input) };
    },
    (ctx, id, data) => recordVisitDose(db, ctx, id, data),
    () => 'dose',
  );
  recording('/visits/:id/not-given', 'notGiven', NotGivenInput, (b) => ({ input: notGivenInput(b) }), (ctx, id, data) => recordNotGiven(db, ctx, id, data), () => 'not-given');
  recording(
    '/visits/:id/reactions',
    'reaction',
    ReactionInput,
    (b) => {
      const input = reactionInput(b);
      return { input, rules: reactionRuleProblems(input) };
    },
    (ctx, id, data) => recordReaction(db, ctx, id, data),
    (r) => (r.reaction.grade >= ALERT_FROM_GRADE ? 'reaction-alert' : 'reaction'),
  );
  recording(
    '/visits/:id/incidents',
    'incident',
    IncidentInput,
    (b) => {
      const input = incidentInput(b);
      return { input, rules: incidentRuleProblems(input) };
    },
    (ctx, id, data) => recordIncident(db, ctx, id, data),
    () => 'incident',
  );
  correctionPage(base, { db }, visitPage);
}
