import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { getPatient } from '../patients/service.ts';
import { presentPatient } from '../patients/present.ts';
import { createReferral, listProviders } from './service.ts';

const ReferralInput = z.strictObject({ providerId: z.uuid('Select a home-care provider') });
const ReferralOut = z.object({ id: z.string(), patientId: z.string(), providerId: z.string(), status: z.string(), createdAt: z.string() });

/** Referral of a patient to a home-care provider (the first step of shared care; the full pathway builds on it). */
export async function pathwayRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/patients/:id/referrals', { config: { action: 'referral:create' }, schema: { tags: ['pathway'], summary: 'Refer a patient to a home-care provider', params: IdParams, body: ReferralInput, response: { 201: ReferralOut, ...errorResponses } } }, async (req, reply) => {
    const r = await createReferral(db, ctxOf(req), req.params.id, req.body.providerId);
    return reply.code(201).send({ id: r.id, patientId: r.patientId, providerId: r.providerId, status: r.status, createdAt: r.createdAt.toISOString() });
  });

  app.post('/patients/:id/referrals', { config: { action: 'referral:create' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const ctx = ctxOf(req);
    const form = parseForm(ReferralInput, { providerId: (req.body as Record<string, unknown> | undefined)?.providerId || undefined });
    const result = form.ok ? await attempt(createReferral(db, ctx, req.params.id, form.data.providerId)) : { ...form, status: 400 };
    if (result.ok) return reply.redirect(`/patients/${req.params.id}?referred=1`, 303);
    const patient = presentPatient(await getPatient(db, ctx, req.params.id), ctx);
    const providers = (await listProviders(db, ctx)).map((o) => ({ value: o.id, text: o.name }));
    return renderPage(req, reply.code(result.status), 'patients/views/detail.njk', { title: `${patient.givenName} ${patient.familyName}`, patient, providers, errors: result.errors, errorList: result.errorList });
  });
}
