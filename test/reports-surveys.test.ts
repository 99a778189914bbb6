import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAFF_EVALUATION, summariseSurvey, type SurveyResponse } from '../src/reports/surveys.ts';

/**
 * The pilot's staff evaluation (cancer-manager-evaluation.txt): 3 cancer managers and 1 lead cancer services
 * pharmacist. Q1 Yes × 4 with one comment; Q2 Yes × 3 and one not completed, four comments; Q3–Q6 comments; Q7 one
 * rating of 1, the rest not completed.
 */
const SEED: SurveyResponse[] = [
  { answers: { 1: { choice: 'yes', comment: 'More input would have been beneficial however, as I know the staff on the unit have spent a long time sorting out the process' }, 2: { choice: 'yes', comment: 'Yes – within the boundaries that any chemotherapy service can ever be safe' }, 3: { comment: 'The main issues were with regard to the set up of the project' }, 7: { rating: 1 } } },
  { answers: { 1: { choice: 'yes' }, 2: { choice: 'yes', comment: 'Yes – it took a while to get the governance issues sorted' }, 3: { comment: 'Knowledge of the targets and what working towards' } } },
  { answers: { 1: { choice: 'yes' }, 2: { choice: 'yes', comment: 'We have not had large volumes to really compare the whole process of return back to the NHS' }, 3: { comment: 'The main challenge for us was getting everyone on board' } } },
  { answers: { 1: { choice: 'yes' }, 2: { comment: 'Numbers who have gone through the whole process are still low' }, 3: { comment: 'Unrealistic initial target and loss of morale' } } },
];

test('staff evaluation: the seed’s four responses reproduce the pilot’s summary (Q1 Yes × 4; Q2 Yes × 3, Not completed × 1; Q7 rating 1)', () => {
  const s = summariseSurvey(STAFF_EVALUATION, SEED);
  assert.equal(s.length, 7);
  assert.deepEqual(s[0]!.lines, ['Yes × 4']);
  assert.equal(s[0]!.comments.length, 1);
  assert.deepEqual(s[1]!.lines, ['Yes × 3', 'Not completed × 1']);
  assert.equal(s[1]!.comments.length, 4);
  assert.equal(s[2]!.comments.length, 4);
  assert.deepEqual(s[6]!.rating, { count: 1, mean: 1, distribution: { 1: 1, 2: 0, 3: 0, 4: 0, 5: 0 } });
  assert.equal(s[6]!.notCompleted, 3);
});

test('ratings outside 1–5 are not counted; a mean is to one decimal place', () => {
  const [q7] = summariseSurvey([STAFF_EVALUATION[6]!], [{ answers: { 7: { rating: 4 } } }, { answers: { 7: { rating: 5 } } }, { answers: { 7: { rating: 5 } } }, { answers: { 7: { rating: 9 } } }]);
  assert.deepEqual(q7!.rating, { count: 3, mean: 4.7, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 2 } });
  assert.equal(q7!.notCompleted, 1);
});
