import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ROLE_LABELS, ROLE_ORG_KIND, ROLES, type Role } from '../../src/access/roles.ts';
import type { OrgKind } from '../../src/organisations/schema.ts';
import { DEMO_COMMISSIONER, DEMO_NETWORK, DEMO_PROVIDER, DEMO_TRUSTS } from '../../src/demo/network.ts';
import { assertAccessible, assertAllLocal, assertNoProblems, signInWithForm, startHarness, type Harness } from './browser.ts';
import { noJavaScriptTests } from './no-js.ts';
import { surveyPageTests } from './survey-pages.ts';

// The product in a real browser. Every role signs in through the real form, lands on its own home page, and every
// page it can reach from there (home page links and header navigation) passes axe-core's WCAG 2.2 AA rules, as do
// the forms' error states and the admin pages. The core journeys also work with JavaScript off (no-js.ts). Across
// the whole run no request leaves the machine and no page logs a console error or throws.

let h: Harness;
before(async () => {
  h = await startHarness({ patientsPerTrust: 3 });
});
after(() => h?.close());

const ORG_NAME: Record<OrgKind, string> = {
  trust: DEMO_TRUSTS[0].name,
  provider: DEMO_PROVIDER.name,
  commissioner: DEMO_COMMISSIONER.name,
  network: DEMO_NETWORK.name,
};

/** Same-origin GET links in the header and main content, without fragments, in page order. */
async function linksOf(page: Page): Promise<string[]> {
  const hrefs = await page.locator('header a[href], main a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const out = new Set<string>();
  for (const href of hrefs) {
    const u = new URL(href);
    if (u.origin === h.base) out.add(u.pathname + u.search);
  }
  return [...out];
}

/** Opens a page (which must answer with the status given, without a redirect) and checks it with axe. */
async function visit(page: Page, path: string, expectStatus = 200): Promise<void> {
  const res = await page.goto(path);
  assert.equal(res?.status(), expectStatus, `GET ${path}`);
  const u = new URL(page.url());
  assert.equal(u.pathname + u.search, path, `GET ${path} was not redirected (a lost session would land on the sign-in page)`);
  await assertAccessible(page, path);
}

/** Submits a form with a button and waits for the NHS error summary to come back. */
async function submitExpectingErrors(page: Page, button: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: button }).first().click();
  await page.locator('.nhsuk-error-summary').waitFor();
}

/**
 * More pages for some roles, checked in the same signed-in page as the role's home page (a person has at most
 * three live sessions, and every sign-in costs a browser context and a password hash).
 */
