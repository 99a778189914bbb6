/**
 * The cycle schedule and the missed/delayed-dose rule (spec §2.3, rules 5, 6, 12, 27). Pure: due dates are computed from
 * the regimen and stored; a delay never edits a due date in place, it re-applies these rules from the original due date.
 */
import { addDays, daysBetween, formatDate, type IsoDate } from './dates.ts';
import type { DosePhase } from './dose-rules.ts';
import type { RegimenDefinition } from './regimen.ts';

/** A re-loading dose is the loading dose given again after a long delay (spec §2.3). */
export type DoseKind = 'loading' | 'maintenance' | 'reload';

/** The amounts a kind of dose uses: a re-load uses the loading amounts. */
export const phaseOf = (kind: DoseKind): DosePhase => (kind === 'maintenance' ? 'maintenance' : 'loading');

export interface ScheduledDose {
  cycle: number;
  dueDate: IsoDate;
  kind: DoseKind;
}

const hasLoading = (def: RegimenDefinition) => def.drugs.some((d) => d.loading !== null);

/**
 * The planned cycles from the first dose: one every cycle length, the first a loading dose when the regimen has one.
 * Numbering may start above 1 for treatment begun elsewhere (SACT v4); such a course starts on maintenance and has
 * only the cycles that remain.
 */
export function buildSchedule(def: RegimenDefinition, startDate: IsoDate, firstCycleNumber = 1): ScheduledDose[] {
  const count = Math.max(0, def.totalCycles - (firstCycleNumber - 1));
  return Array.from({ length: count }, (_, i) => ({
    cycle: firstCycleNumber + i,
    dueDate: addDays(startDate, i * def.cycleLengthDays),
    kind: i === 0 && firstCycleNumber === 1 && hasLoading(def) ? 'loading' : 'maintenance',
  }));
}

export interface LateDoseOutcome {
  /** Administration date − original due date, in calendar days (negative when early). */
  daysLate: number;
  /** The dose to give on the new date. */
  kind: DoseKind;
  nextDueDate: IsoDate;
  /** The schedule restarts from the new date (a re-load, a first dose, a same-dose regimen, or the rebase setting). */
  rebased: boolean;
  /** The next dose comes sooner than one cycle after this one: show it and ask the prescriber to confirm (E2). */
  shortInterval: boolean;
  /** SACT "Cycle Delay" (item 76) is populated when the dose is given after its planned date (rule 27). */
  cycleDelay: boolean;
  explanation: string;
  warnings: string[];
}

/**
 * What a dose planned as `planned` on `dueDate` becomes when given on `givenDate`, and when the next one is due
 * (spec §2.3, encoded exactly):
 * - more than the regimen's threshold late (trastuzumab IV: 7 days) → re-loading dose; next due one cycle after it;
 * - otherwise the maintenance dose; next due on the original schedule ("according to the previous schedule"), which
 *   is the first original date after the day given; or one cycle after it when `rebaseAfterMinorDelay` is set;
 * - a same-dose regimen (SC) keeps its dose and the next is one cycle after the day given (E9);
 * - a delayed loading (or already re-loading) dose stays one: the schedule simply runs from the day it is given.
 * The literal "previous schedule" for a weekly dose exactly 7 days late would land on the day given, so the next date is
 * the first original date *after* it.
 */
