import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, blankToUndefined, formErrors, parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { getChecklist, listChecklists, saveChecklist, type ChecklistEdit, type ChecklistVersion } from './checklists.ts';
import { addConsentForm, CONSENT_KIND_LABELS, listConsentForms, retireConsentForm, type ConsentFormVersion } from './consent-forms.ts';
import { CONSENT_KINDS } from './config-schema.ts';
import { ChecklistSave, ConsentFormCreate, RegimenParams } from './config-validation.ts';

const tags = ['administration'];
const ChecklistOut = z.object({
  regimen: z.string(),
  regimenLabel: z.string(),
  version: z.number().describe('0 is the built-in default (spec §4.2)'),
  items: z.array(z.object({ code: z.string(), text: z.string(), naAllowed: z.boolean() })),
  changedAt: z.string().nullable(),
  changedBy: z.string().nullable(),
});
const ConsentFormOut = z.object({ id: z.string().nullable(), kind: z.enum(CONSENT_KINDS), version: z.string(), title: z.string(), summary: z.string(), active: z.boolean(), builtIn: z.boolean(), createdAt: z.string().nullable() });

const presentChecklist = (c: ChecklistVersion) => ({
  regimen: c.regimen,
  regimenLabel: c.regimenLabel ?? c.regimen,
  version: c.version,
  items: c.items.map((i) => ({ code: i.code, text: i.text, naAllowed: !!i.naAllowed })),
  changedAt: c.changedAt?.toISOString() ?? null,
  changedBy: c.changedBy,
});
const presentForm = (f: ConsentFormVersion) => ({ ...f, createdAt: f.createdAt?.toISOString() ?? null });

