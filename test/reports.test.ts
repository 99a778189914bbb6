import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { patients } from '../src/patients/schema.ts';
import { safeCsvValue } from '../src/reports/exports.ts';
import { COUNT_FIGURES } from '../src/reports/rules.ts';
import { buildReportPopulation } from './support/reports-population.ts';
import { pdfText } from './support/pdf.ts';
import { colourBox, countColour, pdfPagesText, renderPdfPage } from './support/pdf-render.ts';
import { buildWorld, signIn, type Session, type World } from './support/world.ts';

/**
 * Acceptance (issue 6): a known population built through the services — three Trusts at 58.3%, 61.5% and 65.0% uptake
 * from January to May 2026 — and every figure of the monthly report, the reasons, CQUIN and the savings to the penny.
 */
let w: World;
let episodesByTrust: Record<string, string[]>;
const RANGE = 'from=2026-01&to=2026-05';
const FIG = COUNT_FIGURES;
type Row = { level: string; name: string; period: string; counts: Record<string, number | null>; percentages: Record<string, number | null>; declineReasons: Record<string, number | null>; returnReasons: Record<string, number | null>; unitId: string | null };
type Report = { rows: Row[]; progress: { name: string; points: { suitable: number | null; opted: number | null; percent: number | null }[] }[]; cquin: { name: string; met: boolean; offeredMet: boolean | null; optedMet: boolean; offeredPercent: number | null; optedPercent: number | null }[]; savings: { rows: Record<string, number | null | string | boolean>[]; total: Record<string, number | null | string | boolean>; shortfallPence: number | null }; suppressed: boolean };
const sessions = new Map<string, Session>();
const as = async (username: string) => sessions.get(username) ?? sessions.set(username, await signIn(w.app, username)).get(username)!;
async function report(username: string, query = RANGE): Promise<Report> {
  const res = await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Report;
}
/** The counts of a row in COUNT_FIGURES order: suitable, offered, opted, declined, undecided, awaiting, reverted, started, active, returned, completed. */
const counts = (r: Row) => FIG.map((f) => r.counts[f]);
const nonZero = (o: Record<string, number | null>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  ({ episodesByTrust } = await buildReportPopulation(w));
});
after(() => w.close());

