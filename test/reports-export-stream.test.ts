import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { units } from '../src/organisations/schema.ts';
import { patients } from '../src/patients/schema.ts';
import { administrations } from '../src/prescribing/schema.ts';
import { contextFor } from '../src/identity/service.ts';
import { users } from '../src/identity/schema.ts';
import { EXPORT_HEADER, streamAdministrations } from '../src/reports/administrations-export.ts';
import { buildReportPopulation } from './support/reports-population.ts';
import { buildWorld, signIn, type World } from './support/world.ts';

/**
 * The streamed CSV of every administration of the caller's Trust: exactly its own doses (one line per drug given),
 * none of another Trust's, formula-escaped, audited once with the row count; bad months and other roles refused.
 */
let w: World;
const URL_ALL = '/api/v1/exports/administrations.csv?from=2026-01&to=2026-06';

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  await buildReportPopulation(w);
});
after(() => w.close());

async function exportAs(username: string, url = URL_ALL) {
  const s = await signIn(w.app, username);
  return s.request({ method: 'GET', url });
}

/** A CSV file's records (quoted fields with commas, doubled quotes), without the byte-order mark. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted && c === '"' && s[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted) cell += c;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) out.push([...row, cell]);
  return out;
}

/** The NHS numbers of a Trust's patients who were given a dose, and its drug lines, read directly. */
async function trustDoses(ods: string) {
  const trust = await w.org(ods);
  const list = await w.database.db
    .select({ nhs: patients.nhsNumber, doses: administrations.doses, givenOn: administrations.givenOn })
    .from(administrations)
    .innerJoin(patients, eq(patients.id, administrations.patientId))
    .where(eq(administrations.trustId, trust.id));
  return { trust, nhs: new Set(list.map((r) => r.nhs)), lines: list.reduce((n, r) => n + r.doses.length, 0), administrations: list.length, dates: list.map((r) => r.givenOn).sort() };
}

test("a Trust's export has exactly its own administrations, in date order, under the header, and none of another Trust's", async () => {
  const a = await trustDoses('RX1');
  const b = await trustDoses('RX2');
  assert.ok(a.lines > 5 && b.lines > 5, 'the population gives doses in both Trusts');
  const res = await exportAs('cancer-manager');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/csv/);
  assert.match(String(res.headers['content-disposition']), /attachment; filename="homeward-administrations-2026-01-to-2026-06\.csv"/);
  const [head, ...lines] = parseCsv(res.body);
  assert.deepEqual(head, EXPORT_HEADER);
  assert.equal(lines.length, a.lines);
  assert.deepEqual(new Set(lines.map((l) => l[1])), a.nhs);
  assert.ok(lines.every((l) => !b.nhs.has(l[1]!)), "no line of Trust B's patients");
  assert.deepEqual(lines.map((l) => l[0]), a.dates, 'one line per dose, in date order');
  const first = lines[0]!;
  assert.equal(first[4], 'TRASTUZUMAB');
  assert.match(first[5]!, /^\d+(\.\d+)?$/, 'dose in mg');
  assert.ok(['home', 'hospital'].includes(first[7]!));
  assert.ok(lines.some((l) => l[7] === 'home') && lines.some((l) => l[7] === 'hospital'));
  assert.ok(lines.some((l) => l[9] === (a.trust.name)) && lines.some((l) => l[9] !== a.trust.name), 'given by the Trust in hospital and by the provider at home');

  // Trust B's pharmacist sees Trust B's, and only those.
  const resB = await exportAs('trust-pharmacist-b');
  assert.equal(resB.statusCode, 200, resB.body);
  const linesB = parseCsv(resB.body).slice(1);
  assert.equal(linesB.length, b.lines);
  assert.deepEqual(new Set(linesB.map((l) => l[1])), b.nhs);
});

test('the range limits the lines; a month with no dose gives the header only', async () => {
  const res = await exportAs('cancer-manager', '/api/v1/exports/administrations.csv?from=2026-03&to=2026-03');
  const lines = parseCsv(res.body).slice(1);
  assert.ok(lines.length > 0 && lines.every((l) => l[0]!.startsWith('2026-03-')), 'March only');
  const none = await exportAs('cancer-manager', '/api/v1/exports/administrations.csv?from=2025-01&to=2025-02');
  assert.equal(none.statusCode, 200);
  assert.deepEqual(parseCsv(none.body), [EXPORT_HEADER]);
});

