import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildWorld, type Session, type World } from './support/world.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from './support/prescribing.ts';

let w: World;
let t: Team;
let nurseId: string;

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  w.clock.set(new Date('2026-06-01T09:00:00Z'));
  t = await team(w);
  nurseId = await w.userId('provider-nurse');
});
after(() => w.close());

/** Posts an HTML form as the page does (CSRF header from the session; url-encoded body). */
const post = (s: Session, url: string, form: Record<string, string>) =>
  s.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams(form).toString() });
const page = (s: Session, url: string) => s.request({ method: 'GET', url, headers: { accept: 'text/html' } });

/** A course whose first home cycle (3) is due on 1 June 2026, booked from the page with a window and the nurse. */
async function bookedFromPage() {
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const patient = await ok<{ familyName: string; givenName: string }>(t.nurse.request({ method: 'GET', url: `/api/v1/patients/${p.patientId}` }));
  const name = `${patient.familyName}, ${patient.givenName}`;
  const before = await page(t.coordinator, '/visits/schedule?date=2026-06-01');
  assert.equal(before.statusCode, 200);
  assert.ok(before.body.includes(`action="/courses/${p.courseId}/visits"`), 'the course is offered for booking');
  const res = await post(t.coordinator, `/courses/${p.courseId}/visits`, { windowStart: '07:00', windowEnd: '11:00', nurseId, returnDate: '2026-06-01', returnView: 'day' });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/visits/schedule?date=2026-06-01&view=day&done=booked&booked=16');
  const list = await ok<{ visits: { id: string; visitDate: string; cycleId: string; version: number }[] }>(t.coordinator.request({ method: 'GET', url: '/api/v1/visits?from=2026-06-01&to=2026-06-01' }));
  const visit = list.visits.find((v) => v.cycleId === p.cycles.find((c) => c.cycle === 3)!.id)!;
  return { ...p, name, visitId: visit.id };
}

test('booking from the page books every home cycle; the day view lists the visit with window, patient, postcode, nurse and status', async () => {
  const b = await bookedFromPage();
  const day = await page(t.coordinator, '/visits/schedule?date=2026-06-01&done=booked&booked=16');
  assert.equal(day.statusCode, 200);
  assert.match(day.body, /16 visits booked\./);
  assert.match(day.body, /<h1>Home visits, Monday 1 June 2026<\/h1>/);
  assert.ok(day.body.includes(b.name), 'the patient is listed');
  assert.match(day.body, /07:00 to 11:00/);
  assert.match(day.body, /Provider Nurse|provider-nurse|Nurse/);
  assert.match(day.body, /nhsuk-tag--blue">\s*Booked\s*</);
  assert.ok(!day.body.includes(`action="/courses/${b.courseId}/visits"`), 'a course with every home cycle booked is no longer offered');
  assert.match(day.body, /href="\/visits\/schedule\?date=2026-05-31&amp;view=day"/, 'previous day');
  assert.match(day.body, /href="\/visits\/schedule\?date=2026-06-02&amp;view=day"/, 'next day');
  // The nurse filter: this nurse's visits, and none for another id.
  assert.ok((await page(t.coordinator, `/visits/schedule?date=2026-06-01&nurse=${nurseId}`)).body.includes(b.name));
  assert.ok(!(await page(t.coordinator, `/visits/schedule?date=2026-06-01&nurse=${randomUUID()}`)).body.includes(b.name));
});

test('the week view shows each day from Monday with the booked visits, and links to the weeks either side', async () => {
  const b = await bookedFromPage();
  const week = await page(t.coordinator, '/visits/schedule?date=2026-06-03&view=week');
  assert.equal(week.statusCode, 200);
  assert.match(week.body, /Home visits, week of 1 June 2026/);
  for (const d of ['Monday 1 June 2026', 'Wednesday 3 June 2026', 'Sunday 7 June 2026']) assert.ok(week.body.includes(`>${d}</h2>`), d);
  const monday = week.body.slice(week.body.indexOf('>Monday 1 June 2026</h2>'), week.body.indexOf('>Tuesday 2 June 2026</h2>'));
  assert.ok(monday.includes(b.name), 'the visit is under Monday');
  assert.match(week.body, /href="\/visits\/schedule\?date=2026-05-25&amp;view=week"/);
  assert.match(week.body, /href="\/visits\/schedule\?date=2026-06-08&amp;view=week"/);
  // Cycle 4 is due three weeks later: it is in that week.
  assert.ok((await page(t.coordinator, '/visits/schedule?date=2026-06-22&view=week')).body.includes(b.name));
});

test('reschedule with a reason moves the visit; the stale form then gets the conflict message', async () => {
  const b = await bookedFromPage();
  const form = await page(t.coordinator, `/visits/schedule?date=2026-06-01&reschedule=${b.visitId}`);
  assert.match(form.body, /<h2 id="reschedule">Reschedule the visit to/);
  assert.match(form.body, /name="expectedVersion" value="1"/);
  const fields = { visitDate: '2026-06-03', windowStart: '09:00', windowEnd: '12:00', nurseId: '', reason: 'Hospital appointment on 1 June', expectedVersion: '1', returnDate: '2026-06-01', returnView: 'day' };
  const moved = await post(t.coordinator, `/visits/${b.visitId}/reschedule`, fields);
  assert.equal(moved.statusCode, 303, moved.body);
  assert.equal(moved.headers.location, '/visits/schedule?date=2026-06-03&view=day&done=rescheduled');
  const day = await page(t.coordinator, moved.headers.location as string);
  assert.match(day.body, /The visit has been rescheduled\./);
  assert.ok(day.body.includes(b.name));
  assert.match(day.body, /09:00 to 12:00/);
  assert.match(day.body, /Rescheduled: Hospital appointment on 1 June/);
  assert.ok(!(await page(t.coordinator, '/visits/schedule?date=2026-06-01')).body.includes(b.name), 'no longer on 1 June');
  const stale = await post(t.coordinator, `/visits/${b.visitId}/reschedule`, { ...fields, visitDate: '2026-06-04' });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /There is a problem/);
  assert.match(stale.body, /Someone else changed this visit since you opened it\. Reload the page to see the latest, then try again\./);
  assert.match(stale.body, /name="expectedVersion" value="2"/, 'the form is shown again as the visit is now');
  const api = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'GET', url: '/api/v1/visits?from=2026-06-01&to=2026-06-07' }));
  assert.equal(api.visits.find((v) => v.id === b.visitId)!.visitDate, '2026-06-03');
});

