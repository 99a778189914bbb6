/**
 * Small reads for the nurse's pages, next to the services they complement (which stay as they are): the home access
 * notes from each visit's referral, for the day's list; the latest LVEF result of the course, for the safety panel;
 * and the Trust's view of what was recorded at home, for the patient page. Each runs in `withContext`, so row-level
 * security applies; the visit list and panel they go with write the audit rows.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { episodeEvents } from '../pathway/schema.ts';
import { cycles, lvefResults, treatmentCourses } from '../prescribing/schema.ts';
import { CTCAE_GRADES } from './rules.ts';
import { visitRecordFor } from './service.ts';
import { INCIDENT_LABELS, REACTION_ACTION_LABELS, SEVERITY_LABELS } from './nurse-labels.ts';

/** The home access notes from the referral behind each visit's cycle (cycle id → notes). */
export function accessNotesFor(db: Db, ctx: RequestContext, cycleIds: string[]): Promise<Map<string, string>> {
  if (!cycleIds.length) return Promise.resolve(new Map());
  return withContext(db, ctx, async (tx) => {
    const rows = await tx
      .select({ cycleId: cycles.id, data: episodeEvents.data, version: episodeEvents.version })
      .from(cycles)
      .innerJoin(treatmentCourses, eq(treatmentCourses.id, cycles.courseId))
      .innerJoin(episodeEvents, and(eq(episodeEvents.episodeId, treatmentCourses.episodeId), eq(episodeEvents.event, 'refer')))
      .where(inArray(cycles.id, cycleIds))
      .orderBy(desc(episodeEvents.version));
    const notes = new Map<string, string>();
    for (const r of rows) {
      const text = (r.data as { accessNotes?: string } | null)?.accessNotes;
      if (!notes.has(r.cycleId) && text) notes.set(r.cycleId, text);
    }
    return notes;
  });
}

/** The course's most recent LVEF result by date measured, whether a clinician has assessed it yet. */
export function latestLvef(db: Db, ctx: RequestContext, courseId: string) {
  return withContext(db, ctx, async (tx) => {
    const [r] = await tx.select().from(lvefResults).where(eq(lvefResults.courseId, courseId)).orderBy(desc(lvefResults.measuredOn), desc(lvefResults.recordedAt)).limit(1);
    return r ? { measuredOn: r.measuredOn, percent: r.percent, assessed: r.assessedAt !== null } : null;
  });
}

const mg = (doses: { drug: string; doseMg: number }[]) => doses.map((d) => `${d.drug.charAt(0)}${d.drug.slice(1).toLowerCase()} ${d.doseMg} mg`).join(', ');

/** The Trust patient page's "Home treatment record": doses given, reactions and incidents, oldest first. */
export async function homeRecordFor(db: Db, ctx: RequestContext, patientId: string) {
  const r = await visitRecordFor(db, ctx, patientId);
  return {
    doses: r.administrations.map((a) => ({ givenOn: a.givenOn, dose: mg(a.doses), place: a.place === 'home' ? 'Home' : 'Hospital', site: a.site ?? 'Not recorded', batch: a.batch ?? 'Not recorded' })),
    reactions: r.reactions.map((x) => ({ at: x.recordedAt.toISOString(), grade: CTCAE_GRADES[x.grade] ?? `Grade ${x.grade}`, description: x.description, actions: x.actions.map((a) => (REACTION_ACTION_LABELS as Record<string, string>)[a] ?? a).join(', ') || 'None' })),
    incidents: r.incidents.map((x) => ({ at: x.recordedAt.toISOString(), kind: INCIDENT_LABELS[x.kind] ?? x.kind, severity: SEVERITY_LABELS[x.severity] ?? x.severity, description: x.description })),
  };
}
