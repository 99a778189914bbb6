/**
 * Assembles the monthly report from facts: figures per network / Trust / unit × month and for the whole range, the
 * progress of uptake, CQUIN per Trust and the savings — then, for views across organisations, withholds small numbers
 * (suppression.ts) in every table at once, so no table gives back what another withholds. Pure.
 */
import { DECLINE_REASONS, RETURN_REASONS } from '../pathway/episode-rules.ts';
import { cquinResult, type CquinResult } from './cquin.ts';
import { monthBounds } from './months.ts';
import { savingsByMonth, type DoseFact, type SavingsRow } from './qipp.ts';
import { addFigures, CONSENT_WITHDRAWN, COUNT_FIGURES, figuresFor, percent, type CountFigure, type EpisodeFact, type Figures } from './rules.ts';
import { cquinTargetFor, DEFAULT_VERSION_INFO, type ReportSettings, type SettingsVersionInfo } from './settings.ts';
import { suppress, type SuppressionGroup } from './suppression.ts';
import { capacitySection, inequalitySection, type CapacityRow, type InequalityRow } from './equity.ts';
import type { SafetyFacts } from './queries-more.ts';
import { safetySection, type SafetySection } from './safety.ts';

export const DECLINE_CODES = Object.keys(DECLINE_REASONS);
export const RETURN_CODES = [...Object.keys(RETURN_REASONS), CONSENT_WITHDRAWN];
/** Figures whose months add up to the range: the cohort's suitable and the activity counts. */
const ADDITIVE: CountFigure[] = ['suitable', 'startedAtHome', 'returnedToHospital', 'completed'];

export interface Org {
  id: string;
  name: string;
}
export interface UnitOrg extends Org {
  trustId: string;
}
export type Level = 'network' | 'trust' | 'unit';
export type Shown = number | null;

export interface ReportRow {
  level: Level;
  trustId: string | null;
  unitId: string | null;
  name: string;
  period: string;
  counts: Record<CountFigure, Shown>;
  percentages: { offeredOfSuitable: Shown; optedOfSuitable: Shown; optedOfOffered: Shown; revertedOfOpted: Shown };
  declineReasons: Record<string, Shown>;
  returnReasons: Record<string, Shown>;
}

export interface MonthlyReport {
  from: string;
  to: string;
  months: string[];
  suppressed: boolean;
  rows: ReportRow[];
  progress: { trustId: string; name: string; points: { month: string; suitable: Shown; opted: Shown; percent: Shown }[] }[];
  cquin: ({ trustId: string; name: string } & CquinResult)[];
  savings: { rows: ShownSavings[]; total: ShownSavings; targetPence: number; shortfallPence: Shown; targetMet: boolean | null };
  settings: ReportSettings;
  /** Which saved version of the settings the figures were made with. */
  settingsVersion: SettingsVersionInfo;
  safety: SafetySection;
  inequalities: { dimension: string; title: string; groups: InequalityRow[] }[];
  capacity: CapacityRow[];
}

/** A savings row as shown: in a suppressed view a month with 1–7 doses shows neither its counts nor its money. */
export type ShownSavings = { month: string; withheld: boolean } & { [K in Exclude<keyof SavingsRow, 'month'>]: Shown };
const DOSE_COUNTS = ['homeDoses', 'hospitalDoses', 'unpricedDoses'] as const;

export interface Entity {
  key: string;
  level: Level;
  trustId: string | null;
  unitId: string | null;
  name: string;
  episodes: EpisodeFact[];
  children: string[];
}

/** The entities of the report: the network (for aggregate views), each Trust, and each Trust's units. */
function entities(episodes: readonly EpisodeFact[], trusts: readonly Org[], units: readonly UnitOrg[], network: boolean, doses: readonly DoseFact[]): Entity[] {
  const out: Entity[] = [];
  const trustEntities: Entity[] = [];
  // Grouped by Trust in one pass, keeping their order (a national report has hundreds of thousands, in 200 Trusts).
  const byTrust = new Map<string, EpisodeFact[]>(trusts.map((t) => [t.id, []]));
  for (const e of episodes) byTrust.get(e.trustId)?.push(e);
  const trustOfUnit = new Map(units.map((u) => [u.id, u.trustId]));
  const unplacedDoses = new Set(doses.filter((d) => !d.unitId || trustOfUnit.get(d.unitId) !== d.trustId).map((d) => d.trustId));
  for (const t of trusts) {
    const own = byTrust.get(t.id)!;
    const unitEntities: Entity[] = units.filter((u) => u.trustId === t.id).map((u) => ({ key: `unit:${u.id}`, level: 'unit', trustId: t.id, unitId: u.id, name: u.name, episodes: own.filter((e) => e.unitId === u.id), children: [] }));
    const known = new Set(unitEntities.map((u) => u.unitId));
    const unplaced = own.filter((e) => !e.unitId || !known.has(e.unitId));
    // Also when only doses lack a unit: the report reads only episodes that can count in its range, so a patient with
    // no unit recorded may have doses in it but no episode read, and the capacity rows must still add up to the doses.
    if (unplaced.length || unplacedDoses.has(t.id)) unitEntities.push({ key: `unit:none:${t.id}`, level: 'unit', trustId: t.id, unitId: null, name: 'Unit not recorded', episodes: unplaced, children: [] });
    const trust: Entity = { key: `trust:${t.id}`, level: 'trust', trustId: t.id, unitId: null, name: t.name, episodes: own, children: unitEntities.map((u) => u.key) };
    trustEntities.push(trust);
    out.push(trust, ...unitEntities);
  }
  if (network) out.unshift({ key: 'network', level: 'network', trustId: null, unitId: null, name: 'All Trusts', episodes: episodes.filter((e) => byTrust.has(e.trustId)), children: trustEntities.map((t) => t.key) });
  return out;
}

