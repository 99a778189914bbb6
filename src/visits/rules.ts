/**
 * Pure rules for the home visit (spec §2.4, §2.5, §6): the pre-administration checklist (two identifiers, consent,
 * observations against limits, symptom questions), what an out-of-range answer needs, the administration record's
 * checks, reaction grading, and whether a visit was on time. No I/O: the services read the facts and ask these.
 */
import type { Observations } from './schema.ts';

import type { ObservationLimits } from '../prescribing/regimen.ts';
export type { ObservationLimits };

/** Used when a regimen sets no limits of its own (ASSUMPTION: typical Trust SOP values). */
export const DEFAULT_OBSERVATION_LIMITS: ObservationLimits = {
  temperatureC: { min: 35.5, max: 37.9 },
  pulse: { min: 50, max: 110 },
  systolic: { min: 90, max: 160 },
  diastolic: { min: 50, max: 100 },
  spo2: { min: 94 },
};

/** What can be measured at all (outside these the value is a typing mistake, not an observation). */
const PLAUSIBLE = { temperatureC: [30, 43], pulse: [20, 250], systolic: [50, 260], diastolic: [20, 160], spo2: [50, 100] } as const;
const LABELS: Record<keyof Observations, string> = { temperatureC: 'Temperature', pulse: 'Pulse', systolic: 'Systolic blood pressure', diastolic: 'Diastolic blood pressure', spo2: 'Oxygen saturation (SpO2)' };
const UNITS: Record<keyof Observations, string> = { temperatureC: '°C', pulse: 'beats a minute', systolic: 'mmHg', diastolic: 'mmHg', spo2: '%' };

/** Symptom and toxicity questions asked before every dose: a "yes" needs a decision like an out-of-range observation. */
export const SYMPTOM_QUESTIONS = {
  FEVER_OR_INFECTION: 'Fever, chills or signs of infection since the last dose',
  BREATHLESSNESS: 'New or worse breathlessness',
  CHEST_PAIN_OR_PALPITATIONS: 'Chest pain or palpitations',
  ANKLE_SWELLING: 'Swollen ankles or sudden weight gain',
  REACTION_LAST_DOSE: 'Any reaction during or after the last dose',
  OTHER_NEW_SYMPTOM: 'Any other new symptom',
} as const;
export type SymptomCode = keyof typeof SYMPTOM_QUESTIONS;

export const IDENTIFIERS = { NAME: 'Full name', DATE_OF_BIRTH: 'Date of birth', NHS_NUMBER: 'NHS number', ADDRESS: 'Address' } as const;

export interface CheckInput {
  identifiers: string[];
  consentValid: boolean;
  observations: Observations;
  symptoms: Record<string, boolean>;
  decision: 'give' | 'do-not-give';
  decisionReason?: string | null;
}

/** Problems with the checklist as entered (keyed by field), and the answers outside the limits. */
export function checkProblems(input: CheckInput, limits: ObservationLimits = DEFAULT_OBSERVATION_LIMITS): { problems: Record<string, string>; outOfRange: string[] } {
  const problems: Record<string, string> = {};
  const ids = new Set(input.identifiers.filter((i) => i in IDENTIFIERS));
  if (ids.size < 2) problems.identifiers = 'Confirm the patient’s identity with at least two identifiers';
  if (!input.consentValid) problems.consentValid = 'Confirm the patient’s consent to treatment at home is still valid, or do not give the dose';
  for (const key of Object.keys(PLAUSIBLE) as (keyof Observations)[]) {
    const v = input.observations[key];
    const [lo, hi] = PLAUSIBLE[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) problems[`observations.${key}`] = `Enter the ${LABELS[key].toLowerCase()}`;
    else if (v < lo || v > hi) problems[`observations.${key}`] = `Enter a ${LABELS[key].toLowerCase()} between ${lo} and ${hi} ${UNITS[key]}`;
  }
  for (const code of Object.keys(SYMPTOM_QUESTIONS)) {
    if (typeof input.symptoms[code] !== 'boolean') problems[`symptoms.${code}`] = `Answer yes or no: ${SYMPTOM_QUESTIONS[code as SymptomCode].toLowerCase()}`;
  }
  const outOfRange = Object.keys(problems).some((k) => k.startsWith('observations.')) ? [] : observationsOutOfRange(input.observations, limits);
  for (const [code, text] of Object.entries(SYMPTOM_QUESTIONS)) if (input.symptoms[code] === true) outOfRange.push(`${text}: yes`);
  if (outOfRange.length && input.decision === 'give' && !input.decisionReason?.trim()) {
    problems.decisionReason = 'Some answers are outside the limits: enter the reason for giving the dose, or choose not to give it';
  }
  return { problems, outOfRange };
}

