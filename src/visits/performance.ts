/**
 * Provider performance in aggregate, per provider × Trust × month: home visits due, on time (the dose started inside
 * the visit's window), early, late, missed (the visit date passed with no dose) and not given; days from the referral
 * to the first home dose (median and mean); and the share of episodes started at home that returned to hospital.
 * Only counts and figures leave this module: never a patient, episode or visit identifier.
 *
 * How it reads across organisations, consistently with row-level security (the simplest safe way we found):
 * every row read here carries its Trust, and row-level security always lets a Trust see its own rows. So the facts
 * are read one Trust at a time, in `withContext` as the request role `homeward_app` with `app.org_id` set to that
 * Trust — never through the owner connection, and no SECURITY DEFINER function (with FORCE ROW LEVEL SECURITY the
 * owner itself sees nothing unless it is a superuser, so both would work in tests and fail in a stricter deployment).
 * - A cancer manager reads only their own Trust: exactly `withContext` as themselves.
 * - A provider coordinator reads each Trust filtered to their own provider's rows. Not as themselves: row-level
 *   security hides a patient from the provider once the referral ends (completed, returned to hospital), which would
 *   erase the provider's history and every return to hospital from its own figures.
 * - Commissioners, the network lead and administrators (who see no patient rows at all) read every Trust.
 * The facts stay inside `providerPerformance`, which returns only aggregates; the audit row names the real user.
 */
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { POLICY } from '../access/policy.ts';
import { audit } from '../audit/service.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { organisations } from '../organisations/schema.ts';
import { episodeEvents, episodes } from '../pathway/schema.ts';
import { addDays, daysBetween } from '../prescribing/dates.ts';
import { administrations, cycles, treatmentCourses } from '../prescribing/schema.ts';
import { punctuality } from './rules.ts';
import { visits, type VisitStatus } from './schema.ts';

export interface VisitFact { providerId: string; trustId: string; visitDate: string; windowStart: string; windowEnd: string; status: VisitStatus; dose: { date: string; time: string } | null }
export interface FirstDoseFact { providerId: string; trustId: string; givenOn: string; referredOn: string | null }
export interface HomeStartFact { providerId: string; trustId: string; startedOn: string; returned: boolean }
export interface Facts { visits: VisitFact[]; firstDoses: FirstDoseFact[]; homeStarts: HomeStartFact[] }

export interface PerformanceRow {
  month: string;
  providerId: string;
  trustId: string;
  visitsDue: number;
  onTime: number;
  early: number;
  late: number;
  missed: number;
  notGiven: number;
  onTimePercent: number | null;
  firstHomeDoses: number;
  medianDaysToFirstHomeDose: number | null;
  meanDaysToFirstHomeDose: number | null;
  startedAtHome: number;
  returnedToHospital: number;
  returnToHospitalPercent: number | null;
}
export const COUNT_FIELDS = ['visitsDue', 'onTime', 'early', 'late', 'missed', 'notGiven', 'firstHomeDoses', 'startedAtHome', 'returnedToHospital'] as const;
type CountField = (typeof COUNT_FIELDS)[number];
/** A row as shown: in a suppressed view a withheld count (and any figure that would reveal it) is null. */
export type ShownRow = { [K in keyof PerformanceRow]: K extends CountField ? number | null : PerformanceRow[K] };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const MAX_MONTHS = 24;

/** Every month from `from` to `to` inclusive (YYYY-MM), or the problem with them. */
export function monthRange(from: string, to: string): { months: string[] } | { problem: Record<string, string> } {
  if (!MONTH.test(from)) return { problem: { from: 'Enter the first month as a year and month, for example 2026-04' } };
  if (!MONTH.test(to)) return { problem: { to: 'Enter the last month as a year and month, for example 2026-06' } };
  if (to < from) return { problem: { to: 'The last month must be the same as or after the first month' } };
  const months: string[] = [];
  for (let [y, m] = from.split('-').map(Number) as [number, number]; `${y}-${String(m).padStart(2, '0')}` <= to; m === 12 ? ((m = 1), y++) : m++) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    if (months.length > MAX_MONTHS) return { problem: { to: `Choose ${MAX_MONTHS} months or fewer` } };
  }
  return { months };
}

