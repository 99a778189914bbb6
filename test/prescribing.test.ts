import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, count, eq, sql } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { administrations, deferrals, lvefResults, prescriptions, weights } from '../src/prescribing/schema.ts';
import { buildWorld, PASSWORD, signIn, type World } from './support/world.ts';
import { ok, patientOnCourse, releasedPrescription, team, type Team } from './support/prescribing.ts';

let w: World;
let t: Team;

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  t = await team(w);
});
after(() => w.close());

type Rx = { id: string; state: string; version: number; heldFrom?: string | null; endReason?: string | null; doses: { drug: string; doseMg: number }[]; doseKind: string; signedBy: string | null; verifiedBy: string | null; releasedAt: string | null };
type Course = { id: string; schedule: { id: string; cycle: number; dueDate: string; originalDueDate: string; kind: string; place: string; status: string }[]; prescriptions: Rx[]; gate: { allowed: boolean; blocking: string[] } | null; status: string };

const course = (s = t.prescriber, id: string) => ok<Course>(s.request({ method: 'GET', url: `/api/v1/courses/${id}` }));
const rxOf = (s = t.prescriber, id: string) => ok<{ prescription: Rx; overrides: { reason: string; byName: string; blocks: string[] }[]; matchesSchedule: boolean; gate: { allowed: boolean; blocking: string[] } | null }>(s.request({ method: 'GET', url: `/api/v1/prescriptions/${id}` }));
/** Moves the clock and signs everyone in again (sessions end after 15 idle minutes). */
const at = async (iso: string) => {
  w.clock.set(new Date(`${iso}T09:00:00Z`));
  t = await team(w);
};

test('the schedule is generated from the pinned regimen version: 18 three-weekly cycles, the first two in hospital', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const c = await course(t.prescriber, p.courseId);
  assert.equal(c.schedule.length, 18);
  assert.deepEqual(c.schedule.slice(0, 4).map((s) => [s.cycle, s.dueDate, s.kind, s.place]), [
    [1, '2026-04-22', 'loading', 'hospital'],
    [2, '2026-05-13', 'maintenance', 'hospital'],
    [3, '2026-06-03', 'maintenance', 'home'],
    [4, '2026-06-24', 'maintenance', 'home'],
  ]);
  assert.equal(c.schedule.at(-1)!.dueDate, '2027-04-14');
  // The provider sees the same schedule.
  const provider = await course(t.providerNurse, p.courseId);
  assert.deepEqual(provider.schedule.map((s) => s.dueDate), c.schedule.map((s) => s.dueDate));
});

