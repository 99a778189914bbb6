import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { administrations } from '../src/prescribing/schema.ts';
import { reactions, visitChecks } from '../src/visits/schema.ts';
import { buildWorld, PASSWORD, signIn, type World } from './support/world.ts';
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

const dose = (overrides: Record<string, unknown> = {}) => ({
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
  ...overrides,
});

/** A patient whose first home dose (cycle 3, 420 mg) is due today, released, dispensed, and booked for a visit today. */
async function visitToday(opts: { baseline?: { on: string; percent: number } } = {}) {
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: opts.baseline ?? { on: '2026-04-13', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  assert.equal(cycle3.dueDate, '2026-06-01');
  const rx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'HX-2291', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00', nurseId: await w.userId('provider-nurse') } }), 201);
  const visit = booked.visits.find((v) => v.visitDate === '2026-06-01')!;
  return { ...p, rx, visitId: visit.id, visits: booked.visits };
}

test('the nurse’s day: visits booked from the schedule, the safety panel, checklist, dose; the Trust sees it on the patient’s record at once', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  assert.equal(v.visits.length, 16, 'cycles 3–18 are home cycles');
  const day = await ok<{ visits: { id: string; patient: { name: string } }[] }>(t.providerNurse.request({ method: 'GET', url: '/api/v1/visits?from=2026-06-01&to=2026-06-01' }));
  assert.ok(day.visits.some((x) => x.id === v.visitId));
  const panel = await ok<{ canGive: boolean; stops: string[]; prescription: { doses: { doseMg: number }[] }; accessNotes: string; allergies: string }>(t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${v.visitId}` }));
  assert.deepEqual(panel.stops, []);
  assert.equal(panel.canGive, true);
  assert.equal(panel.prescription.doses[0]!.doseMg, 420);
  assert.equal(panel.allergies, 'None known');
  const noCheck = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() });
  assert.equal(noCheck.statusCode, 409);
  assert.match(noCheck.json().error.message, /Complete the pre-administration checklist/);
  const feverish = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID(), observations: { ...GOOD_CHECK.observations, temperatureC: 38.2 } } });
  assert.equal(feverish.statusCode, 400);
  assert.match(feverish.json().error.fields.decisionReason, /outside the limits: enter the reason/);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() }), 201);
  const record = await ok<{ administrations: { givenOn: string; site: string; batch: string; doses: { doseMg: number }[] }[] }>(t.nurse.request({ method: 'GET', url: `/api/v1/patients/${v.patientId}/home-record` }));
  assert.deepEqual(record.administrations.map((a) => [a.givenOn, a.site, a.batch, a.doses[0]!.doseMg]), [['2026-06-01', 'Left forearm', 'HX-2291', 420]]);
});

test('hard stop: an LVEF result awaiting assessment stops the dose at the door, and the server refuses it too', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'B', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00' } }), 201);
  const visitId = booked.visits.find((v) => v.visitDate === '2026-06-01')!.id;
  // A new LVEF result arrives and nobody has assessed it yet: the gate stops the dose at the door.
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'echo', percent: 50, reportingClinician: 'Dr Echo' } }), 201);
  const panel = await ok<{ canGive: boolean; stops: string[] }>(t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${visitId}` }));
  assert.equal(panel.canGive, false);
  assert.match(panel.stops.join(' '), /Do not give this dose: 1 LVEF result is waiting for a clinician to assess/);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  const res = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/administration`, payload: dose() });
  assert.equal(res.statusCode, 409);
  assert.match(res.json().error.message, /^Do not give this dose/);
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, rx)))[0]!.n, 0);
});

test('hard stop: released while the LVEF was in date, the visit a day later finds monitoring overdue — the panel stops it and the server refuses it', async () => {
  await at('2026-06-01');
  // Baseline 2 March: the dose due 1 June is released on day 91, the last allowed; the visit moves to 2 June, day 92.
  const v = await visitToday({ baseline: { on: '2026-03-02', percent: 62 } });
  const moved = await ok<{ visitDate: string }>(t.coordinator.request({ method: 'PATCH', url: `/api/v1/visits/${v.visitId}`, payload: { visitDate: '2026-06-02', windowStart: '07:00', windowEnd: '11:00', reason: 'Patient at a hospital appointment on 1 June' } }));
  assert.equal(moved.visitDate, '2026-06-02');
  await at('2026-06-02');
  const panel = await ok<{ canGive: boolean; stops: string[] }>(t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${v.visitId}` }));
  assert.equal(panel.canGive, false);
  assert.match(panel.stops.join(' '), /Do not give this dose: Cardiac monitoring overdue: the last LVEF was on 2 March 2026, 92 days before/);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  const res = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose({ startedAt: '2026-06-02T07:30:00Z', endedAt: '2026-06-02T08:00:00Z' }) });
  assert.equal(res.statusCode, 409);
  assert.match(res.json().error.message, /^Do not give this dose: Cardiac monitoring overdue/);
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, v.rx)))[0]!.n, 0);
});

