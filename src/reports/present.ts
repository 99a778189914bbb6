/**
 * The report as tables: one view model for the page, the CSV, the XLSX and the PDF, so every format shows the same
 * numbers. A withheld count is shown as "*" (with the note SUPPRESSION_NOTE).
 */
import { DECLINE_REASONS, RETURN_REASONS } from '../pathway/episode-rules.ts';
import { monthLabel } from './months.ts';
import { DECLINE_CODES, RETURN_CODES, type MonthlyReport, type ReportRow, type ShownSavings } from './report.ts';
import { CONSENT_WITHDRAWN, type CountFigure } from './rules.ts';
import { moreTables } from './present-more.ts';

export interface Cell {
  text: string;
  /** The number behind the text (for spreadsheets); null when withheld or not a number. */
  value: number | null;
  href?: string;
  /** Pence, shown as pounds; a spreadsheet gets pounds with two decimals. */
  money?: boolean;
  percent?: boolean;
  /** A measure to one decimal place (hours), never a count. */
  decimal?: boolean;
}
export interface Table {
  id: string;
  title: string;
  head: string[];
  rows: Cell[][];
}

export const WITHHELD = '*';
export const SUPPRESSION_NOTE = '* Withheld: a count from 1 to 7, or a figure from which one could be worked out.';
export const REASON_LABELS: Record<string, string> = { ...DECLINE_REASONS, ...Object.fromEntries(Object.entries(RETURN_REASONS).map(([k, v]) => [`R:${k}`, v])), [`R:${CONSENT_WITHDRAWN}`]: 'Withdrew consent' };

