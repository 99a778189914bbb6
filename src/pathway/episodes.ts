import { and, asc, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import { scalar, type Db, type Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { organisations } from '../organisations/schema.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { allowedEvents, RETURN_REASONS, transition, type EpisodeEvent } from './episode-rules.ts';
import { regimenNames, treatableRegimens } from '../prescribing/regimen-store.ts';
import { cancelFutureVisits } from '../visits/moves.ts';
import { LETTER_FOR_EVENT } from './letters-rules.ts';
import { assessChecklist, checklistProblems } from './suitability.ts';
import { currentChecklist } from './checklists.ts';
import { choosableConsentForms } from './consent-forms.ts';
import { consents, type ConsentKind } from './config-schema.ts';
import { londonDate } from '../platform/clock.ts';
import { writeLetter } from './letters.ts';
import { episodeEvents, episodes, referrals, type Episode } from './schema.ts';
import type { EpisodeEventData, EpisodeInput, ReferralResponseInput } from './validation.ts';

/** Opens a home-pathway episode for one of the Trust's patients. */
export function createEpisode(db: Db, ctx: RequestContext, patientId: string, input: z.infer<typeof EpisodeInput>) {
  return withContext(db, ctx, async (tx) => {
    const [patient] = await tx.select({ id: patients.id, trustId: patients.trustId }).from(patients).where(and(eq(patients.id, patientId), patientScope(ctx), eq(patients.trustId, ctx.orgId)));
    if (!patient) throw notFound('patient');
    // One open episode per patient: referrals and provider access follow the patient, so two open episodes could
    // end each other's access.
    if (!(await treatableRegimens(tx)).some((r) => r.value === input.regimen)) throw new AppError('validation', 'Select a regimen from the list', { regimen: 'Select a regimen from the list' });
    const [open] = await tx.select({ id: episodes.id }).from(episodes).where(and(eq(episodes.patientId, patientId), notInArray(episodes.state, ['completed', 'discontinued'])));
    if (open) throw new AppError('conflict', 'This patient already has an open home-pathway episode. Complete or discontinue it before starting another.');
    const [row] = await tx
      .insert(episodes)
      .values({ patientId, trustId: ctx.orgId, regimen: input.regimen, createdBy: ctx.userId, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    await audit(tx, ctx, { action: 'episode:create', patientId, detail: { episodeId: row!.id, regimen: input.regimen } });
    return row!;
  });
}

async function loadEpisode(tx: Tx, ctx: RequestContext, id: string): Promise<Episode> {
  const [row] = await tx
    .select({ episode: episodes })
    .from(episodes)
    .innerJoin(patients, eq(patients.id, episodes.patientId))
    .where(and(eq(episodes.id, id), patientScope(ctx)));
  if (!row) throw notFound('episode');
  return row.episode;
}

/** An episode with its full history and the events that may come next. */
export function getEpisode(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const episode = await loadEpisode(tx, ctx, id);
    const history = await tx.select().from(episodeEvents).where(eq(episodeEvents.episodeId, id)).orderBy(asc(episodeEvents.version));
    await audit(tx, ctx, { action: 'episode:read', patientId: episode.patientId, detail: { episodeId: id } });
    return { episode, history, allowed: allowedEvents(episode.state) };
  });
}

export function listEpisodes(db: Db, ctx: RequestContext, patientId: string) {
  return withContext(db, ctx, async (tx) => {
    const [patient] = await tx.select({ id: patients.id }).from(patients).where(and(eq(patients.id, patientId), patientScope(ctx)));
    if (!patient) throw notFound('patient');
    const list = await tx.select().from(episodes).where(eq(episodes.patientId, patientId)).orderBy(desc(episodes.createdAt));
    await audit(tx, ctx, { action: 'episode:list', patientId });
    return list;
  });
}

/**
 * Applies one pathway event: checks it is allowed from the current state (409 saying what is allowed if not),
 * checks the version when the caller sent one, then writes the new state, the history row, any referral change and
 * the audit row in one transaction.
 */
export function applyEpisodeEvent(db: Db, ctx: RequestContext, id: string, data: EpisodeEventData | ProviderEvent) {
  return withContext(db, ctx, async (tx) => {
    const episode = await loadEpisode(tx, ctx, id);
    if (data.expectedVersion !== undefined && data.expectedVersion !== episode.version) {
      throw new AppError('conflict', 'Someone else changed this episode since you opened it. Reload the page to see the latest, then try again.');
    }
    const event: EpisodeEvent = data.event;
    let assessment: (ReturnType<typeof assessChecklist> & { checklistVersion: number }) | undefined;
    if (data.event === 'assess') {
      const checklist = await currentChecklist(tx, episode.regimen);
      const problems = checklistProblems(checklist.items, data.answers);
      if (Object.keys(problems).length) {
        const fields = Object.fromEntries(Object.entries(problems).map(([code, m]) => [`answers.${code}`, m]));
        throw new AppError('validation', Object.values(problems)[0]!, fields);
      }
      assessment = { ...assessChecklist(checklist.items, data.answers), checklistVersion: checklist.version };
    }
    const result = transition(episode.state, event, { suitable: assessment?.suitable });
    if (!result.ok) throw new AppError('conflict', result.message);

    let providerId = episode.providerId;
    if (data.event === 'refer') {
      const [provider] = await tx.select().from(organisations).where(and(eq(organisations.id, data.providerId), eq(organisations.kind, 'provider'), eq(organisations.active, true)));
      if (!provider) throw new AppError('validation', 'Select a home-care provider', { providerId: 'Select a home-care provider' });
      const active = await scalar<boolean>(tx, sql`select app_agreement_active(${episode.trustId}::uuid, ${data.providerId}::uuid)`);
      if (!active) {
        const msg = `There is no active data-sharing agreement with ${provider.name}`;
        throw new AppError('validation', msg, { providerId: msg });
      }
      providerId = data.providerId;
      await tx.insert(referrals).values({ patientId: episode.patientId, trustId: episode.trustId, providerId, createdBy: ctx.userId, createdAt: ctx.now });
    }
    if ((data.event === 'provider-accept' || data.event === 'provider-decline') && episode.providerId !== ctx.orgId) throw notFound('episode');
    if ((data.event === 'consent' || data.event === 'start-home') && episode.providerId) {
      // The provider must still be able to act: consent names it, and the GP is told it is giving the treatment.
      const active = await scalar<boolean>(tx, sql`select app_agreement_active(${episode.trustId}::uuid, ${episode.providerId}::uuid)`);
      if (!active) throw new AppError('conflict', 'The data-sharing agreement with this provider is no longer active. Return the patient to hospital treatment or refer them again.');
    }
    if (data.event === 'consent') await checkConsent(tx, ctx, episode, data);
    const [updated] = await tx
      .update(episodes)
      .set({ state: result.to, providerId, version: episode.version + 1, updatedAt: ctx.now })
      .where(and(eq(episodes.id, id), eq(episodes.version, episode.version)))
      .returning();
    if (!updated) throw new AppError('conflict', 'Someone else changed this episode at the same moment. Reload the page and try again.');
    const { event: _e, expectedVersion: _v, note, ...rest } = data as EpisodeEventData & { note?: string };
    const details: Record<string, unknown> = assessment ? { ...rest, checklistVersion: assessment.checklistVersion, suitable: assessment.suitable, unmetItems: assessment.unmet } : rest;
    const reasonCode = 'reasonCode' in details ? (details.reasonCode as string) : null;
    await tx.insert(episodeEvents).values({
      episodeId: id,
      patientId: episode.patientId,
      trustId: episode.trustId,
      event,
      fromState: episode.state,
      toState: result.to,
      version: updated.version,
      reasonCode,
      note: note ?? null,
      data: details,
      byUserId: ctx.userId,
      byOrgId: ctx.orgId,
      at: ctx.now,
    });
    if (data.event === 'consent') {
      const common = { episodeId: id, patientId: episode.patientId, trustId: episode.trustId, takenOn: data.takenOn, takenBy: ctx.userId, recordedAt: ctx.now };
      await tx.insert(consents).values([
        { ...common, kind: 'home-treatment', formVersion: data.homeTreatmentForm, providerId: episode.providerId },
        { ...common, kind: 'data-sharing', formVersion: data.dataSharingForm, providerId: episode.providerId },
      ]);
    }
    if (data.event === 'withdraw-consent') {
      await tx
        .update(consents)
        .set({ withdrawnAt: ctx.now, withdrawnBy: ctx.userId, withdrawalNote: note ?? null })
        .where(and(eq(consents.episodeId, id), isNull(consents.withdrawnAt)));
    }
    // Referral status changes come last: a declined or withdrawn referral ends the provider's sight of the patient,
    // and row-level security checks the episode rows above against it.
    if (data.event === 'provider-accept' || data.event === 'provider-decline') {
      await tx
        .update(referrals)
        .set({ status: data.event === 'provider-accept' ? 'accepted' : 'declined' })
        .where(and(eq(referrals.patientId, episode.patientId), eq(referrals.providerId, ctx.orgId), inArray(referrals.status, ['referred'])));
    }
    if (data.event === 'return-to-hospital' || data.event === 'withdraw-consent' || data.event === 'discontinue' || data.event === 'complete') {
      // The provider keeps seeing the patient's record only while the patient is on its home pathway.
      await tx.update(referrals).set({ status: 'withdrawn' }).where(and(eq(referrals.patientId, episode.patientId), inArray(referrals.status, ['referred', 'accepted'])));
      await cancelFutureVisits(tx, ctx, episode.patientId, `The patient left the home pathway (${event.replace(/-/g, ' ')})`);
    }

    // The GP hears about a return only if told home treatment had started.
    const leaving = event === 'return-to-hospital' || event === 'withdraw-consent';
    const letter = leaving && episode.state !== 'active-at-home' ? undefined : LETTER_FOR_EVENT[event];
    if (letter) {
      const reasons: Record<string, string> = RETURN_REASONS;
      const reason = event === 'withdraw-consent' ? 'the patient withdrew consent' : reasonCode ? (reasons[reasonCode] ?? reasonCode) : null;
      await writeLetter(tx, ctx, updated, letter, { reason, note: note ?? null, regimenLabel: (await regimenNames(tx))[episode.regimen] ?? episode.regimen });
    }
    await audit(tx, ctx, { action: `episode:${event}`, patientId: episode.patientId, detail: { episodeId: id, from: episode.state, to: result.to } });
    return updated;
  });
}

/**
 * Consent is taken on form versions in use, on a real date no later than today and no earlier than the episode
 * began; anything else would leave a record nobody could stand behind.
 */
async function checkConsent(tx: Tx, ctx: RequestContext, episode: Episode, data: Extract<EpisodeEventData, { event: 'consent' }>) {
  const forms = await choosableConsentForms(tx);
  const fields: Record<string, string> = {};
  const versions = (k: ConsentKind) => forms[k].map((f) => f.version);
  if (!versions('home-treatment').includes(data.homeTreatmentForm)) fields.homeTreatmentForm = `Select a version of the treatment at home form in use: ${versions('home-treatment').join(', ')}`;
  if (!versions('data-sharing').includes(data.dataSharingForm)) fields.dataSharingForm = `Select a version of the data-sharing form in use: ${versions('data-sharing').join(', ')}`;
  if (data.takenOn > londonDate(ctx.now)) fields.takenOn = 'The date consent was taken must be today or in the past';
  else if (data.takenOn < londonDate(episode.createdAt)) fields.takenOn = 'The date consent was taken must be on or after the day this episode began';
  if (Object.keys(fields).length) throw new AppError('validation', Object.values(fields)[0]!, fields);
}

export type ProviderEvent = { event: 'provider-accept' | 'provider-decline'; note?: string; expectedVersion?: number };

/** The provider's answer to a referral (only the provider it was sent to, while it may see the patient). */
export function respondToReferral(db: Db, ctx: RequestContext, episodeId: string, input: z.infer<typeof ReferralResponseInput>) {
  return applyEpisodeEvent(db, ctx, episodeId, { event: input.decision === 'accept' ? 'provider-accept' : 'provider-decline', note: input.note, expectedVersion: input.expectedVersion });
}
