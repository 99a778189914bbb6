/**
 * The per-cycle prescription as a state machine (spec §6.2; rules 7, 23–25, 28). Pure: the service loads the
 * prescription, asks `transitionPrescription` whether this person may do this now, and writes the new state.
 * The spec's names are used: "verified" is the pharmacist's clinical screening, "transmitted" is release to the provider.
 */
import { ROLE_LABELS, ROLE_ORG_KIND, type Role } from '../access/roles.ts';
import { addDays, type IsoDate } from './dates.ts';
import type { RegimenDefinition } from './regimen.ts';

export const PRESCRIPTION_STATES = ['draft', 'signed', 'verified', 'transmitted', 'delivered', 'administered', 'not-given', 'on-hold', 'cancelled', 'expired', 'entered-in-error'] as const;
export type PrescriptionState = (typeof PRESCRIPTION_STATES)[number];

export const PRESCRIPTION_EVENTS = ['sign', 'verify', 'transmit', 'deliver', 'administer', 'administer-in-hospital', 'not-given', 'not-given-in-hospital', 'hold', 'resume', 'cancel', 'expire', 'enter-in-error'] as const;
export type PrescriptionEvent = (typeof PRESCRIPTION_EVENTS)[number];

/** Facts the service establishes before a step; a step needing one goes ahead only when it is `true`. */
export interface PrescriptionChecks {
  weightInDate?: boolean;
  /** The LVEF dose gate (gate-rules.ts) allows this dose. */
  lvefClear?: boolean;
  consentOnFile?: boolean;
  regimenActive?: boolean;
  homeEligible?: boolean;
  coldChainOk?: boolean;
  withinValidity?: boolean;
  doseMatchesVerified?: boolean;
  /** The nurse confirmed the emergency kit with adrenaline 1 mg/mL is present, or the regimen needs none (rule 11). */
  anaphylaxisKitReady?: boolean;
  pastValidity?: boolean;
}
type Check = keyof PrescriptionChecks;

const CHECK_MESSAGES: Record<Check, string> = {
  weightInDate: 'record a weight taken recently enough for this regimen',
  lvefClear: 'the cardiac (LVEF) checks must allow this dose',
  consentOnFile: 'record the patient’s consent to this treatment',
  regimenActive: 'the regimen must be active',
  homeEligible: 'the patient must still meet the home treatment checklist',
  coldChainOk: 'record cold-chain evidence within limits',
  withinValidity: 'the date must be within the prescription’s valid dates',
  doseMatchesVerified: 'the dose on the label must match the verified prescription',
  anaphylaxisKitReady: 'confirm the anaphylaxis kit, with adrenaline 1 mg/mL, is present',
  pastValidity: 'the prescription must be past its last valid day',
};

export type Actor = { userId: string; role: Role | 'system' };

interface Step {
  from: readonly PrescriptionState[];
  to: PrescriptionState | 'held-from';
  by: readonly (Role | 'system')[];
  checks: readonly Check[];
}

const OPEN = ['signed', 'verified', 'transmitted', 'delivered', 'on-hold'] as const;

