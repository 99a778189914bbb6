import { z } from 'zod';
import { COUNT_FIGURES } from './rules.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const month = (which: 'first' | 'last') => z.string({ error: `Enter the ${which} month, for example 2026-04` }).regex(MONTH, `Enter the ${which} month as a year and month, for example 2026-04`);
const trust = z.uuid('Select a Trust from the list');

/** GET /api/v1/reports/monthly?from=YYYY-MM&to=YYYY-MM[&trust=<id>] */
export const MonthlyQuery = z.strictObject({ from: month('first'), to: month('last'), trust: trust.optional() });

/** The page and its downloads: months default to the last 6, an empty Trust means all the viewer may see. */
export const PageQuery = z.strictObject({
  from: month('first').optional(),
  to: month('last').optional(),
  trust: z.union([z.literal(''), trust]).optional(),
});

/** The patients behind one figure: the report's range, the period (a month or "total"), the figure, and where. */
export const DrilldownQuery = z.strictObject({
  from: month('first'),
  to: month('last'),
  trust: trust.optional(),
  period: z.string({ error: 'Select a month of the report' }).regex(/^(total|\d{4}-(0[1-9]|1[0-2]))$/, 'Select a month of the report'),
  figure: z.enum(COUNT_FIGURES, { error: 'Select a figure of the report' }),
  reason: z.string().regex(/^[A-Z_]{2,60}$/, 'Select a reason from the report').optional(),
  unit: z.union([z.literal('none'), z.uuid('Select a unit from the report')]).optional(),
});
