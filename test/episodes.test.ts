import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { allowedEvents, EPISODE_EVENTS, type EpisodeState } from '../src/pathway/episode-rules.ts';
import { buildWorld, nextNhsNumber, signIn, type Session, type World, REFERRAL_DETAILS, ALL_MET, CONSENT } from './support/world.ts';
import { pdfText } from './support/pdf.ts';

let w: World;
let nurse: Session;
let coordinator: Session;
let providerId: string;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  nurse = await signIn(w.app, 'trust-nurse');
  coordinator = await signIn(w.app, 'provider-coordinator');
  providerId = (await w.org('HX1')).id;
});
after(() => w.close());

async function newEpisode(s: Session = nurse): Promise<{ patientId: string; episodeId: string }> {
  const p = await s.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Path', familyName: 'Way', dateOfBirth: '1968-03-03' } });
  assert.equal(p.statusCode, 201, p.body);
  const e = await s.request({ method: 'POST', url: `/api/v1/patients/${p.json().id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } });
  assert.equal(e.statusCode, 201, e.body);
  return { patientId: p.json().id, episodeId: e.json().id };
}
const event = (id: string, payload: object, s: Session = nurse) => s.request({ method: 'POST', url: `/api/v1/episodes/${id}/events`, payload });

test('the whole pathway: suitable → offered → accepted → referred → provider accepts → consented → at home → back to hospital, with history', async () => {
  const { episodeId, patientId } = await newEpisode();
  const steps: [Session, string, object, EpisodeState][] = [
    [nurse, 'events', { event: 'assess', answers: ALL_MET }, 'suitable'],
    [nurse, 'events', { event: 'offer', offeredOn: '2026-05-28', leafletVersion: 'HAH-2.1' }, 'offered'],
    [nurse, 'events', { event: 'accept' }, 'accepted'],
    [nurse, 'events', { event: 'refer', providerId, ...REFERRAL_DETAILS }, 'referred'],
    [coordinator, 'referral-response', { decision: 'accept' }, 'provider-accepted'],
    [nurse, 'events', CONSENT, 'consented'],
    [nurse, 'events', { event: 'start-home' }, 'active-at-home'],
    [nurse, 'events', { event: 'return-to-hospital', reasonCode: 'CLINICAL', note: 'Needs closer review' }, 'returned-to-hospital'],
  ];
  for (const [s, path, payload, state] of steps) {
    w.clock.advance(60_000);
    const r = await s.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/${path}`, payload });
    assert.equal(r.statusCode, 200, `${JSON.stringify(payload)}: ${r.body}`);
    assert.equal(r.json().state, state);
  }
  const view = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).json();
  assert.equal(view.history.length, steps.length);
  assert.deepEqual(view.history.map((h: { to: string }) => h.to), steps.map((s) => s[3]));
  const coordinatorId = await w.userId('provider-coordinator');
  assert.equal(view.history[4].byUserId, coordinatorId, 'the provider’s answer is recorded as the coordinator’s');
  assert.equal(view.history[7].reason, 'Clinical reason');
  assert.equal(view.history[1].data.leafletVersion, 'HAH-2.1', 'the offer keeps the leaflet version');
  assert.deepEqual(view.allowedEvents, ['refer', 'discontinue'], 'a returned patient can be re-referred');
  const audited = await scalar<number>(w.database.db, sql`select count(*)::int from audit_log where patient_id = ${patientId} and action like 'episode:%' and action not in ('episode:read', 'episode:list', 'episode:create')`);
  assert.equal(audited, steps.length, 'every transition is audited');
  const providerView = await coordinator.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` });
  assert.equal(providerView.statusCode, 404, 'once the patient is back in hospital the provider no longer sees the record');

  // GP letters: one at the start of home treatment, one on the return to hospital, each a PDF naming patient and reason.
  const letters = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}/letters` })).json() as { letters: { kind: string; href: string }[] };
  assert.deepEqual(letters.letters.map((l) => l.kind).sort(), ['return', 'start']);
  const pdf = await nurse.request({ method: 'GET', url: letters.letters.find((l) => l.kind === 'return')!.href });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.ok(pdf.rawPayload.subarray(0, 5).toString() === '%PDF-');
  const text = pdfText(pdf.rawPayload);
  assert.match(text, /Return to hospital treatment/);
  assert.match(text, /Path Way has returned from home treatment/);
  assert.match(text, /Reason: Clinical reason\. Needs closer review/);
  assert.match(text, /NHS number \d{3} \d{3} \d{4}/);
  const startText = pdfText((await nurse.request({ method: 'GET', url: letters.letters.find((l) => l.kind === 'start')!.href })).rawPayload);
  assert.match(startText, /given by Meridian Home Healthcare nurses/);
  const other = await signIn(w.app, 'trust-nurse-b');
  assert.equal((await other.request({ method: 'GET', url: letters.letters[0]!.href })).statusCode, 404, 'another Trust cannot fetch the letter');
});

