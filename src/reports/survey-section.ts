/**
 * The report's "Surveys" section, from the answers in the period: for each survey the number of responses and, per
 * question, the pilot's summary lines ("Yes × 4", "Not completed × 1"), the comments and the rating's mean and
 * distribution. For views across organisations the patient survey's counts go through the report's small-number
 * suppression and its comments are not shown. The staff evaluation's counts are suppressed the same way (a "No × 1"
 * from a unit with three managers names a person, and a commissioner export must hold no count from 1 to 7), but its
 * comments are shown, as the steering group read them. Pure.
 */
import type { Shown } from './report.ts';
import { suppress, type SuppressionGroup } from './suppression.ts';
import { QUESTIONNAIRES, summariseSurvey, SURVEY_KINDS, type QuestionKind, type StoredAnswers, type SurveyKind } from './surveys.ts';

export interface SurveyFact {
  kind: SurveyKind;
  answers: StoredAnswers;
}
export const RATINGS = [1, 2, 3, 4, 5] as const;

export interface ShownQuestion {
  number: number;
  text: string;
  kind: QuestionKind;
  /** The pilot's wording: "Yes × 3", "Not completed × 1"; a withheld count reads "*". */
  lines: string[];
  yes: Shown;
  no: Shown;
  notCompleted: Shown;
  /** Comments given; null when this viewer is not shown them (a patient's comments, outside their Trust). */
  comments: string[] | null;
  rating: { count: Shown; mean: number | null; distribution: Record<string, Shown> } | null;
}
export interface ShownSurvey {
  kind: SurveyKind;
  title: string;
  responses: Shown;
  /** Counts from 1 to 7 withheld (a patient survey seen across organisations). */
  suppressed: boolean;
  commentsShown: boolean;
  questions: ShownQuestion[];
}
export interface SurveySection {
  from: string;
  to: string;
  surveys: ShownSurvey[];
}

const WITHHELD = '*';
const fmt = (n: Shown) => (n === null ? WITHHELD : String(n));
/** "Yes × n" for each non-zero count, in the pilot's order; a withheld count is never zero. */
const linesOf = (parts: [string, Shown][]) => parts.filter(([, n]) => n !== 0).map(([label, n]) => `${label} × ${fmt(n)}`);

/** One survey's summary for the viewer: `aggregate` for commissioners, the network and administrators. */
export function surveySummary(kind: SurveyKind, facts: readonly SurveyFact[], aggregate: boolean): ShownSurvey {
  const { title, questions } = QUESTIONNAIRES[kind];
  const answers = facts.filter((f) => f.kind === kind).map((f) => ({ answers: f.answers }));
  const summary = summariseSurvey(questions, answers);
  const patient = kind === 'patient-satisfaction';
  const suppressed = aggregate;
  const commentsShown = !(aggregate && patient);
  // Every count as a cell, with the sums they make, so suppression withholds whatever would give a small one back.
  const cells: Record<string, number> = { responses: answers.length };
  const groups: SuppressionGroup[] = [];
  for (const s of summary) {
    const q = `q${s.question.number}`;
    if (s.question.kind === 'yes-no') {
      Object.assign(cells, { [`${q}|yes`]: s.yes, [`${q}|no`]: s.no, [`${q}|nc`]: s.notCompleted });
      groups.push({ total: 'responses', parts: [`${q}|yes`, `${q}|no`, `${q}|nc`] });
    } else if (s.question.kind === 'rating' && s.rating) {
      for (const r of RATINGS) cells[`${q}|r${r}`] = s.rating.distribution[r];
      Object.assign(cells, { [`${q}|rated`]: s.rating.count, [`${q}|nc`]: s.notCompleted });
      groups.push({ total: `${q}|rated`, parts: RATINGS.map((r) => `${q}|r${r}`) }, { total: 'responses', parts: [`${q}|rated`, `${q}|nc`] });
    } else cells[`${q}|nc`] = s.notCompleted;
  }
  const shown: Record<string, Shown> = suppressed ? suppress(cells, groups) : cells;
  const get = (k: string): Shown => (k in shown ? shown[k]! : null);
  return {
    kind,
    title,
    responses: get('responses'),
    suppressed,
    commentsShown,
    questions: summary.map((s) => {
      const q = `q${s.question.number}`;
      const base = { number: s.question.number, text: s.question.text, kind: s.question.kind, comments: commentsShown ? s.comments : null };
      if (s.question.kind === 'yes-no') {
        const [yes, no, nc] = [get(`${q}|yes`), get(`${q}|no`), get(`${q}|nc`)];
        return { ...base, lines: linesOf([['Yes', yes], ['No', no], ['Not completed', nc]]), yes, no, notCompleted: nc, rating: null };
      }
      if (s.question.kind === 'rating' && s.rating) {
        const distribution = Object.fromEntries(RATINGS.map((r) => [String(r), get(`${q}|r${r}`)]));
        // Mean × count is the sum of the ratings: with any part withheld the mean could give it back, so it goes too.
        const anyWithheld = Object.values(distribution).some((v) => v === null) || get(`${q}|rated`) === null;
        const rating = { count: get(`${q}|rated`), mean: anyWithheld ? null : s.rating.mean, distribution };
        return { ...base, lines: [], yes: null, no: null, notCompleted: get(`${q}|nc`), rating };
      }
      // Comment questions are summarised by their comments, as the pilot's were.
      return { ...base, lines: [], yes: null, no: null, notCompleted: commentsShown ? get(`${q}|nc`) : null, rating: null };
    }),
  };
}

/** Both surveys, patient satisfaction first. */
export function buildSurveySection(facts: readonly SurveyFact[], aggregate: boolean, range: { from: string; to: string }): SurveySection {
  return { ...range, surveys: SURVEY_KINDS.map((k) => surveySummary(k, facts, aggregate)) };
}
