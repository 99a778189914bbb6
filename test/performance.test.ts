import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { aggregate, monthRange, suppressCount, suppressRow, type PerformanceRow } from '../src/visits/performance.ts';
import { buildWorld, PASSWORD, signIn, type World } from './support/world.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from './support/prescribing.ts';
import { GOOD_CHECK } from './support/visits.ts';

let w: World;
let t: Team;
const patientIds: string[] = [];

async function at(iso: string) {
  w.clock.set(new Date(`${iso}T09:00:00Z`));
  t = await team(w);
}


/** A patient referred (and started at home) today, whose first home cycle (3) is due on 1 June 2026. */
async function referredToday() {
  const today = w.clock.now().toISOString().slice(0, 10);
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 }, weight: { kg: 70, on: today } });
  patientIds.push(p.patientId);
  return p;
}

/** On 1 June: books the visits with a window (London time); with `startedAt` (UTC) the dose is released, dispensed, checked and given. */
async function visit(p: Awaited<ReturnType<typeof referredToday>>, window: [string, string], startedAt?: string) {
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: window[0], windowEnd: window[1] } }), 201);
  const visitId = booked.visits.find((v) => v.visitDate === '2026-06-01')!.id;
  if (!startedAt) return;
  const rx = await releasedPrescription(t, p.cycles.find((c) => c.cycle === 3)!.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'P-1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  const endedAt = new Date(Date.parse(startedAt) + 30 * 60_000).toISOString();
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/administration`, payload: { idempotencyKey: randomUUID(), doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], route: 'IV', site: 'Left forearm', startedAt, endedAt, batch: 'P-1', expiry: '2027-01-31', observationCompleted: true, anaphylaxisKitConfirmed: true } }), 201);
}

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  // P1 is referred on 22 May (started at home in May); P2–P4 on 1 June.
  await at('2026-05-22');
  const p1 = await referredToday();
  await at('2026-06-01');
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p1.courseId}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-01' } }), 201);
  const [p2, p3, p4] = [await referredToday(), await referredToday(), await referredToday()];
  // Windows are London time (BST, UTC+1): 07:30Z is 08:30 in London.
  await visit(p1, ['07:00', '11:00'], '2026-06-01T07:30:00Z'); // on time
  await visit(p2, ['07:00', '11:00'], '2026-06-01T06:15:00Z'); // on time (07:15)
  await visit(p3, ['07:00', '08:00'], '2026-06-01T07:30:00Z'); // late: started 08:30, after the window
  await visit(p4, ['07:00', '11:00']); // no dose: missed once the day has passed
  await at('2026-06-02');
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/episodes/${p4.episodeId}/events`, payload: { event: 'return-to-hospital', reasonCode: 'CLINICAL' } }));
});
after(() => w.close());

type Report = { from: string; to: string; suppressed: boolean; rows: (Record<string, unknown> & { month: string; providerName: string; trustName: string })[] };
const report = async (username: string, query = '?from=2026-05&to=2026-06') => {
  const s = await signIn(w.app, username);
  const res = await s.request({ method: 'GET', url: `/api/v1/reports/provider-performance${query}` });
  assert.equal(res.statusCode, 200, res.body);
  for (const id of patientIds) assert.ok(!res.body.includes(id), 'no patient identifier in the report');
  return res.json() as Report;
};
const figures = (r: Report['rows'][number]) => {
  const { providerId: _p, trustId: _t, providerName: _pn, trustName: _tn, ...rest } = r;
  return rest;
};

const MAY = { month: '2026-05', visitsDue: 0, onTime: 0, early: 0, late: 0, missed: 0, notGiven: 0, onTimePercent: null, firstHomeDoses: 0, medianDaysToFirstHomeDose: null, meanDaysToFirstHomeDose: null, startedAtHome: 1, returnedToHospital: 0, returnToHospitalPercent: 0 };
const JUNE = { month: '2026-06', visitsDue: 4, onTime: 2, early: 0, late: 1, missed: 1, notGiven: 0, onTimePercent: 50, firstHomeDoses: 3, medianDaysToFirstHomeDose: 0, meanDaysToFirstHomeDose: 3.3, startedAtHome: 3, returnedToHospital: 1, returnToHospitalPercent: 33.3 };

