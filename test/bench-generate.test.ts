import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { generate, NotEmptyError, type Manifest } from '../bench/gen/index.ts';
import { BENCH_ANCHOR, BENCH_PASSWORD, TIERS } from '../bench/tiers.ts';
import { verifyAuditChain } from '../src/audit/verify.ts';
import { contextFor } from '../src/identity/service.ts';
import { users } from '../src/identity/schema.ts';
import { verifyPassword } from '../src/identity/secrets.ts';
import { rows, type Database } from '../src/platform/db/client.ts';
import { withCheckDigit } from '../src/demo/patients.ts';
import { monthlyReport } from '../src/reports/service.ts';
import { openTestDatabase } from './support/db.ts';

/**
 * The benchmark's data generator (pilot tier): deterministic for a seed, what the monthly report counts is plausible,
 * the audit chain still verifies after the bulk load, and a database that already holds data is refused.
 */
let first: Database;
let second: Database;
let manifest: Manifest;

before(async () => {
  [first, second] = await Promise.all([openTestDatabase(), openTestDatabase()]);
  manifest = await generate(first, { tier: 'pilot', seed: 7, manifestPath: null, analyze: false });
  await generate(second, { tier: 'pilot', seed: 7, manifestPath: null, analyze: false });
});
after(async () => {
  await first.close();
  await second.close();
});

/** A digest of whole tables, in id order: equal digests mean equal rows, ids included. */
async function digest(database: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['patients', 'episode_events', 'treatment_courses', 'prescriptions', 'administrations', 'lvef_results', 'visits']) {
    const [row] = await rows<{ d: string; n: number }>(database.db, sql.raw(`select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) as d, count(*)::int as n from ${table} t`));
    out[table] = `${row!.n}:${row!.d}`;
  }
  return out;
}

test('the same seed gives the same data, row for row', async () => {
  const a = await digest(first);
  assert.deepEqual(await digest(second), a);
  assert.equal(Number(a.patients!.split(':')[0]), TIERS.pilot.patients);
});

test('sizes, accounts and NHS numbers are as the pilot tier says', async () => {
  assert.equal(manifest.anchor, BENCH_ANCHOR);
  assert.equal(manifest.months.length, 24);
  assert.equal(manifest.months.at(-1), BENCH_ANCHOR.slice(0, 7));
  assert.equal(manifest.trusts.length, TIERS.pilot.trusts);
  assert.equal(manifest.trusts.flatMap((t) => t.units).length, TIERS.pilot.units);
  // Within 10% of the tier's doses given.
  assert.ok(Math.abs(manifest.rows.administrations! - TIERS.pilot.administrations) < TIERS.pilot.administrations * 0.1, `administrations: ${manifest.rows.administrations}`);
  assert.ok(manifest.rows.lvef_results! > 0 && manifest.rows.visits! > 0 && manifest.rows.prescription_events! > manifest.rows.prescriptions!);
  for (const name of ['bench-cancer-manager-1', 'bench-trust-nurse-3', 'bench-pharmacist-2', 'bench-prescriber-1', 'bench-provider-nurse-1', 'bench-provider-coordinator-1', 'bench-admin', 'bench-commissioner', 'bench-network-lead']) {
    assert.ok(Object.values(manifest.users).flat().includes(name), name);
  }
  const [user] = await first.db.select().from(users).where(eq(users.username, 'bench-cancer-manager-1'));
  assert.ok(await verifyPassword(user!.passwordHash, BENCH_PASSWORD));
  const numbers = await rows<{ nhs_number: string }>(first.db, sql`select nhs_number from patients`);
  assert.ok(numbers.every((n) => withCheckDigit(n.nhs_number.slice(0, 9)) === n.nhs_number), 'every NHS number passes Modulus 11');
  assert.equal(new Set(numbers.map((n) => n.nhs_number)).size, numbers.length);
  const [today] = await rows<{ n: number }>(first.db, sql`select count(*)::int as n from visits where visit_date = ${BENCH_ANCHOR} and status = 'scheduled'`);
  assert.ok(today!.n > 0, 'home visits are booked on the anchor day');
});

test('the monthly report: suitable and opted for home are counted, with uptake between 40% and 80%', async () => {
  const [user] = await first.db.select().from(users).where(eq(users.username, 'bench-cancer-manager-1'));
  const ctx = (await contextFor(first.db, user!, new Date(`${BENCH_ANCHOR}T09:00:00Z`), null))!;
  const report = await monthlyReport(first.db, ctx, { from: manifest.months[0]!, to: manifest.months.at(-1)! });
  const total = report.rows.find((r) => r.level === 'trust' && r.period === 'total')!;
  const suitable = total.counts.suitable!;
  const opted = total.counts.opted!;
  assert.ok(suitable > 0 && opted > 0, JSON.stringify(total.counts));
  const uptake = opted / suitable;
  assert.ok(uptake >= 0.4 && uptake <= 0.8, `uptake ${(100 * uptake).toFixed(1)}%`);
  assert.ok(total.counts.startedAtHome! > 0 && total.counts.completed! > 0 && total.counts.declined! > 0);
});

test('the audit chain verifies after the bulk load', async () => {
  const result = await verifyAuditChain(first.db);
  assert.equal(result.ok, true, JSON.stringify(result));
});

test('a database that already holds data is refused', async () => {
  await assert.rejects(generate(first, { tier: 'pilot', manifestPath: null }), (err: unknown) => err instanceof NotEmptyError && /already holds data/.test(err.message));
});
