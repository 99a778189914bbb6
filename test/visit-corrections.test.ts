import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { administrations } from '../src/prescribing/schema.ts';
import { STALE_DOSE } from '../src/visits/corrections.ts';
import { buildWorld, PASSWORD, signIn, type Session, type World } from './support/world.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from './support/prescribing.ts';
import { GOOD_CHECK } from './support/visits.ts';

let w: World;
let t: Team;

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  await at('2026-06-01');
});
after(() => w.close());

async function at(iso: string) {
  w.clock.set(new Date(`${iso}T09:00:00Z`));
  t = await team(w);
}

const dose = () => ({
  idempotencyKey: randomUUID(),
  doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }],
  route: 'IV',
  site: 'Left forearm',
  startedAt: '2026-06-01T07:30:00Z',
  endedAt: '2026-06-01T08:00:00Z',
  batch: 'HX-2291',
  expiry: '2027-01-31',
  observationCompleted: true,
  anaphylaxisKitConfirmed: true,
});
const correction = (version: number, overrides: Record<string, unknown> = {}) => ({
  expectedVersion: version,
  site: 'Right forearm',
  startedAt: '2026-06-01T07:40:00Z',
  endedAt: '2026-06-01T08:10:00Z',
  observationCompleted: true,
  reason: 'Site and times typed wrongly at the visit',
  ...overrides,
});

/** A patient whose first home dose (cycle 3, 420 mg) is due today, booked for a visit today, with a checklist done. */
async function visitToday() {
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'HX-2291', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00', nurseId: await w.userId('provider-nurse') } }), 201);
  const visitId = booked.visits.find((v) => v.visitDate === '2026-06-01')!.id;
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  return { ...p, rx, visitId };
}

/** A visit today with its dose recorded by the provider's nurse (version 1). */
async function givenVisit() {
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() }), 201);
  return v;
}

const stored = async (rx: string) => (await w.database.db.select().from(administrations).where(eq(administrations.prescriptionId, rx)))[0]!;
const corrections = (patientId: string) => w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'visit:dose-correct'), eq(auditLog.patientId, patientId)));
const patch = (s: Session, visitId: string, payload: Record<string, unknown>) => s.request({ method: 'PATCH', url: `/api/v1/visits/${visitId}/administration`, payload });

