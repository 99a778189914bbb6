import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decide } from '../access/policy.ts';
import { ctxOf } from '../access/guard.ts';
import { londonDate } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { AppDeps } from '../web/app.ts';
import { formErrors, type FormErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses } from '../web/schemas.ts';
import { ExportQuery, exportFilename, exportRange, streamAdministrations } from './administrations-export.ts';
import { progressSvg, svgDataUri } from './chart.ts';
import { toCsv, toPdf, toXlsx, type ExportMeta } from './exports.ts';
import { defaultMonths, MAX_MONTHS, monthLabel, nextMonth } from './months.ts';
import { REASON_LABELS, reportTables, SUPPRESSION_NOTE, type DrillLink } from './present.ts';
import { FIGURE_LABELS } from './rules.ts';
import { MonthlyReportBody } from './schemas.ts';
import { drilldown, monthlyReport, type ReportQuery } from './service.ts';
import { DrilldownQuery, MonthlyQuery, PageQuery } from './validation.ts';
import { surveyReport } from './survey-report.ts';
import { surveyTables } from './survey-present.ts';
import type { SurveySection } from './survey-section.ts';

const tags = ['reports'];
/** The report with its surveys section (survey-report.ts), which is read and audited in a transaction of its own. */
type Report = Awaited<ReturnType<typeof monthlyReport>> & { surveys?: SurveySection };
const tablesOf = (r: Report) => [...reportTables(r), ...surveyTables(r.surveys)];

/** The query as the page and its downloads take it: months default to the last 6; "" means every Trust. */
function pageQuery(req: FastifyRequest): { ok: true; q: ReportQuery } | ({ ok: false } & FormErrors) {
  const parsed = PageQuery.safeParse(req.query ?? {});
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'from')] ??= i.message;
    return { ok: false, ...formErrors(errors) };
  }
  const d = defaultMonths(londonDate(ctxOf(req).now));
  return { ok: true, q: { from: parsed.data.from ?? d.from, to: parsed.data.to ?? d.to, ...(parsed.data.trust ? { trust: parsed.data.trust } : {}) } };
}

const qs = (q: Record<string, string | undefined>) => new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)).toString();

function exportMeta(r: Report, q: ReportQuery): ExportMeta {
  const who = r.scope === 'all' && !q.trust ? 'All Trusts, in aggregate' : (r.progress[0]?.name ?? '');
  return { title: 'Home treatment: monthly report', subtitle: `${monthLabel(r.from)} to ${monthLabel(r.to)}. ${who}.`, suppressed: r.suppressed };
}

