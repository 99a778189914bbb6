/** The words the nurse's pages use for the visit record's codes. */
import type { INCIDENT_KINDS, INCIDENT_SEVERITIES, REACTION_ACTIONS, VisitStatus } from './schema.ts';

export const REACTION_ACTION_LABELS: Record<(typeof REACTION_ACTIONS)[number], string> = {
  INFUSION_STOPPED: 'Infusion stopped',
  INFUSION_SLOWED: 'Infusion slowed',
  ANTIHISTAMINE: 'Antihistamine given',
  HYDROCORTISONE: 'Hydrocortisone given',
  ADRENALINE: 'Adrenaline given',
  OXYGEN: 'Oxygen given',
  AMBULANCE_999: 'Ambulance called (999)',
  OBSERVED: 'Observed only',
};

export const INCIDENT_LABELS: Record<(typeof INCIDENT_KINDS)[number], string> = {
  SPILLAGE: 'Spillage',
  COLD_CHAIN_BREAK: 'Cold chain break',
  DELIVERY_FAILURE: 'Delivery failure',
  NEAR_MISS: 'Near miss',
  OTHER: 'Other',
};

export const SEVERITY_LABELS: Record<(typeof INCIDENT_SEVERITIES)[number], string> = {
  'no-harm': 'No harm',
  low: 'Low harm',
  moderate: 'Moderate harm',
  severe: 'Severe harm',
  death: 'Death',
};

export const VISIT_STATUS_LABELS: Record<VisitStatus, { text: string; tag: string }> = {
  scheduled: { text: 'To do', tag: 'nhsuk-tag--blue' },
  given: { text: 'Dose given', tag: 'nhsuk-tag--green' },
  'not-given': { text: 'Not given', tag: 'nhsuk-tag--orange' },
  cancelled: { text: 'Cancelled', tag: 'nhsuk-tag--grey' },
};

/** The success banner after each recording (the `done` query value → words). */
export const DONE: Record<string, string> = {
  check: 'Checklist recorded',
  dose: 'Dose recorded',
  'not-given': 'Recorded as not given. The Trust has been asked to defer the cycle',
  reaction: 'Reaction recorded',
  'reaction-alert': 'Reaction recorded. The Trust has been alerted and the next dose must be given in hospital until a prescriber reviews it',
  incident: 'Incident recorded. The Trust has been told',
  correction: 'Dose record corrected',
};

/** A prescription's state as the nurse needs to read it. */
export const RX_STATE_LABELS: Record<string, string> = {
  draft: 'not yet released',
  signed: 'not yet released',
  verified: 'not yet released',
  transmitted: 'released, not yet dispensed',
  delivered: 'dispensed and delivered',
  administered: 'given',
  'not-given': 'not given',
  'on-hold': 'on hold',
};
