import type { RequestContext } from '../platform/context.ts';
import type { Patient } from './schema.ts';
import { formatNhsNumber } from './rules.ts';

/**
 * A patient for the viewer's organisation. The owning Trust sees the registry record; a provider sees only what
 * its referral needs (identity and postcode for the visit), never who registered the patient or when.
 */
export function presentPatient(p: Patient, ctx: RequestContext) {
  const base = {
    id: p.id,
    nhsNumber: formatNhsNumber(p.nhsNumber),
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    postcode: p.postcode,
  };
  if (ctx.orgKind !== 'trust') return base;
  return { ...base, trustId: p.trustId, unitId: p.unitId, version: p.version, createdAt: p.createdAt.toISOString() };
}
