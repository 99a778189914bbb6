import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, nextNhsNumber, PASSWORD, signIn, type Session, type World } from './support/world.ts';

let w: World;
let admin: Session;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 6 });
  admin = await signIn(w.app, 'admin');
});
after(() => w.close());

const form = (s: Session, url: string, fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return s.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: body.toString() });
};

test('an administrator sets up a new Trust with a unit, a nurse limited to that unit, and an agreement — all through the pages', async () => {
  const created = await form(admin, '/admin/organisations', { kind: 'trust', odsCode: 'rz9', name: 'Riverside NHS Trust' });
  assert.equal(created.statusCode, 303);
  const orgUrl = String(created.headers.location);
  const orgPage = await admin.request({ method: 'GET', url: orgUrl, headers: { accept: 'text/html' } });
  assert.match(orgPage.body, /Riverside NHS Trust/);
  assert.match(orgPage.body, /RZ9/, 'the ODS code is stored upper-case');
  const orgId = orgUrl.split('/').pop()!;

  const unit = await form(admin, `${orgUrl}/units`, { code: 'RZ901', name: 'Riverside Day Unit' });
  assert.equal(unit.statusCode, 303);
  const unit2 = await form(admin, `${orgUrl}/units`, { code: 'RZ902', name: 'Riverside Satellite Unit' });
  assert.equal(unit2.statusCode, 303);
  const units = ((await admin.request({ method: 'GET', url: `/api/v1/admin/organisations/${orgId}` })).json() as { units: { id: string; code: string }[] }).units;
  const [u1, u2] = [units.find((u) => u.code === 'RZ901')!, units.find((u) => u.code === 'RZ902')!];

  const user = await form(admin, '/admin/users', { username: 'riverside.nurse', displayName: 'River Nurse', password: PASSWORD, orgId, role: 'trust-nurse' });
  assert.equal(user.statusCode, 303);
  const userUrl = String(user.headers.location);
  const limited = await form(admin, userUrl, { displayName: 'River Nurse', role: 'trust-nurse', active: 'yes', unitIds: [u1.id] });
  assert.equal(limited.statusCode, 303);

  const provider = await w.org('HX1');
  const agreement = await form(admin, '/admin/agreements', { trustId: orgId, providerId: provider.id, reference: 'DSA-RZ9', startsOn: '2026-05-01', endsOn: '' });
  assert.equal(agreement.statusCode, 303);
  const list = await admin.request({ method: 'GET', url: '/admin/agreements', headers: { accept: 'text/html' } });
  assert.match(list.body, /Riverside NHS Trust and Meridian Home Healthcare/);

  // The limited nurse registers patients only in her unit and sees only her unit's patients.
  const nurse = await signIn(w.app, 'riverside.nurse');
  const inUnit = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Una', familyName: 'Riverside', dateOfBirth: '1971-01-01', unitId: u1.id } });
  assert.equal(inUnit.statusCode, 201);
  const colleague = await signIn(w.app, 'admin');
  await colleague.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'riverside.sister', displayName: 'River Sister', password: PASSWORD, orgId, role: 'trust-nurse' } });
  const sister = await signIn(w.app, 'riverside.sister');
  const otherUnit = await sister.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Otto', familyName: 'Satellite', dateOfBirth: '1972-02-02', unitId: u2.id } });
  assert.equal(otherUnit.statusCode, 201);
  const seen = ((await nurse.request({ method: 'GET', url: '/api/v1/patients' })).json() as { patients: { id: string }[] }).patients.map((p) => p.id);
  assert.deepEqual(seen, [inUnit.json().id], 'a unit-limited nurse sees her unit only');
  assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${otherUnit.json().id}` })).statusCode, 404);
  const sisterSees = ((await sister.request({ method: 'GET', url: '/api/v1/patients' })).json() as { patients: unknown[] }).patients;
  assert.equal(sisterSees.length, 2, 'an unlimited nurse sees every unit of her Trust');
});

test('page forms show NHS error summaries for every mistake and create nothing', async () => {
  const before = ((await admin.request({ method: 'GET', url: '/api/v1/admin/organisations' })).json() as { organisations: unknown[] }).organisations.length;
  const empty = await form(admin, '/admin/organisations', { kind: '', odsCode: '', name: '' });
  assert.equal(empty.statusCode, 400);
  for (const message of ['Select the kind of organisation', 'Enter an ODS code', 'Enter the organisation name']) assert.ok(empty.body.includes(message), message);
  const clash = await form(admin, '/admin/organisations', { kind: 'trust', odsCode: 'RX1', name: 'Clash' });
  assert.equal(clash.statusCode, 409);
  assert.match(clash.body, /already exists/);
  const after = ((await admin.request({ method: 'GET', url: '/api/v1/admin/organisations' })).json() as { organisations: unknown[] }).organisations.length;
  assert.equal(after, before);

  const provider = await w.org('HX1');
  const wrongRole = await form(admin, '/admin/users', { username: 'wrong.role', displayName: 'Wrong Role', password: PASSWORD, orgId: provider.id, role: 'trust-prescriber' });
  assert.equal(wrongRole.statusCode, 400);
  assert.match(wrongRole.body, /href="#role"/);
  const trustA = await w.org('RX1');
  const dates = await form(admin, '/admin/agreements', { trustId: trustA.id, providerId: provider.id, reference: 'X', startsOn: '2026-07-01', endsOn: '2026-06-01' });
  assert.equal(dates.statusCode, 400);
  assert.match(dates.body, /End date must be the same as or after the start date/);
  const noReason = await form(admin, `/admin/agreements/${((await admin.request({ method: 'GET', url: '/api/v1/admin/agreements' })).json() as { agreements: { id: string }[] }).agreements[0]!.id}/end`, { reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /Enter why the agreement is ending/);
});

test('deactivating an organisation signs its staff out at once and stops new sign-ins', async () => {
  const nurse = await signIn(w.app, 'trust-nurse-c');
  const trustC = await w.org('RX3');
  const res = await admin.request({ method: 'PATCH', url: `/api/v1/admin/organisations/${trustC.id}`, payload: { active: false } });
  assert.equal(res.statusCode, 200);
  assert.equal((await nurse.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401);
  const again = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse-c', password: PASSWORD } });
  assert.equal(again.statusCode, 401);
  await admin.request({ method: 'PATCH', url: `/api/v1/admin/organisations/${trustC.id}`, payload: { active: true } });
  assert.equal((await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse-c', password: PASSWORD } })).statusCode, 200);
});

test('a unit-limited nurse cannot register into, or refer from, a unit she does not work in', async () => {
  const trustB = await w.org('RX2');
  const units = ((await admin.request({ method: 'GET', url: `/api/v1/admin/organisations/${trustB.id}` })).json() as { units: { id: string }[] }).units;
  const limited = await admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'brook.unit1', displayName: 'Unit One Nurse', password: PASSWORD, orgId: trustB.id, role: 'trust-nurse', unitIds: [units[0]!.id] } });
  assert.equal(limited.statusCode, 201);
  const nurse = await signIn(w.app, 'brook.unit1');
  const wrongUnit = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Wrong', familyName: 'Unit', dateOfBirth: '1970-01-01', unitId: units[1]!.id } });
  assert.equal(wrongUnit.statusCode, 400);
  assert.match(wrongUnit.json().error.fields.unitId, /units you work in/);
  const noUnit = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'No', familyName: 'Unit', dateOfBirth: '1970-01-01' } });
  assert.equal(noUnit.statusCode, 400);
  const colleague = await signIn(w.app, 'trust-nurse-b');
  const elsewhere = await colleague.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Other', familyName: 'Unit', dateOfBirth: '1970-01-01', unitId: units[1]!.id } });
  assert.equal(elsewhere.statusCode, 201);
  const provider = await w.org('HX1');
  void provider;
  const episode = await nurse.request({ method: 'POST', url: `/api/v1/patients/${elsewhere.json().id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } });
  assert.equal(episode.statusCode, 404, 'a patient of another unit is not hers to start on the pathway (or refer)');
});
