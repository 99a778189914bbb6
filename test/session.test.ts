import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, PASSWORD, signIn, type World } from './support/world.ts';
import { SIGN_IN_FAILED } from '../src/identity/rules.ts';

let w: World;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 2 });
});
after(() => w.close());

type Cookie = { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; secure?: boolean };
const cookieOf = (res: { cookies: Cookie[] }) => res.cookies.find((c) => c.name === 'homeward_session');

/** Signs in through the HTML form, as a browser does, optionally carrying an existing session cookie. */
async function formSignIn(username: string, password: string, existingCookie?: string) {
  const page = await w.app.inject({ method: 'GET', url: '/sign-in', headers: existingCookie ? { cookie: `homeward_session=${existingCookie}` } : {} });
  const signin = page.cookies.find((c) => c.name === 'homeward_signin')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  return w.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `homeward_signin=${signin}${existingCookie ? `; homeward_session=${existingCookie}` : ''}` },
    payload: new URLSearchParams({ username, password, _signin: signin, ...(csrf ? { _csrf: csrf } : {}) }).toString(),
  });
}

test('the session id changes at sign-in and the old one stops working', async () => {
  const first = await formSignIn('trust-nurse', PASSWORD);
  assert.equal(first.statusCode, 303);
  const old = cookieOf(first)!.value;
  const second = await formSignIn('trust-nurse', PASSWORD, old);
  assert.equal(second.statusCode, 303);
  const fresh = cookieOf(second)!.value;
  assert.notEqual(fresh, old);
  const withOld = await w.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: `homeward_session=${old}` } });
  assert.equal(withOld.statusCode, 401, 'the pre-sign-in session id is rejected after sign-in');
  const withNew = await w.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: `homeward_session=${fresh}` } });
  assert.equal(withNew.statusCode, 200);
});

test('session cookie flags: HttpOnly, SameSite=Lax, Path=/; Secure when served over TLS', async () => {
  const res = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse', password: PASSWORD } });
  const c = cookieOf(res)!;
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Lax');
  assert.equal(c.path, '/');
  assert.equal(c.secure, undefined, 'plain HTTP (local use) cannot carry a Secure cookie');
  const { buildApp } = await import('../src/web/app.ts');
  const tlsApp = await buildApp({ database: w.database, clock: w.clock, trustProxy: true });
  const tls = await tlsApp.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'x-forwarded-proto': 'https' }, payload: { username: 'trust-nurse', password: PASSWORD } });
  assert.equal(cookieOf(tls)!.secure, true);
  assert.match(String(tls.headers['strict-transport-security']), /max-age=/);
  await tlsApp.close();
});

test('a change made with a session cookie but no CSRF token is refused with 403 and changes nothing', async () => {
  const s = await signIn(w.app, 'trust-nurse');
  const before = await s.request({ method: 'GET', url: '/api/v1/auth/tokens' });
  const noToken = await w.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { cookie: `homeward_session=${s.cookie}` }, payload: { name: 'x' } });
  assert.equal(noToken.statusCode, 403);
  assert.equal(noToken.json().error.code, 'csrf');
  const wrongToken = await w.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { cookie: `homeward_session=${s.cookie}`, 'x-csrf-token': 'forged' }, payload: { name: 'x' } });
  assert.equal(wrongToken.statusCode, 403);
  const form = await w.app.inject({ method: 'POST', url: '/account/tokens', headers: { cookie: `homeward_session=${s.cookie}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' });
  assert.equal(form.statusCode, 403, 'HTML forms need the token too');
  const signOut = await w.app.inject({ method: 'POST', url: '/sign-out', headers: { cookie: `homeward_session=${s.cookie}` } });
  assert.equal(signOut.statusCode, 403, 'even sign-out cannot be forced from another site');
  const afterwards = await s.request({ method: 'GET', url: '/api/v1/auth/tokens' });
  assert.deepEqual(afterwards.json(), before.json());
  const ok = await s.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'x' } });
  assert.equal(ok.statusCode, 201, 'with the token the same call works');
});

test('the sign-in form itself is protected against login CSRF', async () => {
  const res = await w.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=trust-nurse&password=${PASSWORD}` });
  assert.equal(res.statusCode, 403);
  assert.equal(cookieOf(res), undefined);
});

