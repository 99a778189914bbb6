import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { bodyOf } from '../prescribing/page-helpers.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, formErrors, type FormErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { createSurveyLink, enterPatientSurvey, homePathwayPatients, LINK_DAYS, submitLinkSurvey, submitStaffEvaluation, surveyLinkOpen } from './survey-store.ts';
import { parseAnswersForm, PatientSatisfactionInput, StaffEvaluationInput, SurveyResponseOut } from './survey-validation.ts';
import { PATIENT_SATISFACTION, QUESTIONNAIRES, STAFF_EVALUATION } from './surveys.ts';

const tags = ['surveys'];
const CLOSED = 'This survey link has expired or has already been used';
const PUBLIC_TITLE = 'Your treatment at home';
const TokenParams = z.object({ token: z.string() });
type Extra = Partial<FormErrors> & { values?: Record<string, unknown>; done?: boolean; title?: string };
const out = (kind: 'patient-satisfaction' | 'staff-evaluation', r: { id: string; submittedAt: Date }) => ({ id: r.id, kind, submittedAt: r.submittedAt.toISOString() });

/**
 * Surveys: the patient's one-time link (made from the episode by the Trust's nurse) and the public page it opens,
 * which needs no sign-in and names nobody; the nurse's entry of a paper patient survey; the staff evaluation; and the
 * JSON API for both entries. Results are in the monthly report (survey-report.ts).
 */
export async function surveyRoutes(base: FastifyInstance, { db, clock }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const at = (req: FastifyRequest) => ({ now: clock.now(), ip: req.ip ?? null });
  const closed = (req: FastifyRequest, reply: FastifyReply) => renderPage(req, reply.code(404), 'reports/views/survey-closed.njk', { title: CLOSED, linkDays: LINK_DAYS });
  const publicPage = (req: FastifyRequest, reply: FastifyReply, token: string, extra: Extra = {}) =>
    renderPage(req, reply, 'reports/views/survey-public.njk', { title: PUBLIC_TITLE, questions: PATIENT_SATISFACTION, action: `/survey/${encodeURIComponent(token)}`, ...extra });

  // The patient's page: public through the policy's one mechanism (action 'public'), like the sign-in page.
  app.get('/survey/:token', { config: { action: 'public' }, schema: { hide: true, params: TokenParams } }, async (req, reply) =>
    (await surveyLinkOpen(db, req.params.token, at(req))) ? publicPage(req, reply, req.params.token) : closed(req, reply),
  );

  app.post('/survey/:token', { config: { action: 'public' }, schema: { hide: true, params: TokenParams } }, async (req, reply) => {
    const { token } = req.params;
    const body = bodyOf(req);
    const form = parseAnswersForm(PATIENT_SATISFACTION, body);
    if (!form.ok) return (await surveyLinkOpen(db, token, at(req))) ? publicPage(req, reply.code(400), token, { ...form, values: body }) : closed(req, reply);
    if (!(await submitLinkSurvey(db, token, at(req), form.answers))) return closed(req, reply);
    return publicPage(req, reply.code(201), token, { done: true, title: 'Thank you' });
  });

  app.post('/episodes/:id/survey-link', { config: { action: 'survey:patient' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const { token, expiresAt } = await createSurveyLink(db, ctxOf(req), req.params.id);
    const link = `${req.protocol}://${req.host}/survey/${token}`;
    return renderPage(req, reply.code(201), 'reports/views/survey-link.njk', { title: 'Patient survey link', link, expiresAt: expiresAt.toISOString(), episodeId: req.params.id });
  });

  const entryPage = async (req: FastifyRequest, reply: FastifyReply, extra: Extra = {}) => {
    const list = await homePathwayPatients(db, ctxOf(req));
    const chosen = String(extra.values?.episodeId ?? '');
    const patientItems = [{ value: '', text: 'Select a patient' }, ...list.map((p) => ({ value: p.episodeId, text: `${p.familyName}, ${p.givenName} (NHS number ${formatNhsNumber(p.nhsNumber)})`, selected: p.episodeId === chosen }))];
    return renderPage(req, reply, 'reports/views/survey-entry.njk', { title: 'Enter a patient’s survey', questions: PATIENT_SATISFACTION, patientItems, done: (req.query as Record<string, unknown>).done === '1', ...extra });
  };
  app.get('/surveys/patient-satisfaction', { config: { action: 'survey:patient' }, schema: { hide: true } }, async (req, reply) => entryPage(req, reply));
  app.post('/surveys/patient-satisfaction', { config: { action: 'survey:patient' }, schema: { hide: true } }, async (req, reply) => {
    const body = bodyOf(req);
    const form = parseAnswersForm(PATIENT_SATISFACTION, body);
    const episodeId = typeof body.episodeId === 'string' ? body.episodeId : '';
    const episodeOk = z.uuid().safeParse(episodeId).success;
    if (!form.ok || !episodeOk) {
      const errors = { ...(episodeOk ? {} : { episodeId: 'Select a patient who has had treatment at home' }), ...(form.ok ? {} : form.errors) };
      return entryPage(req, reply.code(400), { ...formErrors(errors), values: body, done: false });
    }
    const result = await attempt(enterPatientSurvey(db, ctxOf(req), episodeId, form.answers));
    if (!result.ok) return entryPage(req, reply.code(result.status), { ...result, values: body, done: false });
    return reply.redirect('/surveys/patient-satisfaction?done=1', 303);
  });

  const staffPage = (req: FastifyRequest, reply: FastifyReply, extra: Extra = {}) =>
    renderPage(req, reply, 'reports/views/survey-staff.njk', { title: QUESTIONNAIRES['staff-evaluation'].title, questions: STAFF_EVALUATION, done: (req.query as Record<string, unknown>).done === '1', ...extra });
  app.get('/surveys/staff-evaluation', { config: { action: 'survey:staff' }, schema: { hide: true } }, async (req, reply) => staffPage(req, reply));
  app.post('/surveys/staff-evaluation', { config: { action: 'survey:staff' }, schema: { hide: true } }, async (req, reply) => {
    const body = bodyOf(req);
    const form = parseAnswersForm(STAFF_EVALUATION, body);
    if (!form.ok) return staffPage(req, reply.code(400), { ...form, values: body, done: false });
    await submitStaffEvaluation(db, ctxOf(req), form.answers);
    return reply.redirect('/surveys/staff-evaluation?done=1', 303);
  });

  app.post('/api/v1/surveys/patient-satisfaction', {
    config: { action: 'survey:patient' },
    schema: { tags, summary: 'Enter a patient’s satisfaction survey from a paper form (a patient of your Trust who has had treatment at home). Answers by question number; every answer optional, at least one given.', body: PatientSatisfactionInput, response: { 201: SurveyResponseOut, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(out('patient-satisfaction', await enterPatientSurvey(db, ctxOf(req), req.body.episodeId, req.body.answers))));

  app.post('/api/v1/surveys/staff-evaluation', {
    config: { action: 'survey:staff' },
    schema: { tags, summary: 'Answer the staff evaluation of the service (7 questions: yes/no with comments, comments, a rating from 1 to 5). Every answer optional, at least one given.', body: StaffEvaluationInput, response: { 201: SurveyResponseOut, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(out('staff-evaluation', await submitStaffEvaluation(db, ctxOf(req), req.body.answers))));
}