/** Administrator API and pages for the clinical configuration of the pathway: checklists and consent forms. */
export async function pathwayConfigRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const action = 'config:manage' as const;

  // ---- API ----
  app.get('/api/v1/admin/checklists', { config: { action }, schema: { tags, summary: 'The suitability checklist in force for each regimen', response: { 200: z.object({ checklists: z.array(ChecklistOut) }) } } }, async (req) => ({
    checklists: (await listChecklists(db, ctxOf(req))).map(presentChecklist),
  }));
  app.put('/api/v1/admin/checklists/:regimen', { config: { action }, schema: { tags, summary: "Save a new version of a regimen's suitability checklist", params: RegimenParams, body: ChecklistSave, response: { 200: ChecklistOut, ...errorResponses } } }, async (req) =>
    presentChecklist(await saveChecklist(db, ctxOf(req), req.params.regimen, req.body.items)),
  );
  app.get('/api/v1/admin/consent-forms', { config: { action }, schema: { tags, summary: 'Every version of the two consent forms', response: { 200: z.object({ forms: z.array(ConsentFormOut) }) } } }, async (req) => ({
    forms: Object.values(await listConsentForms(db, ctxOf(req))).flat().map(presentForm),
  }));
  app.post('/api/v1/admin/consent-forms', { config: { action }, schema: { tags, summary: 'Add a new version of a consent form', body: ConsentFormCreate, response: { 201: ConsentFormOut, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentForm(await addConsentForm(db, ctxOf(req), req.body))),
  );
  app.post('/api/v1/admin/consent-forms/:id/retire', { config: { action }, schema: { tags, summary: 'Retire a consent form version (consent already given on it still stands)', params: IdParams, response: { 200: ConsentFormOut, ...errorResponses } } }, async (req) =>
    presentForm(await retireConsentForm(db, ctxOf(req), req.params.id)),
  );

  // ---- Pages ----
  app.get('/admin/checklists', { config: { action }, schema: { hide: true } }, async (req, reply) =>
    renderPage(req, reply, 'pathway/views/checklists.njk', { title: 'Suitability checklists', checklists: (await listChecklists(db, ctxOf(req))).map(presentChecklist) }),
  );

  const editPage = async (req: FastifyRequest, reply: FastifyReply, regimen: string, extra: object = {}) => {
    const checklist = presentChecklist(await getChecklist(db, ctxOf(req), regimen));
    return renderPage(req, reply, 'pathway/views/checklist-edit.njk', { title: `Suitability checklist: ${checklist.regimenLabel}`, checklist, ...extra });
  };
  app.get('/admin/checklists/:regimen', { config: { action }, schema: { hide: true, params: RegimenParams } }, async (req, reply) => {
    const saved = (req.query as Record<string, string | undefined>).saved;
    return editPage(req, reply, req.params.regimen, { saved: saved === '1' });
  });
  app.post('/admin/checklists/:regimen', { config: { action }, schema: { hide: true, params: RegimenParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Each row of the form is one item; `fieldOf` remembers which row each kept item came from, so a message about
    // item 3 of the saved list points at the right box on the page.
    const items: ChecklistEdit[] = [];
    const fieldOf: string[] = [];
    for (let i = 0; typeof body[`code-${i}`] === 'string'; i++) {
      if (body[`remove-${i}`] === 'yes') continue;
      items.push({ code: String(body[`code-${i}`]), text: String(body[`text-${i}`] ?? ''), naAllowed: body[`na-${i}`] === 'yes' });
      fieldOf.push(`text-${i}`);
    }
    if (blankToUndefined(body['text-new'])) {
      items.push({ text: String(body['text-new']), naAllowed: body['na-new'] === 'yes' });
      fieldOf.push('text-new');
    }
    const toPage = (errors: Record<string, string>) =>
      Object.fromEntries(Object.entries(errors).map(([k, m]) => {
        const row = /^items-(\d+)|^items\.(\d+)/.exec(k);
        const idx = row ? Number(row[1] ?? row[2]) : NaN;
        return [Number.isNaN(idx) ? 'text-new' : (fieldOf[idx] ?? 'text-new'), m];
      }));
    const form = parseForm(ChecklistSave, { items });
    if (!form.ok) return editPage(req, reply.code(400), req.params.regimen, { ...formErrors(toPage(form.errors)), values: body });
    const result = await attempt(saveChecklist(db, ctxOf(req), req.params.regimen, form.data.items));
    if (!result.ok) return editPage(req, reply.code(result.status), req.params.regimen, { ...formErrors(toPage(result.errors)), values: body });
    return reply.redirect(`/admin/checklists/${encodeURIComponent(req.params.regimen)}?saved=1`, 303);
  });

  const formsPage = async (req: FastifyRequest, reply: FastifyReply, extra: object = {}) => {
    const forms = await listConsentForms(db, ctxOf(req));
    return renderPage(req, reply, 'pathway/views/consent-forms.njk', {
      title: 'Consent forms',
      groups: CONSENT_KINDS.map((k) => ({ kind: k, label: CONSENT_KIND_LABELS[k], forms: forms[k].map(presentForm) })),
      kinds: CONSENT_KINDS.map((k) => ({ value: k, text: CONSENT_KIND_LABELS[k] })),
      ...extra,
    });
  };
  app.get('/admin/consent-forms', { config: { action }, schema: { hide: true } }, async (req, reply) => formsPage(req, reply));
  app.post('/admin/consent-forms', { config: { action }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(ConsentFormCreate, { kind: blankToUndefined(body.kind), version: body.version ?? '', title: body.title ?? '', summary: body.summary ?? '' });
    if (!form.ok) return formsPage(req, reply.code(400), { ...form, values: body });
    const result = await attempt(addConsentForm(db, ctxOf(req), form.data));
    if (!result.ok) return formsPage(req, reply.code(result.status), { ...result, values: body });
    return reply.redirect('/admin/consent-forms', 303);
  });
  app.post('/admin/consent-forms/:id/retire', { config: { action }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const result = await attempt(retireConsentForm(db, ctxOf(req), req.params.id));
    if (!result.ok) return formsPage(req, reply.code(result.status), result);
    return reply.redirect('/admin/consent-forms', 303);
  });
}