test('an illegal transition → 409 that says what is allowed, and nothing is written', async () => {
  const { episodeId } = await newEpisode();
  const before = await scalar<number>(w.database.db, sql`select count(*)::int from episode_events where episode_id = ${episodeId}`);
  const r = await event(episodeId, { event: 'start-home' });
  assert.equal(r.statusCode, 409);
  assert.match(r.json().error.message, /You cannot start treatment at home while the episode is identified\. You can: record suitability, discontinue the episode\./);
  assert.equal(await scalar<number>(w.database.db, sql`select count(*)::int from episode_events where episode_id = ${episodeId}`), before);
});

test('a declined patient can be offered again later', async () => {
  const { episodeId } = await newEpisode();
  for (const p of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' }, { event: 'decline', reasonCode: 'WANTS_CONTACT_WITH_OTHER_PATIENTS' }, { event: 'offer', offeredOn: '2026-05-29', leafletVersion: 'v1' }, { event: 'accept' }]) {
    assert.equal((await event(episodeId, p)).statusCode, 200, JSON.stringify(p));
  }
});

test('stale edits are refused with a clear message and lose nothing', async () => {
  const { episodeId } = await newEpisode();
  assert.equal((await event(episodeId, { event: 'assess', answers: ALL_MET, expectedVersion: 1 })).statusCode, 200);
  const stale = await event(episodeId, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1', expectedVersion: 1 });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.json().error.message, /Someone else changed this episode/);
  const view = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).json();
  assert.equal(view.episode.state, 'suitable');
  assert.equal(view.episode.version, 2);
});

test('bad input for each event gets a field message and changes nothing', async () => {
  const { episodeId } = await newEpisode();
  const cases: [object, string, RegExp][] = [
    [{ event: 'assess', answers: { REGIMEN_HOME_SUITABLE: 'yes' } }, 'answers.LVEF_IN_DATE', /Select yes, no or not applicable/],
    [{ event: 'assess' }, 'answers', /Answer the suitability checklist/],
    [{ event: 'assess', answers: { ...ALL_MET, PATIENT_AGREES: 'na' } }, 'answers.PATIENT_AGREES', /this item always applies/],
    [{ event: 'assess', answers: ALL_MET, suitable: true }, 'suitable', /not a field/],
    [{ event: 'fly' }, 'event', /Select a valid event/],
    [{ event: 'assess', answers: ALL_MET, trustId: 'x' }, 'trustId', /not a field/],
  ];
  for (const [payload, field, message] of cases) {
    const r = await event(episodeId, payload);
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.match(JSON.stringify(r.json().error.fields ?? {}) + r.json().error.message, message, `${field}: ${r.body}`);
  }
  const notMet = await event(episodeId, { event: 'assess', answers: { ...ALL_MET, VENOUS_ACCESS: 'na', IN_SERVICE_AREA: 'no' } });
  assert.equal(notMet.json().state, 'not-suitable', 'the server works the result out from the answers');
  const view1 = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).json();
  assert.deepEqual(view1.history[0].data.unmetItems, ['Postcode is within the provider’s contracted service area']);
  await event(episodeId, { event: 'assess', answers: ALL_MET });
  await event(episodeId, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' });
  const noReason = await event(episodeId, { event: 'decline' });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.json().error.fields.reasonCode, /Select the reason the patient declined/);
  const other = await event(episodeId, { event: 'decline', reasonCode: 'OTHER' });
  assert.match(other.json().error.fields.note, /Enter the reason when you select Other/);
  const badDate = await event(episodeId, { event: 'offer', offeredOn: '2026-02-30', leafletVersion: 'v1' });
  assert.equal(badDate.statusCode, 400);
  const view = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).json();
  assert.equal(view.episode.state, 'offered', 'none of the refused events changed the episode');
});

