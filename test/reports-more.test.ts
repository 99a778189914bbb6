import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { users } from '../src/identity/schema.ts';
import { TRASTUZUMAB_IV_3_WEEKLY } from '../src/prescribing/regimen-library.ts';
import { cycles, lvefResults, treatmentCourses } from '../src/prescribing/schema.ts';
import { lvefPart, median } from '../src/reports/safety.ts';
import { ageBand, ethnicGroup, imdQuintile } from '../src/reports/equity.ts';
import { incidents, reactions, visits } from '../src/visits/schema.ts';
import { buildReportPopulation } from './support/reports-population.ts';
import { buildWorld, signIn, type Session, type World } from './support/world.ts';

let w: World;
const RANGE = 'from=2026-01&to=2026-05';
const sessions = new Map<string, Session>();
const as = async (username: string) => sessions.get(username) ?? sessions.set(username, await signIn(w.app, username)).get(username)!;
type Shown = number | null;
interface Report {
  suppressed: boolean;
  safety: {
    reactions: { level: string; grades: Record<string, Shown>; total: Shown }[];
    incidents: { level: string; byKind: Record<string, Shown>; bySeverity: Record<string, Shown>; byKindAndSeverity: Record<string, Shown>; total: Shown }[];
    lvef: { level: string; months: { month: string; monitored: Shown; inDate: Shown; inDatePercent: Shown; overdue: Shown; medianDaysOverdue: Shown; noAssessment: Shown; notMonitored: Shown; noCourse: Shown }[] }[];
  };
  inequalities: { dimension: string; groups: { group: string; suitable: Shown; opted: Shown; optedPercent: Shown; returned: Shown; returnedPercent: Shown }[] }[];
  capacity: { name: string; periods: { period: string; homeDoses: Shown; hospitalDoses: Shown; chairHoursReleased: Shown }[] }[];
}
async function report(username: string, query = RANGE): Promise<Report> {
  const res = await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Report;
}

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  await buildReportPopulation(w);
  const db = w.database.db;
  const [nurse] = await db.select().from(users).where(eq(users.username, 'provider-nurse'));
  const provider = await w.org('HX1');
  /** A home visit on the course of the Trust's one patient with a course, to hang reactions and incidents from. */
  async function visitOn(ods: string) {
    const trust = await w.org(ods);
    const [course] = await db.select().from(treatmentCourses).where(eq(treatmentCourses.trustId, trust.id));
    const [cycle] = await db.select().from(cycles).where(eq(cycles.courseId, course!.id)).limit(1);
    const at = new Date('2026-02-20T10:00:00Z');
    const [v] = await db.insert(visits).values({ cycleId: cycle!.id, patientId: course!.patientId, trustId: trust.id, providerId: provider.id, visitDate: '2026-02-20', windowStart: '09:00', windowEnd: '12:00', status: 'given', createdBy: nurse!.id, createdAt: at, updatedAt: at }).returning();
    const base = { visitId: v!.id, patientId: course!.patientId, trustId: trust.id, providerId: provider.id, recordedBy: nurse!.id };
    const reaction = (grade: number, on: string) => db.insert(reactions).values({ ...base, grade, description: 'Flushing', actions: ['OBSERVED'], recordedAt: new Date(`${on}T10:00:00Z`) });
    const incident = (kind: 'NEAR_MISS' | 'COLD_CHAIN_BREAK', severity: 'no-harm' | 'low', on: string) => db.insert(incidents).values({ ...base, kind, severity, description: 'Logged', recordedAt: new Date(`${on}T10:00:00Z`) });
    return { reaction, incident };
  }
  const a = await visitOn('RX1');
  await a.reaction(1, '2026-02-20');
  await a.reaction(2, '2026-03-12');
  await a.reaction(1, '2026-06-02'); // after the range
  await a.incident('NEAR_MISS', 'no-harm', '2026-04-05');
  await a.incident('NEAR_MISS', 'no-harm', '2026-04-25');
  await a.incident('COLD_CHAIN_BREAK', 'low', '2026-05-03');
  const c = await visitOn('RX3');
  for (let i = 0; i < 9; i++) await c.reaction(1, `2026-03-${String(10 + i)}`);
  // Trust B's course misses its 25 March echo: its LVEF (28 January) falls due on 22 April and is overdue after 91 days.
  const [courseB] = await db.select().from(treatmentCourses).where(eq(treatmentCourses.trustId, (await w.org('RX2')).id));
  await db.delete(lvefResults).where(and(eq(lvefResults.courseId, courseB!.id), eq(lvefResults.measuredOn, '2026-03-25')));
});
after(() => w.close());

