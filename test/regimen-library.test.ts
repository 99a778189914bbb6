import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { scalar } from '../src/platform/db/client.ts';
import { ensureRegimenLibrary } from '../src/prescribing/regimen-store.ts';
import { REGIMEN_LIBRARY, TRASTUZUMAB_IV_3_WEEKLY, TRASTUZUMAB_IV_WEEKLY } from '../src/prescribing/regimen-library.ts';
import type { RegimenDefinition } from '../src/prescribing/regimen.ts';
import { buildWorld, signIn, type Session, type World } from './support/world.ts';

// The regimen library as versioned data: the built-in regimens as published version 1, an administrator's new
// versions saved as drafts and published, a published version that the database never lets change, and the
// administrator's pages (a readable summary of every field, and the definition as JSON to save a new version).

interface Summary { id: string; code: string; version: number; name: string; status: string; publishedAt: string | null; illustrative: boolean }

let w: World;
let admin: Session;
let prescriber: Session;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  await ensureRegimenLibrary(w.database.db, w.clock.now());
  admin = await signIn(w.app, 'admin');
  prescriber = await signIn(w.app, 'trust-prescriber');
});
after(() => w.close());

const list = async (s: Session = admin) => (await s.request({ method: 'GET', url: '/api/v1/regimens' })).json().regimens as Summary[];
const find = async (code: string, version: number) => (await list()).find((r) => r.code === code && r.version === version);
const rowCount = async () => (await scalar<number>(w.database.db, sql`select count(*)::int from regimens`)) ?? 0;
const save = (def: object, s: Session = admin) => s.request({ method: 'POST', url: '/api/v1/admin/regimens', payload: def });
const publish = (id: string, s: Session = admin) => s.request({ method: 'POST', url: `/api/v1/admin/regimens/${id}/publish` });
const html = { accept: 'text/html' };
const postForm = (url: string, fields: Record<string, string>, s: Session = admin) =>
  s.request({ method: 'POST', url, headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
const copy = (def: RegimenDefinition): RegimenDefinition => structuredClone(def);

/** A page's summary list as label → value text (lines joined with a newline). */
function summaryOf(page: string): Record<string, string> {
  const text = (h: string) =>
    h.replace(/<br>/g, '\n').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
      .split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
  const out: Record<string, string> = {};
  for (const m of page.matchAll(/<dt class="nhsuk-summary-list__key">([\s\S]*?)<\/dt>\s*<dd class="nhsuk-summary-list__value">([\s\S]*?)<\/dd>/g)) out[text(m[1]!)] = text(m[2]!);
  return out;
}

test('the five built-in regimens are listed as published version 1, including the BSA and fixed-dose combination examples', async () => {
  const all = await list();
  assert.deepEqual(all.map((r) => [r.code, r.version, r.status]).sort(), Object.keys(REGIMEN_LIBRARY).map((code) => [code, 1, 'published']).sort());
  assert.ok(all.every((r) => r.publishedAt), 'each has a publication time');
  assert.deepEqual(all.filter((r) => r.illustrative).map((r) => r.code).sort(), ['illustrative-paclitaxel-weekly', 'illustrative-pertuzumab-trastuzumab-sc']);

  const paclitaxel = (await admin.request({ method: 'GET', url: `/api/v1/regimens/${all.find((r) => r.code === 'illustrative-paclitaxel-weekly')!.id}` })).json();
  assert.equal(paclitaxel.definition.basis, 'bsa');
  assert.deepEqual(paclitaxel.definition, REGIMEN_LIBRARY['illustrative-paclitaxel-weekly'], 'the full definition, as stored');
  const combination = (await admin.request({ method: 'GET', url: `/api/v1/regimens/${all.find((r) => r.code === 'illustrative-pertuzumab-trastuzumab-sc')!.id}` })).json();
  assert.equal(combination.definition.basis, 'fixed');
  assert.deepEqual(combination.definition.drugs.map((d: { drug: string }) => d.drug), ['PERTUZUMAB', 'TRASTUZUMAB']);

  // The library page groups versions by regimen; each version's page spells out every field in words.
  const page = await admin.request({ method: 'GET', url: '/admin/regimens', headers: html });
  assert.equal(page.statusCode, 200);
  for (const r of all) assert.ok(page.body.includes(`/admin/regimens/${r.id}`), `links to ${r.code}`);
  assert.match(page.body, /Illustrative — not for treatment/);
  assert.match(page.body, /href="\/admin\/regimens"/, 'the administrator’s navigation links to the library');

  const bsaPage = (await admin.request({ method: 'GET', url: `/admin/regimens/${paclitaxel.id}`, headers: html })).body;
  assert.match(bsaPage, /nhsuk-card--warning[\s\S]*Illustrative — not for treatment/, 'an illustrative regimen is marked as such');
  const bsa = summaryOf(bsaPage);
  assert.equal(bsa['Dose based on'], 'Body surface area, Mosteller (mg/m²)');
  assert.equal(bsa['Drug and doses'], 'PACLITAXEL: no loading dose, maintenance 80 mg/m²');
  assert.equal(bsa['Premedication'], 'Dexamethasone 8 mg IV\nChlorphenamine 10 mg IV\nFamotidine 20 mg IV');
  assert.equal(bsa['Dose rounding'], 'To the nearest 5 mg');
  assert.equal(bsa['LVEF monitoring'], 'None');
  assert.equal(bsa['Suitable for home treatment'], 'No');
  assert.equal(bsa['Missed or late dose'], 'The same dose whatever the delay; the next dose is due one cycle after the day it is given');
  const combinationPage = (await admin.request({ method: 'GET', url: `/admin/regimens/${combination.id}`, headers: html })).body;
  assert.match(combinationPage, /Illustrative — not for treatment/);
  const combo = summaryOf(combinationPage);
  assert.equal(combo['Dose based on'], 'Fixed dose (mg)');
  assert.equal(combo['Route'], 'Subcutaneous (SC), SACT code 05');
  assert.equal(combo['Drugs and doses'], 'PERTUZUMAB: loading 1,200 mg, maintenance 600 mg\nTRASTUZUMAB: loading 600 mg, maintenance 600 mg');
  assert.match(combo['Missed or late dose']!, /^More than 20 days late: the loading dose again.*\nOtherwise: the maintenance dose, and the schedule restarts from the day it is given$/);

  const ivPage = (await admin.request({ method: 'GET', url: `/admin/regimens/${all.find((r) => r.code === 'trastuzumab-iv-3-weekly')!.id}`, headers: html })).body;
  const iv = summaryOf(ivPage);
  assert.deepEqual(Object.keys(iv), [
    'Code', 'Name', 'Route', 'Dose based on', 'Drug and doses', 'Cycle length', 'Number of cycles', 'Course limit', 'Infusion or injection time', 'Observation after the dose starts',
    'Premedication', 'Anaphylaxis kit', 'LVEF monitoring', 'Weight', 'Missed or late dose', 'Dose rounding', 'Dose tolerance', 'Suitable for home treatment', 'Cycles in hospital first', 'Prescription valid', 'Source',
  ]);
  assert.equal(iv['Route'], 'Intravenous (IV), SACT code 01');
  assert.equal(iv['Dose based on'], 'Actual body weight (mg/kg)');
  assert.equal(iv['Drug and doses'], 'TRASTUZUMAB: loading 8 mg/kg, maintenance 6 mg/kg, 150 mg vial at £407.40');
  assert.equal(iv['Cycle length'], '21 days');
  assert.equal(iv['Number of cycles'], '18');
  assert.equal(iv['Course limit'], '52 weeks from the first dose, whatever the number of cycles');
  assert.equal(iv['Infusion or injection time'], 'First dose (and a re-loading dose): 90 minutes\nLater doses: 90 minutes, or 30 minutes if the earlier doses were well tolerated');
  assert.equal(iv['Observation after the dose starts'], 'First dose: 360 minutes\nLater doses: 120 minutes\nA re-loading dose: as the later doses');
  assert.equal(iv['Premedication'], 'None');
  assert.equal(iv['Anaphylaxis kit'], 'Required at every dose');
  assert.match(iv['LVEF monitoring']!, /^A new LVEF every 12 weeks; shown as due soon 14 days before\nRelease to the provider is blocked once the last LVEF is more than 91 days old\n.*within 21 days\n.*55% or less blocks the start of treatment$/);
  assert.match(iv['Weight']!, /7 days before the dose\n.*change of 10% or more from the weight of the last calculated dose/);
  assert.equal(iv['Missed or late dose'], 'More than 7 days late: the loading dose again, and the schedule restarts from the day it is given\nOtherwise: the maintenance dose, keeping the original schedule');
  assert.equal(iv['Dose rounding'], 'As calculated, to 0.1 mg');
  assert.match(iv['Dose tolerance']!, /at most 5%/);
  assert.equal(iv['Suitable for home treatment'], 'Yes');
  assert.equal(iv['Cycles in hospital first'], '2');
  assert.equal(iv['Prescription valid'], 'Until 7 days after the dose’s due date');
  assert.match(iv['Source']!, /^Spec §2\.1–2\.4/);
  assert.doesNotMatch(ivPage, /Illustrative — not for treatment/);
  assert.match(ivPage, /Save a new version/);
  assert.doesNotMatch(ivPage, /Publish version/, 'a published version has no Publish button');
  assert.ok(ivPage.includes('&quot;code&quot;: &quot;trastuzumab-iv-3-weekly&quot;'), 'the definition as pretty JSON in the box');
});

test('an administrator saves a new version as a draft; publishing it retires the version before', async () => {
  const v1 = (await find('trastuzumab-iv-3-weekly', 1))!;
  const changed = { ...copy(TRASTUZUMAB_IV_3_WEEKLY), validDaysAfterDue: 5 };
  const saved = await save(changed);
  assert.equal(saved.statusCode, 201, saved.body);
  assert.equal(saved.json().version, 2);
  assert.equal(saved.json().status, 'draft');
  assert.equal(saved.json().publishedAt, null);
  assert.equal(saved.json().definition.validDaysAfterDue, 5);
  assert.equal(saved.json().definition.version, 2, 'the stored definition carries its own version number');
  assert.equal((await find('trastuzumab-iv-3-weekly', 1))!.status, 'published', 'a draft changes nothing in use');

  const published = await publish(saved.json().id);
  assert.equal(published.statusCode, 200, published.body);
  assert.equal(published.json().status, 'published');
  assert.ok(published.json().publishedAt);
  assert.equal((await find('trastuzumab-iv-3-weekly', 1))!.status, 'retired');
  assert.equal((await find('trastuzumab-iv-3-weekly', 2))!.status, 'published');
  const v1Now = (await admin.request({ method: 'GET', url: `/api/v1/regimens/${v1.id}` })).json();
  assert.equal(v1Now.definition.validDaysAfterDue, 7, 'the retired version keeps its values');
  assert.equal(await scalar<number>(w.database.db, sql`select count(*)::int from audit_log where action in ('regimen:draft', 'regimen:publish')`), 2);

  // The same through the pages, for another regimen: edit the JSON, save, see the draft, publish it.
  const weekly = (await find('trastuzumab-iv-weekly', 1))!;
  const form = await postForm('/admin/regimens', { definition: JSON.stringify({ ...copy(TRASTUZUMAB_IV_WEEKLY), totalCycles: 40 }, null, 2), from: weekly.id });
  assert.equal(form.statusCode, 303, form.body);
  const draftUrl = String(form.headers.location);
  assert.match(draftUrl, /^\/admin\/regimens\/[0-9a-f-]{36}\?saved=1$/);
  const draftPage = (await admin.request({ method: 'GET', url: draftUrl, headers: html })).body;
  assert.match(draftPage, /Version 2 is saved as a draft/);
  assert.match(draftPage, /Draft/);
  assert.equal(summaryOf(draftPage)['Number of cycles'], '40');
  assert.match(draftPage, /Publish version 2/);
  const draftId = draftUrl.split('/')[3]!.split('?')[0]!;
  const pub = await postForm(`/admin/regimens/${draftId}/publish`, {});
  assert.equal(pub.statusCode, 303, pub.body);
  assert.equal(pub.headers.location, `/admin/regimens/${draftId}?published=1`);
  const pubPage = (await admin.request({ method: 'GET', url: String(pub.headers.location), headers: html })).body;
  assert.match(pubPage, /nhsuk-notification-banner--success/);
  assert.match(pubPage, /Version 2 is published/);
  assert.equal((await find('trastuzumab-iv-weekly', 1))!.status, 'retired');
  assert.equal((await find('trastuzumab-iv-weekly', 2))!.status, 'published');
});

test('a published version never changes: the database refuses even the table owner, and publishing it again is a conflict', async () => {
  const v1 = (await find('trastuzumab-sc-3-weekly', 1))!;
  const refused = (err: Error & { cause?: Error }) => /a published regimen version cannot be edited/.test(String(err.cause?.message ?? err.message));
  await assert.rejects(w.database.db.execute(sql`update regimens set definition = jsonb_set(definition, '{cycleLengthDays}', '14') where id = ${v1.id}`), refused);
  await assert.rejects(w.database.db.execute(sql`update regimens set name = 'Renamed' where id = ${v1.id}`), refused);
  const stored = (await admin.request({ method: 'GET', url: `/api/v1/regimens/${v1.id}` })).json();
  assert.equal(stored.definition.cycleLengthDays, 21);
  assert.equal(stored.name, 'Trastuzumab SC 600 mg, 3-weekly');

  const again = await publish(v1.id);
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /already published: a published version never changes/);
  const retired = (await find('trastuzumab-iv-3-weekly', 1))!;
  assert.equal((await publish(retired.id)).statusCode, 409, 'nor can a retired version come back');
  const page = await postForm(`/admin/regimens/${v1.id}/publish`, {});
  assert.equal(page.statusCode, 409);
  assert.match(page.body, /nhsuk-error-summary/);
  assert.match(page.body, /href="#status"[^>]*>\s*Version 1 of Trastuzumab SC 600 mg, 3-weekly is already published/);
  assert.equal((await publish('00000000-0000-4000-8000-000000000000')).statusCode, 404);
});

test('a definition that makes no sense is refused with the reason, and nothing is saved', async () => {
  const rowsBefore = await rowCount();
  const base = copy(TRASTUZUMAB_IV_3_WEEKLY);
  const cases: [object, string, RegExp][] = [
    [{ ...base, cycleLengthDays: 0 }, 'cycleLengthDays', /Enter a cycle length between 1 and 365 days/],
    [{ ...base, drugs: [] }, 'drugs', /Add at least one drug/],
    [{ ...base, code: 'Trastuzumab-IV' }, 'code', /lower-case letters/],
    [{ ...base, drugs: [{ drug: 'TRASTUZUMAB', loading: 8, maintenance: 0 }] }, 'drugs.0.maintenance', /maintenance dose for drug 1 greater than 0 mg\/kg/],
    [{ ...base, hospitalCyclesFirst: 19 }, 'hospitalCyclesFirst', /between 0 and the number of cycles/],
    [{ ...base, cycleLengthDays: '21' }, 'cycleLengthDays', /Enter the cycle length in days as a number/],
    [{ ...base, route: 'PO' }, 'route', /Select IV or SC/],
    [{ ...base, colour: 'blue' }, 'colour', /Remove "colour"/],
  ];
  for (const [payload, field, message] of cases) {
    const res = await save(payload);
    assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
    assert.match(res.json().error.fields[field] ?? '', message, JSON.stringify(res.json().error.fields));
  }
  const { cycleLengthDays: _, ...missing } = base;
  assert.equal((await save(missing)).statusCode, 400, 'every field must be given');

  // The page: text that is not JSON, then JSON with several problems, each listed in the error summary.
  const weekly = (await find('trastuzumab-sc-3-weekly', 1))!;
  const notJson = await postForm('/admin/regimens', { definition: '{ "code": "trastuzumab-sc-3-weekly", ', from: weekly.id });
  assert.equal(notJson.statusCode, 400);
  assert.match(notJson.body, /nhsuk-error-summary/);
  assert.match(notJson.body, /href="#definition"[^>]*>\s*Enter the regimen as valid JSON/);
  assert.match(notJson.body, /<textarea[^>]*id="definition"[^>]*>\{ &quot;code&quot;: &quot;trastuzumab-sc-3-weekly&quot;, <\/textarea>/, 'the text is kept as typed');
  assert.match(notJson.body, /<title>Error: /);
  const blank = await postForm('/admin/regimens', { definition: '' });
  assert.equal(blank.statusCode, 400);
  assert.match(blank.body, /href="#definition"[^>]*>\s*Enter the regimen as valid JSON/, 'the library page shows the mistake too');

  const bad = await postForm('/admin/regimens', { definition: JSON.stringify({ ...base, cycleLengthDays: 0, totalCycles: 0, source: ' ' }), from: weekly.id });
  assert.equal(bad.statusCode, 400);
  for (const m of [/Enter a cycle length between 1 and 365 days/, /Enter a number of cycles between 1 and 200/, /Say where the values come from/]) {
    assert.match(bad.body, new RegExp(`href="#definition"[^>]*>\\s*${m.source}`), `the error summary lists ${m.source}`);
  }
  const shape = await postForm('/admin/regimens', { definition: JSON.stringify({ ...base, route: 'PO', extra: 1 }), from: weekly.id });
  assert.equal(shape.statusCode, 400);
  assert.match(shape.body, /Select IV or SC/);
  assert.match(shape.body, /Remove &quot;extra&quot;: it is not part of a regimen definition/);
  assert.equal(await rowCount(), rowsBefore, 'nothing saved');
});

test('only an administrator saves and publishes; prescribers read the library', async () => {
  const all = await list(prescriber);
  assert.equal(all.length, await rowCount(), 'a prescriber reads every version');
  const one = await prescriber.request({ method: 'GET', url: `/api/v1/regimens/${all[0]!.id}` });
  assert.equal(one.statusCode, 200);
  const page = await prescriber.request({ method: 'GET', url: `/admin/regimens/${all[0]!.id}`, headers: html });
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /Save a new version|Publish version/, 'no editing form for a prescriber');
  assert.equal((await prescriber.request({ method: 'GET', url: '/admin/regimens', headers: html })).statusCode, 200);

  const rowsBefore = await rowCount();
  const def = { ...copy(TRASTUZUMAB_IV_3_WEEKLY), totalCycles: 17 };
  assert.equal((await save(def, prescriber)).statusCode, 403);
  assert.equal((await postForm('/admin/regimens', { definition: JSON.stringify(def) }, prescriber)).statusCode, 403);
  const draft = await save(def);
  assert.equal(draft.statusCode, 201);
  assert.equal((await publish(draft.json().id, prescriber)).statusCode, 403);
  assert.equal((await postForm(`/admin/regimens/${draft.json().id}/publish`, {}, prescriber)).statusCode, 403);
  assert.equal((await find('trastuzumab-iv-3-weekly', 3))!.status, 'draft', 'still a draft');
  assert.equal(await rowCount(), rowsBefore + 1);

  const commissioner = await signIn(w.app, 'commissioner');
  assert.equal((await commissioner.request({ method: 'GET', url: '/api/v1/regimens' })).statusCode, 403, 'the library is for clinical staff');
});
