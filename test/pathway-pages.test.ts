import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, CONSENT, nextNhsNumber, REFERRAL_DETAILS, signIn, type Session, type World } from './support/world.ts';
import { DEFAULT_CHECKLIST, assessChecklist } from '../src/pathway/suitability.ts';
import { workingDaysBetween } from '../src/pathway/worklists.ts';

let w: World;
let nurse: Session;
let coordinator: Session;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  nurse = await signIn(w.app, 'trust-nurse');
  coordinator = await signIn(w.app, 'provider-coordinator');
});
after(() => w.close());

const post = (s: Session, url: string, fields: Record<string, string>) =>
  s.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams(fields).toString() });
const page = (s: Session, url: string) => s.request({ method: 'GET', url, headers: { accept: 'text/html' } });

test('suitability checklist: suitable only when every item is answered and none is "no"; not applicable never counts against', () => {
  const all = (a: 'yes' | 'no' | 'na') => Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.code, a]));
  assert.deepEqual(assessChecklist(DEFAULT_CHECKLIST, all('yes')), { suitable: true, unmet: [], unanswered: [] });
  assert.equal(assessChecklist(DEFAULT_CHECKLIST, { ...all('yes'), VENOUS_ACCESS: 'na' }).suitable, true);
  const r = assessChecklist(DEFAULT_CHECKLIST, { ...all('yes'), HOME_ENVIRONMENT: 'no' });
  assert.equal(r.suitable, false);
  assert.deepEqual(r.unmet, ['Home has running water, an indoor toilet, a working phone, safe access and space']);
  assert.deepEqual(assessChecklist(DEFAULT_CHECKLIST, { REGIMEN_HOME_SUITABLE: 'yes' }).unanswered.length, DEFAULT_CHECKLIST.length - 1);
});

test('working days skip weekends', () => {
  assert.equal(workingDaysBetween(new Date('2026-06-05T10:00:00Z'), new Date('2026-06-08T10:00:00Z')), 1, 'Friday → Monday');
  assert.equal(workingDaysBetween(new Date('2026-06-01T10:00:00Z'), new Date('2026-06-08T10:00:00Z')), 5);
});

