import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import { londonDate } from '../platform/clock.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { getCourse, recordWeight } from './courses.ts';
import { addDays } from './dates.ts';
import { deferCycle } from './deferral.ts';
import { DEFERRAL_REASONS } from './deferral-rules.ts';
import { assessLvefResult, recordLvef, resumeCourse } from './lvef.ts';
import { LVEF_METHODS } from './lvef-rules.ts';
import { courseOf, pageFacts } from './page-data.ts';
import { bodyOf, COURSE_STATUS_LABELS, CYCLE_STATUS_LABELS, DEFERRAL_ITEMS, DEFERRAL_OUTCOME_LABELS, DOSE_KIND_LABELS, METHOD_ITEMS, num, pageErrors, STATE_LABELS, STATE_TAGS, text, ticked, tryService, type PageErrors } from './page-helpers.ts';
import { LIVE_STATES } from './prescription-store.ts';
import { createPrescription } from './prescriptions.ts';
import { presentCourse } from './present.ts';
import { AssessInput, DeferInput, LvefInput, ReasonInput, WeightInput } from './validation.ts';

/** Banners after a change on the course page (the POST redirects here with `done`). */
const DONE: Record<string, string> = {
  started: 'The treatment course has started. The schedule comes from the regimen version shown.',
  weight: 'The weight has been recorded.',
  lvef: 'The LVEF result has been recorded. A prescriber must assess it before the next dose can be released.',
  assessed: 'The LVEF result has been assessed.',
  deferred: 'The cycle has been deferred and the later cycles recalculated from its original due date.',
  resumed: 'Treatment has resumed. Prescriptions on hold stay on hold until a prescriber takes each off hold or defers it.',
};

const FIELDS = {
  weight: ['weightKg', 'heightCm', 'measuredOn'],
  lvef: ['measuredOn', 'method', 'percent', 'reportingClinician', 'symptomaticHeartFailure'],
  defer: ['newDate', 'reasonCode', 'note'],
  resume: ['reason'],
} as const;

type Extra = Partial<PageErrors> & { values?: Record<string, unknown>; deferCycleId?: string };

