import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { DEMO_PROVIDER, DEMO_TRUSTS } from '../../src/demo/network.ts';
import { DEFAULT_CHECKLIST } from '../../src/pathway/suitability.ts';
import { nextNhsNumber } from '../support/world.ts';
import { pdfText } from '../support/pdf.ts';
import { assertAccessible, assertAllLocal, assertNoProblems, signInWithForm, startHarness, type Harness } from './browser.ts';

// The home pathway in a real browser, at a desktop width: a Trust nurse registers a patient and takes them through
// suitability, offer, acceptance and referral; the provider's coordinator accepts the referral from their inbox in
// a separate session; the nurse records consent, starts treatment at home and then a return to hospital. Every
// state of the episode page on the way, its error state, the worklists and the coordinator's pages pass axe-core's
// WCAG 2.2 AA rules; no request leaves the machine and no page logs a console error.

const VIEWPORT = { width: 1280, height: 900 };
const GIVEN = 'Rosalind';
const FAMILY = 'Pathway-Franklin';

let h: Harness;
let nurseCtx: BrowserContext;
let nurse: Page;
let episodePath = '';

before(async () => {
  h = await startHarness({ patientsPerTrust: 1 });
  nurseCtx = await h.newContext({ viewport: VIEWPORT });
  nurse = await nurseCtx.newPage();
});
after(() => h?.close());

/** The episode status as the summary list shows it. */
const statusOf = async (page: Page) =>
  (await page.locator('main .nhsuk-summary-list__row').filter({ has: page.locator('dt', { hasText: /^\s*Status\s*$/ }) }).locator('.nhsuk-summary-list__value').innerText()).trim();

/** The next-step form for one event. */
const stepForm = (page: Page, event: string): Locator => page.locator('main form', { has: page.locator(`input[name="event"][value="${event}"]`) });

/**
 * The app runs on the harness's fake clock, which stands still unless moved: each step happens a minute after the
 * last, as it would in a clinic (the history is ordered by time).
 */
const aMinuteLater = () => h.w.clock.advance(60_000);

/**
 * Presses a button on the episode page and waits for the page it leads to; on success that is the episode page
 * again (a redirect after the POST), showing the status given, which is then checked with axe.
 */
async function takeStep(page: Page, button: string, expectStatus: string): Promise<void> {
  aMinuteLater();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
  assert.equal(new URL(page.url()).pathname, episodePath, `after "${button}" the episode page is shown again`);
  assert.equal(await page.locator('.nhsuk-error-summary').count(), 0, `"${button}" was accepted`);
  assert.equal(await statusOf(page), expectStatus, `status after "${button}"`);
  await assertAccessible(page, `episode page, ${expectStatus.toLowerCase()}`);
}

test('a Trust nurse signs in, registers a patient and starts a home-pathway episode', async () => {
  await signInWithForm(nurse, 'trust-nurse');
  await nurse.goto('/patients/new');
  await nurse.getByLabel('NHS number').fill(nextNhsNumber());
  await nurse.getByLabel('Given name').fill(GIVEN);
  await nurse.getByLabel('Family name').fill(FAMILY);
  await nurse.getByLabel('Date of birth').fill('1958-07-25');
  await nurse.getByLabel('GP practice code (optional)').fill('B81001');
  await nurse.getByLabel('GP practice name (optional)').fill('Riverside Surgery');
  await nurse.getByLabel('Chemotherapy unit').selectOption({ label: DEMO_TRUSTS[0].units[0].name });
  await Promise.all([nurse.waitForURL(/\/patients\/[0-9a-f-]{36}$/), nurse.getByRole('button', { name: 'Register patient' }).click()]);
  const patientPath = new URL(nurse.url()).pathname;
  assert.equal((await nurse.locator('main h1').innerText()).trim(), `${GIVEN} ${FAMILY}`);
  assert.match(await nurse.locator('main').innerText(), /No home-pathway episode yet/);

  await nurse.getByLabel('Regimen').selectOption({ label: 'Trastuzumab SC 600 mg, 3-weekly' });
  await Promise.all([nurse.waitForURL(/\/episodes\/[0-9a-f-]{36}$/), nurse.getByRole('button', { name: 'Start a home-pathway episode' }).click()]);
  episodePath = new URL(nurse.url()).pathname;
  assert.equal((await nurse.locator('main h1').innerText()).trim(), 'Home pathway episode');
  assert.equal(await statusOf(nurse), 'Identified');
  assert.match(await nurse.locator('main').innerText(), /Nothing has been recorded yet/);
  await assertAccessible(nurse, 'episode page, identified');

  // The patient page now lists the episode, linked.
  await nurse.goto(patientPath);
  const link = nurse.locator('main table').getByRole('link', { name: 'Trastuzumab SC 600 mg, 3-weekly' });
  assert.equal(await link.getAttribute('href'), episodePath);
  assert.match(await nurse.locator('main table').innerText(), /Identified/);
  await assertAccessible(nurse, 'patient page with an episode');
  await Promise.all([nurse.waitForURL(`**${episodePath}`), link.click()]);
});

