/**
 * Calendar-date arithmetic for the dosing and monitoring rules. Clinical dates are local calendar dates held as
 * `YYYY-MM-DD` strings (as elsewhere in Homeward), so the rules count whole days and never meet a clock change:
 * the arithmetic runs on UTC midnight, where every day has 24 hours.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

const toUtc = (d: IsoDate): number => Date.parse(`${d}T00:00:00Z`);
const fromUtc = (ms: number): IsoDate => new Date(ms).toISOString().slice(0, 10);

/** True for a real calendar date in `YYYY-MM-DD` form (2026-02-30 is not one). */
export function isIsoDate(d: string): boolean {
  if (!SHAPE.test(d)) return false;
  const ms = toUtc(d);
  return !Number.isNaN(ms) && fromUtc(ms) === d;
}

/** The date `days` calendar days after `d` (before it when negative). */
export function addDays(d: IsoDate, days: number): IsoDate {
  return fromUtc(toUtc(d) + days * DAY_MS);
}

/** Calendar days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** The same day `months` later; a day the month lacks becomes its last day (31 August + 6 months = 28 February). */
export function addMonths(d: IsoDate, months: number): IsoDate {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromUtc(Date.UTC(year, month, Math.min(day, lastDay)));
}

// Made once: building an Intl formatter costs far more than using one, and worklists and reports format thousands.
const NHS_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A date as NHS pages write it: "1 March 2026". */
export function formatDate(d: IsoDate): string {
  return NHS_DATE.format(new Date(toUtc(d)));
}
