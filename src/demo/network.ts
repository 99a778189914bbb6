import type { Role } from '../access/roles.ts';

/**
 * The demo network, modelled on the pilot: three Trusts with five chemotherapy units between them, one home-care
 * provider with agreements with all three, one commissioner and the cancer network. Names are fictional.
 */
export const DEMO_TRUSTS = [
  { key: 'a', odsCode: 'RX1', name: 'Ardenfield NHS Foundation Trust', units: [{ code: 'RX101', name: 'Ardenfield Hospital Chemotherapy Day Unit' }, { code: 'RX102', name: 'Moorside Hospital Chemotherapy Suite' }] },
  { key: 'b', odsCode: 'RX2', name: 'Brookvale NHS Foundation Trust', units: [{ code: 'RX201', name: 'Brookvale City Hospital Oncology Day Unit' }, { code: 'RX202', name: 'Westford Hospital Chemotherapy Unit' }] },
  { key: 'c', odsCode: 'RX3', name: 'Castlegate University Hospitals NHS Foundation Trust', units: [{ code: 'RX301', name: 'Castlegate Cancer Centre Day Unit' }] },
] as const;

export const DEMO_PROVIDER = { odsCode: 'HX1', name: 'Meridian Home Healthcare' };
export const DEMO_COMMISSIONER = { odsCode: 'QX1', name: 'Midlands Specialised Commissioning' };
export const DEMO_NETWORK = { odsCode: 'NX1', name: 'Midlands Cancer Network' };

export const TRUST_ROLES: Role[] = ['trust-nurse', 'trust-prescriber', 'trust-pharmacist', 'cancer-manager'];
export const PROVIDER_ROLES: Role[] = ['provider-nurse', 'provider-coordinator', 'provider-pharmacist'];

export const DEMO_NAMES: Record<Role, string> = {
  'trust-nurse': 'Alex Morgan',
  'trust-prescriber': 'Dr Priya Shah',
  'trust-pharmacist': 'Sam Okafor',
  'cancer-manager': 'Jo Whitfield',
  'provider-nurse': 'Chris Adeyemi',
  'provider-coordinator': 'Pat Doyle',
  'provider-pharmacist': 'Lee Chen',
  commissioner: 'Robin Hale',
  'network-lead': 'Dana Price',
  admin: 'Homeward Administrator',
};

/** Demo username: the role slug for the first Trust, with -b / -c for the second and third. */
export function demoUsername(role: Role, trustKey: 'a' | 'b' | 'c' = 'a'): string {
  return trustKey === 'a' ? role : `${role}-${trustKey}`;
}
