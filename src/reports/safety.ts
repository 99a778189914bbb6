/**
 * Safety figures of the monthly report (issue 6, item 6; docs/reporting.md "Safety"): reactions by CTCAE grade and
 * incidents by kind and severity over the range, per Trust and the network; and LVEF compliance at each month end —
 * of the patients active at home on a course whose regimen monitors LVEF, the share whose LVEF is in date
 * (lvefMonitoringStatus on the month's last day, from the last result on or before it) and the median days overdue.
 * Pure: contributes cells and groups to the report's one suppression pass, then reads the shown values back.
 */
import { daysBetween } from '../prescribing/dates.ts';
import { lvefMonitoringStatus } from '../prescribing/lvef-schedule.ts';
import type { RegimenDefinition } from '../prescribing/regimen.ts';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES } from '../visits/schema.ts';
import { monthBounds } from './months.ts';
import type { SafetyFacts } from './queries-more.ts';
import type { Entity, Shown } from './report.ts';
import { percent, stateOn } from './rules.ts';
import type { SuppressionGroup } from './suppression.ts';

export const GRADES = ['1', '2', '3', '4', '5'] as const;
export const LVEF_PARTS = ['inDate', 'overdue', 'noAssessment', 'notMonitored', 'noCourse'] as const;
type LvefPart = (typeof LVEF_PARTS)[number];

export interface SafetySection {
  reactions: { level: string; trustId: string | null; name: string; grades: Record<string, Shown>; total: Shown }[];
  incidents: { level: string; trustId: string | null; name: string; byKind: Record<string, Shown>; bySeverity: Record<string, Shown>; byKindAndSeverity: Record<string, Shown>; total: Shown }[];
  lvef: { level: string; trustId: string | null; name: string; months: ({ month: string; monitored: Shown; inDatePercent: Shown; medianDaysOverdue: Shown } & Record<LvefPart, Shown>)[] }[];
}

/** The middle value (the mean of the two middle ones for an even count), or null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Where one course stands for LVEF on a date, and its days past the due date when overdue. */
export function lvefPart(lvefMonitoring: RegimenDefinition['lvefMonitoring'], lvefDates: readonly string[], on: string): { part: LvefPart; daysOverdue: number | null } {
  const last = lvefDates.filter((d) => d <= on).at(-1) ?? null;
  const s = lvefMonitoringStatus({ lvefMonitoring } as RegimenDefinition, last, on);
  if (s.state === 'not-monitored') return { part: 'notMonitored', daysOverdue: null };
  if (s.state === 'no-assessment') return { part: 'noAssessment', daysOverdue: null };
  if (s.state === 'due' || s.state === 'overdue') return { part: 'overdue', daysOverdue: daysBetween(s.dueDate!, on) };
  return { part: 'inDate', daysOverdue: null };
}