test('the suitability form with nothing answered comes back with the NHS error summary, and is accessible', async () => {
  await Promise.all([nurse.waitForEvent('load'), nurse.getByRole('button', { name: 'Record suitability', exact: true }).click()]);
  await nurse.locator('.nhsuk-error-summary').waitFor();
  assert.match(await nurse.title(), /^Error: /);
  const summaryLinks = await nurse.locator('.nhsuk-error-summary a').count();
  assert.equal(summaryLinks, DEFAULT_CHECKLIST.length, 'one error per unanswered checklist item');
  assert.equal(await nurse.locator('main .nhsuk-error-message').count(), DEFAULT_CHECKLIST.length, 'each item shows its error');
  // assertAccessible also checks the title and that every summary link leads to a field on the page.
  await assertAccessible(nurse, 'episode page, suitability with errors');
  // Following a summary link moves focus to that item's first radio.
  await nurse.locator('.nhsuk-error-summary a').first().click();
  const focused = await nurse.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? '');
  assert.equal(focused, `answer-${DEFAULT_CHECKLIST[0].code}`);
});

test('the nurse records suitability, offers home treatment, records acceptance and refers to the provider', async () => {
  const assess = stepForm(nurse, 'assess');
  for (const item of DEFAULT_CHECKLIST) {
    await assess.getByRole('group', { name: item.text, exact: true }).getByLabel('Yes', { exact: true }).check();
  }
  await takeStep(nurse, 'Record suitability', 'Suitable');

  const offer = stepForm(nurse, 'offer');
  assert.equal(await offer.getByLabel('Patient information leaflet version').inputValue(), 'HOME-SACT-1', 'the leaflet version is prefilled');
  await offer.getByLabel('Date offered').fill('2026-05-30');
  await takeStep(nurse, 'Offer home treatment', 'Offered');

  await takeStep(nurse, 'Record acceptance', 'Accepted');

  // The electronic referral form: a missing field is an error, and what was typed is kept.
  const refer = stepForm(nurse, 'refer');
  await refer.getByLabel('Home-care provider').selectOption({ label: DEMO_PROVIDER.name });
  await refer.getByLabel('Treatment schedule').fill('Every 3 weeks, cycle 5 of 18');
  await Promise.all([nurse.waitForLoadState('load'), nurse.getByRole('button', { name: 'Refer to the provider' }).click()]);
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /Enter allergies/);
  await assertAccessible(nurse, 'referral form with errors');
  const again = stepForm(nurse, 'refer');
  assert.equal(await again.getByLabel('Treatment schedule').inputValue(), 'Every 3 weeks, cycle 5 of 18');
  await again.getByLabel('Home-care provider').selectOption({ label: DEMO_PROVIDER.name });
  await again.getByLabel('Allergies').fill('None known');
  await again.getByLabel('Peripheral cannula').check();
  await again.getByLabel('Key contacts').fill('Sam (husband) 07700 900 982');
  await again.getByLabel('LVEF status').fill('58% on 12 May 2026, next due 4 August 2026');
  await again.getByLabel('Prescriber').fill('Dr Priya Shah');
  await takeStep(nurse, 'Refer to the provider', 'Referred');
  // While the provider decides, the nurse can still return the patient to hospital or discontinue, but not consent.
  assert.equal(await nurse.getByRole('button', { name: 'Record consent' }).count(), 0);
});

