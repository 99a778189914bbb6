import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { decide } from '../src/access/policy.ts';
import { ROLES, type Role } from '../src/access/roles.ts';
import { readConfig } from '../src/platform/config.ts';
import { openPostgres, rows, scalar } from '../src/platform/db/client.ts';
import { withContext, type RequestContext } from '../src/platform/context.ts';
import { SIGN_IN_FAILED } from '../src/identity/rules.ts';
import { buildDemo } from '../src/demo/build.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { DEMO_COMMISSIONER, DEMO_NETWORK, DEMO_PROVIDER, DEMO_TRUSTS } from '../src/demo/network.ts';
import { buildWorld, PASSWORD, signIn, type Session, type World } from './support/world.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from './support/prescribing.ts';
import { GOOD_CHECK } from './support/visits.ts';

/**
 * The foundation's promises checked across the whole application rather than on one example: the demo network and
 * its account names, the lockout on the 6th wrong password, CSRF on every state-changing route reached with a
 * session cookie, an audit row for every read that returns patient-identifiable data, the 1 MiB limit on form
 * bodies, row-level security on every table that holds patient data, and `npm run audit:verify` on PostgreSQL.
 */

let w: World;
/** Records of Trust A along the whole pathway, for routes that read one record. */
const ids: Record<string, string> = {};

const TRUST_ROLES = ['trust-nurse', 'trust-prescriber', 'trust-pharmacist', 'cancer-manager'] as const;
const EXPECTED_USERNAMES = [
  ...ROLES,
  ...TRUST_ROLES.flatMap((r) => [`${r}-b`, `${r}-c`]),
].sort();

before(async () => {
  w = await buildWorld({ patientsPerTrust: 2 });
});
after(() => w?.close());

test('the demo network: 3 Trusts with 5 units, 1 provider with an active agreement with each, 1 commissioner, 1 network', async () => {
  const db = w.database.db;
  const orgs = await rows<{ kind: string; ods_code: string; name: string }>(db, sql`select kind, ods_code, name from organisations order by kind, ods_code`);
  assert.deepEqual(
    orgs.map((o) => `${o.kind} ${o.ods_code} ${o.name}`),
    [
      `commissioner ${DEMO_COMMISSIONER.odsCode} ${DEMO_COMMISSIONER.name}`,
      `network ${DEMO_NETWORK.odsCode} ${DEMO_NETWORK.name}`,
      `provider ${DEMO_PROVIDER.odsCode} ${DEMO_PROVIDER.name}`,
      ...DEMO_TRUSTS.map((tr) => `trust ${tr.odsCode} ${tr.name}`),
    ],
  );
  assert.equal(await scalar<number>(db, sql`select count(*)::int from units u join organisations o on o.id = u.trust_id where o.kind = 'trust'`), 5);
  const agreements = await rows<{ trust: string; provider: string }>(
    db,
    sql`select t.ods_code as trust, p.ods_code as provider from agreements a join organisations t on t.id = a.trust_id join organisations p on p.id = a.provider_id
        where a.ended_at is null and a.starts_on <= '2026-06-01' and (a.ends_on is null or a.ends_on >= '2026-06-01') order by 1`,
  );
  assert.deepEqual(agreements, DEMO_TRUSTS.map((tr) => ({ trust: tr.odsCode, provider: DEMO_PROVIDER.odsCode })));
});

test('demo accounts follow the naming list: role slugs for the first Trust, -b and -c for the other Trusts, each signs in to its own organisation', async () => {
  const db = w.database.db;
  const accounts = await rows<{ username: string; role: string; ods: string }>(db, sql`select u.username, u.role, o.ods_code as ods from users u join organisations o on o.id = u.org_id order by u.username`);
  assert.deepEqual(accounts.map((a) => a.username), EXPECTED_USERNAMES, 'exactly one account per role, plus the second and third Trusts’ staff');
  const hashes = await rows<{ h: string }>(db, sql`select password_hash as h from users`);
  assert.ok(hashes.every((x) => x.h.startsWith('$argon2id$')), 'passwords are stored as argon2id hashes');
  const orgOf = (username: string, role: Role) => {
    if (username.endsWith('-b')) return DEMO_TRUSTS[1].name;
    if (username.endsWith('-c')) return DEMO_TRUSTS[2].name;
    if (role.startsWith('provider-')) return DEMO_PROVIDER.name;
    if (role === 'commissioner') return DEMO_COMMISSIONER.name;
    if (role === 'network-lead' || role === 'admin') return DEMO_NETWORK.name;
    return DEMO_TRUSTS[0].name;
  };
  for (const username of EXPECTED_USERNAMES) {
    const role = username.replace(/-[bc]$/, '') as Role;
    const res = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password: PASSWORD } });
    assert.equal(res.statusCode, 200, `${username}: ${res.body}`);
    const user = (res.json() as { user: { role: string; organisation: { name: string } } }).user;
    assert.equal(user.role, role, `${username} has the role ${role}`);
    assert.equal(user.organisation.name, orgOf(username, role), `${username} belongs to ${orgOf(username, role)}`);
  }
  assert.equal(readConfig({}).demoPassword, 'homeward-demo', 'the demo password is homeward-demo by default');
  assert.equal(readConfig({ DEMO_PASSWORD: 'another-secret' }).demoPassword, 'another-secret', 'or DEMO_PASSWORD');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const word of ['homeward-demo', 'DEMO_PASSWORD', 'trust-nurse-b', 'trust-nurse-c', 'npm run demo:reset']) assert.ok(readme.includes(word), `the README mentions ${word}`);
});