export function lateDose(def: RegimenDefinition, planned: DoseKind, dueDate: IsoDate, givenDate: IsoDate): LateDoseOutcome {
  const L = def.cycleLengthDays;
  const daysLate = daysBetween(dueDate, givenDate);
  const rule = def.missedDose;
  const late = `${Math.abs(daysLate)} ${Math.abs(daysLate) === 1 ? 'day' : 'days'} ${daysLate < 0 ? 'early' : 'late'}`;
  let kind: DoseKind;
  let rebased: boolean;
  let explanation: string;
  if (planned !== 'maintenance') {
    kind = planned;
    rebased = true;
    explanation = `This is a ${planned === 'loading' ? 'loading' : 're-loading'} dose: it stays one, and the schedule runs from the day it is given`;
  } else if (rule.kind === 'same-dose') {
    kind = 'maintenance';
    rebased = true;
    explanation = `This dose is ${late}. The dose stays the same; the next is due one cycle after the day it is given`;
  } else if (daysLate > rule.reloadAfterDaysLate) {
    kind = 'reload';
    rebased = true;
    explanation = `This dose is ${late}, more than ${rule.reloadAfterDaysLate} days, so it must be a re-loading dose, given over ${def.infusionMinutes.first} minutes. Later doses are due every ${L} days from the day it is given`;
  } else {
    kind = 'maintenance';
    rebased = rule.rebaseAfterMinorDelay;
    explanation = rebased
      ? `This dose is ${late}, no more than ${rule.reloadAfterDaysLate} days, so it stays the maintenance dose. The schedule restarts from the day it is given (Trust setting)`
      : `This dose is ${late}, no more than ${rule.reloadAfterDaysLate} days, so it stays the maintenance dose, given as soon as possible. Later doses keep the original schedule`;
  }
  const cyclesOn = Math.max(1, Math.floor(daysLate / L) + 1);
  const nextDueDate = rebased ? addDays(givenDate, L) : addDays(dueDate, cyclesOn * L);
  const interval = daysBetween(givenDate, nextDueDate);
  const shortInterval = interval < L;
  const warnings: string[] = [];
  if (shortInterval) {
    warnings.push(`The next dose is due on ${formatDate(nextDueDate)}, only ${interval} days after this one (the usual interval is ${L} days). The prescriber must confirm this date`);
  }
  if (daysLate < 0) warnings.push(`This dose is ${late}: check the interval since the previous dose`);
  return { daysLate, kind, nextDueDate, rebased, shortInterval, cycleDelay: daysLate > 0, explanation, warnings };
}

/**
 * The schedule after cycle `cycle` is given (or moved) to `givenDate`: earlier cycles unchanged, that cycle on the new
 * date with its new kind, later cycles recomputed from the next due date, one cycle apart, all maintenance. Cycle numbers
 * do not change (rule 27), so the course end moves with the delay.
 */
export function rescheduleFrom(def: RegimenDefinition, schedule: readonly ScheduledDose[], cycle: number, givenDate: IsoDate): { schedule: ScheduledDose[]; outcome: LateDoseOutcome } | null {
  const at = schedule.findIndex((s) => s.cycle === cycle);
  const entry = schedule[at];
  if (!entry) return null;
  const outcome = lateDose(def, entry.kind, entry.dueDate, givenDate);
  const next = schedule.slice(at + 1).map((s, j) => ({ cycle: s.cycle, dueDate: addDays(outcome.nextDueDate, j * def.cycleLengthDays), kind: 'maintenance' as const }));
  return { schedule: [...schedule.slice(0, at), { cycle, dueDate: givenDate, kind: outcome.kind }, ...next], outcome };
}

/**
 * Why a cycle is beyond the course (rule 12: more cycles than the regimen has, or later than its week limit after the
 * first dose), so it needs an explicit override reason; null when it is within the course.
 */
export function courseLimitProblem(def: RegimenDefinition, cycle: number, firstDoseDate: IsoDate, doseDate: IsoDate): string | null {
  if (cycle > def.totalCycles) return `Cycle ${cycle} is beyond the ${def.totalCycles}-cycle course. Record an override reason to prescribe it`;
  if (def.courseLimitWeeks !== null && daysBetween(firstDoseDate, doseDate) > def.courseLimitWeeks * 7) {
    return `${formatDate(doseDate)} is more than ${def.courseLimitWeeks} weeks after the first dose on ${formatDate(firstDoseDate)}. Record an override reason to prescribe it`;
  }
  return null;
}