const TABLE: Record<PrescriptionEvent, Step> = {
  sign: { from: ['draft'], to: 'signed', by: ['trust-prescriber'], checks: ['weightInDate', 'lvefClear', 'consentOnFile', 'regimenActive'] },
  // Rule 23: pharmacist by default; a Trust enabling other competent professionals would add their role here.
  verify: { from: ['signed'], to: 'verified', by: ['trust-pharmacist'], checks: [] },
  transmit: { from: ['verified'], to: 'transmitted', by: ['trust-pharmacist', 'system'], checks: ['homeEligible', 'lvefClear'] },
  deliver: { from: ['transmitted'], to: 'delivered', by: ['provider-pharmacist'], checks: ['coldChainOk'] },
  administer: { from: ['delivered'], to: 'administered', by: ['provider-nurse'], checks: ['withinValidity', 'doseMatchesVerified', 'lvefClear', 'anaphylaxisKitReady'] },
  // Cycles the regimen gives in hospital first never go to the provider: the Trust's nurse records them.
  'administer-in-hospital': { from: ['verified'], to: 'administered', by: ['trust-nurse'], checks: ['withinValidity', 'doseMatchesVerified', 'lvefClear', 'anaphylaxisKitReady'] },
  // A visit without the dose ends this prescription; the cycle is re-planned through a deferral and a new prescription.
  'not-given': { from: ['transmitted', 'delivered'], to: 'not-given', by: ['provider-nurse'], checks: [] },
  'not-given-in-hospital': { from: ['verified'], to: 'not-given', by: ['trust-nurse'], checks: [] },
  // The system holds open prescriptions when an LVEF result suspends treatment (rule 18).
  hold: { from: ['signed', 'verified', 'transmitted', 'delivered'], to: 'on-hold', by: ['trust-prescriber', 'system'], checks: [] },
  // Never automatic (rule 19): only a prescriber resumes, back to where the prescription was held.
  resume: { from: ['on-hold'], to: 'held-from', by: ['trust-prescriber'], checks: ['withinValidity', 'lvefClear'] },
  cancel: { from: ['draft', ...OPEN], to: 'cancelled', by: ['trust-prescriber', 'trust-pharmacist'], checks: [] },
  expire: { from: OPEN, to: 'expired', by: ['system'], checks: ['pastValidity'] },
  'enter-in-error': { from: ['draft', ...OPEN], to: 'entered-in-error', by: ['trust-prescriber', 'admin'], checks: [] },
};

export const EVENT_LABELS: Record<PrescriptionEvent, string> = {
  sign: 'sign the prescription',
  verify: 'verify (clinically screen) the prescription',
  transmit: 'send the prescription to the provider',
  deliver: 'record it as dispensed and delivered',
  administer: 'record the dose as given',
  'administer-in-hospital': 'record the dose as given in hospital',
  'not-given': 'record the dose as not given',
  'not-given-in-hospital': 'record the hospital dose as not given',
  hold: 'put the prescription on hold',
  resume: 'take the prescription off hold',
  cancel: 'cancel the prescription',
  expire: 'mark the prescription expired',
  'enter-in-error': 'mark the prescription as entered in error',
};

const STATE_LABELS: Record<PrescriptionState, string> = {
  draft: 'a draft',
  signed: 'signed',
  verified: 'verified',
  transmitted: 'with the provider',
  delivered: 'dispensed and delivered',
  administered: 'given',
  'not-given': 'recorded as not given',
  'on-hold': 'on hold',
  cancelled: 'cancelled',
  expired: 'expired',
  'entered-in-error': 'entered in error',
};

/** The states in which a home-care provider may see and act on a prescription: after release to it. */
export const RELEASED_STATES: readonly PrescriptionState[] = ['transmitted', 'delivered', 'administered', 'not-given'];

export interface PrescriptionRecord {
  state: PrescriptionState;
  signedBy: string | null;
  /** The state it was held from, so taking it off hold returns it there. */
  heldFrom: PrescriptionState | null;
}

export type PrescriptionTransition =
  | { ok: true; to: PrescriptionState }
  | { ok: false; reason: 'wrong-state' | 'not-released' | 'wrong-role' | 'same-person' | 'checks'; allowed: PrescriptionEvent[]; message: string };

/** Events that may happen next from a state (whoever the actor). */
export function allowedPrescriptionEvents(state: PrescriptionState): PrescriptionEvent[] {
  return PRESCRIPTION_EVENTS.filter((e) => TABLE[e].from.includes(state));
}

const orgKind = (a: Actor) => (a.role === 'system' ? 'system' : ROLE_ORG_KIND[a.role]);

/**
 * What `event` by `actor` does to a prescription: its new state, or why not in plain words (naming what is allowed).
 * Checked in order: the provider only acts on released prescriptions; the step must be allowed from this state; by this
 * role; the verifier must not be the signer (rule 24); and the step's checks must have passed.
 */
