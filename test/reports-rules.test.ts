import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cohortStatus, contributions, figuresFor, percent, percentages, type EpisodeFact, type EventFact } from '../src/reports/rules.ts';
import { doseSaving, savingsByMonth, type DoseFact } from '../src/reports/qipp.ts';
import { cquinResult } from '../src/reports/cquin.ts';
import { DEFAULT_SETTINGS, EARLIER_CQUIN, PILOT_CQUIN, cquinTargetFor } from '../src/reports/settings.ts';
import { noSmallCounts, suppress } from '../src/reports/suppression.ts';
import { monthsBetween, defaultMonths } from '../src/reports/months.ts';
import { buildMonthlyReport } from '../src/reports/report.ts';
import { formatPounds } from '../src/prescribing/vial-rules.ts';
import { addDays } from '../src/prescribing/dates.ts';

let n = 0;
const ev = (event: EventFact['event'], toState: EventFact['toState'], on: string, reasonCode: string | null = null): EventFact => ({ event, toState, on, reasonCode });
/** An episode that follows `path` from 2026-03-02 on: each step one day after the last. */
function episode(path: ('suitable' | 'not-suitable' | 'offer' | 'accept' | 'decline' | 'undecided' | 'start' | 'return' | 'complete')[], opts: { start?: string; trustId?: string; unitId?: string; reason?: string } = {}): EpisodeFact {
  let day = opts.start ?? '2026-03-02';
  const on = () => {
    const d = day;
    day = addDays(day, 1);
    return d;
  };
  const events: EventFact[] = [];
  for (const p of path) {
    if (p === 'suitable') events.push(ev('assess', 'suitable', on()));
    if (p === 'not-suitable') events.push(ev('assess', 'not-suitable', on()));
    if (p === 'offer') events.push(ev('offer', 'offered', on()));
    if (p === 'accept') events.push(ev('accept', 'accepted', on()), ev('refer', 'referred', on()), ev('provider-accept', 'provider-accepted', on()), ev('consent', 'consented', on()));
    if (p === 'decline') events.push(ev('decline', 'declined', on(), opts.reason ?? 'PREFERS_HOSPITAL_SUPPORT'));
    if (p === 'undecided') events.push(ev('undecided', 'undecided', on()));
    if (p === 'start') events.push(ev('start-home', 'active-at-home', on()));
    if (p === 'return') events.push(ev('return-to-hospital', 'returned-to-hospital', on(), 'PATIENT_CHOICE'));
    if (p === 'complete') events.push(ev('complete', 'completed', on()));
  }
  return { key: `e${n++}`, trustId: opts.trustId ?? 't1', unitId: opts.unitId ?? 'u1', ageYears: 55, imdDecile: 5, ethnicCategory: 'A', events };
}
const times = (k: number, f: () => EpisodeFact) => Array.from({ length: k }, f);

test('E12: 50 eligible, 46 offered, 28 opted, 3 reverted → offered 92.0%, opted 56.0%, conversion 60.9%, reverted 10.7%', () => {
  const eps = [
    ...times(25, () => episode(['suitable', 'offer', 'accept', 'start'])),
    ...times(3, () => episode(['suitable', 'offer', 'accept', 'start', 'return'])),
    ...times(12, () => episode(['suitable', 'offer', 'decline'])),
    ...times(4, () => episode(['suitable', 'offer', 'undecided'])),
    ...times(2, () => episode(['suitable', 'offer'])),
    ...times(4, () => episode(['suitable'])),
  ];
  const f = figuresFor(eps, '2026-03-01', '2026-03-31');
  assert.deepEqual([f.counts.suitable, f.counts.offered, f.counts.opted, f.counts.reverted], [50, 46, 28, 3]);
  assert.deepEqual(percentages(f.counts), { offeredOfSuitable: 92.0, optedOfSuitable: 56.0, optedOfOffered: 60.9, revertedOfOpted: 10.7 });
  assert.equal(f.counts.declined + f.counts.undecided + f.counts.awaiting + f.counts.opted, f.counts.offered);
  assert.deepEqual(f.declineReasons, { PREFERS_HOSPITAL_SUPPORT: 12 });
  assert.equal(f.counts.startedAtHome, 28);
  assert.equal(f.counts.returnedToHospital, 3);
  assert.equal(f.counts.activeAtHome, 25);
});

