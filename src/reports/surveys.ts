/**
 * Surveys in the report: the staff evaluation of the pilot (its 7 questions, cancer-manager-evaluation.txt) and, by
 * the same shape, the patient satisfaction survey. Pure: questions as data, and the summary the steering group read
 * ("Yes × 4", comments listed, the rating's mean and distribution). Storage and forms are still to do.
 */

export type QuestionKind = 'yes-no' | 'comments' | 'rating';
export interface Question {
  number: number;
  text: string;
  kind: QuestionKind;
  /** Yes/no questions also take comments. */
  comments: boolean;
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
  { number: 7, kind: 'rating', comments: false, text: 'Overall how would you rate your experience of the pilot? (5 for excellent through to 1 for poor)' },
];

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
