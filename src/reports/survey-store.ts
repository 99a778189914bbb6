/**
 * Storing surveys: one-time links for patients on the home pathway, the patient's answers through a link, a patient's
 * paper answers entered by their Trust's nurse, and the staff evaluation. Every write and every read of a patient's
 * survey writes an audit row in its own transaction.
 */
import { and, asc, eq, exists, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { sha256, randomToken } from '../identity/secrets.ts';
import { episodeEvents, episodes } from '../pathway/schema.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { londonDate } from '../platform/clock.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { surveyLinks, surveyResponses } from './survey-schema.ts';
import type { StoredAnswers } from './surveys.ts';

/** How long a patient's link stays open: four weeks, a cycle and a bit, so a paper reminder at the next visit still works. */
export const LINK_DAYS = 28;
const LINK_MS = LINK_DAYS * 24 * 60 * 60 * 1000;
const NOT_ON_HOME_PATHWAY = 'Select a patient who has had treatment at home';

/** A patient on the home pathway: their episode has started treatment at home (they may since have returned or finished). */
const startedAtHome = (tx: Tx) =>
  exists(tx.select({ one: sql`1` }).from(episodeEvents).where(and(eq(episodeEvents.episodeId, episodes.id), eq(episodeEvents.event, 'start-home'))));

/** The episode and its patient, in the user's own Trust and scope; anything else is "not found", like a missing one. */
async function ownEpisode(tx: Tx, ctx: RequestContext, episodeId: string) {
  const [row] = await tx
    .select({ episodeId: episodes.id, patientId: patients.id, unitId: patients.unitId, home: startedAtHome(tx).mapWith(Boolean) })
    .from(episodes)
    .innerJoin(patients, eq(patients.id, episodes.patientId))
    .where(and(eq(episodes.id, episodeId), eq(episodes.trustId, ctx.orgId), patientScope(ctx)));
  if (!row) throw notFound('episode');
  return row;
}

/** Whether the user may make a survey link for this episode now (for the episode page's button). */
export async function canMakeSurveyLink(db: Db, ctx: RequestContext, episodeId: string): Promise<boolean> {
  if (ctx.orgKind !== 'trust') return false;
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx.select({ id: episodes.id }).from(episodes).where(and(eq(episodes.id, episodeId), eq(episodes.trustId, ctx.orgId), startedAtHome(tx)));
    return !!row;
  });
}

/**
 * A new one-time link for the patient of an episode that has started treatment at home. The token is returned once,
 * to show to the nurse; only its hash is kept.
 */
export async function createSurveyLink(db: Db, ctx: RequestContext, episodeId: string): Promise<{ token: string; expiresAt: Date }> {
  return withContext(db, ctx, async (tx) => {
    const ep = await ownEpisode(tx, ctx, episodeId);
    if (!ep.home) throw new AppError('conflict', 'A survey link can only be made for a patient who has had treatment at home');
    const token = randomToken();
    const expiresAt = new Date(ctx.now.getTime() + LINK_MS);
    const [link] = await tx
      .insert(surveyLinks)
      .values({ tokenHash: sha256(token), patientId: ep.patientId, episodeId: ep.episodeId, trustId: ctx.orgId, unitId: ep.unitId, createdBy: ctx.userId, createdAt: ctx.now, expiresAt })
      .returning({ id: surveyLinks.id });
    await audit(tx, ctx, { action: 'survey:link', patientId: ep.patientId, detail: { episodeId, linkId: link!.id, expiresAt: expiresAt.toISOString() } });
    return { token, expiresAt };
  });
}

/** The patients of the user's Trust (their units, when limited) who have had treatment at home, for staff entry. */
export async function homePathwayPatients(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const list = await tx
      .select({ episodeId: episodes.id, patientId: patients.id, givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber })
      .from(episodes)
      .innerJoin(patients, eq(patients.id, episodes.patientId))
      .where(and(eq(episodes.trustId, ctx.orgId), patientScope(ctx), startedAtHome(tx)))
      .orderBy(asc(patients.familyName), asc(patients.givenName));
    await audit(tx, ctx, { action: 'patient:list', detail: { list: 'survey-entry', count: list.length, patientIds: list.map((p) => p.patientId) } });
    return list;
  });
}

