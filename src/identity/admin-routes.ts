import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { ROLE_LABELS, ROLE_ORG_KIND, ROLES } from '../access/roles.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, blankToUndefined, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { listOrganisations, listUnits } from '../organisations/service.ts';
import { createUser, getUser, listUsers, updateUser, UserInput, UserPatch } from './admin-service.ts';
import { presentUser } from './present.ts';

const UserOut = z.object({ id: z.string(), username: z.string(), displayName: z.string(), orgId: z.string(), role: z.string(), roleLabel: z.string(), active: z.boolean(), unitIds: z.array(z.string()) });
const tags = ['administration'];
const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Administrator API and pages for staff accounts, roles and unit limits. */
export async function userAdminRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/admin/users', { config: { action: 'user:manage' }, schema: { tags, summary: 'List staff accounts', response: { 200: z.object({ users: z.array(UserOut) }) } } }, async (req) => ({
    users: (await listUsers(db, ctxOf(req))).map((u) => presentUser(u.user, u.unitIds)),
  }));
  app.post('/api/v1/admin/users', { config: { action: 'user:manage' }, schema: { tags, summary: 'Create a staff account', body: UserInput, response: { 201: UserOut, ...errorResponses } } }, async (req, reply) => {
    const { user, unitIds } = await createUser(db, ctxOf(req), req.body);
    return reply.code(201).send(presentUser(user, unitIds));
  });
  app.get('/api/v1/admin/users/:id', { config: { action: 'user:manage' }, schema: { tags, summary: 'One staff account', params: IdParams, response: { 200: UserOut, ...errorResponses } } }, async (req) => {
    const { user, unitIds } = await getUser(db, ctxOf(req), req.params.id);
    return presentUser(user, unitIds);
  });
  app.patch('/api/v1/admin/users/:id', { config: { action: 'user:manage' }, schema: { tags, summary: 'Change a staff account (name, role, units, active, password)', params: IdParams, body: UserPatch, response: { 200: UserOut, ...errorResponses } } }, async (req) => {
    const { user, unitIds } = await updateUser(db, ctxOf(req), req.params.id, req.body);
    return presentUser(user, unitIds);
  });

  const options = async (req: FastifyRequest) => {
    const ctx = ctxOf(req);
    const orgs = await listOrganisations(db, ctx);
    const allUnits = await listUnits(db, ctx);
    return {
      orgs: orgs.map((o) => ({ value: o.id, text: `${o.name} (${o.odsCode})`, kind: o.kind })),
      roles: ROLES.map((r) => ({ value: r, text: `${ROLE_LABELS[r]} (${ROLE_ORG_KIND[r]})` })),
      units: allUnits.map((u) => ({ value: u.id, text: u.name, trustId: u.trustId })),
      orgName: new Map(orgs.map((o) => [o.id, o.name])),
    };
  };
  const listPage = async (req: FastifyRequest, extra: object = {}) => {
    const opts = await options(req);
    const list = (await listUsers(db, ctxOf(req))).map((u) => ({ ...presentUser(u.user, u.unitIds), orgName: opts.orgName.get(u.user.orgId) }));
    return { title: 'Users', users: list, ...opts, ...extra };
  };
  app.get('/admin/users', { config: { action: 'user:manage' }, schema: { hide: true } }, async (req, reply) => renderPage(req, reply, 'identity/views/users.njk', await listPage(req)));
  app.post('/admin/users', { config: { action: 'user:manage' }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(UserInput, { username: body.username, displayName: body.displayName, password: body.password, orgId: blankToUndefined(body.orgId), role: blankToUndefined(body.role), unitIds: asList(body.unitIds) });
    if (!form.ok) return renderPage(req, reply.code(400), 'identity/views/users.njk', await listPage(req, { ...form, values: body }));
    const result = await attempt(createUser(db, ctxOf(req), form.data));
    if (!result.ok) return renderPage(req, reply.code(result.status), 'identity/views/users.njk', await listPage(req, { ...result, values: body }));
    return reply.redirect(`/admin/users/${result.value.user.id}`, 303);
  });

  const editPage = async (req: FastifyRequest, id: string, extra: object = {}) => {
    const { user, unitIds } = await getUser(db, ctxOf(req), id);
    const opts = await options(req);
    return { title: user.displayName, account: { ...presentUser(user, unitIds), orgName: opts.orgName.get(user.orgId) }, ...opts, units: opts.units.filter((u) => u.trustId === user.orgId), ...extra };
  };
  app.get('/admin/users/:id', { config: { action: 'user:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => renderPage(req, reply, 'identity/views/user-edit.njk', await editPage(req, req.params.id)));
  app.post('/admin/users/:id', { config: { action: 'user:manage' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(UserPatch, { displayName: body.displayName, role: blankToUndefined(body.role), active: body.active === 'yes', password: blankToUndefined(body.password), unitIds: asList(body.unitIds) });
    if (!form.ok) return renderPage(req, reply.code(400), 'identity/views/user-edit.njk', await editPage(req, req.params.id, form));
    const result = await attempt(updateUser(db, ctxOf(req), req.params.id, form.data));
    if (!result.ok) return renderPage(req, reply.code(result.status), 'identity/views/user-edit.njk', await editPage(req, req.params.id, result));
    return reply.redirect('/admin/users', 303);
  });
}