test('the 6th wrong password gets the same message as the first five, and the account is then locked', async () => {
  const user = 'trust-pharmacist-c';
  // A second after the earlier tests' sign-ins: attempts are ordered by time, so none may share the instant of a success.
  w.clock.advance(1000);
  const start = (await scalar<number>(w.database.db, sql`select coalesce(max(seq), 0)::int from audit_log`))!;
  const answers: { status: number; message: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: `wrong-password-${i}` } });
    answers.push({ status: r.statusCode, message: (r.json() as { error: { message: string } }).error.message });
  }
  assert.deepEqual(answers, Array(6).fill({ status: 401, message: SIGN_IN_FAILED }));
  const right = await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: PASSWORD } });
  assert.equal(right.statusCode, 401, 'locked: even the right password is refused');
  assert.equal((right.json() as { error: { message: string } }).error.message, SIGN_IN_FAILED);
  const reasons = await rows<{ reason: string }>(w.database.db, sql`select detail->>'reason' as reason from audit_log where action = 'auth:sign-in' and username = ${user} and seq > ${start} order by seq`);
  assert.deepEqual(
    reasons.map((r) => r.reason),
    [...Array(5).fill('wrong-password'), 'locked', 'locked'],
    'the 6th attempt is refused as locked, not checked against the password',
  );
  w.clock.advance(15 * 60 * 1000 + 1000);
  assert.equal((await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: user, password: PASSWORD } })).statusCode, 200, 'the lock lifts after 15 minutes');
  w.clock.set(new Date('2026-06-01T09:00:00Z'));
});

test('a form body over 1 MiB → 413 and nothing is saved', async () => {
  const nurse = await signIn(w.app, 'trust-nurse');
  const before = await scalar<number>(w.database.db, sql`select count(*)::int from patients`);
  const body = new URLSearchParams({ _csrf: nurse.csrf, nhsNumber: '9434765919', givenName: 'x'.repeat(1024 * 1024 + 10), familyName: 'Big', dateOfBirth: '1960-01-01' }).toString();
  const res = await nurse.request({ method: 'POST', url: '/patients', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: body });
  assert.equal(res.statusCode, 413);
  assert.equal(await scalar<number>(w.database.db, sql`select count(*)::int from patients`), before);
});

/** One signed-in session per demo role (a person holds at most 3 live sessions, so they are reused). */
const sessions = new Map<Role, Session>();
async function sessionFor(role: Role): Promise<Session> {
  if (!sessions.has(role)) {
    // A second apart, so a later sign-in that ends the oldest of a person's sessions never picks this one by a tie.
    w.clock.advance(1000);
    sessions.set(role, await signIn(w.app, role));
  }
  return sessions.get(role)!;
}
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