test('text a spreadsheet would run as a formula is escaped, and commas and quotes are quoted', async () => {
  const a = await w.org('RX1');
  const [given] = await w.database.db.select({ unitId: patients.unitId }).from(administrations).innerJoin(patients, eq(patients.id, administrations.patientId)).where(eq(administrations.trustId, a.id)).limit(1);
  const [unit] = await w.database.db.select().from(units).where(eq(units.id, given!.unitId!));
  await w.database.db.update(units).set({ name: '=HYPERLINK("http://x.example", "Click")' }).where(eq(units.id, unit!.id));
  try {
    const res = await exportAs('cancer-manager');
    assert.ok(res.body.includes(`"'=HYPERLINK(""http://x.example"", ""Click"")"`), 'quoted, quotes doubled, with a leading apostrophe');
    const lines = parseCsv(res.body).slice(1);
    assert.ok(lines.some((l) => l[2] === `'=HYPERLINK("http://x.example", "Click")`));
    assert.ok(lines.every((l) => !/^[=+\-@]/.test(l[2]!)));
  } finally {
    await w.database.db.update(units).set({ name: unit!.name }).where(eq(units.id, unit!.id));
  }
});

test('each export writes one audit row with the row count', async () => {
  const a = await trustDoses('RX1');
  const manager = await w.userId('cancer-manager');
  const before = await w.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(and(eq(auditLog.action, 'export:administrations'), eq(auditLog.userId, manager)));
  const res = await exportAs('cancer-manager');
  assert.equal(res.statusCode, 200);
  const rowsAfter = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'export:administrations'), eq(auditLog.userId, manager))).orderBy(desc(auditLog.seq));
  assert.equal(rowsAfter.length, before[0]!.n + 1, 'one row per export');
  assert.equal(rowsAfter[0]!.outcome, 'success');
  assert.deepEqual(rowsAfter[0]!.detail, { from: '2026-01', to: '2026-06', rows: a.lines, administrations: a.administrations, complete: true });
});

async function ctxOf(username: string) {
  const [u] = await w.database.db.select().from(users).where(eq(users.username, username));
  return (await contextFor(w.database.db, u!, w.clock.now(), null))!;
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

test('fetched in small batches, the file is the same line for line (the cursor is read to its end)', async () => {
  const whole = (await exportAs('cancer-manager')).body;
  const ctx = await ctxOf('cancer-manager');
  for (const batch of [1, 3, 7]) assert.equal(await text(streamAdministrations(w.database.db, ctx, { from: '2026-01', to: '2026-06' }, batch)), whole, `batches of ${batch}`);
});

test('a client that goes away part way is audited with the lines it was sent, as incomplete', async () => {
  const a = await trustDoses('RX1');
  const ctx = await ctxOf('cancer-manager');
  const stream = streamAdministrations(w.database.db, ctx, { from: '2026-01', to: '2026-06' }, 1);
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  // The transaction notices at its next write, stops reading and commits its audit row.
  let row: typeof auditLog.$inferSelect | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    await new Promise((r) => setTimeout(r, 50));
    [row] = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'export:administrations'), eq(auditLog.userId, ctx.userId), sql`${auditLog.detail}->>'complete' = 'false'`));
  }
  assert.ok(row, 'an audit row for the cut-off export');
  const detail = row.detail as { rows: number; complete: boolean };
  assert.equal(detail.complete, false);
  assert.ok(detail.rows < a.lines, `${detail.rows} of ${a.lines} lines sent`);
});

test('bad months answer 400 saying what to enter, and nothing is audited', async () => {
  const manager = await w.userId('cancer-manager');
  const count = async () => (await w.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(and(inArray(auditLog.action, ['export:administrations']), eq(auditLog.userId, manager))))[0]!.n;
  const n = await count();
  for (const [q, field, message] of [
    ['from=2026-13&to=2026-06', 'from', /^Enter the first month as a year and month/],
    ['from=2026-01', 'to', /^Enter the last month/],
    ['to=2026-06', 'from', /^Enter the first month/],
    ['from=2026-06&to=2026-01', 'to', /^The last month must be the same as or after the first month/],
  ] as const) {
    const res = await exportAs('cancer-manager', `/api/v1/exports/administrations.csv?${q}`);
    assert.equal(res.statusCode, 400, q);
    const body = res.json() as { error: { code: string; message: string; fields: Record<string, string> } };
    assert.equal(body.error.code, 'validation');
    assert.match(body.error.message, message, q);
    assert.ok(body.error.fields[field], `${q}: names ${field}`);
  }
  assert.equal(await count(), n);
});

test('roles without the export are refused: provider staff, commissioners, the network, a Trust nurse', async () => {
  for (const username of ['provider-nurse', 'provider-coordinator', 'commissioner', 'network-lead', 'admin', 'trust-nurse']) {
    const res = await exportAs(username);
    assert.equal(res.statusCode, 403, `${username}: ${res.body}`);
    assert.doesNotMatch(res.body, /\d{10}/);
  }
  const anonymous = await w.app.inject({ method: 'GET', url: URL_ALL });
  assert.equal(anonymous.statusCode, 401);
});
