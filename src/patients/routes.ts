import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, blankToUndefined, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { listUnits } from '../organisations/service.ts';
import { listEpisodes } from '../pathway/episodes.ts';
import { presentEpisode } from '../pathway/present.ts';
import { regimenChoices, regimenLabels } from '../prescribing/regimen-store.ts';
import { createPatient, getPatient, searchPatients } from './service.ts';
import { presentPatient } from './present.ts';
import { PatientInput, PatientSearch } from './validation.ts';
import { ETHNIC_CATEGORIES, SEXES } from './codes.ts';
import { homeRecordFor } from '../visits/nurse-data.ts';

const PatientOut = z.object({
  id: z.string(), nhsNumber: z.string(), givenName: z.string(), familyName: z.string(), dateOfBirth: z.string(), postcode: z.string().nullable(),
  addressLine1: z.string().nullable(), addressLine2: z.string().nullable(), town: z.string().nullable(), phone: z.string().nullable(),
  sex: z.string().nullable().optional(), gpPracticeCode: z.string().nullable().optional(), gpPracticeName: z.string().nullable().optional(), ethnicCategory: z.string().nullable().optional(),
  imdDecile: z.number().nullable().optional(), diagnosisCode: z.string().nullable().optional(), consultant: z.string().nullable().optional(),
  trustId: z.string().optional(), unitId: z.string().nullable().optional(), version: z.number().optional(), createdAt: z.string().optional(),
});
const tags = ['patients'];

/** The patient registry: search, register, view. Scope comes from the policy table and row-level security. */
export async function patientRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/patients', { config: { action: 'patient:list' }, schema: { tags, summary: 'Search patients by NHS number, name or date of birth', querystring: PatientSearch, response: { 200: z.object({ patients: z.array(PatientOut) }), ...errorResponses } } }, async (req) => {
    const ctx = ctxOf(req);
    return { patients: (await searchPatients(db, ctx, req.query.q)).map((p) => presentPatient(p, ctx)) };
  });
  app.post('/api/v1/patients', { config: { action: 'patient:create' }, schema: { tags, summary: "Register a patient with the user's Trust", body: PatientInput, response: { 201: PatientOut, ...errorResponses } } }, async (req, reply) => {
    const ctx = ctxOf(req);
    return reply.code(201).send(presentPatient(await createPatient(db, ctx, req.body), ctx));
  });
  app.get('/api/v1/patients/:id', { config: { action: 'patient:read' }, schema: { tags, summary: 'One patient', params: IdParams, response: { 200: PatientOut, ...errorResponses } } }, async (req) => {
    const ctx = ctxOf(req);
    return presentPatient(await getPatient(db, ctx, req.params.id), ctx);
  });

  // ---- Pages ----
  app.get('/patients', { config: { action: 'patient:list' }, schema: { hide: true } }, async (req, reply) => {
    const form = parseForm(PatientSearch, { q: blankToUndefined((req.query as { q?: unknown }).q) });
    const q = form.ok ? form.data.q : undefined;
    const ctx = ctxOf(req);
    const list = form.ok ? (await searchPatients(db, ctx, q)).map((p) => presentPatient(p, ctx)) : [];
    return renderPage(req, reply.code(form.ok ? 200 : 400), 'patients/views/list.njk', { title: 'Patients', patients: list, q, canCreate: decide(ctx.role, 'patient:create'), ...(form.ok ? {} : form) });
  });
  const newPage = async (req: FastifyRequest, extra: object = {}) => {
    const ctx = ctxOf(req);
    const units = (await listUnits(db, ctx, ctx.orgId)).filter((u) => !ctx.unitIds.length || ctx.unitIds.includes(u.id));
    return {
      title: 'Register a patient',
      units: units.map((u) => ({ value: u.id, text: u.name })),
      ethnicCategories: Object.entries(ETHNIC_CATEGORIES).map(([value, text]) => ({ value, text })),
      sexes: Object.entries(SEXES).map(([value, text]) => ({ value, text })),
      ...extra,
    };
  };
  app.get('/patients/new', { config: { action: 'patient:create' }, schema: { hide: true } }, async (req, reply) => renderPage(req, reply, 'patients/views/new.njk', await newPage(req)));
  app.post('/patients', { config: { action: 'patient:create' }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const optional = ['postcode', 'unitId', 'sex', 'addressLine1', 'addressLine2', 'town', 'phone', 'gpPracticeCode', 'gpPracticeName', 'ethnicCategory', 'imdDecile', 'diagnosisCode', 'consultant'];
    const form = parseForm(PatientInput, {
      nhsNumber: body.nhsNumber,
      givenName: body.givenName,
      familyName: body.familyName,
      dateOfBirth: body.dateOfBirth,
      ...Object.fromEntries(optional.map((k) => [k, blankToUndefined(body[k])])),
    });
    if (!form.ok) return renderPage(req, reply.code(400), 'patients/views/new.njk', await newPage(req, { ...form, values: body }));
    const result = await attempt(createPatient(db, ctxOf(req), form.data));
    if (!result.ok) {
      // A duplicate NHS number: link straight to the record that already has it.
      const existing = /\/patients\/([0-9a-f-]{36})/.exec(result.errors.nhsNumber ?? '')?.[1];
      return renderPage(req, reply.code(result.status), 'patients/views/new.njk', await newPage(req, { ...result, values: body, existingHref: existing ? `/patients/${existing}` : undefined }));
    }
    return reply.redirect(`/patients/${result.value.id}`, 303);
  });
  app.get('/patients/:id', { config: { action: 'patient:read' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const patient = presentPatient(await getPatient(db, ctx, req.params.id), ctx);
    const episodes = decide(ctx.role, 'episode:read') ? (await listEpisodes(db, ctx, patient.id)).map(presentEpisode) : [];
    const regimens = decide(ctx.role, 'episode:create') ? await regimenChoices(db, ctx) : [];
    const regimenLabel = await regimenLabels(db, ctx);
    // Home treatment record (visits context): what the provider recorded at home, for the Trust's clinical staff.
    const homeRecord = ctx.orgKind === 'trust' && decide(ctx.role, 'visit:read') ? await homeRecordFor(db, ctx, patient.id) : null;
    return renderPage(req, reply, 'patients/views/detail.njk', { title: `${patient.givenName} ${patient.familyName}`, patient, episodes, regimens, regimenLabel, homeRecord });
  });

}
