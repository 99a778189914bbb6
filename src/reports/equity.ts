/**
 * Inequalities and capacity in the monthly report (issue 6, items 7 and 8; docs/reporting.md). Pure: each section
 * contributes cells and groups to the report's one suppression pass, then reads the shown values back.
 *
 * - Inequalities: the choice cohort of the whole range (rules.ts) by IMD quintile, ethnic group and age band: suitable,
 *   opted (% of suitable) and opted since returned (% of opted, the return rate). Each dimension's groups add up to the
 *   range's total for the viewer's scope (the network, or the Trust).
 * - Capacity: per unit and month, doses given at home and in hospital, and the chair hours the home doses released
 *   (each dose's prescribed infusion + observation minutes, as the savings model counts them).
 */
import { monthBounds } from './months.ts';
import type { DoseFact } from './qipp.ts';
import type { Entity, Shown } from './report.ts';
import { figuresFor, percent, type EpisodeFact } from './rules.ts';
import type { SuppressionGroup } from './suppression.ts';

export const NOT_KNOWN = 'NOT_KNOWN';
/** NHS Data Dictionary ethnic category letter → the five ONS groups; Z "not stated"; missing or other "not known". */
const ETHNIC: Record<string, string> = { A: 'WHITE', B: 'WHITE', C: 'WHITE', D: 'MIXED', E: 'MIXED', F: 'MIXED', G: 'MIXED', H: 'ASIAN', J: 'ASIAN', K: 'ASIAN', L: 'ASIAN', M: 'BLACK', N: 'BLACK', P: 'BLACK', R: 'OTHER', S: 'OTHER', Z: 'NOT_STATED' };
export const DIMENSIONS = {
  imdQuintile: { title: 'IMD quintile (1 most deprived)', groups: { Q1: 'Quintile 1 (deciles 1–2)', Q2: 'Quintile 2 (deciles 3–4)', Q3: 'Quintile 3 (deciles 5–6)', Q4: 'Quintile 4 (deciles 7–8)', Q5: 'Quintile 5 (deciles 9–10)', [NOT_KNOWN]: 'Not known' } },
  ethnicGroup: { title: 'Ethnic group', groups: { WHITE: 'White', MIXED: 'Mixed or multiple ethnic groups', ASIAN: 'Asian or Asian British', BLACK: 'Black, Black British, Caribbean or African', OTHER: 'Other ethnic group', NOT_STATED: 'Not stated', [NOT_KNOWN]: 'Not known' } },
  ageBand: { title: 'Age band', groups: { UNDER_40: 'Under 40', '40_49': '40–49', '50_59': '50–59', '60_69': '60–69', '70_PLUS': '70 and over', [NOT_KNOWN]: 'Not known' } },
} as const;
export type Dimension = keyof typeof DIMENSIONS;

export function imdQuintile(decile: number | null): string {
  return decile !== null && decile >= 1 && decile <= 10 ? `Q${Math.ceil(decile / 2)}` : NOT_KNOWN;
}
export function ethnicGroup(category: string | null): string {
  return (category && ETHNIC[category.trim().toUpperCase().slice(0, 1)]) || NOT_KNOWN;
}
export function ageBand(age: number | null): string {
  if (age === null || age < 0) return NOT_KNOWN;
  return age < 40 ? 'UNDER_40' : age < 50 ? '40_49' : age < 60 ? '50_59' : age < 70 ? '60_69' : '70_PLUS';
}
const GROUP_OF: Record<Dimension, (e: EpisodeFact) => string> = { imdQuintile: (e) => imdQuintile(e.imdDecile), ethnicGroup: (e) => ethnicGroup(e.ethnicCategory), ageBand: (e) => ageBand(e.ageYears) };
const MEASURES = ['suitable', 'opted', 'reverted'] as const;

export interface InequalityRow { group: string; label: string; suitable: Shown; opted: Shown; optedPercent: Shown; returned: Shown; returnedPercent: Shown }
export interface CapacityRow { trustId: string | null; unitId: string | null; name: string; periods: { period: string; homeDoses: Shown; hospitalDoses: Shown; chairHoursReleased: Shown }[] }