/** Every count in the new sections (not percentages, hours or medians). */
function newCounts(r: Report): (number | null)[] {
  return [
    ...r.safety.reactions.flatMap((x) => [...Object.values(x.grades), x.total]),
    ...r.safety.incidents.flatMap((x) => [...Object.values(x.byKind), ...Object.values(x.bySeverity), ...Object.values(x.byKindAndSeverity), x.total]),
    ...r.safety.lvef.flatMap((x) => x.months.flatMap((m) => [m.monitored, m.inDate, m.overdue, m.noAssessment, m.notMonitored, m.noCourse])),
    ...r.inequalities.flatMap((d) => d.groups.flatMap((g) => [g.suitable, g.opted, g.returned])),
    ...r.capacity.flatMap((u) => u.periods.flatMap((p) => [p.homeDoses, p.hospitalDoses])),
  ];
}
const lvefRow = (m: Report['safety']['lvef'][number]['months'][number]) => [m.month, m.monitored, m.inDate, m.inDatePercent, m.overdue, m.medianDaysOverdue, m.noAssessment, m.notMonitored, m.noCourse];
const groupRow = (g: Report['inequalities'][number]['groups'][number]) => [g.group, g.suitable, g.opted, g.optedPercent, g.returned, g.returnedPercent];

test('pure rules: IMD quintiles, ethnic groups, age bands; LVEF in date or days overdue; the median', () => {
  assert.deepEqual([1, 2, 3, 8, 9, 10, null, 0].map(imdQuintile), ['Q1', 'Q1', 'Q2', 'Q4', 'Q5', 'Q5', 'NOT_KNOWN', 'NOT_KNOWN']);
  assert.deepEqual(['A', 'C', 'D', 'G', 'H', 'L', 'M', 'P', 'R', 'S', 'Z', '99', null].map(ethnicGroup), ['WHITE', 'WHITE', 'MIXED', 'MIXED', 'ASIAN', 'ASIAN', 'BLACK', 'BLACK', 'OTHER', 'OTHER', 'NOT_STATED', 'NOT_KNOWN', 'NOT_KNOWN']);
  assert.deepEqual([39, 40, 49, 50, 60, 69, 70, 95, null].map(ageBand), ['UNDER_40', '40_49', '40_49', '50_59', '60_69', '60_69', '70_PLUS', '70_PLUS', 'NOT_KNOWN']);
  const m = TRASTUZUMAB_IV_3_WEEKLY.lvefMonitoring;
  assert.deepEqual(lvefPart(m, ['2026-01-28'], '2026-03-31'), { part: 'inDate', daysOverdue: null });
  assert.deepEqual(lvefPart(m, ['2026-01-28'], '2026-04-30'), { part: 'overdue', daysOverdue: 8 });
  assert.deepEqual(lvefPart(m, ['2026-01-28', '2026-06-01'], '2026-05-31'), { part: 'overdue', daysOverdue: 39 });
  assert.deepEqual(lvefPart(m, [], '2026-05-31'), { part: 'noAssessment', daysOverdue: null });
  assert.deepEqual(lvefPart(null, [], '2026-05-31'), { part: 'notMonitored', daysOverdue: null });
  assert.deepEqual([median([]), median([8]), median([39, 8]), median([3, 39, 8])], [null, 8, 23.5, 8]);
});