test('lifecycle: prescriber signs, a pharmacist screens and releases, the provider pharmacy dispenses, the nurse gives — who and when at each step; out of order → 409; the signer can never screen', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/prescriptions` }), 201);
  assert.equal(rx.state, 'draft');
  assert.deepEqual(rx.doses.map((d) => [d.drug, d.doseMg]), [['TRASTUZUMAB', 420]], '6 mg/kg × 70 kg');
  // Before release the provider cannot see it at all.
  assert.equal((await t.providerPharmacist.request({ method: 'GET', url: `/api/v1/prescriptions/${rx.id}` })).statusCode, 404);
  // Out of order: screening a draft.
  const early = await t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } });
  assert.equal(early.statusCode, 409);
  assert.match(early.json().error.message, /You cannot verify \(clinically screen\) the prescription while it is a draft\. You can: sign the prescription/);
  const signed = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
  assert.equal(signed.signedBy, await w.userId('trust-prescriber'));
  // A prescriber has no pharmacy action at all.
  assert.equal((await t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } })).statusCode, 403);
  const verified = await ok<Rx>(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } }));
  assert.equal(verified.verifiedBy, await w.userId('trust-pharmacist'));
  const released = await ok<Rx>(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'transmit' } }));
  assert.equal(released.state, 'transmitted');
  assert.ok(released.releasedAt);
  const list = await ok<{ items: { href: string }[] }>(t.providerPharmacist.request({ method: 'GET', url: '/api/v1/worklists/dispensing' }));
  assert.ok(list.items.some((i) => i.href === `/prescriptions/${rx.id}`), 'the provider pharmacy sees it to dispense');
  const badExpiry = await t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/dispensing`, payload: { event: 'deliver', batch: 'B123', expiry: '2026-06-02', coldChainConfirmed: true, deliveredOn: '2026-06-01' } });
  assert.equal(badExpiry.statusCode, 400);
  assert.match(badExpiry.json().error.fields.expiry, /expires on 2 June 2026, before the dose on 3 June 2026/);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/dispensing`, payload: { event: 'deliver', batch: 'B123', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  await at('2026-06-03');
  const wrongDose = await t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/administration`, payload: { givenOn: '2026-06-03', doses: [{ drug: 'TRASTUZUMAB', doseMg: 560 }], anaphylaxisKitConfirmed: true } });
  assert.equal(wrongDose.statusCode, 400);
  assert.match(wrongDose.json().error.message, /exactly the prescribed dose: trastuzumab 420 mg/);
  const noKit = await t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/administration`, payload: { givenOn: '2026-06-03', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: false } });
  assert.equal(noKit.statusCode, 409);
  assert.match(noKit.json().error.message, /anaphylaxis kit/);
  const given = await ok<Rx>(t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/administration`, payload: { givenOn: '2026-06-03', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: true } }), 201);
  assert.equal(given.state, 'administered');
  const again = await t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/administration`, payload: { givenOn: '2026-06-03', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: true } });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /already been recorded/);
  const history = (await rxOf(t.prescriber, rx.id)) as unknown as { history: { event: string; byUserId: string; at: string }[] };
  assert.deepEqual(history.history.map((h) => h.event), ['create', 'sign', 'verify', 'transmit', 'deliver', 'administer']);
  const trustView = await course(t.nurse, p.courseId);
  assert.equal(trustView.schedule.find((s) => s.cycle === 3)!.status, 'given', 'the Trust sees the dose given');
});

test('the person who signed a prescription cannot screen it, whatever role they hold later', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const admin = await signIn(w.app, 'admin');
  const u = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'locum.shah', displayName: 'Dr Locum Shah', password: PASSWORD, orgId: (await w.org('RX1')).id, role: 'trust-prescriber' } }), 201);
  const locum = await signIn(w.app, 'locum.shah');
  const rx = await ok<Rx>(locum.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles.find((c) => c.cycle === 3)!.id}/prescriptions` }), 201);
  await ok(locum.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
  await ok(admin.request({ method: 'PATCH', url: `/api/v1/admin/users/${u.id}`, payload: { role: 'trust-pharmacist' } }));
  const asPharmacist = await signIn(w.app, 'locum.shah');
  const res = await asPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().error.message, 'You signed this prescription, so you cannot verify it: another pharmacist must screen it.');
  assert.equal((await rxOf(t.prescriber, rx.id)).prescription.state, 'signed', 'nothing changed');
});

