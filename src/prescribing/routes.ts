import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { AppError } from '../platform/errors.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { courseOfEpisode, getCourse, recordWeight, startCourse } from './courses.ts';
import { deferCycle } from './deferral.ts';
import { assessLvefResult, recordLvef, resumeCourse } from './lvef.ts';
import { administerDose, createPrescription, getPrescription, overrideGate, stepPrescription } from './prescriptions.ts';
import { presentCourse, presentLvef, presentPrescription } from './present.ts';
import { AdministerInput, AssessInput, CourseInput, DeferInput, LvefInput, ReasonInput, StepInput, WeightInput } from './validation.ts';
import { prescribingWorklists, providerDispensingList } from './worklists.ts';

const tags = ['prescribing'];
const Any = z.record(z.string(), z.unknown());
const Item = z.object({ patientId: z.string(), name: z.string(), nhsNumber: z.string(), courseId: z.string(), detail: z.string(), date: z.string().nullable(), href: z.string() });

/**
 * The prescribing API: courses and schedules, weights, prescriptions through their lifecycle, deferrals, LVEF results
 * and assessments, gate overrides, doses given, and the worklists. Every route declares its policy action.
 */
export async function prescribingRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/episodes/:id/course', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'Start the treatment course for an episode: the schedule is generated from the published regimen version', params: IdParams, body: CourseInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const course = await startCourse(db, ctx, req.params.id, req.body);
    return reply.code(201).send(presentCourse(await getCourse(db, ctx, course.id), ctx));
  });
  app.get('/api/v1/episodes/:id/course', { config: { action: 'prescribing:read' }, schema: { tags, summary: 'The treatment course of an episode', params: IdParams, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const ctx = ctxOf(req);
    const id = await courseOfEpisode(db, ctx, req.params.id);
    if (!id) throw new AppError('not_found', 'No treatment course was found');
    return presentCourse(await getCourse(db, ctx, id), ctx);
  });
  app.get('/api/v1/courses/:id', { config: { action: 'prescribing:read' }, schema: { tags, summary: 'A course with its schedule, prescriptions, weights, LVEF results, deferrals and the cardiac gate', params: IdParams, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const ctx = ctxOf(req);
    return presentCourse(await getCourse(db, ctx, req.params.id), ctx);
  });
  app.post('/api/v1/courses/:id/weights', { config: { action: 'prescribing:measure' }, schema: { tags, summary: 'Record a weight (and height); a change of 10% or more ends prescriptions calculated on the old weight', params: IdParams, body: WeightInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const r = await recordWeight(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ id: r.weight.id, weightKg: r.weight.weightKg, measuredOn: r.weight.measuredOn, prescriptionsEnded: r.prescriptionsEnded });
  });
  app.post('/api/v1/courses/:id/lvef', { config: { action: 'prescribing:measure' }, schema: { tags, summary: 'Record an LVEF result as reported (echo, MUGA or MRI)', params: IdParams, body: LvefInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentLvef(await recordLvef(db, ctxOf(req), req.params.id, req.body))),
  );
  app.post('/api/v1/lvef/:id/assessment', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'A prescriber assesses an LVEF result (decision table, spec §3.7); a suspension holds open prescriptions', params: IdParams, body: AssessInput, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const r = await assessLvefResult(db, ctxOf(req), req.params.id, req.body);
    return { result: presentLvef(r.result), suspended: r.suspended, prescriptionsHeld: r.prescriptionsHeld };
  });
  app.post('/api/v1/courses/:id/resume', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'A prescriber resumes treatment after a cardiac suspension (never automatic)', params: IdParams, body: ReasonInput, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const c = await resumeCourse(db, ctxOf(req), req.params.id, req.body);
    return { id: c.id, status: c.status };
  });
  app.post('/api/v1/cycles/:id/prescriptions', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'Write a draft prescription for a planned cycle (dose calculated from the regimen and a recent weight)', params: IdParams, response: { 201: Any, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentPrescription(await createPrescription(db, ctxOf(req), req.params.id))),
  );
  app.post('/api/v1/cycles/:id/deferral', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'Defer a cycle: hold or cancel its prescription, move it and recompute the schedule in one transaction', params: IdParams, body: DeferInput, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const r = await deferCycle(db, ctxOf(req), req.params.id, req.body);
    return { deferralId: r.deferral.id, doseKind: r.outcome.dose.kind, daysLate: r.outcome.dose.daysLate, outcome: r.outcome.then, reasons: r.outcome.reasons, prescription: r.prescriptionAction, nextDueDate: r.nextDueDate, warnings: r.outcome.dose.warnings, explanation: r.outcome.dose.explanation };
  });
  app.get('/api/v1/prescriptions/:id', { config: { action: 'prescribing:read' }, schema: { tags, summary: 'A prescription with its history, overrides and the cardiac gate now', params: IdParams, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const v = await getPrescription(db, ctxOf(req), req.params.id);
    return {
      prescription: presentPrescription(v.rx),
      matchesSchedule: v.matchesSchedule,
      history: v.history.map((h) => ({ event: h.event, from: h.fromState, to: h.toState, reason: h.reason, byUserId: h.byUserId, at: h.at.toISOString() })),
      overrides: v.overrides.map((o) => ({ reason: o.reason, blocks: o.blocks, byName: o.byName, at: o.at.toISOString() })),
      gate: v.gate ? { allowed: v.gate.allowed, blocking: v.gate.blocking, overridden: v.gate.overridden, warnings: v.gate.warnings } : null,
    };
  });
  const step = (action: 'prescribing:prescribe' | 'prescribing:screen' | 'prescribing:dispense' | 'prescribing:administer', path: string, summary: string, allowed: string[]) =>
    app.post(path, { config: { action }, schema: { tags, summary, params: IdParams, body: StepInput, response: { 200: Any, ...errorResponses } } }, async (req) => {
      if (!allowed.includes(req.body.event)) throw new AppError('validation', `Use this address only to ${allowed.join(', ')}`, { event: `Use this address only to ${allowed.join(', ')}` });
      return presentPrescription(await stepPrescription(db, ctxOf(req), req.params.id, req.body));
    });
  step('prescribing:prescribe', '/api/v1/prescriptions/:id/prescriber-steps', 'Prescriber: sign, hold, resume or cancel (409 says what is allowed)', ['sign', 'hold', 'resume', 'cancel']);
  step('prescribing:screen', '/api/v1/prescriptions/:id/pharmacy-steps', 'Trust pharmacist: verify (clinically screen; never the signer), release to the provider, or cancel', ['verify', 'transmit', 'cancel']);
  step('prescribing:dispense', '/api/v1/prescriptions/:id/dispensing', 'Provider pharmacy: record dispensing and delivery (batch, expiry, cold chain)', ['deliver']);
  step('prescribing:administer', '/api/v1/prescriptions/:id/not-given', 'Record that the dose was not given, with the reason', ['not-given']);
  app.post('/api/v1/prescriptions/:id/override', { config: { action: 'prescribing:prescribe' }, schema: { tags, summary: 'A named prescriber overrides the cardiac gate for this dose, with a reason (audited, shown to the nurse)', params: IdParams, body: ReasonInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const o = await overrideGate(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ id: o.id, reason: o.reason, blocks: o.blocks, byName: o.byName, at: o.at.toISOString() });
  });
  app.post('/api/v1/prescriptions/:id/administration', { config: { action: 'prescribing:administer' }, schema: { tags, summary: 'Record the dose as given (exactly the prescribed dose, within its valid dates, cardiac gate clear)', params: IdParams, body: AdministerInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentPrescription(await administerDose(db, ctxOf(req), req.params.id, req.body))),
  );
  app.get('/api/v1/worklists/prescribing', { config: { action: 'worklist:read' }, schema: { tags, summary: 'Trust prescribing worklists: LVEF due, overdue and awaiting assessment; doses without a released prescription; prescriptions awaiting screening', response: { 200: z.object({ lvefDueSoon: z.array(Item), lvefOverdue: z.array(Item), lvefAwaitingAssessment: z.array(Item), dosesWithoutRelease: z.array(Item), awaitingScreening: z.array(Item) }), ...errorResponses } } }, async (req) =>
    prescribingWorklists(db, ctxOf(req)),
  );
  app.get('/api/v1/worklists/dispensing', { config: { action: 'prescribing:dispense' }, schema: { tags, summary: 'Provider pharmacy: released prescriptions to dispense', response: { 200: z.object({ items: z.array(Item) }), ...errorResponses } } }, async (req) => ({
    items: await providerDispensingList(db, ctxOf(req)),
  }));
}
