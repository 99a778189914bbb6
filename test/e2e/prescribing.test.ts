import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { ALL_MET, nextNhsNumber, PASSWORD, signIn } from '../support/world.ts';
import { ok, patientOnCourse, team, type Team } from '../support/prescribing.ts';
import { assertAccessible, assertAllLocal, assertNoProblems, signInWithForm, startHarness, type Harness } from './browser.ts';

// Prescribing in a real browser. A patient is taken through the pathway and onto a trastuzumab course through the
// API (clock 1 June 2026, cycle 1 on 22 April, baseline LVEF 62%, 70 kg), so cycle 3 is the first home dose, due on
// 3 June. Then, in the browser: the prescriber writes and signs cycle 3's prescription; a pharmacist finds it on the
// prescribing worklist, screens it and releases it (a stale second tab gets the clear conflict message); the
// provider pharmacist dispenses it from the dispensing list; a prescriber overrides the cardiac gate and the
// provider nurse sees the override and records the dose typed in. Someone who signed a prescription and is later
// made a pharmacist cannot screen it. A prescriber starts a course from the episode page. Every page state passes
// axe-core's WCAG 2.2 AA rules.

const VIEWPORT = { width: 1280, height: 900 };

let h: Harness;
let t: Team;
let course: Awaited<ReturnType<typeof patientOnCourse>>;
let prescriberCtx: BrowserContext;
let prescriber: Page;
let rxPath = '';

before(async () => {
  h = await startHarness({ patientsPerTrust: 1 });
  t = await team(h.w);
  course = await patientOnCourse(h.w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  prescriberCtx = await h.newContext({ viewport: VIEWPORT });
  prescriber = await prescriberCtx.newPage();
});
after(() => h?.close());

const aMinuteLater = () => h.w.clock.advance(60_000);
const main = (page: Page) => page.locator('main').innerText();
const banner = (page: Page) => page.locator('.nhsuk-notification-banner--success').innerText();

/** Presses a button and waits for the page the POST leads to (a 303 back to a page, or the form again with errors). */
async function press(page: Page, name: string | RegExp): Promise<void> {
  aMinuteLater();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: typeof name === 'string' }).click()]);
}

test('a prescriber opens the course from the episode page, records a weight (with a mistake first), writes cycle 3’s prescription and signs it', async () => {
  await signInWithForm(prescriber, 'trust-prescriber');
  await prescriber.goto(`/episodes/${course.episodeId}`);
  await Promise.all([prescriber.waitForURL(`**/courses/${course.courseId}`), prescriber.locator('main').getByRole('link', { name: 'Treatment course' }).click()]);
  assert.equal((await prescriber.locator('main h1').innerText()).trim(), 'Treatment course');
  const text = await main(prescriber);
  assert.match(text, /Trastuzumab IV, 3-weekly, version 1/);
  assert.match(text, /62%/);
  const rows = prescriber.locator('main table').first().locator('tbody tr');
  assert.equal(await rows.count(), 18, 'the whole schedule');
  assert.match(await rows.nth(2).innerText(), /3 June 2026[\s\S]*Maintenance[\s\S]*Home[\s\S]*Planned[\s\S]*None/);
  await assertAccessible(prescriber, 'course page');

  // A weight of 500 kg is refused with the NHS error summary; nothing is saved and what was typed is kept.
  await prescriber.getByLabel('Weight', { exact: true }).fill('500');
  await press(prescriber, 'Record weight');
  assert.match(await prescriber.locator('.nhsuk-error-summary').innerText(), /Enter a weight between 20 and 300 kg/);
  assert.equal(await prescriber.getByLabel('Weight', { exact: true }).inputValue(), '500');
  await assertAccessible(prescriber, 'course page, weight with errors');
  await prescriber.getByLabel('Weight', { exact: true }).fill('70');
  await press(prescriber, 'Record weight');
  assert.match(await banner(prescriber), /The weight has been recorded/);

  await Promise.all([prescriber.waitForURL(/\/prescriptions\/[0-9a-f-]{36}\?done=created$/), prescriber.getByRole('button', { name: 'Write prescription for cycle 3' }).click()]);
  rxPath = new URL(prescriber.url()).pathname;
  assert.equal((await prescriber.locator('main h1').innerText()).trim(), 'Prescription for cycle 3');
  const rx = await main(prescriber);
  assert.match(rx, /TRASTUZUMAB\s+420 mg\s+6 mg\/kg × 70 kg = 420 mg/);
  assert.match(rx, /70 kg, measured 1 June 2026/);
  assert.match(rx, /3 June 2026 to 10 June 2026/);
  assert.match(rx, /FHIR status: draft/);
  await assertAccessible(prescriber, 'draft prescription');

  await press(prescriber, 'Sign prescription');
  assert.equal(new URL(prescriber.url()).pathname, rxPath);
  assert.match(await banner(prescriber), /The prescription has been signed/);
  assert.match(await prescriber.locator('main p').filter({ has: prescriber.locator('.nhsuk-tag') }).first().innerText(), /Signed/);
  assert.equal(await prescriber.getByRole('button', { name: 'Sign prescription' }).count(), 0);
  await assertAccessible(prescriber, 'signed prescription, seen by the prescriber');
});