test('with plain HTML forms the nurse takes a patient from episode to home, the coordinator accepts from the inbox, worklists follow', async () => {
  const created = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Form', familyName: 'Journey', dateOfBirth: '1962-04-04' } });
  const patientId = created.json().id as string;
  const opened = await post(nurse, `/patients/${patientId}/episodes`, { regimen: 'trastuzumab-sc-3-weekly' });
  assert.equal(opened.statusCode, 303);
  const episodeUrl = String(opened.headers.location);
  const id = episodeUrl.split('/').pop()!;
  const version = async () => String(((await nurse.request({ method: 'GET', url: `/api/v1/episodes/${id}` })).json() as { episode: { version: number } }).episode.version);

  // An incomplete checklist is an error on each unanswered item.
  const partial = await post(nurse, `${episodeUrl}/events`, { event: 'assess', 'answer-REGIMEN_HOME_SUITABLE': 'yes', expectedVersion: await version() });
  assert.equal(partial.statusCode, 400);
  assert.match(partial.body, /href="#answer-LVEF_IN_DATE"/);
  const answers = Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [`answer-${i.code}`, i.code === 'VENOUS_ACCESS' ? 'na' : 'yes']));
  assert.equal((await post(nurse, `${episodeUrl}/events`, { event: 'assess', ...answers, expectedVersion: await version() })).statusCode, 303);
  const worklist = await page(nurse, '/worklists');
  assert.match(worklist.body, /Journey, Form/, 'suitable but not offered is on the worklist');

  const noDate = await post(nurse, `${episodeUrl}/events`, { event: 'offer', offeredOn: '', leafletVersion: 'v1', expectedVersion: await version() });
  assert.equal(noDate.statusCode, 400);
  assert.match(noDate.body, /nhsuk-error-summary/);
  const steps: Record<string, string>[] = [{ event: 'offer', offeredOn: '2026-05-30', leafletVersion: 'HOME-SACT-1' }, { event: 'accept' }, { event: 'refer', providerId: (await w.org('HX1')).id, ...REFERRAL_DETAILS }];
  for (const fields of steps) {
    const r = await post(nurse, `${episodeUrl}/events`, { ...fields, expectedVersion: await version() });
    assert.equal(r.statusCode, 303, `${fields.event}: ${r.body.slice(0, 300)}`);
  }
  const inbox = await page(coordinator, '/referrals');
  assert.match(inbox.body, new RegExp(`/episodes/${id}`), 'the referral is in the provider inbox');
  const providerView = await page(coordinator, episodeUrl);
  assert.match(providerView.body, /Answer this referral/);
  assert.equal((await post(coordinator, `${episodeUrl}/referral-response`, { decision: 'accept' })).statusCode, 303);
  assert.doesNotMatch((await page(coordinator, '/referrals')).body, new RegExp(`/episodes/${id}`));

  const homeSteps: Record<string, string>[] = [CONSENT, { event: 'start-home' }];
  for (const fields of homeSteps) {
    assert.equal((await post(nurse, `${episodeUrl}/events`, { ...fields, expectedVersion: await version() })).statusCode, 303);
  }
  const noReason = await post(nurse, `${episodeUrl}/events`, { event: 'return-to-hospital', expectedVersion: await version() });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /Select the reason for returning to hospital/);
  assert.equal((await post(nurse, `${episodeUrl}/events`, { event: 'return-to-hospital', reasonCode: 'PATIENT_CHOICE', expectedVersion: await version() })).statusCode, 303);
  const final = await page(nurse, episodeUrl);
  assert.match(final.body, /Returned to hospital/i);
  assert.match(final.body, /Patient choice/);
  assert.match((await page(nurse, '/worklists')).body, /Returned to hospital this month \(1\)/);
  const record = await page(nurse, `/patients/${patientId}`);
  assert.match(record.body, /Trastuzumab SC 600 mg, 3-weekly/);
});

test('a stale form (someone else moved the episode on) is refused with a message, not applied twice', async () => {
  const created = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Stale', familyName: 'Form', dateOfBirth: '1962-04-04' } });
  const opened = await post(nurse, `/patients/${created.json().id}/episodes`, { regimen: 'trastuzumab-iv-3-weekly' });
  const url = String(opened.headers.location);
  const answers = Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [`answer-${i.code}`, 'yes']));
  const first = await post(nurse, `${url}/events`, { event: "assess", ...answers, expectedVersion: "1" });
  assert.equal(first.statusCode, 303, first.body.match(/nhsuk-error-summary__list[\s\S]{0,600}/)?.[0]);
  const again = await post(nurse, `${url}/events`, { event: 'assess', ...answers, expectedVersion: '1' });
  assert.equal(again.statusCode, 409);
  assert.match(again.body, /Someone else changed this episode/);
});

test('worklists: undecided counts from the offer, not the last change', async () => {
  const created = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Wait', familyName: 'Listed', dateOfBirth: '1962-04-04' } });
  const ep = (await nurse.request({ method: 'POST', url: `/api/v1/patients/${created.json().id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } })).json();
  const ev = (payload: object) => nurse.request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/events`, payload });
  await ev({ event: 'assess', answers: Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.code, 'yes'])) });
  await ev({ event: 'offer', offeredOn: '2026-06-01', leafletVersion: 'v1' });
  // Days pass: sessions time out, so the nurse signs in again each time.
  w.clock.advance(10 * 24 * 3600 * 1000);
  nurse = await signIn(w.app, 'trust-nurse');
  assert.equal((await ev({ event: 'undecided' })).statusCode, 200);
  w.clock.advance(5 * 24 * 3600 * 1000);
  nurse = await signIn(w.app, 'trust-nurse');
  const lists = await page(nurse, '/worklists');
  const section = lists.body.slice(lists.body.indexOf('id="undecided"'), lists.body.indexOf('id="referred"'));
  assert.match(section, /Listed, Wait/, '15 days after the offer, though only 5 after being marked undecided');
});