test('percent: one decimal, half up, null without a denominator', () => {
  assert.equal(percent(1, 3), 33.3);
  assert.equal(percent(2, 3), 66.7);
  assert.equal(percent(1, 8), 12.5);
  assert.equal(percent(0, 5), 0);
  assert.equal(percent(3, 0), null);
});

test('the cohort is counted as at the end of the period: a later offer or choice does not change an earlier month', () => {
  const e = episode(['suitable', 'offer', 'accept', 'start'], { start: '2026-03-30' });
  assert.deepEqual(contributions(e, '2026-03-01', '2026-03-31').map((c) => c.figure), ['suitable', 'offered', 'awaiting']);
  assert.deepEqual(contributions(e, '2026-04-01', '2026-04-30').map((c) => c.figure), ['startedAtHome', 'activeAtHome']);
  assert.deepEqual(contributions(e, '2026-03-01', '2026-04-30').map((c) => c.figure), ['suitable', 'offered', 'opted', 'startedAtHome', 'activeAtHome']);
});

test('a patient who declined and later accepted counts as opted, not declined; reassessed not suitable before choosing leaves the cohort', () => {
  const changed = episode(['suitable', 'offer', 'decline', 'offer', 'accept']);
  assert.equal(cohortStatus(changed, '2026-03-31')!.choice, 'opted');
  const unsuitable = episode(['suitable', 'offer', 'decline', 'not-suitable']);
  assert.equal(cohortStatus(unsuitable, '2026-03-31'), null);
  assert.equal(cohortStatus(unsuitable, '2026-03-04')!.choice, 'declined');
  assert.equal(cohortStatus(episode(['not-suitable']), '2026-03-31'), null);
});

test('withdrawing consent is a return to hospital with its own reason; completion counts in its month', () => {
  const e = episode(['suitable', 'offer', 'accept', 'start']);
  e.events.push(ev('withdraw-consent', 'returned-to-hospital', '2026-03-20'));
  const f = figuresFor([e, episode(['suitable', 'offer', 'accept', 'start', 'complete'])], '2026-03-01', '2026-03-31');
  assert.deepEqual(f.returnReasons, { CONSENT_WITHDRAWN: 1 });
  assert.equal(f.counts.completed, 1);
  assert.equal(f.counts.reverted, 1);
});

/** E8: 70 kg, 18 cycles of trastuzumab IV at £407.40 a 150 mg vial: 560 mg then 17 × 420 mg. */
const E8_DOSES: DoseFact[] = [560, ...Array<number>(17).fill(420)].map((mg, i) => ({ trustId: 't1', unitId: 'u1', place: 'home', givenOn: `2026-0${1 + Math.floor(i / 6)}-10`, route: 'IV', doses: [{ drug: 'TRASTUZUMAB', doseMg: mg }], chairMinutes: 120 }));

test('E8 golden: 55 vials = £22,407.00, VAT avoided £4,481.40, wastage £1,493.80, to the penny', () => {
  const s = { ...DEFAULT_SETTINGS.qipp, dayUnitTariffPence: 0, homeCareFeePence: 0, transportPence: 0 };
  const per = E8_DOSES.map((d) => doseSaving(d, s));
  assert.equal(per.reduce((t, x) => t + x.vials, 0), 55);
  assert.equal(formatPounds(per.reduce((t, x) => t + x.netDrugPence, 0)), '£22,407.00');
  assert.equal(formatPounds(per.reduce((t, x) => t + x.vatAvoidedPence, 0)), '£4,481.40');
  assert.equal(formatPounds(per.reduce((t, x) => t + x.wastageAvoidedPence, 0)), '£1,493.80');
  const { total, rows } = savingsByMonth(E8_DOSES, ['2026-01', '2026-02', '2026-03'], s);
  assert.equal(total.cashPence, 448_140 + 149_380);
  assert.deepEqual(rows.map((r) => r.homeDoses), [6, 6, 6]);
  assert.equal(rows[2]!.cumulativeCashPence, total.cashPence);
  assert.equal(total.chairHoursReleased, 36);
});

