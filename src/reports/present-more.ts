/**
 * The safety, inequalities and capacity tables of the monthly report (issue 6, items 6–8), in the same Cell/Table
 * shape as present.ts, so the page and every export show them. A withheld count is "*".
 */
import { INCIDENT_KINDS, INCIDENT_SEVERITIES } from '../visits/schema.ts';
import { monthLabel } from './months.ts';
import type { Cell, Table } from './present.ts';
import type { MonthlyReport } from './report.ts';
import { GRADES } from './safety.ts';

const text = (t: string): Cell => ({ text: t, value: null });
const count = (n: number | null): Cell => (n === null ? { text: '*', value: null } : { text: n.toLocaleString('en-GB'), value: n });
const pct = (n: number | null, denominator?: number | null): Cell => (n === null ? { text: denominator === 0 ? '–' : '*', value: null } : { text: `${n.toFixed(1)}%`, value: n, percent: true });
const decimal = (n: number | null, none = '*'): Cell => (n === null ? text(none) : { text: n.toFixed(1), value: n, decimal: true });
const KIND_LABELS: Record<string, string> = { SPILLAGE: 'Spillage', COLD_CHAIN_BREAK: 'Cold chain break', DELIVERY_FAILURE: 'Delivery failure', NEAR_MISS: 'Near miss', OTHER: 'Other' };
const SEVERITY_LABELS: Record<string, string> = { 'no-harm': 'No harm', low: 'Low harm', moderate: 'Moderate harm', severe: 'Severe harm', death: 'Death' };
const period = (p: string) => (p === 'total' ? 'Whole range' : monthLabel(p));

export function moreTables(report: MonthlyReport): Table[] {
  const tables: Table[] = [];
  const s = report.safety;
  tables.push({ id: 'reactions', title: 'Reactions by CTCAE grade', head: ['Trust', ...GRADES.map((g) => `Grade ${g}`), 'All reactions'], rows: s.reactions.map((r) => [text(r.name), ...GRADES.map((g) => count(r.grades[g] ?? null)), count(r.total)]) });
  for (const i of s.incidents) {
    tables.push({
      id: `incidents-${i.trustId ?? 'network'}`,
      title: `Incidents by kind and severity: ${i.name}`,
      head: ['Kind', ...INCIDENT_SEVERITIES.map((v) => SEVERITY_LABELS[v]!), 'All'],
      rows: [...INCIDENT_KINDS.map((k) => [text(KIND_LABELS[k]!), ...INCIDENT_SEVERITIES.map((v) => count(i.byKindAndSeverity[`${k}|${v}`] ?? null)), count(i.byKind[k] ?? null)]), [text('All kinds'), ...INCIDENT_SEVERITIES.map((v) => count(i.bySeverity[v] ?? null)), count(i.total)]],
    });
  }
  for (const l of s.lvef) {
    tables.push({
      id: `lvef-${l.trustId ?? 'network'}`,
      title: `LVEF compliance at each month end: ${l.name}`,
      head: ['Month end', 'Active at home, LVEF monitored', 'LVEF in date', '% in date', 'Overdue', 'Median days overdue', 'No LVEF on record', 'Regimen needs no LVEF', 'No treatment course recorded'],
      rows: l.months.map((m) => [text(monthLabel(m.month)), count(m.monitored), count(m.inDate), pct(m.inDatePercent, m.monitored), count(m.overdue), decimal(m.medianDaysOverdue, m.overdue === 0 ? '–' : '*'), count(m.noAssessment), count(m.notMonitored), count(m.noCourse)]),
    });
  }
  for (const d of report.inequalities) {
    tables.push({
      id: `inequalities-${d.dimension}`,
      title: `Uptake and returns by ${d.title.charAt(0).toLowerCase()}${d.title.slice(1)}, ${monthLabel(report.from)} to ${monthLabel(report.to)}`,
      head: [d.title, 'Suitable', 'Opted for home', 'Opted % of suitable', 'Opted, since returned', 'Returned % of opted'],
      rows: d.groups.map((g) => [text(g.label), count(g.suitable), count(g.opted), pct(g.optedPercent, g.suitable), count(g.returned), pct(g.returnedPercent, g.opted)]),
    });
  }
  tables.push({
    id: 'capacity',
    title: 'Capacity: doses by unit and place of delivery, and chair hours released',
    head: ['Unit', 'Month', 'Doses at home', 'Doses in hospital', 'Chair hours released'],
    rows: report.capacity.flatMap((u) => u.periods.map((p) => [text(u.name), text(period(p.period)), count(p.homeDoses), count(p.hospitalDoses), decimal(p.chairHoursReleased)])),
  });
  return tables;
}