/** A patient's answers from a paper form, entered by a nurse of their Trust. */
export async function enterPatientSurvey(db: Db, ctx: RequestContext, episodeId: string, answers: StoredAnswers): Promise<{ id: string; submittedAt: Date }> {
  return withContext(db, ctx, async (tx) => {
    const ep = await ownEpisode(tx, ctx, episodeId);
    if (!ep.home) throw new AppError('validation', NOT_ON_HOME_PATHWAY, { episodeId: NOT_ON_HOME_PATHWAY });
    const [row] = await tx
      .insert(surveyResponses)
      .values({ kind: 'patient-satisfaction', orgId: ctx.orgId, unitId: ep.unitId, patientId: ep.patientId, episodeId: ep.episodeId, answers, source: 'staff', enteredBy: ctx.userId, submittedAt: ctx.now })
      .returning({ id: surveyResponses.id, submittedAt: surveyResponses.submittedAt });
    await audit(tx, ctx, { action: 'survey:enter', patientId: ep.patientId, detail: { kind: 'patient-satisfaction', responseId: row!.id, episodeId } });
    return row!;
  });
}

/** The staff evaluation, answered by the member of staff for their own organisation. */
export async function submitStaffEvaluation(db: Db, ctx: RequestContext, answers: StoredAnswers): Promise<{ id: string; submittedAt: Date }> {
  return withContext(db, ctx, async (tx) => {
    const [row] = await tx
      .insert(surveyResponses)
      .values({ kind: 'staff-evaluation', orgId: ctx.orgId, answers, source: 'staff', enteredBy: ctx.userId, submittedAt: ctx.now })
      .returning({ id: surveyResponses.id, submittedAt: surveyResponses.submittedAt });
    await audit(tx, ctx, { action: 'survey:staff', detail: { kind: 'staff-evaluation', responseId: row!.id } });
    return row!;
  });
}

/** What a signed-out request knows: when it is, and where from (for the audit row of the patient's answers). */
export interface LinkRequest {
  now: Date;
  ip: string | null;
}

/** Tokens are 32 random bytes in base64url; anything else cannot be one, and is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Runs `fn` as the request role with only the link's token hash set, so row-level security shows this one link and
 * nothing else; `fn` receives the link when it is open (unused and not expired) and null otherwise. The link is locked
 * for the transaction, so of two submissions at once one finds it used.
 */
async function withOpenLink<T>(db: Db, token: string, at: LinkRequest, fn: (tx: Tx, link: typeof surveyLinks.$inferSelect | null) => Promise<T>): Promise<T> {
  const tokenHash = TOKEN_SHAPE.test(token) ? sha256(token) : '';
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.survey_token', ${tokenHash}, true), set_config('app.today', ${londonDate(at.now)}, true)`);
        await tx.execute(sql`set local role homeward_app`);
        const [link] = tokenHash ? await tx.select().from(surveyLinks).where(eq(surveyLinks.tokenHash, tokenHash)).for('update') : [];
        const open = link && !link.usedAt && link.expiresAt.getTime() > at.now.getTime() ? link : null;
        return fn(tx, open);
      });
    } catch (err) {
      if (attempt < 3 && (pgCode(err) === '40001' || pgCode(err) === '40P01')) continue;
      throw err;
    }
  }
}

/** Whether a link can still be answered. Opening it shows no patient data, so it is not audited. */
export async function surveyLinkOpen(db: Db, token: string, at: LinkRequest): Promise<boolean> {
  return withOpenLink(db, token, at, async (_tx, link) => link !== null);
}

/**
 * The patient's answers through their link: stored, and the link marked used, in one transaction, with an audit row
 * that names the patient (no user: the patient is not signed in). A used, expired or unknown link stores nothing.
 */
export async function submitLinkSurvey(db: Db, token: string, at: LinkRequest, answers: StoredAnswers): Promise<boolean> {
  return withOpenLink(db, token, at, async (tx, link) => {
    if (!link) return false;
    // From here the transaction writes for the link's Trust (row-level security checks every row against it).
    await tx.execute(sql`select set_config('app.org_id', ${link.trustId}, true)`);
    const [row] = await tx
      .insert(surveyResponses)
      .values({ kind: 'patient-satisfaction', orgId: link.trustId, unitId: link.unitId, patientId: link.patientId, episodeId: link.episodeId, answers, source: 'patient-link', linkId: link.id, submittedAt: at.now })
      .returning({ id: surveyResponses.id });
    await tx.update(surveyLinks).set({ usedAt: at.now }).where(eq(surveyLinks.id, link.id));
    await audit(tx, { now: at.now, purpose: 'patient-survey', orgId: link.trustId, ip: at.ip }, { action: 'survey:submit', patientId: link.patientId, detail: { kind: 'patient-satisfaction', responseId: row!.id, linkId: link.id, source: 'patient-link' } });
    return true;
  });
}