test('VAT is avoided only for zero-rated home supply (rule 48); every unit cost is applied per home dose; hospital doses save nothing', () => {
  const s = { ...DEFAULT_SETTINGS.qipp, homeSupplyZeroRated: false, homeWastePercent: 100, dayUnitTariffPence: 20_000, transportPence: 1_500, homeCareFeePence: 12_000 };
  const d = doseSaving(E8_DOSES[1]!, s);
  assert.deepEqual([d.vatAvoidedPence, d.wastageAvoidedPence, d.cashPence], [0, 0, 20_000 + 1_500 - 12_000]);
  const withHospital = savingsByMonth([...E8_DOSES.slice(0, 2), { ...E8_DOSES[2]!, place: 'hospital' }], ['2026-01'], s);
  assert.deepEqual([withHospital.total.homeDoses, withHospital.total.hospitalDoses, withHospital.total.cashPence], [2, 1, 2 * 9_500]);
  const unpriced = doseSaving({ route: 'SC', doses: [{ drug: 'TRASTUZUMAB', doseMg: 600 }], chairMinutes: 125 }, DEFAULT_SETTINGS.qipp);
  assert.equal(unpriced.unpriced, true);
  assert.equal(unpriced.vatAvoidedPence, 0);
});

test('CQUIN: the pilot target (100% offered, 50% opted) and the earlier 75% variant; targets per period', () => {
  const f = figuresFor([...times(6, () => episode(['suitable', 'offer', 'accept'])), ...times(4, () => episode(['suitable', 'offer', 'decline']))], '2026-03-01', '2026-03-31');
  assert.deepEqual(cquinResult(f, PILOT_CQUIN), { target: PILOT_CQUIN, offeredPercent: 100, optedPercent: 60, offeredMet: true, optedMet: true, met: true });
  assert.equal(cquinResult(f, EARLIER_CQUIN).met, false);
  assert.equal(cquinResult(f, EARLIER_CQUIN).offeredMet, null);
  const notAllOffered = figuresFor([...times(6, () => episode(['suitable', 'offer', 'accept'])), episode(['suitable'])], '2026-03-01', '2026-03-31');
  assert.deepEqual([cquinResult(notAllOffered, PILOT_CQUIN).offeredMet, cquinResult(notAllOffered, PILOT_CQUIN).met], [false, false]);
  assert.equal(cquinResult(figuresFor([], '2026-03-01', '2026-03-31'), PILOT_CQUIN).met, false);
  const settings = { ...DEFAULT_SETTINGS, cquin: [{ ...EARLIER_CQUIN, from: '2026-01', to: '2026-03' }] };
  assert.equal(cquinTargetFor(settings, '2026-02').optedPercent, 75);
  assert.equal(cquinTargetFor(settings, '2026-04').optedPercent, 50);
});

test('suppression: counts 1–7 withheld, and a second cell whenever a total would give one back', () => {
  const cells = { total: 20, a: 3, b: 9, c: 8, zero: 0 };
  const out = suppress(cells, [{ total: 'total', parts: ['a', 'b', 'c', 'zero'] }]);
  assert.deepEqual(out, { total: 20, a: null, b: 9, c: null, zero: 0 });
  assert.ok(noSmallCounts(out));
  // Only the total is small: one part must go too, or it is the sum of the parts.
  assert.deepEqual(suppress({ t: 5, p: 5, q: 0 }, [{ total: 't', parts: ['p', 'q'] }]), { t: null, p: null, q: 0 });
  // Chains: withholding in one group can force another.
  const chained: Record<string, number | null> = suppress({ t1: 30, a: 2, b: 28, t2: 40, b2: 28, c: 12 }, [{ total: 't1', parts: ['a', 'b'] }, { total: 't2', parts: ['b', 'c'] }]);
  assert.deepEqual(chained, { t1: 30, a: null, b: null, t2: 40, b2: 28, c: null });
  for (const g of [{ total: 't1', parts: ['a', 'b'] }, { total: 't2', parts: ['b', 'c'] }]) assert.notEqual([g.total, ...g.parts].filter((k) => (chained as Record<string, number | null>)[k] === null).length, 1);
  assert.deepEqual(suppress({ x: 8, y: 0, z: 7 }, []), { x: 8, y: 0, z: null });
});

