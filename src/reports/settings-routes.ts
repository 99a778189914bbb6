import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { decide } from '../access/policy.ts';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, formErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses } from '../web/schemas.ts';
import { describeSettings, settingsChanges } from './settings-changes.ts';
import { BLANK_CQUIN_ROWS, cquinRowsOf, formValues, inputOrder, MONEY_FIELDS, settingsFromForm } from './settings-form.ts';
import { reportSettingsOverview, saveReportSettings } from './settings-service.ts';
import { settingsProblems, type SavedSettings, type SettingsInForce } from './settings-store.ts';
import { SettingsOverviewOut, SettingsSave, SettingsVersionOut } from './settings-validation.ts';

const tags = ['reports'];
const PAGE = '/admin/report-settings';

const present = (s: SettingsInForce) => ({ ...s.info, settings: s.settings });

/** The report's settings: API (read and save a version) and the administrator's page with the version history. */
export async function reportSettingsRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/reports/settings', {
    config: { action: 'report-settings:read' },
    schema: { tags, summary: 'The report settings in force (CQUIN targets per period, QIPP unit costs) with their version, and every saved version', response: { 200: SettingsOverviewOut, ...errorResponses } },
  }, async (req) => {
    const { current, history } = await reportSettingsOverview(db, ctxOf(req));
    return { current: present(current), history: history.map(present) };
  });
  app.put('/api/v1/reports/settings', {
    config: { action: 'report-settings:manage' },
    schema: { tags, summary: 'Save a new version of the report settings (money in pence, VAT in basis points), with the reason', body: SettingsSave, response: { 200: SettingsVersionOut, ...errorResponses } },
  }, async (req) => present(await saveReportSettings(db, ctxOf(req), req.body)));

  const page = async (req: FastifyRequest, reply: FastifyReply, extra: { values?: Record<string, string>; rows?: number; errors?: Record<string, string>; basedOn?: number; saved?: boolean } = {}) => {
    const { current, history } = await reportSettingsOverview(db, ctxOf(req));
    const values = extra.values ?? formValues(current.settings);
    const s = current.settings;
    return renderPage(req, reply, 'reports/views/settings.njk', {
      title: 'Report settings',
      ...(extra.errors ? formErrors(extra.errors) : {}),
      saved: extra.saved,
      current: present(current),
      canManage: decide(ctxOf(req).role, 'report-settings:manage'),
      values,
      // A row offers "remove" when it holds a target (saved, or typed before a mistake was shown); blank rows add one.
      rows: Array.from({ length: extra.rows ?? s.cquin.length + BLANK_CQUIN_ROWS }, (_, i) => ({ i, saved: extra.values ? ['name', 'from', 'to', 'offered', 'opted', 'remove'].some((f) => extra.values?.[`cquin-${i}-${f}`]?.trim()) : i < s.cquin.length })),
      costs: describeSettings(s).slice(1),
      drugs: s.qipp.drugs.map((d, i) => ({ i, label: `${d.drug} ${d.route} ${d.vialMg} mg vial, before VAT` })),
      moneyFields: MONEY_FIELDS,
      basedOn: extra.basedOn ?? current.info.version,
      history: history.map((h: SavedSettings, i) => ({ ...present(h), changes: settingsChanges(history[i + 1]?.settings ?? null, h.settings) })),
    });
  };

  app.get(PAGE, { config: { action: 'report-settings:read' }, schema: { hide: true } }, async (req, reply) =>
    page(req, reply, { saved: (req.query as Record<string, unknown>).saved === '1' }),
  );
  app.post(PAGE, { config: { action: 'report-settings:manage' }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const rows = Math.max(cquinRowsOf(body), 1);
    const { current } = await reportSettingsOverview(db, ctxOf(req));
    const form = settingsFromForm(body, current.settings);
    const toIds = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([path, m]) => [form.idOf(path), m]));
    const order = inputOrder(rows, current.settings.qipp.drugs.length);
    const again = (status: number, errors: Record<string, string>, basedOn: number | undefined) =>
      page(req, reply.code(status), { values, rows, errors: Object.fromEntries(Object.entries(errors).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))), ...(basedOn === undefined ? {} : { basedOn }) });
    // Numbers that cannot be read are reported with everything the schema finds in the rest, in one go, and nothing
    // is saved (the stand-ins the form used for them are never stored).
    if (Object.keys(form.errors).length) return again(400, { ...toIds(settingsProblems(form.settings, form.reason).problems), ...form.errors }, form.basedOnVersion);
    const result = await attempt(saveReportSettings(db, ctxOf(req), { settings: form.settings, reason: form.reason, basedOnVersion: form.basedOnVersion }));
    // A save refused because another was made meanwhile is shown with the form as typed, now based on the version in
    // force: having seen the message, sending it again saves it.
    if (!result.ok) return again(result.status, toIds(result.errors), result.status === 409 ? undefined : form.basedOnVersion);
    return reply.redirect(`${PAGE}?saved=1`, 303);
  });
}
