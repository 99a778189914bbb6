/**
 * The home-pathway episode as a state machine (one patient, one regimen). Pure: the service loads the episode,
 * asks `transition` what the event does, and writes the new state with its history row.
 */

export const EPISODE_STATES = [
  'identified',
  'suitable',
  'not-suitable',
  'offered',
  'accepted',
  'declined',
  'undecided',
  'referred',
  'provider-accepted',
  'provider-declined',
  'consented',
  'active-at-home',
  'returned-to-hospital',
  'completed',
  'discontinued',
] as const;
export type EpisodeState = (typeof EPISODE_STATES)[number];

export const EPISODE_EVENTS = [
  'assess',
  'offer',
  'accept',
  'decline',
  'undecided',
  'refer',
  'provider-accept',
  'provider-decline',
  'consent',
  'start-home',
  'return-to-hospital',
  'withdraw-consent',
  'complete',
  'discontinue',
] as const;
export type EpisodeEvent = (typeof EPISODE_EVENTS)[number];

/** Reasons a patient declines home treatment (spec §4.3). */
export const DECLINE_REASONS = {
  PREFERS_HOSPITAL_SUPPORT: 'Prefers the support of the hospital unit',
  SAFETY_CONCERN_AT_HOME: 'Concerned about safety at home',
  WANTS_CONTACT_WITH_OTHER_PATIENTS: 'Wants contact with other patients',
  HOME_PRIVACY_OR_FAMILY: 'Privacy or family reasons at home',
  HOME_ENVIRONMENT_UNSUITABLE: 'Home environment unsuitable',
  COMBINED_WITH_IV_CHEMO_IN_HOSPITAL: 'Combined with IV chemotherapy in hospital',
  OUT_OF_AREA: 'Outside the provider’s area',
  CLINICALLY_UNSUITABLE: 'Clinically unsuitable',
  OTHER: 'Other',
} as const;
export type DeclineReason = keyof typeof DECLINE_REASONS;

/** Reasons for going back to hospital treatment (the pathway issue's coded list). */
export const RETURN_REASONS = {
  PATIENT_CHOICE: 'Patient choice',
  CLINICAL: 'Clinical reason',
  LVEF: 'LVEF (cardiac monitoring)',
  REACTION: 'Reaction to treatment',
  PROVIDER_CAPACITY: 'Provider capacity',
  OTHER: 'Other',
} as const;
export type ReturnReason = keyof typeof RETURN_REASONS;

const TERMINAL: EpisodeState[] = ['completed', 'discontinued'];

/** For each event: the states it may start from, and where it leads (a function when the outcome decides). */
const TABLE: Record<EpisodeEvent, { from: EpisodeState[]; to: EpisodeState | ((e: EventData) => EpisodeState) }> = {
  assess: { from: ['identified', 'suitable', 'not-suitable', 'declined'], to: (e) => (e.suitable ? 'suitable' : 'not-suitable') },
  // A patient who declined can be offered again later.
  offer: { from: ['suitable', 'declined', 'undecided'], to: 'offered' },
  accept: { from: ['offered', 'undecided'], to: 'accepted' },
  decline: { from: ['offered', 'undecided'], to: 'declined' },
  undecided: { from: ['offered'], to: 'undecided' },
  // A returned patient can be re-referred; a provider's refusal can be followed by a new referral.
  refer: { from: ['accepted', 'provider-declined', 'returned-to-hospital'], to: 'referred' },
  'provider-accept': { from: ['referred'], to: 'provider-accepted' },
  'provider-decline': { from: ['referred'], to: 'provider-declined' },
  consent: { from: ['provider-accepted'], to: 'consented' },
  'start-home': { from: ['consented'], to: 'active-at-home' },
  // The patient may go back to hospital at any time once the home pathway has begun.
  'return-to-hospital': { from: ['referred', 'provider-accepted', 'consented', 'active-at-home'], to: 'returned-to-hospital' },
  // Withdrawing consent (to treatment at home or to sharing data with the provider) ends the home pathway.
  'withdraw-consent': { from: ['consented', 'active-at-home'], to: 'returned-to-hospital' },
  complete: { from: ['active-at-home'], to: 'completed' },
  discontinue: { from: EPISODE_STATES.filter((s) => !TERMINAL.includes(s)), to: 'discontinued' },
};

export interface EventData {
  suitable?: boolean;
}

export type TransitionResult = { ok: true; to: EpisodeState } | { ok: false; allowed: EpisodeEvent[]; message: string };

/** Events that may happen next from a state. */
export function allowedEvents(state: EpisodeState): EpisodeEvent[] {
  return EPISODE_EVENTS.filter((e) => TABLE[e].from.includes(state));
}

export const EVENT_LABELS: Record<EpisodeEvent, string> = {
  assess: 'record suitability',
  offer: 'offer home treatment',
  accept: 'record acceptance',
  decline: 'record a decline',
  undecided: 'record undecided',
  refer: 'refer to the provider',
  'provider-accept': 'accept the referral',
  'provider-decline': 'decline the referral',
  consent: 'record consent',
  'start-home': 'start treatment at home',
  'return-to-hospital': 'return to hospital treatment',
  'withdraw-consent': 'record that consent is withdrawn',
  complete: 'complete the episode',
  discontinue: 'discontinue the episode',
};

/** What an event does from a state: the next state, or why not and what is allowed instead. */
export function transition(state: EpisodeState, event: EpisodeEvent, data: EventData = {}): TransitionResult {
  const rule = TABLE[event];
  if (!rule.from.includes(state)) {
    const allowed = allowedEvents(state);
    const list = allowed.map((a) => EVENT_LABELS[a]).join(', ');
    return {
      ok: false,
      allowed,
      message: `You cannot ${EVENT_LABELS[event]} while the episode is ${state.replace(/-/g, ' ')}. ${allowed.length ? `You can: ${list}.` : 'The episode has ended.'}`,
    };
  }
  return { ok: true, to: typeof rule.to === 'function' ? rule.to(data) : rule.to };
}