test('the suppressed report: no count from 1 to 7 anywhere, and no group with exactly one withheld member', () => {
  const eps = [
    ...times(9, () => episode(['suitable', 'offer', 'accept', 'start'], { trustId: 't1', unitId: 'u1' })),
    ...times(2, () => episode(['suitable', 'offer', 'decline'], { trustId: 't1', unitId: 'u2', reason: 'OUT_OF_AREA' })),
    ...times(8, () => episode(['suitable', 'offer', 'decline'], { trustId: 't2', unitId: 'u3' })),
    ...times(12, () => episode(['suitable', 'offer', 'accept', 'start'], { trustId: 't2', unitId: 'u3', start: '2026-04-02' })),
  ];
  const report = buildMonthlyReport({ episodes: eps, doses: E8_DOSES, trusts: [{ id: 't1', name: 'T1' }, { id: 't2', name: 'T2' }], units: [{ id: 'u1', trustId: 't1', name: 'U1' }, { id: 'u2', trustId: 't1', name: 'U2' }, { id: 'u3', trustId: 't2', name: 'U3' }], months: ['2026-03', '2026-04'], settings: DEFAULT_SETTINGS, network: true, suppressed: true });
  const counts = report.rows.flatMap((r) => [...Object.values(r.counts), ...Object.values(r.declineReasons), ...Object.values(r.returnReasons)]);
  assert.ok(counts.every((v) => v === null || v === 0 || v >= 8), `small count in ${JSON.stringify(counts)}`);
  assert.ok(report.progress.flatMap((p) => p.points.flatMap((x) => [x.suitable, x.opted])).every((v) => v === null || v === 0 || v >= 8));
  assert.ok([...report.savings.rows, report.savings.total].every((r) => [r.homeDoses, r.hospitalDoses, r.unpricedDoses].every((v) => v === null || v === 0 || v >= 8)));
  const t1 = report.rows.find((r) => r.trustId === 't1' && r.level === 'trust' && r.period === 'total')!;
  assert.equal(t1.counts.suitable, 11);
  // 2 declined is withheld, so one more of offered = opted + declined + undecided + awaiting must be: opted (9).
  assert.deepEqual([t1.counts.declined, t1.counts.opted, t1.counts.offered, t1.percentages.optedOfSuitable, t1.percentages.offeredOfSuitable], [null, null, 11, null, 100]);
  const network = report.rows.find((r) => r.level === 'network' && r.period === 'total')!;
  assert.equal(network.counts.suitable, 31);
  assert.equal(network.counts.declined, 10);
});

test('month ranges: real months, in order, 24 at most; the default is the last 6', () => {
  assert.deepEqual(monthsBetween('2025-11', '2026-02'), { months: ['2025-11', '2025-12', '2026-01', '2026-02'] });
  assert.deepEqual(monthsBetween('2026-13', '2026-02'), { problems: { from: 'Enter the first month as a year and month, for example 2026-04' } });
  assert.deepEqual(monthsBetween('2026-04', '2026-02'), { problems: { to: 'The last month must be the same as or after the first month' } });
  assert.ok('problems' in monthsBetween('2020-01', '2026-02'));
  assert.deepEqual(defaultMonths('2026-06-01'), { from: '2026-01', to: '2026-06' });
});

