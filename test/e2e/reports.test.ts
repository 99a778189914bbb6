import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { buildReportPopulation } from '../support/reports-population.ts';
import { assertAccessible, assertAllLocal, assertNoProblems, signInWithForm, startHarness, type Harness } from './browser.ts';

// The monthly report in a real browser: the cancer manager of Trust A opens it from the header, changes the months and
// the Trust, sees the graph and the tables, follows a figure to the patients behind it, and downloads the CSV. The
// network lead sees the same report across Trusts with small numbers withheld. Every page passes axe-core (WCAG 2.2 AA).

let h: Harness;
let page: Page;

before(async () => {
  h = await startHarness({ patientsPerTrust: 1 });
  await buildReportPopulation(h.w);
  page = await (await h.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
});
after(() => h?.close());

test('the cancer manager opens the monthly report, changes month and Trust, follows a figure to its patients and downloads the CSV', async () => {
  await signInWithForm(page, 'cancer-manager');
  // From the home page's list of what the role can do (the header may fold links into its "More" menu on narrow screens).
  await Promise.all([page.waitForURL('**/reports/monthly'), page.locator('main').getByRole('link', { name: 'Monthly report' }).click()]);
  assert.equal((await page.locator('main h1').innerText()).trim(), 'Monthly report');
  await assertAccessible(page, 'monthly report (default months)');

  await page.getByLabel('First month').selectOption('2026-01');
  await page.getByLabel('Last month').selectOption('2026-05');
  await page.getByLabel('Trust').selectOption({ label: 'Ardenfield NHS Foundation Trust' });
  await Promise.all([page.waitForURL(/from=2026-01&to=2026-05/), page.getByRole('button', { name: 'Show report' }).click()]);
  const summary = page.locator('#summary table');
  assert.match(await summary.innerText(), /Ardenfield NHS Foundation Trust\s+12\s+11\s+91\.7%\s+7\s+58\.3%\s+63\.6%/);
  assert.match(await page.locator('#cquin').innerText(), /Not met/);
  assert.ok(await page.locator('img[alt^="Line graph"]').isVisible(), 'the progress graph is shown');
  assert.match(await page.locator('#progress').innerText(), /May 2026\s+12\s+7\s+58\.3%/);
  await assertAccessible(page, 'monthly report, January to May');

  await Promise.all([page.waitForURL('**/reports/monthly/patients?**'), page.locator('#decline-reasons').getByRole('link', { name: '1' }).first().click()]);
  assert.match(await page.locator('main').innerText(), /Declined: Prefers the support of the hospital unit[\s\S]*1 patient\./);
  await assertAccessible(page, 'patients behind a figure');
  await Promise.all([page.waitForURL(/\/reports\/monthly\?/), page.getByRole('link', { name: 'Back to the report' }).click()]);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'homeward-monthly-report-2026-01-to-2026-05.csv');
  const csv = await readFile((await download.path())!, 'utf8');
  assert.match(csv, /Ardenfield NHS Foundation Trust,12,11,91\.7,7,58\.3,63\.6,3,1,0,1,7,5,1,1/);
});

test('the network lead sees every Trust in aggregate, with small numbers withheld and no link to patients', async () => {
  const network = await (await h.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInWithForm(network, 'network-lead');
  await network.goto('/reports/monthly?from=2026-01&to=2026-05');
  assert.match(await network.locator('main').innerText(), /Withheld: a count from 1 to 7/);
  assert.match(await network.locator('#summary table').innerText(), /All Trusts\s+45\s+44\s+97\.8%\s+28\s+62\.2%/);
  assert.equal(await network.locator('a[href*="/reports/monthly/patients"]').count(), 0);
  await network.getByLabel('Trust').selectOption({ label: 'Castlegate University Hospitals NHS Foundation Trust' });
  await Promise.all([network.waitForURL(/trust=/), network.getByRole('button', { name: 'Show report' }).click()]);
  assert.match(await network.locator('#cquin').innerText(), /Castlegate University Hospitals NHS Foundation Trust[\s\S]*Met/);
  await assertAccessible(network, 'monthly report for the network');
  assertNoProblems(h);
  assertAllLocal(h);
});
