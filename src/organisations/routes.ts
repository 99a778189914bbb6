import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, blankToUndefined, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { AgreementInput, EndAgreementInput, OrganisationInput, OrganisationPatch, UnitInput } from './validation.ts';
import * as svc from './service.ts';
import { presentAgreement, presentOrganisation, presentUnit, ORG_KIND_LABELS } from './present.ts';

const OrgOut = z.object({ id: z.string(), kind: z.string(), kindLabel: z.string(), odsCode: z.string(), name: z.string(), active: z.boolean() });
const UnitOut = z.object({ id: z.string(), trustId: z.string(), code: z.string(), name: z.string(), active: z.boolean() });
const AgreementOut = z.object({
  id: z.string(), trustId: z.string(), providerId: z.string(), reference: z.string(), startsOn: z.string(), endsOn: z.string().nullable(),
  endedAt: z.string().nullable(), endedReason: z.string().nullable(), status: z.string(),
});
const tags = ['administration'];

/** Administrator API and pages for organisations, units and data-sharing agreements. */
export async function organisationRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  // ---- API ----
  app.get('/api/v1/admin/organisations', { config: { action: 'org:manage' }, schema: { tags, summary: 'List organisations', response: { 200: z.object({ organisations: z.array(OrgOut) }) } } }, async (req) => ({
    organisations: (await svc.listOrganisations(db, ctxOf(req))).map(presentOrganisation),
  }));
  app.post('/api/v1/admin/organisations', { config: { action: 'org:manage' }, schema: { tags, summary: 'Create an organisation', body: OrganisationInput, response: { 201: OrgOut, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentOrganisation(await svc.createOrganisation(db, ctxOf(req), req.body))),
  );
  app.get('/api/v1/admin/organisations/:id', { config: { action: 'org:manage' }, schema: { tags, summary: 'An organisation and its units', params: IdParams, response: { 200: z.object({ organisation: OrgOut, units: z.array(UnitOut) }), ...errorResponses } } }, async (req) => {
    const { org, units } = await svc.getOrganisation(db, ctxOf(req), req.params.id);
    return { organisation: presentOrganisation(org), units: units.map(presentUnit) };
  });
  app.patch('/api/v1/admin/organisations/:id', { config: { action: 'org:manage' }, schema: { tags, summary: 'Rename or (de)activate an organisation', params: IdParams, body: OrganisationPatch, response: { 200: OrgOut, ...errorResponses } } }, async (req) =>
    presentOrganisation(await svc.updateOrganisation(db, ctxOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/admin/units', { config: { action: 'org:manage' }, schema: { tags, summary: "Add a chemotherapy unit to a Trust", body: UnitInput, response: { 201: UnitOut, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentUnit(await svc.createUnit(db, ctxOf(req), req.body))),
  );
  app.get('/api/v1/admin/agreements', { config: { action: 'agreement:manage' }, schema: { tags, summary: 'List data-sharing agreements', response: { 200: z.object({ agreements: z.array(AgreementOut) }) } } }, async (req) => ({
    agreements: (await svc.listAgreements(db, ctxOf(req))).map((a) => presentAgreement(a, ctxOf(req).now)),
  }));
  app.post('/api/v1/admin/agreements', { config: { action: 'agreement:manage' }, schema: { tags, summary: 'Create a data-sharing agreement between a Trust and a provider', body: AgreementInput, response: { 201: AgreementOut, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentAgreement(await svc.createAgreement(db, ctxOf(req), req.body), ctxOf(req).now)),
  );
  app.post('/api/v1/admin/agreements/:id/end', { config: { action: 'agreement:manage' }, schema: { tags, summary: 'End an agreement now; provider access stops at once', params: IdParams, body: EndAgreementInput, response: { 200: AgreementOut, ...errorResponses } } }, async (req) =>
    presentAgreement(await svc.endAgreement(db, ctxOf(req), req.params.id, req.body.reason), ctxOf(req).now),
  );

  // ---- Pages ----
  const orgListPage = async (req: Parameters<typeof ctxOf>[0], extra: object = {}) => ({
    title: 'Organisations',
    organisations: (await svc.listOrganisations(db, ctxOf(req))).map(presentOrganisation),
    kinds: Object.entries(ORG_KIND_LABELS).map(([value, text]) => ({ value, text })),
    ...extra,
  });
  app.get('/admin/organisations', { config: { action: 'org:manage' }, schema: { hide: true } }, async (req, reply) => renderPage(req, reply, 'organisations/views/list.njk', await orgListPage(req)));
  app.post('/admin/organisations', { config: { action: 'org:manage' }, schema: { hide: true } }, async (req, reply) => {
    const form = parseForm(OrganisationInput, req.body);
    if (!form.ok) return renderPage(req, reply.code(400), 'organisations/views/list.njk', await orgListPage(req, { ...form, values: req.body }));
    const result = await attempt(svc.createOrganisation(db, ctxOf(req), form.data));
    if (!result.ok) return renderPage(req, reply.code(result.status), 'organisations/views/list.njk', await orgListPage(req, { ...result, values: req.body }));
    return reply.redirect(`/admin/organisations/${result.value.id}`, 303);
  });

  const orgPage = async (req: Parameters<typeof ctxOf>[0], id: string, extra: object = {}) => {
    const { org, units } = await svc.getOrganisation(db, ctxOf(req), id);
    return { title: org.name, organisation: presentOrganisation(org), units: units.map(presentUnit), ...extra };
  };
  app.get('/admin/organisations/:id', { config: { action: 'org:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => renderPage(req, reply, 'organisations/views/detail.njk', await orgPage(req, req.params.id)));
  app.post('/admin/organisations/:id', { config: { action: 'org:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(OrganisationPatch, { name: blankToUndefined(body.name) ?? '', active: body.active === 'yes' });
    if (!form.ok) return renderPage(req, reply.code(400), 'organisations/views/detail.njk', await orgPage(req, req.params.id, form));
    await svc.updateOrganisation(db, ctxOf(req), req.params.id, form.data);
    return reply.redirect(`/admin/organisations/${req.params.id}`, 303);
  });
  app.post('/admin/organisations/:id/units', { config: { action: 'org:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(UnitInput, { trustId: req.params.id, code: body.code, name: body.name });
    const fail = async (f: { errors: Record<string, string> }, code: number) =>
      renderPage(req, reply.code(code), 'organisations/views/detail.njk', await orgPage(req, req.params.id, { unitErrors: f.errors, errorList: Object.entries(f.errors).map(([k, text]) => ({ text, href: `#unit-${k}` })), unitValues: body }));
    if (!form.ok) return fail(form, 400);
    const result = await attempt(svc.createUnit(db, ctxOf(req), form.data));
    if (!result.ok) return fail(result, result.status);
    return reply.redirect(`/admin/organisations/${req.params.id}`, 303);
  });

  const agreementsPage = async (req: Parameters<typeof ctxOf>[0], extra: object = {}) => {
    const ctx = ctxOf(req);
    const orgs = (await svc.listOrganisations(db, ctx)).map(presentOrganisation);
    const name = new Map(orgs.map((o) => [o.id, o.name]));
    const list = (await svc.listAgreements(db, ctx)).map((a) => ({ ...presentAgreement(a, ctx.now), trustName: name.get(a.trustId), providerName: name.get(a.providerId) }));
    return {
      title: 'Data-sharing agreements',
      agreements: list,
      trusts: orgs.filter((o) => o.kind === 'trust').map((o) => ({ value: o.id, text: o.name })),
      providers: orgs.filter((o) => o.kind === 'provider').map((o) => ({ value: o.id, text: o.name })),
      ...extra,
    };
  };
  app.get('/admin/agreements', { config: { action: 'agreement:manage' }, schema: { hide: true } }, async (req, reply) => renderPage(req, reply, 'organisations/views/agreements.njk', await agreementsPage(req)));
  app.post('/admin/agreements', { config: { action: 'agreement:manage' }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(AgreementInput, { trustId: body.trustId, providerId: body.providerId, reference: body.reference, startsOn: body.startsOn, endsOn: blankToUndefined(body.endsOn) });
    if (!form.ok) return renderPage(req, reply.code(400), 'organisations/views/agreements.njk', await agreementsPage(req, { ...form, values: body }));
    const result = await attempt(svc.createAgreement(db, ctxOf(req), form.data));
    if (!result.ok) return renderPage(req, reply.code(result.status), 'organisations/views/agreements.njk', await agreementsPage(req, { ...result, values: body }));
    return reply.redirect('/admin/agreements', 303);
  });
  app.post('/admin/agreements/:id/end', { config: { action: 'agreement:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(EndAgreementInput, { reason: body.reason });
    if (!form.ok) return renderPage(req, reply.code(400), 'organisations/views/agreements.njk', await agreementsPage(req, { errorList: [{ text: form.errors.reason ?? 'Enter why the agreement is ending', href: `#reason-${req.params.id}` }], endErrors: { [req.params.id]: form.errors.reason } }));
    await svc.endAgreement(db, ctxOf(req), req.params.id, form.data.reason);
    return reply.redirect('/admin/agreements', 303);
  });
}