test('the figures: 2 on time, 1 late (started after the window), 1 missed; days from referral to first home dose; returns to hospital', async () => {
  const r = await report('provider-coordinator');
  assert.equal(r.suppressed, false);
  const [provider, trust] = [await w.org('HX1'), await w.org('RX1')];
  assert.deepEqual(r.rows.map((x) => [x.providerId, x.providerName, x.trustId, x.trustName]), Array(2).fill([provider.id, provider.name, trust.id, trust.name]));
  assert.deepEqual(r.rows.map(figures), [MAY, JUNE]);
  // The Trust's cancer manager reads the same figures for their Trust, under row-level security as themselves.
  assert.deepEqual((await report('cancer-manager')).rows.map(figures), [MAY, JUNE]);
  assert.deepEqual((await report('cancer-manager-b')).rows, [], 'another Trust sees none of it');
  // Only the months asked for.
  assert.deepEqual((await report('provider-coordinator', '?from=2026-06&to=2026-06')).rows.map((x) => x.month), ['2026-06']);
});

test('commissioner and network views withhold counts from 1 to 7 (null), and every figure derived from them', async () => {
  for (const username of ['commissioner', 'network-lead', 'admin']) {
    const r = await report(username);
    assert.equal(r.suppressed, true);
    assert.deepEqual(r.rows.map(figures), [
      { ...MAY, startedAtHome: null, returnToHospitalPercent: null },
      { ...JUNE, visitsDue: null, onTime: null, late: null, missed: null, onTimePercent: null, firstHomeDoses: null, medianDaysToFirstHomeDose: null, meanDaysToFirstHomeDose: null, startedAtHome: null, returnedToHospital: null, returnToHospitalPercent: null },
    ]);
  }
  const page = await (await signIn(w.app, 'commissioner')).request({ method: 'GET', url: '/reports/provider-performance?from=2026-05&to=2026-06', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Counts from 1 to 7 are shown as 1–7/);
  assert.match(page.body, />\s*1–7\s*</);
  assert.doesNotMatch(page.body, />\s*50%\s*</);
});

test('a provider coordinator sees only their own provider', async () => {
  const admin = await signIn(w.app, 'admin');
  const other = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/organisations', payload: { kind: 'provider', odsCode: 'HX8', name: 'Other Home Care Ltd' } }), 201);
  await ok(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'other.coordinator', displayName: 'Other Coordinator', password: PASSWORD, orgId: other.id, role: 'provider-coordinator' } }), 201);
  assert.deepEqual((await report('other.coordinator')).rows, []);
  const own = await report('provider-coordinator');
  const hx1 = (await w.org('HX1')).id;
  assert.ok(own.rows.length > 0 && own.rows.every((r) => r.providerId === hx1));
  // Roles without the action: refused.
  const nurse = await signIn(w.app, 'trust-nurse');
  assert.equal((await nurse.request({ method: 'GET', url: '/api/v1/reports/provider-performance' })).statusCode, 403);
});

test('the page shows the table and an SVG chart inline (no script, no inline style); bad months get the error summary', async () => {
  const s = await signIn(w.app, 'provider-coordinator');
  const res = await s.request({ method: 'GET', url: '/reports/provider-performance?from=2026-05&to=2026-06', headers: { accept: 'text/html' } });
  assert.equal(res.statusCode, 200);
  for (const caption of ['Visits on time', 'Home visits by outcome', 'First home doses and returns to hospital']) assert.match(res.body, new RegExp(`<caption[^>]*>\\s*${caption}\\s*</caption>`));
  assert.match(res.body, />\s*Jun 2026\s*</);
  assert.match(res.body, />\s*50%\s*</);
  assert.match(res.body, />\s*3\.3\s*</, 'mean days from referral to first home dose');
  assert.match(res.body, />\s*33\.3%\s*</, 'returned to hospital');
  const start = res.body.indexOf('<svg role="img"');
  assert.ok(start > 0, 'the chart is inline');
  const svg = res.body.slice(start, res.body.indexOf('</svg>', start) + 6);
  assert.match(svg, /^<svg role="img" aria-labelledby="chart-title chart-desc"/);
  assert.match(svg, /<title id="chart-title">Home visits on time, per cent/);
  assert.doesNotMatch(svg, /<script|<style| style=/);
  assert.ok(svg.includes(`${(await w.org('HX1')).name} – `), 'the series is named by provider and Trust');
  const bad = await s.request({ method: 'GET', url: '/reports/provider-performance?from=2026-13&to=2026-06', headers: { accept: 'text/html' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /There is a problem/);
  assert.match(bad.body, /href="#from"/);
  const backwards = await s.request({ method: 'GET', url: '/api/v1/reports/provider-performance?from=2026-06&to=2026-05' });
  assert.equal(backwards.statusCode, 400);
  assert.equal(backwards.json().error.fields.to, 'The last month must be the same as or after the first month');
});

test('the JSON report is in the OpenAPI document with its response schema', async () => {
  const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { get?: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> } }> };
  const op = doc.paths['/api/v1/reports/provider-performance']?.get;
  assert.ok(op, 'documented');
  assert.deepEqual(Object.keys(op.responses['200']!.content['application/json']!.schema.properties), ['from', 'to', 'suppressed', 'rows']);
});

