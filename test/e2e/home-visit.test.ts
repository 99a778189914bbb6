import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { administrations } from '../../src/prescribing/schema.ts';
import { visitChecks } from '../../src/visits/schema.ts';
import { SYMPTOM_QUESTIONS } from '../../src/visits/rules.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from '../support/prescribing.ts';
import { assertAccessible, assertAllLocal, assertErrorLinksResolve, signInWithForm, startHarness, type Harness } from './browser.ts';

// The provider nurse's phone view in a real browser at 360 × 740. The data is built through the API as in
// test/visits.test.ts (clock 1 June 2026 09:00 UTC, 10:00 in London): a patient whose cycle 3 (trastuzumab 420 mg) is
// released, dispensed and booked for a visit today. The nurse finds the visit on today's list, completes the
// checklist (a value outside the limits first) and records the dose; a resubmission says it was already recorded;
// the Trust's nurse sees the dose on the patient's record. A visit whose patient has an LVEF result awaiting
// assessment shows the hard stop, offers no dose form, and the server refuses a crafted dose. Offline, the checklist
// and the dose are kept on the phone and sent, exactly once, when it is back online. Every page fits 360 px without
// scrolling sideways and passes axe-core's WCAG 2.2 AA rules.

const PHONE = { width: 360, height: 740 };

let h: Harness;
let t: Team;
let nurseCtx: BrowserContext;
let nurse: Page;

before(async () => {
  h = await startHarness({ patientsPerTrust: 1 });
  t = await team(h.w);
  nurseCtx = await h.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  nurse = await nurseCtx.newPage();
  await signInWithForm(nurse, 'provider-nurse');
});
after(() => h?.close());

/** A patient whose cycle 3 is released, dispensed and booked today (for the provider nurse unless `unassigned`). */
async function visitToday(opts: { unassigned?: boolean } = {}) {
  const p = await patientOnCourse(h.w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const rx = await releasedPrescription(t, p.cycles.find((c) => c.cycle === 3)!.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'HX-2291', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const nurseId = opts.unassigned ? null : await h.w.userId('provider-nurse');
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00', nurseId } }), 201);
  const patient = await ok<{ givenName: string; familyName: string }>(t.nurse.request({ method: 'GET', url: `/api/v1/patients/${p.patientId}` }));
  return { ...p, rx, visitId: booked.visits.find((v) => v.visitDate === '2026-06-01')!.id, name: `${patient.givenName} ${patient.familyName}` };
}

const doses = async (rx: string) => (await h.w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, rx)))[0]!.n;
const checks = async (visitId: string) => (await h.w.database.db.select({ n: count() }).from(visitChecks).where(eq(visitChecks.visitId, visitId)))[0]!.n;
const form = (page: Page, path: string): Locator => page.locator(`main form[action$="${path}"]`);

