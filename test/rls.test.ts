import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { withContext, type RequestContext } from '../src/platform/context.ts';
import { buildWorld, signIn, type World } from './support/world.ts';

/** Row-level security as the backstop under the application check (RG-02): queries written with no filter at all. */

let w: World;
const org: Record<string, string> = {};
before(async () => {
  w = await buildWorld({ patientsPerTrust: 4 });
  for (const [k, ods] of Object.entries({ A: 'RX1', B: 'RX2', C: 'RX3', P: 'HX1', Q: 'QX1' })) org[k] = (await w.org(ods)).id;
});
after(() => w.close());

function ctx(orgId: string, kind: RequestContext['orgKind'] = 'trust'): RequestContext {
  return { userId: '00000000-0000-0000-0000-000000000000', username: 'rls-test', displayName: 'RLS', orgId, orgKind: kind, orgName: 'x', role: 'trust-nurse', unitIds: [], purpose: 'test', ip: null, now: w.clock.now() };
}
const unfiltered = (c: RequestContext) =>
  withContext(w.database.db, c, (tx) => rows<{ id: string; trust_id: string }>(tx, sql`select id, trust_id from patients`));

test('a query with no organisation filter returns 0 foreign rows in every patient-data table', async () => {
  const a = await unfiltered(ctx(org.A!));
  assert.ok(a.length >= 4, 'Trust A sees its own patients');
  assert.equal(a.filter((r) => r.trust_id !== org.A).length, 0, 'and none of Trust B or C');
  const refs = await withContext(w.database.db, ctx(org.A!), (tx) => rows<{ trust_id: string }>(tx, sql`select trust_id from referrals`));
  assert.equal(refs.filter((r) => r.trust_id !== org.A).length, 0);
  const commissioner = await unfiltered(ctx(org.Q!, 'commissioner'));
  assert.equal(commissioner.length, 0, 'a commissioner sees no patient rows at all');
  const none = await withContext(w.database.db, { ...ctx(''), orgId: '' }, (tx) => rows(tx, sql`select id from patients`));
  assert.equal(none.length, 0, 'no organisation set → nothing visible');
});

test('the provider sees only referred patients of Trusts with an active agreement, and ending the agreement cuts access at once', async () => {
  const before = await unfiltered(ctx(org.P!, 'provider'));
  const referredA = (await w.patientsOf('RX1')).filter((p) => p.referred).map((p) => p.id);
  assert.ok(referredA.length > 0);
  for (const id of referredA) assert.ok(before.some((r) => r.id === id));
  const unreferred = (await w.patientsOf('RX1')).filter((p) => !p.referred).map((p) => p.id);
  assert.ok(before.every((r) => !unreferred.includes(r.id)), 'never a patient that was not referred');

  const admin = await signIn(w.app, 'admin');
  const list = (await admin.request({ method: 'GET', url: '/api/v1/admin/agreements' })).json() as { agreements: { id: string; trustId: string }[] };
  const agreementA = list.agreements.find((x) => x.trustId === org.A)!;
  const ended = await admin.request({ method: 'POST', url: `/api/v1/admin/agreements/${agreementA.id}/end`, payload: { reason: 'Contract terminated' } });
  assert.equal(ended.statusCode, 200);
  const afterEnd = await unfiltered(ctx(org.P!, 'provider'));
  assert.equal(afterEnd.filter((r) => r.trust_id === org.A).length, 0, 'no Trust A row once the agreement has ended');
  assert.ok(afterEnd.some((r) => r.trust_id === org.B), 'Trust B, still under agreement, stays visible');
  const nurse = await signIn(w.app, 'provider-nurse');
  assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${referredA[0]}` })).statusCode, 404);
});

test('an agreement whose end date has passed stops access by date alone', async () => {
  const admin = await signIn(w.app, 'admin');
  const created = await admin.request({ method: 'POST', url: '/api/v1/admin/agreements', payload: { trustId: org.C, providerId: org.P, reference: 'DSA-SHORT', startsOn: '2026-01-01', endsOn: '2026-06-30' } });
  assert.equal(created.statusCode, 201);
  const list = (await admin.request({ method: 'GET', url: '/api/v1/admin/agreements' })).json() as { agreements: { id: string; trustId: string; reference: string }[] };
  const original = list.agreements.find((x) => x.trustId === org.C && x.reference !== 'DSA-SHORT')!;
  await admin.request({ method: 'POST', url: `/api/v1/admin/agreements/${original.id}/end`, payload: { reason: 'Replaced by a fixed-term agreement' } });
  assert.ok((await unfiltered(ctx(org.P!, 'provider'))).some((r) => r.trust_id === org.C), 'visible on 1 June under the fixed-term agreement');
  w.clock.advance(30 * 24 * 3600 * 1000); // 1 July: the day after the end date
  assert.equal((await unfiltered({ ...ctx(org.P!, 'provider'), now: w.clock.now() })).filter((r) => r.trust_id === org.C).length, 0);
});

test('the database refuses to write a row into another organisation', async () => {
  await assert.rejects(
    withContext(w.database.db, ctx(org.A!), (tx) =>
      tx.execute(sql`insert into patients (trust_id, nhs_number, given_name, family_name, date_of_birth, created_by, created_at, updated_at)
                     select ${org.B}::uuid, '9990000018', 'X', 'Y', '1970-01-01', id, now(), now() from users limit 1`),
    ),
    (err: Error & { cause?: Error }) => {
      assert.match(String(err.cause?.message ?? err.message), /row-level security/);
      return true;
    },
  );
});

test('catalogue: every patient-data table forces RLS and the request role cannot bypass it', async () => {
  const tables = await rows<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
    w.database.db,
    sql`select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from information_schema.columns col where col.table_schema = 'public' and col.table_name = c.relname and col.column_name in ('patient_id', 'nhs_number'))
          and c.relname <> 'audit_log'`,
  );
  assert.ok(tables.length >= 2);
  for (const t of tables) assert.ok(t.relrowsecurity && t.relforcerowsecurity, `${t.relname} must have forced row-level security`);
  assert.equal(await scalar(w.database.db, sql`select rolbypassrls from pg_roles where rolname = 'homeward_app'`), false);
  assert.equal(await scalar(w.database.db, sql`select rolsuper from pg_roles where rolname = 'homeward_app'`), false);
  const readable = await scalar<boolean>(w.database.db, sql`select has_table_privilege('homeward_app', 'audit_log', 'SELECT')`);
  assert.equal(readable, false, 'the request role cannot even read the audit trail');
});