/** The default range: the current month (Europe/London) and the 5 before it. */
export function defaultRange(now: Date): { from: string; to: string } {
  const to = londonDate(now).slice(0, 7);
  const [y, m] = to.split('-').map(Number) as [number, number];
  const back = new Date(Date.UTC(y, m - 1 - 5, 1));
  return { from: back.toISOString().slice(0, 7), to };
}

/** Small-number rule for views across organisations: a count from 1 to 7 is withheld (null). 0 and 8+ are shown. */
export function suppressCount(n: number): number | null {
  return n >= 1 && n <= 7 ? null : n;
}

/**
 * A row for a view that must not show small numbers: counts from 1 to 7 become null, and so does every figure
 * derived from a withheld count (a percentage of a shown denominator would give the count back; a median or mean of
 * 1–7 patients describes individuals).
 */
export function suppressRow(r: PerformanceRow): ShownRow {
  const out = { ...r } as ShownRow;
  for (const f of COUNT_FIELDS) out[f] = suppressCount(r[f]);
  if (out.visitsDue === null || out.onTime === null) out.onTimePercent = null;
  if (out.firstHomeDoses === null) out.medianDaysToFirstHomeDose = out.meanDaysToFirstHomeDose = null;
  if (out.startedAtHome === null || out.returnedToHospital === null) out.returnToHospitalPercent = null;
  return out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const percent = (part: number, whole: number) => (whole ? round1((100 * part) / whole) : null);
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : round1((s[mid - 1]! + s[mid]!) / 2);
}

/** Pure: the facts → one row per provider × Trust × month with anything to count, in month order. */
export function aggregate(facts: Facts, months: string[], today: string): PerformanceRow[] {
  const rows = new Map<string, PerformanceRow & { days: number[] }>();
  const inRange = new Set(months);
  const row = (month: string, providerId: string, trustId: string) => {
    const key = `${month}|${providerId}|${trustId}`;
    let r = rows.get(key);
    if (!r) {
      r = { month, providerId, trustId, visitsDue: 0, onTime: 0, early: 0, late: 0, missed: 0, notGiven: 0, onTimePercent: null, firstHomeDoses: 0, medianDaysToFirstHomeDose: null, meanDaysToFirstHomeDose: null, startedAtHome: 0, returnedToHospital: 0, returnToHospitalPercent: null, days: [] };
      rows.set(key, r);
    }
    return r;
  };
  for (const v of facts.visits) {
    const month = v.visitDate.slice(0, 7);
    if (!inRange.has(month) || v.status === 'cancelled') continue;
    if (v.status === 'not-given' && !v.dose) {
      row(month, v.providerId, v.trustId).notGiven++;
      continue;
    }
    const p = punctuality(v, v.dose, today);
    if (p === 'pending') continue;
    const r = row(month, v.providerId, v.trustId);
    if (p === 'on-time') r.onTime++;
    else if (p === 'early') r.early++;
    else if (p === 'late') r.late++;
    else r.missed++;
  }
  for (const d of facts.firstDoses) {
    const month = d.givenOn.slice(0, 7);
    if (!inRange.has(month)) continue;
    const r = row(month, d.providerId, d.trustId);
    r.firstHomeDoses++;
    if (d.referredOn) r.days.push(daysBetween(d.referredOn, d.givenOn));
  }
  for (const s of facts.homeStarts) {
    const month = s.startedOn.slice(0, 7);
    if (!inRange.has(month)) continue;
    const r = row(month, s.providerId, s.trustId);
    r.startedAtHome++;
    if (s.returned) r.returnedToHospital++;
  }
  return [...rows.values()]
    .map(({ days, ...r }) => {
      r.visitsDue = r.onTime + r.early + r.late + r.missed + r.notGiven;
      return { ...r, onTimePercent: percent(r.onTime, r.visitsDue), medianDaysToFirstHomeDose: median(days), meanDaysToFirstHomeDose: days.length ? round1(days.reduce((a, b) => a + b, 0) / days.length) : null, returnToHospitalPercent: percent(r.returnedToHospital, r.startedAtHome) };
    })
    .sort((a, b) => a.month.localeCompare(b.month));
}