/** Usable at the phone's width: nothing sticks out sideways, and the page passes axe. */
async function fitsAndAccessible(page: Page, what: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${what} scrolls sideways: ${width} px wide`);
  await assertAccessible(page, what);
}

async function press(page: Page, button: string) {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
}

async function fillChecklist(page: Page, temperature = '36.8') {
  const f = form(page, '/checks');
  await f.getByLabel('Full name').check();
  await f.getByLabel('Date of birth').check();
  await f.getByLabel('The patient’s consent to treatment at home is still valid').check();
  await f.getByLabel('Temperature (°C)').fill(temperature);
  await f.getByLabel('Pulse (beats a minute)').fill('72');
  await f.getByLabel('Systolic blood pressure (mmHg)').fill('124');
  await f.getByLabel('Diastolic blood pressure (mmHg)').fill('78');
  await f.getByLabel('Oxygen saturation, SpO2 (%)').fill('98');
  for (const q of Object.values(SYMPTOM_QUESTIONS)) await f.getByRole('group', { name: q }).getByLabel('No', { exact: true }).check();
  await f.getByLabel('Give the dose', { exact: true }).check();
}

async function fillDose(page: Page) {
  const f = form(page, '/administration');
  assert.equal(await f.getByLabel('Trastuzumab dose given (mg)').inputValue(), '', 'the dose is typed by the nurse, never prefilled');
  assert.equal(await f.getByLabel('Route').inputValue(), 'IV', 'the route comes from the prescription');
  await f.getByLabel('Trastuzumab dose given (mg)').fill('420');
  await f.getByLabel('Site').fill('Left forearm');
  await f.getByLabel('Start time').fill('08:30');
  await f.getByLabel('End time').fill('09:00');
  await f.getByLabel('Batch number').fill('HX-2291');
  await f.getByLabel('Expiry date').fill('2027-01-31');
  await f.getByLabel(/observation period/).check();
  await f.getByLabel('The anaphylaxis kit is with me and in date').check();
}

test('at 360 px the provider nurse finds today’s visit, completes the checklist and records the dose; the Trust’s nurse sees it on the patient’s record', async () => {
  const v = await visitToday();
  assert.equal(await nurse.locator('header a[href="/visits/today"]').count(), 1, 'the header links to today’s visits');
  await nurse.goto('/visits/today');
  assert.equal((await nurse.locator('main h1').innerText()).trim(), 'Today’s visits');
  const card = nurse.locator('main .nhsuk-card', { hasText: v.name });
  assert.match(await card.innerText(), /07:00 to 11:00[\s\S]*Access: Key safe 1234; dog shut in the kitchen/);
  await fitsAndAccessible(nurse, 'today’s visits at 360 px');

  await Promise.all([nurse.waitForURL(`**/visits/${v.visitId}`), card.getByRole('button', { name: `Open visit for ${v.name}` }).click()]);
  const panel = await nurse.locator('main .homeward-safety-panel').innerText();
  assert.match(panel, /Trastuzumab dose\s+420 mg/);
  assert.match(panel, /Allergies\s+None known/);
  assert.match(panel, /LVEF status\s+No cardiac \(LVEF\) block for today’s dose\. Last result: 62% on 13 April 2026/);
  assert.match(panel, /Anaphylaxis kit\s+Needed/);
  assert.equal(await nurse.locator('#hard-stop').count(), 0);
  await fitsAndAccessible(nurse, 'a visit at 360 px');

  // The dose before the checklist is refused; what was typed is kept and nothing is saved.
  await fillDose(nurse);
  await press(nurse, 'Record dose given');
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /Complete the pre-administration checklist before recording the dose/);
  assert.equal(await form(nurse, '/administration').getByLabel('Site').inputValue(), 'Left forearm');
  await fitsAndAccessible(nurse, 'the dose refused before the checklist');

  // A temperature outside the limits needs a reason to give the dose.
  await fillChecklist(nurse, '38.2');
  await press(nurse, 'Record checklist');
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /outside the limits: enter the reason for giving the dose/);
  assert.equal(await form(nurse, '/checks').getByLabel('Temperature (°C)').inputValue(), '38.2', 'what was typed is kept');
  assert.equal(await checks(v.visitId), 0);
  await fitsAndAccessible(nurse, 'the checklist with errors');
  await form(nurse, '/checks').getByLabel('Temperature (°C)').fill('36.8');
  await press(nurse, 'Record checklist');
  assert.match(await nurse.locator('.nhsuk-notification-banner--success').innerText(), /Checklist recorded/);

  await fillDose(nurse);
  const sent = await form(nurse, '/administration').evaluate((f: HTMLFormElement) => Array.from(new FormData(f) as unknown as Iterable<[string, FormDataEntryValue]>, ([k, x]) => [k, String(x)]));
  await press(nurse, 'Record dose given');
  assert.match(nurse.url(), /\?done=dose$/);
  assert.match(await nurse.locator('.nhsuk-notification-banner--success').innerText(), /Dose recorded/);
  assert.match(await nurse.locator('main .nhsuk-tag').first().innerText(), /Dose given/);
  assert.equal(await form(nurse, '/administration').count(), 0, 'the dose form has gone');
  assert.equal(await doses(v.rx), 1);
  await fitsAndAccessible(nurse, 'a visit with the dose recorded');

  // The same form sent again (a double tap, a retry) is recognised by its key: a clear banner, not a second dose.
  await Promise.all([
    nurse.waitForEvent('load'),
    nurse.evaluate(
      ({ action, fields }) => {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = action;
        for (const [name, value] of fields) f.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
        document.body.append(f);
        f.submit();
      },
      { action: `/visits/${v.visitId}/administration`, fields: sent },
    ),
  ]);
  assert.match(await nurse.locator('[data-already-recorded]').innerText(), /This has already been recorded\. It was not saved a second time/);
  assert.equal(await nurse.locator('.nhsuk-error-summary').count(), 0);
  assert.equal(await doses(v.rx), 1);
  await fitsAndAccessible(nurse, 'a resubmitted dose');

  const trustCtx = await h.newContext();
  const trust = await trustCtx.newPage();
  await signInWithForm(trust, 'trust-nurse');
  await trust.goto(`/patients/${v.patientId}`);
  const doseTable = trust.locator('main table', { has: trust.locator('caption', { hasText: 'Doses given' }) });
  const cells = (await doseTable.locator('tbody tr').first().locator('td').allInnerTexts()).map((c) => c.replace(/^(Date|Dose|Where|Site|Batch)\s*/, '').trim());
  assert.deepEqual(cells, ['1 June 2026', 'Trastuzumab 420 mg', 'Home', 'Left forearm', 'HX-2291']);
  await assertAccessible(trust, 'the Trust’s patient page with the home treatment record');
  await trustCtx.close();
});

test('hard stop: an LVEF result awaiting assessment shows the stop, no dose form is offered, and a crafted dose is refused by the server', async () => {
  const v = await visitToday({ unassigned: true });
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${v.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'echo', percent: 50, reportingClinician: 'Dr Echo' } }), 201);
  await nurse.goto('/visits/today');
  assert.match(await nurse.locator('main .nhsuk-card', { hasText: v.name }).innerText(), /Not given to a nurse yet/, 'unassigned visits are on the nurse’s list too');
  await nurse.goto(`/visits/${v.visitId}`);
  const stop = await nurse.locator('#hard-stop').innerText();
  assert.match(stop, /Hard stop: do not give this dose/);
  assert.match(stop, /Do not give this dose: 1 LVEF result is waiting for a clinician to assess/);
  assert.equal(await form(nurse, '/administration').count(), 0, 'no dose form');
  for (const path of ['/checks', '/not-given', '/reactions', '/incidents']) assert.equal(await form(nurse, path).count(), 1, `the ${path} form remains`);
  await fitsAndAccessible(nurse, 'a visit with a hard stop');

  await fillChecklist(nurse);
  await press(nurse, 'Record checklist');
  assert.match(await nurse.locator('.nhsuk-notification-banner--success').innerText(), /Checklist recorded/);
  // The dose form posted anyway, as a crafted request from the page would be.
  const csrf = await nurse.locator('input[name="_csrf"]').first().inputValue();
  const fields: [string, string][] = Object.entries({ _csrf: csrf, idempotencyKey: randomUUID(), 'drug-0': 'TRASTUZUMAB', 'dose-0': '420', route: 'IV', site: 'Left forearm', givenOn: '2026-06-01', startTime: '08:30', endTime: '09:00', batch: 'HX-2291', expiry: '2027-01-31', observationCompleted: 'yes', anaphylaxisKitConfirmed: 'yes' });
  const res = await nurse.request.post(`/visits/${v.visitId}/administration`, { form: Object.fromEntries(fields), headers: { accept: 'text/html' } });
  assert.equal(res.status(), 409);
  assert.match(await res.text(), /Do not give this dose: 1 LVEF result is waiting for a clinician to assess/);
  assert.equal(await doses(v.rx), 0);
});

test('offline: the checklist and the dose are kept on the phone, then sent once the phone is back online, exactly once', async () => {
  const v = await visitToday();
  await nurse.goto(`/visits/${v.visitId}`);
  await nurseCtx.setOffline(true);
  await fillChecklist(nurse);
  await nurse.getByRole('button', { name: 'Record checklist', exact: true }).click();
  const status = nurse.locator('#offline-status');
  await status.getByText('Saved on this phone — it will be sent when you are back online').waitFor();
  await fillDose(nurse);
  await nurse.getByRole('button', { name: 'Record dose given', exact: true }).click();
  await status.getByText(/^Dose, saved at/).waitFor();
  assert.equal(new URL(nurse.url()).pathname, `/visits/${v.visitId}`, 'nothing was posted');
  assert.match(await status.innerText(), /Checklist, saved at \d\d:\d\d[\s\S]*Dose, saved at \d\d:\d\d/);
  const pending = await nurse.evaluate(() => JSON.parse(localStorage.getItem('homeward.pending') ?? '[]') as { url: string; fields: [string, string][]; savedAt: string }[]);
  assert.deepEqual(pending.map((p) => p.url), [`/visits/${v.visitId}/checks`, `/visits/${v.visitId}/administration`]);
  for (const p of pending) {
    assert.ok(p.fields.some(([k, x]) => k === '_csrf' && x) && p.fields.some(([k, x]) => k === 'idempotencyKey' && x), 'kept with its CSRF token and key');
    assert.ok(!Number.isNaN(Date.parse(p.savedAt)));
  }
  assert.equal(await checks(v.visitId), 0, 'the server has no checklist yet');
  assert.equal(await doses(v.rx), 0, 'the server has no dose yet');
  await fitsAndAccessible(nurse, 'a visit with records saved on the phone');

  await nurseCtx.setOffline(false);
  await status.getByText('Sent: Checklist, Dose. Everything saved on this phone has been recorded.').waitFor();
  assert.equal(await checks(v.visitId), 1);
  assert.equal(await doses(v.rx), 1);
  assert.equal(await nurse.evaluate(() => localStorage.getItem('homeward.pending')), '[]');

  // The dose's answer lost on the way (so the phone still holds it): sent again on the next page load, the server
  // recognises the key and says it was already recorded; the phone lets it go and there is still one dose.
  await nurse.evaluate((item) => localStorage.setItem('homeward.pending', JSON.stringify([item])), pending[1]!);
  await nurse.reload();
  await status.getByText('Sent: Dose. Everything saved on this phone has been recorded.').waitFor();
  assert.equal(await nurse.evaluate(() => localStorage.getItem('homeward.pending')), '[]');
  assert.equal(await doses(v.rx), 1, 'exactly one dose');
  await nurse.reload();
  assert.match(await nurse.locator('main .nhsuk-tag').first().innerText(), /Dose given/);
  await fitsAndAccessible(nurse, 'a visit after the phone sent its records');
});

test('without JavaScript the plain forms post as normal: "not given" and a grade 2 reaction, each refused first with the NHS error summary', async () => {
  const v = await visitToday();
  const ctx = await h.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await signInWithForm(page, 'provider-nurse');
  assert.equal(await page.evaluate(() => document.body.classList.contains('js-enabled')), false, 'JavaScript really is off');
  await page.goto(`/visits/${v.visitId}`);

  await press(page, 'Record as not given');
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Select why the dose was not given/);
  await assertErrorLinksResolve(page, '"not given" with errors, without JavaScript');
  await form(page, '/not-given').getByLabel('Patient declined the dose').check();
  await form(page, '/not-given').getByLabel('Note (optional)').fill('Wants to talk to the consultant first');
  await press(page, 'Record as not given');
  assert.match(await page.locator('.nhsuk-notification-banner--success').innerText(), /Recorded as not given\. The Trust has been asked to defer the cycle/);
  assert.match(await page.locator('main .nhsuk-tag').first().innerText(), /Not given/);
  assert.equal(await form(page, '/checks').count(), 0, 'the visit is closed');

  await form(page, '/reactions').getByLabel('Adrenaline given').check();
  await press(page, 'Record reaction');
  const problems = await page.locator('.nhsuk-error-summary').innerText();
  assert.match(problems, /Select a CTCAE grade from 1 to 5[\s\S]*Describe the reaction/, 'every problem at once');
  assert.equal(await form(page, '/reactions').getByLabel('Adrenaline given').isChecked(), true, 'what was ticked is kept');
  await assertErrorLinksResolve(page, 'a reaction with errors, without JavaScript');
  await form(page, '/reactions').getByLabel('Grade 2 (moderate)').check();
  await form(page, '/reactions').getByLabel('What happened').fill('Rash and rigors while waiting');
  await press(page, 'Record reaction');
  assert.match(await page.locator('.nhsuk-notification-banner--success').innerText(), /Reaction recorded\. The Trust has been alerted/);
  await ctx.close();
});

test('no request left the machine and no page logged an error (other than what failed while offline, and the 409 of the repeated dose)', () => {
  assertAllLocal(h);
  const expected = /Failed to load resource: (net::ERR_INTERNET_DISCONNECTED|the server responded with a status of 409)/;
  const unexpected = h.problems.filter((p) => !expected.test(p));
  assert.deepEqual(unexpected, [], unexpected.join('\n'));
});
