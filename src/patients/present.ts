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
    // What a home visit needs: where, and how to reach the patient.
    addressLine1: p.addressLine1,
    addressLine2: p.addressLine2,
    town: p.town,
    phone: p.phone,
  };
  if (ctx.orgKind !== 'trust') return base;
  return {
    ...base,
    sex: p.sex,
    gpPracticeCode: p.gpPracticeCode,
    gpPracticeName: p.gpPracticeName,
    ethnicCategory: p.ethnicCategory,
    imdDecile: p.imdDecile,
    diagnosisCode: p.diagnosisCode,
    consultant: p.consultant,
    trustId: p.trustId,
    unitId: p.unitId,
    version: p.version,
    createdAt: p.createdAt.toISOString(),
  };
}