test('10 concurrent submissions of the same dose → exactly one stored, 9 "already recorded"', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  const body = dose();
  const results = await Promise.all(Array.from({ length: 10 }, () => t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: body })));
  const codes = results.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
  for (const r of results.filter((x) => x.statusCode === 409)) assert.match(r.json().error.message, /already been recorded/);
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, v.rx)))[0]!.n, 1);
});

test('50 concurrent different doses → 50 stored, 0 errors', async () => {
  await at('2026-06-01');
  const ready: { visitId: string; rx: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const v = await visitToday();
    await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
    ready.push(v);
  }
  const results = await Promise.all(ready.map((v) => t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() })));
  assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [201], results.find((r) => r.statusCode !== 201)?.body);
  for (const v of ready) assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, v.rx)))[0]!.n, 1);
});

test('a grade 2 reaction alerts the Trust and marks the next dose hospital only until a prescriber reviews it', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() }), 201);
  const bad = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/reactions`, payload: { idempotencyKey: randomUUID(), grade: 6, description: '', actions: [] } });
  assert.equal(bad.statusCode, 400);
  const r = await ok<{ hospitalOnlyCycle: number }>(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/reactions`, payload: { idempotencyKey: randomUUID(), grade: 2, description: 'Rigors and rash 40 minutes into the infusion', actions: ['INFUSION_STOPPED', 'ANTIHISTAMINE'] } }), 201);
  assert.equal(r.hospitalOnlyCycle, 4);
  const alerts = await ok<{ alerts: { id: string; kind: string; patientId: string; message: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/alerts' }));
  const alert = alerts.alerts.find((a) => a.patientId === v.patientId && a.kind === 'reaction')!;
  assert.match(alert.message, /Grade 2 \(moderate\) reaction on 2026-06-01: Rigors and rash.*Cycle 4 is marked hospital only/);
  const course = await ok<{ schedule: { cycle: number; id: string }[] }>(t.prescriber.request({ method: 'GET', url: `/api/v1/courses/${v.courseId}` }));
  // The next dose cannot be released to the provider while it is hospital only.
  await at('2026-06-20');
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${v.courseId}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-20' } }), 201);
  const cycle4 = course.schedule.find((c) => c.cycle === 4)!;
  const rx4 = await ok<{ id: string }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle4.id}/prescriptions` }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx4.id}/prescriber-steps`, payload: { event: 'sign' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx4.id}/pharmacy-steps`, payload: { event: 'verify' } }));
  const release = await t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx4.id}/pharmacy-steps`, payload: { event: 'transmit' } });
  assert.equal(release.statusCode, 409);
  assert.match(release.json().error.message, /must be given in hospital until a prescriber has reviewed it/);
  const nurseTry = await t.nurse.request({ method: 'POST', url: `/api/v1/alerts/${alert.id}/resolution`, payload: { resolution: 'Seen' } });
  assert.equal(nurseTry.statusCode, 403, 'only a prescriber reviews a reaction');
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/alerts/${alert.id}/resolution`, payload: { resolution: 'Reviewed: premedicate with chlorphenamine; home treatment may continue' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx4.id}/pharmacy-steps`, payload: { event: 'transmit' } }));
  assert.equal((await w.database.db.select({ n: count() }).from(reactions).where(eq(reactions.patientId, v.patientId)))[0]!.n, 1);
});

