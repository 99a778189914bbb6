import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { ACTIONS, decide, type Action } from '../src/access/policy.ts';
import { ROLE_ORG_KIND, type Role } from '../src/access/roles.ts';
import { DEFAULT_CHECKLIST } from '../src/pathway/suitability.ts';
import { LETTER_TEMPLATES } from '../src/pathway/letters-rules.ts';
import { DEFAULT_SETTINGS } from '../src/reports/settings.ts';
import { formValues } from '../src/reports/settings-form.ts';
import { buildWorld, nextNhsNumber, PASSWORD, signIn, type Session, type World, REFERRAL_DETAILS, ALL_MET, CONSENT } from './support/world.ts';
import { ok, type Team } from './support/prescribing.ts';

/**
 * The authorisation matrix, generated from the policy table (RG-01): every role (at Trust A, Trust B and the
 * provider, plus commissioner, network and administrator) × every route × each target organisation's record.
 * Expected results come from `decide` and the scope rules; a new route without a case here fails the inventory test.
 */

type Target = 'A' | 'B' | 'C' | 'own' | 'other' | '-';
type Scope = 'none' | 'patient' | 'own-user' | 'trust-only';
interface Built {
  url: string;
  payload?: Record<string, unknown> | string;
  form?: boolean;
  /** Sends `payload` as it is with this content type (a CSV file, a file upload) rather than as JSON or a form. */
  contentType?: string;
  cookies?: string;
  fresh?: boolean;
}
interface Case {
  scope: Scope;
  build: (ctx: { target: Target; n: number; actor: Actor }) => Promise<Built>;
  /**
   * Roles the policy grants this route's action whom the service nevertheless refuses with 403 on every record of
   * their own organisation: a known mismatch between the policy table and the service, written down here with why
   * (and reported) rather than hidden. Delete the entry once the policy or the service is changed.
   */
  serviceRefuses?: { roles: Role[]; why: string };
}
interface Actor {
  username: string | null;
  role?: Role;
  trust?: 'A' | 'B';
}

let w: World;
let admin: Session;
const ids: Record<string, string> = {};
let n = 0;

const TRUST_ODS = { A: 'RX1', B: 'RX2', C: 'RX3' } as const;

/** A patient of a Trust, registered (and optionally referred) through the API as that Trust's nurse. */
async function freshPatient(trust: 'A' | 'B' | 'C', refer = false): Promise<string> {
  const nurse = await helperSession(trust === 'A' ? 'trust-nurse-helper-a' : `trust-nurse-helper-${trust.toLowerCase()}`);
  const res = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Test', familyName: `Matrix${trust}`, dateOfBirth: '1970-01-01' } });
  assert.equal(res.statusCode, 201, res.body);
  const id = (res.json() as { id: string }).id;
  void refer;
  return id;
}

/** An episode of a Trust's patient, opened (and optionally taken through to a referral) by that Trust's nurse. */
async function freshEpisode(trust: 'A' | 'B' | 'C', referred: boolean): Promise<string> {
  const nurse = await helperSession(trust === 'A' ? 'trust-nurse-helper-a' : `trust-nurse-helper-${trust.toLowerCase()}`);
  const patient = await freshPatient(trust, false);
  const ep = await nurse.request({ method: 'POST', url: `/api/v1/patients/${patient}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } });
  assert.equal(ep.statusCode, 201, ep.body);
  const id = (ep.json() as { id: string }).id;
  if (referred) {
    for (const payload of [{ event: 'assess', answers: ALL_MET }, { event: 'offer', offeredOn: '2026-05-20', leafletVersion: 'v1' }, { event: 'accept' }, { event: 'refer', providerId: ids.provider, ...REFERRAL_DETAILS }]) {
      const r = await nurse.request({ method: 'POST', url: `/api/v1/episodes/${id}/events`, payload });
      assert.equal(r.statusCode, 200, r.body);
    }
  }
  return id;
}
const episodeTarget = async (t: Target, referred: boolean) => (t === 'C' ? ids.episodeC! : freshEpisode(t as 'A' | 'B', referred));

// prescribing API fixtures
type TrustKey = 'A' | 'B' | 'C';
/**
 * Trastuzumab IV 3-weekly courses, built through the API as in test/support/prescribing.ts. The clock stays at 1 June
 * 2026: a `home` course starts on 20 April, so cycle 3 (its first home cycle) is due today and its dose can be released,
 * dispensed and given today; a `hospital` course starts today, so cycle 1 (loading) is given today by the Trust's nurse.
 */
const COURSES = {
  home: { startDate: '2026-04-20', baseline: { on: '2026-04-13', percent: 62 }, cycle: 3 },
  hospital: { startDate: '2026-06-01', baseline: { on: '2026-05-25', percent: 62 }, cycle: 1 },
} as const;
/** The dose of that cycle at 70 kg: maintenance 6 mg/kg at home, loading 8 mg/kg in hospital. */
const DOSE_MG = { home: 420, hospital: 560 } as const;
const DELIVERY = { event: 'deliver', batch: 'MATRIX1', expiry: '2027-01-31', coldChainConfirmed: true, deliveredOn: '2026-06-01' } as const;

/** A helper of `role` at `orgId`, created once, kept apart from the actors under test. */
async function rxHelper(role: Role, orgId: string, suffix: string): Promise<Session> {
  const username = `rx-helper-${role}-${suffix}`;
  if (!helpers.has(username)) {
    const res = await admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username, displayName: `Helper ${role}`, password: PASSWORD, orgId, role } });
    assert.equal(res.statusCode, 201, res.body);
  }
  return helperSession(username);
}
const rxTeams = new Map<TrustKey, Team>();
/** A Trust's helper nurse, prescriber and pharmacist, with the provider's coordinator, pharmacist and nurse. */
async function rxTeam(trust: TrustKey): Promise<Team> {
  let team = rxTeams.get(trust);
  if (!team) {
    const s = trust.toLowerCase();
    team = {
      nurse: await helperSession(`trust-nurse-helper-${s}`),
      prescriber: await rxHelper('trust-prescriber', ids[trust]!, s),
      pharmacist: await rxHelper('trust-pharmacist', ids[trust]!, s),
      coordinator: await helperSession('provider-coordinator'),
      providerPharmacist: await rxHelper('provider-pharmacist', ids.provider!, 'provider'),
      providerNurse: await rxHelper('provider-nurse', ids.provider!, 'provider'),
    };
    rxTeams.set(trust, team);
  }
  return team;
}

const lvefResult = async (t: Team, courseId: string, percent: number, measuredOn = '2026-06-01') =>
  (await ok<{ id: string }>(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${courseId}/lvef`, payload: { measuredOn, method: 'echo', percent, reportingClinician: 'Dr Matrix' } }), 201)).id;

/** Consent on the form versions in use now: the matrix's consent-form cases add data-sharing versions, which replace the built-in one. */
async function consentNow() {
  const { forms } = (await admin.request({ method: 'GET', url: '/api/v1/admin/consent-forms' })).json() as { forms: { kind: string; version: string; active: boolean }[] };
  const inUse = (kind: string) => forms.find((f) => f.kind === kind && f.active)!.version;
  return { ...CONSENT, homeTreatmentForm: inUse('home-treatment'), dataSharingForm: inUse('data-sharing') };
}

/**
 * A patient of `trust` referred to and accepted by the provider, consented, at home, on a course with its baseline LVEF
 * assessed and a weight of 70 kg today (the flow of patientOnCourse in test/support/prescribing.ts, on today's consent forms).
 */
