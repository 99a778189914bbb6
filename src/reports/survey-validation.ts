/**
 * Survey input: the JSON API's strict bodies, and the HTML forms' fields (`q<n>-choice`, `q<n>-rating`,
 * `q<n>-comment`) turned into the same answers and checked by the same rules (surveys.ts `answersSchema`).
 */
import { z } from 'zod';
import { formErrors, type FormErrors } from '../web/forms.ts';
import { answersSchema, PATIENT_SATISFACTION, STAFF_EVALUATION, SURVEY_KINDS, type Question, type StoredAnswers } from './surveys.ts';

export const StaffEvaluationInput = z.strictObject({ answers: answersSchema(STAFF_EVALUATION) });
export const PatientSatisfactionInput = z.strictObject({
  episodeId: z.uuid('Select a patient who has had treatment at home'),
  answers: answersSchema(PATIENT_SATISFACTION),
});
export const SurveyResponseOut = z.object({ id: z.string(), kind: z.enum(SURVEY_KINDS), submittedAt: z.string() });

const field = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The form's fields as answers: blanks left out; a typed rating as a number so the rule can say what is wrong. */
function answersFromForm(questions: readonly Question[], body: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const q of questions) {
    const a: Record<string, unknown> = {};
    const choice = field(body[`q${q.number}-choice`]);
    const rating = field(body[`q${q.number}-rating`]);
    const comment = field(body[`q${q.number}-comment`]);
    if (q.kind === 'yes-no' && choice) a.choice = choice.trim();
    if (q.kind === 'rating' && rating) a.rating = /^\s*\d+\s*$/.test(rating) ? Number(rating) : rating;
    if (q.comments && comment) a.comment = comment;
    if (Object.keys(a).length) out[String(q.number)] = a;
  }
  return out;
}

/** The input each question's message links to: its radios, or its comments box. */
const inputId = (q: Question, part?: string) => `q${q.number}-${part ?? (q.kind === 'yes-no' ? 'choice' : q.kind === 'rating' ? 'rating' : 'comment')}`;

/** A submitted questionnaire form → the answers, or NHS-style errors keyed by the inputs' ids. */
export function parseAnswersForm(questions: readonly Question[], body: Record<string, unknown>): { ok: true; answers: StoredAnswers } | ({ ok: false } & FormErrors) {
  const res = answersSchema(questions).safeParse(answersFromForm(questions, body));
  if (res.success) return { ok: true, answers: res.data };
  const errors: Record<string, string> = {};
  for (const issue of res.error.issues) {
    const q = questions.find((x) => String(x.number) === String(issue.path[0])) ?? questions[0]!;
    const id = issue.path.length > 1 ? inputId(q, String(issue.path[1])) : inputId(q);
    errors[id] ??= issue.message;
  }
  return { ok: false, ...formErrors(errors) };
}
