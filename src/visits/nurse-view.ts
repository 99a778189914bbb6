/**
 * The visit page's view model: the safety panel as summary-list rows, and the choices of each form with what the
 * nurse typed ticked again after a refusal (only in the form that failed).
 */
import { randomUUID } from 'node:crypto';
import { londonDate } from '../platform/clock.ts';
import { formatDate } from '../prescribing/dates.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { CTCAE_GRADES, IDENTIFIERS, SYMPTOM_QUESTIONS } from './rules.ts';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES, REACTION_ACTIONS } from './schema.ts';
import { NOT_GIVEN_REASONS, type visitPanel } from './service.ts';
import { list, londonTime, OBSERVATION_FIELDS, type Body } from './nurse-forms.ts';
import { INCIDENT_LABELS, REACTION_ACTION_LABELS, RX_STATE_LABELS, SEVERITY_LABELS } from './nurse-labels.ts';

type Panel = Awaited<ReturnType<typeof visitPanel>>;
type Lvef = { measuredOn: string; percent: number; assessed: boolean } | null;
const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
/** "Trastuzumab" from "TRASTUZUMAB". */
const drugName = (d: string) => d.charAt(0) + d.slice(1).toLowerCase();

/** Today's cardiac gate in words, with the latest LVEF result. */
function lvefStatus(p: Panel, lvef: Lvef): string {
  const last = lvef ? ` Last result: ${lvef.percent}% on ${formatDate(lvef.measuredOn)}${lvef.assessed ? '' : ', not yet assessed by a clinician'}.` : ' No LVEF result on record.';
  const now = p.gate.blocking.length
    ? `Stop: ${p.gate.blocking.join('. ')}.`
    : p.gate.overridden.length
      ? `Cleared for this dose by a prescriber’s override (${p.gate.overridden.join('. ')}).`
      : 'No cardiac (LVEF) block for today’s dose.';
  return `${now}${last}${p.gate.warnings.length ? ` ${p.gate.warnings.join('. ')}.` : ''}`;
}

/** The safety panel: who, where, the heart, the prescription and dose, allergies, last reaction, premedication, kit. */
export function panelRows(p: Panel, lvef: Lvef) {
  const rx = p.prescription;
  const pt = p.patient;
  const rows = [
    row('Date of birth', formatDate(pt.dateOfBirth)),
    row('NHS number', formatNhsNumber(pt.nhsNumber)),
    row('Address', [pt.addressLine1, pt.addressLine2, pt.town, pt.postcode].filter(Boolean).join(', ') || 'Not recorded'),
    row('Home access notes', p.refer.accessNotes || 'None'),
    row('Key contacts', p.refer.keyContacts || 'Not given'),
    row('LVEF status', lvefStatus(p, lvef)),
    row('Prescription', rx ? `Cycle ${p.cycle.cycleNumber}, ${p.regimen.name}: ${RX_STATE_LABELS[rx.state] ?? rx.state}` : 'No prescription has been released for this dose'),
  ];
  if (rx) {
    for (const d of rx.doses) rows.push(row(`${drugName(d.drug)} dose`, `${d.doseMg} mg`));
    rows.push(row('Route', `${rx.route}${rx.infusionMinutes ? `, over ${rx.infusionMinutes} minutes` : ''}`));
    rows.push(row('Observe after the dose', `${rx.observationMinutes} minutes`));
    if (rx.delivery) rows.push(row('Batch delivered', `${rx.delivery.batch}, expires ${formatDate(rx.delivery.expiry)}`));
  }
  rows.push(row('Allergies', p.refer.allergies || 'Not recorded'));
  rows.push(row('Last reaction', p.lastReaction ? `${CTCAE_GRADES[p.lastReaction.grade] ?? `Grade ${p.lastReaction.grade}`} on ${formatDate(londonDate(p.lastReaction.recordedAt))}: ${p.lastReaction.description}` : 'None recorded'));
  rows.push(row('Premedication', rx ? (rx.premedication.length ? rx.premedication.join('; ') : 'None needed') : 'Not known'));
  rows.push(row('Anaphylaxis kit', !rx || rx.anaphylaxisKit ? 'Needed: have it with you before you start' : 'Not needed'));
  rows.push(row('Checklist', p.check ? `Recorded at ${londonTime(p.check.recordedAt)}: ${p.check.decision === 'give' ? 'give the dose' : 'do not give'}${p.check.outOfRange.length ? ` (${p.check.outOfRange.join('; ')})` : ''}` : 'Not done yet'));
  return rows;
}

