/**
 * The monthly report's figures from the pathway record. Pure: the queries load one fact per episode (its history of
 * events, each with its Europe/London date) and per dose given; these functions decide which figure each episode
 * counts in, for a period. Definitions in docs/reporting.md; spec §10.1 and rule 47.
 *
 * Two kinds of figure:
 * - the choice cohort (suitable, offered, opted, declined, undecided, awaiting, reverted): the episodes first assessed
 *   suitable in the period, with their status as at the period's last day;
 * - activity in the period (started at home, returned to hospital, completed: events dated in it) and the caseload on
 *   its last day (active at home).
 */
import type { EpisodeEvent, EpisodeState } from '../pathway/episode-rules.ts';

export interface EventFact {
  event: EpisodeEvent;
  toState: EpisodeState;
  reasonCode: string | null;
  /** The event's date in Europe/London. */
  on: string;
}

/** One episode (one patient, one regimen) as the report sees it. Events are in the order they happened. */
export interface EpisodeFact {
  /** The episode id for Trust viewers; an opaque number, meaningful only inside one report, for aggregate viewers. */
  key: string;
  trustId: string;
  unitId: string | null;
  /** Age in whole years when the episode began. */
  ageYears: number | null;
  imdDecile: number | null;
  ethnicCategory: string | null;
  events: EventFact[];
}

/** Why a patient left the home pathway when consent was withdrawn (no reason code is recorded with that event). */
export const CONSENT_WITHDRAWN = 'CONSENT_WITHDRAWN';

export const COUNT_FIGURES = ['suitable', 'offered', 'opted', 'declined', 'undecided', 'awaiting', 'reverted', 'startedAtHome', 'activeAtHome', 'returnedToHospital', 'completed'] as const;
export type CountFigure = (typeof COUNT_FIGURES)[number];

export const FIGURE_LABELS: Record<CountFigure, string> = {
  suitable: 'Clinically suitable',
  offered: 'Offered home treatment',
  opted: 'Opted for home',
  declined: 'Declined',
  undecided: 'Undecided',
  awaiting: 'Offered, answer awaited',
  reverted: 'Opted, since returned to hospital',
  startedAtHome: 'Started at home',
  activeAtHome: 'Active at home at the end of the period',
  returnedToHospital: 'Returned to hospital',
  completed: 'Completed at home',
};

export interface Figures {
  counts: Record<CountFigure, number>;
  declineReasons: Record<string, number>;
  returnReasons: Record<string, number>;
}

export interface Percentages {
  offeredOfSuitable: number | null;
  optedOfSuitable: number | null;
  optedOfOffered: number | null;
  revertedOfOpted: number | null;
}

/** A percentage to one decimal place, rounded half up, from whole numbers (null when there is no denominator). */
export function percent(part: number, whole: number): number | null {
  if (!whole) return null;
  return Math.floor((2000 * part + whole) / (2 * whole)) / 10;
}

/** The ratios of rule 47 and E12: offered and opted use the suitable as denominator; conversion and reverted alongside. */
export function percentages(c: Record<CountFigure, number>): Percentages {
  return {
    offeredOfSuitable: percent(c.offered, c.suitable),
    optedOfSuitable: percent(c.opted, c.suitable),
    optedOfOffered: percent(c.opted, c.offered),
    revertedOfOpted: percent(c.reverted, c.opted),
  };
}

/** What one episode contributes to the figures of a period [start, end] (dates). */
export interface Contribution {
  figure: CountFigure;
  /** The decline or return reason, for those figures. */
  reason?: string;
}

const CHOICES: EpisodeEvent[] = ['offer', 'accept', 'decline', 'undecided'];
const LEAVING: EpisodeEvent[] = ['return-to-hospital', 'withdraw-consent'];

/** The choice status of an episode as at a date, or null when it is not in the eligible cohort by then. */
export function cohortStatus(ep: EpisodeFact, asAt: string) {
  const seen = ep.events.filter((e) => e.on <= asAt);
  const firstSuitable = seen.find((e) => e.event === 'assess' && e.toState === 'suitable');
  if (!firstSuitable) return null;
  const accepted = seen.some((e) => e.event === 'accept');
  const lastAssessment = seen.filter((e) => e.event === 'assess').at(-1)!;
  // Reassessed as not suitable before ever choosing home: no longer eligible, so out of the denominator.
  if (lastAssessment.toState !== 'suitable' && !accepted) return null;
  const lastChoice = seen.filter((e) => CHOICES.includes(e.event)).at(-1);
  const choice = !lastChoice ? null : lastChoice.event === 'offer' ? 'awaiting' : lastChoice.event === 'accept' ? 'opted' : lastChoice.event === 'decline' ? 'declined' : 'undecided';
  const acceptedAt = seen.findIndex((e) => e.event === 'accept');
  const reverted = choice === 'opted' && seen.slice(acceptedAt).some((e) => LEAVING.includes(e.event));
  return {
    suitableOn: firstSuitable.on,
    offered: seen.some((e) => e.event === 'offer'),
    choice: choice as 'awaiting' | 'opted' | 'declined' | 'undecided' | null,
    declineReason: choice === 'declined' ? (lastChoice!.reasonCode ?? 'OTHER') : null,
    reverted,
  };
}

