/**
 * The settings page's form, both ways: settings → the text of each input (money in pounds and pence, "218.00"), and
 * the submitted text → settings (pence, basis points) with a message per input id for anything that is not a
 * number of the right kind. Range and period checks stay with the schema (settings.ts); `idOf` points its messages
 * at the right input. Pure.
 */
import type { QippSettings, ReportSettings } from './settings.ts';

/** Blank CQUIN rows offered under the saved ones: adding a period needs no script, and a save can add up to this many. */
export const BLANK_CQUIN_ROWS = 3;
const MAX_ROWS = 40;

type MoneyKey = 'dayUnitTariffPence' | 'transportPence' | 'homeCareFeePence' | 'chairHourValuePence' | 'targetPence';
/** Every unit cost in pounds, in the order the page shows them. */
export const MONEY_FIELDS: { id: string; key: MoneyKey; label: string; what: string; example: string; hint?: string }[] = [
  { id: 'dayUnitTariff', key: 'dayUnitTariffPence', label: 'Day-unit tariff per dose', what: 'the day-unit tariff', example: '218.00', hint: 'The delivery tariff avoided for each dose moved home (the local price of the delivery HRG)' },
  { id: 'transport', key: 'transportPence', label: 'Patient transport per dose', what: 'the patient transport cost', example: '35.00', hint: 'Enter 0.00 if the commissioner does not pay for transport' },
  { id: 'homeCareFee', key: 'homeCareFeePence', label: 'Home-care fee per dose', what: 'the home-care fee', example: '150.00', hint: 'The provider’s fee for each home dose (visit and nursing)' },
  { id: 'chairHourValue', key: 'chairHourValuePence', label: 'Value of one chair hour (not cash)', what: 'the value of a chair hour', example: '50.00', hint: 'Chair time released is capacity, reported apart from the cash saving' },
  { id: 'target', key: 'targetPence', label: 'Savings target', what: 'the savings target', example: '700000.00' },
];

/** Pence as the page shows them in an input: "218.00" (no £ or commas, so it reads back as typed). */
export const poundsText = (pence: number): string => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;