test('a pharmacist finds it on the prescribing worklist, verifies it (a stale tab is told why it cannot) and releases it', async () => {
  const ctx = await h.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await signInWithForm(page, 'trust-pharmacist');
  await Promise.all([page.waitForURL('**/worklists/prescribing'), page.locator('header').getByRole('link', { name: 'Prescribing' }).click()]);
  await assertAccessible(page, 'prescribing worklists');
  const screening = page.locator('main table', { has: page.locator('caption', { hasText: 'Prescriptions awaiting screening' }) });
  const link = screening.locator(`a[href="${rxPath}"]`);
  assert.equal(await link.count(), 1, 'the signed prescription waits for screening');
  await Promise.all([page.waitForURL(`**${rxPath}`), link.click()]);
  assert.equal(await page.getByRole('button', { name: 'Sign prescription' }).count(), 0, 'a pharmacist cannot sign');
  await assertAccessible(page, 'signed prescription, seen by a pharmacist');

  // The same page open in a second tab, drawn before the verification.
  const stale = await ctx.newPage();
  await stale.goto(rxPath);

  await press(page, 'Verify prescription');
  assert.match(await banner(page), /The prescription has been verified/);
  await assertAccessible(page, 'verified prescription');

  await press(stale, 'Verify prescription');
  assert.match(await stale.locator('.nhsuk-error-summary').innerText(), /Someone else changed this prescription since you opened it/);
  assert.match(await main(stale), /Verified\s/, 'the page shows the latest state');
  await assertAccessible(stale, 'a stale page after a conflict');

  await press(page, 'Release to the provider');
  assert.match(await banner(page), /released to the provider/);
  const who = await page.locator('main .nhsuk-summary-list').nth(1).innerText();
  assert.match(who, /Signed\s+.+, \d+ Jun 2026/);
  assert.match(who, /Verified\s+.+, \d+ Jun 2026/);
  assert.match(who, /Released to the provider\s+.+, \d+ Jun 2026/);
  const history = await page.locator('main table').last().locator('tbody tr').allInnerTexts();
  assert.equal(history.length, 4, 'written, signed, verified, released');
  await assertAccessible(page, 'released prescription');
  await ctx.close();
});

