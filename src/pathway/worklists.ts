import { and, asc, eq, inArray, max, type SQL } from 'drizzle-orm';
import { londonDate } from '../platform/clock.ts';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { episodeEvents, episodes } from './schema.ts';

const DAY = 24 * 3600 * 1000;

/** Working days (Monday–Friday) between two instants; bank holidays are not modelled yet. */
export function workingDaysBetween(from: Date, to: Date): number {
  let days = 0;
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const end = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()));
  while (d < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) days++;
  }
  return days;
}

export interface WorklistItem {
  episodeId: string;
  patientId: string;
  name: string;
  nhsNumber: string;
  state: string;
  since: Date;
}

/** Episodes in the user's patient scope with the patient's name, oldest change first. */
function episodesWithPatients(tx: Tx, ctx: RequestContext, where: SQL) {
  return tx
    .select({ e: episodes, p: { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber } })
    .from(episodes)
    .innerJoin(patients, eq(patients.id, episodes.patientId))
    .where(and(patientScope(ctx), where))
    .orderBy(asc(episodes.updatedAt));
}

type Row = Awaited<ReturnType<typeof episodesWithPatients>>[number];
const item = (r: Row): WorklistItem => ({ episodeId: r.e.id, patientId: r.p.id, name: `${r.p.familyName}, ${r.p.givenName}`, nhsNumber: r.p.nhsNumber, state: r.e.state, since: r.e.updatedAt });

/**
 * The Trust's chasing lists, so nobody has to keep them by hand: suitable but not offered; offered and undecided
 * for more than 14 days; referred and not accepted within 5 working days; returned to hospital this month.
 */
export function trustWorklists(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const rows = await episodesWithPatients(tx, ctx, inArray(episodes.state, ['suitable', 'offered', 'undecided', 'referred', 'returned-to-hospital']));
    // "This month" is the calendar month in Europe/London; "undecided for 14 days" counts from the latest offer.
    const thisMonth = londonDate(ctx.now).slice(0, 7);
    const waiting = rows.filter((r) => r.e.state === 'offered' || r.e.state === 'undecided').map((r) => r.e.id);
    const offers = waiting.length
      ? await tx.select({ episodeId: episodeEvents.episodeId, at: max(episodeEvents.at) }).from(episodeEvents).where(and(inArray(episodeEvents.episodeId, waiting), eq(episodeEvents.event, 'offer'))).groupBy(episodeEvents.episodeId)
      : [];
    const offeredAt = new Map(offers.map((o) => [o.episodeId, o.at]));
    const lists = {
      suitableNotOffered: rows.filter((r) => r.e.state === 'suitable').map(item),
      undecidedOver14Days: rows
        .filter((r) => (r.e.state === 'offered' || r.e.state === 'undecided') && ctx.now.getTime() - (offeredAt.get(r.e.id) ?? r.e.updatedAt).getTime() > 14 * DAY)
        .map((r) => ({ ...item(r), since: offeredAt.get(r.e.id) ?? r.e.updatedAt })),
      referralsNotAccepted: rows.filter((r) => r.e.state === 'referred' && workingDaysBetween(r.e.updatedAt, ctx.now) > 5).map(item),
      returnedThisMonth: rows.filter((r) => r.e.state === 'returned-to-hospital' && londonDate(r.e.updatedAt).slice(0, 7) === thisMonth).map(item),
    };
    const ids = Object.values(lists).flat().map((i) => i.patientId);
    await audit(tx, ctx, { action: 'worklist:read', detail: { patientIds: ids } });
    return lists;
  });
}

/** The provider's inbox: referrals waiting for an answer. */
export function providerReferralInbox(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const rows = await episodesWithPatients(tx, ctx, and(eq(episodes.state, 'referred'), eq(episodes.providerId, ctx.orgId))!);
    await audit(tx, ctx, { action: 'worklist:read', detail: { patientIds: rows.map((r) => r.p.id) } });
    return rows.map(item);
  });
}

