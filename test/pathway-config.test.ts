import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { DEFAULT_CHECKLIST } from '../src/pathway/suitability.ts';
import { ALL_MET, buildWorld, CONSENT, nextNhsNumber, REFERRAL_DETAILS, signIn, type Session, type World } from './support/world.ts';

// The pathway's clinical configuration: suitability checklists per regimen and the two versioned consent forms,
// as an administrator edits them and as a nurse then meets them on an episode.

let w: World;
let admin: Session;
let nurse: Session;
let coordinator: Session;
let providerId: string;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  admin = await signIn(w.app, 'admin');
  nurse = await signIn(w.app, 'trust-nurse');
  coordinator = await signIn(w.app, 'provider-coordinator');
  providerId = (await w.org('HX1')).id;
});
after(() => w.close());

async function newEpisode(regimen: string): Promise<string> {
  const p = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Config', familyName: 'Check', dateOfBirth: '1962-02-02' } });
  const e = await nurse.request({ method: 'POST', url: `/api/v1/patients/${p.json().id}/episodes`, payload: { regimen } });
  assert.equal(e.statusCode, 201, e.body);
  return e.json().id as string;
}
const event = (id: string, payload: object) => nurse.request({ method: 'POST', url: `/api/v1/episodes/${id}/events`, payload });
const historyOf = async (id: string) => (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${id}` })).json().history as { event: string; data: Record<string, unknown>; summary: string }[];
const checklistCount = () => scalar<number>(w.database.db, sql`select count(*)::int from suitability_checklists`);

test('an administrator changes a regimen’s checklist: new assessments use it, earlier ones keep the version they were answered on', async () => {
  const earlier = await newEpisode('trastuzumab-iv-weekly');
  assert.equal((await event(earlier, { event: 'assess', answers: ALL_MET })).statusCode, 200);
  assert.equal((await historyOf(earlier))[0]!.data.checklistVersion, 0, 'the built-in default is version 0');

  const items = [...DEFAULT_CHECKLIST.filter((i) => i.code !== 'IN_SERVICE_AREA').map((i) => ({ ...i })), { text: 'A carer is at home on treatment days' }];
  const saved = await admin.request({ method: 'PUT', url: '/api/v1/admin/checklists/trastuzumab-iv-weekly', payload: { items } });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.equal(saved.json().version, 1);
  const newCode = saved.json().items.at(-1).code as string;
  assert.equal(newCode, 'A_CARER_IS_AT_HOME_ON_TREATMENT_DAYS', 'a new item gets a code from its wording');
  // Another regimen is untouched.
  const all = (await admin.request({ method: 'GET', url: '/api/v1/admin/checklists' })).json().checklists as { regimen: string; version: number }[];
  assert.equal(all.find((c) => c.regimen === 'trastuzumab-iv-3-weekly')!.version, 0);

  const later = await newEpisode('trastuzumab-iv-weekly');
  // The old answers no longer fit: the removed item is refused and the new one is missing.
  const stale = await event(later, { event: 'assess', answers: ALL_MET });
  assert.equal(stale.statusCode, 400);
  assert.match(stale.json().error.fields['answers.IN_SERVICE_AREA'], /not on the checklist/);
  assert.match(stale.json().error.fields[`answers.${newCode}`], /Select yes, no or not applicable/);
  const answers = { ...Object.fromEntries(Object.entries(ALL_MET).filter(([k]) => k !== 'IN_SERVICE_AREA')), [newCode]: 'no' };
  const assessed = await event(later, { event: 'assess', answers });
  assert.equal(assessed.statusCode, 200, assessed.body);
  assert.equal(assessed.json().state, 'not-suitable', 'a "no" to the new item makes the patient unsuitable');
  const [h] = await historyOf(later);
  assert.equal(h!.data.checklistVersion, 1);
  assert.deepEqual(h!.data.unmetItems, ['A carer is at home on treatment days']);
  assert.match(h!.summary, /Not suitable \(checklist version 1\): A carer is at home on treatment days/);
  assert.equal((await historyOf(earlier))[0]!.data.checklistVersion, 0, 'the earlier assessment is unchanged');

  // The nurse's page shows the new wording.
  const page = await nurse.request({ method: 'GET', url: `/episodes/${await newEpisode('trastuzumab-iv-weekly')}` });
  assert.match(page.body, /A carer is at home on treatment days/);
  assert.doesNotMatch(page.body, /contracted service area/);
  const audited = await scalar<number>(w.database.db, sql`select count(*)::int from audit_log where action = 'checklist:update'`);
  assert.equal(audited, 1);
});

test('checklist edits that make no sense are refused and nothing is saved', async () => {
  const before = await checklistCount();
  const cases: [object, string, RegExp][] = [
    [{ items: [] }, 'items', /at least one item/],
    [{ items: [{ text: '   ' }] }, 'items.0.text', /Enter the wording/],
    [{ items: [{ code: 'SAME', text: 'One' }, { code: 'SAME', text: 'Two' }] }, 'items.1.code', /repeats the code SAME/],
    [{ items: [{ code: 'bad code', text: 'One' }] }, 'items.0.code', /capital letters/],
    [{ items: Array.from({ length: 31 }, (_, i) => ({ text: `Item ${i}` })) }, 'items', /at most 30/],
  ];
  for (const [payload, field, message] of cases) {
    const res = await admin.request({ method: 'PUT', url: '/api/v1/admin/checklists/trastuzumab-sc-3-weekly', payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.match(res.json().error.fields[field], message, JSON.stringify(res.json().error.fields));
  }
  assert.equal((await admin.request({ method: 'PUT', url: '/api/v1/admin/checklists/no-such-regimen', payload: { items: [{ text: 'x' }] } })).statusCode, 404);
  assert.equal(await checklistCount(), before);
  assert.equal((await nurse.request({ method: 'PUT', url: '/api/v1/admin/checklists/trastuzumab-sc-3-weekly', payload: { items: [{ text: 'x' }] } })).statusCode, 403);
});

test('the checklist page: edit the wording, add and remove items, and see mistakes next to the box', async () => {
  const form = (extra: Record<string, string>) => ({ ...Object.fromEntries(DEFAULT_CHECKLIST.flatMap((i, k) => [[`code-${k}`, i.code], [`text-${k}`, i.text]])), ...extra });
  const post = (fields: Record<string, string>) =>
    admin.request({ method: 'POST', url: '/admin/checklists/trastuzumab-sc-3-weekly', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams(fields).toString() });
  const blank = await post(form({ 'text-2': ' ' }));
  assert.equal(blank.statusCode, 400);
  assert.match(blank.body, /href="#text-2"[^>]*>\s*Enter the wording of the item/);
  const ok = await post(form({ 'remove-9': 'yes', 'text-0': 'Regimen approved for home use by the Trust', 'text-new': 'Fridge available for the drug', 'na-new': 'yes' }));
  assert.equal(ok.statusCode, 303, ok.body);
  const page = await admin.request({ method: 'GET', url: String(ok.headers.location) });
  assert.match(page.body, /is now in force/);
  const c = (await admin.request({ method: 'GET', url: '/api/v1/admin/checklists' })).json().checklists.find((x: { regimen: string }) => x.regimen === 'trastuzumab-sc-3-weekly');
  assert.equal(c.items.length, DEFAULT_CHECKLIST.length, 'one removed, one added');
  assert.equal(c.items[0].text, 'Regimen approved for home use by the Trust');
  assert.equal(c.items[0].code, 'REGIMEN_HOME_SUITABLE', 'an edited item keeps its code');
  assert.ok(!c.items.some((i: { code: string }) => i.code === 'VENOUS_ACCESS'));
  assert.deepEqual(c.items.at(-1), { code: 'FRIDGE_AVAILABLE_FOR_THE_DRUG', text: 'Fridge available for the drug', naAllowed: true });
});

async function toProviderAccepted(): Promise<string> {
  const id = await newEpisode('trastuzumab-iv-3-weekly');
  for (const body of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-06-01', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId, ...REFERRAL_DETAILS }]) assert.equal((await event(id, body)).statusCode, 200);
  assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${id}/referral-response`, payload: { decision: 'accept' } })).statusCode, 200);
  return id;
}