test('the provider pharmacist opens it from the dispensing list and records dispensing (a missing batch and cold chain first)', async () => {
  const ctx = await h.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await signInWithForm(page, 'provider-pharmacist');
  await Promise.all([page.waitForURL('**/dispensing'), page.locator('header').getByRole('link', { name: 'Dispensing' }).click()]);
  await assertAccessible(page, 'dispensing list');
  const link = page.locator(`main table a[href="${rxPath}"]`);
  assert.equal(await link.count(), 1);
  assert.match(await page.locator('main table tbody tr').filter({ has: page.locator(`a[href="${rxPath}"]`) }).innerText(), /Cycle 3: trastuzumab 420 mg/);
  await Promise.all([page.waitForURL(`**${rxPath}`), link.click()]);
  await assertAccessible(page, 'released prescription, seen by the provider pharmacist');

  await page.getByLabel('Expiry date').fill('2027-01-31');
  await press(page, 'Record dispensing');
  const errors = await page.locator('.nhsuk-error-summary').innerText();
  assert.match(errors, /Enter the batch number/);
  assert.equal(await page.getByLabel('Expiry date').inputValue(), '2027-01-31', 'what was typed is kept');
  await assertAccessible(page, 'dispensing with errors');

  await page.getByLabel('Batch number').fill('B123');
  await press(page, 'Record dispensing');
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Confirm the cold chain/);
  await page.getByLabel('The cold chain (2 to 8 °C) was kept from packing to delivery').check();
  await press(page, 'Record dispensing');
  assert.match(await banner(page), /Dispensing and delivery have been recorded/);
  assert.match(await main(page), /Batch B123, expires 31 January 2027, delivered 1 June 2026, cold chain confirmed/);
  await assertAccessible(page, 'dispensed prescription');

  await page.goto('/dispensing');
  assert.equal(await page.locator(`main a[href="${rxPath}"]`).count(), 0, 'it has left the list');
  await ctx.close();
});

test('someone who signed a prescription and is later made a pharmacist cannot verify it: the page says why', async () => {
  t = await team(h.w);
  const other = await patientOnCourse(h.w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const admin = await signIn(h.w.app, 'admin');
  const u = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'locum.shah', displayName: 'Dr Locum Shah', password: PASSWORD, orgId: (await h.w.org('RX1')).id, role: 'trust-prescriber' } }), 201);

  const ctx = await h.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await signInWithForm(page, 'locum.shah');
  await page.goto(`/courses/${other.courseId}`);
  await Promise.all([page.waitForURL(/\/prescriptions\//), page.getByRole('button', { name: 'Write prescription for cycle 3' }).click()]);
  const path = new URL(page.url()).pathname;
  await press(page, 'Sign prescription');
  assert.match(await banner(page), /signed/);

  await ok(admin.request({ method: 'PATCH', url: `/api/v1/admin/users/${u.id}`, payload: { role: 'trust-pharmacist' } }));
  await signInWithForm(page, 'locum.shah');
  await page.goto(path);
  await press(page, 'Verify prescription');
  assert.ok((await page.locator('.nhsuk-error-summary').innerText()).includes('You signed this prescription, so you cannot verify it: another pharmacist must screen it.'));
  assert.match(await page.locator('main p').filter({ has: page.locator('.nhsuk-tag') }).first().innerText(), /Signed/, 'nothing changed');
  await assertAccessible(page, 'the signer trying to verify');
  await ctx.close();
});

test('a prescriber starts the treatment course from the episode page once the patient has accepted home treatment', async () => {
  const patient = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Grace', familyName: 'Hopper-Course', dateOfBirth: '1960-12-09' } }), 201);
  const episode = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/patients/${patient.id}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } }), 201);
  for (const payload of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-06-01', leafletVersion: 'v1' }, { event: 'accept' }]) {
    await ok(t.nurse.request({ method: 'POST', url: `/api/v1/episodes/${episode.id}/events`, payload }));
  }
  await prescriber.goto(`/episodes/${episode.id}`);
  assert.equal(await prescriber.locator('main').getByRole('link', { name: 'Treatment course' }).count(), 0);
  await press(prescriber, 'Start treatment course');
  assert.match(await prescriber.locator('.nhsuk-error-summary').innerText(), /Enter the date cycle 1 is due/);
  await assertAccessible(prescriber, 'episode page, start a course with errors');
  await prescriber.getByLabel('Date cycle 1 is due').fill('2026-06-08');
  await press(prescriber, 'Start treatment course');
  assert.match(new URL(prescriber.url()).pathname, /^\/courses\/[0-9a-f-]{36}$/);
  assert.match(await banner(prescriber), /The treatment course has started/);
  assert.match(await prescriber.locator('main table').first().locator('tbody tr').first().innerText(), /8 June 2026[\s\S]*Loading[\s\S]*Hospital/);
  assert.match(await main(prescriber), /There is no baseline LVEF before cycle 1/, 'the gate says what is missing');
  await assertAccessible(prescriber, 'a course just started');
  const coursePath = new URL(prescriber.url()).pathname;
  await prescriber.goto(`/episodes/${episode.id}`);
  assert.equal(await prescriber.locator('main').getByRole('link', { name: 'Treatment course' }).getAttribute('href'), coursePath);
  assert.equal(await prescriber.getByRole('button', { name: 'Start treatment course' }).count(), 0);
});

