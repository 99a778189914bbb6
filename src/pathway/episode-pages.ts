import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, blankToUndefined, formErrors, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { DECLINE_REASONS, EVENT_LABELS, RETURN_REASONS } from './episode-rules.ts';
import { regimenLabels } from '../prescribing/regimen-store.ts';
import { homeTimeline } from '../visits/timeline.ts';
import { applyEpisodeEvent, createEpisode, getEpisode, respondToReferral } from './episodes.ts';
import { historyFor, latestReferral, presentEpisode, presentHistory } from './present.ts';
import { listProviders } from './service.ts';
import { listLetters } from './letters.ts';
import { LETTER_TEMPLATES } from './letters-rules.ts';
import { getChecklist } from './checklists.ts';
import { consentFormsInUse } from './consent-forms.ts';
import { londonDate } from '../platform/clock.ts';
import { EpisodeEventInput, EpisodeInput, ReferralResponseInput, VENOUS_ACCESS_LABELS } from './validation.ts';
import { providerReferralInbox, trustWorklists, type WorklistItem } from './worklists.ts';
import { COURSE_STARTABLE, courseOfEpisode, startCourse } from '../prescribing/courses.ts';
import { CourseInput } from '../prescribing/validation.ts';
import { pageErrors, tryService } from '../prescribing/page-helpers.ts';
import { canMakeSurveyLink } from '../reports/survey-store.ts';


const presentItem = (i: WorklistItem) => ({ ...i, nhsNumber: formatNhsNumber(i.nhsNumber), since: i.since.toISOString() });

