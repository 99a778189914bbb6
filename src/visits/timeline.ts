/**
 * What the provider recorded at home, as rows of the episode's timeline (the Trust sees doses, reactions and incidents
 * beside the pathway's own events, in time order). Reads through `visitRecordFor`, which audits the read.
 */
import { londonDate } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { CTCAE_GRADES } from './rules.ts';
import { visitRecordFor } from './service.ts';

export interface TimelineRow {
  event: string;
  label: string;
  to: string;
  summary: string;
  at: string;
}

const mg = (doses: { drug: string; doseMg: number }[]) => doses.map((d) => `${d.drug.charAt(0)}${d.drug.slice(1).toLowerCase()} ${d.doseMg} mg`).join(', ');

export async function homeTimeline(db: Db, ctx: RequestContext, patientId: string, since: Date): Promise<TimelineRow[]> {
  const r = await visitRecordFor(db, ctx, patientId);
  const rows: TimelineRow[] = [
    ...r.administrations.map((a) => ({ event: 'dose', label: a.place === 'home' ? 'dose given at home' : 'dose given in hospital', to: 'dose given', summary: [mg(a.doses), a.site, a.batch ? `batch ${a.batch}` : null].filter(Boolean).join(', '), at: (a.startedAt ?? a.recordedAt).toISOString() })),
    ...r.visits.filter((v) => v.status === 'not-given').map((v) => ({ event: 'not-given', label: 'dose not given at home', to: 'deferral requested', summary: `Visit on ${v.visitDate}`, at: v.updatedAt.toISOString() })),
    ...r.reactions.map((x) => ({ event: 'reaction', label: 'reaction', to: CTCAE_GRADES[x.grade] ?? `grade ${x.grade}`, summary: x.description, at: x.recordedAt.toISOString() })),
    ...r.incidents.map((x) => ({ event: 'incident', label: 'incident', to: x.severity, summary: `${x.kind.toLowerCase().replace(/_/g, ' ')}: ${x.description}`, at: x.recordedAt.toISOString() })),
  ];
  // From the day the episode began (London date): a dose recorded that morning belongs to it.
  const from = londonDate(since);
  return rows.filter((row) => londonDate(new Date(row.at)) >= from);
}