test('a new LVEF result stops the dose; the prescriber overrides it and the provider nurse sees the override and records the dose given', async () => {
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${course.courseId}/lvef`, payload: { measuredOn: '2026-06-01', method: 'echo', percent: 60, reportingClinician: 'Dr Echo' } }), 201);
  await prescriber.goto(rxPath);
  assert.match(await main(prescriber), /The cardiac gate stops this dose[\s\S]*1 LVEF result is waiting for a clinician to assess/);
  await press(prescriber, 'Record override');
  assert.match(await prescriber.locator('.nhsuk-error-summary').innerText(), /Enter the reason/);
  await assertAccessible(prescriber, 'override with errors');
  await prescriber.getByLabel('Reason for overriding the cardiac gate for this dose').fill('Echo reviewed by phone with cardiology: stable, give the dose');
  await press(prescriber, 'Record override');
  assert.match(await banner(prescriber), /The override has been recorded/);
  await assertAccessible(prescriber, 'prescription with an override');

  // Two days on, at the visit.
  h.w.clock.set(new Date('2026-06-03T09:00:00Z'));
  const ctx = await h.newContext({ viewport: VIEWPORT });
  const nurse = await ctx.newPage();
  await signInWithForm(nurse, 'provider-nurse');
  await nurse.goto(rxPath);
  const callout = nurse.locator('main .nhsuk-card--warning', { hasText: 'Override by' });
  assert.match(await callout.innerText(), /Override by .+: Echo reviewed by phone with cardiology: stable, give the dose/);
  assert.equal(await nurse.getByLabel('TRASTUZUMAB dose given').inputValue(), '', 'the dose is typed, not assumed');
  await assertAccessible(nurse, 'delivered prescription, seen by the provider nurse');

  await nurse.getByLabel('TRASTUZUMAB dose given').fill('560');
  await nurse.getByLabel('The anaphylaxis kit, with adrenaline 1 mg/mL, is present').check();
  await press(nurse, 'Record dose as given');
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /exactly the prescribed dose: trastuzumab 420 mg/);
  await assertAccessible(nurse, 'dose given with errors');
  await nurse.getByLabel('TRASTUZUMAB dose given').fill('420');
  await nurse.getByLabel('The anaphylaxis kit, with adrenaline 1 mg/mL, is present').check();
  await press(nurse, 'Record dose as given');
  assert.match(await banner(nurse), /The dose has been recorded as given/);
  assert.match(await main(nurse), /FHIR status: completed/);
  await assertAccessible(nurse, 'prescription given');
  await ctx.close();
});

test('no request left the machine and no page logged an error', async () => {
  await prescriberCtx.close();
  assertAllLocal(h);
  assertNoProblems(h);
});