function putFigures(cells: Record<string, number>, prefix: string, f: Figures) {
  for (const k of COUNT_FIGURES) cells[`${prefix}|${k}`] = f.counts[k];
  for (const r of DECLINE_CODES) cells[`${prefix}|declined:${r}`] = f.declineReasons[r] ?? 0;
  for (const r of RETURN_CODES) cells[`${prefix}|returned:${r}`] = f.returnReasons[r] ?? 0;
}

/** Builds the whole report for the months given (in order); `suppressed` for commissioner and network views. */
export function buildMonthlyReport(input: { episodes: readonly EpisodeFact[]; doses: readonly DoseFact[]; trusts: readonly Org[]; units: readonly UnitOrg[]; months: string[]; settings: ReportSettings; settingsVersion?: SettingsVersionInfo; network: boolean; suppressed: boolean; safety?: SafetyFacts }): MonthlyReport {
  const { months, settings } = input;
  const first = monthBounds(months[0]!).start;
  const last = months.at(-1)!;
  const periods = [...months, 'total'];
  const bounds = (p: string) => (p === 'total' ? { start: first, end: monthBounds(last).end } : monthBounds(p));
  const ents = entities(input.episodes, input.trusts, input.units, input.network, input.doses);
  const cells: Record<string, number> = {};
  const groups: SuppressionGroup[] = [];
  // Counted once per unit and added up to the Trust and the network (every count is per episode, and units partition
  // their Trust's episodes, Trusts the network's): three times less work than counting each level afresh.
  const byKey = new Map(ents.map((e) => [e.key, e]));
  const figs = new Map<string, Figures>();
  const figuresOf = (e: Entity, p: string): Figures => {
    const k = `${e.key}|${p}`;
    let f = figs.get(k);
    if (!f) {
      f = e.children.length ? addFigures(e.children.map((c) => figuresOf(byKey.get(c)!, p))) : figuresFor(e.episodes, bounds(p).start, bounds(p).end);
      figs.set(k, f);
    }
    return f;
  };
  for (const e of ents) for (const p of periods) putFigures(cells, `${e.key}|${p}`, figuresOf(e, p));
  // Cumulative uptake per Trust from the first month to each month; the last month is the range total itself.
  const cum = (trustKey: string, m: string) => (m === last ? `${trustKey}|total` : `${trustKey}|cum:${m}`);
  for (const e of ents.filter((x) => x.level === 'trust')) {
    for (const m of months.slice(0, -1)) {
      const f = figuresFor(e.episodes, first, monthBounds(m).end);
      cells[`${cum(e.key, m)}|suitable`] = f.counts.suitable;
      cells[`${cum(e.key, m)}|opted`] = f.counts.opted;
    }
  }
  const figureKeys = [...COUNT_FIGURES, ...DECLINE_CODES.map((r) => `declined:${r}`), ...RETURN_CODES.map((r) => `returned:${r}`)];
  for (const e of ents) {
    for (const p of periods) {
      const c = `${e.key}|${p}`;
      groups.push({ total: `${c}|declined`, parts: DECLINE_CODES.map((r) => `${c}|declined:${r}`) });
      groups.push({ total: `${c}|returnedToHospital`, parts: RETURN_CODES.map((r) => `${c}|returned:${r}`) });
      groups.push({ total: `${c}|offered`, parts: ['opted', 'declined', 'undecided', 'awaiting'].map((f) => `${c}|${f}`) });
      if (e.children.length) for (const f of figureKeys) groups.push({ total: `${c}|${f}`, parts: e.children.map((k) => `${k}|${p}|${f}`) });
    }
    for (const f of [...ADDITIVE, ...RETURN_CODES.map((r) => `returned:${r}`)]) groups.push({ total: `${e.key}|total|${f}`, parts: months.map((m) => `${e.key}|${m}|${f}`) });
  }
  const savings = savingsByMonth(input.doses, months, settings.qipp);
  for (const r of [...savings.rows, savings.total]) for (const k of DOSE_COUNTS) cells[`qipp|${r.month}|${k}`] = r[k];
  for (const k of DOSE_COUNTS) groups.push({ total: `qipp|total|${k}`, parts: months.map((m) => `qipp|${m}|${k}`) });
  // Safety, inequalities and capacity share the one suppression pass, tied to the figures they add up to.
  const sections = [safetySection(input.safety ?? { reactions: [], incidents: [], courses: [] }, ents, months), inequalitySection(ents[0] ?? { key: 'none', level: 'network', trustId: null, unitId: null, name: '', episodes: [], children: [] }, first, last), capacitySection(ents, input.doses, months)] as const;
  for (const x of sections) {
    Object.assign(cells, x.cells);
    groups.push(...x.groups);
  }

  const shown: Record<string, Shown> = input.suppressed ? suppress(cells, groups) : cells;
  const get = (k: string): Shown => shown[k] ?? null;
  const pct = (a: Shown, b: Shown) => (a === null || b === null ? null : percent(a, b));
  const rows: ReportRow[] = ents.flatMap((e) =>
    periods.map((p) => {
      const c = `${e.key}|${p}`;
      const counts = Object.fromEntries(COUNT_FIGURES.map((k) => [k, get(`${c}|${k}`)])) as Record<CountFigure, Shown>;
      return {
        level: e.level,
        trustId: e.trustId,
        unitId: e.unitId,
        name: e.name,
        period: p,
        counts,
        percentages: { offeredOfSuitable: pct(counts.offered, counts.suitable), optedOfSuitable: pct(counts.opted, counts.suitable), optedOfOffered: pct(counts.opted, counts.offered), revertedOfOpted: pct(counts.reverted, counts.opted) },
        declineReasons: Object.fromEntries(DECLINE_CODES.map((r) => [r, get(`${c}|declined:${r}`)])),
        returnReasons: Object.fromEntries(RETURN_CODES.map((r) => [r, get(`${c}|returned:${r}`)])),
      };
    }),
  );
  const trustEnts = ents.filter((e) => e.level === 'trust');
  const progress = trustEnts.map((e) => ({
    trustId: e.trustId!,
    name: e.name,
    points: months.map((m) => {
      const suitable = get(`${cum(e.key, m)}|suitable`);
      const opted = get(`${cum(e.key, m)}|opted`);
      return { month: m, suitable, opted, percent: pct(opted, suitable) };
    }),
  }));
  // CQUIN is judged on the range as a whole, against the target in force in its last month.
  const target = cquinTargetFor(settings, last);
  const cquin = trustEnts.map((e) => {
    const result = cquinResult(figuresOf(e, 'total'), target);
    const row = rows.find((r) => r.trustId === e.trustId && r.level === 'trust' && r.period === 'total')!;
    return { trustId: e.trustId!, name: e.name, ...result, offeredPercent: row.percentages.offeredOfSuitable, optedPercent: row.percentages.optedOfSuitable };
  });
  const showSavings = (r: SavingsRow): ShownSavings => {
    const out = { ...r, withheld: false } as ShownSavings;
    if (!input.suppressed) return out;
    for (const k of DOSE_COUNTS) out[k] = get(`qipp|${r.month}|${k}`);
    // Money is dose counts times unit costs: a month whose home doses are withheld shows no money either, and no
    // running total is shown month by month (the difference of two would give a withheld month back).
    if (out.homeDoses === null) for (const k of Object.keys(out) as (keyof ShownSavings)[]) if (k !== 'month' && k !== 'withheld') (out as Record<string, unknown>)[k] = null;
    out.withheld = out.homeDoses === null;
    if (r.month !== 'total') out.cumulativeCashPence = null;
    return out;
  };
  const total = showSavings(savings.total);
  const savingsShown = { rows: savings.rows.map(showSavings), total, targetPence: savings.targetPence, shortfallPence: total.withheld ? null : savings.shortfallPence, targetMet: total.withheld ? null : savings.targetMet };
  return { from: months[0]!, to: last, months, suppressed: input.suppressed, rows, progress, cquin, savings: savingsShown, settings, settingsVersion: input.settingsVersion ?? DEFAULT_VERSION_INFO, safety: sections[0].shown(get), inequalities: sections[1].shown(get), capacity: sections[2].shown(get) };
}
