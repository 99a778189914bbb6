import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, formErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses } from '../web/schemas.ts';
import { getTemplate, listTemplates, previewTemplate, saveTemplate, type TemplateVersion } from './letter-templates.ts';
import { LETTER_PLACEHOLDERS, templateProblems } from './letters-rules.ts';
import { LETTER_KINDS } from './schema.ts';

const tags = ['administration'];
// Any string, so an unknown kind is a 404 (no such template) rather than a 400.
const KindParams = z.object({ kind: z.string().max(50).describe(`One of ${LETTER_KINDS.join(', ')}`) });
// Generous outer limits only: the wording rules (and their NHS-style messages) live in templateProblems.
const TemplateSave = z.strictObject({
  subject: z.string({ error: 'Enter the subject' }).max(10_000, 'The subject is far too long'),
  body: z.string({ error: 'Enter the letter text' }).max(50_000, 'The letter text is far too long'),
});
const TemplateOut = z.object({
  kind: z.enum(LETTER_KINDS),
  kindLabel: z.string(),
  version: z.number().describe('0 is the built-in default'),
  label: z.string().describe('The version label letters written from this template store, e.g. GP-RETURN-2'),
  subject: z.string(),
  body: z.string(),
  changedAt: z.string().nullable(),
  changedBy: z.string().nullable(),
});

const present = (t: TemplateVersion) => ({ ...t, changedAt: t.changedAt?.toISOString() ?? null });
const PLACEHOLDERS = Object.entries(LETTER_PLACEHOLDERS).map(([name, description]) => ({ name: `{${name}}`, description }));

/** A filled letter as the page shows it: paragraphs of lines, as they are laid out in the PDF. */
function previewFor(req: FastifyRequest, template: { subject: string; body: string }) {
  const letter = previewTemplate(template, ctxOf(req));
  return { heading: letter.heading, subject: letter.subject, paragraphs: letter.body.split(/\n{2,}/).map((p) => p.split('\n')) };
}

/** Administrator API and pages for the wording of GP letters. */
export async function letterTemplateRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const action = 'config:manage' as const;

  // ---- API ----
  app.get('/api/v1/admin/letter-templates', { config: { action }, schema: { tags, summary: 'The GP letter template in force for each kind of letter', response: { 200: z.object({ templates: z.array(TemplateOut) }) } } }, async (req) => ({
    templates: (await listTemplates(db, ctxOf(req))).map(present),
  }));
  app.put(
    '/api/v1/admin/letter-templates/:kind',
    { config: { action }, schema: { tags, summary: 'Save a new version of a GP letter template (letters already written keep their wording)', params: KindParams, body: TemplateSave, response: { 200: TemplateOut, ...errorResponses } } },
    async (req) => present(await saveTemplate(db, ctxOf(req), req.params.kind, req.body)),
  );

  // ---- Pages ----
  app.get('/admin/letter-templates', { config: { action }, schema: { hide: true } }, async (req, reply) =>
    renderPage(req, reply, 'pathway/views/letter-templates.njk', { title: 'GP letter templates', templates: (await listTemplates(db, ctxOf(req))).map(present) }),
  );

  const editPage = async (req: FastifyRequest, reply: FastifyReply, kind: string, extra: object = {}) => {
    const template = await getTemplate(db, ctxOf(req), kind);
    return renderPage(req, reply, 'pathway/views/letter-template-edit.njk', {
      title: `GP letter template: ${template.kindLabel}`,
      template: present(template),
      placeholders: PLACEHOLDERS,
      preview: previewFor(req, template),
      ...extra,
    });
  };
  app.get('/admin/letter-templates/:kind', { config: { action }, schema: { hide: true, params: KindParams } }, async (req, reply) =>
    editPage(req, reply, req.params.kind, { saved: (req.query as Record<string, string | undefined>).saved === '1' }),
  );
  app.post('/admin/letter-templates/:kind', { config: { action }, schema: { hide: true, params: KindParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { subject: typeof body.subject === 'string' ? body.subject : '', body: typeof body.body === 'string' ? body.body : '' };
    if (body.preview === 'yes') {
      // Shows the typed wording filled for the sample patient without saving it, so it can be checked first.
      const problems = templateProblems(values.subject, values.body);
      if (Object.keys(problems).length) return editPage(req, reply.code(400), req.params.kind, { ...formErrors(problems), values });
      return editPage(req, reply, req.params.kind, { values, preview: previewFor(req, values), previewOfChanges: true });
    }
    const result = await attempt(saveTemplate(db, ctxOf(req), req.params.kind, values));
    if (!result.ok) return editPage(req, reply.code(result.status), req.params.kind, { ...result, values });
    return reply.redirect(`/admin/letter-templates/${encodeURIComponent(req.params.kind)}?saved=1`, 303);
  });
}
