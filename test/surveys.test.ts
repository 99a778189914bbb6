import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { surveyLinks, surveyResponses } from '../src/reports/survey-schema.ts';
import { surveySummary, type SurveyFact } from '../src/reports/survey-section.ts';
import { ALL_MET, CONSENT, nextNhsNumber, REFERRAL_DETAILS, signIn, buildWorld, type Session, type World } from './support/world.ts';
import { ok } from './support/prescribing.ts';

/**
 * Surveys (issue 6, item 5): the staff evaluation entered by staff through the form and the API reproduces the pilot's
 * summary in the monthly report; a patient answers once through a one-time link; a nurse enters a paper patient survey;
 * bad input, another Trust's patient and expired links change nothing; aggregate viewers get no patient comment and
 * no patient count from 1 to 7; every read and write of a patient's survey is audited.
 */
let w: World;
const sessions = new Map<string, Session>();
const as = async (username: string) => sessions.get(username) ?? sessions.set(username, await signIn(w.app, username)).get(username)!;
/** Moves the clock to a month of its own for each test, so each report reads only that test's answers. */
function at(iso: string) {
  w.clock.set(new Date(iso));
  sessions.clear(); // sessions time out after 15 minutes idle
}
const form = (payload: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams(payload).toString() });
/** Page text with its whitespace collapsed, so checks read as the page does. */
const flat = (html: string) => html.replace(/\s+/g, ' ').replace(/>\s+/g, '>').replace(/\s+</g, '<');
const countResponses = async () => Number((await w.database.db.select({ n: sql<number>`count(*)` }).from(surveyResponses))[0]!.n);

