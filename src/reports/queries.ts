/**
 * Loading the report's facts. Two ways, one shape (EpisodeFact, DoseFact), so every figure has one definition (rules.ts):
 *
 * - A Trust's staff read as themselves, in their own `withContext` transaction: row-level security shows them their
 *   Trust's rows, and `patientScope` narrows to their units when they are limited to some. Episode ids come with the
 *   facts, so a figure can be traced to the patients behind it.
 * - Commissioners, the network lead and administrators see no patient row at all under row-level security. They read
 *   through the SECURITY DEFINER functions of drizzle/0014_reports.sql, which run as the reading-only role
 *   homeward_reporter and return no identifier (see that file). The facts stay inside the report service, which
 *   returns only aggregates with small numbers withheld.
 *
 * Why not the performance report's way (reading as each Trust in turn by setting app.org_id to it)? It works, but it
 * makes the application claim to be each Trust; these functions keep the database's own rule — nobody outside a Trust
 * ever receives its patients' identifiers — and say in one place exactly what crosses the line.
 */
import { and, asc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { RequestContext } from '../platform/context.ts';
import { londonDate } from '../platform/clock.ts';
import { rows, type Tx } from '../platform/db/client.ts';
import { organisations, units } from '../organisations/schema.ts';
import { episodeEvents, episodes } from '../pathway/schema.ts';
import type { EpisodeEvent, EpisodeState } from '../pathway/episode-rules.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { addDays } from '../prescribing/dates.ts';
import { administrations, prescriptions } from '../prescribing/schema.ts';
import type { DoseFact } from './qipp.ts';
import type { CourseFact } from './queries-more.ts';
import type { RegimenDefinition } from '../prescribing/regimen.ts';
import type { EpisodeFact } from './rules.ts';
import type { Org, UnitOrg } from './report.ts';

/** Whole years from a date of birth to a date (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return on.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

interface EventRow {
  key: string;
  trustId: string;
  unitId: string | null;
  ageYears: number | null;
  imdDecile: number | null;
  ethnicCategory: string | null;
  event: string;
  toState: string;
  reasonCode: string | null;
  on: string;
  version: number;
}

/** Groups event rows (in any order) into one fact per episode, events in the order they happened. */
export function groupFacts(list: readonly EventRow[]): EpisodeFact[] {
  const byKey = new Map<string, EpisodeFact>();
  const sorted = [...list].sort((a, b) => a.key.localeCompare(b.key) || a.version - b.version || a.on.localeCompare(b.on));
  for (const r of sorted) {
    let f = byKey.get(r.key);
    if (!f) {
      f = { key: r.key, trustId: r.trustId, unitId: r.unitId, ageYears: r.ageYears, imdDecile: r.imdDecile, ethnicCategory: r.ethnicCategory, events: [] };
      byKey.set(r.key, f);
    }
    f.events.push({ event: r.event as EpisodeEvent, toState: r.toState as EpisodeState, reasonCode: r.reasonCode, on: r.on });
  }
  return [...byKey.values()];
}

/** Events recorded up to `lastDay` are all that the figures need; a day's margin covers the London offset. */
export const endBound = (lastDay: string) => new Date(`${addDays(lastDay, 2)}T00:00:00Z`);
/** Before this instant (a day ahead of the range's first London date), only episodes active at home can still count. */
export const windowStart = (firstDay: string) => new Date(`${addDays(firstDay, -1)}T00:00:00Z`);

/**
 * The episodes that can count in a range (rules.ts, mayCount): an event since the range began, or active at home now
 * (one active at home at the start either still is or has had an event since). The same rule as the reporting
 * functions of drizzle/0019_report_window.sql and 0021_report_window_plan.sql; more than needed is harmless, fewer would lose counts.
 */
export function inWindow(firstDay: string, trustId: string): SQL {
  // One UNION joined to, never `state = … OR id IN (…)`: under an OR the subquery runs once per episode when its
  // answer outgrows work_mem (drizzle/0021_report_window_plan.sql). Both arms name the Trust, so row-level security
  // is not asked about every other Trust's recent events.
  return sql`${episodes.id} in (select e.id from episodes e where e.trust_id = ${trustId}::uuid and e.state = 'active-at-home' union select x.episode_id from episode_events x where x.trust_id = ${trustId}::uuid and x.at >= ${windowStart(firstDay).toISOString()}::timestamptz)`;
}

/** A Trust user's facts, read as themselves under row-level security, with episode and patient ids. */
export async function ownTrustFacts(tx: Tx, ctx: RequestContext, firstDay: string, lastDay: string) {
  const list = await tx
    .select({ episodeId: episodes.id, patientId: patients.id, trustId: episodes.trustId, createdAt: episodes.createdAt, unitId: patients.unitId, dob: patients.dateOfBirth, imdDecile: patients.imdDecile, ethnicCategory: patients.ethnicCategory, event: episodeEvents.event, toState: episodeEvents.toState, reasonCode: episodeEvents.reasonCode, at: episodeEvents.at, version: episodeEvents.version })
    .from(episodeEvents)
    .innerJoin(episodes, eq(episodes.id, episodeEvents.episodeId))
    .innerJoin(patients, eq(patients.id, episodes.patientId))
    .where(and(eq(episodes.trustId, ctx.orgId), patientScope(ctx), lt(episodeEvents.at, endBound(lastDay)), inWindow(firstDay, ctx.orgId)));
  const episodesFacts = groupFacts(list.map((r) => ({ key: r.episodeId, trustId: r.trustId, unitId: r.unitId, ageYears: ageOn(r.dob, londonDate(r.createdAt)), imdDecile: r.imdDecile, ethnicCategory: r.ethnicCategory, event: r.event, toState: r.toState, reasonCode: r.reasonCode, on: londonDate(r.at), version: r.version })));
  const patientOf = new Map(list.map((r) => [r.episodeId, r.patientId]));
  const doseRows = await tx
    .select({ trustId: administrations.trustId, unitId: patients.unitId, place: administrations.place, givenOn: administrations.givenOn, route: prescriptions.route, doses: administrations.doses, infusion: prescriptions.infusionMinutes, observation: prescriptions.observationMinutes })
    .from(administrations)
    .innerJoin(prescriptions, eq(prescriptions.id, administrations.prescriptionId))
    .innerJoin(patients, eq(patients.id, administrations.patientId))
    .where(and(eq(administrations.trustId, ctx.orgId), patientScope(ctx), gte(administrations.givenOn, firstDay), lte(administrations.givenOn, lastDay)));
  const doses: DoseFact[] = doseRows.map((d) => ({ trustId: d.trustId, unitId: d.unitId, place: d.place, givenOn: d.givenOn, route: d.route, doses: d.doses, chairMinutes: d.infusion + d.observation }));
  return { episodes: episodesFacts, doses, patientOf };
}

/**
 * Every Trust's facts (or one Trust's), through the reporting functions: no identifier is returned. The episodes' events
 * and their courses' LVEF history come from one statement: both functions are STABLE, so they share its snapshot and
 * number the same episodes the same way (`k`) even while pathway events are being recorded (two statements could
 * each see a different set of episodes, and join courses to the wrong ones).
 */
export async function allTrustFacts(tx: Tx, trustId: string | null, firstDay: string, lastDay: string) {
  const from = windowStart(firstDay).toISOString();
  const to = endBound(lastDay).toISOString();
  const list = await rows<{ part: 'event' | 'lvef'; k: number; trust_id: string; unit_id: string | null; age_years: number | null; imd_decile: number | null; ethnic_category: string | null; event: string; to_state: string; reason_code: string | null; on_date: string; version: number; lvef_monitoring: RegimenDefinition['lvefMonitoring'] | string | null; measured_on: string[] }>(
    tx,
    sql`select 'event' as part, e.*, null::jsonb as lvef_monitoring, null::text[] as measured_on
        from app_report_episode_events(${from}::timestamptz, ${to}::timestamptz, ${trustId}::uuid) e
        union all
        select 'lvef', l.k, null, null, null, null, null, null, null, null, null, null, l.lvef_monitoring, l.measured_on
        from app_report_lvef(${from}::timestamptz, ${to}::timestamptz, ${trustId}::uuid) l`,
  );
  const events = list.filter((r) => r.part === 'event');
  const doseRows = await rows<{ trust_id: string; unit_id: string | null; place: 'home' | 'hospital'; given_on: string; route: string; doses: { drug: string; doseMg: number }[] | string; chair_minutes: number }>(tx, sql`select * from app_report_doses(${firstDay}::date, ${lastDay}::date, ${trustId}::uuid)`);
  return {
    episodes: groupFacts(events.map((r) => ({ key: String(r.k), trustId: r.trust_id, unitId: r.unit_id, ageYears: r.age_years, imdDecile: r.imd_decile, ethnicCategory: r.ethnic_category, event: r.event, toState: r.to_state, reasonCode: r.reason_code, on: r.on_date, version: r.version }))),
    doses: doseRows.map((d): DoseFact => ({ trustId: d.trust_id, unitId: d.unit_id, place: d.place, givenOn: d.given_on, route: d.route, doses: typeof d.doses === 'string' ? (JSON.parse(d.doses) as DoseFact['doses']) : d.doses, chairMinutes: d.chair_minutes })),
    courses: list
      .filter((r) => r.part === 'lvef')
      .map((x): CourseFact => ({ episodeKey: String(x.k), lvefMonitoring: typeof x.lvef_monitoring === 'string' ? (JSON.parse(x.lvef_monitoring) as RegimenDefinition['lvefMonitoring']) : x.lvef_monitoring!, lvefDates: x.measured_on })),
  };
}

/** The Trusts and units a report covers: one Trust (and the user's units when limited), or all. */
export async function reportOrgs(tx: Tx, trustIds: string[] | null, unitIds: string[] = []): Promise<{ trusts: Org[]; units: UnitOrg[] }> {
  const trusts = await tx
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(and(eq(organisations.kind, 'trust'), trustIds ? inArray(organisations.id, trustIds) : undefined))
    .orderBy(asc(organisations.name));
  const unitRows = trusts.length
    ? await tx
        .select({ id: units.id, name: units.name, trustId: units.trustId })
        .from(units)
        .where(and(inArray(units.trustId, trusts.map((t) => t.id)), unitIds.length ? inArray(units.id, unitIds) : undefined))
        .orderBy(asc(units.code))
    : [];
  return { trusts, units: unitRows };
}

/** The patients behind a drill-down, by episode, in the viewer's scope. */
export async function patientsOfEpisodes(tx: Tx, ctx: RequestContext, episodeIds: string[]) {
  if (!episodeIds.length) return [];
  return tx
    .select({ episodeId: episodes.id, patientId: patients.id, nhsNumber: patients.nhsNumber, givenName: patients.givenName, familyName: patients.familyName, state: episodes.state })
    .from(episodes)
    .innerJoin(patients, eq(patients.id, episodes.patientId))
    .where(and(inArray(episodes.id, episodeIds), patientScope(ctx)))
    .orderBy(asc(patients.familyName), asc(patients.givenName));
}
