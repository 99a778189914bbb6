/**
 * Demo treatment courses for the most recent patients at home, built through the prescribing services: cycles 1 and 2
 * given in hospital (each prescribed, signed, screened and recorded), and cycle 3 — the first at home, due within the
 * next two weeks — at different steps, so the worklists and the provider's dispensing list have something on them.
 */
import type { RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { londonDate } from '../platform/clock.ts';
import { addDays } from '../prescribing/dates.ts';
import { getCourse, recordWeight, startCourse } from '../prescribing/courses.ts';
import { assessLvefResult, recordLvef } from '../prescribing/lvef.ts';
import { administerDose, createPrescription, stepPrescription } from '../prescribing/prescriptions.ts';

export interface TrustTeam {
  nurse: RequestContext;
  prescriber: RequestContext;
  pharmacist: RequestContext;
}

export async function buildDemoCourses(db: Db, opts: { home: { trustKey: string; episodeId: string }[]; teams: Map<string, TrustTeam>; now: Date; log: (m: string) => void }) {
  const today = londonDate(opts.now);
  const recent = opts.home.slice(-15);
  let released = 0;
  for (const [j, h] of recent.entries()) {
    const team = opts.teams.get(h.trustKey)!;
    const as = (ctx: RequestContext): RequestContext => ({ ...ctx, now: opts.now });
    const cycle3Due = addDays(today, 1 + (j % 14));
    const start = addDays(cycle3Due, -42);
    const course = await startCourse(db, as(team.prescriber), h.episodeId, { startDate: start });
    const lvef = await recordLvef(db, as(team.nurse), course.id, { measuredOn: addDays(start, -5), method: j % 4 === 0 ? 'muga' : 'echo', percent: 58 + (j % 9), reportingClinician: 'Dr M Okafor (cardiology)' });
    await assessLvefResult(db, as(team.prescriber), lvef.id, {});
    const weightKg = 58 + ((j * 7) % 35);
    const view = await getCourse(db, as(team.nurse), course.id);
    for (const cycle of view.schedule.slice(0, 3)) {
      if (cycle.cycleNumber === 3 && cycle.dueDate > addDays(today, 7)) break; // too far ahead to prescribe on today's weight
      await recordWeight(db, as(team.nurse), course.id, { weightKg, measuredOn: cycle.cycleNumber === 3 ? today : addDays(cycle.dueDate, -1) });
      const rx = await createPrescription(db, as(team.prescriber), cycle.id);
      if (cycle.cycleNumber === 3 && j % 3 === 2) continue; // a draft: "doses without a released prescription"
      await stepPrescription(db, as(team.prescriber), rx.id, { event: 'sign' });
      if (cycle.cycleNumber === 3 && j % 3 === 1) continue; // awaiting screening
      await stepPrescription(db, as(team.pharmacist), rx.id, { event: 'verify' });
      if (cycle.place === 'hospital') {
        await administerDose(db, as(team.nurse), rx.id, { givenOn: cycle.dueDate, doses: rx.doses.map((d) => ({ drug: d.drug, doseMg: d.doseMg })), anaphylaxisKitConfirmed: true });
      } else {
        await stepPrescription(db, as(team.pharmacist), rx.id, { event: 'transmit' });
        released++;
      }
    }
  }
  opts.log(`  ${recent.length} treatment courses; ${released} first home doses released to the provider`);
}