async function freshCourse(trust: TrustKey, place: keyof typeof COURSES = 'home') {
  const t = await rxTeam(trust);
  const { startDate, baseline, cycle } = COURSES[place];
  const episodeId = await freshEpisode(trust, true);
  await ok(t.coordinator.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/referral-response`, payload: { decision: 'accept' } }));
  for (const payload of [await consentNow(), { event: 'start-home' }]) await ok(t.nurse.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/events`, payload }));
  const course = await ok<{ id: string; schedule: { id: string; cycle: number }[] }>(t.prescriber.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/course`, payload: { startDate } }), 201);
  await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${await lvefResult(t, course.id, baseline.percent, baseline.on)}/assessment`, payload: {} }));
  await ok(t.nurse.request({ method: 'POST', url: `/api/v1/courses/${course.id}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-01' } }), 201);
  return { episodeId, courseId: course.id, cycleId: course.schedule.find((c) => c.cycle === cycle)!.id };
}

/** An LVEF result on a fresh course, awaiting a prescriber's assessment. */
async function freshLvef(trust: TrustKey): Promise<string> {
  return lvefResult(await rxTeam(trust), (await freshCourse(trust)).courseId, 60);
}

/** A course suspended by an LVEF of 49% (baseline 62%), with a newer assessed result of 58%: a prescriber may resume it. */
async function freshSuspendedCourse(trust: TrustKey): Promise<string> {
  const t = await rxTeam(trust);
  const { courseId } = await freshCourse(trust);
  for (const percent of [49, 58]) await ok(t.prescriber.request({ method: 'POST', url: `/api/v1/lvef/${await lvefResult(t, courseId, percent)}/assessment`, payload: {} }));
  assert.equal((await ok<{ status: string }>(t.prescriber.request({ method: 'GET', url: `/api/v1/courses/${courseId}` }))).status, 'suspended');
  return courseId;
}

const RX_STATES = ['draft', 'signed', 'verified', 'transmitted', 'delivered'] as const;
/**
 * The prescription for a fresh course's cycle, taken to `state` by the helpers: written and signed by the prescriber,
 * verified and released by the pharmacist, dispensed by the provider's pharmacist. With `awaitingLvef`, an LVEF result
 * awaiting assessment is then recorded, so the cardiac gate blocks the dose until a prescriber overrides it.
 */
async function freshPrescription(trust: TrustKey, state: (typeof RX_STATES)[number], place: keyof typeof COURSES = 'home', awaitingLvef = false): Promise<string> {
  const t = await rxTeam(trust);
  const c = await freshCourse(trust, place);
  const { id } = await ok<{ id: string }>(t.prescriber.request({ method: 'POST', url: `/api/v1/cycles/${c.cycleId}/prescriptions` }), 201);
  const steps = [
    [t.prescriber, 'prescriber-steps', { event: 'sign' }],
    [t.pharmacist, 'pharmacy-steps', { event: 'verify' }],
    [t.pharmacist, 'pharmacy-steps', { event: 'transmit' }],
    [t.providerPharmacist, 'dispensing', DELIVERY],
  ] as const;
  for (const [s, path, payload] of steps.slice(0, RX_STATES.indexOf(state))) await ok(s.request({ method: 'POST', url: `/api/v1/prescriptions/${id}/${path}`, payload }));
  if (awaitingLvef) await lvefResult(t, c.courseId, 60);
  return id;
}

/** Every kind of record the prescribing API cases act on. */
const RX_RECORDS = {
  episode: (t: TrustKey) => freshEpisode(t, true),
  course: (t: TrustKey) => freshCourse(t),
  lvef: freshLvef,
  suspended: freshSuspendedCourse,
  draft: (t: TrustKey) => freshPrescription(t, 'draft'),
  signed: (t: TrustKey) => freshPrescription(t, 'signed'),
  transmitted: (t: TrustKey) => freshPrescription(t, 'transmitted'),
  delivered: (t: TrustKey) => freshPrescription(t, 'delivered'),
  hospitalVerified: (t: TrustKey) => freshPrescription(t, 'verified', 'hospital'),
  gateBlocked: (t: TrustKey) => freshPrescription(t, 'draft', 'home', true),
};
type RxKind = keyof typeof RX_RECORDS;
type RxRecord<K extends RxKind> = Awaited<ReturnType<(typeof RX_RECORDS)[K]>>;
const sharedRx = new Map<string, Promise<unknown>>();
/**
 * One record of each kind per Trust for reads and for attempts that must fail (another organisation's record, or a
 * role without the action), each still in a state where the action would succeed, so a missing check shows as an
 * unexpected allow. Trust C's are built in `before`, while its agreement with the provider is still active.
 */
function sharedRecord<K extends RxKind>(kind: K, trust: TrustKey): Promise<RxRecord<K>> {
  const key = `${kind}:${trust}`;
  if (!sharedRx.has(key)) sharedRx.set(key, RX_RECORDS[kind](trust));
  return sharedRx.get(key) as Promise<RxRecord<K>>;
}
/**
 * The record for an attempt that changes state: a fresh one whenever the matrix expects it to succeed (every
 * prescribing API case has scope 'patient'), so one role's success never spoils another's attempt.
 */
function rxRecord<K extends RxKind>(kind: K, action: Action, { actor, target }: { actor: Actor; target: Target }): Promise<RxRecord<K>> {
  const trust = target as TrustKey;
  return expected(actor, action, 'patient', target) === 'ok' ? (RX_RECORDS[kind](trust) as Promise<RxRecord<K>>) : sharedRecord(kind, trust);
}

async function freshAgreement(): Promise<string> {
  const res = await admin.request({ method: 'POST', url: '/api/v1/admin/agreements', payload: { trustId: ids.A, providerId: ids.provider, reference: `M-${n++}`, startsOn: '2026-01-01' } });
  return (res.json() as { id: string }).id;
}

async function tokenFor(actor: Actor, target: Target): Promise<string> {
  const owner = target === 'own' ? actor.username! : actor.username === 'network-lead' ? 'commissioner' : 'network-lead';
  const s = target === 'own' ? await actorSession(owner) : await helperSession(owner);
  return ((await s.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'matrix' } })).json() as { id: string }).id;
}

/** One live session per actor for the whole run (a person may hold only 3 at once). */
const sessions = new Map<string, Session>();
async function actorSession(username: string): Promise<Session> {
  let s = sessions.get(username);
  if (!s) {
    s = await signIn(w.app, username);
    sessions.set(username, s);
  }
  return s;
}

/** Sessions of users who set up the world, kept apart from the actors' own sessions. */
const helpers = new Map<string, Session>();
async function helperSession(username: string): Promise<Session> {
  const existing = helpers.get(username);
  if (existing) return existing;
  if (username.startsWith('trust-nurse-helper-')) {
    const trust = username.slice(-1).toUpperCase() as 'A' | 'B' | 'C';
    await admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username, displayName: 'Helper Nurse', password: PASSWORD, orgId: ids[trust], role: 'trust-nurse' } });
  }
  const s = await signIn(w.app, username);
  helpers.set(username, s);
  return s;
}

const patientTarget = (t: Target) => ids[`patient${t}`]!;
const ods = () => `ZM${String(n++).padStart(4, '0')}`;

/** A new data-sharing form version each time (a version label is never reused). */
const consentFormInput = () => ({ kind: 'data-sharing', version: `DS-M${n++}`, title: 'Matrix data-sharing form', summary: 'Matrix wording' });
/** A version that may be retired: another version of the same form stays in use. */
async function retirableConsentForm(): Promise<string> {
  const retiring = await admin.request({ method: 'POST', url: '/api/v1/admin/consent-forms', payload: consentFormInput() });
  await admin.request({ method: 'POST', url: '/api/v1/admin/consent-forms', payload: consentFormInput() });
  return (retiring.json() as { id: string }).id;
}

/** The built-in completion letter's wording, saved again as a new version (what the admin routes accept). */
const completionWording = { subject: LETTER_TEMPLATES.completion.subject, body: LETTER_TEMPLATES.completion.body };

const CASES: Record<string, Case> = {
  'GET /sign-in': { scope: 'none', build: async () => ({ url: '/sign-in' }) },
  'POST /sign-in': {
    scope: 'none',
    build: async () => {
      const page = await w.app.inject({ method: 'GET', url: '/sign-in' });
      const token = page.cookies.find((c) => c.name === 'homeward_signin')!.value;
      return { url: '/sign-in', form: true, cookies: `homeward_signin=${token}`, payload: { username: 'nobody', password: 'wrong-password', _signin: token } };
    },
  },
  'POST /sign-out': { scope: 'none', build: async () => ({ url: '/sign-out', fresh: true }) },
  'POST /api/v1/auth/sign-in': { scope: 'none', build: async () => ({ url: '/api/v1/auth/sign-in', payload: { username: 'nobody', password: 'wrong-password' } }) },
  'POST /api/v1/auth/sign-out': { scope: 'none', build: async () => ({ url: '/api/v1/auth/sign-out', fresh: true }) },
  'GET /api/v1/auth/session': { scope: 'none', build: async () => ({ url: '/api/v1/auth/session' }) },
  'GET /api/v1/auth/tokens': { scope: 'none', build: async () => ({ url: '/api/v1/auth/tokens' }) },
  'POST /api/v1/auth/tokens': { scope: 'none', build: async () => ({ url: '/api/v1/auth/tokens', payload: { name: 'matrix' } }) },
  'DELETE /api/v1/auth/tokens/:id': { scope: 'own-user', build: async ({ actor, target }) => ({ url: `/api/v1/auth/tokens/${actor.username ? await tokenFor(actor, target) : ids.someToken}` }) },
  'GET /account/tokens': { scope: 'none', build: async () => ({ url: '/account/tokens' }) },
  'POST /account/tokens': { scope: 'none', build: async () => ({ url: '/account/tokens', form: true, payload: { name: 'matrix' } }) },
  'POST /account/tokens/:id/revoke': { scope: 'own-user', build: async ({ actor, target }) => ({ url: `/account/tokens/${actor.username ? await tokenFor(actor, target) : ids.someToken}/revoke`, form: true, payload: {} }) },
  'GET /health': { scope: 'none', build: async () => ({ url: '/health' }) },
  'GET /': { scope: 'none', build: async () => ({ url: '/' }) },
  'GET /api/v1/admin/organisations': { scope: 'none', build: async () => ({ url: '/api/v1/admin/organisations' }) },
  'POST /api/v1/admin/organisations': { scope: 'none', build: async () => ({ url: '/api/v1/admin/organisations', payload: { kind: 'provider', odsCode: ods(), name: 'Matrix provider' } }) },
  'GET /api/v1/admin/organisations/:id': { scope: 'none', build: async () => ({ url: `/api/v1/admin/organisations/${ids.A}` }) },
  'PATCH /api/v1/admin/organisations/:id': { scope: 'none', build: async () => ({ url: `/api/v1/admin/organisations/${ids.spareOrg}`, payload: { name: 'Matrix spare organisation' } }) },
  'POST /api/v1/admin/units': { scope: 'none', build: async () => ({ url: '/api/v1/admin/units', payload: { trustId: ids.A, code: ods(), name: 'Matrix unit' } }) },
  'GET /api/v1/admin/agreements': { scope: 'none', build: async () => ({ url: '/api/v1/admin/agreements' }) },
  'POST /api/v1/admin/agreements': { scope: 'none', build: async () => ({ url: '/api/v1/admin/agreements', payload: { trustId: ids.A, providerId: ids.provider, reference: `M-${n++}`, startsOn: '2026-01-01' } }) },
  'POST /api/v1/admin/agreements/:id/end': { scope: 'none', build: async () => ({ url: `/api/v1/admin/agreements/${await freshAgreement()}/end`, payload: { reason: 'Matrix test' } }) },
  'GET /admin/organisations': { scope: 'none', build: async () => ({ url: '/admin/organisations' }) },
  'POST /admin/organisations': { scope: 'none', build: async () => ({ url: '/admin/organisations', form: true, payload: { kind: 'provider', odsCode: ods(), name: 'Matrix provider' } }) },
  'GET /admin/organisations/:id': { scope: 'none', build: async () => ({ url: `/admin/organisations/${ids.A}` }) },
  'POST /admin/organisations/:id': { scope: 'none', build: async () => ({ url: `/admin/organisations/${ids.spareOrg}`, form: true, payload: { name: 'Matrix spare organisation', active: 'yes' } }) },
  'POST /admin/organisations/:id/units': { scope: 'none', build: async () => ({ url: `/admin/organisations/${ids.A}/units`, form: true, payload: { code: ods(), name: 'Matrix unit' } }) },
  'GET /admin/agreements': { scope: 'none', build: async () => ({ url: '/admin/agreements' }) },
  'POST /admin/agreements': { scope: 'none', build: async () => ({ url: '/admin/agreements', form: true, payload: { trustId: ids.A, providerId: ids.provider, reference: `M-${n++}`, startsOn: '2026-01-01' } }) },
  'POST /admin/agreements/:id/end': { scope: 'none', build: async () => ({ url: `/admin/agreements/${await freshAgreement()}/end`, form: true, payload: { reason: 'Matrix test' } }) },
  'GET /api/v1/admin/imd-deciles': { scope: 'none', build: async () => ({ url: '/api/v1/admin/imd-deciles' }) },
  'POST /api/v1/admin/imd-deciles': { scope: 'none', build: async () => ({ url: '/api/v1/admin/imd-deciles?filename=matrix.csv', contentType: 'text/csv', payload: 'Postcode,Decile\nBS1 4DJ,3\n' }) },
  'GET /admin/imd': { scope: 'none', build: async () => ({ url: '/admin/imd' }) },
  'POST /admin/imd': { scope: 'none', build: async () => ({ url: '/admin/imd', contentType: 'multipart/form-data; boundary=matrix', payload: '--matrix\r\nContent-Disposition: form-data; name="file"; filename="matrix.csv"\r\nContent-Type: text/csv\r\n\r\nPostcode,Decile\nBS1 4DJ,3\n\r\n--matrix--\r\n' }) },
  'GET /api/v1/admin/users': { scope: 'none', build: async () => ({ url: '/api/v1/admin/users' }) },
  'POST /api/v1/admin/users': { scope: 'none', build: async () => ({ url: '/api/v1/admin/users', payload: { username: `matrix-${n++}`, displayName: 'Matrix User', password: PASSWORD, orgId: ids.A, role: 'trust-nurse' } }) },
  'GET /api/v1/admin/users/:id': { scope: 'none', build: async () => ({ url: `/api/v1/admin/users/${ids.spareUser}` }) },
  'PATCH /api/v1/admin/users/:id': { scope: 'none', build: async () => ({ url: `/api/v1/admin/users/${ids.spareUser}`, payload: { displayName: 'Spare User' } }) },
  'GET /admin/users': { scope: 'none', build: async () => ({ url: '/admin/users' }) },
  'POST /admin/users': { scope: 'none', build: async () => ({ url: '/admin/users', form: true, payload: { username: `matrix-${n++}`, displayName: 'Matrix User', password: PASSWORD, orgId: ids.A, role: 'trust-nurse' } }) },
  'GET /admin/users/:id': { scope: 'none', build: async () => ({ url: `/admin/users/${ids.spareUser}` }) },
  'POST /admin/users/:id': { scope: 'none', build: async () => ({ url: `/admin/users/${ids.spareUser}`, form: true, payload: { displayName: 'Spare User', role: 'trust-nurse', active: 'yes' } }) },
  'GET /api/v1/patients': { scope: 'none', build: async () => ({ url: '/api/v1/patients' }) },
  'POST /api/v1/patients': { scope: 'none', build: async () => ({ url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Matrix', familyName: 'Created', dateOfBirth: '1966-05-05' } }) },
  'GET /api/v1/patients/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/patients/${patientTarget(target)}` }) },
  'GET /patients': { scope: 'none', build: async () => ({ url: '/patients' }) },
  'GET /patients/new': { scope: 'none', build: async () => ({ url: '/patients/new' }) },
  'POST /patients': { scope: 'none', build: async () => ({ url: '/patients', form: true, payload: { nhsNumber: nextNhsNumber(), givenName: 'Matrix', familyName: 'Created', dateOfBirth: '1966-05-05' } }) },
  'GET /patients/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/patients/${patientTarget(target)}` }) },
  'POST /api/v1/patients/:id/episodes': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/patients/${await freshPatient(target as 'A' | 'B' | 'C', false)}/episodes`, payload: { regimen: 'trastuzumab-iv-3-weekly' } }) },
  'GET /api/v1/patients/:id/episodes': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/patients/${patientTarget(target)}/episodes` }) },
  'GET /api/v1/episodes/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/episodes/${ids[`episode${target}`]}` }) },
  'POST /api/v1/episodes/:id/events': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/episodes/${await episodeTarget(target, false)}/events`, payload: { event: 'assess', answers: ALL_MET } }) },
  'POST /api/v1/episodes/:id/referral-response': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/episodes/${await episodeTarget(target, true)}/referral-response`, payload: { decision: 'accept' } }) },
  'POST /patients/:id/episodes': { scope: 'patient', build: async ({ target }) => ({ url: `/patients/${await freshPatient(target as 'A' | 'B' | 'C', false)}/episodes`, form: true, payload: { regimen: 'trastuzumab-iv-3-weekly' } }) },
  'GET /episodes/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/episodes/${ids[`episode${target}`]}` }) },
  'POST /episodes/:id/events': { scope: 'patient', build: async ({ target }) => ({ url: `/episodes/${await episodeTarget(target, false)}/events`, form: true, payload: { event: 'discontinue', note: 'Matrix' } }) },
  'POST /episodes/:id/referral-response': { scope: 'patient', build: async ({ target }) => ({ url: `/episodes/${await episodeTarget(target, true)}/referral-response`, form: true, payload: { decision: 'accept' } }) },
  'GET /api/v1/episodes/:id/letters': { scope: 'trust-only', build: async ({ target }) => ({ url: `/api/v1/episodes/${ids[`episode${target}`]}/letters` }) },
  'GET /api/v1/episodes/:id/letters/:letterId': { scope: 'trust-only', build: async ({ target }) => ({ url: `/api/v1/episodes/${ids[`episode${target}`]}/letters/${ids[`letter${target}`]}` }) },
  // prescribing API
  // The target is a record of a Trust A, B or C patient referred to the provider (C's agreement has ended), from the
  // prescribing API fixtures: reads use the Trust's shared record; a change gets a fresh record when it is expected to
  // succeed (rxRecord), else the shared one. Prescriptions the provider is meant to act on are released to it.
  'POST /api/v1/episodes/:id/course': { scope: 'patient', build: async (x) => ({ url: `/api/v1/episodes/${await rxRecord('episode', 'prescribing:prescribe', x)}/course`, payload: { startDate: '2026-06-03' } }) },
  'GET /api/v1/episodes/:id/course': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/episodes/${(await sharedRecord('course', target as TrustKey)).episodeId}/course` }) },
  'GET /api/v1/courses/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/courses/${(await sharedRecord('course', target as TrustKey)).courseId}` }) },
  'POST /api/v1/courses/:id/weights': { scope: 'patient', build: async (x) => ({ url: `/api/v1/courses/${(await rxRecord('course', 'prescribing:measure', x)).courseId}/weights`, payload: { weightKg: 70, measuredOn: '2026-06-01' } }) },
  'POST /api/v1/courses/:id/lvef': { scope: 'patient', build: async (x) => ({ url: `/api/v1/courses/${(await rxRecord('course', 'prescribing:measure', x)).courseId}/lvef`, payload: { measuredOn: '2026-06-01', method: 'echo', percent: 60, reportingClinician: 'Dr Matrix' } }) },
  'POST /api/v1/lvef/:id/assessment': { scope: 'patient', build: async (x) => ({ url: `/api/v1/lvef/${await rxRecord('lvef', 'prescribing:prescribe', x)}/assessment`, payload: {} }) },
  'POST /api/v1/courses/:id/resume': { scope: 'patient', build: async (x) => ({ url: `/api/v1/courses/${await rxRecord('suspended', 'prescribing:prescribe', x)}/resume`, payload: { reason: 'Matrix: LVEF recovered to 58%' } }) },
  'POST /api/v1/cycles/:id/prescriptions': { scope: 'patient', build: async (x) => ({ url: `/api/v1/cycles/${(await rxRecord('course', 'prescribing:prescribe', x)).cycleId}/prescriptions` }) },
  'POST /api/v1/cycles/:id/deferral': { scope: 'patient', build: async (x) => ({ url: `/api/v1/cycles/${(await rxRecord('course', 'prescribing:prescribe', x)).cycleId}/deferral`, payload: { newDate: '2026-06-05', reasonCode: 'PATIENT_REQUEST' } }) },
  'GET /api/v1/prescriptions/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/prescriptions/${await sharedRecord('transmitted', target as TrustKey)}` }) },
  'POST /api/v1/prescriptions/:id/prescriber-steps': { scope: 'patient', build: async (x) => ({ url: `/api/v1/prescriptions/${await rxRecord('draft', 'prescribing:prescribe', x)}/prescriber-steps`, payload: { event: 'sign' } }) },
  'POST /api/v1/prescriptions/:id/pharmacy-steps': { scope: 'patient', build: async (x) => ({ url: `/api/v1/prescriptions/${await rxRecord('signed', 'prescribing:screen', x)}/pharmacy-steps`, payload: { event: 'verify' } }) },
  'POST /api/v1/prescriptions/:id/dispensing': { scope: 'patient', build: async (x) => ({ url: `/api/v1/prescriptions/${await rxRecord('transmitted', 'prescribing:dispense', x)}/dispensing`, payload: DELIVERY }) },
  // The provider's nurse records a home dose as not given; the Trust's nurse a hospital one.
  'POST /api/v1/prescriptions/:id/not-given': {
    scope: 'patient',
    build: async (x) => {
      const home = x.actor.role !== undefined && ROLE_ORG_KIND[x.actor.role] === 'provider';
      return { url: `/api/v1/prescriptions/${await rxRecord(home ? 'delivered' : 'hospitalVerified', 'prescribing:administer', x)}/not-given`, payload: { event: 'not-given', reason: 'Matrix: patient unwell at the visit' } };
    },
  },
  'POST /api/v1/prescriptions/:id/override': { scope: 'patient', build: async (x) => ({ url: `/api/v1/prescriptions/${await rxRecord('gateBlocked', 'prescribing:prescribe', x)}/override`, payload: { reason: 'Matrix: cardio-oncology agreed this dose' } }) },
  // The provider's nurse gives home doses once dispensed; the Trust's nurse gives hospital cycles once verified.
  'POST /api/v1/prescriptions/:id/administration': {
    scope: 'patient',
    build: async (x) => {
      const place = x.actor.role && ROLE_ORG_KIND[x.actor.role] === 'provider' ? 'home' : 'hospital';
      const rx = await rxRecord(place === 'home' ? 'delivered' : 'hospitalVerified', 'prescribing:administer', x);
      return { url: `/api/v1/prescriptions/${rx}/administration`, payload: { givenOn: '2026-06-01', doses: [{ drug: 'TRASTUZUMAB', doseMg: DOSE_MG[place] }], anaphylaxisKitConfirmed: true } };
    },
  },
  'GET /api/v1/worklists/prescribing': { scope: 'none', build: async () => ({ url: '/api/v1/worklists/prescribing' }) },
  'GET /api/v1/worklists/dispensing': { scope: 'none', build: async () => ({ url: '/api/v1/worklists/dispensing' }) },
  'GET /api/v1/admin/checklists': { scope: 'none', build: async () => ({ url: '/api/v1/admin/checklists' }) },
  'PUT /api/v1/admin/checklists/:regimen': { scope: 'none', build: async () => ({ url: '/api/v1/admin/checklists/trastuzumab-sc-3-weekly', payload: { items: DEFAULT_CHECKLIST.map((i) => ({ ...i })) } }) },
  'GET /admin/checklists': { scope: 'none', build: async () => ({ url: '/admin/checklists' }) },
  'GET /admin/checklists/:regimen': { scope: 'none', build: async () => ({ url: '/admin/checklists/trastuzumab-sc-3-weekly' }) },
  'POST /admin/checklists/:regimen': { scope: 'none', build: async () => ({ url: '/admin/checklists/trastuzumab-sc-3-weekly', form: true, payload: Object.fromEntries(DEFAULT_CHECKLIST.flatMap((i, k) => [[`code-${k}`, i.code], [`text-${k}`, i.text]])) }) },
  'GET /api/v1/admin/consent-forms': { scope: 'none', build: async () => ({ url: '/api/v1/admin/consent-forms' }) },
  'POST /api/v1/admin/consent-forms': { scope: 'none', build: async () => ({ url: '/api/v1/admin/consent-forms', payload: consentFormInput() }) },
  'POST /api/v1/admin/consent-forms/:id/retire': { scope: 'none', build: async () => ({ url: `/api/v1/admin/consent-forms/${await retirableConsentForm()}/retire` }) },
  'GET /admin/consent-forms': { scope: 'none', build: async () => ({ url: '/admin/consent-forms' }) },
  'POST /admin/consent-forms': { scope: 'none', build: async () => ({ url: '/admin/consent-forms', form: true, payload: consentFormInput() }) },
  'POST /admin/consent-forms/:id/retire': { scope: 'none', build: async () => ({ url: `/admin/consent-forms/${await retirableConsentForm()}/retire`, form: true, payload: {} }) },
  'GET /api/v1/admin/letter-templates': { scope: 'none', build: async () => ({ url: '/api/v1/admin/letter-templates' }) },
  'PUT /api/v1/admin/letter-templates/:kind': { scope: 'none', build: async () => ({ url: '/api/v1/admin/letter-templates/completion', payload: completionWording }) },
  'GET /admin/letter-templates': { scope: 'none', build: async () => ({ url: '/admin/letter-templates' }) },
  'GET /admin/letter-templates/:kind': { scope: 'none', build: async () => ({ url: '/admin/letter-templates/completion' }) },
  'POST /admin/letter-templates/:kind': { scope: 'none', build: async () => ({ url: '/admin/letter-templates/completion', form: true, payload: completionWording }) },
  // The regimen library, on a regimen code of the matrix's own, so no case changes a regimen in use.
  ...(() => {
    const definition = async () => ({ ...(await import('../src/prescribing/regimen-library.ts')).TRASTUZUMAB_IV_3_WEEKLY, code: 'matrix-regimen', name: 'Matrix regimen' });
    /** A new draft version each time (publishing one is allowed only once). */
    const draft = async () => ((await admin.request({ method: 'POST', url: '/api/v1/admin/regimens', payload: await definition() })).json() as { id: string }).id;
    let readable: string | undefined;
    const someVersion = async () => (readable ??= await draft());
    const cases: Record<string, Case> = {
      'GET /api/v1/regimens': { scope: 'none', build: async () => ({ url: '/api/v1/regimens' }) },
      'GET /api/v1/regimens/:id': { scope: 'none', build: async () => ({ url: `/api/v1/regimens/${await someVersion()}` }) },
      'POST /api/v1/admin/regimens': { scope: 'none', build: async () => ({ url: '/api/v1/admin/regimens', payload: await definition() }) },
      'POST /api/v1/admin/regimens/:id/publish': { scope: 'none', build: async () => ({ url: `/api/v1/admin/regimens/${await draft()}/publish` }) },
      'GET /admin/regimens': { scope: 'none', build: async () => ({ url: '/admin/regimens' }) },
      'GET /admin/regimens/:id': { scope: 'none', build: async () => ({ url: `/admin/regimens/${await someVersion()}` }) },
      'POST /admin/regimens': { scope: 'none', build: async () => ({ url: '/admin/regimens', form: true, payload: { definition: JSON.stringify(await definition()) } }) },
      'POST /admin/regimens/:id/publish': { scope: 'none', build: async () => ({ url: `/admin/regimens/${await draft()}/publish`, form: true, payload: {} }) },
    };
    return cases;
  })(),
  'GET /worklists': { scope: 'none', build: async () => ({ url: '/worklists' }) },
  'GET /referrals': { scope: 'none', build: async () => ({ url: '/referrals' }) },
  // prescribing pages: the same records as the prescribing API cases (rxRecord: a fresh one when the matrix expects the
  // change to succeed, else the Trust's shared one), posted as the pages' forms.
  'POST /episodes/:id/course': { scope: 'patient', build: async (x) => ({ url: `/episodes/${await rxRecord('episode', 'prescribing:prescribe', x)}/course`, form: true, payload: { startDate: '2026-06-03' } }) },
  'GET /courses/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/courses/${(await sharedRecord('course', target as TrustKey)).courseId}` }) },
  'POST /courses/:id/weights': { scope: 'patient', build: async (x) => ({ url: `/courses/${(await rxRecord('course', 'prescribing:measure', x)).courseId}/weights`, form: true, payload: { weightKg: '70', measuredOn: '2026-06-01' } }) },
  'POST /courses/:id/lvef': { scope: 'patient', build: async (x) => ({ url: `/courses/${(await rxRecord('course', 'prescribing:measure', x)).courseId}/lvef`, form: true, payload: { measuredOn: '2026-06-01', method: 'echo', percent: '60', reportingClinician: 'Dr Matrix' } }) },
  'POST /lvef/:id/assessment': { scope: 'patient', build: async (x) => ({ url: `/lvef/${await rxRecord('lvef', 'prescribing:prescribe', x)}/assessment`, form: true, payload: { note: 'Matrix' } }) },
  'POST /courses/:id/resume': { scope: 'patient', build: async (x) => ({ url: `/courses/${await rxRecord('suspended', 'prescribing:prescribe', x)}/resume`, form: true, payload: { reason: 'Matrix: LVEF recovered to 58%' } }) },
  'POST /cycles/:id/prescriptions': { scope: 'patient', build: async (x) => ({ url: `/cycles/${(await rxRecord('course', 'prescribing:prescribe', x)).cycleId}/prescriptions`, form: true, payload: {} }) },
  'POST /cycles/:id/deferral': { scope: 'patient', build: async (x) => ({ url: `/cycles/${(await rxRecord('course', 'prescribing:prescribe', x)).cycleId}/deferral`, form: true, payload: { newDate: '2026-06-05', reasonCode: 'PATIENT_REQUEST' } }) },
  'GET /prescriptions/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/prescriptions/${await sharedRecord('transmitted', target as TrustKey)}` }) },
  'POST /prescriptions/:id/prescriber-steps': { scope: 'patient', build: async (x) => ({ url: `/prescriptions/${await rxRecord('draft', 'prescribing:prescribe', x)}/prescriber-steps`, form: true, payload: { event: 'sign' } }) },
  'POST /prescriptions/:id/pharmacy-steps': { scope: 'patient', build: async (x) => ({ url: `/prescriptions/${await rxRecord('signed', 'prescribing:screen', x)}/pharmacy-steps`, form: true, payload: { event: 'verify' } }) },
  'POST /prescriptions/:id/dispensing': { scope: 'patient', build: async (x) => ({ url: `/prescriptions/${await rxRecord('transmitted', 'prescribing:dispense', x)}/dispensing`, form: true, payload: pageForm(DELIVERY) }) },
  'POST /prescriptions/:id/override': { scope: 'patient', build: async (x) => ({ url: `/prescriptions/${await rxRecord('gateBlocked', 'prescribing:prescribe', x)}/override`, form: true, payload: { reason: 'Matrix: cardio-oncology agreed this dose' } }) },
  // One page route records the dose given or not given: the provider's nurse a home dose once dispensed, the Trust's
  // nurse a hospital cycle once verified (the dose typed in, as the form sends it).
  'POST /prescriptions/:id/administration': {
    scope: 'patient',
    build: async (x) => {
      const place = x.actor.role && ROLE_ORG_KIND[x.actor.role] === 'provider' ? 'home' : 'hospital';
      const rx = await rxRecord(place === 'home' ? 'delivered' : 'hospitalVerified', 'prescribing:administer', x);
      return { url: `/prescriptions/${rx}/administration`, form: true, payload: { event: 'administer', givenOn: '2026-06-01', 'drug-0': 'TRASTUZUMAB', 'dose-0': String(DOSE_MG[place]), anaphylaxisKitConfirmed: 'yes' } };
    },
  },
  'GET /worklists/prescribing': { scope: 'none', build: async () => ({ url: '/worklists/prescribing' }) },
  'GET /dispensing': { scope: 'none', build: async () => ({ url: '/dispensing' }) },
  // nurse visit pages
  // The target is a visit today of a Trust A, B or C patient (nurse visit page fixtures): the Trust's shared visit, or
  // a fresh one when the matrix expects the dose or "not given" to succeed (either closes the visit).
  'GET /visits/today': { scope: 'none', build: async () => ({ url: '/visits/today' }) },
  'GET /visits/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/visits/${await sharedVisit(target as TrustKey)}` }) },
  'POST /visits/:id/checks': { scope: 'patient', build: async ({ target }) => ({ url: `/visits/${await sharedVisit(target as TrustKey)}/checks`, contentType: 'application/x-www-form-urlencoded', payload: visitCheckForm() }) },
  'POST /visits/:id/administration': { scope: 'patient', build: async (x) => ({ url: `/visits/${await visitRecord(x)}/administration`, form: true, payload: visitDoseForm() }) },
  'POST /visits/:id/not-given': { scope: 'patient', build: async (x) => ({ url: `/visits/${await visitRecord(x)}/not-given`, form: true, payload: { idempotencyKey: crypto.randomUUID(), reasonCode: 'PATIENT_DECLINED', note: 'Matrix' } }) },
  'POST /visits/:id/reactions': { scope: 'patient', build: async ({ target }) => ({ url: `/visits/${await sharedVisit(target as TrustKey)}/reactions`, form: true, payload: { idempotencyKey: crypto.randomUUID(), grade: '1', description: 'Matrix: mild flushing', actions: 'OBSERVED' } }) },
  'POST /visits/:id/incidents': { scope: 'patient', build: async ({ target }) => ({ url: `/visits/${await sharedVisit(target as TrustKey)}/incidents`, form: true, payload: { idempotencyKey: crypto.randomUUID(), kind: 'NEAR_MISS', severity: 'no-harm', description: 'Matrix near miss' } }) },
  // reports: the monthly report and its downloads for every role granted report:read (a Trust its own, the rest all
  // Trusts in aggregate); the patients behind a figure only for the report's own Trust.
  'GET /api/v1/reports/monthly': { scope: 'none', build: async () => ({ url: '/api/v1/reports/monthly?from=2026-01&to=2026-06' }) },
  'GET /reports/monthly': { scope: 'none', build: async () => ({ url: '/reports/monthly?from=2026-01&to=2026-06' }) },
  'GET /reports/monthly.csv': { scope: 'none', build: async () => ({ url: '/reports/monthly.csv?from=2026-01&to=2026-06' }) },
  'GET /reports/monthly.xlsx': { scope: 'none', build: async () => ({ url: '/reports/monthly.xlsx?from=2026-01&to=2026-06' }) },
  'GET /reports/monthly.pdf': { scope: 'none', build: async () => ({ url: '/reports/monthly.pdf?from=2026-01&to=2026-06' }) },
  'GET /reports/monthly/patients': { scope: 'trust-only', build: async ({ target }) => ({ url: `/reports/monthly/patients?from=2026-01&to=2026-06&period=total&figure=suitable&trust=${ids[target]}` }) },
  // The administrations CSV: a Trust's cancer manager or pharmacist, always their own Trust's (no Trust to choose).
  'GET /api/v1/exports/administrations.csv': { scope: 'none', build: async () => ({ url: '/api/v1/exports/administrations.csv?from=2026-01&to=2026-06' }) },
  // report settings: read by those who see every Trust's report, saved (a new version each time) by an administrator.
  'GET /api/v1/reports/settings': { scope: 'none', build: async () => ({ url: '/api/v1/reports/settings' }) },
  'PUT /api/v1/reports/settings': { scope: 'none', build: async () => ({ url: '/api/v1/reports/settings', payload: { settings: structuredClone(DEFAULT_SETTINGS), reason: 'Matrix: unchanged' } }) },
  'GET /admin/report-settings': { scope: 'none', build: async () => ({ url: '/admin/report-settings' }) },
  'POST /admin/report-settings': { scope: 'none', build: async () => ({ url: '/admin/report-settings', form: true, payload: { ...formValues(DEFAULT_SETTINGS), reason: 'Matrix: unchanged' } }) },
  // visits API and pages (scheduling, alerts, performance)
  // Visits come from the nurse visit page fixtures (a fresh one when the matrix expects a change to succeed, else the
  // Trust's shared one); courses from the prescribing API fixtures; alerts from the visits fixtures.
  'POST /api/v1/courses/:id/visits': { scope: 'patient', build: async (x) => ({ url: `/api/v1/courses/${(await rxRecord('course', 'visit:schedule', x)).courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00' } }) },
  'GET /api/v1/visits': { scope: 'none', build: async () => ({ url: '/api/v1/visits?from=2026-06-01&to=2026-06-07' }) },
  'PATCH /api/v1/visits/:id': { scope: 'patient', build: async (x) => ({ url: `/api/v1/visits/${await visitFor('visit:schedule', x)}`, payload: VISIT_MOVE }) },
  'GET /api/v1/visits/:id': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/visits/${await sharedVisit(target as TrustKey)}` }) },
  'POST /api/v1/visits/:id/checks': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/visits/${await sharedVisit(target as TrustKey)}/checks`, payload: visitCheckJson() }) },
  'POST /api/v1/visits/:id/administration': { scope: 'patient', build: async (x) => ({ url: `/api/v1/visits/${await visitFor('visit:record', x)}/administration`, payload: visitDoseJson() }) },
  'POST /api/v1/visits/:id/not-given': { scope: 'patient', build: async (x) => ({ url: `/api/v1/visits/${await visitFor('visit:record', x)}/not-given`, payload: { idempotencyKey: crypto.randomUUID(), reasonCode: 'PATIENT_DECLINED', note: 'Matrix' } }) },
  'POST /api/v1/visits/:id/reactions': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/visits/${await sharedVisit(target as TrustKey)}/reactions`, payload: { idempotencyKey: crypto.randomUUID(), grade: 1, description: 'Matrix: mild flushing', actions: ['OBSERVED'] } }) },
  'POST /api/v1/visits/:id/incidents': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/visits/${await sharedVisit(target as TrustKey)}/incidents`, payload: { idempotencyKey: crypto.randomUUID(), kind: 'NEAR_MISS', severity: 'no-harm', description: 'Matrix near miss' } }) },
  'GET /api/v1/alerts': { scope: 'none', build: async () => ({ url: '/api/v1/alerts' }) },
  'POST /api/v1/alerts/:id/resolution': { scope: 'patient', build: async (x) => ({ url: `/api/v1/alerts/${await alertFor(x)}/resolution`, payload: { resolution: 'Matrix: dealt with' } }) },
  'GET /api/v1/patients/:id/home-record': { scope: 'patient', build: async ({ target }) => ({ url: `/api/v1/patients/${patientTarget(target)}/home-record` }) },
  'GET /visits/schedule': { scope: 'none', build: async () => ({ url: '/visits/schedule?date=2026-06-01&view=week' }) },
  'POST /courses/:id/visits': { scope: 'patient', build: async (x) => ({ url: `/courses/${(await rxRecord('course', 'visit:schedule', x)).courseId}/visits`, form: true, payload: { windowStart: '07:00', windowEnd: '11:00', nurseId: '' } }) },
  'POST /visits/:id/reschedule': { scope: 'patient', build: async (x) => ({ url: `/visits/${await visitFor('visit:schedule', x)}/reschedule`, form: true, payload: { ...VISIT_MOVE, nurseId: '' } }) },
  'GET /alerts': { scope: 'none', build: async () => ({ url: '/alerts' }) },
  'POST /alerts/:id/resolve': { scope: 'patient', build: async (x) => ({ url: `/alerts/${await alertFor(x)}/resolve`, form: true, payload: { resolution: 'Matrix: dealt with' } }) },
  'GET /api/v1/reports/provider-performance': { scope: 'none', build: async () => ({ url: '/api/v1/reports/provider-performance?from=2026-05&to=2026-06' }) },
  'GET /reports/provider-performance': { scope: 'none', build: async () => ({ url: '/reports/provider-performance?from=2026-05&to=2026-06' }) },
  // dose corrections
  // The permitted nurse corrects a dose she recorded on a fresh visit; everyone else tries the Trust's shared visit.
  'PATCH /api/v1/visits/:id/administration': { scope: 'patient', build: async (x) => ({ url: `/api/v1/visits/${await visitWithDose(x)}/administration`, payload: { expectedVersion: 1, site: 'Right forearm', startedAt: '2026-06-01T07:40:00Z', endedAt: '2026-06-01T08:10:00Z', observationCompleted: true, reason: 'Matrix: typed wrongly' } }) },
  'POST /visits/:id/administration/correction': { scope: 'patient', build: async (x) => ({ url: `/visits/${await visitWithDose(x)}/administration/correction`, form: true, payload: { expectedVersion: '1', givenOn: '2026-06-01', site: 'Right forearm', startTime: '08:40', endTime: '09:10', observationCompleted: 'yes', reason: 'Matrix: typed wrongly' } }) },
  // surveys: the patient's public page (no sign-in: an unknown link answers the same "expired" page to everyone); a
  // Trust's nurse makes a link or enters a paper survey for an episode of the target Trust that has started at home
  // (trust-only); Trust and provider staff answer the staff evaluation for their own organisation.
  'GET /survey/:token': { scope: 'none', build: async () => ({ url: `/survey/${'M'.repeat(43)}` }) },
  'POST /survey/:token': { scope: 'none', build: async () => ({ url: `/survey/${'M'.repeat(43)}`, form: true, payload: { 'q1-rating': '5' } }) },
  'POST /episodes/:id/survey-link': { scope: 'trust-only', build: async ({ target }) => ({ url: `/episodes/${ids[`episode${target}`]}/survey-link`, form: true, payload: {} }) },
  'GET /surveys/patient-satisfaction': { scope: 'none', build: async () => ({ url: '/surveys/patient-satisfaction' }) },
  'POST /surveys/patient-satisfaction': { scope: 'trust-only', build: async ({ target }) => ({ url: '/surveys/patient-satisfaction', form: true, payload: { episodeId: ids[`episode${target}`]!, 'q1-rating': '4' } }) },
  'POST /api/v1/surveys/patient-satisfaction': { scope: 'trust-only', build: async ({ target }) => ({ url: '/api/v1/surveys/patient-satisfaction', payload: { episodeId: ids[`episode${target}`], answers: { 1: { rating: 4 } } } }) },
  'GET /surveys/staff-evaluation': { scope: 'none', build: async () => ({ url: '/surveys/staff-evaluation' }) },
  'POST /surveys/staff-evaluation': { scope: 'none', build: async () => ({ url: '/surveys/staff-evaluation', form: true, payload: { 'q7-rating': '4' } }) },
  'POST /api/v1/surveys/staff-evaluation': { scope: 'none', build: async () => ({ url: '/api/v1/surveys/staff-evaluation', payload: { answers: { 7: { rating: 4 } } } }) },
};

const ACTORS: Actor[] = [
  { username: null },
  ...(['trust-nurse', 'trust-prescriber', 'trust-pharmacist', 'cancer-manager'] as Role[]).flatMap((role) => [
    { username: role, role, trust: 'A' as const },
    { username: `${role}-b`, role, trust: 'B' as const },
  ]),
  ...(['provider-nurse', 'provider-coordinator', 'provider-pharmacist', 'commissioner', 'network-lead', 'admin'] as Role[]).map((role) => ({ username: role, role })),
];

type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'hidden' | 'reachable';

function expected(actor: Actor, action: Action, scope: Scope, target: Target): Outcome {
  if (action === 'public') return 'reachable';
  if (!actor.role) return 'unauthenticated';
  if (!decide(actor.role, action)) return 'forbidden';
  if (scope === 'own-user') return target === 'own' ? 'ok' : 'hidden';
  if (scope === 'trust-only') return ROLE_ORG_KIND[actor.role] === 'trust' && target === actor.trust ? 'ok' : 'hidden';
  if (scope === 'patient') {
    const kind = ROLE_ORG_KIND[actor.role];
    // Trust staff: their own Trust's patients only. Provider staff: referred patients of Trusts with an active
    // agreement (A and B; C's agreement is ended before the run).
    if (kind === 'trust') return target === actor.trust ? 'ok' : 'hidden';
    if (kind === 'provider') return target === 'A' || target === 'B' ? 'ok' : 'hidden';
    return 'hidden';
  }
  return 'ok';
}

function classify(res: LightMyRequestResponse): Outcome | `status ${number}` {
  if (res.statusCode === 401) return 'unauthenticated';
  // Pages send the signed-out to the sign-in page (sign-out itself lands there too, with ?signedOut=1).
  if (res.statusCode === 303 && String(res.headers.location).startsWith('/sign-in?next=')) return 'unauthenticated';
  if (res.statusCode === 403) return 'forbidden';
  if (res.statusCode === 404) return 'hidden';
  if (res.statusCode >= 200 && res.statusCode < 400) return 'ok';
  return `status ${res.statusCode}`;
}

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  admin = await signIn(w.app, 'admin');
  for (const t of ['A', 'B', 'C'] as const) ids[t] = (await w.org(TRUST_ODS[t])).id;
  ids.provider = (await w.org('HX1')).id;
  // A referred patient per Trust: referral happens only through the pathway episode.
  for (const t of ['A', 'B', 'C'] as const) {
    ids[`episode${t}`] = await freshEpisode(t, true);
    const nurse = await helperSession(t === 'A' ? 'trust-nurse-helper-a' : `trust-nurse-helper-${t.toLowerCase()}`);
    ids[`patient${t}`] = ((await nurse.request({ method: 'GET', url: `/api/v1/episodes/${ids[`episode${t}`]}` })).json() as { episode: { patientId: string } }).episode.patientId;
  }
  // Take each target episode on to home treatment, which writes a GP letter.
  for (const t of ['A', 'B', 'C'] as const) {
    const coordinator = await helperSession('provider-coordinator');
    assert.equal((await coordinator.request({ method: 'POST', url: `/api/v1/episodes/${ids[`episode${t}`]}/referral-response`, payload: { decision: 'accept' } })).statusCode, 200);
    const nurse = await helperSession(t === 'A' ? 'trust-nurse-helper-a' : `trust-nurse-helper-${t.toLowerCase()}`);
    for (const payload of [CONSENT, { event: 'start-home' }]) {
      assert.equal((await nurse.request({ method: 'POST', url: `/api/v1/episodes/${ids[`episode${t}`]}/events`, payload })).statusCode, 200);
    }
    const letters = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${ids[`episode${t}`]}/letters` })).json() as { letters: { id: string }[] };
    ids[`letter${t}`] = letters.letters[0]!.id;
  }
  // prescribing API fixtures: Trust C's shared records, which need its agreement (referral, release to the provider).
  for (const kind of Object.keys(RX_RECORDS) as RxKind[]) await sharedRecord(kind, 'C');
  // End Trust C's agreement: from now its referred patient must be invisible to the provider.
  const agreements = (await admin.request({ method: 'GET', url: '/api/v1/admin/agreements' })).json() as { agreements: { id: string; trustId: string }[] };
  const c = agreements.agreements.find((a) => a.trustId === ids.C)!;
  assert.equal((await admin.request({ method: 'POST', url: `/api/v1/admin/agreements/${c.id}/end`, payload: { reason: 'Matrix: no agreement' } })).statusCode, 200);
  ids.spareOrg = ((await admin.request({ method: 'POST', url: '/api/v1/admin/organisations', payload: { kind: 'commissioner', odsCode: 'ZSPARE', name: 'Matrix spare organisation' } })).json() as { id: string }).id;
  ids.spareUser = ((await admin.request({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'spare-user', displayName: 'Spare User', password: PASSWORD, orgId: ids.A, role: 'trust-nurse' } })).json() as { id: string }).id;
  ids.someToken = await tokenFor({ username: 'network-lead' }, 'own');
});
after(() => w.close());