test('"not given" → a deferral request on the Trust worklist, answered by the deferral, which moves the visit', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID(), observations: { ...GOOD_CHECK.observations, temperatureC: 38.4 }, decision: 'do-not-give' } }), 201);
  const refused = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() });
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json().error.message, /decided not to give/);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/not-given`, payload: { idempotencyKey: randomUUID(), reasonCode: 'OBSERVATIONS_OUT_OF_RANGE', note: 'Temperature 38.4' } }), 201);
  const alerts = await ok<{ alerts: { id: string; kind: string; patientId: string; message: string; cycleId: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/alerts' }));
  const req = alerts.alerts.find((a) => a.patientId === v.patientId && a.kind === 'deferral-request')!;
  assert.match(req.message, /Cycle 3 was not given on 2026-06-01 \(Observations outside the limits: Temperature 38.4\)\. Defer the cycle/);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${req.cycleId}/deferral`, payload: { newDate: '2026-06-05', reasonCode: 'TOXICITY' } }));
  const after = await ok<{ alerts: { id: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/alerts' }));
  assert.ok(!after.alerts.some((a) => a.id === req.id), 'the deferral answered the request');
});

test('bad input: dose mismatch, expired batch, end before start, times in the future, another provider’s visit → clear message, nothing saved', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ doses: [{ drug: 'TRASTUZUMAB', doseMg: 400 }] }, 'doses', /exactly the released dose: trastuzumab 420 mg/],
    [{ expiry: '2026-05-31' }, 'expiry', /This batch has expired: do not give it/],
    [{ endedAt: '2026-06-01T07:00:00Z' }, 'endedAt', /The end time must be after the start time/],
    [{ startedAt: '2026-06-01T10:00:00Z', endedAt: '2026-06-01T10:30:00Z' }, 'startedAt', /cannot be in the future/],
    [{ site: ' ' }, 'site', /Enter the site/],
  ];
  for (const [change, field, message] of cases) {
    const res = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose(change) });
    assert.equal(res.statusCode, 400, JSON.stringify(change));
    assert.match(res.json().error.fields[field], message);
  }
  const badCheck = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID(), identifiers: ['NAME'] } });
  assert.equal(badCheck.json().error.fields.identifiers, 'Confirm the patient’s identity with at least two identifiers');
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, v.rx)))[0]!.n, 0);
  assert.equal((await w.database.db.select({ n: count() }).from(visitChecks).where(eq(visitChecks.visitId, v.visitId)))[0]!.n, 1);
  // Another provider's nurse: the visit does not exist for them.
  const admin = await signIn(w.app, 'admin');
  const other = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/organisations', payload: { kind: 'provider', odsCode: 'HX9', name: 'Other Home Care Ltd' } }), 201);
  await ok(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'other.nurse', displayName: 'Other Nurse', password: PASSWORD, orgId: other.id, role: 'provider-nurse' } }), 201);
  const otherNurse = await signIn(w.app, 'other.nurse');
  for (const req of [{ method: 'GET' as const, url: `/api/v1/visits/${v.visitId}` }, { method: 'POST' as const, url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() }]) {
    assert.equal((await otherNurse.request(req)).statusCode, 404);
  }
});

test('going back to hospital cancels every future home visit in the same transaction', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/episodes/${v.episodeId}/events`, payload: { event: 'return-to-hospital', reasonCode: 'PATIENT_CHOICE' } }));
  const record = await ok<{ visits: { status: string; rescheduleReason: string | null }[] }>(t.nurse.request({ method: 'GET', url: `/api/v1/patients/${v.patientId}/home-record` }));
  assert.equal(record.visits.length, 16);
  assert.ok(record.visits.every((x) => x.status === 'cancelled' && /left the home pathway \(return to hospital\)/.test(x.rescheduleReason ?? '')));
  assert.equal((await t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${v.visitId}` })).statusCode, 404, 'the provider no longer sees the patient');
});

