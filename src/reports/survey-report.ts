/**
 * Loading the report's "Surveys" section for the viewer, in its own audited transaction. A Trust's cancer manager
 * reads their Trust's answers as themselves under row-level security (patients of their units only, when limited),
 * comments included, and the read is audited with the patients whose answers were read. Commissioners, the network
 * and administrators read through app_report_survey_answers (drizzle/0017_surveys.sql), which returns no identifier
 * and no patient comment; the patient survey's small counts are then withheld (survey-section.ts).
 */
import { and, eq, gte, lt, or, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import { rows, type Db } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { addDays } from '../prescribing/dates.ts';
import { monthBounds } from './months.ts';
import { checkedMonths, reportScope, type ReportQuery } from './service.ts';
import { surveyResponses } from './survey-schema.ts';
import { buildSurveySection, type SurveyFact, type SurveySection } from './survey-section.ts';
import type { StoredAnswers, SurveyKind } from './surveys.ts';

/** A day's margin either side covers the London offset; the London date then decides. */
const startBound = (firstDay: string) => new Date(`${addDays(firstDay, -1)}T00:00:00Z`);
const endBound = (lastDay: string) => new Date(`${addDays(lastDay, 2)}T00:00:00Z`);

/** The surveys answered in the report's months, summarised for the viewer. */
export async function surveyReport(db: Db, ctx: RequestContext, q: ReportQuery): Promise<SurveySection> {
  const months = checkedMonths(q);
  const scope = reportScope(ctx);
  const firstDay = monthBounds(months[0]!).start;
  const lastDay = monthBounds(months.at(-1)!).end;
  const inRange = (day: string) => day >= firstDay && day <= lastDay;
  const range = { from: months[0]!, to: months.at(-1)! };
  return withContext(db, ctx, async (tx) => {
    if (scope === 'own-trust') {
      if (q.trust && q.trust !== ctx.orgId) throw notFound('Trust');
      const list = (
        await tx
          .select({ kind: surveyResponses.kind, answers: surveyResponses.answers, patientId: surveyResponses.patientId, at: surveyResponses.submittedAt })
          .from(surveyResponses)
          .leftJoin(patients, eq(patients.id, surveyResponses.patientId))
          .where(and(eq(surveyResponses.orgId, ctx.orgId), gte(surveyResponses.submittedAt, startBound(firstDay)), lt(surveyResponses.submittedAt, endBound(lastDay)), or(eq(surveyResponses.kind, 'staff-evaluation'), patientScope(ctx))))
      ).filter((r) => inRange(londonDate(r.at)));
      const patientIds = [...new Set(list.map((r) => r.patientId).filter((p): p is string => !!p))];
      await audit(tx, ctx, { action: 'report:read', detail: { report: 'surveys', from: q.from, to: q.to, trust: ctx.orgId, responses: list.length, patientIds } });
      return buildSurveySection(list, false, range);
    }
    const trustId = q.trust || null;
    const found = await rows<{ kind: SurveyKind; org_id: string; on_date: string; answers: StoredAnswers | string }>(
      tx,
      sql`select * from app_report_survey_answers(${startBound(firstDay).toISOString()}::timestamptz, ${endBound(lastDay).toISOString()}::timestamptz, ${trustId}::uuid)`,
    );
    const facts: SurveyFact[] = found.filter((r) => inRange(r.on_date)).map((r) => ({ kind: r.kind, answers: typeof r.answers === 'string' ? (JSON.parse(r.answers) as StoredAnswers) : r.answers }));
    await audit(tx, ctx, { action: 'report:read', detail: { report: 'surveys', from: q.from, to: q.to, trust: trustId, suppressed: true, responses: facts.length } });
    return buildSurveySection(facts, true, range);
  });
}