test('Trust A (cancer manager): reactions by grade, incidents by kind and severity, LVEF compliance, inequalities, capacity', async () => {
  const r = await report('cancer-manager');
  const reactionRows = r.safety.reactions.map((x) => [x.level, x.grades, x.total]);
  assert.deepEqual(reactionRows, [['trust', { 1: 1, 2: 1, 3: 0, 4: 0, 5: 0 }, 2]], 'the June reaction is after the range');
  const inc = r.safety.incidents[0]!;
  assert.deepEqual([inc.byKind, inc.bySeverity, inc.total], [{ SPILLAGE: 0, COLD_CHAIN_BREAK: 1, DELIVERY_FAILURE: 0, NEAR_MISS: 2, OTHER: 0 }, { 'no-harm': 2, low: 1, moderate: 0, severe: 0, death: 0 }, 3]);
  assert.equal(inc.byKindAndSeverity['NEAR_MISS|no-harm'], 2);
  assert.equal(inc.byKindAndSeverity['COLD_CHAIN_BREAK|low'], 1);
  // One patient on a course at home, LVEF in date every month; the others at home have no course recorded.
  assert.deepEqual(r.safety.lvef[0]!.months.map(lvefRow), [
    ['2026-01', 1, 1, 100, 0, null, 0, 0, 3],
    ['2026-02', 1, 1, 100, 0, null, 0, 0, 4],
    ['2026-03', 1, 1, 100, 0, null, 0, 0, 5],
    ['2026-04', 1, 1, 100, 0, null, 0, 0, 5],
    ['2026-05', 1, 1, 100, 0, null, 0, 0, 4],
  ]);
  const dims = Object.fromEntries(r.inequalities.map((d) => [d.dimension, d.groups.map(groupRow)]));
  assert.deepEqual(dims.imdQuintile, [['Q1', 3, 1, 33.3, 0, 0], ['Q2', 3, 2, 66.7, 1, 50], ['Q3', 2, 2, 100, 0, 0], ['Q4', 2, 2, 100, 0, 0], ['Q5', 2, 0, 0, 0, null], ['NOT_KNOWN', 0, 0, null, 0, null]]);
  assert.deepEqual(dims.ethnicGroup, [['WHITE', 6, 3, 50, 1, 33.3], ['MIXED', 0, 0, null, 0, null], ['ASIAN', 3, 2, 66.7, 0, 0], ['BLACK', 3, 2, 66.7, 0, 0], ['OTHER', 0, 0, null, 0, null], ['NOT_STATED', 0, 0, null, 0, null], ['NOT_KNOWN', 0, 0, null, 0, null]]);
  // The population's patients were all born in the 1940s and 1950s.
  assert.deepEqual(dims.ageBand!.filter((g) => g[1] !== 0), [['70_PLUS', 12, 7, 58.3, 1, 14.3]]);
  assert.deepEqual(r.capacity.map((u) => [u.name, u.periods.map((p) => [p.period, p.homeDoses, p.hospitalDoses, p.chairHoursReleased])]), [
    ['Ardenfield Hospital Chemotherapy Day Unit', [['2026-01', 0, 2, 0], ['2026-02', 1, 0, 3.5], ['2026-03', 1, 0, 3.5], ['2026-04', 2, 0, 7], ['2026-05', 1, 0, 3.5], ['total', 5, 2, 17.5]]],
    ['Moorside Hospital Chemotherapy Suite', [['2026-01', 0, 0, 0], ['2026-02', 0, 0, 0], ['2026-03', 0, 0, 0], ['2026-04', 0, 0, 0], ['2026-05', 0, 0, 0], ['total', 0, 0, 0]]],
  ]);
  const page = await (await as('cancer-manager')).request({ method: 'GET', url: `/reports/monthly?${RANGE}` });
  for (const id of ['reactions', 'lvef-', 'inequalities-imdQuintile', 'inequalities-ethnicGroup', 'inequalities-ageBand', 'capacity']) assert.match(page.body, new RegExp(`id="${id}`), id);
  assert.match(page.body, /Reactions by CTCAE grade/);
});

test('Trust B: an LVEF overdue from 22 April counts as not in date, 8 days overdue at the end of April and 39 at the end of May', async () => {
  const r = await report('cancer-manager-b');
  assert.deepEqual(r.safety.lvef[0]!.months.map(lvefRow).slice(2), [
    ['2026-03', 1, 1, 100, 0, null, 0, 0, 5],
    ['2026-04', 1, 0, 0, 1, 8, 0, 0, 5],
    ['2026-05', 1, 0, 0, 1, 39, 0, 0, 4],
  ]);
});

test('commissioner: the new sections in aggregate, no count from 1 to 7 shown, in the JSON and the CSV', async () => {
  const r = await report('commissioner');
  assert.equal(r.suppressed, true);
  assert.deepEqual(newCounts(r).filter((v) => v !== null && v >= 1 && v <= 7), []);
  const network = r.safety.reactions.find((x) => x.level === 'network')!;
  assert.deepEqual([network.grades, network.total], [{ 1: null, 2: null, 3: 0, 4: 0, 5: 0 }, 11], 'grade 2 (1) is withheld, and grade 1 with it');
  assert.equal(r.safety.incidents.find((x) => x.level === 'network')!.total, null);
  const net = r.safety.lvef.find((x) => x.level === 'network')!;
  assert.ok(net.months.every((m) => m.inDatePercent === null && m.medianDaysOverdue === null), 'LVEF on 1–7 patients is withheld');
  const age = r.inequalities.find((d) => d.dimension === 'ageBand')!.groups.find((g) => g.group === '70_PLUS')!;
  assert.deepEqual([age.suitable, age.opted, age.optedPercent, age.returned], [45, 28, 62.2, null]);
  assert.ok(r.capacity.every((u) => u.periods.every((p) => p.homeDoses !== null || p.chairHoursReleased === null)), 'chair hours are withheld with their doses');
  const csv = await (await as('commissioner')).request({ method: 'GET', url: `/reports/monthly.csv?${RANGE}` });
  assert.ok(csv.body.includes('Reactions by CTCAE grade') && csv.body.includes('Capacity'));
  const cells = csv.body.replace(/^\ufeff/, '').split(/\r?\n/).flatMap((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.deepEqual(cells.filter((c) => /^[1-7]$/.test(c)), []);
});