const appRoutes = () => w.app.routeInventory.filter((r) => !r.url.startsWith('/assets') && !r.url.startsWith('/docs'));

test('route inventory: every route declares an action from the policy, has a matrix case, and every API route is documented', async () => {
  for (const r of w.app.routeInventory) assert.ok(r.action && ACTIONS.includes(r.action), `${r.method} ${r.url} declares no policy action`);
  const missing = appRoutes().map((r) => `${r.method} ${r.url}`).filter((k) => !CASES[k]);
  assert.deepEqual(missing, [], 'routes without an authorisation-matrix case');
  const stale = Object.keys(CASES).filter((k) => !appRoutes().some((r) => `${r.method} ${r.url}` === k));
  assert.deepEqual(stale, [], 'matrix cases for routes that no longer exist');
  const doc = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
  const undocumented = appRoutes().filter((r) => r.url.startsWith('/api/') || r.url === '/health').map((r) => `${r.method} ${r.url}`).filter((k) => !documented.has(k));
  assert.deepEqual(undocumented, [], 'API routes missing from the OpenAPI document');
});

test('authorisation matrix: 0 unexpected allows and 0 unexpected denies across every role × organisation × route', async () => {
  const failures: string[] = [];
  let cells = 0;
  for (const route of appRoutes()) {
    const key = `${route.method} ${route.url}`;
    const c = CASES[key]!;
    const targets: Target[] = c.scope === 'patient' || c.scope === 'trust-only' ? ['A', 'B', 'C'] : c.scope === 'own-user' ? ['own', 'other'] : ['-'];
    for (const actor of ACTORS) {
      for (const target of targets) {
        const built = await c.build({ target, n: n++, actor });
        let cookie = built.cookies ?? '';
        let csrf: string | undefined;
        if (actor.username) {
          const s = built.fresh ? await signIn(w.app, actor.username) : await actorSession(actor.username);
          cookie = [cookie, `homeward_session=${s.cookie}`].filter(Boolean).join('; ');
          csrf = s.csrf;
        }
        const headers: Record<string, string> = { accept: route.url.startsWith('/api/') ? 'application/json' : 'text/html' };
        if (cookie) headers.cookie = cookie;
        if (csrf && route.method !== 'GET') headers['x-csrf-token'] = csrf;
        if (built.contentType) headers['content-type'] = built.contentType;
        let payload: string | Record<string, unknown> | undefined = built.payload;
        if (built.form && built.payload) {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          payload = new URLSearchParams(built.payload as Record<string, string>).toString();
        }
        const res = await w.app.inject({ method: route.method as 'GET', url: built.url, headers, ...(payload !== undefined ? { payload } : {}) });
        const granted = expected(actor, route.action!, c.scope, target);
        const want = granted === 'ok' && actor.role && c.serviceRefuses?.roles.includes(actor.role) ? 'forbidden' : granted;
        const got = classify(res);
        cells++;
        const pass = want === 'reachable' ? got !== 'forbidden' && res.statusCode < 500 : got === want;
        if (!pass) failures.push(`${actor.username ?? '(signed out)'} ${key} target=${target}: expected ${want}, got ${got} ${res.body.slice(0, 160)}`);
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} unexpected results out of ${cells} cells`);
  assert.ok(cells > 700, `the matrix covers ${cells} cells`);
});

test('lists never include another organisation’s rows', async () => {
  const visible = async (username: string) => ((await (await signIn(w.app, username)).request({ method: 'GET', url: '/api/v1/patients' })).json() as { patients: { id: string; trustId?: string }[] }).patients;
  const a = await visible('trust-nurse');
  assert.ok(a.length > 0);
  assert.ok(a.every((p) => p.trustId === ids.A), 'Trust A sees only Trust A patients');
  const b = await visible('trust-pharmacist-b');
  assert.ok(b.every((p) => p.trustId === ids.B));
  const provider = await visible('provider-nurse');
  const ids2 = new Set(provider.map((p) => p.id));
  assert.ok(ids2.has(ids.patientA!) && ids2.has(ids.patientB!), 'the provider sees referred patients under active agreements');
  assert.ok(!ids2.has(ids.patientC!), 'the provider sees nothing of a Trust whose agreement has ended');
  const all = await w.patientsOf('RX1');
  const unreferred = all.filter((p) => !p.referred).map((p) => p.id);
  assert.ok(unreferred.every((id) => !ids2.has(id)), 'the provider never sees patients not referred to it');
  assert.ok(provider.every((p) => p.trustId === undefined), 'the provider does not get the Trust registry fields');
});

test('a commissioner or network lead gets no patient-identifiable field from any route', async () => {
  for (const username of ['commissioner', 'network-lead']) {
    const s = await signIn(w.app, username);
    for (const url of ['/api/v1/patients', `/api/v1/patients/${ids.patientA}`, '/patients', `/patients/${ids.patientA}`, '/']) {
      const res = await s.request({ method: 'GET', url, headers: { accept: url.startsWith('/api') ? 'application/json' : 'text/html' } });
      assert.ok([200, 403].includes(res.statusCode), `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /\b\d{3} ?\d{3} ?\d{4}\b/, `${username} ${url} contains something shaped like an NHS number`);
      assert.ok(!res.body.includes('MatrixA'), `${username} ${url} contains a patient name`);
    }
  }
});