test('CSRF: every state-changing route reached with a session cookie and no token is refused with 403, audited, and changes nothing', async () => {
  const changing = w.app.routeInventory.filter((r) => !SAFE.has(r.method) && r.action !== 'public');
  assert.ok(changing.length > 50, `${changing.length} state-changing routes`);
  const failures: string[] = [];
  const auditCount = () => scalar<number>(w.database.db, sql`select count(*)::int from audit_log where outcome = 'denied' and detail->>'reason' = 'csrf'`);
  const everything = () =>
    scalar<string>(
      w.database.db,
      sql`select concat_ws('/', (select count(*) from patients), (select count(*) from episodes), (select count(*) from organisations), (select count(*) from units),
                                (select count(*) from users), (select count(*) from api_tokens), (select count(*) from agreements))`,
    );
  const state = await everything();
  for (const r of changing) {
    const role = ROLES.find((x) => decide(x, r.action!));
    if (!role) {
      failures.push(`${r.method} ${r.url}: no role may perform ${r.action}`);
      continue;
    }
    const s = await sessionFor(role);
    const url = r.url.replace(/:(\w+)/g, () => randomUUID());
    const api = url.startsWith('/api/');
    const before = await auditCount();
    for (const token of [undefined, 'forged-token']) {
      const res = await w.app.inject({
        method: r.method as 'POST',
        url,
        headers: {
          cookie: `homeward_session=${s.cookie}`,
          accept: api ? 'application/json' : 'text/html',
          'content-type': api ? 'application/json' : 'application/x-www-form-urlencoded',
          ...(token ? { 'x-csrf-token': token } : {}),
        },
        payload: api ? '{}' : token ? `_csrf=${token}` : 'x=1',
      });
      if (res.statusCode !== 403) failures.push(`${r.method} ${r.url} as ${role} with ${token ?? 'no'} token: ${res.statusCode} ${res.body.slice(0, 120)}`);
      else if (api && (res.json() as { error: { code: string } }).error.code !== 'csrf') failures.push(`${r.method} ${r.url}: refused, but not as CSRF: ${res.body.slice(0, 120)}`);
    }
    if ((await auditCount())! - before! !== 2) failures.push(`${r.method} ${r.url}: the refusals were not audited as denied (csrf)`);
  }
  assert.deepEqual(failures, []);
  assert.equal(await everything(), state, 'nothing changed');
  const exempt = w.app.routeInventory.filter((r) => !SAFE.has(r.method) && r.action === 'public').map((r) => `${r.method} ${r.url}`);
  const known = new Set(['POST /api/v1/auth/sign-in', 'POST /sign-in', 'POST /survey/:token']);
  assert.deepEqual(exempt.filter((k) => !known.has(k)), [], 'the only public changes are sign-in (with its own login-CSRF defence) and a patient’s survey link');
});