test('deferral by 9 days (E1): old prescription cancelled, re-load required, cycle moved and the schedule recomputed in one transaction; the provider sees it; the old prescription cannot be given', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const oldRx = await releasedPrescription(t, cycle3.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${oldRx}/dispensing`, payload: { event: 'deliver', batch: 'B1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } }));
  const before = await course(t.providerNurse, p.courseId);
  assert.equal(before.schedule.find((s) => s.cycle === 3)!.dueDate, '2026-06-03');
  const bad = await t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-02', reasonCode: 'PATIENT_REQUEST' } });
  assert.equal(bad.statusCode, 400, 'a new date before the due date is refused');
  const d = await ok<{ doseKind: string; daysLate: number; outcome: string; prescription: string; nextDueDate: string }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-12', reasonCode: 'PATIENT_REQUEST', note: 'Family wedding' } }));
  assert.deepEqual(d, { ...d, doseKind: 'reload', daysLate: 9, outcome: 'cancel-and-prescribe-again', prescription: 'cancelled', nextDueDate: '2026-07-03' });
  // The provider's view changed with the same commit: the cycle moved, it is a re-load, later cycles follow it, and the
  // prescription it holds is cancelled.
  const after = await course(t.providerNurse, p.courseId);
  const c3 = after.schedule.find((s) => s.cycle === 3)!;
  assert.deepEqual([c3.dueDate, c3.originalDueDate, c3.kind], ['2026-06-12', '2026-06-03', 'reload']);
  assert.equal(after.schedule.find((s) => s.cycle === 4)!.dueDate, '2026-07-03');
  assert.equal(after.prescriptions.find((r) => r.id === oldRx)!.state, 'cancelled');
  const [row] = await w.database.db.select({ n: count() }).from(deferrals).where(eq(deferrals.cycleId, cycle3.id));
  assert.equal(row!.n, 1);
  // Recording a dose against the old prescription is refused.
  await at('2026-06-12');
  const give = await t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${oldRx}/administration`, payload: { givenOn: '2026-06-12', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: true } });
  assert.equal(give.statusCode, 409);
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, oldRx)))[0]!.n, 0);
  // The new prescription is the re-loading dose, 8 mg/kg × 70 kg = 560 mg, on a fresh weight; the next is 420 mg.
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-11' } }), 201);
  const newRx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/prescriptions` }), 201);
  assert.equal(newRx.doseKind, 'reload');
  assert.deepEqual(newRx.doses.map((x) => x.doseMg), [560]);
});

test('deferral by exactly 7 days (E2) stays a maintenance dose: the prescription is held for the new date, not cancelled, and a prescriber resumes it', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  const d = await ok<{ doseKind: string; daysLate: number; outcome: string; prescription: string; nextDueDate: string; warnings: string[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-10', reasonCode: 'TOXICITY' } }));
  assert.deepEqual([d.doseKind, d.daysLate, d.outcome, d.prescription, d.nextDueDate], ['maintenance', 7, 'resume-on-new-date', 'held', '2026-06-24']);
  assert.match(d.warnings[0]!, /only 14 days after this one/);
  const held = await rxOf(t.prescriber, rx);
  assert.equal(held.prescription.state, 'on-hold');
  assert.equal(held.prescription.heldFrom ?? 'transmitted', 'transmitted');
  // The provider sees it on hold and cannot dispense it.
  const dispense = await t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'B1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } });
  assert.equal(dispense.statusCode, 409);
  assert.match(dispense.json().error.message, /on hold: do not give it/);
  const resumed = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/prescriber-steps`, payload: { event: 'resume' } }));
  assert.equal(resumed.state, 'transmitted');
  assert.equal((await rxOf(t.prescriber, rx)).prescription.doses[0]!.doseMg, 420);
});

test('gate: overdue LVEF blocks release and recording; a named prescriber’s override with a reason allows it, is audited and shown to the nurse', async () => {
  await at('2026-06-10');
  // Baseline 20 February; cycle 6 is due 14 June, 114 days later: monitoring is overdue (blocked after 91 days).
  const p = await patientOnCourse(w, t, { startDate: '2026-03-01', baseline: { on: '2026-02-20', percent: 62 }, weight: { kg: 70, on: '2026-06-10' } });
  const cycle6 = p.cycles.find((c) => c.cycle === 6)!;
  assert.equal(cycle6.dueDate, '2026-06-14');
  const rx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle6.id}/prescriptions` }), 201);
  const sign = await t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } });
  assert.equal(sign.statusCode, 409);
  assert.match(sign.json().error.message, /Cardiac monitoring overdue: the last LVEF was on 20 February 2026/);
  const noReason = await t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/override`, payload: { reason: '  ' } });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().error.fields.reason, 'Enter the reason');
  assert.equal((await t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/override`, payload: { reason: 'x' } })).statusCode, 403, 'only a prescriber overrides');
  const o = await ok<{ byName: string; blocks: string[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/override`, payload: { reason: 'Echo booked for 20 June; cardio-oncology agreed one more dose' } }), 201);
  assert.equal(o.byName, 'Dr Priya Shah');
  assert.match(o.blocks[0]!, /Cardiac monitoring overdue/);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'transmit' } }));
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/dispensing`, payload: { event: 'deliver', batch: 'B9', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-10' } }));
  const nurseView = await rxOf(t.providerNurse, rx.id);
  assert.deepEqual(nurseView.overrides.map((x) => [x.byName, x.reason]), [['Dr Priya Shah', 'Echo booked for 20 June; cardio-oncology agreed one more dose']], 'the nurse sees the override');
  await at('2026-06-14');
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/administration`, payload: { givenOn: '2026-06-14', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: true } }), 201);
  const audited = await w.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'prescription:override'), eq(auditLog.patientId, p.patientId)));
  assert.equal(audited.length, 1);
  assert.equal((audited[0]!.detail as { reason: string }).reason, 'Echo booked for 20 June; cardio-oncology agreed one more dose');
});

