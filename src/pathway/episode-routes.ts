import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { EPISODE_EVENTS, EPISODE_STATES } from './episode-rules.ts';
import { applyEpisodeEvent, createEpisode, getEpisode, listEpisodes, respondToReferral } from './episodes.ts';
import { getLetterPdf, listLetters } from './letters.ts';
import { historyFor, presentEpisode, presentHistory } from './present.ts';
import { EpisodeEventInput, EpisodeInput, ReferralResponseInput } from './validation.ts';

const EpisodeOut = z.object({ id: z.string(), patientId: z.string(), regimen: z.string(), state: z.enum(EPISODE_STATES), providerId: z.string().nullable(), version: z.number(), createdAt: z.string(), updatedAt: z.string() });
const HistoryOut = z.object({ event: z.string(), label: z.string(), from: z.string(), to: z.string(), reasonCode: z.string().nullable(), reason: z.string().nullable(), note: z.string().nullable(), summary: z.string(), data: z.record(z.string(), z.unknown()), byUserId: z.string(), byOrgId: z.string(), at: z.string() });
const tags = ['pathway'];

/** The home-pathway episode API: open an episode, move it through the pathway, and the provider's answer. */
export async function episodeRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/patients/:id/episodes', { config: { action: 'episode:create' }, schema: { tags, summary: 'Open a home-pathway episode for a patient', params: IdParams, body: EpisodeInput, response: { 201: EpisodeOut, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(presentEpisode(await createEpisode(db, ctxOf(req), req.params.id, req.body))),
  );
  app.get('/api/v1/patients/:id/episodes', { config: { action: 'episode:read' }, schema: { tags, summary: "A patient's episodes", params: IdParams, response: { 200: z.object({ episodes: z.array(EpisodeOut) }), ...errorResponses } } }, async (req) => ({
    episodes: (await listEpisodes(db, ctxOf(req), req.params.id)).map(presentEpisode),
  }));
  app.get('/api/v1/episodes/:id', { config: { action: 'episode:read' }, schema: { tags, summary: 'An episode with its full history and the events allowed next', params: IdParams, response: { 200: z.object({ episode: EpisodeOut, history: z.array(HistoryOut), allowedEvents: z.array(z.enum(EPISODE_EVENTS)) }), ...errorResponses } } }, async (req) => {
    const { episode, history, allowed } = await getEpisode(db, ctxOf(req), req.params.id);
    const ctx = ctxOf(req);
    return { episode: presentEpisode(episode), history: historyFor(ctx, history).map(presentHistory), allowedEvents: ctx.orgKind === 'trust' ? allowed : [] };
  });
  app.post('/api/v1/episodes/:id/events', { config: { action: 'episode:update' }, schema: { tags, summary: 'Record a pathway event (suitability, offer, choice, referral, consent, start, return to hospital, completion); 409 says what is allowed', params: IdParams, body: EpisodeEventInput, response: { 200: EpisodeOut, ...errorResponses } } }, async (req) =>
    presentEpisode(await applyEpisodeEvent(db, ctxOf(req), req.params.id, req.body)),
  );
  app.get('/api/v1/episodes/:id/letters', { config: { action: 'letter:read' }, schema: { tags, summary: 'GP letters generated for an episode', params: IdParams, response: { 200: z.object({ letters: z.array(z.object({ id: z.string(), kind: z.string(), templateVersion: z.string(), createdAt: z.string(), href: z.string() })) }), ...errorResponses } } }, async (req) => {
    await getEpisode(db, ctxOf(req), req.params.id);
    const letters = await listLetters(db, ctxOf(req), req.params.id);
    return { letters: letters.map((l) => ({ id: l.id, kind: l.kind, templateVersion: l.templateVersion, createdAt: l.createdAt.toISOString(), href: `/api/v1/episodes/${req.params.id}/letters/${l.id}` })) };
  });
  app.get('/api/v1/episodes/:id/letters/:letterId', { config: { action: 'letter:read' }, schema: { tags, summary: 'Download a GP letter (PDF)', params: z.object({ id: z.uuid('Enter a valid id'), letterId: z.uuid('Enter a valid id') }), response: { 200: z.any(), ...errorResponses } } }, async (req, reply) => {
    const letter = await getLetterPdf(db, ctxOf(req), req.params.id, req.params.letterId);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="gp-letter-${letter.kind}-${letter.createdAt.toISOString().slice(0, 10)}.pdf"`)
      .send(letter.pdf);
  });
  app.post('/api/v1/episodes/:id/referral-response', { config: { action: 'referral:respond' }, schema: { tags, summary: "The provider's answer to a referral", params: IdParams, body: ReferralResponseInput, response: { 200: EpisodeOut, ...errorResponses } } }, async (req) =>
    presentEpisode(await respondToReferral(db, ctxOf(req), req.params.id, req.body)),
  );
}