const LIMIT_HINTS: Record<(typeof OBSERVATION_FIELDS)[number], { label: string; unit: string; hint: (l: Panel['limits']) => string }> = {
  temperatureC: { label: 'Temperature', unit: '°C', hint: (l) => `Within limits: ${l.temperatureC.min} to ${l.temperatureC.max} °C` },
  pulse: { label: 'Pulse', unit: 'beats a minute', hint: (l) => `Within limits: ${l.pulse.min} to ${l.pulse.max} beats a minute` },
  systolic: { label: 'Systolic blood pressure', unit: 'mmHg', hint: (l) => `Within limits: ${l.systolic.min} to ${l.systolic.max} mmHg` },
  diastolic: { label: 'Diastolic blood pressure', unit: 'mmHg', hint: (l) => `Within limits: ${l.diastolic.min} to ${l.diastolic.max} mmHg` },
  spo2: { label: 'Oxygen saturation, SpO2', unit: '%', hint: (l) => `Within limits: ${l.spo2.min}% or more` },
};

const s = (v: unknown) => (typeof v === 'string' ? v : '');
const choices = (entries: [string, string][], picked: string[]) => entries.map(([value, text]) => ({ value, text, checked: picked.includes(value) }));

/** The forms' fields and choices; `values` is what was sent when `failed` names the form that was refused. */
export function formsView(p: Panel, now: Date, failed: string | undefined, values: Body) {
  const v = (form: string): Body => (failed === form ? values : {});
  const check = v('check');
  const dose = v('dose');
  const today = londonDate(now);
  return {
    keys: { check: randomUUID(), dose: randomUUID(), notGiven: randomUUID(), reaction: randomUUID(), incident: randomUUID() },
    check: {
      identifiers: choices(Object.entries(IDENTIFIERS), list(check.identifiers)),
      consentValid: choices([['yes', 'The patient’s consent to treatment at home is still valid']], list(check.consentValid)),
      observations: OBSERVATION_FIELDS.map((f) => ({ field: f, label: LIMIT_HINTS[f].label, unit: LIMIT_HINTS[f].unit, hint: LIMIT_HINTS[f].hint(p.limits), value: s(check[f]) })),
      symptoms: Object.entries(SYMPTOM_QUESTIONS).map(([code, text]) => ({ code, text, items: choices([['yes', 'Yes'], ['no', 'No']], list(check[`symptom-${code}`])) })),
      decision: choices([['give', 'Give the dose'], ['do-not-give', 'Do not give the dose']], list(check.decision)),
      decisionReason: s(check.decisionReason),
    },
    dose: {
      drugs: (p.prescription?.doses ?? []).map((d, i) => ({ i, drug: d.drug, label: `${drugName(d.drug)} dose given`, value: s(dose[`dose-${i}`]) })),
      route: p.prescription?.route ?? '',
      site: s(dose.site),
      givenOn: s(dose.givenOn) || today,
      startTime: s(dose.startTime),
      endTime: s(dose.endTime),
      batch: s(dose.batch),
      expiry: s(dose.expiry),
      observationCompleted: choices([['yes', `The observation period (${p.prescription?.observationMinutes ?? 0} minutes) was completed`]], list(dose.observationCompleted)),
      anaphylaxisKitConfirmed: choices([['yes', 'The anaphylaxis kit is with me and in date']], list(dose.anaphylaxisKitConfirmed)),
    },
    notGiven: { reasons: choices(Object.entries(NOT_GIVEN_REASONS), list(v('notGiven').reasonCode)), note: s(v('notGiven').note) },
    reaction: {
      grades: choices(Object.entries(CTCAE_GRADES), list(v('reaction').grade)),
      description: s(v('reaction').description),
      actions: choices(REACTION_ACTIONS.map((a) => [a, REACTION_ACTION_LABELS[a]]), list(v('reaction').actions)),
    },
    incident: {
      kinds: choices(INCIDENT_KINDS.map((k) => [k, INCIDENT_LABELS[k]]), list(v('incident').kind)),
      severities: choices(INCIDENT_SEVERITIES.map((k) => [k, SEVERITY_LABELS[k]]), list(v('incident').severity)),
      description: s(v('incident').description),
    },
  };
}
