/**
 * What one version of the report settings changed from the one before, in words, for the version history: each
 * value shown the way the report shows it ("Day-unit tariff per dose: £218.00 → £250.00"). Pure.
 */
import type { CquinTarget, ReportSettings } from './settings.ts';

const pounds = (p: number | null) => (p === null ? 'not set' : `£${(p / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const target = (t: CquinTarget) => `${t.name} (${t.from} to ${t.to}: ${t.offeredPercent === null ? 'no offered target' : `${t.offeredPercent}% offered`}, ${t.optedPercent}% opted)`;

/** Every labelled value of the settings, in the page's order. */
export function describeSettings(s: ReportSettings): [string, string][] {
  const q = s.qipp;
  return [
    ['Default CQUIN target', target(s.defaultCquin)],
    ...q.drugs.map((d): [string, string] => [`${d.drug} ${d.route} ${d.vialMg} mg vial`, pounds(d.vialPricePence)]),
    ['VAT a hospital pays and cannot recover', `${q.hospitalVatBasisPoints / 100}%`],
    ['Home supply zero-rated for VAT', q.homeSupplyZeroRated ? 'yes' : 'no'],
    ['Share of whole-vial waste still wasted at home', `${q.homeWastePercent}%`],
    ['Day-unit tariff per dose', pounds(q.dayUnitTariffPence)],
    ['Patient transport per dose', pounds(q.transportPence)],
    ['Home-care fee per dose', pounds(q.homeCareFeePence)],
    ['Value of one chair hour', pounds(q.chairHourValuePence)],
    ['Savings target', `${q.targetLabel}: ${pounds(q.targetPence)}`],
  ];
}

/** The changes from `before` (null: the first saved version, compared with nothing) to `after`. */
export function settingsChanges(before: ReportSettings | null, after: ReportSettings): string[] {
  if (!before) return ['First saved version'];
  const was = new Map(describeSettings(before));
  const out = describeSettings(after).filter(([k, v]) => was.get(k) !== v).map(([k, v]) => `${k}: ${was.get(k) ?? 'none'} → ${v}`);
  const list = (s: ReportSettings) => s.cquin.map(target);
  const removed = list(before).filter((t) => !list(after).includes(t));
  const added = list(after).filter((t) => !list(before).includes(t));
  out.unshift(...removed.map((t) => `CQUIN target removed: ${t}`), ...added.map((t) => `CQUIN target added: ${t}`));
  return out.length ? out : ['No value changed'];
}