test('5 wrong passwords lock the account; the 6th attempt, even with the right password, gets the same message', async () => {
  const user = 'trust-pharmacist-b';
  const messages = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: 'wrong-password' } });
    assert.equal(r.statusCode, 401);
    messages.add(r.json().error.message);
  }
  const locked = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: PASSWORD } });
  assert.equal(locked.statusCode, 401, 'locked even with the right password');
  messages.add(locked.json().error.message);
  const unknown = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'nobody-here', password: PASSWORD } });
  messages.add(unknown.json().error.message);
  assert.deepEqual([...messages], [SIGN_IN_FAILED], 'unknown user, wrong password and locked are indistinguishable');
  const page = await formSignIn(user, PASSWORD);
  assert.equal(page.statusCode, 401);
  assert.match(page.body, /nhsuk-error-summary/);
  assert.ok(page.body.includes('The username or password is not correct, or the account is locked'));
  w.clock.advance(15 * 60 * 1000 + 1000);
  const later = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: PASSWORD } });
  assert.equal(later.statusCode, 200, 'the lock lifts after 15 minutes');
});

test('sign-out ends the session server-side: the old cookie is refused afterwards', async () => {
  const s = await signIn(w.app, 'provider-nurse');
  const out = await s.request({ method: 'POST', url: '/api/v1/auth/sign-out' });
  assert.equal(out.statusCode, 204);
  const replay = await s.request({ method: 'GET', url: '/api/v1/auth/session' });
  assert.equal(replay.statusCode, 401);
  const page = await w.app.inject({ method: 'GET', url: '/', headers: { cookie: `homeward_session=${s.cookie}`, accept: 'text/html' } });
  assert.equal(page.statusCode, 303);
  assert.match(String(page.headers.location), /^\/sign-in/);
});

test('idle timeout after 15 minutes and absolute timeout after 12 hours (fake clock)', async () => {
  const s = await signIn(w.app, 'trust-prescriber');
  w.clock.advance(14 * 60 * 1000);
  assert.equal((await s.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200, 'activity within 15 minutes keeps it alive');
  w.clock.advance(15 * 60 * 1000);
  assert.equal((await s.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'idle for 15 minutes: expired');

  const busy = await signIn(w.app, 'trust-prescriber');
  for (let i = 0; i < 12 * 6; i++) {
    w.clock.advance(10 * 60 * 1000);
    const r = await busy.request({ method: 'GET', url: '/api/v1/auth/session' });
    if (r.statusCode !== 200) {
      assert.equal(i, 12 * 6 - 1, 'only the 12-hour limit ends a busy session');
      return;
    }
  }
  assert.fail('a session used every 10 minutes must still end at 12 hours');
});

test('API tokens: stored hashed, work as Bearer without CSRF, revocable, and only their owner can revoke them', async () => {
  const s = await signIn(w.app, 'trust-nurse-c');
  const created = await s.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'integration' } });
  assert.equal(created.statusCode, 201);
  const { token, id } = created.json() as { token: string; id: string };
  const listed = await s.request({ method: 'GET', url: '/api/v1/auth/tokens' });
  assert.ok(!listed.body.includes(token), 'the token value is shown once only');
  const { sql } = await import('drizzle-orm');
  const { rows } = await import('../src/platform/db/client.ts');
  const stored = await rows<{ token_hash: string }>(w.database.db, sql`select token_hash from api_tokens where id = ${id}`);
  assert.notEqual(stored[0]!.token_hash, token);
  assert.equal(stored[0]!.token_hash.length, 64);

  const bearer = (method: 'GET' | 'POST', url: string, payload?: object) => w.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  assert.equal((await bearer('GET', '/api/v1/patients')).statusCode, 200);
  assert.equal((await bearer('POST', '/api/v1/auth/tokens', { name: 'second' })).statusCode, 201, 'no CSRF token needed without a cookie');

  const other = await signIn(w.app, 'trust-nurse-b');
  assert.equal((await other.request({ method: 'DELETE', url: `/api/v1/auth/tokens/${id}` })).statusCode, 404, "another user's token is not found");
  assert.equal((await s.request({ method: 'DELETE', url: `/api/v1/auth/tokens/${id}` })).statusCode, 200);
  assert.equal((await bearer('GET', '/api/v1/patients')).statusCode, 401, 'a revoked token stops working at once');
  assert.equal((await w.app.inject({ method: 'GET', url: '/api/v1/patients', headers: { authorization: 'Bearer not-a-token' } })).statusCode, 401);
});