/** Pages for the home pathway: the episode with its history and next steps, the Trust worklists, the provider inbox. */
export async function episodePages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  const episodePage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: object = {}) => {
    const ctx = ctxOf(req);
    const { episode, history, allowed } = await getEpisode(db, ctx, id);
    const canUpdate = decide(ctx.role, 'episode:update');
    const canRespond = decide(ctx.role, 'referral:respond') && episode.state === 'referred' && episode.providerId === ctx.orgId;
    return renderPage(req, reply, 'pathway/views/episode.njk', {
      title: 'Home pathway episode',
      episode: presentEpisode(episode),
      // The timeline: the pathway's events and, for the Trust, what the provider recorded at home, in time order.
      history: [...historyFor(ctx, history).map(presentHistory), ...(ctx.orgKind === 'trust' && decide(ctx.role, 'visit:read') ? await homeTimeline(db, ctx, episode.patientId, episode.createdAt) : [])].sort((a, b) => a.at.localeCompare(b.at)),
      allowed: canUpdate ? allowed.filter((e) => e !== 'provider-accept' && e !== 'provider-decline') : [],
      labels: EVENT_LABELS,
      canRespond,
      checklist: canUpdate && allowed.includes('assess') ? (await getChecklist(db, ctx, episode.regimen)).items : [],
      consentForms: canUpdate && allowed.includes('consent') ? await consentFormsInUse(db, ctx) : null,
      today: londonDate(ctx.now),
      declineReasons: Object.entries(DECLINE_REASONS).map(([value, text]) => ({ value, text })),
      returnReasons: Object.entries(RETURN_REASONS).map(([value, text]) => ({ value, text })),
      providers: canUpdate && allowed.includes('refer') ? (await listProviders(db, ctx)).map((o) => ({ value: o.id, text: o.name })) : [],
      referral: latestReferral(history),
      venousAccessLabels: VENOUS_ACCESS_LABELS,
      regimenLabel: (await regimenLabels(db, ctx))[episode.regimen] ?? episode.regimen,
      // The treatment course, once started; a prescriber starts it once the patient has accepted home treatment.
      courseId: decide(ctx.role, 'prescribing:read') ? await courseOfEpisode(db, ctx, id) : null,
      canStartCourse: decide(ctx.role, 'prescribing:prescribe') && episode.trustId === ctx.orgId && COURSE_STARTABLE.includes(episode.state),
      // The patient satisfaction survey's one-time link, once the patient has had treatment at home.
      canMakeSurveyLink: decide(ctx.role, 'survey:patient') && (await canMakeSurveyLink(db, ctx, id)),
      letters: decide(ctx.role, 'letter:read') ? (await listLetters(db, ctx, id)).map((l) => ({ ...l, createdAt: l.createdAt.toISOString(), subject: LETTER_TEMPLATES[l.kind].subject })) : [],
      ...extra,
    });
  };

  app.post('/patients/:id/episodes', { config: { action: 'episode:create' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const form = parseForm(EpisodeInput, { regimen: blankToUndefined((req.body as Record<string, unknown> | undefined)?.regimen) ?? '' });
    if (!form.ok) return reply.redirect(`/patients/${req.params.id}?error=regimen`, 303);
    const episode = await createEpisode(db, ctxOf(req), req.params.id, form.data);
    return reply.redirect(`/episodes/${episode.id}`, 303);
  });

  app.get('/episodes/:id', { config: { action: 'episode:read' }, schema: { hide: true, params: IdParams } }, async (req, reply) => episodePage(req, reply, req.params.id));

  app.post('/episodes/:id/events', { config: { action: 'episode:update' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const event = String(body.event ?? '');
    let payload: Record<string, unknown> = { event, note: blankToUndefined(body.note), expectedVersion: body.expectedVersion ? Number(body.expectedVersion) : undefined };
    if (event === 'assess') {
      // Every answer the form sent; the service checks them against the regimen's checklist in force.
      const answers = Object.fromEntries(Object.entries(body).filter(([k, v]) => k.startsWith('answer-') && v).map(([k, v]) => [k.slice('answer-'.length), v]));
      payload = { ...payload, answers };
    } else if (event === 'offer') payload = { ...payload, offeredOn: blankToUndefined(body.offeredOn), leafletVersion: blankToUndefined(body.leafletVersion) };
    else if (event === 'decline' || event === 'return-to-hospital') payload = { ...payload, reasonCode: blankToUndefined(body.reasonCode) };
    else if (event === 'refer') {
      const fields = ['providerId', 'schedule', 'allergies', 'venousAccess', 'accessNotes', 'keyContacts', 'lvefStatus', 'prescriber'];
      payload = { ...payload, ...Object.fromEntries(fields.map((f) => [f, blankToUndefined(body[f])])) };
    }
    else if (event === 'consent') payload = { ...payload, homeTreatmentForm: blankToUndefined(body.homeTreatmentForm), dataSharingForm: blankToUndefined(body.dataSharingForm), takenOn: blankToUndefined(body.takenOn) };
    const form = parseForm(EpisodeEventInput, JSON.parse(JSON.stringify(payload)));
    if (!form.ok) return episodePage(req, reply.code(400), req.params.id, { ...form, values: body, failedEvent: event });
    const result = await attempt(applyEpisodeEvent(db, ctxOf(req), req.params.id, form.data));
    if (!result.ok) {
      // Checklist answers come back as answers.<code>; on the page each is the radio group answer-<code>.
      const errors = Object.fromEntries(Object.entries(result.errors ?? {}).map(([k, m]) => [k.startsWith('answers.') ? `answer-${k.slice('answers.'.length)}` : k, m]));
      return episodePage(req, reply.code(result.status), req.params.id, { ...result, ...formErrors(errors), values: body, failedEvent: event });
    }
    return reply.redirect(`/episodes/${req.params.id}`, 303);
  });

  app.post('/episodes/:id/course', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(CourseInput, JSON.parse(JSON.stringify({ startDate: blankToUndefined(body.startDate) })));
    if (!form.ok) return episodePage(req, reply.code(400), req.params.id, { ...pageErrors('course', form.errors, ['startDate']), values: body });
    const result = await tryService(startCourse(db, ctxOf(req), req.params.id, form.data), 'course', ['startDate']);
    if (!result.ok) return episodePage(req, reply.code(result.status), req.params.id, { ...result, values: body });
    return reply.redirect(`/courses/${result.value.id}?done=started`, 303);
  });

  app.post('/episodes/:id/referral-response', { config: { action: 'referral:respond' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(ReferralResponseInput, JSON.parse(JSON.stringify({ decision: blankToUndefined(body.decision), note: blankToUndefined(body.note) })));
    if (!form.ok) return episodePage(req, reply.code(400), req.params.id, { ...form, values: body });
    await respondToReferral(db, ctxOf(req), req.params.id, form.data);
    return reply.redirect('/referrals', 303);
  });

  app.get('/worklists', { config: { action: 'worklist:read' }, schema: { hide: true } }, async (req, reply) => {
    const lists = await trustWorklists(db, ctxOf(req));
    return renderPage(req, reply, 'pathway/views/worklists.njk', {
      title: 'Worklists',
      lists: [
        { id: 'suitable', title: 'Suitable but not yet offered', items: lists.suitableNotOffered.map(presentItem) },
        { id: 'undecided', title: 'Offered and undecided for more than 14 days', items: lists.undecidedOver14Days.map(presentItem) },
        { id: 'referred', title: 'Referred and not accepted by the provider within 5 working days', items: lists.referralsNotAccepted.map(presentItem) },
        { id: 'returned', title: 'Returned to hospital this month', items: lists.returnedThisMonth.map(presentItem) },
      ],
    });
  });

  app.get('/referrals', { config: { action: 'referral:respond' }, schema: { hide: true } }, async (req, reply) =>
    renderPage(req, reply, 'pathway/views/inbox.njk', { title: 'New referrals', items: (await providerReferralInbox(db, ctxOf(req))).map(presentItem) }),
  );
}
