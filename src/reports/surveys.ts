/**
 * Surveys in the report: the staff evaluation of the pilot (its 7 questions, cancer-manager-evaluation.txt) and, by
 * the same shape, the patient satisfaction survey. Pure: questions as data, the answers' validation built from them,
 * and the summary the steering group read ("Yes × 4", comments listed, the rating's mean and distribution). Storage is
 * survey-store.ts; the forms are survey-routes.ts.
 */
import { z } from 'zod';

export const SURVEY_KINDS = ['patient-satisfaction', 'staff-evaluation'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

export type QuestionKind = 'yes-no' | 'comments' | 'rating';
export interface Question {
  number: number;
  text: string;
  kind: QuestionKind;
  /** Yes/no questions also take comments. */
  comments: boolean;
  /** A rating's words for 1 and 5, shown beside those choices. */
  scale?: { low: string; high: string };
}

/** One respondent's answers by question number: 'yes' | 'no' | a 1–5 rating | comments; missing = not completed. */
export interface SurveyResponse {
  answers: Record<number, { choice?: 'yes' | 'no'; rating?: number; comment?: string }>;
}

export const STAFF_EVALUATION: Question[] = [
  { number: 1, kind: 'yes-no', comments: true, text: 'Have the home-care provider’s staff supported the unit(s) to ensure the pilot has run effectively?' },
  { number: 2, kind: 'yes-no', comments: true, text: 'Do you feel the service is safe? Please consider the entire patient process from selection, to handover and referral back to NHS as appropriate.' },
  { number: 3, kind: 'comments', comments: true, text: 'What have been the main challenges encountered with the pilot?' },
  { number: 4, kind: 'comments', comments: true, text: 'Are there any further resources needed to support the pilot?' },
  { number: 5, kind: 'comments', comments: true, text: 'How could the process be improved?' },
  { number: 6, kind: 'comments', comments: true, text: 'Are there any other comments you would like to make?' },
  { number: 7, kind: 'rating', comments: false, scale: { low: 'Poor', high: 'Excellent' }, text: 'Overall how would you rate your experience of the pilot? (5 for excellent through to 1 for poor)' },
];

/**
 * The patient satisfaction survey. The pilot's own questionnaire is not among its papers, only what it found: "100 per
 * cent of patients on the home care pathway were more than satisfied with the care they received", those at home
 * "found it the most convenient", and they chose home "knowing that they could revert to hospital treatment"
 * (herceptin-at-home-case-study.txt). Questions 1, 3 and 4 ask about those three findings in the seed's own words
 * ("satisfied with the care", "convenient", going back to hospital treatment); questions 2 and 5 (feeling safe, and
 * the closing comments) and all the phrasing are ours.
 */
export const PATIENT_SATISFACTION: Question[] = [
  { number: 1, kind: 'rating', comments: false, scale: { low: 'Very dissatisfied', high: 'Very satisfied' }, text: 'Overall, how satisfied are you with the care you received at home?' },
  { number: 2, kind: 'yes-no', comments: false, text: 'Did you feel safe having your treatment at home?' },
  { number: 3, kind: 'yes-no', comments: false, text: 'Was having your treatment at home more convenient for you than going to hospital?' },
  { number: 4, kind: 'yes-no', comments: false, text: 'Did you know you could go back to having your treatment in hospital at any time?' },
  { number: 5, kind: 'comments', comments: true, text: 'Is there anything else you would like to tell us about your treatment at home?' },
];

export const QUESTIONNAIRES: Record<SurveyKind, { title: string; questions: Question[] }> = {
  'patient-satisfaction': { title: 'Patient satisfaction survey', questions: PATIENT_SATISFACTION },
  'staff-evaluation': { title: 'Staff evaluation of the home treatment service', questions: STAFF_EVALUATION },
};

export const COMMENT_MAX = 2000;
export const COMMENT_TOO_LONG = `Comments must be ${COMMENT_MAX} characters or fewer`;
export const ANSWER_SOMETHING = 'Answer at least one question';

/** One question's answer as stored: only the parts its kind allows; every part optional (a paper form may be blank). */
function answerSchema(q: Question) {
  const comment = z.string().trim().max(COMMENT_MAX, COMMENT_TOO_LONG).transform((c) => c || undefined).optional();
  if (q.kind === 'rating') return z.strictObject({ rating: z.number('Select a rating from 1 to 5').int('Select a rating from 1 to 5').min(1, 'Select a rating from 1 to 5').max(5, 'Select a rating from 1 to 5').optional() });
  if (q.kind === 'comments') return z.strictObject({ comment });
  const choice = z.enum(['yes', 'no'], 'Select yes or no').optional();
  return q.comments ? z.strictObject({ choice, comment }) : z.strictObject({ choice });
}

/**
 * The answers to a questionnaire, keyed by question number ("1", "2", …): strict, so an unknown question or part is
 * refused; blank comments are dropped; at least one question must be answered.
 */
export function answersSchema(questions: readonly Question[]) {
  const shape = Object.fromEntries(questions.map((q) => [String(q.number), answerSchema(q).optional()]));
  return z
    .strictObject(shape)
    .transform((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Object.fromEntries(Object.entries(v ?? {}).filter(([, x]) => x !== undefined))] as const).filter(([, v]) => Object.keys(v).length)) as StoredAnswers)
    .refine((a) => Object.keys(a).length > 0, { message: ANSWER_SOMETHING });
}

/** Answers as stored (jsonb): question number → the parts answered. */
export type StoredAnswers = Record<string, { choice?: 'yes' | 'no'; rating?: number; comment?: string }>;

export interface QuestionSummary {
  question: Question;
  /** For yes/no questions: the pilot's own wording, e.g. ["Yes × 3", "Not completed × 1"]. */
  lines: string[];
  yes: number;
  no: number;
  notCompleted: number;
  comments: string[];
  rating: { count: number; mean: number | null; distribution: Record<1 | 2 | 3 | 4 | 5, number> } | null;
}

/** The summary of every question over the responses. */
export function summariseSurvey(questions: readonly Question[], responses: readonly SurveyResponse[]): QuestionSummary[] {
  return questions.map((q) => {
    const answers = responses.map((r) => r.answers[q.number]);
    const comments = answers.map((a) => a?.comment?.trim()).filter((c): c is string => !!c);
    const yes = answers.filter((a) => a?.choice === 'yes').length;
    const no = answers.filter((a) => a?.choice === 'no').length;
    const ratings = answers.map((a) => a?.rating).filter((r): r is number => Number.isInteger(r) && r! >= 1 && r! <= 5);
    const answered = q.kind === 'yes-no' ? yes + no : q.kind === 'rating' ? ratings.length : comments.length;
    const notCompleted = responses.length - answered;
    const lines = q.kind === 'yes-no' ? [...(yes ? [`Yes × ${yes}`] : []), ...(no ? [`No × ${no}`] : []), ...(notCompleted ? [`Not completed × ${notCompleted}`] : [])] : [];
    const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<1 | 2 | 3 | 4 | 5, number>;
    for (const r of ratings) distribution[r as 1 | 2 | 3 | 4 | 5]++;
    const rating = q.kind === 'rating' ? { count: ratings.length, mean: ratings.length ? Math.round((10 * ratings.reduce((a, b) => a + b, 0)) / ratings.length) / 10 : null, distribution } : null;
    return { question: q, lines, yes, no, notCompleted, comments, rating };
  });
}
