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
