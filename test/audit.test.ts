import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { withContext } from '../src/platform/context.ts';
import { verifyAuditChain } from '../src/audit/verify.ts';
import { buildWorld, nextNhsNumber, signIn, type World } from './support/world.ts';

let w: World;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 2 });
});
after(() => w.close());

interface AuditRow {
  seq: number;
  at: Date;
  user_id: string | null;
  username: string | null;
  org_id: string | null;
  role: string | null;
  patient_id: string | null;
  action: string;
  outcome: string;
  purpose: string;
}
const lastSeq = async () => (await scalar<number>(w.database.db, sql`select coalesce(max(seq), 0)::int from audit_log`))!;
const since = (seq: number) => rows<AuditRow>(w.database.db, sql`select seq::int as seq, at, user_id, username, org_id, role, patient_id, action, outcome, purpose from audit_log where seq > ${seq} order by seq`);

test('a scripted run of N patient actions yields exactly N audit rows, each with who, organisation, role, patient, action, outcome, time and purpose', async () => {
  const nurse = await signIn(w.app, 'trust-nurse');
  const provider = await w.org('HX1');
  const start = await lastSeq();
  const expectedActions: string[] = [];
  const created: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Audit', familyName: `Case${i}`, dateOfBirth: '1960-02-02' } });
    assert.equal(res.statusCode, 201);
    created.push(res.json().id);
    expectedActions.push('patient:create');
  }
  for (const id of created) {
    assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${id}` })).statusCode, 200);
    expectedActions.push('patient:read');
  }
  assert.equal((await nurse.request({ method: 'GET', url: '/api/v1/patients?q=Case' })).statusCode, 200);
  expectedActions.push('patient:list');
  void provider;
  assert.equal((await nurse.request({ method: 'POST', url: `/api/v1/patients/${created[0]}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } })).statusCode, 201);
  expectedActions.push('episode:create');
  const foreign = (await w.patientsOf('RX2'))[0]!.id;
  assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${foreign}` })).statusCode, 404);
  expectedActions.push('patient:read');
  const pageRead = await nurse.request({ method: 'GET', url: `/patients/${created[1]}`, headers: { accept: 'text/html' } });
  assert.equal(pageRead.statusCode, 200);
  expectedActions.push('patient:read', 'episode:list', 'visit:record-read'); // the record page shows the patient's episodes and home treatment record too

  const logged = await since(start);
  assert.deepEqual(logged.map((r) => r.action), expectedActions, `${expectedActions.length} actions, ${expectedActions.length} audit rows`);
  const nurseId = await w.userId('trust-nurse');
  const trustA = await w.org('RX1');
  for (const r of logged) {
    assert.equal(r.user_id, nurseId);
    assert.equal(r.username, 'trust-nurse');
    assert.equal(r.org_id, trustA.id);
    assert.equal(r.role, 'trust-nurse');
    assert.equal(r.purpose, 'direct-care');
    assert.equal(new Date(r.at).toISOString(), w.clock.now().toISOString(), 'time is the UTC instant of the action');
    if (r.action !== 'patient:list') assert.ok(r.patient_id || r.outcome === 'denied', `${r.action} names the patient`);
  }
  assert.equal(logged.at(-4)!.outcome, 'denied', 'the attempt on another Trust’s patient is audited as denied');
  assert.equal(logged.filter((r) => r.outcome === 'success').length, expectedActions.length - 1);
});

test('sign-in (success and failure), sign-out and role denials are audited', async () => {
  const start = await lastSeq();
  await w.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'cancer-manager', password: 'wrong-password' } });
  const s = await signIn(w.app, 'cancer-manager');
  assert.equal((await s.request({ method: 'GET', url: '/api/v1/admin/users' })).statusCode, 403);
  await s.request({ method: 'POST', url: '/api/v1/auth/sign-out' });
  const logged = await since(start);
  assert.deepEqual(logged.map((r) => `${r.action}/${r.outcome}`), ['auth:sign-in/failure', 'auth:sign-in/success', 'user:manage/denied', 'auth:sign-out/success']);
  assert.ok(logged.every((r) => r.username === 'cancer-manager'));
});

test('the request role cannot update, delete or truncate the audit trail; the database refuses even its owner', async () => {
  const anyCtx = { userId: await w.userId('trust-nurse'), username: 'trust-nurse', displayName: 'x', orgId: (await w.org('RX1')).id, orgKind: 'trust' as const, orgName: 'x', role: 'trust-nurse' as const, unitIds: [], purpose: 'test', ip: null, now: w.clock.now() };
  for (const stmt of [sql`update audit_log set action = 'x'`, sql`delete from audit_log`, sql`truncate audit_log`]) {
    await assert.rejects(withContext(w.database.db, anyCtx, (tx) => tx.execute(stmt)), (err: Error & { cause?: Error }) => {
      assert.match(String(err.cause?.message ?? err.message), /permission denied/);
      return true;
    });
  }
  for (const stmt of [sql`update audit_log set action = 'x' where seq = 1`, sql`delete from audit_log where seq = 1`, sql`truncate audit_log`]) {
    await assert.rejects(w.database.db.execute(stmt), (err: Error & { cause?: Error }) => {
      assert.match(String(err.cause?.message ?? err.message), /append-only/);
      return true;
    });
  }
  assert.equal((await verifyAuditChain(w.database.db)).ok, true);
});

test('if the audit row cannot be written the request fails and returns no patient data', async () => {
  const nurse = await signIn(w.app, 'trust-nurse');
  const id = (await w.patientsOf('RX1'))[0]!.id;
  await w.database.db.execute(sql`revoke insert on audit_log from homeward_app`);
  try {
    const res = await nurse.request({ method: 'GET', url: `/api/v1/patients/${id}` });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(Object.keys(res.json()), ['error']);
    assert.doesNotMatch(res.body, /audit_log|permission|select|stack/i, 'no internal detail leaks');
  } finally {
    await w.database.db.execute(sql`grant insert on audit_log to homeward_app`);
  }
  assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${id}` })).statusCode, 200);
});

