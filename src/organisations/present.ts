import { londonDate } from '../platform/clock.ts';
import { agreementStatus } from './rules.ts';
import type { Agreement, Organisation, Unit } from './schema.ts';

export const ORG_KIND_LABELS = { trust: 'NHS Trust', provider: 'Home-care provider', commissioner: 'Commissioner', network: 'Cancer network' } as const;

export function presentOrganisation(o: Organisation) {
  return { id: o.id, kind: o.kind, kindLabel: ORG_KIND_LABELS[o.kind], odsCode: o.odsCode, name: o.name, active: o.active };
}

export function presentUnit(u: Unit) {
  return { id: u.id, trustId: u.trustId, code: u.code, name: u.name, active: u.active };
}

export function presentAgreement(a: Agreement, now: Date) {
  return {
    id: a.id,
    trustId: a.trustId,
    providerId: a.providerId,
    reference: a.reference,
    startsOn: a.startsOn,
    endsOn: a.endsOn,
    endedAt: a.endedAt?.toISOString() ?? null,
    endedReason: a.endedReason,
    status: agreementStatus(a, londonDate(now)),
  };
}