test('gate: a dose released while LVEF was in date cannot be recorded once it is overdue on the day given, without an override', async () => {
  await at('2026-06-05');
  // Baseline 16 March, cycle 1 on 17 March: cycle 5 is due 9 June, 85 days after the LVEF (due, not yet blocked).
  const p = await patientOnCourse(w, t, { startDate: '2026-03-17', baseline: { on: '2026-03-16', percent: 60 }, weight: { kg: 70, on: '2026-06-05' } });
  const cycle5 = p.cycles.find((c) => c.cycle === 5)!;
  assert.equal(cycle5.dueDate, '2026-06-09');
  // Released now; given on 16 June, the last valid day, it is 92 days after the LVEF: release is blocked after 91.
  const rx = await releasedPrescription(t, cycle5.id);
  await ok(t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/dispensing`, payload: { event: 'deliver', batch: 'B2', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-05' } }));
  await at('2026-06-16');
  const res = await t.providerNurse.request({ method: 'POST', url: `/api/v1/prescriptions/${rx}/administration`, payload: { givenOn: '2026-06-16', doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], anaphylaxisKitConfirmed: true } });
  assert.equal(res.statusCode, 409);
  assert.match(res.json().error.message, /^Do not give this dose: Cardiac monitoring overdue/);
  assert.equal((await w.database.db.select({ n: count() }).from(administrations).where(eq(administrations.prescriptionId, rx)))[0]!.n, 0, 'nothing stored');
});

test('LVEF decision table through the service: 62 → 51 continues with a warning; 62 → 49 suspends, holds open prescriptions and sets a repeat within 21 days; no result resumes by itself', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const rx = await releasedPrescription(t, p.cycles.find((c) => c.cycle === 3)!.id);
  const record = async (percent: number, on: string) => {
    const r = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: on, method: 'echo', percent, reportingClinician: 'Dr Echo' } }), 201);
    return ok<{ result: { action: string; message: string }; suspended: boolean; prescriptionsHeld: string[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${r.id}/assessment`, payload: {} }));
  };
  // A result awaiting assessment stops release of another dose.
  const pending = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'echo', percent: 51, reportingClinician: 'Dr Echo' } }), 201);
  const view = await course(t.prescriber, p.courseId);
  assert.match(view.gate!.blocking.join(' '), /1 LVEF result is waiting for a clinician to assess/);
  const a = await ok<{ result: { action: string; message: string }; suspended: boolean }>(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${pending.id}/assessment`, payload: {} }));
  assert.equal(a.result.action, 'continue-with-warning');
  assert.equal(a.suspended, false);
  const s = await record(49, '2026-06-01');
  assert.equal(s.result.action, 'suspend');
  assert.deepEqual(s.prescriptionsHeld, [rx]);
  const c = await ok<Course & { repeatLvefDueBy: string; suspendedOn: string }>(t.prescriber.request({ method: 'GET', url: `/api/v1/courses/${p.courseId}` }));
  assert.equal(c.status, 'suspended');
  assert.equal(c.repeatLvefDueBy, '2026-06-22');
  const worklist = await ok<{ lvefDueSoon: { courseId: string; detail: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/worklists/prescribing' }));
  assert.ok(worklist.lvefDueSoon.some((i) => i.courseId === p.courseId && /Repeat LVEF after cardiac suspension, due by 2026-06-22/.test(i.detail)));
  // A better result does not resume treatment by itself.
  const better = await record(58, '2026-06-01');
  assert.equal(better.result.action, 'stay-suspended');
  assert.equal((await course(t.prescriber, p.courseId)).status, 'suspended');
  const resumeNoReason = await t.prescriber.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/resume`, payload: { reason: '' } });
  assert.equal(resumeNoReason.statusCode, 400);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/resume`, payload: { reason: 'LVEF recovered to 58%; discussed with cardio-oncology' } }));
  assert.equal((await course(t.prescriber, p.courseId)).status, 'active');
  assert.equal((await rxOf(t.prescriber, rx)).prescription.state, 'on-hold', 'held prescriptions stay held until each is resumed or deferred');
});

test('baseline LVEF 55% blocks the start unless a prescriber overrides', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-06-03', baseline: { on: '2026-05-28', percent: 55 } });
  const rx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles[0]!.id}/prescriptions` }), 201);
  assert.deepEqual(rx.doses.map((d) => d.doseMg), [560], 'loading 8 mg/kg × 70 kg');
  const sign = await t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } });
  assert.equal(sign.statusCode, 409);
  assert.match(sign.json().error.message, /baseline LVEF is 55%, at or below 55%/);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/override`, payload: { reason: 'Benefits outweigh risks after cardiology review' } }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
});

test('weight change of 10% or more ends a prescription calculated on the old weight: recalculate and sign again (E7)', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const rx = await releasedPrescription(t, p.cycles.find((c) => c.cycle === 3)!.id);
  const small = await ok<{ prescriptionsEnded: string[] }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: 66, measuredOn: '2026-06-01' } }), 201);
  assert.deepEqual(small.prescriptionsEnded, [], '−5.7% stands');
  const big = await ok<{ prescriptionsEnded: string[] }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: 63, measuredOn: '2026-06-01' } }), 201);
  assert.deepEqual(big.prescriptionsEnded, [rx], '−10.0% ends it');
  const ended = await rxOf(t.prescriber, rx);
  assert.equal(ended.prescription.state, 'cancelled');
  assert.match(ended.prescription.endReason ?? '', /\(70 kg to 63 kg\): recalculate the dose and sign the prescription again/);
  const again = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles.find((c) => c.cycle === 3)!.id}/prescriptions` }), 201);
  assert.deepEqual(again.doses.map((d) => d.doseMg), [378], '6 × 63');
});