/** `top` is the widest entity of the report (the network, or the Trust): its range totals are each dimension's total. */
export function inequalitySection(top: Entity, first: string, last: string) {
  const cells: Record<string, number> = {};
  const groups: SuppressionGroup[] = [];
  const end = monthBounds(last).end;
  for (const dim of Object.keys(DIMENSIONS) as Dimension[]) {
    for (const g of Object.keys(DIMENSIONS[dim].groups)) {
      const f = figuresFor(top.episodes.filter((e) => GROUP_OF[dim](e) === g), first, end);
      for (const m of MEASURES) cells[`ineq|${dim}|${g}|${m}`] = f.counts[m];
    }
    for (const m of MEASURES) groups.push({ total: `${top.key}|total|${m}`, parts: Object.keys(DIMENSIONS[dim].groups).map((g) => `ineq|${dim}|${g}|${m}`) });
  }
  const shown = (get: (k: string) => Shown) =>
    (Object.keys(DIMENSIONS) as Dimension[]).map((dim) => ({
      dimension: dim,
      title: DIMENSIONS[dim].title,
      groups: Object.entries(DIMENSIONS[dim].groups).map(([g, label]): InequalityRow => {
        const [suitable, opted, returned] = MEASURES.map((m) => get(`ineq|${dim}|${g}|${m}`)) as [Shown, Shown, Shown];
        return { group: g, label, suitable, opted, optedPercent: suitable === null || opted === null ? null : percent(opted, suitable), returned, returnedPercent: opted === null || returned === null ? null : percent(returned, opted) };
      }),
    }));
  return { cells, groups, shown };
}

const hours = (minutes: number) => Math.round(minutes / 6) / 10;

/** Doses per unit entity and period; `periods` are the months and "total". Unit totals add up to the savings' dose counts. */
export function capacitySection(ents: readonly Entity[], doses: readonly DoseFact[], months: readonly string[]) {
  const cells: Record<string, number> = {};
  const groups: SuppressionGroup[] = [];
  const minutes: Record<string, number> = {};
  const unitEnts = ents.filter((e) => e.level === 'unit');
  const known = new Set(unitEnts.map((u) => `${u.trustId}|${u.unitId}`));
  const periods = [...months, 'total'];
  // One pass over the doses into unit × month buckets (a national year is millions of doses).
  const buckets = new Map<string, { home: number; hospital: number; minutes: number }>();
  const inRange = new Set(months);
  for (const d of doses) {
    const month = d.givenOn.slice(0, 7);
    if (!inRange.has(month)) continue;
    for (const period of [month, 'total']) {
      const k = `${d.trustId}|${d.unitId !== null && known.has(`${d.trustId}|${d.unitId}`) ? d.unitId : ''}|${period}`;
      const b = buckets.get(k) ?? { home: 0, hospital: 0, minutes: 0 };
      if (d.place === 'home') {
        b.home++;
        b.minutes += d.chairMinutes;
      } else b.hospital++;
      buckets.set(k, b);
    }
  }
  for (const u of unitEnts) {
    for (const p of periods) {
      const b = buckets.get(`${u.trustId}|${u.unitId ?? ''}|${p}`) ?? { home: 0, hospital: 0, minutes: 0 };
      cells[`cap|${u.key}|${p}|homeDoses`] = b.home;
      cells[`cap|${u.key}|${p}|hospitalDoses`] = b.hospital;
      minutes[`${u.key}|${p}`] = b.minutes;
    }
    for (const k of ['homeDoses', 'hospitalDoses']) groups.push({ total: `cap|${u.key}|total|${k}`, parts: months.map((m) => `cap|${u.key}|${m}|${k}`) });
  }
  for (const p of periods) for (const k of ['homeDoses', 'hospitalDoses']) groups.push({ total: `qipp|${p}|${k}`, parts: unitEnts.map((u) => `cap|${u.key}|${p}|${k}`) });
  const shown = (get: (k: string) => Shown): CapacityRow[] =>
    unitEnts.map((u) => ({
      trustId: u.trustId,
      unitId: u.unitId,
      name: u.name,
      periods: periods.map((p) => {
        const homeDoses = get(`cap|${u.key}|${p}|homeDoses`);
        // Chair time is home doses × their minutes: withheld with the home doses.
        return { period: p, homeDoses, hospitalDoses: get(`cap|${u.key}|${p}|hospitalDoses`), chairHoursReleased: homeDoses === null ? null : hours(minutes[`${u.key}|${p}`]!) };
      }),
    }));
  return { cells, groups, shown };
}