// prescribing page fixtures
/** A JSON payload as an HTML form sends it: strings, and a ticked checkbox as "yes". */
function pageForm(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v === true ? 'yes' : String(v)]));
}

// nurse visit page fixtures
/**
 * A visit today on a fresh home course of Trust A or B (the matrix clock is 1 June 2026, when cycle 3 is due): its
 * dose released and dispensed, the visit booked by the coordinator and a "give" checklist recorded, so a dose or "not
 * given" would be accepted. Trust C's agreement has ended, so the provider can no longer book one: its visit is
 * written straight into the database on the cycle of Trust C's shared course (built while the agreement was active).
 */
async function freshVisit(trust: TrustKey): Promise<string> {
  const { eq } = await import('drizzle-orm');
  const { cycles, prescriptions } = await import('../src/prescribing/schema.ts');
  const { visits } = await import('../src/visits/schema.ts');
  const db = w.database.db;
  if (trust === 'C') {
    const [cycle] = await db.select().from(cycles).where(eq(cycles.id, (await sharedRecord('course', 'C')).cycleId));
    const at = w.clock.now();
    const [v] = await db.insert(visits).values({ cycleId: cycle!.id, patientId: cycle!.patientId, trustId: cycle!.trustId, providerId: ids.provider!, visitDate: '2026-06-01', windowStart: '07:00', windowEnd: '11:00', createdBy: await w.userId('provider-coordinator'), createdAt: at, updatedAt: at }).returning();
    return v!.id;
  }
  const t = await rxTeam(trust);
  const [rx] = await db.select().from(prescriptions).where(eq(prescriptions.id, await freshPrescription(trust, 'delivered')));
  const booked = await ok<{ visits: { id: string; visitDate: string }[] }>(t.coordinator.request({ method: 'POST', url: `/api/v1/courses/${rx!.courseId}/visits`, payload: { windowStart: '07:00', windowEnd: '11:00' } }), 201);
  const visitId = booked.visits.find((v) => v.visitDate === '2026-06-01')!.id;
  const check = { identifiers: ['NAME', 'DATE_OF_BIRTH'], consentValid: true, observations: { temperatureC: 36.8, pulse: 72, systolic: 124, diastolic: 78, spo2: 98 }, symptoms: Object.fromEntries(VISIT_SYMPTOMS.map((c) => [c, false])), decision: 'give' };
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/checks`, payload: { ...check, idempotencyKey: crypto.randomUUID() } }), 201);
  return visitId;
}
const VISIT_SYMPTOMS = ['FEVER_OR_INFECTION', 'BREATHLESSNESS', 'CHEST_PAIN_OR_PALPITATIONS', 'ANKLE_SWELLING', 'REACTION_LAST_DOSE', 'OTHER_NEW_SYMPTOM'];
const sharedVisits = new Map<TrustKey, Promise<string>>();
/** One visit per Trust for reads, checklists, reactions, incidents and attempts expected to fail. */
function sharedVisit(trust: TrustKey): Promise<string> {
  if (!sharedVisits.has(trust)) sharedVisits.set(trust, freshVisit(trust));
  return sharedVisits.get(trust)!;
}
/** A fresh visit when the matrix expects the recording to succeed (it closes the visit), else the shared one. */
const visitRecord = ({ actor, target }: { actor: Actor; target: Target }) => (expected(actor, 'visit:record', 'patient', target) === 'ok' ? freshVisit(target as TrustKey) : sharedVisit(target as TrustKey));
/** The checklist form as the browser sends it: two identifiers (a repeated field), every symptom answered "no". */
const visitCheckForm = () =>
  new URLSearchParams([
    ['idempotencyKey', crypto.randomUUID()],
    ['identifiers', 'NAME'],
    ['identifiers', 'DATE_OF_BIRTH'],
    ['consentValid', 'yes'],
    ...Object.entries({ temperatureC: '36.8', pulse: '72', systolic: '124', diastolic: '78', spo2: '98' }),
    ...VISIT_SYMPTOMS.map((c) => [`symptom-${c}`, 'no']),
    ['decision', 'give'],
  ]).toString();
/** The dose form: 420 mg typed in, London times before the matrix clock's 10:00. */
const visitDoseForm = () => ({ idempotencyKey: crypto.randomUUID(), 'drug-0': 'TRASTUZUMAB', 'dose-0': '420', route: 'IV', site: 'Left forearm', givenOn: '2026-06-01', startTime: '08:30', endTime: '09:00', batch: 'MATRIX1', expiry: '2027-01-31', observationCompleted: 'yes', anaphylaxisKitConfirmed: 'yes' });

// visits fixtures
/** The visit for a change: a fresh one when the matrix expects `action` to succeed, else the Trust's shared one. */
const visitFor = (action: Action, { actor, target }: { actor: Actor; target: Target }) => (expected(actor, action, 'patient', target) === 'ok' ? freshVisit(target as TrustKey) : sharedVisit(target as TrustKey));
/** A reschedule to the same day (cycle 3 is due today, the first of its valid dates), with a reason. */
const VISIT_MOVE = { visitDate: '2026-06-01', windowStart: '08:00', windowEnd: '12:00', reason: 'Matrix: patient asked for later' };
const visitCheckJson = () => ({ idempotencyKey: crypto.randomUUID(), identifiers: ['NAME', 'DATE_OF_BIRTH'], consentValid: true, observations: { temperatureC: 36.8, pulse: 72, systolic: 124, diastolic: 78, spo2: 98 }, symptoms: Object.fromEntries(VISIT_SYMPTOMS.map((c) => [c, false])), decision: 'give' });
/** The released 420 mg given 08:30–09:00 London time (07:30Z), before the matrix clock. */
const visitDoseJson = () => ({ idempotencyKey: crypto.randomUUID(), doses: [{ drug: 'TRASTUZUMAB', doseMg: DOSE_MG.home }], route: 'IV', site: 'Left forearm', startedAt: '2026-06-01T07:30:00Z', endedAt: '2026-06-01T08:00:00Z', batch: 'MATRIX1', expiry: '2027-01-31', observationCompleted: true, anaphylaxisKitConfirmed: true });
let alertSeq = 0;
/**
 * An open alert of the Trust: an incident the provider's nurse records on the Trust's shared visit, found by its
 * wording. Trust C's agreement has ended, so its alert is written straight into the table, on C's shared visit.
 */
async function freshAlert(trust: TrustKey): Promise<string> {
  const { and, eq, like } = await import('drizzle-orm');
  const { trustAlerts, visits } = await import('../src/visits/schema.ts');
  const db = w.database.db;
  const visitId = await sharedVisit(trust);
  const description = `Matrix incident number ${alertSeq++}`;
  if (trust === 'C') {
    const [v] = await db.select().from(visits).where(eq(visits.id, visitId));
    const [a] = await db.insert(trustAlerts).values({ patientId: v!.patientId, trustId: v!.trustId, cycleId: v!.cycleId, visitId, kind: 'incident', message: description, raisedByOrg: ids.provider!, raisedAt: w.clock.now() }).returning();
    return a!.id;
  }
  const t = await rxTeam(trust);
  await ok(t.providerNurse.request({ method: 'POST', url: `/api/v1/visits/${visitId}/incidents`, payload: { idempotencyKey: crypto.randomUUID(), kind: 'NEAR_MISS', severity: 'no-harm', description } }), 201);
  const [a] = await db.select({ id: trustAlerts.id }).from(trustAlerts).where(and(eq(trustAlerts.visitId, visitId), like(trustAlerts.message, `%: ${description}`)));
  return a!.id;
}
const sharedAlerts = new Map<TrustKey, Promise<string>>();
/** A fresh alert when the matrix expects dealing with it to succeed (it closes the alert), else the Trust's shared one. */
function alertFor({ actor, target }: { actor: Actor; target: Target }): Promise<string> {
  const trust = target as TrustKey;
  if (expected(actor, 'alert:resolve', 'patient', target) === 'ok') return freshAlert(trust);
  if (!sharedAlerts.has(trust)) sharedAlerts.set(trust, freshAlert(trust));
  return sharedAlerts.get(trust)!;
}

// dose corrections fixtures
/** A fresh visit with its dose recorded by the acting nurse when the matrix expects a correction to succeed, else the Trust's shared visit. */
async function visitWithDose({ actor, target }: { actor: Actor; target: Target }): Promise<string> {
  if (expected(actor, 'visit:record', 'patient', target) !== 'ok') return sharedVisit(target as TrustKey);
  const visitId = await freshVisit(target as TrustKey);
  await ok((await actorSession(actor.username!)).request({ method: 'POST', url: `/api/v1/visits/${visitId}/administration`, payload: visitDoseJson() }), 201);
  return visitId;
}