export function safetySection(facts: SafetyFacts, ents: readonly Entity[], months: readonly string[]) {
  const cells: Record<string, number> = {};
  const groups: SuppressionGroup[] = [];
  const medians: Record<string, number | null> = {};
  const top = ents.filter((e) => e.level !== 'unit');
  const trustIds = ents.filter((x) => x.level === 'trust').map((x) => x.trustId!);
  const trustsOf = (e: Entity) => (e.level === 'network' ? trustIds : [e.trustId!]);
  // Counts by Trust and category, once: each cell then reads a few small maps, not the whole list (200 Trusts × 40 cells).
  const byTrust = (list: SafetyFacts['reactions']) => {
    const out = new Map<string, Map<string, number>>();
    for (const c of list) {
      const m = out.get(c.trustId) ?? new Map<string, number>();
      m.set(c.category, (m.get(c.category) ?? 0) + c.n);
      out.set(c.trustId, m);
    }
    return out;
  };
  const reactionsBy = byTrust(facts.reactions);
  const incidentsBy = byTrust(facts.incidents);
  const sum = (list: SafetyFacts['reactions'], e: Entity, category: (c: string) => boolean) => {
    const by = list === facts.reactions ? reactionsBy : incidentsBy;
    let n = 0;
    for (const t of trustsOf(e)) for (const [c, v] of by.get(t) ?? []) if (category(c)) n += v;
    return n;
  };
  const children = (e: Entity) => top.filter((x) => e.children.includes(x.key));
  const courseOf = new Map(facts.courses.map((c) => [c.episodeKey, c]));
  const lvefTallies = new Map<string, { tally: Record<LvefPart, number>; overdue: number[] }>();
  /** Where a Trust's patients active at home stood for LVEF at the end of a month. */
  const lvefOf = (e: Entity, m: string) => {
    const key = `${e.key}|${m}`;
    const known = lvefTallies.get(key);
    if (known) return known;
    const end = monthBounds(m).end;
    const tally: Record<LvefPart, number> = { inDate: 0, overdue: 0, noAssessment: 0, notMonitored: 0, noCourse: 0 };
    const overdue: number[] = [];
    for (const ep of e.episodes) {
      if (stateOn(ep, end) !== 'active-at-home') continue;
      const course = courseOf.get(ep.key);
      if (!course) {
        tally.noCourse++;
        continue;
      }
      const { part, daysOverdue } = lvefPart(course.lvefMonitoring, course.lvefDates, end);
      tally[part]++;
      if (daysOverdue !== null) overdue.push(daysOverdue);
    }
    const out = { tally, overdue };
    lvefTallies.set(key, out);
    return out;
  };
  for (const e of top) {
    const k = `safety|${e.key}`;
    for (const g of GRADES) cells[`${k}|reaction:${g}`] = sum(facts.reactions, e, (c) => c === g);
    cells[`${k}|reactions`] = sum(facts.reactions, e, () => true);
    groups.push({ total: `${k}|reactions`, parts: GRADES.map((g) => `${k}|reaction:${g}`) });
    for (const kind of INCIDENT_KINDS) {
      for (const sev of INCIDENT_SEVERITIES) cells[`${k}|incident:${kind}|${sev}`] = sum(facts.incidents, e, (c) => c === `${kind}|${sev}`);
      cells[`${k}|incident:${kind}`] = sum(facts.incidents, e, (c) => c.startsWith(`${kind}|`));
      groups.push({ total: `${k}|incident:${kind}`, parts: INCIDENT_SEVERITIES.map((s) => `${k}|incident:${kind}|${s}`) });
    }
    for (const sev of INCIDENT_SEVERITIES) {
      cells[`${k}|severity:${sev}`] = sum(facts.incidents, e, (c) => c.endsWith(`|${sev}`));
      groups.push({ total: `${k}|severity:${sev}`, parts: INCIDENT_KINDS.map((kind) => `${k}|incident:${kind}|${sev}`) });
    }
    cells[`${k}|incidents`] = sum(facts.incidents, e, () => true);
    groups.push({ total: `${k}|incidents`, parts: INCIDENT_KINDS.map((kind) => `${k}|incident:${kind}`) }, { total: `${k}|incidents`, parts: INCIDENT_SEVERITIES.map((s) => `${k}|severity:${s}`) });
    const kids = children(e);
    if (kids.length) for (const f of [...GRADES.map((g) => `reaction:${g}`), 'reactions', 'incidents', ...INCIDENT_KINDS.flatMap((kind) => [`incident:${kind}`, ...INCIDENT_SEVERITIES.map((s) => `incident:${kind}|${s}`)]), ...INCIDENT_SEVERITIES.map((s) => `severity:${s}`)]) groups.push({ total: `${k}|${f}`, parts: kids.map((x) => `safety|${x.key}|${f}`) });
    for (const m of months) {
      const lk = `lvef|${e.key}|${m}`;
      // The network's tally and overdue days are its Trusts' together (each episode is worked out once).
      const own = e.level === 'network' ? kids.map((x) => lvefOf(x, m)) : [lvefOf(e, m)];
      const tally: Record<LvefPart, number> = { inDate: 0, overdue: 0, noAssessment: 0, notMonitored: 0, noCourse: 0 };
      for (const t of own) for (const p of LVEF_PARTS) tally[p] += t.tally[p];
      const overdue = own.flatMap((t) => t.overdue);
      for (const p of LVEF_PARTS) cells[`${lk}|${p}`] = tally[p];
      medians[lk] = median(overdue);
      // The parts add up to the report's "active at home at the end" of the same month.
      groups.push({ total: `${e.key}|${m}|activeAtHome`, parts: LVEF_PARTS.map((p) => `${lk}|${p}`) });
      if (kids.length) for (const p of LVEF_PARTS) groups.push({ total: `${lk}|${p}`, parts: kids.map((x) => `lvef|${x.key}|${m}|${p}`) });
    }
  }
  const shown = (get: (k: string) => Shown): SafetySection => ({
    reactions: top.map((e) => ({ level: e.level, trustId: e.trustId, name: e.name, grades: Object.fromEntries(GRADES.map((g) => [g, get(`safety|${e.key}|reaction:${g}`)])), total: get(`safety|${e.key}|reactions`) })),
    incidents: top.map((e) => {
      const k = `safety|${e.key}`;
      return {
        level: e.level,
        trustId: e.trustId,
        name: e.name,
        byKind: Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, get(`${k}|incident:${kind}`)])),
        bySeverity: Object.fromEntries(INCIDENT_SEVERITIES.map((s) => [s, get(`${k}|severity:${s}`)])),
        byKindAndSeverity: Object.fromEntries(INCIDENT_KINDS.flatMap((kind) => INCIDENT_SEVERITIES.map((s) => [`${kind}|${s}`, get(`${k}|incident:${kind}|${s}`)]))),
        total: get(`${k}|incidents`),
      };
    }),
    lvef: top.map((e) => ({
      level: e.level,
      trustId: e.trustId,
      name: e.name,
      months: months.map((m) => {
        const lk = `lvef|${e.key}|${m}`;
        const parts = Object.fromEntries(LVEF_PARTS.map((p) => [p, get(`${lk}|${p}`)])) as Record<LvefPart, Shown>;
        const monitored = parts.inDate === null || parts.overdue === null || parts.noAssessment === null ? null : parts.inDate + parts.overdue + parts.noAssessment;
        return { month: m, ...parts, monitored, inDatePercent: monitored === null ? null : percent(parts.inDate!, monitored), medianDaysOverdue: parts.overdue === null ? null : medians[lk]! };
      }),
    })),
  });
  return { cells, groups, shown };
}