test('two pharmacists screening the same prescription at once: one succeeds, the other gets 409, nothing lost', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const admin = await signIn(w.app, 'admin');
  await ok(admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'second.pharmacist', displayName: 'Sam Second', password: PASSWORD, orgId: (await w.org('RX1')).id, role: 'trust-pharmacist' } }), 201);
  const second = await signIn(w.app, 'second.pharmacist');
  const rx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles.find((c) => c.cycle === 3)!.id}/prescriptions` }), 201);
  const signed = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
  const both = await Promise.all([t.pharmacist, second].map((s) => s.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify', expectedVersion: signed.version } })));
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
  const loser = both.find((r) => r.statusCode === 409)!;
  assert.match(loser.json().error.message, /Someone else changed this prescription|while it is verified/);
  const [row] = await w.database.db.select().from(prescriptions).where(eq(prescriptions.id, rx.id));
  assert.equal(row!.state, 'verified');
  assert.equal(row!.version, signed.version + 1, 'exactly one step was written');
});

test('bad input: weight 0 or 500 kg, LVEF 0 or 101, dates out of order, another organisation’s prescription → clear message, nothing saved', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const countOf = async (table: typeof weights | typeof lvefResults) => (await w.database.db.select({ n: count() }).from(table))[0]!.n;
  const w0 = await countOf(weights);
  for (const kg of [0, 500]) {
    const res = await t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: kg, measuredOn: '2026-06-01' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.fields.weightKg, /^Enter a weight between 20 and 300 kg/);
  }
  const future = await t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-02' } });
  assert.equal(future.json().error.fields.measuredOn, 'The date the weight was measured must be today or in the past');
  assert.equal(await countOf(weights), w0);
  const l0 = await countOf(lvefResults);
  for (const percent of [0, 101]) {
    const res = await t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'echo', percent, reportingClinician: 'Dr Echo' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.percent, 'Enter an LVEF between 1 and 100%');
  }
  const noClin = await t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'xray', percent: 60, reportingClinician: ' ' } });
  assert.equal(noClin.statusCode, 400);
  assert.equal(await countOf(lvefResults), l0);
  // Dates out of order: a deferral to before the due date; a course date that is not a date.
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const back = await t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-01', reasonCode: 'OTHER' } });
  assert.equal(back.statusCode, 400);
  assert.equal(back.json().error.fields.newDate, 'The new date must be after the date the cycle is due now');
  const expired = await t.providerPharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${await releasedPrescription(t, cycle3.id)}/dispensing`, payload: { event: 'deliver', batch: 'B1', expiry: '2026-05-01', coldChainConfirmed: true, deliveredOn: '2026-06-01' } });
  assert.equal(expired.statusCode, 400);
  // Another organisation's prescription or course → 404, whatever the action.
  const otherTrust = await signIn(w.app, 'trust-prescriber-b');
  const [rxRow] = await w.database.db.select().from(prescriptions).where(eq(prescriptions.courseId, p.courseId));
  for (const req of [
    { method: 'GET' as const, url: `/api/v1/prescriptions/${rxRow!.id}` },
    { method: 'POST' as const, url: `/api/v1/prescriptions/${rxRow!.id}/prescriber-steps`, payload: { event: 'cancel', reason: 'x' } },
    { method: 'POST' as const, url: `/api/v1/prescriptions/${rxRow!.id}/override`, payload: { reason: 'x' } },
    { method: 'GET' as const, url: `/api/v1/courses/${p.courseId}` },
    { method: 'POST' as const, url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-20', reasonCode: 'OTHER' } },
  ]) {
    const res = await otherTrust.request(req);
    assert.equal(res.statusCode, 404, `${req.method} ${req.url}`);
  }
  assert.equal((await rxOf(t.prescriber, rxRow!.id)).prescription.state, 'transmitted', 'nothing changed');
});