type Shown = number | null;
interface SurveyOut { kind: string; responses: Shown; suppressed: boolean; commentsShown: boolean; questions: { number: number; lines: string[]; yes: Shown; no: Shown; notCompleted: Shown; comments: string[] | null; rating: { count: Shown; mean: number | null; distribution: Record<string, Shown> } | null }[] }
async function surveys(username: string, month: string, extra = ''): Promise<Record<string, SurveyOut>> {
  const res = await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?from=${month}&to=${month}${extra}` });
  assert.equal(res.statusCode, 200, res.body);
  const list = (res.json() as { surveys: { surveys: SurveyOut[] } }).surveys.surveys;
  return Object.fromEntries(list.map((s) => [s.kind, s]));
}

/** The pilot's staff evaluation (cancer-manager-evaluation.txt), as in test/reports-surveys.test.ts. */
const SEED = [
  { 1: { choice: 'yes', comment: 'More input would have been beneficial however, as I know the staff on the unit have spent a long time sorting out the process' }, 2: { choice: 'yes', comment: 'Yes – within the boundaries that any chemotherapy service can ever be safe' }, 3: { comment: 'The main issues were with regard to the set up of the project' }, 7: { rating: 1 } },
  { 1: { choice: 'yes' }, 2: { choice: 'yes', comment: 'Yes – it took a while to get the governance issues sorted' }, 3: { comment: 'Knowledge of the targets and what working towards' } },
  { 1: { choice: 'yes' }, 2: { choice: 'yes', comment: 'We have not had large volumes to really compare the whole process of return back to the NHS' }, 3: { comment: 'The main challenge for us was getting everyone on board' } },
  { 1: { choice: 'yes' }, 2: { comment: 'Numbers who have gone through the whole process are still low' }, 3: { comment: 'Unrealistic initial target and loss of morale' } },
] as const;
/** One seed response as the staff form sends it: unanswered radios as "Not answered" (an empty value). */
function seedForm(r: (typeof SEED)[number]): Record<string, string> {
  const a = r as Record<number, { choice?: string; comment?: string; rating?: number }>;
  const out: Record<string, string> = {};
  for (const n of [1, 2]) out[`q${n}-choice`] = a[n]?.choice ?? '';
  for (const n of [1, 2, 3, 4, 5, 6]) out[`q${n}-comment`] = a[n]?.comment ?? '';
  out['q7-rating'] = a[7]?.rating ? String(a[7].rating) : '';
  return out;
}

/** A patient of the nurse's Trust taken through the pathway to treatment at home; returns the ids and name. */
async function homePatient(nurseUsername: string, familyName: string) {
  const nurse = await as(nurseUsername);
  const nhsNumber = nextNhsNumber();
  const patient = await ok<{ id: string }>(nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber, givenName: 'Survey', familyName, dateOfBirth: '1966-02-03' } }), 201);
  const ep = await ok<{ id: string }>(nurse.request({ method: 'POST', url: `/api/v1/patients/${patient.id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } }), 201);
  const event = (payload: Record<string, unknown>) => ok(nurse.request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/events`, payload }));
  await event({ event: 'assess', answers: ALL_MET });
  await event({ event: 'offer', offeredOn: '2026-06-01', leafletVersion: 'v1' });
  await event({ event: 'accept' });
  await event({ event: 'refer', providerId: (await w.org('HX1')).id, ...REFERRAL_DETAILS });
  await ok((await as('provider-coordinator')).request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/referral-response`, payload: { decision: 'accept' } }));
  await event(CONSENT);
  await event({ event: 'start-home' });
  return { patientId: patient.id, episodeId: ep.id, nhsNumber, familyName };
}
/** An episode of the nurse's Trust not yet at home (suitable, not offered). */
async function notYetHome(nurseUsername: string) {
  const nurse = await as(nurseUsername);
  const patient = await ok<{ id: string }>(nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Survey', familyName: 'Waiting', dateOfBirth: '1970-01-01' } }), 201);
  const ep = await ok<{ id: string }>(nurse.request({ method: 'POST', url: `/api/v1/patients/${patient.id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } }), 201);
  return ep.id;
}

/** The nurse makes a link from the episode page's form; the token is read from the page that shows it once. */
async function makeLink(episodeId: string, nurseUsername = 'trust-nurse'): Promise<string> {
  const res = await (await as(nurseUsername)).request({ method: 'POST', url: `/episodes/${episodeId}/survey-link`, ...form({}) });
  assert.equal(res.statusCode, 201, res.body.slice(0, 400));
  const m = /\/survey\/([A-Za-z0-9_-]{43})"/.exec(res.body);
  assert.ok(m, 'the page shows the link');
  return m[1]!;
}
const publicGet = (token: string) => w.app.inject({ method: 'GET', url: `/survey/${token}`, headers: { accept: 'text/html' } });
const publicPost = (token: string, payload: Record<string, string>) => w.app.inject({ method: 'POST', url: `/survey/${token}`, ...form(payload) });
const CLOSED = /This survey link has expired or has already been used/;

let homeA: Awaited<ReturnType<typeof homePatient>>;
let homeA2: Awaited<ReturnType<typeof homePatient>>;
let waitingA: string;

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  homeA = await homePatient('trust-nurse', 'Linkpatient');
  homeA2 = await homePatient('trust-nurse', 'Paperpatient');
  waitingA = await notYetHome('trust-nurse');
});
after(() => w.close());

test('the staff evaluation: the seed’s four responses, entered by four staff through the form and the API, give the pilot’s summary in the report (Q1 Yes × 4; Q2 Yes × 3, Not completed × 1; Q7 rating 1)', async () => {
  at('2026-07-10T10:00:00Z');
  const staff = ['cancer-manager', 'trust-pharmacist', 'trust-nurse', 'trust-prescriber'];
  for (const [i, username] of staff.entries()) {
    const s = await as(username);
    if (i % 2 === 0) {
      const res = await s.request({ method: 'POST', url: '/surveys/staff-evaluation', ...form(seedForm(SEED[i]!)) });
      assert.equal(res.statusCode, 303, res.body.slice(0, 400));
      assert.equal(res.headers.location, '/surveys/staff-evaluation?done=1');
    } else {
      const res = await s.request({ method: 'POST', url: '/api/v1/surveys/staff-evaluation', payload: { answers: SEED[i] } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((res.json() as { kind: string }).kind, 'staff-evaluation');
    }
  }
  const staffEval = (await surveys('cancer-manager', '2026-07'))['staff-evaluation']!;
  assert.equal(staffEval.responses, 4);
  assert.deepEqual(staffEval.questions[0]!.lines, ['Yes × 4']);
  assert.deepEqual(staffEval.questions[1]!.lines, ['Yes × 3', 'Not completed × 1']);
  assert.equal(staffEval.questions[1]!.comments!.length, 4);
  assert.equal(staffEval.questions[2]!.comments!.length, 4);
  assert.deepEqual(staffEval.questions[6]!.rating, { count: 1, mean: 1, distribution: { 1: 1, 2: 0, 3: 0, 4: 0, 5: 0 } });
  assert.equal(staffEval.questions[6]!.notCompleted, 3);

  // The page shows the same summary, the comments and the rating's distribution.
  const page = await (await as('cancer-manager')).request({ method: 'GET', url: '/reports/monthly?from=2026-07&to=2026-07', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  const section = flat(page.body.slice(page.body.indexOf('id="surveys"')));
  assert.match(section, /Yes × 4/);
  assert.match(section, /Yes × 3<\/li><li>Not completed × 1/);
  assert.match(section, /Mean rating: 1\.0 from 1 rating/);
  assert.match(section, /Knowledge of the targets and what working towards/);
  // The network lead reads the staff comments, but counts from 1 to 7 (and what would give them back) are withheld.
  const network = (await surveys('network-lead', '2026-07'))['staff-evaluation']!;
  assert.equal(network.suppressed, true);
  assert.equal(network.questions[2]!.comments!.length, 4);
  const networkCounts = network.questions.flatMap((q) => [q.yes, q.no, q.notCompleted, ...(q.rating ? [q.rating.count, ...Object.values(q.rating.distribution)] : [])]);
  assert.deepEqual(networkCounts.filter((n) => n !== null && n >= 1 && n <= 7), [], 'a staff count from 1 to 7 shown to the network');
  const commissionerCsv = await (await as('commissioner')).request({ method: 'GET', url: '/reports/monthly.csv?from=2026-07&to=2026-07' });
  assert.match(commissionerCsv.body, /Knowledge of the targets and what working towards/);
  const everyCell = commissionerCsv.body.split(/\r?\n/).flatMap((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.deepEqual(everyCell.filter((c) => /^[1-7]$/.test(c)), [], 'a count from 1 to 7 in the commissioner’s CSV');
  // The downloads carry the section too.
  const csv = await (await as('cancer-manager')).request({ method: 'GET', url: '/reports/monthly.csv?from=2026-07&to=2026-07' });
  assert.match(csv.body, /Staff evaluation of the home treatment service, Jul 2026 to Jul 2026: ratings/);
  assert.match(csv.body, /7\. Overall how would you rate[^\n]*,1,0,0,0,0,3,1\.0/);
});

test('a patient answers once through the link the nurse made; a second use shows the expired page and stores nothing; the page names nobody', async () => {
  at('2026-08-05T10:00:00Z');
  const token = await makeLink(homeA.episodeId);
  const audits = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'survey:link'), eq(auditLog.patientId, homeA.patientId)));
  assert.equal(audits.length, 1, 'making the link is audited');
  const [stored] = await w.database.db.select().from(surveyLinks).where(eq(surveyLinks.episodeId, homeA.episodeId));
  assert.notEqual(stored!.tokenHash, token, 'only the hash is stored');
  assert.equal(stored!.expiresAt.toISOString(), '2026-09-02T10:00:00.000Z', 'open for 28 days');

  const open = await publicGet(token);
  assert.equal(open.statusCode, 200);
  assert.match(open.body, /Overall, how satisfied are you with the care you received at home\?/);
  for (const identifier of [homeA.familyName, homeA.nhsNumber, homeA.nhsNumber.replace(/(\d{3})(\d{3})(\d{4})/, '$1 $2 $3'), homeA.patientId]) assert.ok(!open.body.includes(identifier), `the public page shows ${identifier}`);

  const before = await countResponses();
  const sent = await publicPost(token, { 'q1-rating': '5', 'q2-choice': 'yes', 'q3-choice': 'yes', 'q4-choice': 'yes', 'q5-comment': 'The nurses were wonderful' });
  assert.equal(sent.statusCode, 201, sent.body.slice(0, 400));
  assert.match(sent.body, /Thank you/);
  assert.equal(await countResponses(), before + 1);
  const [row] = await w.database.db.select().from(surveyResponses).where(eq(surveyResponses.patientId, homeA.patientId));
  assert.deepEqual(row!.answers, { 1: { rating: 5 }, 2: { choice: 'yes' }, 3: { choice: 'yes' }, 4: { choice: 'yes' }, 5: { comment: 'The nurses were wonderful' } });
  assert.equal(row!.source, 'patient-link');
  assert.equal(row!.enteredBy, null);
  const [submitted] = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'survey:submit'), eq(auditLog.patientId, homeA.patientId)));
  assert.ok(submitted, 'the patient’s answers are audited');
  assert.equal(submitted.userId, null);
  assert.equal(submitted.orgId, (await w.org('RX1')).id);

  const again = await publicPost(token, { 'q1-rating': '1' });
  assert.equal(again.statusCode, 404);
  assert.match(again.body, CLOSED);
  assert.equal((await publicGet(token)).statusCode, 404);
  assert.equal(await countResponses(), before + 1, 'the second use stored nothing');
  // An unknown token looks exactly the same.
  const unknown = await publicGet('x'.repeat(43));
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.body, CLOSED);

  // The Trust's report counts the answer and shows the comment, and the read is audited with the patient.
  const own = (await surveys('cancer-manager', '2026-08'))['patient-satisfaction']!;
  assert.equal(own.responses, 1);
  assert.deepEqual(own.questions[4]!.comments, ['The nurses were wonderful']);
  assert.deepEqual(own.questions[0]!.rating!.distribution, { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 });
  const reads = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'report:read'), eq(auditLog.userId, await w.userId('cancer-manager'))));
  assert.ok(reads.some((r) => r.detail?.report === 'surveys' && (r.detail.patientIds as string[]).includes(homeA.patientId)), 'the survey read names the patient whose answers were read');
});

test('two answers sent at once through one link: one is stored, the other sees the expired page', async () => {
  at('2026-08-20T10:00:00Z');
  const token = await makeLink(homeA2.episodeId);
  const before = await countResponses();
  const results = await Promise.all([publicPost(token, { 'q1-rating': '5' }), publicPost(token, { 'q1-rating': '4' })]);
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 404]);
  assert.equal(await countResponses(), before + 1);
});

test('an expired link is refused and stores nothing', async () => {
  at('2026-09-03T10:00:00Z');
  const token = await makeLink(homeA.episodeId);
  w.clock.advance(28 * 24 * 60 * 60 * 1000 - 60_000);
  assert.equal((await publicGet(token)).statusCode, 200, 'still open a minute before 28 days');
  w.clock.advance(2 * 60_000);
  const before = await countResponses();
  const res = await publicPost(token, { 'q1-rating': '4' });
  assert.equal(res.statusCode, 404);
  assert.match(res.body, CLOSED);
  assert.equal(await countResponses(), before);
  const [link] = await w.database.db.select().from(surveyLinks).where(eq(surveyLinks.tokenHash, (await import('../src/identity/secrets.ts')).sha256(token)));
  assert.equal(link!.usedAt, null);
});

test('bad input is refused with a clear message and nothing is stored', async () => {
  at('2026-10-05T10:00:00Z');
  const before = await countResponses();
  const api = (await as('trust-pharmacist')).request;
  const send = (answers: unknown, extra: Record<string, unknown> = {}) => api({ method: 'POST', url: '/api/v1/surveys/staff-evaluation', payload: { answers, ...extra } });
  const rating6 = await send({ 7: { rating: 6 } });
  assert.equal(rating6.statusCode, 400);
  assert.equal((rating6.json() as { error: { fields: Record<string, string> } }).error.fields['answers.7.rating'], 'Select a rating from 1 to 5');
  const unknownField = await send({ 1: { choice: 'yes' } }, { orgId: (await w.org('RX2')).id });
  assert.equal(unknownField.statusCode, 400);
  assert.match((unknownField.json() as { error: { fields: Record<string, string> } }).error.fields.orgId!, /Remove "orgId"/);
  assert.equal((await send({ 8: { comment: 'No such question' } })).statusCode, 400);
  assert.equal((await send({ 3: { choice: 'yes' } })).statusCode, 400, 'a comments question takes no yes/no');
  const long = await send({ 3: { comment: 'x'.repeat(2001) } });
  assert.equal(long.statusCode, 400);
  assert.match(long.body, /Comments must be 2000 characters or fewer/);
  assert.match((await send({})).body, /Answer at least one question/);
  // The same rules on the pages, with the NHS error summary.
  const page = await (await as('trust-pharmacist')).request({ method: 'POST', url: '/surveys/staff-evaluation', ...form({ 'q7-rating': '6', 'q3-comment': 'x'.repeat(2001) }) });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /nhsuk-error-summary/);
  assert.match(flat(page.body), /href="#q7-rating">Select a rating from 1 to 5/);
  assert.match(flat(page.body), /href="#q3-comment">Comments must be 2000 characters or fewer/);
  // The patient's page keeps the link open after a mistake.
  const token = await makeLink(homeA2.episodeId);
  const bad = await publicPost(token, { 'q1-rating': 'lots', 'q5-comment': 'y'.repeat(2001) });
  assert.equal(bad.statusCode, 400);
  assert.match(flat(bad.body), /href="#q5-comment">Comments must be 2000 characters or fewer/);
  assert.match(flat(bad.body), /href="#q1-rating">Select a rating from 1 to 5/);
  assert.equal(await countResponses(), before, 'nothing stored');
  assert.equal((await publicGet(token)).statusCode, 200, 'the link is still open');
});

test('another Trust’s patient answers 404, like a missing one; a patient not yet at home gets no link', async () => {
  at('2026-11-05T10:00:00Z');
  const before = await countResponses();
  const linksBefore = (await w.database.db.select().from(surveyLinks)).length;
  const b = await as('trust-nurse-b');
  const foreign = await b.request({ method: 'POST', url: `/episodes/${homeA.episodeId}/survey-link`, ...form({}) });
  const missing = await b.request({ method: 'POST', url: '/episodes/00000000-0000-4000-8000-000000000000/survey-link', ...form({}) });
  assert.equal(foreign.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  const entered = await b.request({ method: 'POST', url: '/api/v1/surveys/patient-satisfaction', payload: { episodeId: homeA.episodeId, answers: { 1: { rating: 1 } } } });
  assert.equal(entered.statusCode, 404);
  assert.deepEqual(entered.json(), { error: { code: 'not_found', message: 'No episode was found' } });
  const nurse = await as('trust-nurse');
  assert.equal((await nurse.request({ method: 'POST', url: `/episodes/${waitingA}/survey-link`, ...form({}) })).statusCode, 409);
  const waiting = await nurse.request({ method: 'POST', url: '/api/v1/surveys/patient-satisfaction', payload: { episodeId: waitingA, answers: { 1: { rating: 3 } } } });
  assert.equal(waiting.statusCode, 400);
  assert.match(waiting.body, /Select a patient who has had treatment at home/);
  // The episode page offers the link only for a patient who has had treatment at home.
  const page = async (id: string) => (await nurse.request({ method: 'GET', url: `/episodes/${id}`, headers: { accept: 'text/html' } })).body;
  assert.match(await page(homeA.episodeId), /Make a survey link/);
  assert.doesNotMatch(await page(waitingA), /Make a survey link/);
  assert.equal(await countResponses(), before);
  assert.equal((await w.database.db.select().from(surveyLinks)).length, linksBefore);
});

test('a nurse enters a paper survey; Trust B sees none of Trust A’s answers; aggregate viewers get no patient comment and no patient count from 1 to 7; all audited', async () => {
  at('2026-12-07T10:00:00Z');
  const nurse = await as('trust-nurse');
  const entry = await nurse.request({ method: 'GET', url: '/surveys/patient-satisfaction', headers: { accept: 'text/html' } });
  assert.equal(entry.statusCode, 200);
  assert.match(entry.body, /Paperpatient, Survey/);
  assert.doesNotMatch(entry.body, /Waiting, Survey/, 'only patients who have had treatment at home');
  const listed = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'patient:list'), eq(auditLog.userId, await w.userId('trust-nurse'))));
  assert.ok(listed.some((r) => r.detail?.list === 'survey-entry' && (r.detail.patientIds as string[]).includes(homeA2.patientId)), 'the list of patients is audited');

  const paper = await nurse.request({ method: 'POST', url: '/surveys/patient-satisfaction', ...form({ episodeId: homeA2.episodeId, 'q1-rating': '4', 'q2-choice': 'yes', 'q3-choice': '', 'q4-choice': 'no', 'q5-comment': 'Prefer the day unit for the company' }) });
  assert.equal(paper.statusCode, 303, paper.body.slice(0, 400));
  const api = await nurse.request({ method: 'POST', url: '/api/v1/surveys/patient-satisfaction', payload: { episodeId: homeA.episodeId, answers: { 1: { rating: 5 }, 2: { choice: 'yes' } } } });
  assert.equal(api.statusCode, 201, api.body);
  const entries = await w.database.db.select().from(auditLog).where(eq(auditLog.action, 'survey:enter'));
  assert.deepEqual(new Set(entries.filter((e) => e.at >= new Date('2026-12-01')).map((e) => e.patientId)), new Set([homeA.patientId, homeA2.patientId]));
  const stored = await w.database.db.select().from(surveyResponses).where(and(eq(surveyResponses.episodeId, homeA2.episodeId), eq(surveyResponses.source, 'staff')));
  assert.deepEqual(stored.map((r) => r.enteredBy), [await w.userId('trust-nurse')]);

  const own = (await surveys('cancer-manager', '2026-12'))['patient-satisfaction']!;
  assert.equal(own.responses, 2);
  assert.deepEqual(own.questions[1]!.lines, ['Yes × 2']);
  assert.deepEqual(own.questions[3]!.lines, ['No × 1', 'Not completed × 1']);
  assert.deepEqual(own.questions[0]!.rating, { count: 2, mean: 4.5, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 1 } });
  assert.deepEqual(own.questions[4]!.comments, ['Prefer the day unit for the company']);

  const trustB = await surveys('cancer-manager-b', '2026-12');
  assert.equal(trustB['patient-satisfaction']!.responses, 0, 'Trust B sees none of Trust A’s answers');
  assert.equal((await surveys('cancer-manager-b', '2026-07'))['staff-evaluation']!.responses, 0);

  for (const username of ['commissioner', 'network-lead']) {
    const agg = (await surveys(username, '2026-12'))['patient-satisfaction']!;
    assert.equal(agg.suppressed, true);
    assert.equal(agg.commentsShown, false);
    assert.equal(agg.responses, null, 'two responses: withheld');
    assert.ok(agg.questions.every((q) => q.comments === null));
    const counts = agg.questions.flatMap((q) => [q.yes, q.no, q.notCompleted, ...(q.rating ? [q.rating.count, ...Object.values(q.rating.distribution)] : [])]);
    assert.deepEqual(counts.filter((n) => n !== null && n >= 1 && n <= 7), [], `${username}: a patient count from 1 to 7`);
    assert.ok(agg.questions.every((q) => !q.rating || q.rating.mean === null), 'no mean that would give a withheld rating back');
  }
  const csv = await (await as('commissioner')).request({ method: 'GET', url: '/reports/monthly.csv?from=2026-12&to=2026-12' });
  assert.equal(csv.statusCode, 200);
  assert.ok(!csv.body.includes('Prefer the day unit'), 'no patient comment in the commissioner’s export');
  const patientPart = csv.body.slice(csv.body.indexOf('Patient satisfaction survey'), csv.body.indexOf('Staff evaluation of the home treatment service'));
  const cells = patientPart.split(/\r?\n/).flatMap((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.deepEqual(cells.filter((c) => /^[1-7]$/.test(c)), [], 'a patient count from 1 to 7 in the commissioner’s CSV');
  assert.ok(cells.includes('*'));
  for (const p of [homeA, homeA2]) assert.ok(!csv.body.includes(p.nhsNumber) && !csv.body.includes(p.familyName));
});

test('the database: answers are append-only, a link is only ever marked used once, and row-level security hides another Trust’s surveys from an unfiltered query', async () => {
  const { withContext } = await import('../src/platform/context.ts');
  const { rows } = await import('../src/platform/db/client.ts');
  const db = w.database.db;
  /** The database's own message, under drizzle's "Failed query" wrapper. */
  const refused = (re: RegExp) => (err: Error & { cause?: Error }) => re.test(err.cause?.message ?? err.message);
  // Even the owner connection cannot change or delete what was answered.
  await assert.rejects(db.execute(sql`update survey_responses set answers = '{}'::jsonb`), refused(/append-only/));
  await assert.rejects(db.execute(sql`delete from survey_responses`), refused(/append-only/));
  const [used] = await db.select().from(surveyLinks).where(and(eq(surveyLinks.episodeId, homeA.episodeId), sql`${surveyLinks.usedAt} is not null`));
  await assert.rejects(db.execute(sql`update survey_links set used_at = null where id = ${used!.id}`), refused(/marked used, once/));
  await assert.rejects(db.execute(sql`update survey_links set expires_at = now() + interval '1 year' where id = ${used!.id}`), refused(/marked used, once/));

  const nurseB = await w.userId('trust-nurse-b');
  const trustB = (await w.org('RX2')).id;
  const ctx = (orgId: string) => ({ userId: nurseB, username: 'rls', displayName: 'RLS', orgId, orgKind: 'trust' as const, orgName: 'x', role: 'trust-nurse' as const, unitIds: [], purpose: 'test', ip: null, now: w.clock.now() });
  const seen = (orgId: string) => withContext(db, ctx(orgId), (tx) => rows<{ org_id: string }>(tx, sql`select org_id from survey_responses union all select trust_id from survey_links`));
  const a = await seen((await w.org('RX1')).id);
  assert.ok(a.length > 0);
  assert.ok(a.every((r) => r.org_id === a[0]!.org_id));
  assert.equal((await seen(trustB)).length, 0, 'Trust B sees no row of Trust A’s surveys or links');
  // A Trust cannot write an answer about another Trust's patient, whatever the application sends.
  const foreign = { kind: 'patient-satisfaction' as const, orgId: trustB, patientId: homeA.patientId, episodeId: homeA.episodeId, answers: { 1: { rating: 1 } }, source: 'staff' as const, enteredBy: nurseB, submittedAt: w.clock.now() };
  await assert.rejects(withContext(db, ctx(trustB), (tx) => tx.insert(surveyResponses).values(foreign)), refused(/row-level security/));
});

test('the summary across organisations withholds a patient count from 1 to 7 and whatever would give it back (pure)', () => {
  const patient = (n: number, choice: 'yes' | 'no', rating: number): SurveyFact[] => Array.from({ length: n }, () => ({ kind: 'patient-satisfaction', answers: { 1: { rating }, 2: { choice }, 5: { comment: 'Named my nurse' } } }));
  const facts = [...patient(9, 'yes', 5), ...patient(1, 'no', 4), { kind: 'staff-evaluation' as const, answers: { 1: { choice: 'no' as const } } }];
  const agg = surveySummary('patient-satisfaction', facts, true);
  assert.equal(agg.responses, 10);
  const q2 = agg.questions[1]!;
  assert.deepEqual([q2.yes, q2.no, q2.notCompleted], [null, null, 0], 'one "no": withheld, and the 9 "yes" with it (10 − 9 would give it back)');
  assert.deepEqual(q2.lines, ['Yes × *', 'No × *']);
  assert.deepEqual(agg.questions[0]!.rating, { count: 10, mean: null, distribution: { 1: 0, 2: 0, 3: 0, 4: null, 5: null } });
  assert.ok(agg.questions.every((q) => q.comments === null), 'no patient comment across organisations');
  // The Trust's own view is shown whole; across organisations a staff count from 1 to 7 is withheld too.
  const own = surveySummary('patient-satisfaction', facts, false);
  assert.deepEqual(own.questions[1]!.lines, ['Yes × 9', 'No × 1']);
  assert.equal(own.questions[0]!.rating!.mean, 4.9);
  assert.deepEqual(surveySummary('staff-evaluation', facts, true).questions[0]!.lines, ['No × *']);
  assert.deepEqual(surveySummary('staff-evaluation', facts, false).questions[0]!.lines, ['No × 1']);
});
