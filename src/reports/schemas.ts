/** The JSON shape of the monthly report, for the route's response and the OpenAPI document. */
import { z } from 'zod';
import { COUNT_FIGURES } from './rules.ts';

const shown = z.number().nullable().describe('null when withheld (a count from 1 to 7, or one that would reveal it) or when there is nothing to divide by');
const counts = z.object(Object.fromEntries(COUNT_FIGURES.map((f) => [f, shown])) as Record<(typeof COUNT_FIGURES)[number], typeof shown>);
const money = z.number().nullable().describe('pence');

export const MonthlyReportBody = z.object({
  from: z.string(),
  to: z.string(),
  months: z.array(z.string()),
  scope: z.enum(['own-trust', 'all']),
  suppressed: z.boolean(),
  rows: z.array(
    z.object({
      level: z.enum(['network', 'trust', 'unit']),
      trustId: z.string().nullable(),
      unitId: z.string().nullable(),
      name: z.string(),
      period: z.string().describe('YYYY-MM, or "total" for the whole range'),
      counts,
      percentages: z.object({ offeredOfSuitable: shown, optedOfSuitable: shown, optedOfOffered: shown, revertedOfOpted: shown }),
      declineReasons: z.record(z.string(), shown),
      returnReasons: z.record(z.string(), shown),
    }),
  ),
  progress: z.array(z.object({ trustId: z.string(), name: z.string(), points: z.array(z.object({ month: z.string(), suitable: shown, opted: shown, percent: shown })) })),
  cquin: z.array(
    z.object({
      trustId: z.string(),
      name: z.string(),
      target: z.object({ name: z.string(), from: z.string(), to: z.string(), offeredPercent: z.number().nullable(), optedPercent: z.number() }),
      offeredPercent: shown,
      optedPercent: shown,
      offeredMet: z.boolean().nullable(),
      optedMet: z.boolean(),
      met: z.boolean(),
    }),
  ),
  savings: z.object({
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
    total: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    targetPence: money,
    shortfallPence: money,
    targetMet: z.boolean().nullable(),
  }),
  safety: z.object({
    reactions: z.array(z.object({ level: z.string(), trustId: z.string().nullable(), name: z.string(), grades: z.record(z.string(), shown).describe('CTCAE grade 1–5'), total: shown })),
    incidents: z.array(z.object({ level: z.string(), trustId: z.string().nullable(), name: z.string(), byKind: z.record(z.string(), shown), bySeverity: z.record(z.string(), shown), byKindAndSeverity: z.record(z.string(), shown).describe('keyed "KIND|severity"'), total: shown })),
    lvef: z.array(z.object({ level: z.string(), trustId: z.string().nullable(), name: z.string(), months: z.array(z.object({ month: z.string(), monitored: shown, inDate: shown, overdue: shown, noAssessment: shown, notMonitored: shown, noCourse: shown, inDatePercent: shown, medianDaysOverdue: shown })) })),
  }).describe('Reactions by grade and incidents by kind and severity over the range; LVEF compliance at each month end'),
  inequalities: z.array(z.object({ dimension: z.string(), title: z.string(), groups: z.array(z.object({ group: z.string(), label: z.string(), suitable: shown, opted: shown, optedPercent: shown, returned: shown, returnedPercent: shown })) })).describe('Uptake and return rates of the range by IMD quintile, ethnic group and age band'),
  capacity: z.array(z.object({ trustId: z.string().nullable(), unitId: z.string().nullable(), name: z.string(), periods: z.array(z.object({ period: z.string(), homeDoses: shown, hospitalDoses: shown, chairHoursReleased: shown })) })).describe('Per unit and month: doses by place of delivery and chair hours released'),
  settings: z.record(z.string(), z.unknown()).describe('The CQUIN targets and every unit cost the figures were made with'),
  surveys: z.object({
    from: z.string(),
    to: z.string(),
    surveys: z.array(z.object({
      kind: z.enum(['patient-satisfaction', 'staff-evaluation']),
      title: z.string(),
      responses: shown,
      suppressed: z.boolean().describe('true: counts from 1 to 7 withheld (the patient survey, seen across organisations)'),
      commentsShown: z.boolean().describe('false: patients’ comments are seen only by their own Trust'),
      questions: z.array(z.object({
        number: z.number(),
        text: z.string(),
        kind: z.enum(['yes-no', 'comments', 'rating']),
        lines: z.array(z.string()).describe('The summary as the pilot wrote it, e.g. "Yes × 3", "Not completed × 1"; "*" when withheld'),
        yes: shown,
        no: shown,
        notCompleted: shown,
        comments: z.array(z.string()).nullable(),
        rating: z.object({ count: shown, mean: z.number().nullable(), distribution: z.record(z.string(), shown).describe('rating "1"–"5" → responses') }).nullable(),
      })),
    })),
  }).optional().describe('The patient satisfaction survey and the staff evaluation answered in the range'),
  settingsVersion: z.object({ version: z.number().describe('0: the built-in defaults'), label: z.string(), savedByName: z.string().nullable(), savedAt: z.string().nullable(), reason: z.string().nullable() }).describe('The saved version of the settings the figures were made with'),
});