test('the database itself refuses to edit a signed dose, to move a cycle’s original due date, or to hold two live prescriptions for one cycle', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  const db = w.database.db;
  const says = (re: RegExp) => (e: unknown) => re.test(String((e as { cause?: { message?: string } }).cause?.message ?? e));
  await assert.rejects(db.execute(sql`update prescriptions set doses = '[{"drug":"TRASTUZUMAB","doseMg":840,"calculatedMg":840,"working":"x"}]' where id = ${rx}`), says(/signed prescription's dose cannot be edited/));
  await assert.rejects(db.execute(sql`update cycles set original_due_date = '2026-06-10' where id = ${cycle3.id}`), says(/original due date never change/));
  const [row] = await db.select().from(prescriptions).where(eq(prescriptions.id, rx));
  const { id: _id, ...copy } = row!;
  await assert.rejects(db.insert(prescriptions).values({ ...copy, state: 'draft' }), says(/prescriptions_one_live_per_cycle_idx|duplicate key/));
  const again = await t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/prescriptions` });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /Cycle 3 already has a prescription \(transmitted\)/);
});

test('E4 through the service: suspended at 49%, then resumed by a prescriber and the held dose moved 28 days → re-loading dose, new prescription needed', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await releasedPrescription(t, cycle3.id);
  const low = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-06-01', method: 'echo', percent: 49, reportingClinician: 'Dr Echo' } }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${low.id}/assessment`, payload: {} }));
  await at('2026-06-22');
  const early = await t.prescriber.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/resume`, payload: { reason: 'Feels well' } });
  assert.equal(early.statusCode, 409, 'no resume without a newer assessed result');
  const repeat = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-06-20', method: 'echo', percent: 58, reportingClinician: 'Dr Echo' } }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${repeat.id}/assessment`, payload: {} }));
  const wl = await ok<{ lvefDueSoon: { courseId: string }[] }>(t.nurse.request({ method: 'GET', url: '/api/v1/worklists/prescribing' }));
  assert.ok(!wl.lvefDueSoon.some((i) => i.courseId === p.courseId), 'the repeat scan is done: the task has left the worklist');
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/resume`, payload: { reason: 'LVEF 58% on repeat; cardio-oncology agree to continue' } }));
  const d = await ok<{ doseKind: string; daysLate: number; prescription: string; nextDueDate: string }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-07-01', reasonCode: 'CARDIAC_SUSPENSION' } }));
  assert.deepEqual([d.doseKind, d.daysLate, d.prescription, d.nextDueDate], ['reload', 28, 'cancelled', '2026-07-22']);
  assert.equal((await rxOf(t.prescriber, rx)).prescription.state, 'cancelled');
});

test('a new regimen is data only: an administrator publishes a BSA-dosed regimen and a fixed-dose combination, and patients are offered, scheduled and prescribed on them with no code change', async () => {
  await at('2026-06-01');
  const admin = await signIn(w.app, 'admin');
  const { ILLUSTRATIVE_PACLITAXEL_WEEKLY: bsa, ILLUSTRATIVE_PERTUZUMAB_TRASTUZUMAB_SC: combo } = await import('../src/prescribing/regimen-library.ts');
  const publish = async (def: object) => {
    const draft = await ok<{ id: string }>(admin.request({ method: 'POST', url: '/api/v1/admin/regimens', payload: def }), 201);
    await ok(admin.request({ method: 'POST', url: `/api/v1/admin/regimens/${draft.id}/publish` }));
  };
  // Before publication the code is not offered.
  const early = await t.nurse.request({ method: 'POST', url: `/api/v1/patients/${(await w.patientsOf('RX1'))[0]!.id}/episodes`, payload: { regimen: 'paclitaxel-weekly-trust' } });
  assert.equal(early.statusCode, 400);
  assert.equal(early.json().error.fields.regimen, 'Select a regimen from the list');
  await publish({ ...bsa, code: 'paclitaxel-weekly-trust', name: 'Paclitaxel 80 mg/m² weekly (Trust protocol)', homeSuitable: true, illustrative: false, source: 'Trust protocol PAC-W v3, checked by the lead pharmacist' });
  await publish({ ...combo, code: 'pertuzumab-trastuzumab-sc', name: 'Pertuzumab/trastuzumab SC, 3-weekly', illustrative: false, source: 'Trust protocol PH-SC v1, checked by the lead pharmacist' });

  const p = await patientOnCourse(w, t, { startDate: '2026-06-01', regimen: 'paclitaxel-weekly-trust' });
  assert.equal(p.cycles.length, 12);
  assert.deepEqual(p.cycles.slice(0, 2).map((c) => [c.dueDate, c.place]), [['2026-06-01', 'hospital'], ['2026-06-08', 'home']]);
  const noHeight = await t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles[0]!.id}/prescriptions` });
  assert.equal(noHeight.statusCode, 400, 'a BSA dose needs a height');
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${p.courseId}/weights`, payload: { weightKg: 70, heightCm: 170, measuredOn: '2026-06-01' } }), 201);
  const rx = await ok<{ doses: { drug: string; doseMg: number; calculatedMg: number }[]; premedication: string[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${p.cycles[0]!.id}/prescriptions` }), 201);
  assert.deepEqual(rx.doses.map((d) => [d.drug, d.calculatedMg, d.doseMg]), [['PACLITAXEL', 145.6, 145]], '80 mg/m² × 1.82 m², to the nearest 5 mg');
  assert.equal(rx.premedication.length, 3);

  const q = await patientOnCourse(w, t, { startDate: '2026-06-01', regimen: 'pertuzumab-trastuzumab-sc' });
  const combination = await ok<{ doses: { drug: string; doseMg: number }[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${q.cycles[0]!.id}/prescriptions` }), 201);
  assert.deepEqual(combination.doses.map((d) => [d.drug, d.doseMg]), [['PERTUZUMAB', 1200], ['TRASTUZUMAB', 600]], 'fixed loading doses, whatever the weight');
});

test('oversized input is refused with the limit named, and nothing is saved', async () => {
  await at('2026-06-01');
  const p = await patientOnCourse(w, t, { startDate: '2026-04-22', baseline: { on: '2026-04-15', percent: 62 } });
  const cycle3 = p.cycles.find((c) => c.cycle === 3)!;
  const rx = await ok<Rx>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycle3.id}/prescriptions` }), 201);
  const long = (n: number) => 'x'.repeat(n);
  const cases = [
    { s: t.prescriber, url: `/api/v1/prescriptions/${rx.id}/override`, payload: { reason: long(1001) }, field: 'reason', re: /1,000 characters or fewer/ },
    { s: t.prescriber, url: `/api/v1/cycles/${cycle3.id}/deferral`, payload: { newDate: '2026-06-10', reasonCode: 'OTHER', note: long(1001) }, field: 'note', re: /1,000 characters or fewer/ },
    { s: t.nurse, url: `/api/v1/courses/${p.courseId}/lvef`, payload: { measuredOn: '2026-05-30', method: 'echo', percent: 60, reportingClinician: long(201) }, field: 'reportingClinician', re: /200 characters or fewer/ },
    { s: t.prescriber, url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'cancel', reason: long(1001) }, field: 'reason', re: /1,000 characters or fewer/ },
  ];
  for (const c of cases) {
    const res = await c.s.request({ method: 'POST', url: c.url, payload: c.payload });
    assert.equal(res.statusCode, 400, c.url);
    assert.match(res.json().error.fields[c.field], c.re);
  }
  const after = await rxOf(t.prescriber, rx.id);
  assert.equal(after.prescription.state, 'draft');
  assert.equal(after.overrides.length, 0);
  assert.equal((await w.database.db.select({ n: count() }).from(deferrals).where(eq(deferrals.cycleId, cycle3.id)))[0]!.n, 0);
});