const text = (t: string): Cell => ({ text: t, value: null });
const count = (n: number | null, href?: string): Cell => (n === null ? { text: WITHHELD, value: null } : { text: n.toLocaleString('en-GB'), value: n, ...(href && n > 0 ? { href } : {}) });
/** A percentage; with none, "–" when there was nothing to divide by, else withheld. */
const pct = (n: number | null, denominator?: number | null): Cell => (n === null ? { text: denominator === 0 ? '–' : WITHHELD, value: null } : { text: `${n.toFixed(1)}%`, value: n, percent: true });
/** Pence as pounds, negative with a minus sign: 2240700 → "£22,407.00", -1500 → "−£15.00". */
export function pounds(p: number): string {
  const s = `£${(Math.abs(p) / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return p < 0 ? `−${s}` : s;
}
const money = (p: number | null): Cell => (p === null ? { text: WITHHELD, value: null } : { text: pounds(p), value: p, money: true });

const COLUMNS: { figure: CountFigure | 'offeredPct' | 'optedPct' | 'optedOfOfferedPct'; head: string }[] = [
  { figure: 'suitable', head: 'Suitable' },
  { figure: 'offered', head: 'Offered' },
  { figure: 'offeredPct', head: 'Offered % of suitable' },
  { figure: 'opted', head: 'Opted for home' },
  { figure: 'optedPct', head: 'Opted % of suitable' },
  { figure: 'optedOfOfferedPct', head: 'Opted % of offered' },
  { figure: 'declined', head: 'Declined' },
  { figure: 'undecided', head: 'Undecided' },
  { figure: 'awaiting', head: 'Answer awaited' },
  { figure: 'reverted', head: 'Opted, since returned' },
  { figure: 'startedAtHome', head: 'Started at home' },
  { figure: 'activeAtHome', head: 'Active at home at end' },
  { figure: 'returnedToHospital', head: 'Returned to hospital' },
  { figure: 'completed', head: 'Completed' },
];

/** A link to the patients behind a figure, for viewers who may see them. */
export type DrillLink = (row: ReportRow, figure: CountFigure, reason?: string) => string | undefined;

function figureCells(r: ReportRow, drill?: DrillLink): Cell[] {
  return COLUMNS.map((c) => {
    if (c.figure === 'offeredPct') return pct(r.percentages.offeredOfSuitable, r.counts.suitable);
    if (c.figure === 'optedPct') return pct(r.percentages.optedOfSuitable, r.counts.suitable);
    if (c.figure === 'optedOfOfferedPct') return pct(r.percentages.optedOfOffered, r.counts.offered);
    return count(r.counts[c.figure], drill?.(r, c.figure));
  });
}

const label = (r: ReportRow) => (r.level === 'unit' ? `${r.name} (unit)` : r.name);

/** Every table of the report, in reading order. */
export function reportTables(report: MonthlyReport, drill?: DrillLink): Table[] {
  const tables: Table[] = [];
  const totals = report.rows.filter((r) => r.period === 'total');
  tables.push({ id: 'summary', title: `Uptake, ${monthLabel(report.from)} to ${monthLabel(report.to)}`, head: ['Trust or unit', ...COLUMNS.map((c) => c.head)], rows: totals.map((r) => [text(label(r)), ...figureCells(r, drill)]) });
  for (const e of totals.filter((r) => r.level !== 'unit')) {
    const rows = report.rows.filter((r) => r.level === e.level && r.trustId === e.trustId && r.unitId === null);
    tables.push({ id: `months-${e.trustId ?? 'network'}`, title: `By month: ${e.name}`, head: ['Month', ...COLUMNS.map((c) => c.head)], rows: rows.map((r) => [text(r.period === 'total' ? 'Whole range' : monthLabel(r.period)), ...figureCells(r, drill)]) });
  }
  const entities = totals.filter((r) => r.level !== 'unit');
  tables.push({ id: 'decline-reasons', title: 'Reasons for declining home treatment', head: ['Reason', ...entities.map((e) => e.name)], rows: DECLINE_CODES.map((code) => [text(REASON_LABELS[code] ?? code), ...entities.map((e) => count(e.declineReasons[code] ?? null, drill?.(e, 'declined', code)))]) });
  tables.push({ id: 'return-reasons', title: 'Returns to hospital, by reason', head: ['Reason', ...entities.map((e) => e.name)], rows: RETURN_CODES.map((code) => [text(REASON_LABELS[`R:${code}`] ?? code), ...entities.map((e) => count(e.returnReasons[code] ?? null, drill?.(e, 'returnedToHospital', code)))]) });
  tables.push({
    id: 'progress',
    title: 'Progress: opted for home as % of suitable, cumulative from the first month',
    head: ['Month', ...report.progress.flatMap((p) => [`${p.name}: suitable`, `${p.name}: opted`, `${p.name}: %`])],
    rows: report.months.map((m, i) => [text(monthLabel(m)), ...report.progress.flatMap((p) => [count(p.points[i]!.suitable), count(p.points[i]!.opted), pct(p.points[i]!.percent, p.points[i]!.suitable)])]),
  });
  tables.push({
    id: 'cquin',
    title: `CQUIN: ${report.cquin[0]?.target.name ?? 'no target'}`,
    head: ['Trust', 'Offered % of suitable', 'Offered target', 'Opted % of suitable', 'Opted target', 'Met'],
    rows: report.cquin.map((c) => [text(c.name), pct(c.offeredPercent), text(c.target.offeredPercent === null ? 'None' : `${c.target.offeredPercent}%`), pct(c.optedPercent), text(`${c.target.optedPercent}%`), text(c.met ? 'Met' : 'Not met')]),
  });
  const saving = (r: ShownSavings, name: string): Cell[] => [text(name), count(r.homeDoses), count(r.hospitalDoses), money(r.vatAvoidedPence), money(r.wastageAvoidedPence), money(r.tariffPence), money(r.transportPence), money(r.homeCareFeePence === null ? null : -r.homeCareFeePence), money(r.cashPence), money(r.cumulativeCashPence), r.chairHoursReleased === null ? text(WITHHELD) : { text: r.chairHoursReleased.toFixed(1), value: r.chairHoursReleased, decimal: true }, money(r.chairValuePence)];
  tables.push({
    id: 'savings',
    title: 'QIPP savings from doses given at home',
    head: ['Month', 'Home doses', 'Hospital doses', 'VAT avoided', 'Wastage avoided', 'Day-unit tariff avoided', 'Transport avoided', 'Home-care fees', 'Cash-releasing saving', 'Cumulative saving', 'Chair hours released', 'Value of chair time (not cash)'],
    rows: [...report.savings.rows.map((r) => saving(r, monthLabel(r.month))), saving(report.savings.total, 'Whole range')],
  });
  tables.push({ id: 'target', title: 'Savings against the target', head: ['Measure', 'Amount'], rows: [[text(report.settings.qipp.targetLabel), money(report.savings.targetPence)], [text('Saved in the range'), money(report.savings.total.cashPence)], [text('Still to save'), money(report.savings.shortfallPence)]] });
  const q = report.settings.qipp;
  tables.push({
    id: 'costs',
    title: 'Unit costs used (each can be changed)',
    head: ['Cost', 'Value'],
    rows: [
      [text('Settings in force'), text(report.settingsVersion.label)],
      ...q.drugs.map((d) => [text(`${d.drug} ${d.route} ${d.vialMg} mg vial, before VAT`), d.vialPricePence === null ? text('Not set: drug savings not counted') : money(d.vialPricePence)]),
      [text('VAT a hospital pays and cannot recover'), { text: `${(q.hospitalVatBasisPoints / 100).toFixed(1)}%`, value: q.hospitalVatBasisPoints / 100, percent: true }],
      [text('Home supply zero-rated for VAT (rule 48)'), text(q.homeSupplyZeroRated ? 'Yes' : 'No')],
      [text('Share of whole-vial waste still wasted at home'), { text: `${q.homeWastePercent}%`, value: q.homeWastePercent, percent: true }],
      [text('Day-unit tariff per dose'), money(q.dayUnitTariffPence)],
      [text('Patient transport per dose'), money(q.transportPence)],
      [text('Home-care fee per dose'), money(q.homeCareFeePence)],
      [text('Value of one chair hour (not cash)'), money(q.chairHourValuePence)],
    ],
  });
  tables.push(...moreTables(report));
  return tables;
}
