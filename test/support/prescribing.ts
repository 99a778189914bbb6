import assert from 'node:assert/strict';
import type { World, Session } from './world.ts';
import { ALL_MET, CONSENT, nextNhsNumber, REFERRAL_DETAILS, signIn } from './world.ts';

export interface Team {
  nurse: Session;
  prescriber: Session;
  pharmacist: Session;
  coordinator: Session;
  providerPharmacist: Session;
  providerNurse: Session;
}

export async function team(w: World): Promise<Team> {
  return {
    nurse: await signIn(w.app, 'trust-nurse'),
    prescriber: await signIn(w.app, 'trust-prescriber'),
    pharmacist: await signIn(w.app, 'trust-pharmacist'),
    coordinator: await signIn(w.app, 'provider-coordinator'),
    providerPharmacist: await signIn(w.app, 'provider-pharmacist'),
    providerNurse: await signIn(w.app, 'provider-nurse'),
  };
}

export async function ok<T = Record<string, unknown>>(p: Promise<{ statusCode: number; body: string; json: () => unknown }>, status = 200): Promise<T> {
  const res = await p;
  assert.equal(res.statusCode, status, res.body);
  return res.json() as T;
}

/**
 * A Trust A patient taken through the pathway to "active at home" with the demo provider, and a course of
 * `regimen` started on `startDate` with a baseline LVEF and a weight recorded.
 */
export async function patientOnCourse(w: World, t: Team, opts: { startDate: string; regimen?: string; baseline?: { on: string; percent: number }; weight?: { kg: number; on: string } }) {
  const providerId = (await w.org('HX1')).id;
  const patient = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Ada', familyName: `Course${Math.floor(Math.random() * 1e6)}`, dateOfBirth: '1968-03-04' } }), 201);
  const ep = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/patients/${patient.id}/episodes`, payload: { regimen: opts.regimen ?? 'trastuzumab-iv-3-weekly' } }), 201);
  const event = (payload: Record<string, unknown>) => ok(t.nurse.request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/events`, payload }));
  await event({ event: 'assess', answers: ALL_MET });
  await event({ event: 'offer', offeredOn: w.clock.now().toISOString().slice(0, 10), leafletVersion: 'v1' });
  await event({ event: 'accept' });
  await event({ event: 'refer', providerId, ...REFERRAL_DETAILS });
  await ok(t.coordinator.request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/referral-response`, payload: { decision: 'accept' } }));
  await event({ ...CONSENT, takenOn: w.clock.now().toISOString().slice(0, 10) });
  await event({ event: 'start-home' });
  const course = await ok<{ id: string; schedule: { id: string; cycle: number; dueDate: string; kind: string; place: string }[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/episodes/${ep.id}/course`, payload: { startDate: opts.startDate } }), 201);
  const b = opts.baseline ?? { on: opts.startDate, percent: 62 };
  const lvef = await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${course.id}/lvef`, payload: { measuredOn: b.on, method: 'echo', percent: b.percent, reportingClinician: 'Dr Echo' } }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${lvef.id}/assessment`, payload: {} }));
  const wt = opts.weight ?? { kg: 70, on: '2026-06-01' };
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${course.id}/weights`, payload: { weightKg: wt.kg, measuredOn: wt.on } }), 201);
  return { patientId: patient.id, episodeId: ep.id, courseId: course.id, cycles: course.schedule };
}

/** Writes, signs, verifies and releases the prescription for a cycle; returns its id. */
export async function releasedPrescription(t: Team, cycleId: string): Promise<string> {
  const rx = await ok<{ id: string }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${cycleId}/prescriptions` }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/prescriber-steps`, payload: { event: 'sign' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'verify' } }));
  await ok(t.pharmacist.request({ method: 'POST', url: `/api/v1/prescriptions/${rx.id}/pharmacy-steps`, payload: { event: 'transmit' } }));
  return rx.id;
}
