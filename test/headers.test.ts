import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, signIn, type World } from './support/world.ts';

let w: World;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
});
after(() => w.close());

test('security headers on every route family (RG-20), and no X-Powered-By', async () => {
  const s = await signIn(w.app, 'trust-nurse');
  const responses = [
    await w.app.inject({ method: 'GET', url: '/sign-in' }),
    await w.app.inject({ method: 'GET', url: '/health' }),
    await s.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } }),
    await s.request({ method: 'GET', url: '/api/v1/patients' }),
    await w.app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: 'text/html' } }),
    await w.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' }),
  ];
  for (const res of responses) {
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self' 'nonce-/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['cache-control'], 'no-store', 'patient data is never cached');
  }
});

test('pages load no asset from another host, and the NHS stylesheet carries no remote font', async () => {
  const page = await w.app.inject({ method: 'GET', url: '/sign-in' });
  const refs = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 3);
  for (const r of refs) assert.ok(r.startsWith('/') || r.startsWith('#'), `${r} leaves the machine`);
  const css = await w.app.inject({ method: 'GET', url: '/assets/nhsuk.css' });
  assert.equal(css.statusCode, 200);
  assert.doesNotMatch(css.body, /https?:\/\//);
  for (const asset of ['/assets/nhsuk/nhsuk-frontend.min.js', '/assets/init.js', '/assets/homeward.css', '/assets/images/favicon.svg', '/assets/images/nhsuk-icon-arrow-right-circle.svg', '/assets/manifest.json']) {
    assert.equal((await w.app.inject({ method: 'GET', url: asset })).statusCode, 200, asset);
  }
  assert.equal((await w.app.inject({ method: 'GET', url: '/assets/../package.json' })).statusCode, 404);
});

test('/health answers without signing in, and the OpenAPI document is served at /docs/json', async () => {
  const health = await w.app.inject({ method: 'GET', url: '/health' });
  assert.deepEqual(health.json(), { status: 'ok', database: process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded', version: 'test' });
  const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, unknown> };
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.paths['/api/v1/patients'] && doc.paths['/api/v1/auth/sign-in']);
  assert.equal((await w.app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true);
});

test('errors never carry a stack trace or internal detail', async () => {
  const s = await signIn(w.app, 'trust-nurse');
  const res = await s.request({ method: 'GET', url: '/api/v1/patients/00000000-0000-4000-8000-000000000000' });
  assert.deepEqual(res.json(), { error: { code: 'not_found', message: 'No patient was found' } });
  const page = await s.request({ method: 'GET', url: '/patients/00000000-0000-4000-8000-000000000000', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 404);
  assert.match(page.body, /<h1[^>]*>Page not found<\/h1>/);
});