const MORE: Partial<Record<Role, { title: string; run: (page: Page) => Promise<void> }>> = {
  'trust-nurse': {
    title: 'search results, a patient with the pathway form, the register form with errors, and a 404 are accessible',
    run: async (page) => {
      await page.goto('/patients');
      await page.getByLabel('Search by NHS number, name or date of birth').fill('a');
      await Promise.all([page.waitForURL(/q=a/), page.getByRole('button', { name: 'Search' }).click()]);
      await assertAccessible(page, 'patients search results');
      await visit(page, '/patients?q=zzzzzz-nobody');

      const unreferred = (await h.w.patientsOf(DEMO_TRUSTS[0].odsCode)).find((p) => !p.referred);
      assert.ok(unreferred);
      await visit(page, `/patients/${unreferred.id}`);
      assert.equal(await page.getByRole('button', { name: 'Start a home-pathway episode' }).count(), 1, 'referral happens through the pathway');

      await page.goto('/patients/new');
      await submitExpectingErrors(page, 'Register patient');
      await assertAccessible(page, 'register a patient with errors');
      await visit(page, '/patients/00000000-0000-4000-8000-000000000000', 404);
      assert.equal((await page.locator('main h1').innerText()).trim(), 'Page not found');
    },
  },
  'provider-nurse': {
    title: 'a referred patient is accessible',
    run: async (page) => {
      await page.goto('/patients');
      const first = page.locator('main table a').first();
      assert.ok(await first.count(), 'the provider sees referred patients');
      await Promise.all([page.waitForURL(/\/patients\/[0-9a-f-]{36}$/), first.click()]);
      await assertAccessible(page, 'patient seen by a provider');
    },
  },
  admin: {
    title: 'an organisation, users, and every admin form with errors are accessible, and so is the header at 320 px',
    run: async (page) => {
      await page.goto('/admin/organisations');
      await submitExpectingErrors(page, 'Add organisation');
      await assertAccessible(page, 'add an organisation with errors');

      const trust = await h.w.org(DEMO_TRUSTS[0].odsCode);
      await visit(page, `/admin/organisations/${trust.id}`);
      await submitExpectingErrors(page, 'Add unit');
      await assertAccessible(page, 'add a unit with errors');
      await page.getByLabel('Name', { exact: true }).fill('');
      await submitExpectingErrors(page, 'Save changes');
      await assertAccessible(page, 'change an organisation with errors');
      await visit(page, `/admin/organisations/${(await h.w.org(DEMO_PROVIDER.odsCode)).id}`);

      await page.goto('/admin/users');
      await submitExpectingErrors(page, 'Add user');
      await assertAccessible(page, 'add a user with errors');
      await visit(page, `/admin/users/${await h.w.userId('trust-nurse')}`);
      await page.getByLabel('Full name').fill('');
      await page.getByLabel('New password (optional)').fill('short');
      await submitExpectingErrors(page, 'Save changes');
      await assertAccessible(page, 'change a user with errors');
      await visit(page, `/admin/users/${await h.w.userId('provider-nurse')}`);

      await page.goto('/admin/agreements');
      await submitExpectingErrors(page, 'Add agreement');
      await assertAccessible(page, 'add an agreement with errors');
      await submitExpectingErrors(page, /^End agreement now/);
      await assertAccessible(page, 'end an agreement with errors');

      await visit(page, '/admin/checklists');
      await visit(page, '/admin/checklists/trastuzumab-iv-3-weekly');
      await page.getByLabel('Wording', { exact: true }).first().fill('');
      await submitExpectingErrors(page, 'Save a new version');
      await assertAccessible(page, 'save a checklist with errors');
      await page.goto('/admin/consent-forms');
      await submitExpectingErrors(page, 'Add version');
      await assertAccessible(page, 'add a consent form version with errors');
      await visit(page, '/admin/letter-templates');
      await visit(page, '/admin/letter-templates/return');
      await page.getByLabel('Subject', { exact: true }).fill('');
      await submitExpectingErrors(page, 'Save a new version');
      await assertAccessible(page, 'save a letter template with errors');
      assert.ok((await page.getByLabel('Letter text').inputValue()).includes('{nhsNumber}'), 'the letter text typed is kept');
      await page.getByLabel('Subject', { exact: true }).fill('Return to hospital treatment');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Preview changes' }).click()]);
      await assertAccessible(page, 'a letter template with a preview of changes');
      await Promise.all([page.waitForURL(/saved=1$/), page.getByRole('button', { name: 'Save a new version' }).click()]);
      await page.locator('.nhsuk-notification-banner--success').waitFor();
      await assertAccessible(page, 'a letter template just saved');

      await visit(page, '/admin/report-settings');
      await page.getByLabel('Day-unit tariff per dose').fill('2l8');
      await submitExpectingErrors(page, 'Save a new version');
      await assertAccessible(page, 'save report settings with errors');

      await page.goto('/account/tokens');
      await page.getByLabel('Token name').fill('e2e integration');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('#new-token').waitFor();
      await assertAccessible(page, 'tokens page with a new token');
      await submitExpectingErrors(page, 'Create token');
      await assertAccessible(page, 'create a token with errors');

      // On a small screen nhsuk-frontend's header moves the links that do not fit into a "More" menu.
      await page.setViewportSize({ width: 320, height: 640 });
      await page.goto('/');
      await assertAccessible(page, 'admin home page at 320 px');
      const more = page.locator('header').getByRole('button', { name: /More/ });
      await more.click();
      assert.equal(await more.getAttribute('aria-expanded'), 'true');
      await page.locator('header').getByRole('link', { name: 'Agreements' }).waitFor();
      await assertAccessible(page, 'admin home page at 320 px with the menu open');
      await visit(page, '/admin/users');
    },
  },
};