test('only the provider the patient was referred to may answer, and only its coordinator; another Trust sees nothing', async () => {
  const { episodeId } = await newEpisode();
  for (const p of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId, ...REFERRAL_DETAILS }]) await event(episodeId, p);
  const providerNurse = await signIn(w.app, 'provider-nurse');
  assert.equal((await providerNurse.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: { decision: 'accept' } })).statusCode, 403);
  const declineNoReason = await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: { decision: 'decline' } });
  assert.equal(declineNoReason.statusCode, 400);
  const otherTrust = await signIn(w.app, 'trust-nurse-b');
  assert.equal((await otherTrust.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).statusCode, 404);
  assert.equal((await event(episodeId, CONSENT, otherTrust)).statusCode, 404);
  const declined = await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: { decision: 'decline', note: 'No nurse capacity in this area' } });
  assert.equal(declined.statusCode, 200);
  assert.equal(declined.json().state, 'provider-declined');
  assert.equal((await coordinator.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).statusCode, 404, 'a declined referral ends the provider’s sight of the patient');
  const notReferred = await newEpisode();
  assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${notReferred.episodeId}/referral-response`, payload: { decision: 'accept' } })).statusCode, 404);
});

test('property: 60 random event sequences through the service never leave a legal state, and every change writes history and audit', async () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const payloadFor = (e: string): object => {
    switch (e) {
      case 'assess': return rand(3) ? { event: e, answers: ALL_MET } : { event: e, answers: { ...ALL_MET, HOME_ENVIRONMENT: 'no' } };
      case 'offer': return { event: e, offeredOn: '2026-05-15', leafletVersion: 'v1' };
      case 'decline': return { event: e, reasonCode: 'PREFERS_HOSPITAL_SUPPORT' };
      case 'refer': return { event: e, providerId, ...REFERRAL_DETAILS };
      case 'consent': return { ...CONSENT };
      case 'return-to-hospital': return { event: e, reasonCode: 'PATIENT_CHOICE' };
      case 'discontinue': return { event: e, note: 'Treatment stopped' };
      case 'withdraw-consent': return { event: e, note: 'Withdrew consent to home visits' };
      default: return { event: e };
    }
  };
  for (let run = 0; run < 60; run++) {
    const { episodeId, patientId } = await newEpisode();
    let state: EpisodeState = 'identified';
    let changes = 0;
    for (let i = 0; i < 12; i++) {
      const e = EPISODE_EVENTS[rand(EPISODE_EVENTS.length)]!;
      const legal = allowedEvents(state).includes(e);
      const res = e === 'provider-accept' || e === 'provider-decline'
        ? await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: e === 'provider-accept' ? { decision: 'accept' } : { decision: 'decline', note: 'No capacity' } })
        : await event(episodeId, payloadFor(e));
      if (legal) {
        assert.equal(res.statusCode, 200, `${state} --${e}--> ${res.body}`);
        state = res.json().state;
        changes++;
      } else {
        // Illegal: 409 for the Trust; the provider cannot even see an episode that is not referred to it (404).
        assert.ok([409, 404].includes(res.statusCode), `${state} --${e}--> ${res.statusCode}`);
      }
    }
    const history = await rows<{ to_state: string }>(w.database.db, sql`select to_state from episode_events where episode_id = ${episodeId} order by at, id`);
    assert.equal(history.length, changes);
    const audits = await scalar<number>(w.database.db, sql`select count(*)::int from audit_log where patient_id = ${patientId} and outcome = 'success' and action like 'episode:%' and action not in ('episode:read', 'episode:list', 'episode:create')`);
    assert.equal(audits, changes);
    const [ep] = await rows<{ state: string }>(w.database.db, sql`select state from episodes where id = ${episodeId}`);
    assert.equal(ep!.state, state);
  }
});

test('the electronic referral: every field the provider needs is required, and the provider sees the referral but not the Trust’s earlier steps', async () => {
  const { episodeId } = await newEpisode();
  for (const p of [{ event: 'assess', answers: { ...ALL_MET, HOME_ENVIRONMENT: 'no' } }, { event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' }, { event: 'decline', reasonCode: 'PREFERS_HOSPITAL_SUPPORT' }, { event: 'offer', offeredOn: '2026-05-20', leafletVersion: 'v1' }, { event: 'accept' }]) {
    assert.equal((await event(episodeId, p)).statusCode, 200);
  }
  const { allergies: _a, venousAccess: _v, ...missing } = REFERRAL_DETAILS;
  const incomplete = await event(episodeId, { event: 'refer', providerId, ...missing });
  assert.equal(incomplete.statusCode, 400);
  assert.match(incomplete.json().error.fields.allergies, /Enter allergies/);
  assert.match(incomplete.json().error.fields.venousAccess, /Select the venous access/);
  assert.equal((await event(episodeId, { event: 'refer', providerId, ...REFERRAL_DETAILS })).statusCode, 200);
  const seen = (await coordinator.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).json();
  assert.deepEqual(seen.history.map((h: { event: string }) => h.event), ['refer'], 'the provider sees the referral onwards only');
  assert.equal(seen.history[0].data.allergies, 'None known');
  assert.deepEqual(seen.allowedEvents, [], 'the provider drives none of the Trust’s steps');
  const page = await coordinator.request({ method: 'GET', url: `/episodes/${episodeId}`, headers: { accept: 'text/html' } });
  assert.match(page.body, /Key safe 1234; dog shut in the kitchen/);
  assert.doesNotMatch(page.body, /Prefers the support of the hospital unit/, 'the patient’s earlier decline reason stays with the Trust');
});

test('one open episode per patient; letters print any name; a return before home treatment writes no letter; consent needs a live agreement', async () => {
  const p = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Łucja', familyName: 'Dvořák', dateOfBirth: '1970-07-07' } });
  const patientId = p.json().id as string;
  const first = await nurse.request({ method: 'POST', url: `/api/v1/patients/${patientId}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } });
  assert.equal(first.statusCode, 201);
  const second = await nurse.request({ method: 'POST', url: `/api/v1/patients/${patientId}/episodes`, payload: { regimen: 'trastuzumab-sc-3-weekly' } });
  assert.equal(second.statusCode, 409);
  assert.match(second.json().error.message, /already has an open home-pathway episode/);
  const badRegimen = await nurse.request({ method: 'POST', url: `/api/v1/patients/${patientId}/episodes`, payload: { regimen: 'toString' } });
  assert.equal(badRegimen.statusCode, 400);
  const id = first.json().id as string;
  for (const body of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId, ...REFERRAL_DETAILS }]) assert.equal((await event(id, body)).statusCode, 200);
  assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${id}/referral-response`, payload: { decision: 'accept' } })).statusCode, 200);
  // The agreement ends before consent: consent (which names the provider) is refused.
  const admin = await signIn(w.app, 'admin');
  const trustA = await w.org('RX1');
  const agreement = ((await admin.request({ method: 'GET', url: '/api/v1/admin/agreements' })).json() as { agreements: { id: string; trustId: string; status: string }[] }).agreements.find((a) => a.trustId === trustA.id && a.status === 'active')!;
  await admin.request({ method: 'POST', url: `/api/v1/admin/agreements/${agreement.id}/end`, payload: { reason: 'Test: agreement ended' } });
  const consent = await event(id, CONSENT);
  assert.equal(consent.statusCode, 409);
  assert.match(consent.json().error.message, /no longer active/);
  assert.equal((await event(id, { event: 'return-to-hospital', reasonCode: 'PROVIDER_CAPACITY' })).statusCode, 200);
  const letters = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${id}/letters` })).json() as { letters: unknown[] };
  assert.equal(letters.letters.length, 0, 'the GP was never told home treatment started, so no return letter');
  await admin.request({ method: 'POST', url: '/api/v1/admin/agreements', payload: { trustId: trustA.id, providerId, reference: 'DSA-RENEWED', startsOn: '2026-01-01' } });

  // A name outside Latin-1 prints correctly in the PDF.
  const { renderLetterPdf } = await import('../src/pathway/letters.ts');
  const text = pdfText(await renderLetterPdf('Start of home treatment', 'Re: Łucja Dvořák', 'Ardenfield NHS Foundation Trust'));
  assert.match(text, /Re: Łucja Dvořák/);
});