/** The monthly report: JSON API, the page with its graph and drill-down, and CSV, XLSX and PDF downloads. */
export async function reportRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/reports/monthly', {
    config: { action: 'report:read' },
    schema: { tags, summary: 'The monthly report: uptake per network, Trust and unit; reasons; progress; CQUIN; QIPP savings. Aggregate viewers get small numbers withheld and no identifier.', querystring: MonthlyQuery, response: { 200: MonthlyReportBody, ...errorResponses } },
  }, async (req) => {
    const { trustChoices: _t, ...report } = await monthlyReport(db, ctxOf(req), req.query);
    return { ...report, surveys: await surveyReport(db, ctxOf(req), req.query), settings: report.settings as unknown as Record<string, unknown>, savings: { ...report.savings, rows: report.savings.rows as never, total: report.savings.total as never } };
  });

  const load = async (req: FastifyRequest, reply: FastifyReply): Promise<{ report: Report; q: ReportQuery } | undefined> => {
    const parsed = pageQuery(req);
    if (!parsed.ok) {
      if (req.url.startsWith('/reports/monthly.')) throw new AppError('validation', Object.values(parsed.errors)[0]!, parsed.errors);
      await page(req, reply.code(400), undefined, { from: '', to: '' }, parsed);
      return undefined;
    }
    try {
      return { report: { ...(await monthlyReport(db, ctxOf(req), parsed.q)), surveys: await surveyReport(db, ctxOf(req), parsed.q) }, q: parsed.q };
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields || req.url.startsWith('/reports/monthly.')) throw err;
      await page(req, reply.code(400), undefined, parsed.q, formErrors(err.fields));
      return undefined;
    }
  };

  async function page(req: FastifyRequest, reply: FastifyReply, report: Report | undefined, q: ReportQuery, errors?: FormErrors) {
    const ctx = ctxOf(req);
    const base = { from: q.from, to: q.to, trust: q.trust };
    const drill: DrillLink | undefined = decide(ctx.role, 'report:drilldown') && report?.scope === 'own-trust'
      ? (row, figure, reason) => `/reports/monthly/patients?${qs({ ...base, period: row.period, figure, reason, unit: row.level === 'unit' ? (row.unitId ?? 'none') : undefined })}`
      : undefined;
    const months: string[] = [];
    for (let m = `${Number(londonDate(ctx.now).slice(0, 4)) - 3}-01`; m <= londonDate(ctx.now).slice(0, 7); m = nextMonth(m)) months.push(m);
    const monthItems = (selected: string) => months.map((m) => ({ value: m, text: monthLabel(m), selected: m === selected })).reverse();
    const choices = report?.trustChoices ?? [];
    return renderPage(req, reply, 'reports/views/monthly.njk', {
      title: 'Monthly report',
      ...(errors ?? {}),
      fromItems: monthItems(q.from),
      toItems: monthItems(q.to),
      trustItems: [...(report?.scope === 'all' ? [{ value: '', text: 'All Trusts' }] : []), ...choices.map((t) => ({ value: t.id, text: t.name, selected: t.id === q.trust }))],
      maxMonths: MAX_MONTHS,
      report,
      tables: report ? reportTables(report, drill) : [],
      chart: report ? svgDataUri(progressSvg(report)) : null,
      suppressionNote: SUPPRESSION_NOTE,
      download: (ext: string) => `/reports/monthly.${ext}?${qs(base)}`,
      settingsHref: decide(ctx.role, 'report-settings:read') ? '/admin/report-settings' : undefined,
    });
  }

  app.get('/reports/monthly', { config: { action: 'report:read' }, schema: { hide: true } }, async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    return page(req, reply, loaded.report, loaded.q);
  });

  const filename = (r: Report, ext: string) => `homeward-monthly-report-${r.from}-to-${r.to}.${ext}`;
  app.get('/reports/monthly.csv', { config: { action: 'report:read' }, schema: { hide: true } }, async (req, reply) => {
    const { report, q } = (await load(req, reply))!;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename(report, 'csv')}"`).send(`\ufeff${toCsv(exportMeta(report, q), tablesOf(report))}`);
  });
  app.get('/reports/monthly.xlsx', { config: { action: 'report:read' }, schema: { hide: true } }, async (req, reply) => {
    const { report, q } = (await load(req, reply))!;
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${filename(report, 'xlsx')}"`).send(await toXlsx(exportMeta(report, q), tablesOf(report)));
  });
  app.get('/reports/monthly.pdf', { config: { action: 'report:read' }, schema: { hide: true } }, async (req, reply) => {
    const { report, q } = (await load(req, reply))!;
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename(report, 'pdf')}"`).send(await toPdf(exportMeta(report, q), tablesOf(report), progressSvg(report)));
  });

  app.get('/reports/monthly/patients', { config: { action: 'report:drilldown' }, schema: { hide: true, querystring: DrilldownQuery } }, async (req, reply) => {
    const q = req.query;
    const result = await drilldown(db, ctxOf(req), q);
    const what = `${FIGURE_LABELS[q.figure]}${q.reason ? `: ${REASON_LABELS[q.figure === 'declined' ? q.reason : `R:${q.reason}`] ?? q.reason}` : ''}`;
    return renderPage(req, reply, 'reports/views/patients.njk', {
      title: what,
      period: q.period === 'total' ? `${monthLabel(q.from)} to ${monthLabel(q.to)}` : monthLabel(q.period),
      patients: result.patients,
      back: `/reports/monthly?${qs({ from: q.from, to: q.to, trust: q.trust })}`,
    });
  });

  app.get('/api/v1/exports/administrations.csv', {
    config: { action: 'export:administrations' },
    schema: { tags, summary: "Every dose given for the user's Trust in a range of months, as CSV (one line per drug given), streamed; audited with its row count", querystring: ExportQuery, response: { 200: z.any().describe('text/csv'), ...errorResponses } },
  }, async (req, reply) => {
    const range = exportRange(req.query);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${exportFilename(range)}"`).send(streamAdministrations(db, ctxOf(req), range));
  });
}