// Tests run two at a time, each in its own browser context, sharing one app and one browser; the longest
// (the roles with more pages) start first so the run does not end on one long test.
describe('pages', { concurrency: 2 }, () => {
  const roles = [...ROLES].sort((a, b) => Number(b in MORE) - Number(a in MORE));
  for (const role of roles) {
    test(`${role}: signs in through the form, lands on its home page, and every page it links to is accessible`, async (t) => {
      const ctx = await h.newContext();
      const page = await ctx.newPage();
      await signInWithForm(page, role);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal((await page.locator('main h1').innerText()).trim(), ROLE_LABELS[role]);
      const orgName = ORG_NAME[ROLE_ORG_KIND[role]];
      assert.ok((await page.locator('header').innerText()).includes(orgName), `the header shows ${orgName}`);
      await assertAccessible(page, `home page of ${role}`);

      const links = await linksOf(page);
      assert.ok(links.length >= 2, `${role} has somewhere to go: ${links.join(', ')}`);
      for (const path of links) if (path !== '/') await visit(page, path);

      const more = MORE[role];
      if (more) await t.test(`${role}: ${more.title}`, () => more.run(page));
      await ctx.close();
    });
  }

  noJavaScriptTests(() => h);
  surveyPageTests(() => h);

  test('signed out: the sign-in page, with errors, and a 404 are accessible; the page shell loads; axe is really running', async () => {
    const ctx = await h.newContext();
    const page = await ctx.newPage();
    await visit(page, '/sign-in');
    // Every stylesheet, script, icon and the manifest the shell links to is served (a broken icon is a console error).
    const assets = await page.locator('head link[href], head script[src]').evaluateAll((els) => els.map((e) => (e as HTMLLinkElement).href || (e as HTMLScriptElement).src));
    assert.ok(assets.length >= 6, assets.join(', '));
    for (const url of assets) assert.equal((await ctx.request.get(url)).status(), 200, url);

    await submitExpectingErrors(page, 'Sign in');
    await assertAccessible(page, 'sign-in page with errors');
    await page.getByLabel('Username').fill('trust-nurse');
    await page.getByLabel('Password').fill('not-the-password');
    await submitExpectingErrors(page, 'Sign in');
    await assertAccessible(page, 'sign-in page after a wrong password');
    await visit(page, '/no-such-page', 404);
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Page not found');

    // The checker itself: a page with known faults must fail it.
    await page.setContent('<html><body><img src="data:,"><a href="/x"></a></body></html>');
    await assert.rejects(assertAccessible(page, 'a faulty page'), (err: Error) => /image-alt/.test(err.message) && /html-has-lang/.test(err.message));
    await ctx.close();
  });
});

test('the API documentation (Swagger UI, linked from every footer) loads without any request leaving the machine', async () => {
  // Third-party UI with its own CSP: it is held to the no-external-request rule only, not to the axe and
  // console checks of the product's own pages, so its context is not one of the harness's watched ones.
  const ctx = await h.browser.newContext({ baseURL: h.base });
  const page = await ctx.newPage();
  page.on('request', (r) => h.requests.push(r.url()));
  assert.equal((await page.goto('/docs'))?.status(), 200);
  await page.getByText('/api/v1/auth/sign-in').first().waitFor();
  await ctx.close();
});

test('no request left the machine and no page logged an error', () => {
  assertAllLocal(h);
  assertNoProblems(h);
});