test('consent is two records, each on a named form version, with who took it and when; withdrawal is recorded on both', async () => {
  const id = await toProviderAccepted();
  const consentCount = () => scalar<number>(w.database.db, sql`select count(*)::int from consents where episode_id = ${id}`);
  const refusals: [object, string, RegExp][] = [
    [{ ...CONSENT, homeTreatmentForm: 'HOME-TX-9' }, 'homeTreatmentForm', /Select a version of the treatment at home form in use: HOME-TX-1/],
    [{ ...CONSENT, dataSharingForm: undefined }, 'dataSharingForm', /Select the version of the data-sharing form/],
    [{ ...CONSENT, takenOn: '2099-01-01' }, 'takenOn', /today or in the past/],
    [{ ...CONSENT, takenOn: '2026-05-31' }, 'takenOn', /on or after the day this episode began/],
    [{ ...CONSENT, takenOn: '2026-02-30' }, 'takenOn', /Enter a real date/],
  ];
  for (const [payload, field, message] of refusals) {
    const res = await event(id, payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.match(res.json().error.fields[field], message);
  }
  assert.equal(await consentCount(), 0, 'nothing saved by a refused consent');

  w.clock.advance(60_000);
  assert.equal((await event(id, CONSENT)).statusCode, 200);
  const nurseId = await w.userId('trust-nurse');
  const saved = await rows<{ kind: string; form_version: string; taken_by: string; taken_on: string; provider_id: string }>(w.database.db, sql`select kind, form_version, taken_by, taken_on::text, provider_id from consents where episode_id = ${id} order by kind`);
  assert.deepEqual(saved, [
    { kind: 'data-sharing', form_version: 'DATA-SHARE-1', taken_by: nurseId, taken_on: '2026-06-01', provider_id: providerId },
    { kind: 'home-treatment', form_version: 'HOME-TX-1', taken_by: nurseId, taken_on: '2026-06-01', provider_id: providerId },
  ]);
  const consentRow = (await historyOf(id)).find((h) => h.event === 'consent')!;
  assert.match(consentRow.summary, /treatment at home form HOME-TX-1, data-sharing form DATA-SHARE-1/);

  assert.equal((await event(id, { event: 'start-home' })).statusCode, 200);
  assert.equal((await event(id, { event: 'withdraw-consent', note: 'Patient no longer wishes to share data' })).statusCode, 200);
  const withdrawn = await rows<{ withdrawn: boolean; note: string }>(w.database.db, sql`select withdrawn_at is not null as withdrawn, withdrawal_note as note from consents where episode_id = ${id}`);
  assert.deepEqual(withdrawn.map((r) => r.withdrawn), [true, true]);
  assert.equal(withdrawn[0]!.note, 'Patient no longer wishes to share data');
});

test('consent form versions: an administrator adds and retires versions; a retired version cannot be chosen, the last in use cannot be retired', async () => {
  const add = (payload: object) => admin.request({ method: 'POST', url: '/api/v1/admin/consent-forms', payload });
  const v2 = await add({ kind: 'home-treatment', version: 'HOME-TX-2', title: 'Consent to treatment at home (2026)', summary: 'I agree to treatment at home and know I can return to hospital at any time.' });
  assert.equal(v2.statusCode, 201, v2.body);
  const dup = await add({ kind: 'home-treatment', version: 'HOME-TX-2', title: 'Again', summary: 'Again' });
  assert.equal(dup.statusCode, 409);
  assert.match(dup.json().error.fields.version, /already exists/);
  for (const [payload, field] of [[{ kind: 'other', version: 'X', title: 'T', summary: 'S' }, 'kind'], [{ kind: 'data-sharing', version: 'has space', title: 'T', summary: 'S' }, 'version'], [{ kind: 'data-sharing', version: 'DS-9', title: '', summary: 'S' }, 'title']] as const) {
    const res = await add(payload);
    assert.equal(res.statusCode, 400);
    assert.ok(res.json().error.fields[field], `${field}: ${res.body}`);
  }
  // Once a version is saved, the built-in one gives way: HOME-TX-1 is no longer offered.
  const id = await toProviderAccepted();
  const old = await event(id, CONSENT);
  assert.equal(old.statusCode, 400);
  assert.match(old.json().error.fields.homeTreatmentForm, /in use: HOME-TX-2/);
  const page = await nurse.request({ method: 'GET', url: `/episodes/${id}` });
  assert.match(page.body, /HOME-TX-2: Consent to treatment at home \(2026\)/);
  assert.match(page.body, /DATA-SHARE-1: Consent to share my information/);

  const lastOne = await admin.request({ method: 'POST', url: `/api/v1/admin/consent-forms/${v2.json().id}/retire` });
  assert.equal(lastOne.statusCode, 409);
  assert.match(lastOne.json().error.message, /Add a newer version/);
  const v3 = await add({ kind: 'home-treatment', version: 'HOME-TX-3', title: 'Consent to treatment at home (v3)', summary: 'Wording 3' });
  assert.equal((await admin.request({ method: 'POST', url: `/api/v1/admin/consent-forms/${v2.json().id}/retire` })).statusCode, 200);
  const retired = await event(id, { ...CONSENT, homeTreatmentForm: 'HOME-TX-2' });
  assert.equal(retired.statusCode, 400, 'a retired version cannot be chosen');
  assert.equal((await event(id, { ...CONSENT, homeTreatmentForm: 'HOME-TX-3' })).statusCode, 200);
  assert.ok(v3.json().id);
  const listed = (await admin.request({ method: 'GET', url: '/api/v1/admin/consent-forms' })).json().forms as { version: string; active: boolean }[];
  assert.deepEqual(listed.filter((f) => f.version.startsWith('HOME-TX')).map((f) => [f.version, f.active]), [['HOME-TX-3', true], ['HOME-TX-2', false]]);
  assert.equal(await scalar<number>(w.database.db, sql`select count(*)::int from audit_log where action in ('consent-form:create', 'consent-form:retire')`), 3);
});

test('the database refuses to move an episode to another patient or provider, even for a request the application let through', async () => {
  const id = await toProviderAccepted();
  const { withContext } = await import('../src/platform/context.ts');
  const { contextFor } = await import('../src/identity/service.ts');
  const { users } = await import('../src/identity/schema.ts');
  const { eq } = await import('drizzle-orm');
  const ctxOfUser = async (username: string) => (await contextFor(w.database.db, (await w.database.db.select().from(users).where(eq(users.username, username)))[0]!, w.clock.now(), null))!;
  const coordinatorCtx = await ctxOfUser('provider-coordinator');
  await assert.rejects(
    withContext(w.database.db, coordinatorCtx, (tx) => tx.execute(sql`update episodes set provider_id = null where id = ${id}`)),
    (err: Error & { cause?: Error }) => /only the Trust may choose the provider/.test(String(err.cause?.message ?? err.message)),
  );
  const nurseCtx = await ctxOfUser('trust-nurse');
  await assert.rejects(
    withContext(w.database.db, nurseCtx, (tx) => tx.execute(sql`update episodes set regimen = 'trastuzumab-iv-weekly' where id = ${id}`)),
    (err: Error & { cause?: Error }) => /cannot change/.test(String(err.cause?.message ?? err.message)),
  );
});
