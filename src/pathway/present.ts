import { DECLINE_REASONS, EVENT_LABELS, RETURN_REASONS, type EpisodeEvent } from './episode-rules.ts';
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
    data: h.data ?? {},
    byUserId: h.byUserId,
    byOrgId: h.byOrgId,
    at: h.at.toISOString(),
  };
}