export function transitionPrescription(rx: PrescriptionRecord, event: PrescriptionEvent, actor: Actor, checks: PrescriptionChecks = {}): PrescriptionTransition {
  const step = TABLE[event];
  const allowed = allowedPrescriptionEvents(rx.state);
  const refuse = (reason: Exclude<PrescriptionTransition, { ok: true }>['reason'], message: string): PrescriptionTransition => ({ ok: false, reason, allowed, message });
  if (orgKind(actor) === 'provider' && !RELEASED_STATES.includes(rx.state)) {
    return refuse(
      'not-released',
      rx.state === 'on-hold'
        ? 'This prescription is on hold: do not give it. The provider can act on it again only when the Trust takes it off hold.'
        : 'A home-care provider can act on a prescription only after the Trust has verified it and sent it to them.',
    );
  }
  if (!step.from.includes(rx.state)) {
    const next = allowed.length ? `You can: ${allowed.map((a) => EVENT_LABELS[a]).join(', ')}.` : 'No further step is possible.';
    return refuse('wrong-state', `You cannot ${EVENT_LABELS[event]} while it is ${STATE_LABELS[rx.state]}. ${next}`);
  }
  if (!step.by.includes(actor.role)) {
    const who = step.by.map((r) => (r === 'system' ? 'the system' : `a ${ROLE_LABELS[r].replace(/^(Provider|System)/, (w) => w.toLowerCase())}`)).join(' or ');
    return refuse('wrong-role', `Only ${who} can ${EVENT_LABELS[event]}.`);
  }
  if (event === 'verify' && rx.signedBy !== null && rx.signedBy === actor.userId) {
    return refuse('same-person', 'You signed this prescription, so you cannot verify it: another pharmacist must screen it.');
  }
  const failed = step.checks.filter((c) => checks[c] !== true);
  if (failed.length) return refuse('checks', `You cannot ${EVENT_LABELS[event]} yet: ${failed.map((c) => CHECK_MESSAGES[c]).join('; ')}.`);
  if (step.to === 'held-from') {
    if (!rx.heldFrom || !TABLE.hold.from.includes(rx.heldFrom)) return refuse('wrong-state', 'It is not known where this prescription was held from: cancel it and prescribe again.');
    return { ok: true, to: rx.heldFrom };
  }
  return { ok: true, to: step.to };
}

/** FHIR R4 MedicationRequest.status for each state (spec §6.2, rule 25). Not given → cancelled: no administration occurred (ASSUMPTION). */
export const FHIR_STATUS: Record<PrescriptionState, 'draft' | 'active' | 'on-hold' | 'completed' | 'cancelled' | 'stopped' | 'entered-in-error'> = {
  draft: 'draft',
  signed: 'active',
  verified: 'active',
  transmitted: 'active',
  delivered: 'active',
  administered: 'completed',
  'not-given': 'cancelled',
  'on-hold': 'on-hold',
  cancelled: 'cancelled',
  expired: 'stopped',
  'entered-in-error': 'entered-in-error',
};

/** UK Core PharmacistVerifiedIndicator: true once a pharmacist has verified it (for a held one, if it was held after that). */
export function pharmacistVerified(rx: Pick<PrescriptionRecord, 'state' | 'heldFrom'>): boolean {
  const state = rx.state === 'on-hold' ? rx.heldFrom : rx.state;
  return state === 'verified' || state === 'transmitted' || state === 'delivered' || state === 'administered';
}

/** The dates a cycle's prescription may be given (spec §5.1, ASSUMPTION): from the due date to due + the regimen's days. */
export function validityWindow(def: RegimenDefinition, dueDate: IsoDate): { validFrom: IsoDate; validTo: IsoDate } {
  return { validFrom: dueDate, validTo: addDays(dueDate, def.validDaysAfterDue) };
}

/** True when `date` falls in the window, both ends included (rule 28). */
export function withinValidity(window: { validFrom: IsoDate; validTo: IsoDate }, date: IsoDate): boolean {
  return date >= window.validFrom && date <= window.validTo;
}
