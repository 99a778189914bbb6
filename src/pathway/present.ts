import { DECLINE_REASONS, EVENT_LABELS, RETURN_REASONS, type EpisodeEvent } from './episode-rules.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Episode, EpisodeEventRow } from './schema.ts';

export function presentEpisode(e: Episode) {
  return { id: e.id, patientId: e.patientId, regimen: e.regimen, state: e.state, providerId: e.providerId, version: e.version, createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString() };
}

/** A history row as people read it: what happened, coded reason spelt out, who and when. */
export function presentHistory(h: EpisodeEventRow) {
  const reasons: Record<string, string> = { ...DECLINE_REASONS, ...RETURN_REASONS };
  return {
    event: h.event,
    label: EVENT_LABELS[h.event as EpisodeEvent],
    from: h.fromState,
    to: h.toState,
    reasonCode: h.reasonCode,
    reason: h.reasonCode ? (reasons[h.reasonCode] ?? h.reasonCode) : null,
    note: h.note,
    summary: [h.reasonCode ? (reasons[h.reasonCode] ?? h.reasonCode) : null, detailsOf(h), h.note].filter(Boolean).join('. '),
    data: h.data ?? {},
    byUserId: h.byUserId,
    byOrgId: h.byOrgId,
    at: h.at.toISOString(),
  };
}

/** The facts an event recorded, in words, for the history table (who signed what, what was unmet). */
function detailsOf(h: EpisodeEventRow): string | null {
  const d = (h.data ?? {}) as Record<string, unknown>;
  const checklist = typeof d.checklistVersion === 'number' ? ` (checklist version ${d.checklistVersion})` : '';
  if (h.event === 'assess') return d.suitable ? `Suitable${checklist}` : `Not suitable${checklist}: ${((d.unmetItems as string[] | undefined) ?? []).join('; ')}`;
  if (h.event === 'offer') return `Offered on ${String(d.offeredOn)}, leaflet ${String(d.leafletVersion)}`;
  if (h.event === 'consent') return `Consent taken on ${String(d.takenOn)}: treatment at home form ${String(d.homeTreatmentForm)}, data-sharing form ${String(d.dataSharingForm)}`;
  return null;
}

/**
 * What of the history a viewer may see. A provider sees the referral and what followed it, not the Trust's
 * earlier assessment, offer or the patient's reasons (it needs the referral, not the Trust's whole record).
 */
export function historyFor(ctx: RequestContext, history: EpisodeEventRow[]): EpisodeEventRow[] {
  if (ctx.orgKind === 'trust') return history;
  const lastReferral = history.map((h) => h.event).lastIndexOf('refer');
  return lastReferral === -1 ? [] : history.slice(lastReferral);
}

/** The details of the most recent referral, for the referral summary both sides see. */
export function latestReferral(history: EpisodeEventRow[]): Record<string, unknown> | null {
  const last = [...history].reverse().find((h) => h.event === 'refer');
  return last ? { ...(last.data ?? {}), referredAt: last.at.toISOString() } : null;
}