export function observationsOutOfRange(o: Observations, l: ObservationLimits): string[] {
  const out: string[] = [];
  const range = (key: 'temperatureC' | 'pulse' | 'systolic' | 'diastolic') => {
    const { min, max } = l[key];
    if (o[key] < min || o[key] > max) out.push(`${LABELS[key]} ${o[key]} ${UNITS[key]} is outside ${min}–${max}`);
  };
  range('temperatureC');
  range('pulse');
  range('systolic');
  range('diastolic');
  if (o.spo2 < l.spo2.min) out.push(`${LABELS.spo2} ${o.spo2}% is below ${l.spo2.min}%`);
  return out;
}

export interface AdministrationFacts {
  prescribed: { drug: string; doseMg: number }[];
  route: string;
  today: string;
  now: Date;
}

export interface AdministrationEntry {
  doses: { drug: string; doseMg: number }[];
  route: string;
  site: string;
  startedAt: Date;
  endedAt: Date;
  batch: string;
  expiry: string;
  observationCompleted: boolean;
}

/** Problems with a dose record: the dose must be the released dose exactly; times in order and not in the future; the product in date. */
export function administrationProblems(e: AdministrationEntry, f: AdministrationFacts): Record<string, string> {
  const p: Record<string, string> = {};
  const prescribed = new Map(f.prescribed.map((d) => [d.drug, d.doseMg]));
  if (e.doses.length !== f.prescribed.length || !e.doses.every((d) => prescribed.get(d.drug) === d.doseMg)) {
    p.doses = `The dose given must be exactly the released dose: ${f.prescribed.map((d) => `${d.drug.toLowerCase()} ${d.doseMg} mg`).join(', ')}. Any other dose is refused`;
  }
  if (e.route !== f.route) p.route = `The route must be ${f.route}, as prescribed`;
  if (!e.site.trim()) p.site = 'Enter the site, for example left forearm or right thigh';
  if (Number.isNaN(e.startedAt.getTime())) p.startedAt = 'Enter the time the dose was started';
  if (Number.isNaN(e.endedAt.getTime())) p.endedAt = 'Enter the time the dose ended';
  if (!p.startedAt && e.startedAt > f.now) p.startedAt = 'The start time cannot be in the future';
  if (!p.endedAt && e.endedAt > f.now) p.endedAt = 'The end time cannot be in the future';
  if (!p.startedAt && !p.endedAt && e.endedAt <= e.startedAt) p.endedAt = 'The end time must be after the start time';
  if (!e.batch.trim()) p.batch = 'Enter the batch number';
  if (e.expiry < f.today) p.expiry = 'This batch has expired: do not give it';
  if (!e.observationCompleted) p.observationCompleted = 'Confirm the observation period was completed, or record an incident';
  return p;
}

/** CTCAE v5 grades (1 mild … 5 death). Grade 2 or more alerts the Trust and makes the next dose hospital only. */
export const CTCAE_GRADES: Record<number, string> = { 1: 'Grade 1 (mild)', 2: 'Grade 2 (moderate)', 3: 'Grade 3 (severe)', 4: 'Grade 4 (life-threatening)', 5: 'Grade 5 (death)' };
export const ALERT_FROM_GRADE = 2;

export function reactionProblems(r: { grade: number; description: string; actions: string[] }): Record<string, string> {
  const p: Record<string, string> = {};
  if (!Number.isInteger(r.grade) || r.grade < 1 || r.grade > 5) p.grade = 'Select a CTCAE grade from 1 to 5';
  if (!r.description.trim()) p.description = 'Describe the reaction';
  return p;
}

/** On time when the dose started inside the visit's window on the visit day (London time); late when after it. */
export function punctuality(v: { visitDate: string; windowStart: string; windowEnd: string }, startedLocal: { date: string; time: string } | null, today: string): 'on-time' | 'late' | 'early' | 'missed' | 'pending' {
  if (!startedLocal) return v.visitDate < today ? 'missed' : 'pending';
  if (startedLocal.date > v.visitDate || (startedLocal.date === v.visitDate && startedLocal.time > v.windowEnd)) return 'late';
  if (startedLocal.date < v.visitDate || startedLocal.time < v.windowStart) return 'early';
  return 'on-time';
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export function windowProblems(w: { windowStart: string; windowEnd: string }): Record<string, string> {
  const p: Record<string, string> = {};
  if (!TIME.test(w.windowStart)) p.windowStart = 'Enter the start of the window as a 24-hour time, for example 09:00';
  if (!TIME.test(w.windowEnd)) p.windowEnd = 'Enter the end of the window as a 24-hour time, for example 12:00';
  if (!p.windowStart && !p.windowEnd && w.windowEnd <= w.windowStart) p.windowEnd = 'The end of the window must be after its start';
  return p;
}
