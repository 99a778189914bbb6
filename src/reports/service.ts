/**
 * The monthly report for the viewer: a Trust's cancer manager sees their Trust and its units (their own units when
 * limited), with every figure traceable to its patients; commissioners, the network lead and administrators see every
 * Trust in aggregate, small numbers withheld, never an identifier. Each read is audited in its own transaction.
 */
import { and, eq } from 'drizzle-orm';
import { POLICY } from '../access/policy.ts';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { organisations } from '../organisations/schema.ts';
import { monthBounds, monthsBetween } from './months.ts';
import { allTrustFacts, ownTrustFacts, patientsOfEpisodes, reportOrgs } from './queries.ts';
import { allTrustSafety, ownTrustSafety } from './queries-more.ts';
import { buildMonthlyReport, type MonthlyReport } from './report.ts';
import { episodesBehind, type CountFigure } from './rules.ts';
import { currentSettings } from './settings-store.ts';

export interface ReportQuery {
  from: string;
  to: string;
  trust?: string;
}

/** The months asked for, or a 400 naming the field. */
export function checkedMonths(q: { from: string; to: string }): string[] {
  const r = monthsBetween(q.from, q.to);
  if ('problems' in r) throw new AppError('validation', Object.values(r.problems)[0]!, r.problems);
  return r.months;
}

/** How far the viewer's report reaches, from the policy table. */
export function reportScope(ctx: RequestContext): 'own-trust' | 'all' {
  const scope = POLICY['report:read'][ctx.role];
  if (scope === 'all') return 'all';
  if (scope === 'own-org' && ctx.orgKind === 'trust') return 'own-trust';
  throw new AppError('forbidden', 'You cannot see reports');
}

async function checkTrust(tx: Tx, ctx: RequestContext, trust: string | undefined, scope: 'own-trust' | 'all'): Promise<string | null> {
  if (scope === 'own-trust') {
    if (trust && trust !== ctx.orgId) throw notFound('Trust');
    return ctx.orgId;
  }
  if (!trust) return null;
  const [row] = await tx.select({ id: organisations.id }).from(organisations).where(and(eq(organisations.id, trust), eq(organisations.kind, 'trust')));
  if (!row) throw notFound('Trust');
  return row.id;
}

/** The monthly report (figures, progress, CQUIN, savings) for the months and Trust asked for. */
export async function monthlyReport(db: Db, ctx: RequestContext, q: ReportQuery): Promise<MonthlyReport & { scope: 'own-trust' | 'all'; trustChoices: { id: string; name: string }[] }> {
  const months = checkedMonths(q);
  const scope = reportScope(ctx);
  const firstDay = monthBounds(months[0]!).start;
  const lastDay = monthBounds(months.at(-1)!).end;
  return withContext(db, ctx, async (tx) => {
    const trustId = await checkTrust(tx, ctx, q.trust, scope);
    // The settings in force now (the latest saved version): the report names the version beside its figures.
    const { settings, info: settingsVersion } = await currentSettings(tx);
    const facts = scope === 'own-trust' ? await ownTrustFacts(tx, ctx, firstDay, lastDay) : await allTrustFacts(tx, trustId, firstDay, lastDay);
    // Aggregate facts carry their courses (read in the same statement as the episodes); a Trust's own are read here.
    const safety = 'courses' in facts ? await allTrustSafety(tx, trustId, firstDay, lastDay, facts.courses) : await ownTrustSafety(tx, ctx, firstDay, lastDay);
    const orgs = await reportOrgs(tx, trustId ? [trustId] : null, scope === 'own-trust' ? ctx.unitIds : []);
    const report = buildMonthlyReport({ episodes: facts.episodes, doses: facts.doses, ...orgs, months, settings, settingsVersion, network: scope === 'all', suppressed: scope === 'all', safety });
    // The Trust's own read touched its patients' rows (no identifier leaves in the report); the aggregate read none.
    await audit(tx, ctx, { action: 'report:read', detail: { report: 'monthly', from: q.from, to: q.to, trust: trustId, suppressed: report.suppressed, episodes: facts.episodes.length, settingsVersion: settingsVersion.version } });
    const trustChoices = scope === 'own-trust' ? [{ id: ctx.orgId, name: ctx.orgName }] : (await reportOrgs(tx, null)).trusts;
    return { ...report, scope, trustChoices };
  });
}

export interface DrilldownQuery extends ReportQuery {
  figure: CountFigure;
  reason?: string;
  /** A month of the range, or "total" for the whole range. */
  period: string;
  unit?: string;
}

/** The patients behind one figure of the Trust's own report, audited with their ids. */
export async function drilldown(db: Db, ctx: RequestContext, q: DrilldownQuery) {
  const months = checkedMonths(q);
  if (POLICY['report:drilldown'][ctx.role] !== 'own-org' || ctx.orgKind !== 'trust') throw new AppError('forbidden', 'You cannot see the patients behind a report');
  if (q.period !== 'total' && !months.includes(q.period)) throw new AppError('validation', 'Select a month of the report', { period: 'Select a month of the report' });
  const start = q.period === 'total' ? monthBounds(months[0]!).start : monthBounds(q.period).start;
  const end = q.period === 'total' ? monthBounds(months.at(-1)!).end : monthBounds(q.period).end;
  return withContext(db, ctx, async (tx) => {
    await checkTrust(tx, ctx, q.trust, 'own-trust');
    const facts = await ownTrustFacts(tx, ctx, start, end);
    const inUnit = q.unit === undefined ? facts.episodes : facts.episodes.filter((e) => (q.unit === 'none' ? !e.unitId : e.unitId === q.unit));
    const behind = episodesBehind(inUnit, start, end, q.figure, q.reason);
    const list = await patientsOfEpisodes(tx, ctx, behind.map((e) => e.key));
    await audit(tx, ctx, { action: 'report:drilldown', detail: { from: q.from, to: q.to, period: q.period, figure: q.figure, reason: q.reason ?? null, unit: q.unit ?? null, patientIds: list.map((p) => p.patientId) } });
    return { start, end, patients: list, today: londonDate(ctx.now) };
  });
}
