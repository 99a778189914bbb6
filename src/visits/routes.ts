import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { presentPrescription } from '../prescribing/present.ts';
import { listVisits, openAlerts, recordCheck, recordIncident, recordNotGiven, recordReaction, recordVisitDose, rescheduleVisit, resolveAlert, scheduleVisits, visitPanel, visitRecordFor } from './service.ts';
import { CheckInput, DoseInput, IncidentInput, NotGivenInput, ReactionInput, RescheduleInput, ResolveInput, ScheduleInput, VisitQuery } from './validation.ts';
import type { VisitRow } from './schema.ts';
import { correctVisitDose, CorrectionInput, presentAdministration } from './corrections.ts';

const tags = ['visits'];
const Any = z.record(z.string(), z.unknown());
const presentVisit = (v: VisitRow) => ({ id: v.id, cycleId: v.cycleId, patientId: v.patientId, nurseId: v.nurseId, visitDate: v.visitDate, windowStart: v.windowStart, windowEnd: v.windowEnd, status: v.status, rescheduleReason: v.rescheduleReason, version: v.version });

/** The home-visit API: scheduling, the nurse's panel and recordings, and the Trust's alerts and record. */
export async function visitRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/courses/:id/visits', { config: { action: 'visit:schedule' }, schema: { tags, summary: 'Book a visit for every planned home cycle of a course that has none', params: IdParams, body: ScheduleInput, response: { 201: z.object({ visits: z.array(Any) }), ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send({ visits: (await scheduleVisits(db, ctxOf(req), req.params.id, req.body)).map(presentVisit) }),
  );
  app.get('/api/v1/visits', { config: { action: 'visit:read' }, schema: { tags, summary: "The provider's visits between two dates (a day or a week), optionally for one nurse", querystring: VisitQuery, response: { 200: z.object({ visits: z.array(Any) }), ...errorResponses } } }, async (req) => ({
    visits: (await listVisits(db, ctxOf(req), req.query)).map((r) => ({ ...presentVisit(r.v), patient: { id: r.p.id, name: `${r.p.familyName}, ${r.p.givenName}`, postcode: r.p.postcode }, nurse: r.nurse })),
  }));
  app.patch('/api/v1/visits/:id', { config: { action: 'visit:schedule' }, schema: { tags, summary: 'Reschedule a visit (within the dose’s valid dates) with a reason; stale versions are refused', params: IdParams, body: RescheduleInput, response: { 200: Any, ...errorResponses } } }, async (req) =>
    presentVisit(await rescheduleVisit(db, ctxOf(req), req.params.id, req.body)),
  );
  app.get('/api/v1/visits/:id', { config: { action: 'visit:read' }, schema: { tags, summary: 'The visit with its safety panel and hard stops', params: IdParams, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const p = await visitPanel(db, ctxOf(req), req.params.id);
    return {
      visit: presentVisit(p.visit),
      patient: { id: p.patient.id, name: `${p.patient.givenName} ${p.patient.familyName}`, dateOfBirth: p.patient.dateOfBirth, address: [p.patient.addressLine1, p.patient.addressLine2, p.patient.town, p.patient.postcode].filter(Boolean).join(', '), phone: p.patient.phone },
      accessNotes: p.refer.accessNotes ?? null,
      allergies: p.refer.allergies ?? null,
      cycle: { number: p.cycle.cycleNumber, kind: p.cycle.kind, dueDate: p.cycle.dueDate, hospitalOnlyReason: p.cycle.hospitalOnlyReason },
      prescription: p.prescription ? presentPrescription(p.prescription) : null,
      lastReaction: p.lastReaction ? { grade: p.lastReaction.grade, description: p.lastReaction.description, at: p.lastReaction.recordedAt.toISOString() } : null,
      lvef: { blocking: p.gate.blocking, warnings: p.gate.warnings, overridden: p.gate.overridden },
      stops: p.stops,
      canGive: p.stops.length === 0,
      check: p.check ? { decision: p.check.decision, outOfRange: p.check.outOfRange, at: p.check.recordedAt.toISOString() } : null,
      administration: p.administration ? { id: p.administration.id, version: p.administration.version, site: p.administration.site, startedAt: p.administration.startedAt?.toISOString() ?? null, endedAt: p.administration.endedAt?.toISOString() ?? null, observationCompleted: p.administration.observationCompleted } : null,
    };
  });
  app.post('/api/v1/visits/:id/checks', { config: { action: 'visit:record' }, schema: { tags, summary: 'The pre-administration checklist (identity, consent, observations, symptoms, decision)', params: IdParams, body: CheckInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const c = await recordCheck(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ id: c.id, decision: c.decision, outOfRange: c.outOfRange });
  });
  app.post('/api/v1/visits/:id/administration', { config: { action: 'visit:record' }, schema: { tags, summary: 'Record the dose given (exactly the released dose; gate, batch expiry and times checked; idempotent by key)', params: IdParams, body: DoseInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentPrescription(await recordVisitDose(db, ctxOf(req), req.params.id, req.body))),
  );
  app.patch('/api/v1/visits/:id/administration', { config: { action: 'visit:record' }, schema: { tags, summary: 'Correct the dose recorded at the visit (site, start and end time on the same day, observation period) with a reason; the record’s version must be sent and a stale one is refused', params: IdParams, body: CorrectionInput, response: { 200: Any, ...errorResponses } } }, async (req) =>
    presentAdministration(await correctVisitDose(db, ctxOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/visits/:id/not-given', { config: { action: 'visit:record' }, schema: { tags, summary: 'Record the dose as not given: a deferral request goes to the Trust', params: IdParams, body: NotGivenInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const a = await recordNotGiven(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ alertId: a.id, message: a.message });
  });
  app.post('/api/v1/visits/:id/reactions', { config: { action: 'visit:record' }, schema: { tags, summary: 'Record a reaction (CTCAE v5 grade 1–5); grade 2+ alerts the Trust and makes the next dose hospital only', params: IdParams, body: ReactionInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const r = await recordReaction(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ id: r.reaction.id, grade: r.reaction.grade, hospitalOnlyCycle: r.hospitalOnlyCycle });
  });
  app.post('/api/v1/visits/:id/incidents', { config: { action: 'visit:record' }, schema: { tags, summary: 'Record an incident linked to the visit (visible to the Trust)', params: IdParams, body: IncidentInput, response: { 201: Any, ...errorResponses } } }, async (req, reply) => {
    const i = await recordIncident(db, ctxOf(req), req.params.id, req.body);
    return reply.code(201).send({ id: i.id, kind: i.kind, severity: i.severity });
  });
  app.get('/api/v1/alerts', { config: { action: 'alert:read' }, schema: { tags, summary: "The Trust's open alerts from home visits", response: { 200: z.object({ alerts: z.array(Any) }), ...errorResponses } } }, async (req) => ({
    alerts: (await openAlerts(db, ctxOf(req))).map((r) => ({ id: r.a.id, kind: r.a.kind, message: r.a.message, patientId: r.p.id, name: `${r.p.familyName}, ${r.p.givenName}`, cycleId: r.a.cycleId, raisedAt: r.a.raisedAt.toISOString() })),
  }));
  app.post('/api/v1/alerts/:id/resolution', { config: { action: 'alert:resolve' }, schema: { tags, summary: 'Deal with an alert (a reaction needs a prescriber, and lifts the hospital-only mark)', params: IdParams, body: ResolveInput, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const a = await resolveAlert(db, ctxOf(req), req.params.id, req.body);
    return { id: a.id, kind: a.kind, resolution: a.resolution };
  });
  app.get('/api/v1/patients/:id/home-record', { config: { action: 'visit:read' }, schema: { tags, summary: "What the provider recorded for a patient: visits, doses given, reactions, incidents", params: IdParams, response: { 200: Any, ...errorResponses } } }, async (req) => {
    const r = await visitRecordFor(db, ctxOf(req), req.params.id);
    return {
      visits: r.visits.map(presentVisit),
      administrations: r.administrations.map((a) => ({ id: a.id, prescriptionId: a.prescriptionId, place: a.place, givenOn: a.givenOn, doses: a.doses, route: a.route, site: a.site, startedAt: a.startedAt?.toISOString() ?? null, endedAt: a.endedAt?.toISOString() ?? null, batch: a.batch, observationCompleted: a.observationCompleted, version: a.version, recordedAt: a.recordedAt.toISOString() })),
      reactions: r.reactions.map((x) => ({ id: x.id, grade: x.grade, description: x.description, actions: x.actions, recordedAt: x.recordedAt.toISOString() })),
      incidents: r.incidents.map((x) => ({ id: x.id, kind: x.kind, severity: x.severity, description: x.description, recordedAt: x.recordedAt.toISOString() })),
    };
  });
}