test('deactivating a user ends their sessions at once', async () => {
  const victim = await signIn(w.app, 'provider-pharmacist');
  const admin = await signIn(w.app, 'admin');
  const id = await w.userId('provider-pharmacist');
  const res = await admin.request({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, payload: { active: false } });
  assert.equal(res.statusCode, 200);
  assert.equal((await victim.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401);
  const again = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'provider-pharmacist', password: PASSWORD } });
  assert.equal(again.statusCode, 401);
  await admin.request({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, payload: { active: true } });
});

test('a person holds at most 3 live sessions: a 4th sign-in ends the oldest', async () => {
  const s1 = await signIn(w.app, 'cancer-manager-c');
  w.clock.advance(1000);
  const s2 = await signIn(w.app, 'cancer-manager-c');
  w.clock.advance(1000);
  const s3 = await signIn(w.app, 'cancer-manager-c');
  for (const s of [s1, s2, s3]) assert.equal((await s.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200);
  w.clock.advance(1000);
  const s4 = await signIn(w.app, 'cancer-manager-c');
  assert.equal((await s1.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'the oldest session has ended');
  for (const s of [s2, s3, s4]) assert.equal((await s.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200);
});

test('more than 20 sign-in attempts a minute from one address → 429, whatever the account', async () => {
  const { buildApp } = await import('../src/web/app.ts');
  const limited = await buildApp({ database: w.database, clock: w.clock, signInRateLimit: 20 });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 22; i++) {
      const r = await limited.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: `someone-${i}`, password: 'wrong-password' } });
      codes.push(r.statusCode);
    }
    assert.deepEqual(codes.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(codes.slice(20), [429, 429]);
    const right = await limited.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse', password: PASSWORD } });
    assert.equal(right.statusCode, 429, 'even the right password waits');
    assert.match(right.json().error.message, /Wait a minute/);
    w.clock.advance(61_000);
    const later = await limited.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse', password: PASSWORD } });
    assert.equal(later.statusCode, 200);
  } finally {
    await limited.close();
  }
});

test('simultaneous guesses cannot slip past the lockout: of 10 at once, only 5 are checked against the password', async () => {
  const user = 'provider-coordinator';
  const codes = await Promise.all(
    Array.from({ length: 10 }, () => w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: 'a-wrong-guess' } }).then((r) => r.statusCode)),
  );
  assert.deepEqual(codes, Array(10).fill(401));
  const { sql } = await import('drizzle-orm');
  const { rows } = await import('../src/platform/db/client.ts');
  const reasons = await rows<{ reason: string; n: number }>(w.database.db, sql`select detail->>'reason' as reason, count(*)::int as n from audit_log where action = 'auth:sign-in' and username = ${user} group by 1 order by 1`);
  assert.deepEqual(reasons, [{ reason: 'locked', n: 5 }, { reason: 'wrong-password', n: 5 }]);
});
