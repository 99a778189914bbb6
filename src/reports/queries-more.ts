/**
 * Loading the safety facts of the monthly report (issue 6, item 6): reactions by grade and incidents by kind and
 * severity, counted per Trust and month, and each course's LVEF monitoring rule and result dates. A Trust's staff read
 * as themselves under row-level security (their units only, when limited); aggregate viewers read through the
 * SECURITY DEFINER functions of drizzle/0014_reports.sql and 0015_reports_more.sql, which return no identifier.
 */
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { RequestContext } from '../platform/context.ts';
import { rows, type Tx } from '../platform/db/client.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import type { RegimenDefinition } from '../prescribing/regimen.ts';
import { lvefResults, regimens, treatmentCourses } from '../prescribing/schema.ts';
import { incidents, reactions } from '../visits/schema.ts';
import { episodes } from '../pathway/schema.ts';
import { endBound, inWindow, windowStart } from './queries.ts';

export interface SafetyCount {
  trustId: string;
  /** The reaction's CTCAE grade ("1"–"5"), or the incident's kind and severity ("KIND|severity"). */
  category: string;
  month: string;
  n: number;
}
/** One treatment course, named by its episode's key in the report's facts. */
export interface CourseFact {
  episodeKey: string;
  lvefMonitoring: RegimenDefinition['lvefMonitoring'];
  /** Dates of its LVEF results, oldest first. */
  lvefDates: string[];
}
export interface SafetyFacts {
  reactions: SafetyCount[];
  incidents: SafetyCount[];
  courses: CourseFact[];
}

// The same instants as the episode facts (queries.ts): a day before the first London date, two after the last.
const startBound = windowStart;
const LONDON_MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit' });
const monthOf = (d: Date) => LONDON_MONTH.format(d);
const inRange = (firstDay: string, lastDay: string) => (c: SafetyCount) => c.month >= firstDay.slice(0, 7) && c.month <= lastDay.slice(0, 7);

function tally(list: { trustId: string; category: string; at: Date }[]): SafetyCount[] {
  const out = new Map<string, SafetyCount>();
  for (const r of list) {
    const month = monthOf(r.at);
    const key = `${r.trustId}|${r.category}|${month}`;
    const c = out.get(key) ?? { trustId: r.trustId, category: r.category, month, n: 0 };
    c.n++;
    out.set(key, c);
  }
  return [...out.values()];
}

/** A Trust user's safety facts, read as themselves. */
export async function ownTrustSafety(tx: Tx, ctx: RequestContext, firstDay: string, lastDay: string): Promise<SafetyFacts> {
  const window = (at: typeof reactions.recordedAt | typeof incidents.recordedAt) => and(gte(at, startBound(firstDay)), lt(at, endBound(lastDay)));
  const r = await tx.select({ trustId: reactions.trustId, grade: reactions.grade, at: reactions.recordedAt }).from(reactions).innerJoin(patients, eq(patients.id, reactions.patientId)).where(and(eq(reactions.trustId, ctx.orgId), patientScope(ctx), window(reactions.recordedAt)));
  const i = await tx.select({ trustId: incidents.trustId, kind: incidents.kind, severity: incidents.severity, at: incidents.recordedAt }).from(incidents).innerJoin(patients, eq(patients.id, incidents.patientId)).where(and(eq(incidents.trustId, ctx.orgId), patientScope(ctx), window(incidents.recordedAt)));
  const courses = await tx
    .select({ id: treatmentCourses.id, episodeId: treatmentCourses.episodeId, definition: regimens.definition })
    .from(treatmentCourses)
    .innerJoin(regimens, eq(regimens.id, treatmentCourses.regimenId))
    .innerJoin(patients, eq(patients.id, treatmentCourses.patientId))
    .innerJoin(episodes, eq(episodes.id, treatmentCourses.episodeId))
    .where(and(eq(treatmentCourses.trustId, ctx.orgId), patientScope(ctx), inWindow(firstDay, ctx.orgId)));
  const results = courses.length ? await tx.select({ courseId: lvefResults.courseId, on: lvefResults.measuredOn }).from(lvefResults).where(inArray(lvefResults.courseId, courses.map((c) => c.id))).orderBy(asc(lvefResults.measuredOn)) : [];
  return {
    reactions: tally(r.map((x) => ({ trustId: x.trustId, category: String(x.grade), at: x.at }))).filter(inRange(firstDay, lastDay)),
    incidents: tally(i.map((x) => ({ trustId: x.trustId, category: `${x.kind}|${x.severity}`, at: x.at }))).filter(inRange(firstDay, lastDay)),
    courses: courses.map((c) => ({ episodeKey: c.episodeId, lvefMonitoring: c.definition.lvefMonitoring, lvefDates: results.filter((x) => x.courseId === c.id).map((x) => x.on) })),
  };
}

/**
 * Every Trust's safety facts (or one Trust's), through the reporting functions. The courses come with the episode
 * facts (queries.ts, allTrustFacts), read in the same statement so that `k` names the same episodes.
 */
export async function allTrustSafety(tx: Tx, trustId: string | null, firstDay: string, lastDay: string, courses: CourseFact[]): Promise<SafetyFacts> {
  const from = startBound(firstDay).toISOString();
  const to = endBound(lastDay).toISOString();
  const r = await rows<{ trust_id: string; kind: string; category: string; month: string; n: number }>(tx, sql`select * from app_report_safety(${from}::timestamptz, ${to}::timestamptz, ${trustId}::uuid) where kind = 'reaction'`);
  const i = await rows<{ trust_id: string; kind: string; severity: string; month: string; n: number }>(tx, sql`select * from app_report_incidents(${from}::timestamptz, ${to}::timestamptz, ${trustId}::uuid)`);
  return {
    reactions: r.map((x) => ({ trustId: x.trust_id, category: x.category, month: x.month, n: Number(x.n) })).filter(inRange(firstDay, lastDay)),
    incidents: i.map((x) => ({ trustId: x.trust_id, category: `${x.kind}|${x.severity}`, month: x.month, n: Number(x.n) })).filter(inRange(firstDay, lastDay)),
    courses,
  };
}
