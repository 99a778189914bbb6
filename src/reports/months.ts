/**
 * Calendar months for the reports, as `YYYY-MM` strings in Europe/London (the date of every event is its London date).
 * Pure.
 */
import { addDays } from '../prescribing/dates.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** The longest range a report covers: two financial years. */
export const MAX_MONTHS = 24;

/** Every month from `from` to `to` inclusive, or the problem with them keyed by field. */
export function monthsBetween(from: string, to: string): { months: string[] } | { problems: Record<string, string> } {
  if (!MONTH.test(from)) return { problems: { from: 'Enter the first month as a year and month, for example 2026-04' } };
  if (!MONTH.test(to)) return { problems: { to: 'Enter the last month as a year and month, for example 2026-06' } };
  if (to < from) return { problems: { to: 'The last month must be the same as or after the first month' } };
  const months: string[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) {
    months.push(m);
    if (months.length > MAX_MONTHS) return { problems: { to: `Choose ${MAX_MONTHS} months or fewer` } };
  }
  return { months };
}

/** The month after `m`. */
export function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/** The first and last calendar dates of a month. */
export function monthBounds(m: string): { start: string; end: string } {
  return { start: `${m}-01`, end: addDays(`${nextMonth(m)}-01`, -1) };
}

/** The default range: the 6 months up to and including the current one. */
export function defaultMonths(today: string): { from: string; to: string } {
  const to = today.slice(0, 7);
  let from = to;
  for (let i = 0; i < 5; i++) {
    const [y, mo] = from.split('-').map(Number) as [number, number];
    from = mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`;
  }
  return { from, to };
}

const LABEL = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
/** "2026-04" → "Apr 2026". */
export const monthLabel = (m: string) => LABEL.format(new Date(`${m}-15T12:00:00Z`));