test('observation limits are set per regimen: a version with a lower temperature limit asks for a decision at 37.7 °C', async () => {
  await at('2026-06-01');
  const { TRASTUZUMAB_IV_3_WEEKLY } = await import('../src/prescribing/regimen-library.ts');
  const admin = await signIn(w.app, 'admin');
  const limits = { temperatureC: { min: 35.5, max: 37.5 }, pulse: { min: 50, max: 110 }, systolic: { min: 90, max: 160 }, diastolic: { min: 50, max: 100 }, spo2: { min: 94 } };
  const bad = await admin.request({ method: 'POST', url: '/api/v1/admin/regimens', payload: { ...TRASTUZUMAB_IV_3_WEEKLY, observationLimits: { ...limits, pulse: { min: 110, max: 50 } } } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.fields['observationLimits.pulse'], 'Enter a lower pulse limit below the upper one');
  const draft = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/regimens', payload: { ...TRASTUZUMAB_IV_3_WEEKLY, observationLimits: limits } }), 201);
  await ok(admin.request({ method: 'POST', url: `/api/v1/admin/regimens/${draft.id}/publish` }));
  const v = await visitToday();
  const warm = { ...GOOD_CHECK, observations: { ...GOOD_CHECK.observations, temperatureC: 37.7 } };
  const res = await t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...warm, idempotencyKey: randomUUID() } });
  assert.equal(res.statusCode, 400);
  assert.match(res.json().error.fields.decisionReason, /outside the limits/);
  const done = await ok<{ outOfRange: string[] }>(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...warm, idempotencyKey: randomUUID(), decisionReason: 'Discussed with the on-call oncologist: give' } }), 201);
  assert.deepEqual(done.outOfRange, ['Temperature 37.7 °C is outside 35.5–37.5']);
});

test('the episode timeline shows what the provider recorded at home beside the pathway’s events', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/administration`, payload: dose() }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${v.visitId}/reactions`, payload: { idempotencyKey: randomUUID(), grade: 1, description: 'Mild flushing', actions: ['OBSERVED'] } }), 201);
  const page = await t.nurse.request({ method: 'GET', url: `/episodes/${v.episodeId}`, headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Dose given at home/);
  assert.match(page.body, /Trastuzumab 420 mg, Left forearm, batch HX-2291/);
  assert.match(page.body, /Mild flushing/);
  // Later in time than the pathway's own "started at home" row.
  assert.ok(page.body.indexOf('Dose given at home') > page.body.indexOf('Started at home') || page.body.indexOf('Started at home') === -1);
});

test('oversized input at the visit is refused with the limit named, and nothing is saved', async () => {
  await at('2026-06-01');
  const v = await visitToday();
  const long = (n: number) => 'x'.repeat(n);
  const cases = [
    { s: t.providerNurse, method: 'POST' as const, url: `/api/v1/visits/${v.visitId}/reactions`, payload: { idempotencyKey: randomUUID(), grade: 1, description: long(2001), actions: [] }, field: 'description', re: /2,000 characters or fewer/ },
    { s: t.providerNurse, method: 'POST' as const, url: `/api/v1/visits/${v.visitId}/incidents`, payload: { idempotencyKey: randomUUID(), kind: 'NEAR_MISS', severity: 'no-harm', description: long(2001) }, field: 'description', re: /2,000 characters or fewer/ },
    { s: t.providerNurse, method: 'POST' as const, url: `/api/v1/visits/${v.visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID(), decisionReason: long(1001) }, field: 'decisionReason', re: /1,000 characters or fewer/ },
    { s: t.coordinator, method: 'PATCH' as const, url: `/api/v1/visits/${v.visitId}`, payload: { visitDate: '2026-06-02', windowStart: '07:00', windowEnd: '11:00', reason: long(501) }, field: 'reason', re: /500 characters or fewer/ },
  ];
  for (const c of cases) {
    const res = await c.s.request({ method: c.method, url: c.url, payload: c.payload });
    assert.equal(res.statusCode, 400, c.url);
    assert.match(res.json().error.fields[c.field], c.re);
  }
  assert.equal((await w.database.db.select({ n: count() }).from(reactions).where(eq(reactions.visitId, v.visitId)))[0]!.n, 0);
  assert.equal((await w.database.db.select({ n: count() }).from(visitChecks).where(eq(visitChecks.visitId, v.visitId)))[0]!.n, 0);
  const panel = await ok<{ visit: { visitDate: string } }>(t.providerNurse.request({ method: 'GET', url: `/api/v1/visits/${v.visitId}` }));
  assert.equal(panel.visit.visitDate, '2026-06-01', 'not moved');
});