test('a row altered by a superuser (triggers disabled) is found by the chain check, which names the first broken row', async () => {
  await signIn(w.app, 'trust-prescriber'); // some more rows after the one we alter
  const total = await lastSeq();
  const victim = Math.floor(total / 2);
  assert.equal((await verifyAuditChain(w.database.db)).ok, true);
  const [original] = await rows<{ outcome: string; username: string | null }>(w.database.db, sql`select outcome, username from audit_log where seq = ${victim}`);
  await w.database.db.execute(sql`alter table audit_log disable trigger audit_no_update_delete`);
  await w.database.db.execute(sql`update audit_log set outcome = 'success', username = 'someone-else' where seq = ${victim}`);
  await w.database.db.execute(sql`alter table audit_log enable trigger audit_no_update_delete`);
  const result = await verifyAuditChain(w.database.db);
  assert.equal(result.ok, false);
  assert.equal(result.firstBroken!.seq, victim);
  assert.match(result.firstBroken!.reason, /do not match its hash/);
  // Put it back: the chain verifies again, so the next test starts from an intact trail.
  await w.database.db.execute(sql`alter table audit_log disable trigger audit_no_update_delete`);
  await w.database.db.execute(sql`update audit_log set outcome = ${original!.outcome}, username = ${original!.username} where seq = ${victim}`);
  await w.database.db.execute(sql`alter table audit_log enable trigger audit_no_update_delete`);
  assert.equal((await verifyAuditChain(w.database.db)).ok, true);
});

test('deleting the newest rows is found too: the chain head remembers how far the trail went', async () => {
  const db = w.database.db;
  await db.execute(sql`alter table audit_log disable trigger audit_no_update_delete`);
  const total = await lastSeq();
  await db.execute(sql`delete from audit_log where seq = ${total}`);
  await db.execute(sql`alter table audit_log enable trigger audit_no_update_delete`);
  const result = await verifyAuditChain(db);
  assert.equal(result.ok, false);
  assert.equal(result.firstBroken!.seq, total);
  assert.match(result.firstBroken!.reason, /missing/);
});
