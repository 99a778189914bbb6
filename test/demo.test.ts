import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { buildDemo } from '../src/demo/build.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { verifyAuditChain } from '../src/audit/verify.ts';
import { openTestDatabase } from './support/db.ts';

test('the demo population looks like the pilot: ~70 patients over 9 months in 5 units, ~61% home, a mix of reasons, 2 returned', async () => {
  const database = await openTestDatabase();
  try {
    const clock = new FakeClock(new Date('2026-11-20T10:00:00Z'));
    const log: string[] = [];
    await buildDemo(database.db, { password: 'demo-password-1', clock, population: 'pilot', log: (m) => log.push(m) });
    assert.ok(log.some((l) => /\[5\/6\]/.test(l)), 'the build shows its progress');
    const db = database.db;
    assert.equal(await scalar<number>(db, sql`select count(*)::int from patients`), 70);
    assert.equal(await scalar<number>(db, sql`select count(distinct unit_id)::int from patients`), 5);
    const span = await scalar<number>(db, sql`select extract(day from max(created_at) - min(created_at))::int from patients`);
    assert.ok(span! >= 200 && span! <= 270, `identified over about 9 months (${span} days)`);
    const states = Object.fromEntries((await rows<{ state: string; n: number }>(db, sql`select state, count(*)::int as n from episodes group by state`)).map((r) => [r.state, r.n]));
    const suitable = 70 - (states['not-suitable'] ?? 0);
    const home = (states['active-at-home'] ?? 0) + (states['returned-to-hospital'] ?? 0);
    const share = home / suitable;
    assert.ok(share > 0.58 && share < 0.64, `about 61% of suitable patients chose home (${Math.round(share * 100)}%)`);
    assert.equal(states['returned-to-hospital'], 2);
    const reasons = await rows<{ reason_code: string }>(db, sql`select distinct reason_code from episode_events where event = 'decline'`);
    assert.ok(reasons.length >= 5, `a realistic mix of decline reasons (${reasons.length})`);
    const offered = await scalar<number>(db, sql`select count(distinct episode_id)::int from episode_events where event = 'offer'`);
    assert.equal(offered, suitable, 'every suitable patient was offered the choice');
    assert.ok((await scalar<number>(db, sql`select count(*)::int from gp_letters where kind = 'return'`))! >= 2, 'returns wrote GP letters');
    assert.equal((await verifyAuditChain(db)).ok, true, 'built through the audited services');
  } finally {
    await database.close();
  }
});