/** A Trust A patient taken all the way: course, released and dispensed prescription, a visit with a checklist and an incident. */
async function buildPathway(): Promise<void> {
  w.clock.set(new Date('2026-06-01T09:00:00Z'));
  const t: Team = await team(w);
  const p = await patientOnCourse(w, t, { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'HX-2291', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00', nurseId: await w.userId('provider-nurse') } }), 201);
  const visitId = booked.visits.find((v) => v.visitDate === '2026-06-01')!.id;
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/checks`, payload: { ...GOOD_CHECK, idempotencyKey: randomUUID() } }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/administration`, payload: { idempotencyKey: randomUUID(), doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], route: 'IV', site: 'Left forearm', startedAt: '2026-06-01T07:30:00Z', endedAt: '2026-06-01T08:00:00Z', batch: 'HX-2291', expiry: '2027-01-31', observationCompleted: true, anaphylaxisKitConfirmed: true } }), 201);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/incidents`, payload: { idempotencyKey: randomUUID(), kind: 'NEAR_MISS', severity: 'no-harm', description: 'Foundation check incident' } }), 201);
  const one = async (q: ReturnType<typeof sql>) => (await scalar<string>(w.database.db, q))!;
  Object.assign(ids, {
    patient: p.patientId,
    episode: p.episodeId,
    course: p.courseId,
    cycle: cycle3.id,
    prescription: rx,
    visit: visitId,
    letter: await one(sql`select id::text from gp_letters where episode_id = ${p.episodeId} limit 1`),
    lvef: await one(sql`select id::text from lvef_results where course_id = ${p.courseId} limit 1`),
    alert: await one(sql`select id::text from trust_alerts where visit_id = ${visitId} limit 1`),
    org: (await w.org('RX1')).id,
    user: await w.userId('trust-nurse'),
    regimenRow: await one(sql`select id::text from regimens limit 1`),
  });
}

/** Fills a route's parameters with the pathway's records of Trust A. */
function fill(url: string): string {
  const byPrefix: [RegExp, string][] = [
    [/\/patients\/:id/, ids.patient!],
    [/\/episodes\/:id/, ids.episode!],
    [/\/courses\/:id/, ids.course!],
    [/\/cycles\/:id/, ids.cycle!],
    [/\/prescriptions\/:id/, ids.prescription!],
    [/\/visits\/:id/, ids.visit!],
    [/\/lvef\/:id/, ids.lvef!],
    [/\/alerts\/:id/, ids.alert!],
    [/\/organisations\/:id/, ids.org!],
    [/\/users\/:id/, ids.user!],
    [/\/regimens\/:id/, ids.regimenRow!],
  ];
  let out = url;
  for (const [re, id] of byPrefix) out = out.replace(re, (m) => m.replace(':id', id));
  return out.replace(':letterId', ids.letter!).replace(':regimen', 'trastuzumab-iv-3-weekly').replace(':kind', 'return').replace(/:(\w+)/g, () => randomUUID());
}
const QUERY: Record<string, string> = {
  '/api/v1/visits': '?from=2026-06-01&to=2026-06-01',
  '/api/v1/reports/provider-performance': '?from=2026-05&to=2026-06',
  '/reports/provider-performance': '?from=2026-05&to=2026-06',
  '/api/v1/reports/monthly': '?from=2026-01&to=2026-06',
  '/reports/monthly/patients': '?from=2026-01&to=2026-06&period=total&figure=activeAtHome',
  '/api/v1/exports/administrations.csv': '?from=2026-05&to=2026-06',
};

/** Roles that see aggregates only: commissioners, the network lead and administrators get no patient row. */
const AGGREGATE_ONLY: Role[] = ['commissioner', 'network-lead', 'admin'];

test('every read that returns patient-identifiable data appends an audit row naming the reader; aggregate-only roles get none from any route', async (tc) => {
  await buildPathway();
  sessions.clear();
  const people = await rows<{ id: string; nhs: string; given: string; family: string }>(w.database.db, sql`select id::text, nhs_number as nhs, given_name as given, family_name as family from patients`);
  // A patient's record id identifies them as surely as their name: a page linking to /patients/<id> or JSON naming patientId.
  const markers = people.flatMap((p) => [p.id, p.nhs, `${p.nhs.slice(0, 3)} ${p.nhs.slice(3, 6)} ${p.nhs.slice(6)}`, `${p.given} ${p.family}`, `"familyName":"${p.family}"`, `${p.family.toUpperCase()}, ${p.given}`]);
  const recordIds = ['patient', 'episode', 'course', 'cycle', 'prescription', 'visit', 'letter', 'lvef', 'alert'].map((k) => ids[k]!);
  const reads = w.app.routeInventory.filter((r) => r.method === 'GET' && r.action !== 'public' && !r.url.startsWith('/assets') && !r.url.startsWith('/docs'));
  const failures: string[] = [];
  const seen: string[] = [];
  let identifying = 0;
  for (const r of reads) {
    for (const role of ROLES.filter((x) => decide(x, r.action!))) {
      const s = await sessionFor(role);
      const userId = await w.userId(role);
      const url = fill(r.url) + (QUERY[r.url] ?? '');
      const start = (await scalar<number>(w.database.db, sql`select coalesce(max(seq), 0)::int from audit_log`))!;
      const res = await s.request({ method: 'GET', url, headers: { accept: r.url.startsWith('/api/') ? 'application/json' : 'text/html' } });
      // A record of the patient asked for by its id is patient data whatever its format (a GP letter is a PDF).
      const found = markers.find((m) => res.body.includes(m)) ?? (recordIds.some((id) => url.includes(id)) ? 'a record of the patient' : undefined);
      seen.push(`${res.statusCode} ${role} GET ${url}${found ? ' (patient-identifiable)' : ''}`);
      if (res.statusCode >= 500) failures.push(`GET ${url} as ${role}: ${res.statusCode}`);
      if (res.statusCode === 401 || String(res.headers.location ?? '').startsWith('/sign-in')) failures.push(`GET ${url} as ${role}: the session was lost (${res.statusCode})`);
      if (res.statusCode !== 200 || !found) continue;
      if (AGGREGATE_ONLY.includes(role)) failures.push(`GET ${url} as ${role} shows "${found}": this role sees no patient-identifiable field`);
      identifying++;
      const logged = await rows<{ user_id: string; action: string; outcome: string; patient_id: string | null }>(w.database.db, sql`select user_id, action, outcome, patient_id from audit_log where seq > ${start} order by seq`);
      if (!logged.some((a) => a.user_id === userId && a.outcome === 'success')) failures.push(`GET ${url} as ${role} shows "${found}" but wrote no audit row`);
      else if (url.includes(ids.patient!) && !logged.some((a) => a.patient_id === ids.patient)) failures.push(`GET ${url} as ${role}: the audit row does not name the patient`);
    }
  }
  tc.diagnostic(`${seen.length} reads, ${identifying} with patient-identifiable data`);
  assert.deepEqual(failures, [], `reads checked:\n${seen.join('\n')}`);
  assert.ok(identifying > 30, `${identifying} reads returned patient-identifiable data`);
});

test('row-level security on every patient-data table: Trust B sees no row of Trust A, a commissioner sees none at all, even with no filter', async (tc) => {
  const db = w.database.db;
  const tables = await rows<{ relname: string; col: string }>(
    db,
    sql`select c.relname, (select column_name from information_schema.columns col where col.table_schema = 'public' and col.table_name = c.relname and col.column_name in ('trust_id', 'org_id') order by column_name desc limit 1) as col
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and c.relforcerowsecurity order by 1`,
  );
  const withPatient = await rows<{ relname: string }>(
    db,
    sql`select distinct table_name as relname from information_schema.columns where table_schema = 'public' and column_name in ('patient_id', 'nhs_number') and table_name <> 'audit_log'`,
  );
  const forced = new Set(tables.map((x) => x.relname));
  assert.deepEqual(withPatient.map((x) => x.relname).filter((n) => !forced.has(n)), [], 'every table holding patient data forces row-level security');
  const asOrg = (orgId: string, orgKind: RequestContext['orgKind']): RequestContext => ({ userId: randomUUID(), username: 'rls', displayName: 'RLS', orgId, orgKind, orgName: 'x', role: 'trust-nurse', unitIds: [], purpose: 'test', ip: null, now: w.clock.now() });
  const trustA = (await w.org('RX1')).id;
  const trustB = asOrg((await w.org('RX2')).id, 'trust');
  const commissioner = asOrg((await w.org('QX1')).id, 'commissioner');
  const leaks: string[] = [];
  const empty: string[] = [];
  for (const { relname, col } of tables) {
    assert.ok(col, `${relname} names its organisation`);
    const ofA = (await scalar<number>(db, sql`select count(*)::int from ${sql.identifier(relname)} where ${sql.identifier(col)} = ${trustA}`))!;
    if (ofA === 0) empty.push(relname);
    const seenByB = await withContext(db, trustB, (tx) => scalar<number>(tx, sql`select count(*)::int from ${sql.identifier(relname)} where ${sql.identifier(col)} <> ${trustB.orgId}`));
    if (seenByB) leaks.push(`${relname}: Trust B sees ${seenByB} rows of other organisations`);
    const seenByCommissioner = await withContext(db, commissioner, (tx) => scalar<number>(tx, sql`select count(*)::int from ${sql.identifier(relname)} where ${sql.identifier(col)} <> ${commissioner.orgId}`));
    if (seenByCommissioner) leaks.push(`${relname}: the commissioner sees ${seenByCommissioner} rows`);
  }
  assert.deepEqual(leaks, []);
  tc.diagnostic(`tables with no Trust A row to hide (checked only by their policy): ${empty.join(', ') || 'none'}`);
  assert.ok(tables.length - empty.length >= 15, `${tables.length - empty.length} of ${tables.length} tables had Trust A rows that Trust B did not see`);
});

/** Runs a command-line entry point as `npm run` does, against the given database. */
function cli(script: string, databaseUrl: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: new URL('..', import.meta.url).pathname, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

// On the embedded database the same command is run by test/startup.test.ts.
test('npm run audit:verify on PostgreSQL: an intact trail passes; a row altered by a superuser is named and the command exits non-zero', { skip: !process.env.TEST_DATABASE_URL && 'set TEST_DATABASE_URL to run against PostgreSQL' }, async () => {
  const base = process.env.TEST_DATABASE_URL!;
  const name = `homeward_verify_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 2);
  try {
    await buildDemo(database.db, { password: PASSWORD, clock: new FakeClock(new Date('2026-06-01T09:00:00Z')), patientsPerTrust: 1 });
    const intact = await cli('src/audit/verify-cli.ts', url.toString());
    assert.equal(intact.code, 0, intact.out);
    assert.match(intact.out, /Audit chain verified: \d+ rows, no break/);
    const total = (await scalar<number>(database.db, sql`select max(seq)::int from audit_log`))!;
    const victim = Math.ceil(total / 2);
    await database.db.execute(sql`alter table audit_log disable trigger audit_no_update_delete`);
    await database.db.execute(sql`update audit_log set purpose = 'altered' where seq = ${victim}`);
    await database.db.execute(sql`alter table audit_log enable trigger audit_no_update_delete`);
    const broken = await cli('src/audit/verify-cli.ts', url.toString());
    assert.equal(broken.code, 2, broken.out);
    assert.match(broken.out, new RegExp(`BROKEN at row ${victim}:`));
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
