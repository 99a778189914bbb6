import { test } from 'node:test';
import assert from 'node:assert/strict';
import { administrationProblems, checkProblems, DEFAULT_OBSERVATION_LIMITS, punctuality, reactionProblems, windowProblems } from '../src/visits/rules.ts';

const symptoms = { FEVER_OR_INFECTION: false, BREATHLESSNESS: false, CHEST_PAIN_OR_PALPITATIONS: false, ANKLE_SWELLING: false, REACTION_LAST_DOSE: false, OTHER_NEW_SYMPTOM: false };
const obs = { temperatureC: 36.8, pulse: 72, systolic: 124, diastolic: 78, spo2: 98 };
const check = { identifiers: ['NAME', 'NHS_NUMBER'], consentValid: true, observations: obs, symptoms, decision: 'give' as const };

test('checklist: two identifiers, consent, every observation and symptom answered; within limits nothing else is needed', () => {
  assert.deepEqual(checkProblems(check), { problems: {}, outOfRange: [] });
  const p = checkProblems({ ...check, identifiers: ['NAME', 'NAME'], consentValid: false, observations: { ...obs, pulse: Number.NaN }, symptoms: { ...symptoms, BREATHLESSNESS: undefined as unknown as boolean } }).problems;
  assert.equal(p.identifiers, 'Confirm the patient’s identity with at least two identifiers');
  assert.match(p.consentValid!, /consent/);
  assert.equal(p['observations.pulse'], 'Enter the pulse');
  assert.equal(p['symptoms.BREATHLESSNESS'], 'Answer yes or no: new or worse breathlessness');
  assert.equal(checkProblems({ ...check, observations: { ...obs, temperatureC: 380 } }).problems['observations.temperatureC'], 'Enter a temperature between 30 and 43 °C');
});

test('checklist: an answer outside the limits needs a decision — give with a reason, or do not give', () => {
  const hot = { ...check, observations: { ...obs, temperatureC: 38, spo2: 93 }, symptoms: { ...symptoms, ANKLE_SWELLING: true } };
  const r = checkProblems(hot);
  assert.deepEqual(r.outOfRange, ['Temperature 38 °C is outside 35.5–37.9', 'Oxygen saturation (SpO2) 93% is below 94%', 'Swollen ankles or sudden weight gain: yes']);
  assert.match(r.problems.decisionReason!, /enter the reason for giving the dose, or choose not to give it/);
  assert.deepEqual(checkProblems({ ...hot, decisionReason: 'Discussed with the on-call oncologist' }).problems, {});
  assert.deepEqual(checkProblems({ ...hot, decision: 'do-not-give' }).problems, {});
  // The boundaries are inside the limits.
  assert.deepEqual(checkProblems({ ...check, observations: { temperatureC: 37.9, pulse: 110, systolic: 90, diastolic: 100, spo2: 94 } }).outOfRange, []);
  assert.equal(DEFAULT_OBSERVATION_LIMITS.spo2.min, 94);
});

test('dose record: exactly the released dose, the prescribed route, a site, times in order and not in the future, an in-date batch, observation completed', () => {
  const now = new Date('2026-06-01T09:00:00Z');
  const facts = { prescribed: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], route: 'IV', today: '2026-06-01', now };
  const entry = { doses: [{ drug: 'TRASTUZUMAB', doseMg: 420 }], route: 'IV', site: 'Left forearm', startedAt: new Date('2026-06-01T07:30:00Z'), endedAt: new Date('2026-06-01T08:00:00Z'), batch: 'B1', expiry: '2026-06-01', observationCompleted: true };
  assert.deepEqual(administrationProblems(entry, facts), {});
  const p = administrationProblems({ ...entry, doses: [{ drug: 'TRASTUZUMAB', doseMg: 420.5 }], route: 'SC', site: '', endedAt: new Date('2026-06-01T07:00:00Z'), batch: ' ', expiry: '2026-05-31', observationCompleted: false }, facts);
  assert.deepEqual(Object.keys(p).sort(), ['batch', 'doses', 'endedAt', 'expiry', 'observationCompleted', 'route', 'site']);
  assert.equal(p.endedAt, 'The end time must be after the start time');
  assert.equal(administrationProblems({ ...entry, startedAt: new Date('2026-06-01T09:01:00Z'), endedAt: new Date('2026-06-01T09:30:00Z') }, facts).startedAt, 'The start time cannot be in the future');
});

test('punctuality: on time inside the window on the day; late after it; missed when the day passed with no dose', () => {
  const v = { visitDate: '2026-06-01', windowStart: '09:00', windowEnd: '12:00' };
  assert.equal(punctuality(v, { date: '2026-06-01', time: '09:00' }, '2026-06-01'), 'on-time');
  assert.equal(punctuality(v, { date: '2026-06-01', time: '12:00' }, '2026-06-01'), 'on-time');
  assert.equal(punctuality(v, { date: '2026-06-01', time: '12:01' }, '2026-06-01'), 'late');
  assert.equal(punctuality(v, { date: '2026-06-02', time: '08:00' }, '2026-06-02'), 'late');
  assert.equal(punctuality(v, { date: '2026-06-01', time: '08:59' }, '2026-06-01'), 'early');
  assert.equal(punctuality(v, null, '2026-06-01'), 'pending');
  assert.equal(punctuality(v, null, '2026-06-02'), 'missed');
});

test('windows and reactions: 24-hour times in order; CTCAE grade 1–5 with a description', () => {
  assert.deepEqual(windowProblems({ windowStart: '09:00', windowEnd: '12:00' }), {});
  assert.equal(windowProblems({ windowStart: '9am', windowEnd: '12:00' }).windowStart, 'Enter the start of the window as a 24-hour time, for example 09:00');
  assert.equal(windowProblems({ windowStart: '12:00', windowEnd: '09:00' }).windowEnd, 'The end of the window must be after its start');
  assert.deepEqual(reactionProblems({ grade: 2, description: 'Rash', actions: [] }), {});
  assert.deepEqual(Object.keys(reactionProblems({ grade: 0, description: ' ', actions: [] })).sort(), ['description', 'grade']);
  assert.equal(reactionProblems({ grade: 2.5, description: 'x', actions: [] }).grade, 'Select a CTCAE grade from 1 to 5');
});