/** Pages for a treatment course: the schedule, LVEF, weights and deferrals, with the Trust's forms for each role. */
export async function coursePages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  const coursePage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Extra = {}) => {
    const ctx = ctxOf(req);
    const v = await getCourse(db, ctx, id);
    const course = presentCourse(v, ctx);
    const { patient } = await pageFacts(db, ctx, v.course.patientId);
    const today = londonDate(ctx.now);
    const ownTrust = ctx.orgKind === 'trust' && v.course.trustId === ctx.orgId;
    const can = { measure: ownTrust && decide(ctx.role, 'prescribing:measure'), prescribe: ownTrust && decide(ctx.role, 'prescribing:prescribe') };
    const liveOf = (cycleId: string) => course.prescriptions.find((p) => p.cycleId === cycleId && LIVE_STATES.includes(p.state));
    // A prescription can be written for a planned cycle without one that is due in the next 14 days (or overdue), and
    // always for the first such cycle: a dose needs a weight from the week before it anyway.
    const open = course.schedule.filter((c) => c.status === 'planned' && !liveOf(c.id));
    const writable = new Set(open.filter((c, i) => i === 0 || c.dueDate <= addDays(today, 14)).map((c) => c.id));
    const schedule = course.schedule.map((c) => {
      const rx = liveOf(c.id) ?? course.prescriptions.filter((p) => p.cycleId === c.id).at(-1);
      return {
        ...c,
        kindLabel: DOSE_KIND_LABELS[c.kind],
        statusLabel: CYCLE_STATUS_LABELS[c.status],
        rx: rx ? { id: rx.id, label: STATE_LABELS[rx.state], tag: STATE_TAGS[rx.state] } : null,
        canWrite: can.prescribe && writable.has(c.id),
        canDefer: can.prescribe && c.status === 'planned',
      };
    });
    const query = req.query as Record<string, string | undefined>;
    const deferId = extra.deferCycleId ?? query.defer;
    const deferCycle = can.prescribe ? (schedule.find((c) => c.id === deferId && c.canDefer) ?? schedule.find((c) => c.canDefer) ?? null) : null;
    const cycleNumber = new Map(course.schedule.map((c) => [c.id, c.cycle]));
    const done = DONE[query.done ?? ''];
    return renderPage(req, reply, 'prescribing/views/course.njk', {
      title: 'Treatment course',
      patient,
      course,
      statusLabel: COURSE_STATUS_LABELS[course.status],
      schedule,
      lvef: course.lvef.map((l) => ({ ...l, methodLabel: LVEF_METHODS[l.method], baseline: l.id === course.baselineId })),
      awaiting: course.lvef.filter((l) => !l.assessedAt),
      deferrals: course.deferrals.map((d) => ({ ...d, cycle: cycleNumber.get(d.cycleId), reasonLabel: DEFERRAL_REASONS[d.reasonCode as keyof typeof DEFERRAL_REASONS] ?? d.reasonCode, kindLabel: DOSE_KIND_LABELS[d.doseKind], outcomeLabel: DEFERRAL_OUTCOME_LABELS[d.outcome] })),
      overrides: course.overrides.map((o) => ({ ...o, cycle: course.prescriptions.find((p) => p.id === o.prescriptionId)?.cycle })),
      can,
      deferCycle,
      methods: METHOD_ITEMS,
      deferralReasons: DEFERRAL_ITEMS,
      today,
      done: done ? [done, query.ended && Number(query.ended) > 0 ? `${query.ended} prescription${query.ended === '1' ? ' was' : 's were'} calculated on the old weight and ${query.ended === '1' ? 'has' : 'have'} been cancelled: prescribe ${query.ended === '1' ? 'it' : 'them'} again.` : '', query.suspended === '1' ? 'Treatment is now suspended: open prescriptions are on hold.' : '', query.rx === 'cancelled' ? 'Its prescription was cancelled: write and sign a new one.' : query.rx === 'held' ? 'Its prescription is on hold for the new date.' : ''].filter(Boolean).join(' ') : null,
      values: {},
      errors: {},
      ...extra,
    });
  };
  const again = (req: FastifyRequest, reply: FastifyReply, courseId: string, status: number, errors: PageErrors, extra: Extra = {}) =>
    coursePage(req, reply.code(status), courseId, { ...errors, values: bodyOf(req), ...extra });

  app.get('/courses/:id', { config: { action: 'prescribing:read' }, schema: { hide: true, params: IdParams } }, async (req, reply) => coursePage(req, reply, req.params.id));

  app.post('/courses/:id/weights', { config: { action: 'prescribing:measure' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    const form = parseForm(WeightInput, JSON.parse(JSON.stringify({ weightKg: num(body.weightKg), heightCm: num(body.heightCm), measuredOn: text(body.measuredOn) })));
    if (!form.ok) return again(req, reply, req.params.id, 400, pageErrors('weight', form.errors, FIELDS.weight));
    const r = await tryService(recordWeight(db, ctxOf(req), req.params.id, form.data), 'weight', FIELDS.weight);
    if (!r.ok) return again(req, reply, req.params.id, r.status, r);
    return reply.redirect(`/courses/${req.params.id}?done=weight&ended=${r.value.prescriptionsEnded.length}`, 303);
  });

  app.post('/courses/:id/lvef', { config: { action: 'prescribing:measure' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    const input = { measuredOn: text(body.measuredOn), method: text(body.method), percent: num(body.percent), reportingClinician: typeof body.reportingClinician === 'string' ? body.reportingClinician : undefined, symptomaticHeartFailure: ticked(body.symptomaticHeartFailure) };
    const form = parseForm(LvefInput, JSON.parse(JSON.stringify(input)));
    if (!form.ok) return again(req, reply, req.params.id, 400, pageErrors('lvef', form.errors, FIELDS.lvef));
    const r = await tryService(recordLvef(db, ctxOf(req), req.params.id, form.data), 'lvef', FIELDS.lvef);
    if (!r.ok) return again(req, reply, req.params.id, r.status, r);
    return reply.redirect(`/courses/${req.params.id}?done=lvef`, 303);
  });

  app.post('/lvef/:id/assessment', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const courseId = await courseOf(db, ctx, 'LVEF result', req.params.id);
    const formId = `assess-${req.params.id}`;
    const form = parseForm(AssessInput, JSON.parse(JSON.stringify({ note: text(bodyOf(req).note) })));
    if (!form.ok) return again(req, reply, courseId, 400, pageErrors(formId, form.errors, ['note']));
    const r = await tryService(assessLvefResult(db, ctx, req.params.id, form.data), formId, ['note']);
    if (!r.ok) return again(req, reply, courseId, r.status, r);
    return reply.redirect(`/courses/${courseId}?done=assessed${r.value.suspended ? '&suspended=1' : ''}`, 303);
  });

  app.post('/cycles/:id/prescriptions', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const courseId = await courseOf(db, ctx, 'cycle', req.params.id);
    // A missing or out-of-date weight points at the weight form, where it is put right.
    const r = await tryService(createPrescription(db, ctx, req.params.id), 'weight', ['weightKg']);
    if (!r.ok) return again(req, reply, courseId, r.status, { ...r, failed: 'prescribe' });
    return reply.redirect(`/prescriptions/${r.value.id}?done=created`, 303);
  });

  app.post('/cycles/:id/deferral', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const courseId = await courseOf(db, ctx, 'cycle', req.params.id);
    const body = bodyOf(req);
    const extra = { deferCycleId: req.params.id };
    const form = parseForm(DeferInput, JSON.parse(JSON.stringify({ newDate: text(body.newDate), reasonCode: text(body.reasonCode), note: text(body.note) })));
    if (!form.ok) return again(req, reply, courseId, 400, pageErrors('defer', form.errors, FIELDS.defer), extra);
    const r = await tryService(deferCycle(db, ctx, req.params.id, form.data), 'defer', FIELDS.defer, { reason: 'reasonCode' });
    if (!r.ok) return again(req, reply, courseId, r.status, r, extra);
    return reply.redirect(`/courses/${courseId}?done=deferred&rx=${r.value.prescriptionAction}`, 303);
  });

  app.post('/courses/:id/resume', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const form = parseForm(ReasonInput, { reason: typeof bodyOf(req).reason === 'string' ? bodyOf(req).reason : '' });
    if (!form.ok) return again(req, reply, req.params.id, 400, pageErrors('resume', form.errors, FIELDS.resume));
    const r = await tryService(resumeCourse(db, ctxOf(req), req.params.id, form.data), 'resume', FIELDS.resume);
    if (!r.ok) return again(req, reply, req.params.id, r.status, r);
    return reply.redirect(`/courses/${req.params.id}?done=resumed`, 303);
  });
}
