import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ALL_MET, CONSENT, nextNhsNumber, REFERRAL_DETAILS, signIn } from '../support/world.ts';
import { assertAccessible, signInWithForm, type Harness } from './browser.ts';

// Registered by pages.test.ts, to share its app and browser. The survey pages no home page link reaches on its own:
// the link a nurse makes from a home-pathway episode, the patient's public page (signed out: empty, with errors,
// answered, and once used), and the paper-entry and staff forms with errors. Every one passes axe. Trust B's nurse
// acts here, so the sessions of the role tests running alongside are left alone.

/** A Trust B patient taken to treatment at home through the API; returns the episode. */
async function homeEpisode(h: Harness): Promise<string> {
  const nurse = await signIn(h.w.app, 'trust-nurse-b');
  const created = async (url: string, payload: object) => {
    const res = await nurse.request({ method: 'POST', url, payload });
    assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string };
  };
  const patient = await created('/api/v1/patients', { nhsNumber: nextNhsNumber(), givenName: 'Surveyed', familyName: 'Patient', dateOfBirth: '1964-04-04' });
  const episode = await created(`/api/v1/patients/${patient.id}/episodes`, { regimen: 'trastuzumab-iv-3-weekly' });
  const providerId = (await h.w.org('HX1')).id;
  for (const payload of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-06-01', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId, ...REFERRAL_DETAILS }]) await created(`/api/v1/episodes/${episode.id}/events`, payload);
  const coordinator = await signIn(h.w.app, 'provider-coordinator');
  assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episode.id}/referral-response`, payload: { decision: 'accept' } })).statusCode, 200);
  for (const payload of [CONSENT, { event: 'start-home' }]) await created(`/api/v1/episodes/${episode.id}/events`, payload);
  return episode.id;
}

async function submitExpectingErrors(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
}

export function surveyPageTests(h: () => Harness): void {
  test('surveys: the link made from an episode, the patient’s page (empty, with errors, answered, used) and the entry forms with errors are accessible', async () => {
    const episodeId = await homeEpisode(h());
    const ctx = await h().newContext();
    const page = await ctx.newPage();
    await signInWithForm(page, 'trust-nurse-b');
    await page.goto(`/episodes/${episodeId}`);
    await Promise.all([page.waitForURL(/\/survey-link$/), page.getByRole('button', { name: 'Make a survey link' }).click()]);
    await assertAccessible(page, 'a new patient survey link');
    const link = new URL(await page.getByLabel('Survey link').inputValue());

    // The patient, signed out, in a browser of their own.
    const patientCtx = await h().newContext();
    const patient = await patientCtx.newPage();
    assert.equal((await patient.goto(link.pathname))?.status(), 200);
    await assertAccessible(patient, 'the patient survey');
    await submitExpectingErrors(patient, 'Send your answers');
    await assertAccessible(patient, 'the patient survey with errors');
    await patient.getByLabel('5 – Very satisfied').check();
    await patient.getByRole('button', { name: 'Send your answers' }).click();
    await patient.getByRole('heading', { name: 'Thank you' }).waitFor();
    await assertAccessible(patient, 'the patient survey answered');
    assert.equal((await patient.goto(link.pathname))?.status(), 404);
    assert.equal((await patient.locator('main h1').innerText()).trim(), 'This survey link has expired or has already been used');
    await assertAccessible(patient, 'a used survey link');

    await page.goto('/surveys/patient-satisfaction');
    await submitExpectingErrors(page, 'Save the patient’s answers');
    await assertAccessible(page, 'a paper patient survey with errors');
    await page.goto('/surveys/staff-evaluation');
    await submitExpectingErrors(page, 'Send your answers');
    await assertAccessible(page, 'the staff evaluation with errors');
    await patientCtx.close();
    await ctx.close();
  });
}
