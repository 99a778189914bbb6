import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_TRUSTS } from '../../src/demo/network.ts';
import { nextNhsNumber, PASSWORD } from '../support/world.ts';
import { assertErrorLinksResolve, signInWithForm, type Harness } from './browser.ts';

// Registered by pages.test.ts, to share its app and browser.
// With JavaScript switched off, the core journeys still work end to end: every page is plain HTML and forms.
// (axe itself needs timers, which do not run with JavaScript off; the same pages are checked with it on in
// pages.test.ts.)
export function noJavaScriptTests(h: () => Harness): void {
  test('without JavaScript, a trust nurse signs in, registers a patient, lands on the patient page and signs out', async () => {
    const ctx = await h().newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await signInWithForm(page, 'trust-nurse');
    assert.equal(await page.evaluate(() => document.body.classList.contains('js-enabled')), false, 'JavaScript really is off');
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Trust nurse');

    await Promise.all([page.waitForURL('**/patients/new'), page.getByRole('link', { name: 'Register a patient' }).first().click()]);
    const nhsNumber = nextNhsNumber();
    // A mistake first: the form comes back with the NHS error summary and keeps what was typed.
    await page.getByLabel('NHS number').fill('123');
    await page.getByLabel('Given name').fill('Ada');
    await page.getByRole('button', { name: 'Register patient' }).click();
    await page.locator('.nhsuk-error-summary').waitFor();
    assert.match(await page.title(), /^Error: /);
    assert.equal(await page.getByLabel('Given name').inputValue(), 'Ada');
    await assertErrorLinksResolve(page, 'register a patient with errors, without JavaScript');

    await page.getByLabel('NHS number').fill(nhsNumber);
    await page.getByLabel('Family name').fill('Lovelace-Nojs');
    await page.getByLabel('Date of birth').fill('1961-03-27');
    await page.getByLabel('Postcode (optional)').fill('b9 5ss');
    await page.getByLabel('Chemotherapy unit').selectOption({ label: DEMO_TRUSTS[0].units[0].name });
    await Promise.all([page.waitForURL(/\/patients\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Register patient' }).click()]);
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Ada Lovelace-Nojs');
    const summary = await page.locator('main .nhsuk-summary-list').innerText();
    assert.ok(summary.replace(/\s/g, '').includes(nhsNumber), `the NHS number ${nhsNumber} is shown: ${summary}`);
    assert.match(summary, /27 March 1961/);
    assert.match(summary, /B9 5SS/);

    await Promise.all([page.waitForURL('**/sign-in*'), page.locator('header').getByRole('button', { name: 'Sign out' }).click()]);
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Sign in to Homeward');
    assert.equal(await page.locator('header').getByRole('button', { name: 'Sign out' }).count(), 0, 'no Sign out button once signed out');
    // The session really ended: the home page asks for sign-in again.
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await ctx.close();
  });

  test('without JavaScript, the administrator adds a unit to a Trust and creates a user through the forms', async () => {
    const ctx = await h().newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await signInWithForm(page, 'admin');
    const trust = DEMO_TRUSTS[2];

    await Promise.all([page.waitForURL('**/admin/organisations'), page.locator('header').getByRole('link', { name: 'Organisations' }).click()]);
    await Promise.all([page.waitForURL(/\/admin\/organisations\/[0-9a-f-]{36}$/), page.getByRole('link', { name: trust.name }).click()]);
    const orgUrl = page.url();
    await page.getByLabel('Unit code').fill('rx399');
    await page.getByLabel('Unit name').fill('Castlegate Outreach Clinic');
    await Promise.all([page.waitForURL(orgUrl), page.getByRole('button', { name: 'Add unit' }).click()]);
    const units = await page.locator('main table').innerText();
    assert.match(units, /Castlegate Outreach Clinic\s+RX399/);
    // The same code again is refused with a message on the field.
    await page.getByLabel('Unit code').fill('RX399');
    await page.getByLabel('Unit name').fill('Duplicate');
    await page.getByRole('button', { name: 'Add unit' }).click();
    await page.locator('.nhsuk-error-summary').waitFor();
    await assertErrorLinksResolve(page, 'duplicate unit, without JavaScript');

    await Promise.all([page.waitForURL('**/admin/users'), page.locator('header').getByRole('link', { name: 'Users' }).click()]);
    await page.getByLabel('Username').fill('nojs-nurse');
    await page.getByLabel('Full name').fill('Noor Jasper');
    await page.getByLabel('Initial password').fill(PASSWORD);
    await page.getByLabel('Organisation').selectOption({ label: `${trust.name} (${trust.odsCode})` });
    await page.getByLabel('Role').selectOption({ label: 'Trust nurse (trust)' });
    await Promise.all([page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Add user' }).click()]);
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Noor Jasper');
    assert.match(await page.locator('main .nhsuk-summary-list').innerText(), /nojs-nurse/);
    // The new unit is offered as a limit for the new user.
    assert.equal(await page.getByLabel('Castlegate Outreach Clinic').count(), 1);
    await ctx.close();

    // The new user can sign in and sees their Trust.
    const other = await h().newContext({ javaScriptEnabled: false });
    const p2 = await other.newPage();
    await signInWithForm(p2, 'nojs-nurse');
    assert.match(await p2.locator('header').innerText(), new RegExp(trust.name));
    await other.close();
  });
}
