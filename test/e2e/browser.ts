import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { buildWorld, PASSWORD, type World } from '../support/world.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.2 AA, as the NHS service standard asks. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * One app on a real port, one Chromium, and a record of everything the browser asked for or complained about.
 * Every page opened through `newContext` is watched: requests (which must all stay on this machine), console
 * errors and uncaught exceptions (of which there must be none).
 */
export interface Harness {
  w: World;
  base: string;
  browser: Browser;
  requests: string[];
  problems: string[];
  newContext: (opts?: BrowserContextOptions) => Promise<BrowserContext>;
  close: () => Promise<void>;
}

export async function startHarness(opts: { patientsPerTrust?: number } = {}): Promise<Harness> {
  const w = await buildWorld(opts);
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  const address = w.app.server.address();
  assert.ok(address && typeof address === 'object');
  const base = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const requests: string[] = [];
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  const watch = (page: Page) => {
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (err) => problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // Chromium logs a non-2xx main document (a 404 page, a form re-shown with 400) as a failed resource; that
      // status is the intended answer, not a fault of the page. Any other failed load still counts.
      const loc = msg.location().url;
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && loc === page.url()) return;
      problems.push(`console error on ${page.url()}: ${msg.text()}${loc ? ` (${loc})` : ''}`);
    });
  };
  return {
    w,
    base,
    browser,
    requests,
    problems,
    newContext: async (o = {}) => {
      const ctx = await browser.newContext({ baseURL: base, ...o });
      contexts.push(ctx);
      // Fail fast rather than hang: every page here answers in well under a second.
      ctx.setDefaultTimeout(15_000);
      ctx.setDefaultNavigationTimeout(15_000);
      ctx.on('page', watch);
      // Anything bound off this machine is recorded (above) and refused, so a stray fetch cannot slow the run.
      await ctx.route(
        (url) => !isLocal(url.toString()),
        (route) => route.abort('blockedbyclient'),
      );
      return ctx;
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await w.close();
    },
  };
}

export function isLocal(url: string): boolean {
  if (url.startsWith('data:') || url === 'about:blank') return true;
  try {
    const { hostname } = new URL(url);
    return hostname === '127.0.0.1' || hostname === 'localhost';
  } catch {
    return false;
  }
}

/** Asserts no request of the run left the machine. */
export function assertAllLocal(h: Harness): void {
  assert.ok(h.requests.length > 0, 'requests were recorded');
  const foreign = [...new Set(h.requests.filter((u) => !isLocal(u)))];
  assert.deepEqual(foreign, [], `requests left the machine:\n${foreign.join('\n')}`);
}

/** Asserts no page logged a console error or threw. */
export function assertNoProblems(h: Harness): void {
  assert.deepEqual(h.problems, [], `console errors or uncaught exceptions:\n${h.problems.join('\n')}`);
}

/** Runs axe-core (WCAG 2.2 AA rules) on the page as it is now and asserts no violations. */
export async function assertAccessible(page: Page, what = page.url()): Promise<void> {
  // The app's CSP refuses inline scripts without its nonce, so axe is evaluated through the DevTools protocol,
  // which is not subject to the page's CSP, rather than through an inline <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const results = (await page.evaluate(
    (tags) => (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<unknown> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  )) as AxeResults;
  const detail = results.violations.map((v) => `  ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n')}`);
  assert.equal(results.violations.length, 0, `axe violations on ${what}:\n${detail.join('\n')}`);
  await assertErrorLinksResolve(page, what);
}

/**
 * A page showing an error summary says so in its title (screen readers announce the title first), and every link
 * in the summary leads to a field on the page rather than nowhere.
 */
export async function assertErrorLinksResolve(page: Page, what = page.url()): Promise<void> {
  if (!(await page.locator('.nhsuk-error-summary').count())) return;
  assert.match(await page.title(), /^Error: /, `the title of ${what} starts with "Error: "`);
  const broken = await page
    .locator('.nhsuk-error-summary a[href^="#"]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!.slice(1)).filter((id) => !document.getElementById(decodeURIComponent(id))));
  assert.deepEqual(broken, [], `error summary links on ${what} that lead nowhere`);
}

/** Signs in through the real form in the given page. */
export async function signInWithForm(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
}