/** The state an episode was in at the end of a date (null before it began). */
export function stateOn(ep: EpisodeFact, date: string): EpisodeState | null {
  // A loop, not filter().at(-1): the report asks this of every episode for every month end.
  let state: EpisodeState | null = null;
  for (const e of ep.events) if (e.on <= date) state = e.toState;
  return state;
}

/** Every figure one episode counts in for the period [start, end]; activity events count once each. */
export function contributions(ep: EpisodeFact, start: string, end: string): Contribution[] {
  const out: Contribution[] = [];
  const status = cohortStatus(ep, end);
  if (status && status.suitableOn >= start) {
    out.push({ figure: 'suitable' });
    if (status.offered) out.push({ figure: 'offered' });
    if (status.choice === 'declined') out.push({ figure: 'declined', reason: status.declineReason! });
    else if (status.choice) out.push({ figure: status.choice });
    if (status.reverted) out.push({ figure: 'reverted' });
  }
  for (const e of ep.events) {
    if (e.on < start || e.on > end) continue;
    if (e.event === 'start-home') out.push({ figure: 'startedAtHome' });
    else if (e.event === 'complete') out.push({ figure: 'completed' });
    else if (LEAVING.includes(e.event)) out.push({ figure: 'returnedToHospital', reason: e.event === 'withdraw-consent' ? CONSENT_WITHDRAWN : (e.reasonCode ?? 'OTHER') });
  }
  if (stateOn(ep, end) === 'active-at-home') out.push({ figure: 'activeAtHome' });
  return out;
}

/** The sum of figures of disjoint sets of episodes: every count is per episode, so a Trust's figures are its units'. */
export function addFigures(list: readonly Figures[]): Figures {
  const f = emptyFigures();
  for (const x of list) {
    for (const k of COUNT_FIGURES) f.counts[k] += x.counts[k];
    for (const [r, n] of Object.entries(x.declineReasons)) f.declineReasons[r] = (f.declineReasons[r] ?? 0) + n;
    for (const [r, n] of Object.entries(x.returnReasons)) f.returnReasons[r] = (f.returnReasons[r] ?? 0) + n;
  }
  return f;
}

export const emptyFigures = (): Figures => ({ counts: Object.fromEntries(COUNT_FIGURES.map((f) => [f, 0])) as Record<CountFigure, number>, declineReasons: {}, returnReasons: {} });

/**
 * Whether an episode can count in any figure of the period [start, end]: it has an event dated in the period, or it is
 * active at home at the end. Every figure needs one or the other (a cohort member was first found suitable in the
 * period; activity is an event in it), so an episode that fails this contributes nothing. One pass, no allocation:
 * a report over years of history skips most episodes here instead of working out their status many times over.
 */
export function mayCount(ep: EpisodeFact, start: string, end: string): boolean {
  let last: EpisodeState | null = null;
  for (const e of ep.events) {
    if (e.on > end) continue;
    if (e.on >= start) return true;
    last = e.toState;
  }
  return last === 'active-at-home';
}

/** The figures of a set of episodes for the period [start, end]. */
export function figuresFor(episodes: readonly EpisodeFact[], start: string, end: string): Figures {
  const f = emptyFigures();
  for (const ep of episodes) {
    if (!mayCount(ep, start, end)) continue;
    for (const c of contributions(ep, start, end)) {
      f.counts[c.figure]++;
      if (c.figure === 'declined') f.declineReasons[c.reason!] = (f.declineReasons[c.reason!] ?? 0) + 1;
      if (c.figure === 'returnedToHospital') f.returnReasons[c.reason!] = (f.returnReasons[c.reason!] ?? 0) + 1;
    }
  }
  return f;
}

/** The episodes behind one figure (and reason) of a period: what a drill-down lists. */
export function episodesBehind(episodes: readonly EpisodeFact[], start: string, end: string, figure: CountFigure, reason?: string): EpisodeFact[] {
  return episodes.filter((ep) => mayCount(ep, start, end) && contributions(ep, start, end).some((c) => c.figure === figure && (reason === undefined || c.reason === reason)));
}