test('withdrawing consent ends the home pathway: back to hospital, the provider loses sight, the GP is told why', async () => {
  const { episodeId } = await newEpisode();
  for (const body of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-01', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId, ...REFERRAL_DETAILS }]) assert.equal((await event(episodeId, body)).statusCode, 200);
  assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: { decision: 'accept' } })).statusCode, 200);
  for (const body of [CONSENT, { event: 'start-home' }]) assert.equal((await event(episodeId, body)).statusCode, 200);
  const noNote = await event(episodeId, { event: 'withdraw-consent' });
  assert.equal(noNote.statusCode, 400);
  assert.match(noNote.json().error.fields.note, /Enter what the patient withdrew consent to/);
  const withdrawn = await event(episodeId, { event: 'withdraw-consent', note: 'No longer wishes to share data with the provider' });
  assert.equal(withdrawn.statusCode, 200);
  assert.equal(withdrawn.json().state, 'returned-to-hospital');
  assert.equal((await coordinator.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}` })).statusCode, 404);
  const letters = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}/letters` })).json() as { letters: { kind: string; href: string }[] };
  const text = pdfText((await nurse.request({ method: 'GET', url: letters.letters.find((l) => l.kind === 'return')!.href })).rawPayload);
  assert.match(text, /Reason: the patient withdrew consent\. No longer wishes to share data with the provider/);
});
