import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as echarts from 'echarts';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { formErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses } from '../web/schemas.ts';
import { defaultRange, monthRange, providerPerformance, type PerformanceReport } from './performance.ts';

const tags = ['reports'];
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Enter a year and month, for example 2026-06');
const Count = (what: string) => z.number().nullable().describe(`${what}; null when withheld (a count from 1 to 7 in a view across organisations)`);
const Figure = (what: string) => z.number().nullable().describe(`${what}; null when there is nothing to measure or when it would reveal a withheld count`);
const PerformanceOut = z.object({
  from: z.string(),
  to: z.string(),
  suppressed: z.boolean().describe('True when counts from 1 to 7 are withheld (commissioners, the network, administrators)'),
  rows: z.array(
    z.object({
      month: z.string().describe('YYYY-MM (Europe/London)'),
      providerId: z.string(),
      providerName: z.string(),
      trustId: z.string(),
      trustName: z.string(),
      visitsDue: Count('Visits whose date has come: on time + early + late + missed + not given'),
      onTime: Count('The dose started inside the visit window on the visit day'),
      early: Count('The dose started before the window'),
      late: Count('The dose started after the window or on a later day'),
      missed: Count('The visit date passed with no dose'),
      notGiven: Count('The nurse recorded the dose as not given'),
      onTimePercent: Figure('On time as a percentage of visits due'),
      firstHomeDoses: Count('Patients whose first home dose was given in the month'),
      medianDaysToFirstHomeDose: Figure('Median days from the referral to the first home dose'),
      meanDaysToFirstHomeDose: Figure('Mean days from the referral to the first home dose'),
      startedAtHome: Count('Episodes that started treatment at home in the month'),
      returnedToHospital: Count('Of those, episodes that have since returned to hospital'),
      returnToHospitalPercent: Figure('Returned to hospital as a percentage of episodes started at home'),
    }),
  ),
});
const RangeQuery = z.strictObject({ from: Month.optional(), to: Month.optional() });

const MONTH_NAME = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthLabel = (m: string) => MONTH_NAME.format(new Date(`${m}-15T12:00:00Z`));

/**
 * The on-time percentage per provider and Trust (one series each) per month, as an SVG drawn on the server. The page's
 * CSP allows no inline style, so echarts' style attributes become SVG presentation attributes and its hover <style>
 * block is dropped; the chart is an image with a title and a description, and the table beside it has the figures.
 */
export function onTimeChart(report: PerformanceReport, months: string[]): string | null {
  const pairs = [...new Set(report.rows.map((r) => `${r.providerName} – ${r.trustName}`))];
  if (!pairs.length) return null;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 480, height: 200 + 22 * pairs.length });
  try {
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 40 + 22 * pairs.length },
      legend: { bottom: 0, orient: 'vertical', left: 8, textStyle: { fontFamily: 'Arial, sans-serif' } },
      xAxis: { type: 'category', data: months.map(monthLabel), axisLabel: { fontFamily: 'Arial, sans-serif' } },
      yAxis: { type: 'value', min: 0, max: 100, name: 'On time %', axisLabel: { fontFamily: 'Arial, sans-serif' } },
      series: pairs.map((name) => ({ name, type: 'bar', data: months.map((m) => report.rows.find((r) => r.month === m && `${r.providerName} – ${r.trustName}` === name)?.onTimePercent ?? '-') })),
    });
    const svg = chart.renderToSVGString();
    const title = 'Home visits on time, per cent, by provider and Trust per month';
    const desc = `Bar chart for ${months.map(monthLabel).join(', ')}. Months without a bar had no visits due, or the figure is withheld. The table gives every figure.`;
    return svg
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
      .replace(/ style="([^"]*)"/g, (_m, css: string) =>
        css
          .split(';')
          .map((d) => d.split(':').map((x) => x.trim()))
          .filter(([k, v]) => k && v && /^(font-size|font-family|font-weight|font-style)$/.test(k))
          .map(([k, v]) => ` ${k}="${v}"`)
          .join(''),
      )
      .replace(/^<svg width="\d+" height="\d+"/, `<svg role="img" aria-labelledby="chart-title chart-desc"`)
      .replace(/(<svg[^>]*>)/, `$1<title id="chart-title">${title}</title><desc id="chart-desc">${desc}</desc>`);
  } finally {
    chart.dispose();
  }
}

const shownCount = (n: number | null) => (n === null ? '1–7' : String(n));
const shownFigure = (n: number | null, unit = '') => (n === null ? '–' : `${n}${unit}`);

/** Provider performance: the JSON report and its page (aggregates only; see performance.ts for how it is read). */
export async function performanceRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const action = 'performance:read' as const;

  app.get('/api/v1/reports/provider-performance', { config: { action }, schema: { tags, summary: 'Home visits on time, late and missed; days from referral to the first home dose; returns to hospital — by provider, Trust and month (aggregates only)', querystring: RangeQuery, response: { 200: PerformanceOut, ...errorResponses } } }, async (req) => {
    const d = defaultRange(ctxOf(req).now);
    return providerPerformance(db, ctxOf(req), { from: req.query.from ?? d.from, to: req.query.to ?? d.to });
  });

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const d = defaultRange(ctxOf(req).now);
    const values = { from: typeof q.from === 'string' && q.from ? q.from : d.from, to: typeof q.to === 'string' && q.to ? q.to : d.to };
    const range = monthRange(values.from, values.to);
    const common = { title: 'Provider performance', values };
    if ('problem' in range) return renderPage(req, reply.code(400), 'visits/views/performance.njk', { ...common, ...formErrors(range.problem) });
    const report = await providerPerformance(db, ctxOf(req), values);
    const num = (text: string) => ({ text, format: 'numeric' });
    const lead = (r: (typeof report.rows)[number]) => [{ text: monthLabel(r.month) }, { text: `${r.providerName} – ${r.trustName}` }];
    const tables = {
      onTime: report.rows.map((r) => [...lead(r), num(shownCount(r.visitsDue)), num(shownCount(r.onTime)), num(shownFigure(r.onTimePercent, '%'))]),
      visits: report.rows.map((r) => [...lead(r), ...[r.visitsDue, r.onTime, r.early, r.late, r.missed, r.notGiven].map((n) => num(shownCount(n)))]),
      pathway: report.rows.map((r) => [...lead(r), num(shownCount(r.firstHomeDoses)), num(shownFigure(r.medianDaysToFirstHomeDose)), num(shownFigure(r.meanDaysToFirstHomeDose)), num(shownCount(r.startedAtHome)), num(shownCount(r.returnedToHospital)), num(shownFigure(r.returnToHospitalPercent, '%'))]),
    };
    return renderPage(req, reply, 'visits/views/performance.njk', { ...common, report, tables, chart: onTimeChart(report, range.months) });
  };
  app.get('/reports/provider-performance', { config: { action }, schema: { hide: true } }, page);
}
