/**
 * The "Surveys" section as tables for the CSV, XLSX and PDF downloads, in the Cell/Table shape of present.ts: per
 * survey its answers, the ratings' distribution and (where this viewer may see them) the comments. The page shows the
 * same section as the pilot's summary lines (views/surveys.njk).
 */
import { monthLabel } from './months.ts';
import type { Cell, Table } from './present.ts';
import { RATINGS, type SurveySection } from './survey-section.ts';

const text = (t: string): Cell => ({ text: t, value: null });
const NONE = text('–');
const count = (n: number | null): Cell => (n === null ? text('*') : { text: n.toLocaleString('en-GB'), value: n });
const mean = (n: number | null, withheld: boolean): Cell => (n === null ? text(withheld ? '*' : '–') : { text: n.toFixed(1), value: n, decimal: true });

/** Every survey's tables, in reading order. */
export function surveyTables(section: SurveySection | undefined): Table[] {
  if (!section) return [];
  const period = `${monthLabel(section.from)} to ${monthLabel(section.to)}`;
  return section.surveys.flatMap((s) => {
    const tables: Table[] = [];
    tables.push({
      id: `survey-${s.kind}`,
      title: `${s.title}, ${period}: answers`,
      head: ['Question', 'Yes', 'No', 'Not completed', 'Mean rating (1 to 5)'],
      rows: [
        [text('Responses'), count(s.responses), NONE, NONE, NONE],
        ...s.questions.map((q) => {
          const label = text(`${q.number}. ${q.text}`);
          if (q.kind === 'yes-no') return [label, count(q.yes), count(q.no), count(q.notCompleted), NONE];
          if (q.kind === 'rating') return [label, NONE, NONE, count(q.notCompleted), mean(q.rating?.mean ?? null, !!q.rating && q.rating.count !== 0)];
          return [label, NONE, NONE, q.notCompleted === null ? text('Not shown') : count(q.notCompleted), NONE];
        }),
      ],
    });
    const rated = s.questions.filter((q) => q.rating);
    if (rated.length) {
      tables.push({
        id: `survey-${s.kind}-ratings`,
        title: `${s.title}, ${period}: ratings`,
        head: ['Question', ...RATINGS.map((r) => `Rated ${r}`), 'Not completed', 'Mean'],
        rows: rated.map((q) => [text(`${q.number}. ${q.text}`), ...RATINGS.map((r) => count(q.rating!.distribution[String(r)] ?? null)), count(q.notCompleted), mean(q.rating!.mean, q.rating!.count !== 0)]),
      });
    }
    const comments = s.questions.flatMap((q) => (q.comments ?? []).map((c) => [text(`${q.number}. ${q.text}`), text(c)]));
    if (s.commentsShown && comments.length) tables.push({ id: `survey-${s.kind}-comments`, title: `${s.title}, ${period}: comments`, head: ['Question', 'Comment'], rows: comments });
    return tables;
  });
}
