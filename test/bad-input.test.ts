import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { count } from 'drizzle-orm';
import { patients } from '../src/patients/schema.ts';
import { organisations, agreements } from '../src/organisations/schema.ts';
import { users } from '../src/identity/schema.ts';
import { buildWorld, nextNhsNumber, signIn, type Session, type World } from './support/world.ts';

let w: World;
let nurse: Session;
let admin: Session;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  nurse = await signIn(w.app, 'trust-nurse');
  admin = await signIn(w.app, 'admin');
});
after(() => w.close());

const counts = async () => {
  const db = w.database.db;
  return {
    patients: (await db.select({ n: count() }).from(patients))[0]!.n,
    organisations: (await db.select({ n: count() }).from(organisations))[0]!.n,
    agreements: (await db.select({ n: count() }).from(agreements))[0]!.n,
    users: (await db.select({ n: count() }).from(users))[0]!.n,
  };
};
const valid = () => ({ nhsNumber: nextNhsNumber(), givenName: 'Ada', familyName: 'Input', dateOfBirth: '1955-07-01' });

/** Every case must answer with a field-level message, never leak internals, and change nothing. */
async function refused(s: Session, url: string, payload: unknown, status: number, field: string | null, message: RegExp, contentType = 'application/json') {
  const before = await counts();
  const res = await s.request({ method: 'POST', url, headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  assert.equal(res.statusCode, status, `${url} ${res.body}`);
  const body = res.json() as { error: { code: string; message: string; fields?: Record<string, string> } };
  if (field) assert.match(body.error.fields?.[field] ?? '', message, JSON.stringify(body));
  else assert.match(body.error.message, message);
  assert.doesNotMatch(res.body, /\bat .*\.ts:\d+|node_modules|insert into "|select "|from "\w+"|\$\d|stack/i, 'no stack trace or SQL in the response');
  assert.deepEqual(await counts(), before, 'nothing changed');
}

test('malformed JSON → 400 with a clear message', async () => {
  await refused(nurse, '/api/v1/patients', '{"nhsNumber": "943', 400, null, /not valid JSON/);
});

test('wrong types and missing fields → 400 naming each field', async () => {
  await refused(nurse, '/api/v1/patients', { ...valid(), nhsNumber: 9434765919 }, 400, 'nhsNumber', /Enter the NHS number|expected string/i);
  const { givenName: _g, ...noName } = valid();
  await refused(nurse, '/api/v1/patients', noName, 400, 'givenName', /Enter the given name/);
  await refused(nurse, '/api/v1/patients', { ...valid(), dateOfBirth: '1955-02-30' }, 400, 'dateOfBirth', /real date/);
});

test('an NHS number that fails the Modulus 11 check is refused', async () => {
  await refused(nurse, '/api/v1/patients', { ...valid(), nhsNumber: '943 476 5918' }, 400, 'nhsNumber', /Enter a valid NHS number/);
});

test('unknown fields are refused — the server owns the organisation, never the client', async () => {
  const trustB = await w.org('RX2');
  await refused(nurse, '/api/v1/patients', { ...valid(), trustId: trustB.id }, 400, 'trustId', /not a field you can send/);
  await refused(nurse, '/api/v1/patients', { ...valid(), createdBy: '00000000-0000-0000-0000-000000000000' }, 400, 'createdBy', /not a field/);
});

test('a body over 1 MiB → 413', async () => {
  await refused(nurse, '/api/v1/patients', { ...valid(), givenName: 'x'.repeat(1024 * 1024 + 10) }, 413, null, /no more than 1 MiB/);
});

test('out-of-range and oversized values get a message', async () => {
  await refused(nurse, '/api/v1/patients', { ...valid(), familyName: 'x'.repeat(101) }, 400, 'familyName', /100 characters or fewer/);
  await refused(nurse, '/api/v1/patients', { ...valid(), dateOfBirth: '1850-01-01' }, 400, 'dateOfBirth', /after 1 January 1900/);
  await refused(nurse, '/api/v1/patients', { ...valid(), postcode: 'NOT A POSTCODE' }, 400, 'postcode', /real postcode/);
});

test('a patient of another unit the user may not use, or a duplicate NHS number, is refused', async () => {
  const first = valid();
  assert.equal((await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: first })).statusCode, 201);
  await refused(nurse, '/api/v1/patients', { ...first, givenName: 'Again' }, 409, 'nhsNumber', /already registered \(\/patients\//);
  const orgB = (await admin.request({ method: 'GET', url: `/api/v1/admin/organisations/${(await w.org('RX2')).id}` })).json() as { units: { id: string }[] };
  await refused(nurse, '/api/v1/patients', { ...valid(), unitId: orgB.units[0]!.id }, 400, 'unitId', /your Trust’s units/);
});

test('administration: dates in the wrong order, a role that does not fit the organisation, duplicates', async () => {
  const trustA = await w.org('RX1');
  const provider = await w.org('HX1');
  await refused(admin, '/api/v1/admin/agreements', { trustId: trustA.id, providerId: provider.id, reference: 'X', startsOn: '2026-06-01', endsOn: '2026-05-01' }, 400, 'endsOn', /same as or after the start date/);
  await refused(admin, '/api/v1/admin/agreements', { trustId: provider.id, providerId: provider.id, reference: 'X', startsOn: '2026-06-01' }, 400, 'trustId', /Select an NHS Trust/);
  await refused(admin, '/api/v1/admin/users', { username: 'new-person', displayName: 'New Person', password: 'long-enough-password', orgId: provider.id, role: 'trust-prescriber' }, 400, 'role', /cannot be given to staff of/);
  await refused(admin, '/api/v1/admin/users', { username: 'new-person', displayName: 'New Person', password: 'short', orgId: trustA.id, role: 'trust-nurse' }, 400, 'password', /at least 12 characters/);
  await refused(admin, '/api/v1/admin/users', { username: 'trust-nurse', displayName: 'Duplicate', password: 'long-enough-password', orgId: trustA.id, role: 'trust-nurse' }, 409, 'username', /already exists/);
  await refused(admin, '/api/v1/admin/organisations', { kind: 'trust', odsCode: 'RX1', name: 'Clash' }, 409, 'odsCode', /already exists/);
  await refused(admin, '/api/v1/admin/organisations', { kind: 'hospital', odsCode: 'RZZ', name: 'Wrong kind' }, 400, 'kind', /Select the kind of organisation/);
});

test('a malformed id in the address → 400; a well-formed unknown id → 404 like a foreign one', async () => {
  const bad = await nurse.request({ method: 'GET', url: '/api/v1/patients/not-an-id' });
  assert.equal(bad.statusCode, 400);
  const missing = await nurse.request({ method: 'GET', url: '/api/v1/patients/00000000-0000-4000-8000-000000000000' });
  const foreign = await nurse.request({ method: 'GET', url: `/api/v1/patients/${(await w.patientsOf('RX2'))[0]!.id}` });
  assert.equal(missing.statusCode, 404);
  assert.equal(foreign.statusCode, 404);
  assert.equal(missing.body, foreign.body, 'another organisation’s record answers exactly like a missing one');
});

test('HTML forms re-render with the NHS error summary, keep what was typed, and change nothing', async () => {
  const before = await counts();
  const res = await nurse.request({ method: 'POST', url: '/patients', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'nhsNumber=123&givenName=Ada&familyName=&dateOfBirth=' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /nhsuk-error-summary/);
  assert.match(res.body, /<title>Error: /, 'the page title says there is an error');
  assert.match(res.body, /href="#nhsNumber"[^>]*>\s*Enter a valid NHS number/);
  assert.match(res.body, /href="#familyName"[^>]*>\s*Enter the family name/);
  assert.match(res.body, /value="Ada"/, 'what was typed is kept');
  assert.deepEqual(await counts(), before);
});

test('registry fields: a full record is kept; future dates of birth, bad codes and out-of-range deciles are refused', async () => {
  const full = { ...valid(), sex: 'female', addressLine1: '12 Acacia Avenue', town: 'Birmingham', postcode: 'b9 5ss', phone: '0121 496 0000', gpPracticeCode: 'm85001', gpPracticeName: 'Acacia Surgery', ethnicCategory: 'H', imdDecile: 3, diagnosisCode: 'c50.9', consultant: 'Dr Rao' };
  const res = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: full });
  assert.equal(res.statusCode, 201, res.body);
  const p = res.json();
  assert.equal(p.postcode, 'B9 5SS');
  assert.equal(p.gpPracticeCode, 'M85001');
  assert.equal(p.diagnosisCode, 'C50.9');
  assert.equal(p.imdDecile, 3);
  assert.equal((await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { ...valid(), postcode: 'ZZ99 3VZ' } })).statusCode, 201, 'the NHS no-fixed-abode pseudo-postcode is accepted');
  await refused(nurse, '/api/v1/patients', { ...valid(), dateOfBirth: '2099-01-01' }, 400, 'dateOfBirth', /today or in the past/);
  await refused(nurse, '/api/v1/patients', { ...valid(), imdDecile: 11 }, 400, 'imdDecile', /1 to 10/);
  await refused(nurse, '/api/v1/patients', { ...valid(), ethnicCategory: 'Q' }, 400, 'ethnicCategory', /Select an ethnic category/);
  await refused(nurse, '/api/v1/patients', { ...valid(), diagnosisCode: 'breast' }, 400, 'diagnosisCode', /ICD-10 code/);
  await refused(nurse, '/api/v1/patients', { ...valid(), gpPracticeCode: '123' }, 400, 'gpPracticeCode', /GP practice code/);
  await refused(nurse, '/api/v1/patients', { ...valid(), phone: 'call me' }, 400, 'phone', /Enter a phone number/);
  for (const nhsNumber of ['943 476 5918', '94347659', '94347659AB']) await refused(nurse, '/api/v1/patients', { ...valid(), nhsNumber }, 400, 'nhsNumber', /Enter a valid NHS number/);
});

test('registering an NHS number twice through the form links to the existing record and saves nothing', async () => {
  const first = valid();
  const created = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: first });
  const before = await counts();
  const res = await nurse.request({ method: 'POST', url: '/patients', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams({ ...first, givenName: 'Again' }).toString() });
  assert.equal(res.statusCode, 409);
  assert.match(res.body, new RegExp(`<a href="/patients/${created.json().id}">View the existing record</a>`));
  assert.deepEqual(await counts(), before);
});