/** "218", "218.5", "218.00", "£1,234.56" → pence; anything else (negative, 3 decimals, words) → null. */
export function parsePounds(text: string): number | null {
  let t = text.trim().replace(/^£\s*/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(t)) t = t.replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** "20", "17.5" → a number with at most `decimals` places; anything else → null (ranges are the schema's). */
function parseNumber(text: string, decimals: number): number | null {
  const t = text.trim().replace(/%$/, '').trim();
  const re = decimals ? new RegExp(`^-?\\d{1,6}(\\.\\d{1,${decimals}})?$`) : /^-?\d{1,6}$/;
  return re.test(t) ? Number(t) : null;
}

const percentText = (p: number | null) => (p === null ? '' : String(p));

/** The text of every input for these settings, the CQUIN rows followed by blank ones. */
export function formValues(s: ReportSettings): Record<string, string> {
  const v: Record<string, string> = {};
  s.cquin.forEach((t, i) => Object.assign(v, { [`cquin-${i}-name`]: t.name, [`cquin-${i}-from`]: t.from, [`cquin-${i}-to`]: t.to, [`cquin-${i}-offered`]: percentText(t.offeredPercent), [`cquin-${i}-opted`]: percentText(t.optedPercent) }));
  for (let i = s.cquin.length; i < s.cquin.length + BLANK_CQUIN_ROWS; i++) for (const f of ['name', 'from', 'to', 'offered', 'opted']) v[`cquin-${i}-${f}`] = '';
  Object.assign(v, { 'default-name': s.defaultCquin.name, 'default-offered': percentText(s.defaultCquin.offeredPercent), 'default-opted': percentText(s.defaultCquin.optedPercent) });
  s.qipp.drugs.forEach((d, i) => (v[`drug-${i}-price`] = d.vialPricePence === null ? '' : poundsText(d.vialPricePence)));
  v.vat = String(s.qipp.hospitalVatBasisPoints / 100);
  v.zeroRated = s.qipp.homeSupplyZeroRated ? 'yes' : 'no';
  v.homeWaste = String(s.qipp.homeWastePercent);
  for (const f of MONEY_FIELDS) v[f.id] = poundsText(s.qipp[f.key]);
  v.targetLabel = s.qipp.targetLabel;
  return v;
}

/** How many CQUIN rows a submitted form had (so a re-shown form keeps each message beside its row). */
export function cquinRowsOf(body: Record<string, unknown>): number {
  let n = 0;
  while (n < MAX_ROWS && typeof body[`cquin-${n}-name`] === 'string') n++;
  return n;
}

/** Every input id in the page's order, so the error summary lists problems in the order of the form. */
export function inputOrder(rows: number, drugs: number): string[] {
  return [
    'settings-form',
    ...Array.from({ length: rows }, (_, i) => ['name', 'from', 'to', 'offered', 'opted'].map((f) => `cquin-${i}-${f}`)).flat(),
    'default-name', 'default-offered', 'default-opted',
    ...Array.from({ length: drugs }, (_, i) => `drug-${i}-price`),
    'vat', 'zeroRated', 'homeWaste', ...MONEY_FIELDS.map((f) => f.id), 'targetLabel', 'reason',
  ];
}

export interface ParsedForm {
  settings: ReportSettings;
  reason: string;
  basedOnVersion: number | undefined;
  /** Input id → message, for values that are not numbers of the right kind. */
  errors: Record<string, string>;
  /** The input id a schema message (path "cquin.1.to", "qipp.transportPence") belongs to. */
  idOf: (path: string) => string;
}

const QIPP_IDS: Record<string, string> = { hospitalVatBasisPoints: 'vat', homeSupplyZeroRated: 'zeroRated', homeWastePercent: 'homeWaste', targetLabel: 'targetLabel', ...Object.fromEntries(MONEY_FIELDS.map((f) => [f.key, f.id])) };
const CQUIN_IDS: Record<string, string> = { name: 'name', from: 'from', to: 'to', offeredPercent: 'offered', optedPercent: 'opted' };

/**
 * The submitted form as settings. `base` (the settings the form was drawn from) gives what the page does not edit:
 * which drugs and vials are priced, and the default target's months. A CQUIN row left wholly blank, or ticked to
 * remove, is left out. A value that cannot be read is given a stand-in so the rest can still be checked at once.
 */
export function settingsFromForm(body: Record<string, unknown>, base: ReportSettings): ParsedForm {
  const text = (id: string) => (typeof body[id] === 'string' ? (body[id] as string) : '');
  const errors: Record<string, string> = {};
  const pct = (id: string, what: string, optional: boolean): number | null => {
    if (optional && !text(id).trim()) return null;
    const n = parseNumber(text(id), 1);
    if (n === null) errors[id] = `Enter ${what} as a percentage, for example ${optional ? '100' : '50'}`;
    return n ?? 0;
  };
  const monthOf = (id: string, what: string) => {
    const t = text(id).trim();
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(t)) errors[id] = `Enter ${what} as a year and month, for example 2026-04`;
    return t;
  };
  const money = (id: string, what: string, example: string, optional = false): number | null => {
    if (optional && !text(id).trim()) return null;
    const p = parsePounds(text(id));
    if (p === null) errors[id] = `Enter ${what} in pounds and pence, for example ${example}`;
    return p ?? 0;
  };

  const rowOf: number[] = [];
  const cquin: ReportSettings['cquin'] = [];
  for (let i = 0; i < cquinRowsOf(body); i++) {
    const fields = ['name', 'from', 'to', 'offered', 'opted'].map((f) => text(`cquin-${i}-${f}`).trim());
    if (body[`cquin-${i}-remove`] === 'yes' || fields.every((f) => !f)) continue;
    const n = `target ${i + 1}`;
    cquin.push({
      name: text(`cquin-${i}-name`).trim(),
      from: monthOf(`cquin-${i}-from`, `the first month of ${n}`),
      to: monthOf(`cquin-${i}-to`, `the last month of ${n}`),
      offeredPercent: pct(`cquin-${i}-offered`, `the offered target of ${n}`, true),
      optedPercent: pct(`cquin-${i}-opted`, `the opted target of ${n}`, false)!,
    });
    rowOf.push(i);
  }
  const qipp: QippSettings = {
    drugs: base.qipp.drugs.map((d, i) => ({ ...d, vialPricePence: money(`drug-${i}-price`, `the price of the ${d.vialMg} mg ${d.route} vial`, '407.40', true) })),
    hospitalVatBasisPoints: Math.round((() => {
      const n = parseNumber(text('vat'), 2);
      if (n === null) errors.vat = 'Enter the VAT rate as a percentage, for example 20';
      return n ?? 0;
    })() * 100),
    homeSupplyZeroRated: text('zeroRated') === 'yes',
    homeWastePercent: (() => {
      const n = parseNumber(text('homeWaste'), 0);
      if (n === null) errors.homeWaste = 'Enter the home wastage as a whole percentage, for example 0';
      return n ?? 0;
    })(),
    ...(Object.fromEntries(MONEY_FIELDS.map((f) => [f.key, money(f.id, f.what, f.example)])) as Record<MoneyKey, number>),
    targetLabel: text('targetLabel').trim(),
  };
  if (text('zeroRated') !== 'yes' && text('zeroRated') !== 'no') errors.zeroRated = 'Select whether home supply is zero-rated for VAT';
  const settings: ReportSettings = {
    cquin,
    defaultCquin: { ...base.defaultCquin, name: text('default-name').trim(), offeredPercent: pct('default-offered', 'the default offered target', true), optedPercent: pct('default-opted', 'the default opted target', false)! },
    qipp,
  };
  const based = /^\d{1,9}$/.test(text('basedOn')) ? Number(text('basedOn')) : undefined;

  const idOf = (path: string): string => {
    const p = path.split('.');
    if (p[0] === 'cquin') return p[1] === undefined ? 'cquin-0-name' : `cquin-${rowOf[Number(p[1])] ?? 0}-${CQUIN_IDS[p[2] ?? 'name'] ?? 'name'}`;
    if (p[0] === 'defaultCquin') return `default-${p[1] === 'optedPercent' ? 'opted' : p[1] === 'offeredPercent' ? 'offered' : 'name'}`;
    if (p[0] === 'qipp' && p[1] === 'drugs') return `drug-${p[2] ?? 0}-price`;
    if (p[0] === 'qipp') return QIPP_IDS[p[1] ?? ''] ?? 'dayUnitTariff';
    if (p[0] === 'reason') return 'reason';
    return 'settings-form';
  };
  return { settings, reason: text('reason'), basedOnVersion: based, errors, idOf };
}