const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
/** A moment as the London date and HH:MM the visit window is written in. */
export const londonMoment = (d: Date) => ({ date: londonDate(d), time: TIME.format(d) });

/** The facts of one Trust, read as that Trust under row-level security, optionally only one provider's. */
async function trustFacts(tx: Tx, trustId: string, first: string, last: string, providerId?: string): Promise<Facts> {
  const visitRows = await tx
    .select({ providerId: visits.providerId, trustId: visits.trustId, cycleId: visits.cycleId, visitDate: visits.visitDate, windowStart: visits.windowStart, windowEnd: visits.windowEnd, status: visits.status })
    .from(visits)
    .where(and(eq(visits.trustId, trustId), gte(visits.visitDate, first), lte(visits.visitDate, last), providerId ? eq(visits.providerId, providerId) : undefined));
  const homeDoses = await tx
    .select({ patientId: administrations.patientId, cycleId: administrations.cycleId, byOrgId: administrations.byOrgId, givenOn: administrations.givenOn, startedAt: administrations.startedAt, episodeId: treatmentCourses.episodeId })
    .from(administrations)
    .innerJoin(cycles, eq(cycles.id, administrations.cycleId))
    .innerJoin(treatmentCourses, eq(treatmentCourses.id, cycles.courseId))
    .where(and(eq(administrations.trustId, trustId), eq(administrations.place, 'home'), lte(administrations.givenOn, last), providerId ? eq(administrations.byOrgId, providerId) : undefined))
    .orderBy(asc(administrations.givenOn), asc(administrations.startedAt));
  // The dose of a visit is the home dose given for its cycle (whether recorded at the visit or on the prescription).
  // ASSUMPTION: a dose recorded without a start time (on the prescription page) counts by its date alone.
  const doseOf = new Map<string, { date: string; time: string | null }>();
  for (const d of homeDoses) if (!doseOf.has(d.cycleId)) doseOf.set(d.cycleId, d.startedAt ? londonMoment(d.startedAt) : { date: d.givenOn, time: null });
  const firstOf = new Map<string, (typeof homeDoses)[number]>();
  for (const d of homeDoses) if (!firstOf.has(d.patientId)) firstOf.set(d.patientId, d);
  const firsts = [...firstOf.values()].filter((d) => d.givenOn >= first);
  const refers = firsts.length
    ? await tx.select({ episodeId: episodeEvents.episodeId, at: episodeEvents.at }).from(episodeEvents).where(and(eq(episodeEvents.trustId, trustId), eq(episodeEvents.event, 'refer'), inArray(episodeEvents.episodeId, [...new Set(firsts.map((d) => d.episodeId))]))).orderBy(asc(episodeEvents.at))
    : [];
  const firstDoses = firsts.map((d) => {
    // The referral that led to this dose: the latest one made on or before the day it was given.
    const referredOn = refers.filter((r) => r.episodeId === d.episodeId && londonDate(r.at) <= d.givenOn).map((r) => londonDate(r.at)).at(-1) ?? null;
    return { providerId: d.byOrgId, trustId, givenOn: d.givenOn, referredOn };
  });
  // Starts at home in the range (a day either side in UTC, then by the London date), and whether each ended in a
  // return to hospital (return or consent withdrawn from "active at home") before any later start.
  const lo = new Date(`${addDays(first, -1)}T00:00:00Z`);
  const hi = new Date(`${addDays(last, 2)}T00:00:00Z`);
  const starts = await tx
    .select({ episodeId: episodeEvents.episodeId, at: episodeEvents.at, providerId: episodes.providerId })
    .from(episodeEvents)
    .innerJoin(episodes, eq(episodes.id, episodeEvents.episodeId))
    .where(and(eq(episodeEvents.trustId, trustId), eq(episodeEvents.event, 'start-home'), gte(episodeEvents.at, lo), lte(episodeEvents.at, hi), providerId ? eq(episodes.providerId, providerId) : undefined));
  const later = starts.length
    ? await tx.select({ episodeId: episodeEvents.episodeId, at: episodeEvents.at, event: episodeEvents.event, fromState: episodeEvents.fromState, toState: episodeEvents.toState }).from(episodeEvents).where(and(eq(episodeEvents.trustId, trustId), inArray(episodeEvents.episodeId, [...new Set(starts.map((s) => s.episodeId))]), gte(episodeEvents.at, lo))).orderBy(asc(episodeEvents.at), asc(episodeEvents.version))
    : [];
  const homeStarts = starts
    .filter((s) => londonDate(s.at) >= first && londonDate(s.at) <= last && s.providerId)
    .map((s) => {
      const after = later.filter((e) => e.episodeId === s.episodeId && e.at > s.at);
      const end = after.find((e) => e.event === 'start-home' || (e.fromState === 'active-at-home' && e.toState === 'returned-to-hospital'));
      return { providerId: s.providerId!, trustId, startedOn: londonDate(s.at), returned: end?.toState === 'returned-to-hospital' };
    });
  return {
    visits: visitRows.map((v) => {
      const dose = doseOf.get(v.cycleId);
      return { providerId: v.providerId, trustId: v.trustId, visitDate: v.visitDate, windowStart: v.windowStart, windowEnd: v.windowEnd, status: v.status, dose: dose ? { date: dose.date, time: dose.time ?? v.windowStart } : null };
    }),
    firstDoses,
    homeStarts,
  };
}

