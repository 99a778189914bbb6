/**
 * Dates as whole days since 1970-01-01 (UTC), with the strings precomputed: the generator writes tens of millions of
 * dates and times, and formatting each one with Date would cost more than writing it.
 * Times are written in UTC between 07:00 and 20:00, so the Europe/London date of every timestamp is its UTC date.
 */
const DAY_MS = 86_400_000;
const FIRST = Date.UTC(1920, 0, 1) / DAY_MS;
const LAST = Date.UTC(2040, 0, 1) / DAY_MS;
const ISO: string[] = [];
for (let d = FIRST; d < LAST; d++) ISO.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
const HHMM: string[] = [];
for (let m = 0; m < 1440; m++) HHMM.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

export function dayOf(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
}

export function iso(day: number): string {
  const s = ISO[day - FIRST];
  if (s === undefined) throw new Error(`day ${day} is outside the generator's calendar`);
  return s;
}

/** "HH:MM" for a minute of the day. */
export function hhmm(minute: number): string {
  return HHMM[minute]!;
}

/** A timestamptz literal for COPY: the day at `minute` minutes after midnight UTC (0–1439). */
export function ts(day: number, minute: number): string {
  return `${iso(day)} ${HHMM[minute]}:00+00`;
}

/** The same instant as an ISO string, for JSON. */
export function tsIso(day: number, minute: number): string {
  return `${iso(day)}T${HHMM[minute]}:00.000Z`;
}

/** The Date of a day at a minute, for values handed to the application's own functions. */
export function dateAt(day: number, minute: number): Date {
  return new Date(day * DAY_MS + minute * 60_000);
}

/** First day of the month `n` months before the month of `day` (n = 0: its own month). */
export function monthStart(day: number, n: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1) / DAY_MS;
}

/** The 'YYYY-MM' months from the one `count - 1` months before the month of `day` up to its own. */
export function monthsUpTo(day: number, count: number): string[] {
  const out: string[] = [];
  for (let n = count - 1; n >= 0; n--) out.push(iso(monthStart(day, n)).slice(0, 7));
  return out;
}

/** The last Sunday of a month (for the clock changes). */
function lastSunday(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0) / DAY_MS;
  return last - ((last + 4) % 7); // day 0 (1970-01-01) was a Thursday
}

/** Minutes Europe/London is ahead of UTC on a day (60 in British Summer Time; the change days count as changed). */
export function londonOffset(day: number): number {
  return OFFSET[day - FIRST]!;
}
const OFFSET = new Int8Array(LAST - FIRST);
for (let d = FIRST; d < LAST; d++) {
  const year = new Date(d * DAY_MS).getUTCFullYear();
  OFFSET[d - FIRST] = d >= lastSunday(year, 2) && d < lastSunday(year, 9) ? 60 : 0;
}

/** A UTC timestamp for a Europe/London wall-clock minute of a day. */
export function tsLondon(day: number, londonMinute: number): string {
  return ts(day, londonMinute - londonOffset(day));
}