test('suppression rule (pure): 1–7 withheld, 0 and 8 or more shown; derived figures withheld with their counts', () => {
  assert.deepEqual([0, 1, 2, 7, 8, 100].map(suppressCount), [0, null, null, null, 8, 100]);
  const row: PerformanceRow = { month: '2026-06', providerId: 'p', trustId: 't', visitsDue: 20, onTime: 14, early: 0, late: 5, missed: 1, notGiven: 0, onTimePercent: 70, firstHomeDoses: 9, medianDaysToFirstHomeDose: 12, meanDaysToFirstHomeDose: 13.1, startedAtHome: 8, returnedToHospital: 2, returnToHospitalPercent: 25 };
  assert.deepEqual(suppressRow(row), { ...row, late: null, missed: null, returnedToHospital: null, returnToHospitalPercent: null });
  assert.deepEqual(suppressRow({ ...row, onTime: 3, firstHomeDoses: 4 }), { ...row, onTime: null, late: null, missed: null, onTimePercent: null, firstHomeDoses: null, medianDaysToFirstHomeDose: null, meanDaysToFirstHomeDose: null, returnedToHospital: null, returnToHospitalPercent: null });
});

test('aggregation and month ranges (pure): punctuality in London time, pending visits not counted, early and not given', () => {
  const v = (visitDate: string, dose: { date: string; time: string } | null, status: 'scheduled' | 'given' | 'not-given' | 'cancelled' = dose ? 'given' : 'scheduled') => ({ providerId: 'p', trustId: 't', visitDate, windowStart: '09:00', windowEnd: '12:00', status, dose });
  const rows = aggregate(
    {
      visits: [v('2026-06-01', { date: '2026-06-01', time: '09:00' }), v('2026-06-01', { date: '2026-06-01', time: '12:01' }), v('2026-06-01', { date: '2026-06-01', time: '08:59' }), v('2026-06-01', { date: '2026-06-02', time: '09:30' }), v('2026-06-01', null, 'not-given'), v('2026-06-01', null), v('2026-06-02', null), v('2026-06-01', null, 'cancelled'), v('2026-07-01', null)],
      firstDoses: [{ providerId: 'p', trustId: 't', givenOn: '2026-06-10', referredOn: '2026-06-01' }, { providerId: 'p', trustId: 't', givenOn: '2026-06-11', referredOn: '2026-06-07' }],
      homeStarts: [],
    },
    ['2026-06'],
    '2026-06-02',
  );
  assert.deepEqual(rows, [{ month: '2026-06', providerId: 'p', trustId: 't', visitsDue: 6, onTime: 1, early: 1, late: 2, missed: 1, notGiven: 1, onTimePercent: 16.7, firstHomeDoses: 2, medianDaysToFirstHomeDose: 6.5, meanDaysToFirstHomeDose: 6.5, startedAtHome: 0, returnedToHospital: 0, returnToHospitalPercent: null }]);
  assert.deepEqual(monthRange('2025-11', '2026-02'), { months: ['2025-11', '2025-12', '2026-01', '2026-02'] });
  assert.deepEqual(monthRange('2026-02', '2026-01'), { problem: { to: 'The last month must be the same as or after the first month' } });
  assert.deepEqual(monthRange('2024-01', '2026-06'), { problem: { to: 'Choose 24 months or fewer' } });
});