test('Trust A (cancer manager): every figure by month, unit and range; reasons; progress; CQUIN not met (91.7% offered); savings to the penny', async () => {
  const r = await report('cancer-manager');
  assert.equal(r.suppressed, false);
  const trust = r.rows.filter((x) => x.level === 'trust');
  assert.ok(r.rows.every((x) => x.level !== 'network'), 'a Trust sees no network row');
  assert.deepEqual(trust.map((x) => x.period), ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', 'total']);
  assert.deepEqual(trust.map(counts), [
    [6, 6, 4, 1, 0, 1, 0, 4, 4, 0, 0], // January: one offered on the 30th answered in February
    [2, 2, 1, 1, 0, 0, 0, 2, 5, 1, 0],
    [3, 3, 1, 1, 1, 0, 0, 1, 6, 0, 0],
    [1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0], // suitable in April, not yet offered
    [0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1],
    [12, 11, 7, 3, 1, 0, 1, 7, 5, 1, 1],
  ]);
  const total = trust.at(-1)!;
  assert.deepEqual(total.percentages, { offeredOfSuitable: 91.7, optedOfSuitable: 58.3, optedOfOffered: 63.6, revertedOfOpted: 14.3 });
  assert.deepEqual(nonZero(total.declineReasons), { PREFERS_HOSPITAL_SUPPORT: 1, WANTS_CONTACT_WITH_OTHER_PATIENTS: 1, SAFETY_CONCERN_AT_HOME: 1 });
  assert.deepEqual(nonZero(total.returnReasons), { PATIENT_CHOICE: 1 });
  const units = r.rows.filter((x) => x.level === 'unit' && x.period === 'total');
  assert.deepEqual(units.map((u) => [u.name, ...counts(u)]), [
    ['Ardenfield Hospital Chemotherapy Day Unit', 7, 6, 4, 2, 0, 0, 0, 4, 3, 0, 1],
    ['Moorside Hospital Chemotherapy Suite', 5, 5, 3, 1, 1, 0, 1, 3, 2, 1, 0],
  ]);
  assert.deepEqual(r.progress[0]!.points.map((p) => [p.suitable, p.opted, p.percent]), [[6, 4, 66.7], [8, 6, 75], [11, 7, 63.6], [12, 7, 58.3], [12, 7, 58.3]]);
  assert.deepEqual(r.cquin.map((c) => [c.met, c.offeredMet, c.optedMet, c.offeredPercent, c.optedPercent]), [[false, false, true, 91.7, 58.3]]);
  // Home doses: 17 Feb, 10 Mar, 2 Apr (deferred from 31 March), 21 Apr, 12 May; two loading/hospital doses in January.
  // Each 420 mg dose = 3 vials (£1,222.20): VAT avoided £244.44, 30 mg wasted £81.48, tariff £218 − fee £150 → £393.92.
  assert.deepEqual(r.savings.rows.map((s) => [s.month, s.homeDoses, s.hospitalDoses, s.cashPence, s.cumulativeCashPence, s.chairHoursReleased]), [
    ['2026-01', 0, 2, 0, 0, 0],
    ['2026-02', 1, 0, 39_392, 39_392, 3.5],
    ['2026-03', 1, 0, 39_392, 78_784, 3.5],
    ['2026-04', 2, 0, 78_784, 157_568, 7],
    ['2026-05', 1, 0, 39_392, 196_960, 3.5],
  ]);
  assert.deepEqual(
    Object.fromEntries(['homeDoses', 'vatAvoidedPence', 'wastageAvoidedPence', 'tariffPence', 'homeCareFeePence', 'cashPence', 'chairHoursReleased', 'chairValuePence'].map((k) => [k, r.savings.total[k]])),
    { homeDoses: 5, vatAvoidedPence: 122_220, wastageAvoidedPence: 40_740, tariffPence: 109_000, homeCareFeePence: 75_000, cashPence: 196_960, chairHoursReleased: 17.5, chairValuePence: 87_500 },
  );
  assert.equal(r.savings.shortfallPence, 70_000_000 - 196_960);
});

test('Trusts B and C: totals, reasons, a change of mind counted as opted, consent withdrawn as a return; CQUIN met', async () => {
  const b = (await report('cancer-manager-b')).rows.find((x) => x.level === 'trust' && x.period === 'total')!;
  assert.deepEqual(counts(b), [13, 13, 8, 3, 1, 1, 1, 7, 5, 1, 1]);
  assert.deepEqual(b.percentages, { offeredOfSuitable: 100, optedOfSuitable: 61.5, optedOfOffered: 61.5, revertedOfOpted: 12.5 });
  assert.deepEqual(nonZero(b.declineReasons), { PREFERS_HOSPITAL_SUPPORT: 2, HOME_PRIVACY_OR_FAMILY: 1 });
  assert.deepEqual(nonZero(b.returnReasons), { REACTION: 1 });
  const c = await report('cancer-manager-c');
  const ct = c.rows.find((x) => x.level === 'trust' && x.period === 'total')!;
  assert.deepEqual(counts(ct), [20, 20, 13, 5, 1, 1, 2, 13, 11, 2, 0]);
  assert.deepEqual(ct.percentages, { offeredOfSuitable: 100, optedOfSuitable: 65, optedOfOffered: 65, revertedOfOpted: 15.4 });
  assert.deepEqual(nonZero(ct.declineReasons), { PREFERS_HOSPITAL_SUPPORT: 2, COMBINED_WITH_IV_CHEMO_IN_HOSPITAL: 1, OUT_OF_AREA: 1, HOME_ENVIRONMENT_UNSUITABLE: 1 });
  assert.deepEqual(nonZero(ct.returnReasons), { PATIENT_CHOICE: 1, CONSENT_WITHDRAWN: 1 });
  assert.deepEqual(c.cquin.map((x) => [x.met, x.offeredPercent, x.optedPercent]), [[true, 100, 65]]);
  assert.deepEqual(c.savings.rows.map((s) => s.homeDoses), [0, 1, 1, 2, 1]);
});

/** Every count-like number in a JSON answer (rows, reasons, progress, dose counts). */
function allCounts(r: Report): (number | null)[] {
  return [
    ...r.rows.flatMap((x) => [...Object.values(x.counts), ...Object.values(x.declineReasons), ...Object.values(x.returnReasons)]),
    ...r.progress.flatMap((p) => p.points.flatMap((x) => [x.suitable, x.opted])),
    ...[...r.savings.rows, r.savings.total].flatMap((s) => [s.homeDoses, s.hospitalDoses, s.unpricedDoses] as (number | null)[]),
  ];
}

test('commissioner and network lead: all Trusts in aggregate, no count from 1 to 7, no identifier; CQUIN per Trust; network savings', async () => {
  const allEpisodes = Object.values(episodesByTrust).flat();
  const nhsNumbers = (await w.database.db.select({ n: patients.nhsNumber }).from(patients)).map((p) => p.n);
  for (const username of ['commissioner', 'network-lead']) {
    const res = await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?${RANGE}` });
    assert.equal(res.statusCode, 200);
    const r = res.json() as Report;
    assert.equal(r.suppressed, true);
    const small = allCounts(r).filter((v) => v !== null && v >= 1 && v <= 7);
    assert.deepEqual(small, [], `${username}: counts from 1 to 7 shown`);
    for (const n of nhsNumbers) assert.ok(!res.body.includes(n), `${username}: NHS number in the answer`);
    for (const id of allEpisodes) assert.ok(!res.body.includes(id), `${username}: an episode id in the answer`);
    assert.doesNotMatch(res.body, /Population\d/, 'no patient name');
    const network = r.rows.find((x) => x.level === 'network' && x.period === 'total')!;
    assert.deepEqual([network.counts.suitable, network.counts.offered, network.counts.opted, network.counts.declined, network.counts.startedAtHome, network.counts.activeAtHome], [45, 44, 28, 11, 27, 21]);
    assert.deepEqual([network.percentages.offeredOfSuitable, network.percentages.optedOfSuitable, network.percentages.optedOfOffered], [97.8, 62.2, 63.6]);
    assert.deepEqual(r.cquin.map((c) => [c.name.split(' ')[0], c.met]), [['Ardenfield', false], ['Brookvale', true], ['Castlegate', true]]);
    // 14 home doses × £393.92; months with 1–7 doses are withheld, money and all.
    assert.deepEqual([r.savings.total.homeDoses, r.savings.total.cashPence, r.savings.total.vatAvoidedPence, r.savings.total.chairHoursReleased], [14, 551_488, 342_216, 49]);
    assert.ok(r.savings.rows.filter((s) => s.month !== '2026-01').every((s) => s.withheld === true && s.cashPence === null));
  }
  const one = await report('commissioner', `${RANGE}&trust=${(await w.org('RX3')).id}`);
  assert.deepEqual(one.rows.filter((x) => x.level === 'trust').map((x) => x.name), Array(6).fill('Castlegate University Hospitals NHS Foundation Trust'));
  const ct = one.rows.find((x) => x.level === 'trust' && x.period === 'total')!;
  assert.deepEqual([ct.counts.suitable, ct.counts.opted, ct.percentages.optedOfSuitable], [20, 13, 65]);
});

test('every commissioner export: no count from 1 to 7 and no NHS number in any cell; CSV, XLSX and PDF agree with the JSON', async () => {
  const s = await as('commissioner');
  const nhsNumbers = (await w.database.db.select({ n: patients.nhsNumber }).from(patients)).map((p) => p.n);
  const csv = await s.request({ method: 'GET', url: `/reports/monthly.csv?${RANGE}` });
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /text\/csv/);
  const cells = csv.body.replace(/^\ufeff/, '').split(/\r?\n/).flatMap((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.deepEqual(cells.filter((c) => /^[1-7]$/.test(c)), [], 'a count from 1 to 7 in the CSV');
  for (const n of nhsNumbers) assert.ok(!csv.body.includes(n));
  assert.ok(csv.body.includes('All Trusts,45,44,97.8,28,62.2,63.6,11,*,*,*,27,21,*,*'), csv.body.slice(0, 800));
  const xlsx = await s.request({ method: 'GET', url: `/reports/monthly.xlsx?${RANGE}` });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const values: unknown[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => values.push(c.value))));
  assert.deepEqual(values.filter((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 7), []);
  for (const n of nhsNumbers) assert.ok(!values.some((v) => String(v).includes(n)));
  const pdf = await s.request({ method: 'GET', url: `/reports/monthly.pdf?${RANGE}` });
  assert.equal(pdf.statusCode, 200);
  const text = pdfText(pdf.rawPayload);
  for (const n of nhsNumbers) assert.ok(!text.includes(n));
});

test('the cancer manager’s exports: the CSV escapes formulas, the XLSX reads back with the same numbers, the PDF holds the graph and the tables', async () => {
  assert.equal(safeCsvValue('=HYPERLINK("http://x")'), `'=HYPERLINK("http://x")`);
  assert.deepEqual(['+1', '@SUM(A1)', '\tx', '\rx', '-cmd'].map(safeCsvValue), ["'+1", "'@SUM(A1)", "'\tx", "'\rx", "'-cmd"]);
  assert.equal(safeCsvValue('-12.50'), '-12.50');
  const s = await as('cancer-manager');
  const json = await report('cancer-manager');
  const xlsx = await s.request({ method: 'GET', url: `/reports/monthly.xlsx?${RANGE}` });
  assert.equal(xlsx.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const summary = wb.worksheets.find((ws) => ws.name.startsWith('Uptake'))!;
  const trustRow = (summary.getSheetValues() as unknown[][]).find((r) => r?.[1] === 'Ardenfield NHS Foundation Trust')!;
  assert.deepEqual(trustRow.slice(2), [12, 11, 91.7, 7, 58.3, 63.6, 3, 1, 0, 1, 7, 5, 1, 1]);
  const total = json.rows.find((x) => x.level === 'trust' && x.period === 'total')!;
  assert.deepEqual([trustRow[2], trustRow[5], trustRow[6]], [total.counts.suitable, total.counts.opted, total.percentages.optedOfSuitable]);
  const savings = wb.worksheets.find((ws) => ws.name.startsWith('QIPP'))!;
  const whole = (savings.getSheetValues() as unknown[][]).find((r) => r?.[1] === 'Whole range')!;
  assert.deepEqual([whole[2], whole[9]], [5, 1969.6]);
  const pdf = await s.request({ method: 'GET', url: `/reports/monthly.pdf?${RANGE}` });
  const text = pdfText(pdf.rawPayload);
  for (const expected of ['Home treatment: monthly report', 'Ardenfield NHS Foundation Trust', '58.3%', '91.7%', '£1,969.60', 'Not met', 'CQUIN target 50%', '% opted for home']) assert.ok(text.includes(expected), `the PDF says "${expected}"`);
  assert.ok((pdf.rawPayload.toString('latin1').match(/ l\n/g) ?? []).length > 20, 'the PDF draws the graph’s lines');
  const csv = await s.request({ method: 'GET', url: `/reports/monthly.csv?${RANGE}` });
  assert.ok(csv.body.includes('Ardenfield NHS Foundation Trust,12,11,91.7,7,58.3,63.6,3,1,0,1,7,5,1,1'));
});

test('the PDF read by a PDF engine: its pages hold the tables’ numbers, and page 1 paints the graph with the Trust’s line above the dashed CQUIN target', async () => {
  const s = await as('cancer-manager');
  const pdf = (await s.request({ method: 'GET', url: `/reports/monthly.pdf?${RANGE}` })).rawPayload;
  const pages = await pdfPagesText(pdf);
  const all = pages.join(' ');
  for (const expected of ['Home treatment: monthly report', 'CQUIN target 50%', '% opted for home', 'Ardenfield NHS Foundation Trust', '58.3%', '91.7%', '£1,969.60']) assert.ok(all.includes(expected), `the PDF says "${expected}"`);
  assert.ok(['Jan 2026', 'May 2026'].every((m) => pages[0]!.includes(m)), 'the graph’s months are on page 1');
  const page = await renderPdfPage(pdf, 1);
  // Trust A's uptake runs 66.7% → 58.3% against a 50% target: its NHS-blue line must be painted entirely above the
  // red dashed target line (the row of the page with the most red pixels).
  assert.ok(countColour(page, '#005eb8') > 500, 'the Trust’s line is painted');
  const redByRow = Array.from({ length: page.height }, (_, y) => {
    let n = 0;
    for (let x = 0; x < page.width; x++) {
      const i = 4 * (y * page.width + x);
      if (Math.abs(page.pixels[i]! - 0xd5) < 40 && Math.abs(page.pixels[i + 1]! - 0x28) < 40 && Math.abs(page.pixels[i + 2]! - 0x1b) < 40) n++;
    }
    return n;
  });
  const targetRow = redByRow.indexOf(Math.max(...redByRow));
  assert.ok(redByRow[targetRow]! > 100, 'the dashed target line is painted across the graph');
  const blue = colourBox(page, '#005eb8')!;
  assert.ok(blue.bottom < targetRow, `the Trust’s line (lowest at y=${blue.bottom}) is above the target (y=${targetRow})`);
});

test('drill-down: the cancer manager sees the patients behind a figure (audited with their ids); nobody else may', async () => {
  const s = await as('cancer-manager');
  const page = await s.request({ method: 'GET', url: `/reports/monthly?${RANGE}` });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /href="\/reports\/monthly\/patients\?[^"]*figure=declined/);
  assert.match(page.body, /<img[^>]+src="data:image\/svg\+xml;base64,[^"]+"[^>]+alt="Line graph/);
  const res = await s.request({ method: 'GET', url: `/reports/monthly/patients?${RANGE}&period=total&figure=declined` });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.body.match(/href="\/episodes\//g) ?? []).length, 3);
  const rows = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'report:drilldown'), eq(auditLog.username, 'cancer-manager')));
  assert.equal((rows.at(-1)!.detail as { patientIds: string[] }).patientIds.length, 3);
  const one = await s.request({ method: 'GET', url: `/reports/monthly/patients?${RANGE}&period=2026-02&figure=returnedToHospital&reason=PATIENT_CHOICE` });
  assert.equal((one.body.match(/href="\/episodes\//g) ?? []).length, 1);
  assert.equal((await (await as('commissioner')).request({ method: 'GET', url: `/reports/monthly/patients?${RANGE}&period=total&figure=declined` })).statusCode, 403);
  const other = await (await as('cancer-manager-b')).request({ method: 'GET', url: `/reports/monthly/patients?${RANGE}&period=total&figure=declined&trust=${(await w.org('RX1')).id}` });
  assert.equal(other.statusCode, 404);
  const commissionerPage = await (await as('commissioner')).request({ method: 'GET', url: `/reports/monthly?${RANGE}` });
  assert.doesNotMatch(commissionerPage.body, /\/reports\/monthly\/patients/);
  assert.match(commissionerPage.body, /Withheld: a count from 1 to 7/);
});

test('bad queries answer 400 with a clear message; other Trusts 404; roles without the action 403; every read audited', async () => {
  const s = await as('cancer-manager');
  const bad = async (q: string) => {
    const res = await s.request({ method: 'GET', url: `/api/v1/reports/monthly?${q}` });
    assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
    return (res.json() as { error: { message: string; fields?: Record<string, string> } }).error;
  };
  assert.equal((await bad('from=2026-13&to=2026-05')).fields?.from, 'Enter the first month as a year and month, for example 2026-04');
  assert.equal((await bad('from=2026-01')).fields?.to, 'Enter the last month, for example 2026-04');
  assert.equal((await bad('from=2026-05&to=2026-01')).message, 'The last month must be the same as or after the first month');
  assert.equal((await bad('from=2020-01&to=2026-05')).message, 'Choose 24 months or fewer');
  assert.equal((await bad(`${RANGE}&trust=RX1`)).fields?.trust, 'Select a Trust from the list');
  assert.ok((await bad(`${RANGE}&nhsNumber=1`)).fields);
  assert.equal((await s.request({ method: 'GET', url: `/api/v1/reports/monthly?${RANGE}&trust=${(await w.org('RX2')).id}` })).statusCode, 404);
  assert.equal((await (await as('commissioner')).request({ method: 'GET', url: `/api/v1/reports/monthly?${RANGE}&trust=00000000-0000-4000-8000-000000000000` })).statusCode, 404);
  for (const username of ['trust-nurse', 'provider-coordinator']) assert.equal((await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?${RANGE}` })).statusCode, 403);
  assert.equal((await w.app.inject({ method: 'GET', url: `/api/v1/reports/monthly?${RANGE}` })).statusCode, 401);
  const page = await s.request({ method: 'GET', url: '/reports/monthly?from=2026-05&to=2026-01', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /There is a problem[\s\S]*The last month must be the same as or after the first month/);
  assert.equal((await s.request({ method: 'GET', url: '/reports/monthly.csv?from=bad' })).statusCode, 400);
  const reads = await w.database.db.select().from(auditLog).where(eq(auditLog.action, 'report:read'));
  assert.ok(reads.some((a) => a.username === 'commissioner' && (a.detail as { suppressed: boolean }).suppressed));
  assert.ok(reads.some((a) => a.username === 'cancer-manager' && !(a.detail as { suppressed: boolean }).suppressed));
  const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { get?: { tags?: string[] } }> };
  assert.deepEqual(doc.paths['/api/v1/reports/monthly']?.get?.tags, ['reports']);
});

test('a month long after the events: the same figures whether the report starts there or in January (only episodes that can count are read), the patients still at home counted', async () => {
  // The one-month report reads only episodes with an event since August began or active at home; the January-to-August
  // report reads them all. Their August figures must agree, for a Trust's own view and the network's.
  for (const username of ['cancer-manager', 'commissioner']) {
    const alone = await report(username, 'from=2026-08&to=2026-08');
    const within = await report(username, 'from=2026-01&to=2026-08');
    const august = (r: Report) => r.rows.filter((x) => x.period === '2026-08').map((x) => [x.level, x.name, x.counts, x.declineReasons, x.returnReasons]);
    assert.deepEqual(august(alone), august(within), username);
    const top = alone.rows.find((x) => x.level === (username === 'commissioner' ? 'network' : 'trust') && x.period === '2026-08')!;
    assert.ok((top.counts.activeAtHome ?? 0) >= (username === 'commissioner' ? 21 : 5), `${username}: the patients still at home in August (${top.counts.activeAtHome})`);
    assert.equal(top.counts.suitable, 0);
  }
});