test('a date outside the dose’s valid dates, bad window times or no reason are refused with the message, and nothing moves', async () => {
  const b = await bookedFromPage();
  const base = { visitDate: '2026-06-02', windowStart: '09:00', windowEnd: '12:00', nurseId: '', reason: 'Patient asked', expectedVersion: '1', returnDate: '2026-06-01', returnView: 'day' };
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ visitDate: '2026-06-20' }, 'reschedule-visitDate', /Choose a date from 2026-06-01 to 2026-06-08, when the dose may be given\. To move it further, ask the Trust to defer the cycle/],
    [{ visitDate: '2026-05-31' }, 'reschedule-visitDate', /Choose a date from 2026-06-01|The visit date must be today or later/],
    [{ windowStart: '25:00' }, 'reschedule-windowStart', /Enter the start of the window as a 24-hour time, for example 09:00/],
    [{ windowStart: '12:00', windowEnd: '09:00' }, 'reschedule-windowEnd', /The end of the window must be after its start/],
    [{ windowEnd: '' }, 'reschedule-windowEnd', /Enter the end of the window/],
    [{ reason: ' ' }, 'reschedule-reason', /Enter the reason for rescheduling/],
  ];
  for (const [change, id, message] of cases) {
    const res = await post(t.coordinator, `/visits/${b.visitId}/reschedule`, { ...base, ...change });
    assert.equal(res.statusCode, 400, JSON.stringify(change));
    assert.match(res.body, /There is a problem/);
    assert.ok(res.body.includes(`href="#${id}"`), `${JSON.stringify(change)}: the summary links to ${id}`);
    assert.match(res.body, message);
  }
  const api = await ok<{ visits: { id: string; visitDate: string; version: number }[] }>(t.coordinator.request({ method: 'GET', url: '/api/v1/visits?from=2026-06-01&to=2026-06-01' }));
  assert.deepEqual(api.visits.filter((v) => v.id === b.visitId).map((v) => [v.visitDate, v.version]), [['2026-06-01', 1]]);
  // Booking with a bad window is refused on the page too.
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const bad = await post(t.coordinator, `/courses/${p.courseId}/visits`, { windowStart: '9am', windowEnd: '11:00', nurseId: '', returnDate: '2026-06-01', returnView: 'day' });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.body.includes(`href="#book-${p.courseId}-windowStart"`));
  assert.match(bad.body, /Enter the start of the window as a 24-hour time/);
});

test('the Trust’s alerts page lists open alerts with patient links; a nurse cannot review a reaction (message in the summary); a prescriber can', async () => {
  const b = await bookedFromPage();
  const cycle3 = b.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'HX-1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${b.visitId}/reactions`, payload: { idempotencyKey: randomUUID(), grade: 2, description: 'Rash and rigors', actions: ['INFUSION_STOPPED'] } }), 201);
  const alerts = await page(t.nurse, '/alerts');
  assert.equal(alerts.statusCode, 200);
  assert.match(alerts.body, /Alerts from home visits/);
  assert.ok(alerts.body.includes(`href="/patients/${b.patientId}"`), 'a link to the patient');
  assert.match(alerts.body, /Grade 2 \(moderate\) reaction on 2026-06-01: Rash and rigors/);
  const { alerts: list } = await ok<{ alerts: { id: string; patientId: string; kind: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/alerts' }));
  const alert = list.find((a) => a.patientId === b.patientId && a.kind === 'reaction')!;
  const empty = await post(t.prescriber, `/alerts/${alert.id}/resolve`, { resolution: '' });
  assert.equal(empty.statusCode, 400);
  assert.ok(empty.body.includes(`href="#alert-${alert.id}-resolution"`));
  assert.match(empty.body, /Enter what was decided/);
  const refused = await post(t.nurse, `/alerts/${alert.id}/resolve`, { resolution: 'Seen' });
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /There is a problem/);
  assert.match(refused.body, /Only a prescriber can review a reaction and lift the hospital-only mark\./);
  assert.match(refused.body, /<h1>Alerts from home visits<\/h1>/, 'the alerts page, not an error page');
  const done = await post(t.prescriber, `/alerts/${alert.id}/resolve`, { resolution: 'Reviewed: premedicate; home treatment may continue' });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/alerts?done=resolved');
  const after = await page(t.nurse, '/alerts?done=resolved');
  assert.match(after.body, /The alert has been dealt with/);
  assert.ok(!after.body.includes(`/alerts/${alert.id}/resolve`));
  assert.match((await page(t.nurse, '/')).body, /href="\/alerts"/, 'Trust clinical staff have the link in the header');
});
