/**
 * The QIPP savings model (spec §10.2, §5.3, §5.4, rule 48, E8), per dose moved home, in whole pence with integer
 * arithmetic: each dose's amounts are rounded to the penny (half up) once, and sums are exact. Pure.
 *
 *   cash saving per home dose = day-unit tariff + transport − home-care fee + VAT avoided + wastage avoided
 *   non-cash (capacity)       = chair hours released × value of a chair hour
 */
import { vialsForDose } from '../prescribing/vial-rules.ts';
import type { DrugPrice, QippSettings } from './settings.ts';

export interface DoseFact {
  trustId: string;
  unitId: string | null;
  place: 'home' | 'hospital';
  givenOn: string;
  route: string;
  doses: { drug: string; doseMg: number }[];
  /** Infusion and observation minutes of the prescription: the chair time a hospital dose takes. */
  chairMinutes: number;
}

export interface DoseSaving {
  vials: number;
  netDrugPence: number;
  vatAvoidedPence: number;
  wastageAvoidedPence: number;
  tariffPence: number;
  transportPence: number;
  homeCareFeePence: number;
  cashPence: number;
  chairMinutes: number;
  chairValuePence: number;
  /** A drug line with no vial price: its drug cost, VAT and wastage are not counted. */
  unpriced: boolean;
}

/** a / b rounded half up, for whole numbers a ≥ 0, b > 0. */
export const divRound = (a: number, b: number) => Math.floor((2 * a + b) / (2 * b));

const priceOf = (drugs: readonly DrugPrice[], drug: string, route: string) => drugs.find((d) => d.drug === drug && d.route === route);

/** The saving of one dose given at home instead of in the day unit. */
export function doseSaving(d: Pick<DoseFact, 'route' | 'doses' | 'chairMinutes'>, s: QippSettings): DoseSaving {
  let vials = 0;
  let net = 0;
  let waste = 0;
  let unpriced = false;
  for (const line of d.doses) {
    const price = priceOf(s.drugs, line.drug, d.route);
    if (!price || price.vialPricePence === null) {
      unpriced = true;
      continue;
    }
    const use = vialsForDose(line.doseMg, price.vialMg);
    vials += use.vials;
    net += use.vials * price.vialPricePence;
    // Waste is held to 0.1 mg (vialsForDose), so tenths of a mg keep the arithmetic whole.
    const wastedTenths = Math.round(use.wastedMg * 10);
    waste += divRound(wastedTenths * price.vialPricePence * (100 - s.homeWastePercent), price.vialMg * 10 * 100);
  }
  const vat = s.homeSupplyZeroRated ? divRound(net * s.hospitalVatBasisPoints, 10_000) : 0;
  const cash = s.dayUnitTariffPence + s.transportPence - s.homeCareFeePence + vat + waste;
  return {
    vials,
    netDrugPence: net,
    vatAvoidedPence: vat,
    wastageAvoidedPence: waste,
    tariffPence: s.dayUnitTariffPence,
    transportPence: s.transportPence,
    homeCareFeePence: s.homeCareFeePence,
    cashPence: cash,
    chairMinutes: d.chairMinutes,
    chairValuePence: divRound(d.chairMinutes * s.chairHourValuePence, 60),
    unpriced,
  };
}

export interface SavingsRow {
  month: string;
  homeDoses: number;
  hospitalDoses: number;
  unpricedDoses: number;
  vatAvoidedPence: number;
  wastageAvoidedPence: number;
  tariffPence: number;
  transportPence: number;
  homeCareFeePence: number;
  cashPence: number;
  cumulativeCashPence: number;
  chairMinutes: number;
  chairHoursReleased: number;
  chairValuePence: number;
}

const SUMMED = ['vatAvoidedPence', 'wastageAvoidedPence', 'tariffPence', 'transportPence', 'homeCareFeePence', 'cashPence', 'chairValuePence', 'chairMinutes'] as const;
const hours = (minutes: number) => Math.round(minutes / 6) / 10;

const emptyRow = (month: string): SavingsRow => ({ month, homeDoses: 0, hospitalDoses: 0, unpricedDoses: 0, vatAvoidedPence: 0, wastageAvoidedPence: 0, tariffPence: 0, transportPence: 0, homeCareFeePence: 0, cashPence: 0, cumulativeCashPence: 0, chairMinutes: 0, chairHoursReleased: 0, chairValuePence: 0 });

/** Savings per month (home doses given in it) and cumulative from the first month, against the target. */
export function savingsByMonth(doses: readonly DoseFact[], months: readonly string[], s: QippSettings) {
  let cumulative = 0;
  const byMonth = new Map<string, DoseFact[]>(months.map((m) => [m, []]));
  for (const d of doses) byMonth.get(d.givenOn.slice(0, 7))?.push(d);
  const rows: SavingsRow[] = months.map((month) => {
    const inMonth = byMonth.get(month)!;
    const row = emptyRow(month);
    for (const d of inMonth) {
      if (d.place === 'hospital') {
        row.hospitalDoses++;
        continue;
      }
      const saving = doseSaving(d, s);
      row.homeDoses++;
      if (saving.unpriced) row.unpricedDoses++;
      for (const k of SUMMED) row[k] += saving[k];
    }
    row.chairHoursReleased = hours(row.chairMinutes);
    cumulative += row.cashPence;
    row.cumulativeCashPence = cumulative;
    return row;
  });
  const total = emptyRow('total');
  for (const r of rows) for (const k of [...SUMMED, 'homeDoses', 'hospitalDoses', 'unpricedDoses'] as const) total[k] += r[k];
  total.cumulativeCashPence = cumulative;
  total.chairHoursReleased = hours(total.chairMinutes);
  return { rows, total, targetPence: s.targetPence, shortfallPence: Math.max(0, s.targetPence - cumulative), targetMet: cumulative >= s.targetPence };
}

/** Chair hours released per unit per month (capacity, sact-chemotherapy-review): home doses × their chair time. */
export function chairHoursByUnit(doses: readonly DoseFact[], months: readonly string[]) {
  const out = new Map<string, Record<string, number>>();
  for (const d of doses) {
    const m = d.givenOn.slice(0, 7);
    if (d.place !== 'home' || !months.includes(m)) continue;
    const key = `${d.trustId}|${d.unitId ?? ''}`;
    const row = out.get(key) ?? {};
    row[m] = (row[m] ?? 0) + d.chairMinutes;
    out.set(key, row);
  }
  return [...out.entries()].map(([key, minutes]) => {
    const [trustId, unitId] = key.split('|') as [string, string];
    return { trustId, unitId: unitId || null, hours: Object.fromEntries(months.map((m) => [m, hours(minutes[m] ?? 0)])) };
  });
}