test('the provider coordinator, in a separate session, opens the referral from the inbox and accepts it', async () => {
  const ctx = await h.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await signInWithForm(page, 'provider-coordinator');
  await Promise.all([page.waitForURL('**/referrals'), page.locator('header').getByRole('link', { name: 'New referrals' }).click()]);
  assert.equal((await page.locator('main h1').innerText()).trim(), 'New referrals');
  await assertAccessible(page, 'provider inbox with a referral');
  const referral = page.locator('main table').getByRole('link', { name: new RegExp(FAMILY) });
  assert.equal(await referral.getAttribute('href'), episodePath);

  await Promise.all([page.waitForURL(`**${episodePath}`), referral.click()]);
  assert.equal(await statusOf(page), 'Referred');
  assert.match(await page.locator('main').innerText(), /Answer this referral/);
  assert.match(await page.locator('main').innerText(), /Peripheral cannula/, 'the provider sees the referral details');
  assert.doesNotMatch(await page.locator('main').innerText(), /Record suitability/, 'but not the Trust’s earlier steps');
  // The provider answers the referral but does not drive the Trust's steps.
  assert.equal(await page.getByRole('button', { name: 'Record consent' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Refer to the provider' }).count(), 0);
  await assertAccessible(page, 'episode page seen by the provider coordinator');

  await page.getByRole('group', { name: 'Can your service take this patient?' }).getByLabel('Accept the referral').check();
  aMinuteLater();
  await Promise.all([page.waitForURL('**/referrals'), page.getByRole('button', { name: 'Send answer' }).click()]);
  assert.equal(await page.locator('main table').getByRole('link', { name: new RegExp(FAMILY) }).count(), 0, 'the answered referral has left the inbox');
  await assertAccessible(page, 'provider inbox after answering');
  await ctx.close();
});

test('the nurse records consent, starts treatment at home, then records a return to hospital; the history shows all 8 events', async () => {
  await nurse.reload();
  assert.equal(await statusOf(nurse), 'Provider accepted');
  await assertAccessible(nurse, 'episode page, provider accepted');

  // Two consents, each on the form version in use (chosen already), taken today unless the nurse says otherwise.
  const consentForm = stepForm(nurse, 'consent');
  assert.equal(await consentForm.getByRole('group', { name: 'Treatment at home form signed' }).getByRole('radio', { checked: true }).getAttribute('value'), 'HOME-TX-1');
  assert.equal(await consentForm.getByRole('group', { name: 'Data-sharing form signed' }).getByRole('radio', { checked: true }).getAttribute('value'), 'DATA-SHARE-1');
  assert.match(await consentForm.getByLabel('Date consent was taken').inputValue(), /^\d{4}-\d{2}-\d{2}$/);
  await takeStep(nurse, 'Record consent', 'Consented');
  await takeStep(nurse, 'Start treatment at home', 'Active at home');

  // Without a reason the return is refused with the NHS error summary, linked to the reason radios.
  await Promise.all([nurse.waitForEvent('load'), nurse.getByRole('button', { name: 'Return to hospital treatment', exact: true }).click()]);
  await nurse.locator('.nhsuk-error-summary').waitFor();
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /Select the reason for returning to hospital/);
  assert.equal(await statusOf(nurse), 'Active at home', 'nothing changed');
  await assertAccessible(nurse, 'episode page, return to hospital with errors');

  // "Other" needs a note: the error is on the note of this form.
  await stepForm(nurse, 'return-to-hospital').getByRole('group', { name: 'Reason' }).getByLabel('Other', { exact: true }).check();
  await Promise.all([nurse.waitForEvent('load'), nurse.getByRole('button', { name: 'Return to hospital treatment', exact: true }).click()]);
  assert.match(await nurse.locator('.nhsuk-error-summary').innerText(), /Enter the reason when you select Other/);
  await assertAccessible(nurse, 'episode page, return to hospital for another reason without a note');
  await nurse.locator('.nhsuk-error-summary a').first().click();
  assert.equal(await nurse.evaluate(() => document.activeElement?.closest('form')?.querySelector<HTMLInputElement>('input[name="event"]')?.value), 'return-to-hospital', 'the link leads to the note of the return form');

  await stepForm(nurse, 'return-to-hospital').getByRole('group', { name: 'Reason' }).getByLabel('Patient choice', { exact: true }).check();
  await takeStep(nurse, 'Return to hospital treatment', 'Returned to hospital');

  const rows = nurse.locator('main table tbody tr');
  assert.equal(await rows.count(), 8);
  const events = (await rows.locator('td:nth-child(2)').allInnerTexts()).map((t) => t.replace(/^Event\s*/, '').trim());
  assert.deepEqual(events, [
    'Record suitability',
    'Offer home treatment',
    'Record acceptance',
    'Refer to the provider',
    'Accept the referral',
    'Record consent',
    'Start treatment at home',
    'Return to hospital treatment',
  ]);
  const last = await rows.last().innerText();
  assert.match(last, /returned to hospital/);
  assert.match(last, /Patient choice/);

  // The GP letter about the return, downloaded from its link on the page with the nurse's session, is a PDF that
  // names the patient, the GP practice it is addressed to and the reason the nurse chose.
  const letterLink = nurse.locator('main').getByRole('link', { name: /^Return to hospital treatment .*\(PDF\)$/ });
  assert.equal(await letterLink.count(), 1, 'the episode page links to the return letter');
  const href = await letterLink.getAttribute('href');
  assert.ok(href);
  const pdf = await nurse.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const letter = pdfText(await pdf.body());
  // pdfmake lays a hyphenated name out as two runs (it may break the line there), which pdfText joins with a space.
  const name = `${GIVEN} ${FAMILY}`.replace(/-/g, '- ?');
  assert.match(letter, new RegExp(`Re: ${name}, NHS number \\d{3} \\d{3} \\d{4}`));
  assert.match(letter, new RegExp(`${name} has returned from home treatment`));
  assert.match(letter, /To: The GP, Riverside Surgery \(B81001\)/);
  assert.match(letter, /Reason: Patient choice\./);
});

test('the worklists show the returned patient and are accessible', async () => {
  await Promise.all([nurse.waitForURL('**/worklists'), nurse.locator('header').getByRole('link', { name: 'Worklists' }).click()]);
  const returned = nurse.locator('main table', { has: nurse.locator('caption', { hasText: 'Returned to hospital this month' }) });
  assert.equal(await returned.getByRole('link', { name: new RegExp(FAMILY) }).getAttribute('href'), episodePath);
  await assertAccessible(nurse, '/worklists');
  await nurseCtx.close();
});

test('no request left the machine and no page logged an error', () => {
  assertAllLocal(h);
  assertNoProblems(h);
});
