import type { OrgKind } from '../organisations/schema.ts';

/** Staff roles. The slug is also the demo username for the first Trust. */
export const ROLES = [
  'trust-nurse',
  'trust-prescriber',
  'trust-pharmacist',
  'cancer-manager',
  'provider-nurse',
  'provider-coordinator',
  'provider-pharmacist',
  'commissioner',
  'network-lead',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  'trust-nurse': 'Trust nurse',
  'trust-prescriber': 'Trust prescriber',
  'trust-pharmacist': 'Trust pharmacist',
  'cancer-manager': 'Trust cancer manager',
  'provider-nurse': 'Provider nurse',
  'provider-coordinator': 'Provider coordinator',
  'provider-pharmacist': 'Provider pharmacist',
  commissioner: 'Commissioner analyst',
  'network-lead': 'Network lead',
  admin: 'System administrator',
};

/** Which kind of organisation each role belongs to; a user's role must match their organisation's kind. */
export const ROLE_ORG_KIND: Record<Role, OrgKind> = {
  'trust-nurse': 'trust',
  'trust-prescriber': 'trust',
  'trust-pharmacist': 'trust',
  'cancer-manager': 'trust',
  'provider-nurse': 'provider',
  'provider-coordinator': 'provider',
  'provider-pharmacist': 'provider',
  commissioner: 'commissioner',
  'network-lead': 'network',
  admin: 'network',
};

/** Default purpose of use recorded in the audit trail for each role. */
export const ROLE_PURPOSE: Record<Role, string> = {
  'trust-nurse': 'direct-care',
  'trust-prescriber': 'direct-care',
  'trust-pharmacist': 'direct-care',
  'cancer-manager': 'service-management',
  'provider-nurse': 'direct-care',
  'provider-coordinator': 'direct-care',
  'provider-pharmacist': 'direct-care',
  commissioner: 'commissioning',
  'network-lead': 'service-management',
  admin: 'administration',
};
