// Benchmark population sizes. Shared by the data generator and the benchmark
// runner so that both agree on what "pilot", "alliance" and "national" mean.

export type Tier = 'pilot' | 'alliance' | 'national';

export interface TierSpec {
  trusts: number;
  units: number;
  patients: number;
  /** Doses given: the generator calibrates its regimen mix to reach this (within a few per cent). */
  administrations: number;
  /**
   * LVEF results, as the tier is sized. Only patients with a treatment course (those who chose home) have results, about
   * one every 12 weeks, so the generator writes about half this; the manifest has the real count of every table.
   */
  lvefResults: number;
  /** Whether the embedded PGlite database may hold this tier (national needs PostgreSQL). */
  embeddedAllowed: boolean;
}

export const TIERS: Record<Tier, TierSpec> = {
  pilot: { trusts: 3, units: 5, patients: 300, administrations: 6_000, lvefResults: 1_200, embeddedAllowed: true },
  alliance: {
    trusts: 20,
    units: 60,
    patients: 50_000,
    administrations: 1_000_000,
    lvefResults: 200_000,
    embeddedAllowed: true,
  },
  national: {
    trusts: 200,
    units: 600,
    patients: 500_000,
    administrations: 10_000_000,
    lvefResults: 2_000_000,
    embeddedAllowed: false,
  },
};

export const TIER_NAMES = Object.keys(TIERS) as Tier[];

export function isTier(value: string): value is Tier {
  return (TIER_NAMES as string[]).includes(value);
}

/**
 * The fixed "today" of generated data. Data covers the 24 months up to this
 * date, and the benchmark server runs with its clock set here so that
 * "today's visits" and "LVEF overdue" are the same on every run.
 */
export const BENCH_ANCHOR = '2026-06-15';

/** Months of history generated before the anchor (inclusive of the anchor month). */
export const BENCH_MONTHS = 24;

/** Password of every generated user. */
export const BENCH_PASSWORD = 'homeward-bench';
