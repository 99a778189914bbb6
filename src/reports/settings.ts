/**
 * The report's configurable values: CQUIN targets per period and every unit cost of the QIPP savings model. Each is
 * shown beside the figures it produces. Money is whole pence; rates are basis points (2000 = 20%). Values marked
 * EXAMPLE are placeholders the spec could not source (§10.2, §10.3): a commissioner sets the local prices.
 */
import { z } from 'zod';

const cap = (label: string) => `${label[0]!.toUpperCase()}${label.slice(1)}`;
const pence = (label: string) => z.number({ error: `Enter ${label} in pence` }).int(`Enter ${label} in whole pence`).min(0, `${cap(label)} must be 0 or more`).max(1_000_000_000, `${cap(label)} must be £10,000,000.00 or less`);
const pct = (label: string) => z.number({ error: `Enter ${label} as a percentage` }).min(0, `${label[0]!.toUpperCase()}${label.slice(1)} must be between 0 and 100`).max(100, `${label[0]!.toUpperCase()}${label.slice(1)} must be between 0 and 100`);
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const month = z.string().regex(MONTH, 'Enter a month as a year and month, for example 2026-04');

export const CquinTarget = z.strictObject({
  name: z.string().trim().min(1, 'Enter a name for the target').max(100, 'The name of a target must be 100 characters or fewer'),
  /** The months the target applies to; a report uses the target in force in its last month. */
  from: month,
  to: month,
  /** Offered % of suitable patients the target asks for (null when the target sets none). */
  offeredPercent: pct('the offered target').nullable(),
  /** Opted for home % of suitable patients (rule 47). */
  optedPercent: pct('the opted target'),
}).superRefine((t, ctx) => {
  // Checked here, per target, so the message comes with any other problem of the form rather than after it.
  if (MONTH.test(t.from) && MONTH.test(t.to) && t.to < t.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The last month of a CQUIN target must be the same as or after its first month' });
});
export type CquinTarget = z.infer<typeof CquinTarget>;

export const DrugPrice = z.strictObject({
  drug: z.string().trim().min(1).max(60),
  route: z.string().trim().min(1).max(10),
  vialMg: z.number().int('Enter the vial size in whole mg').positive('Enter the vial size in mg'),
  /** Net (before VAT) price of one vial; null when not known, and then the dose's drug costs are not counted. */
  vialPricePence: pence('the vial price').nullable(),
});
export type DrugPrice = z.infer<typeof DrugPrice>;

export const QippSettings = z.strictObject({
  drugs: z.array(DrugPrice).max(50),
  /** VAT a hospital pays on drugs it buys and cannot recover (spec §5.3: 20%, ASSUMPTION). */
  hospitalVatBasisPoints: z.number({ error: 'Enter the VAT rate in basis points' }).int('Enter the VAT rate in whole basis points').min(0, 'The VAT rate must be between 0% and 100%').max(10_000, 'The VAT rate must be between 0% and 100%'),
  /** Home-supplied medicine is zero-rated when dispensed by the homecare pharmacy for personal use (rule 48). */
  homeSupplyZeroRated: z.boolean(),
  /** Share of the hospital's whole-vial waste still wasted by the homecare supplier (0 when it shares vials). */
  homeWastePercent: z.number({ error: 'Enter the home wastage as a whole percentage' }).int('Enter the home wastage as a whole percentage').min(0).max(100, 'The home wastage must be between 0 and 100'),
  /** Day-unit delivery tariff avoided per dose moved home (delivery HRG, e.g. SB12Z/SB15Z: local price). */
  dayUnitTariffPence: pence('the day-unit tariff'),
  /** Patient transport avoided per dose moved home, if the commissioner pays for it. */
  transportPence: pence('the transport cost'),
  /** The home-care provider's fee per home dose (visit and nursing). */
  homeCareFeePence: pence('the home-care fee'),
  /** Chair time released is a capacity benefit, not cash: valued for information only. */
  chairHourValuePence: pence('the value of a chair hour'),
  /** Cash-releasing savings target for the period, with a label (the pilot: £700k recurrent). */
  targetPence: pence('the savings target'),
  targetLabel: z.string().trim().min(1, 'Enter a label for the savings target').max(100, 'The label of the savings target must be 100 characters or fewer'),
});
export type QippSettings = z.infer<typeof QippSettings>;

export const ReportSettings = z.strictObject({
  cquin: z.array(CquinTarget).max(20, 'Enter no more than 20 CQUIN targets'),
  /** Used for any month no configured period covers. */
  defaultCquin: CquinTarget,
  qipp: QippSettings,
});
export type ReportSettings = z.infer<typeof ReportSettings>;

/** The pilot's CQUIN after it was revised: every suitable patient offered, half receiving home therapy. */
export const PILOT_CQUIN: CquinTarget = { name: 'Pilot CQUIN: 100% offered, 50% opting for home', from: '2010-04', to: '2099-12', offeredPercent: 100, optedPercent: 50 };
/** The pilot's original CQUIN: 75% of eligible patients receiving home therapy (no offered target). */
export const EARLIER_CQUIN: CquinTarget = { name: 'Original CQUIN: 75% opting for home', from: '2010-04', to: '2099-12', offeredPercent: null, optedPercent: 75 };

export const DEFAULT_SETTINGS: ReportSettings = {
  cquin: [],
  defaultCquin: PILOT_CQUIN,
  qipp: {
    // Spec §2.7: the IV 150 mg vial at £407.40 (NICE ESNM13); the SC 600 mg vial price is UNSOURCED.
    drugs: [
      { drug: 'TRASTUZUMAB', route: 'IV', vialMg: 150, vialPricePence: 40_740 },
      { drug: 'TRASTUZUMAB', route: 'SC', vialMg: 600, vialPricePence: null },
    ],
    hospitalVatBasisPoints: 2000,
    homeSupplyZeroRated: true,
    homeWastePercent: 0,
    dayUnitTariffPence: 21_800, // EXAMPLE: set the local delivery HRG price
    transportPence: 0,
    homeCareFeePence: 15_000, // EXAMPLE: set the homecare contract's fee per visit
    chairHourValuePence: 5_000, // EXAMPLE
    targetPence: 70_000_000, // the pilot's £700k recurrent QIPP target (QIC-HAH)
    targetLabel: 'QIPP target (the pilot: £700,000 recurrent; £660,000 achieved)',
  },
};

/** The CQUIN target in force in a month: the last configured period that covers it, else the default. */
export function cquinTargetFor(settings: ReportSettings, m: string): CquinTarget {
  return settings.cquin.filter((t) => t.from <= m && m <= t.to).at(-1) ?? settings.defaultCquin;
}

/** Which saved version the figures were made with (version 0: the code's defaults, never saved). */
export interface SettingsVersionInfo {
  version: number;
  savedByName: string | null;
  /** ISO timestamp of the save; null for the defaults. */
  savedAt: string | null;
  reason: string | null;
  /** The sentence shown beside the figures. */
  label: string;
}

const londonDay = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** "Settings version 3, saved by Ann Admin on 5 May 2026", or the defaults' sentence. */
export function settingsLabel(v: { version: number; savedByName: string | null; savedAt: Date | string | null }): string {
  if (v.version === 0 || !v.savedAt) return 'Default settings (not yet saved by an administrator)';
  return `Settings version ${v.version}, saved by ${v.savedByName ?? 'an administrator'} on ${londonDay.format(new Date(v.savedAt))}`;
}

/** The defaults' version information. */
export const DEFAULT_VERSION_INFO: SettingsVersionInfo = { version: 0, savedByName: null, savedAt: null, reason: null, label: settingsLabel({ version: 0, savedByName: null, savedAt: null }) };