test('a correction with the record’s version changes the site and times, bumps the version, and is audited with the reason and the original values', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  const panel = await ok<{ administration: { id: string; version: number; site: string; startedAt: string; endedAt: string; observationCompleted: boolean } }>(t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${v.visitId}` }));
  assert.deepEqual({ ...panel.administration, id: undefined }, { id: undefined, version: 1, site: 'Left forearm', startedAt: '2026-06-01T07:30:00.000Z', endedAt: '2026-06-01T08:00:00.000Z', observationCompleted: true });
  const before = await stored(v.rx);
  assert.equal(panel.administration.id, before.id);
  const corrected = await ok<{ id: string; version: number; site: string; startedAt: string; endedAt: string; doses: { doseMg: number }[]; batch: string; givenOn: string }>(patch(t.providerNurse, v.visitId, correction(panel.administration.version)));
  assert.equal(corrected.id, before.id);
  assert.equal(corrected.version, 2);
  assert.equal(corrected.site, 'Right forearm');
  assert.equal(corrected.startedAt, '2026-06-01T07:40:00.000Z');
  assert.equal(corrected.endedAt, '2026-06-01T08:10:00.000Z');
  assert.deepEqual([corrected.doses[0]!.doseMg, corrected.batch, corrected.givenOn], [420, 'HX-2291', '2026-06-01'], 'the dose, batch and date are untouched');
  const after = await stored(v.rx);
  assert.deepEqual([after.version, after.site, after.startedAt?.toISOString(), after.endedAt?.toISOString()], [2, 'Right forearm', '2026-06-01T07:40:00.000Z', '2026-06-01T08:10:00.000Z']);
  const [row, ...more] = await corrections(v.patientId);
  assert.equal(more.length, 0);
  const detail = row!.detail as { reason: string; fromVersion: number; toVersion: number; administrationId: string; before: Record<string, unknown>; after: Record<string, unknown> };
  assert.equal(detail.reason, 'Site and times typed wrongly at the visit');
  assert.deepEqual([detail.fromVersion, detail.toVersion, detail.administrationId], [1, 2, before.id]);
  assert.deepEqual(detail.before, { site: 'Left forearm', startedAt: '2026-06-01T07:30:00.000Z', endedAt: '2026-06-01T08:00:00.000Z', observationCompleted: true });
  assert.deepEqual(detail.after, { site: 'Right forearm', startedAt: '2026-06-01T07:40:00.000Z', endedAt: '2026-06-01T08:10:00.000Z', observationCompleted: true });
  // The Trust sees the corrected record, with its version, on the patient's home record.
  const record = await ok<{ administrations: { id: string; version: number; site: string }[] }>(t.nurse.request({ method: 'GET', url: `/api/v1/patients/${v.patientId}/home-record` }));
  assert.deepEqual(record.administrations.map((a) => [a.id, a.version, a.site]), [[before.id, 2, 'Right forearm']]);
});

test('a second correction sent with the old version → 409 with the stale message, and nothing changed', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  await ok(patch(t.providerNurse, v.visitId, correction(1)));
  const stale = await patch(t.providerNurse, v.visitId, correction(1, { site: 'Left thigh', reason: 'Second thoughts' }));
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().error.message, 'Someone else changed this dose record since you opened it. Reload the page to see the latest, then try again.');
  const after = await stored(v.rx);
  assert.deepEqual([after.version, after.site], [2, 'Right forearm']);
  assert.equal((await corrections(v.patientId)).length, 1);
});

test('two concurrent corrections with the same version → exactly one succeeds, the other is refused as stale', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  const [a, b] = await Promise.all([patch(t.providerNurse, v.visitId, correction(1, { site: 'Right forearm' })), patch(t.providerNurse, v.visitId, correction(1, { site: 'Left thigh' }))]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
  const loser = a.statusCode === 409 ? a : b;
  const winner = a.statusCode === 200 ? a : b;
  assert.equal(loser.json().error.message, STALE_DOSE);
  const after = await stored(v.rx);
  assert.deepEqual([after.version, after.site], [2, winner.json().site]);
  assert.equal((await corrections(v.patientId)).length, 1);
});

test('bad input: end before start, a future time, another day, no site, no reason, no version, no dose, another nurse or provider → clear message, nothing changed', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ endedAt: '2026-06-01T07:30:00Z' }, 'endedAt', /The end time must be after the start time/],
    [{ startedAt: '2026-06-01T09:30:00Z', endedAt: '2026-06-01T09:45:00Z' }, 'startedAt', /The start time cannot be in the future/],
    [{ startedAt: '2026-05-31T07:40:00Z', endedAt: '2026-05-31T08:10:00Z' }, 'startedAt', /must be on 1 June 2026, the day the dose was given/],
    [{ site: ' ' }, 'site', /Enter the site/],
    [{ reason: '  ' }, 'reason', /^Enter the reason for the correction$/],
    [{ observationCompleted: false }, 'observationCompleted', /Confirm the observation period was completed/],
  ];
  for (const [change, field, message] of cases) {
    const res = await patch(t.providerNurse, v.visitId, correction(1, change));
    assert.equal(res.statusCode, 400, JSON.stringify(change));
    assert.match(res.json().error.fields[field], message, JSON.stringify(change));
  }
  const noReason = await patch(t.providerNurse, v.visitId, { ...correction(1), reason: undefined });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().error.fields.reason, 'Enter the reason for the correction');
  const noVersion = await patch(t.providerNurse, v.visitId, { ...correction(1), expectedVersion: undefined });
  assert.equal(noVersion.statusCode, 400);
  const dose2 = await patch(t.providerNurse, v.visitId, { ...correction(1), doses: [{ drug: 'TRASTUZUMAB', doseMg: 400 }] });
  assert.equal(dose2.statusCode, 400, 'the dose is not a field a correction may carry');
  // A visit with no dose recorded.
  const open = await visitToday();
  const none = await patch(t.providerNurse, open.visitId, correction(1));
  assert.equal(none.statusCode, 409);
  assert.equal(none.json().error.message, 'No dose has been recorded at this visit');
  // Another nurse of the same provider did not record it; another provider's nurse cannot see the visit at all.
  const admin = await signIn(w.app, 'admin');
  const provider = await w.org('HX1');
  await ok(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'second.nurse', displayName: 'Second Nurse', password: PASSWORD, orgId: provider.id, role: 'provider-nurse' } }), 201);
  const colleague = await patch(await signIn(w.app, 'second.nurse'), v.visitId, correction(1));
  assert.equal(colleague.statusCode, 403);
  assert.match(colleague.json().error.message, /Only the nurse who recorded this dose can correct it/);
  const other = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/organisations', payload: { kind: 'provider', odsCode: 'HX8', name: 'Other Home Care Ltd' } }), 201);
  await ok(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'other.nurse.corrections', displayName: 'Other Nurse', password: PASSWORD, orgId: other.id, role: 'provider-nurse' } }), 201);
  assert.equal((await patch(await signIn(w.app, 'other.nurse.corrections'), v.visitId, correction(1))).statusCode, 404);
  assert.equal((await patch(t.nurse, v.visitId, correction(1))).statusCode, 403, 'the Trust’s nurse does not record visits');
  const after = await stored(v.rx);
  assert.deepEqual([after.version, after.site, after.startedAt?.toISOString(), after.endedAt?.toISOString()], [1, 'Left forearm', '2026-06-01T07:30:00.000Z', '2026-06-01T08:00:00.000Z']);
  assert.equal((await corrections(v.patientId)).length, 0);
});

test('the database still refuses to change the dose, its date, batch or key, even for the owner', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  const a = await stored(v.rx);
  for (const change of [sql`doses = '[{"drug":"TRASTUZUMAB","doseMg":400}]'::jsonb`, sql`given_on = '2026-05-31'`, sql`batch = 'OTHER'`, sql`idempotency_key = 'changed-key'`]) {
    await assert.rejects(w.database.db.execute(sql`update administrations set ${change} where id = ${a.id}`), (err: Error & { cause?: Error }) => {
      assert.match(String(err.cause?.message ?? err.message), /a recorded dose, its date, batch and prescription cannot be changed/);
      return true;
    });
  }
  const after = await stored(v.rx);
  assert.deepEqual([after.doses, after.givenOn, after.batch, after.version], [a.doses, a.givenOn, a.batch, 1]);
});

test('the visit page: the correction form with the version; bad input and a stale version show the error summary keeping what was typed; a correction shows a banner', async () => {
  await at('2026-06-01');
  const v = await givenVisit();
  const html = { accept: 'text/html' };
  const page = await t.providerNurse.request({ method: 'GET', url: `/visits/${v.visitId}`, headers: html });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Correct the dose record/);
  assert.match(page.body, /name="expectedVersion" value="1"/);
  assert.match(page.body, /id="correction-site"[^>]*value="Left forearm"/);
  assert.match(page.body, /id="correction-startTime"[^>]*value="08:30"/);
  const form = (fields: Record<string, string>) => ({ method: 'POST' as const, url: `/visits/${v.visitId}/administration/correction`, headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ expectedVersion: '1', givenOn: '2026-06-01', site: 'Right forearm', startTime: '08:40', endTime: '09:10', observationCompleted: 'yes', reason: 'Typed wrongly', ...fields }).toString() });
  const squash = (r: { body: string }) => r.body.replace(/\s+/g, ' ');
  const bad = await t.providerNurse.request(form({ endTime: '08:20', reason: '' }));
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /There is a problem/);
  assert.match(squash(bad), /href="#correction-endTime"> The end time must be after the start time/);
  assert.match(squash(bad), /href="#correction-reason"> Enter the reason for the correction/);
  assert.match(bad.body, /id="correction-site"[^>]*value="Right forearm"/, 'what was typed is kept');
  assert.equal((await stored(v.rx)).version, 1);
  const done = await t.providerNurse.request(form({}));
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `/visits/${v.visitId}?done=correction`);
  const banner = await t.providerNurse.request({ method: 'GET', url: String(done.headers.location), headers: html });
  assert.match(banner.body, /Dose record corrected/);
  assert.match(banner.body, /name="expectedVersion" value="2"/);
  const stale = await t.providerNurse.request(form({ site: 'Left thigh', reason: 'Another change' }));
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /There is a problem/);
  assert.match(stale.body, /Someone else changed this dose record since you opened it\. Reload the page to see the latest, then try again\./);
  assert.match(stale.body, /id="correction-site"[^>]*value="Left thigh"/, 'what was typed is kept');
  assert.match(stale.body, /Another change/);
  const after = await stored(v.rx);
  assert.deepEqual([after.version, after.site, after.startedAt?.toISOString()], [2, 'Right forearm', '2026-06-01T07:40:00.000Z']);
});