test('property: skipping episodes with no event in the period and not active at home changes no figure, and Trusts add up from their units', () => {
  // A seeded generator, so a failure can be replayed.
  let seed = 20261126;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  const steps = ['suitable', 'not-suitable', 'offer', 'accept', 'decline', 'undecided', 'start', 'return', 'complete'] as const;
  const eps = times(400, () => {
    const path = Array.from({ length: 1 + rnd(7) }, () => steps[rnd(steps.length)]!);
    const e = episode(['suitable', ...path], { start: addDays('2025-01-01', rnd(600)), trustId: `t${rnd(3)}`, unitId: `u${rnd(2)}` });
    // Stretch some histories over months, so events fall before, in and after the periods.
    let day = e.events[0]!.on;
    for (const x of e.events) {
      day = addDays(day, rnd(3) === 0 ? rnd(120) : 1);
      x.on = day;
    }
    return e;
  });
  const reference = (list: readonly EpisodeFact[], start: string, end: string) => {
    const counts: Record<string, number> = {};
    const add = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
    for (const ep of list) {
      for (const c of contributions(ep, start, end)) {
        add(c.figure);
        if (c.reason) add(`${c.figure}:${c.reason}`);
      }
    }
    return counts;
  };
  const flat = (f: ReturnType<typeof figuresFor>) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(f.counts)) if (v) out[k] = v;
    for (const [r, v] of Object.entries(f.declineReasons)) out[`declined:${r}`] = v;
    for (const [r, v] of Object.entries(f.returnReasons)) out[`returnedToHospital:${r}`] = v;
    return out;
  };
  let nonEmpty = 0;
  for (let i = 0; i < 40; i++) {
    const start = addDays('2025-01-01', rnd(700));
    const end = addDays(start, rnd(3) === 0 ? 27 + rnd(4) : rnd(365));
    const expected = reference(eps, start, end);
    if (Object.keys(expected).length) nonEmpty++;
    assert.deepEqual(flat(figuresFor(eps, start, end)), expected, `period ${start} to ${end}`);
  }
  assert.ok(nonEmpty > 30, 'the periods cover the episodes');
  const report = buildMonthlyReport({ episodes: eps, doses: [], trusts: [{ id: 't0', name: 'A' }, { id: 't1', name: 'B' }, { id: 't2', name: 'C' }], units: [{ id: 'u0', name: 'U0', trustId: 't0' }, { id: 'u1', name: 'U1', trustId: 't1' }], months: ['2025-06', '2025-07', '2025-08'], settings: DEFAULT_SETTINGS, network: true, suppressed: false });
  for (const row of report.rows.filter((r) => r.level !== 'unit')) {
    const own = row.level === 'network' ? eps : eps.filter((e) => e.trustId === row.trustId);
    const bounds = row.period === 'total' ? { start: '2025-06-01', end: '2025-08-31' } : { start: `${row.period}-01`, end: addDays(`${row.period === '2025-07' ? '2025-08' : row.period === '2025-06' ? '2025-07' : '2025-09'}-01`, -1) };
    const expected = reference(own, bounds.start, bounds.end);
    for (const [figure, v] of Object.entries(row.counts)) assert.equal(v, Object.entries(expected).filter(([k]) => k === figure).reduce((n, [, x]) => n + x, 0), `${row.name} ${row.period} ${figure}`);
  }
});

test('doses of a patient with no unit recorded, whose episode is not read for the range, still appear under "Unit not recorded" and add up to the savings', () => {
  const onUnit = episode(['suitable', 'offer', 'accept', 'start'], { start: '2026-03-02', trustId: 't1', unitId: 'u1' });
  const dose = (unitId: string | null, place: 'home' | 'hospital', givenOn: string) => ({ trustId: 't1', unitId, place, givenOn, route: 'iv', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], chairMinutes: 90 });
  const report = buildMonthlyReport({
    episodes: [onUnit],
    doses: [dose('u1', 'home', '2026-05-04'), dose(null, 'hospital', '2026-05-05'), dose(null, 'home', '2026-05-06')],
    trusts: [{ id: 't1', name: 'Trust one' }],
    units: [{ id: 'u1', name: 'Unit one', trustId: 't1' }],
    months: ['2026-05'],
    settings: DEFAULT_SETTINGS,
    network: false,
    suppressed: false,
  });
  const none = report.capacity.find((r) => r.unitId === null);
  assert.ok(none, 'a "Unit not recorded" capacity row');
  assert.equal(none.name, 'Unit not recorded');
  assert.deepEqual(none.periods.find((p) => p.period === 'total')!.homeDoses, 1);
  assert.deepEqual(none.periods.find((p) => p.period === 'total')!.hospitalDoses, 1);
  const sum = (k: 'homeDoses' | 'hospitalDoses') => report.capacity.reduce((n, r) => n + (r.periods.find((p) => p.period === 'total')![k] ?? 0), 0);
  assert.equal(sum('homeDoses'), report.savings.total.homeDoses);
  assert.equal(sum('hospitalDoses'), report.savings.total.hospitalDoses);
});
