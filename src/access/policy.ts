import { ROLES, type Role } from './roles.ts';

/**
 * Every action a route can declare. `public` needs no sign-in; `session` needs only a signed-in user.
 * Everything else must be granted to a role in POLICY below (default deny).
 */
export const ACTIONS = [
  'public',
  'session',
  'token:manage',
  'patient:list',
  'patient:read',
  'patient:create',
  'episode:read',
  'episode:create',
  'episode:update',
  'referral:respond',
  'worklist:read',
  'letter:read',
  'org:manage',
  'user:manage',
  'agreement:manage',
  'config:manage',
  'regimen:read',
  'regimen:manage',
  'prescribing:read',
  'prescribing:prescribe',
  'prescribing:screen',
  'prescribing:dispense',
  'prescribing:administer',
  'prescribing:measure',
  'visit:read',
  'visit:schedule',
  'visit:record',
  'alert:read',
  'alert:resolve',
  'performance:read',
  'report:read',
  'report:drilldown',
  'export:administrations',
  'report-settings:read',
  'report-settings:manage',
  'survey:patient',
  'survey:staff',
] as const;
export type Action = (typeof ACTIONS)[number];

/** How far a granted action reaches: the user's own organisation, or a Trust's patients via an agreement. */
export type Scope = 'own-org' | 'agreement' | 'all';

const TRUST_CLINICAL: Role[] = ['trust-nurse', 'trust-prescriber', 'trust-pharmacist', 'cancer-manager'];
const PROVIDER: Role[] = ['provider-nurse', 'provider-coordinator', 'provider-pharmacist'];

/**
 * The policy table: role × action → scope. This is the only place that grants access; `decide` reads it, and the
 * authorisation matrix test is generated from it. Commissioners and the network lead get no patient-level action:
 * they see aggregates only (reporting).
 */
export const POLICY: Record<Exclude<Action, 'public' | 'session'>, Partial<Record<Role, Scope>>> = {
  'token:manage': Object.fromEntries(ROLES.map((r) => [r, 'own-org' as Scope])),
  'patient:list': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'agreement') },
  'patient:read': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'agreement') },
  'patient:create': grant(['trust-nurse', 'trust-prescriber'], 'own-org'),
  'episode:read': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'agreement') },
  'episode:create': grant(['trust-nurse', 'trust-prescriber'], 'own-org'),
  'episode:update': grant(['trust-nurse', 'trust-prescriber'], 'own-org'),
  // The provider's coordinator answers referrals (the pilot's link-nurse role).
  'referral:respond': { 'provider-coordinator': 'agreement' },
  'worklist:read': grant(TRUST_CLINICAL, 'own-org'),
  // GP letters are the Trust's correspondence with the GP; providers do not need them.
  'letter:read': grant(TRUST_CLINICAL, 'own-org'),
  'org:manage': { admin: 'all' },
  'user:manage': { admin: 'all' },
  'agreement:manage': { admin: 'all' },
  // Suitability checklists, consent forms, GP letter templates and the postcode → IMD table.
  'config:manage': { admin: 'all' },
  // The regimen library is clinical configuration, not patient data: staff who prescribe, screen or give doses read it;
  // only an administrator saves and publishes versions.
  'regimen:read': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'own-org'), admin: 'all' },
  'regimen:manage': { admin: 'all' },
  // Courses, schedules, prescriptions, weights and LVEF: the Trust's clinical staff; the provider once referred.
  'prescribing:read': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'agreement') },
  // Start a course, write and sign prescriptions, defer, hold, resume, cancel, assess LVEF, override the gate.
  'prescribing:prescribe': { 'trust-prescriber': 'own-org' },
  // Clinical screening (verification) and release to the provider.
  'prescribing:screen': { 'trust-pharmacist': 'own-org' },
  // The provider's pharmacy dispenses and delivers released prescriptions.
  'prescribing:dispense': { 'provider-pharmacist': 'agreement' },
  // Recording a dose as given (or not): the provider's nurse at home, the Trust's nurse for hospital cycles.
  'prescribing:administer': { 'provider-nurse': 'agreement', 'trust-nurse': 'own-org' },
  // Weights and LVEF results, as measured and reported.
  'prescribing:measure': grant(['trust-nurse', 'trust-prescriber'], 'own-org'),
  // Home visits: the provider's staff for patients referred to them; the Trust's clinical staff see what happened.
  'visit:read': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'agreement') },
  'visit:schedule': { 'provider-coordinator': 'agreement' },
  // The nurse at the door: checklist, dose, not given, reactions, incidents.
  'visit:record': { 'provider-nurse': 'agreement' },
  // What the provider's record raises for the Trust (reactions, deferral requests, incidents).
  'alert:read': grant(TRUST_CLINICAL, 'own-org'),
  // A prescriber reviews reactions; a cancer manager closes incidents; a nurse or prescriber closes other requests.
  'alert:resolve': grant(['trust-prescriber', 'trust-nurse', 'cancer-manager'], 'own-org'),
  // Provider performance in aggregate: no patient identifiers, so commissioners and the network may see it too.
  'performance:read': { 'provider-coordinator': 'own-org', 'cancer-manager': 'own-org', commissioner: 'all', 'network-lead': 'all', admin: 'all' },
  // Steering-group and commissioner reports (uptake, CQUIN, QIPP): a cancer manager their Trust's units; commissioners,
  // the network and administrators every Trust, in aggregate with small numbers withheld, never an identifier.
  'report:read': { 'cancer-manager': 'own-org', commissioner: 'all', 'network-lead': 'all', admin: 'all' },
  // From a report figure to the patients behind it: only the Trust's own cancer manager, who may see its patients.
  'report:drilldown': { 'cancer-manager': 'own-org' },
  // Every dose the Trust gave, with NHS numbers, as CSV: the Trust's cancer manager and pharmacists (reconciliation).
  'export:administrations': grant(['cancer-manager', 'trust-pharmacist'], 'own-org'),
  // The CQUIN targets and unit costs behind the report (no patient data): those who see every Trust's report may read
  // them and their history; only an administrator saves a new version.
  'report-settings:read': { commissioner: 'all', 'network-lead': 'all', admin: 'all' },
  'report-settings:manage': { admin: 'all' },
  // A patient's satisfaction survey: the Trust's nurse makes the patient's one-time link, or enters a paper form for them.
  'survey:patient': { 'trust-nurse': 'own-org' },
  // The staff evaluation of the service: the Trust's and the provider's staff who work on the pathway answer it.
  'survey:staff': { ...grant(TRUST_CLINICAL, 'own-org'), ...grant(PROVIDER, 'own-org') },
};

function grant(roles: Role[], scope: Scope): Partial<Record<Role, Scope>> {
  return Object.fromEntries(roles.map((r) => [r, scope]));
}

/** The one decision: may a user with this role (or nobody, when signed out) perform this action? */
export function decide(role: Role | undefined, action: Action): boolean {
  if (action === 'public') return true;
  if (!role) return false;
  if (action === 'session') return true;
  return POLICY[action][role] !== undefined;
}

/** The actions a role is granted, for home pages and documentation. */
export function actionsFor(role: Role): Action[] {
  return ACTIONS.filter((a) => a !== 'public' && decide(role, a));
}
