/**
 * Small-number suppression for views across organisations (commissioner, network): a count from 1 to 7 is withheld,
 * and so is any other count that would let a withheld one be worked back from a total (secondary suppression). Pure.
 *
 * The caller names every exact additive relation shown in the table as a group: a total and the parts that sum to it
 * (reasons → declined, units → Trust, Trusts → network, months → the whole range). A group may never have exactly one
 * withheld member, since total − shown parts would give it back; so while one has, the smallest non-zero shown part
 * (or else the total) is withheld too, until every group has none or at least two. Zeros stay shown: "none" discloses
 * nobody.
 */

export interface SuppressionGroup {
  total: string;
  parts: string[];
}

/** The smallest count shown and the largest withheld, inclusive. */
export const SMALL = { min: 1, max: 7 } as const;

export const isSmall = (n: number) => n >= SMALL.min && n <= SMALL.max;

/** The cells with every withheld count as null. Cells not in any group are suppressed on their own value only. */
export function suppress(cells: Readonly<Record<string, number>>, groups: readonly SuppressionGroup[]): Record<string, number | null> {
  const hidden = new Set(Object.keys(cells).filter((k) => isSmall(cells[k]!)));
  const value = (k: string) => cells[k] ?? 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of groups) {
      const members = [g.total, ...g.parts].filter((k) => k in cells);
      if (members.filter((k) => hidden.has(k)).length !== 1) continue;
      const shownParts = g.parts.filter((k) => k in cells && !hidden.has(k) && value(k) > 0).sort((a, b) => value(a) - value(b) || a.localeCompare(b));
      const next = shownParts[0] ?? (g.total in cells && !hidden.has(g.total) ? g.total : undefined);
      if (next === undefined) continue;
      hidden.add(next);
      changed = true;
    }
  }
  return Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, hidden.has(k) ? null : v]));
}

/** True when no shown count in the cells is from 1 to 7 (what the suppression tests scan for). */
export function noSmallCounts(cells: Readonly<Record<string, number | null>>): boolean {
  return Object.values(cells).every((v) => v === null || !isSmall(v));
}