export interface PerformanceReport {
  from: string;
  to: string;
  suppressed: boolean;
  rows: (ShownRow & { providerName: string; trustName: string })[];
}

/** The report for the viewer: a cancer manager their Trust, a provider coordinator their provider, the network all. */
export async function providerPerformance(db: Db, ctx: RequestContext, range: { from: string; to: string }): Promise<PerformanceReport> {
  const checked = monthRange(range.from, range.to);
  if ('problem' in checked) throw new AppError('validation', Object.values(checked.problem)[0]!, checked.problem);
  const scope = POLICY['performance:read'][ctx.role];
  if (!scope) throw new AppError('forbidden', 'You cannot see provider performance');
  const first = `${checked.months[0]}-01`;
  const last = addDays(`${nextMonth(checked.months.at(-1)!)}-01`, -1);
  const today = londonDate(ctx.now);
  const facts: Facts = { visits: [], firstDoses: [], homeStarts: [] };
  const add = (f: Facts) => {
    facts.visits.push(...f.visits);
    facts.firstDoses.push(...f.firstDoses);
    facts.homeStarts.push(...f.homeStarts);
  };
  if (scope === 'all' || ctx.orgKind === 'provider') {
    const trusts = await withContext(db, ctx, (tx) => tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.kind, 'trust')).orderBy(asc(organisations.id)));
    const providerId = scope === 'all' ? undefined : ctx.orgId;
    // Read as each Trust in turn (see the module comment): these contexts only read, and write no audit row.
    for (const t of trusts) add(await withContext(db, { ...ctx, orgId: t.id, orgKind: 'trust', unitIds: [] }, (tx) => trustFacts(tx, t.id, first, last, providerId)));
  } else if (ctx.orgKind === 'trust') {
    add(await withContext(db, ctx, (tx) => trustFacts(tx, ctx.orgId, first, last)));
  } else throw new AppError('forbidden', 'You cannot see provider performance');
  const rows = aggregate(facts, checked.months, today);
  const suppressed = scope === 'all';
  const orgIds = [...new Set(rows.flatMap((r) => [r.providerId, r.trustId]))];
  const names = await withContext(db, ctx, async (tx) => {
    await audit(tx, ctx, { action: 'performance:read', detail: { from: range.from, to: range.to, rows: rows.length, suppressed } });
    return new Map((orgIds.length ? await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, orgIds)) : []).map((o) => [o.id, o.name]));
  });
  const named = rows.map((r) => ({ ...(suppressed ? suppressRow(r) : r), providerName: names.get(r.providerId) ?? 'Unknown provider', trustName: names.get(r.trustId) ?? 'Unknown Trust' }));
  named.sort((a, b) => a.month.localeCompare(b.month) || a.providerName.localeCompare(b.providerName) || a.trustName.localeCompare(b.trustName));
  return { from: range.from, to: range.to, suppressed, rows: named };
}

function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}
