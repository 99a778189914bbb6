import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import { decide, type Action } from '../access/policy.ts';
import { londonDate } from '../platform/clock.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { pageFacts } from './page-data.ts';
import { bodyOf, DOSE_KIND_LABELS, HISTORY_LABELS, pageErrors, STATE_LABELS, STATE_TAGS, text, ticked, tryService, version, type Body, type PageErrors } from './page-helpers.ts';
import { allowedPrescriptionEvents } from './prescription-rules.ts';
import { LIVE_STATES } from './prescription-store.ts';
import { administerDose, getPrescription, overrideGate, stepPrescription } from './prescriptions.ts';
import { presentPrescription } from './present.ts';
import { AdministerInput, ReasonInput, StepInput } from './validation.ts';

const DONE: Record<string, string> = {
  created: 'The prescription has been written as a draft. Check the dose and its working, then sign it.',
  sign: 'The prescription has been signed. A pharmacist who did not sign it must now screen it.',
  hold: 'The prescription is on hold.',
  resume: 'The prescription has been taken off hold.',
  cancel: 'The prescription has been cancelled.',
  verify: 'The prescription has been verified.',
  transmit: 'The prescription has been released to the provider.',
  deliver: 'Dispensing and delivery have been recorded.',
  administer: 'The dose has been recorded as given.',
  'not-given': 'The dose has been recorded as not given.',
  override: 'The override has been recorded. It is shown with this prescription to everyone who acts on it, including the nurse.',
};

/** The fields of each action's form, as the page names them (`<event>-<field>`). */
const FIELDS: Record<string, readonly string[]> = {
  hold: ['reason'],
  cancel: ['reason'],
  override: ['reason'],
  'not-given': ['reason'],
  deliver: ['batch', 'expiry', 'coldChainConfirmed', 'deliveredOn'],
};

type Extra = Partial<PageErrors> & { values?: Body };

/** The prescription page and the steps each role takes on it, one route per policy action (as the API has). */
export async function prescriptionPages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  const prescriptionPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Extra = {}) => {
    const ctx = ctxOf(req);
    const v = await getPrescription(db, ctx, id);
    const rx = presentPrescription(v.rx);
    const people = [v.rx.signedBy, v.rx.verifiedBy, v.rx.releasedBy, v.rx.deliveredBy, ...v.history.map((h) => h.byUserId)];
    const { patient, names } = await pageFacts(db, ctx, v.rx.patientId, people);
    const allowed = allowedPrescriptionEvents(v.rx.state);
    const ownTrust = ctx.orgKind === 'trust' && v.rx.trustId === ctx.orgId;
    const prescriber = ownTrust && decide(ctx.role, 'prescribing:prescribe');
    const pharmacist = ownTrust && decide(ctx.role, 'prescribing:screen');
    const provider = ctx.orgKind === 'provider';
    const gives = decide(ctx.role, 'prescribing:administer') && (provider ? v.rx.state === 'delivered' : ownTrust && v.rx.state === 'verified' && v.cycle.place === 'hospital');
    const live = LIVE_STATES.includes(v.rx.state) && v.rx.state !== 'administered';
    const actions = {
      sign: prescriber && allowed.includes('sign'),
      hold: prescriber && allowed.includes('hold'),
      resume: prescriber && allowed.includes('resume'),
      cancel: (prescriber || pharmacist) && allowed.includes('cancel'),
      cancelRoute: prescriber ? 'prescriber-steps' : 'pharmacy-steps',
      override: prescriber && live && !!v.gate?.blocking.length,
      verify: pharmacist && allowed.includes('verify'),
      transmit: pharmacist && allowed.includes('transmit') && v.cycle.place === 'home',
      deliver: provider && decide(ctx.role, 'prescribing:dispense') && allowed.includes('deliver'),
      administer: gives,
      notGiven: provider && decide(ctx.role, 'prescribing:administer') && allowed.includes('not-given'),
    };
    const who = (by: string | null, at: string | null) => (by && at ? { name: names[by] ?? 'Unknown', at } : null);
    const query = req.query as Record<string, string | undefined>;
    return renderPage(req, reply, 'prescribing/views/prescription.njk', {
      title: `Prescription for cycle ${rx.cycle}`,
      patient,
      rx,
      regimen: { name: v.loaded.regimen.name, version: v.loaded.regimen.version },
      place: v.cycle.place,
      stateLabel: STATE_LABELS[rx.state],
      stateTag: STATE_TAGS[rx.state],
      kindLabel: DOSE_KIND_LABELS[rx.doseKind],
      signed: who(v.rx.signedBy, rx.signedAt),
      verified: who(v.rx.verifiedBy, rx.verifiedAt),
      released: who(v.rx.releasedBy, rx.releasedAt),
      delivered: who(v.rx.deliveredBy, rx.deliveredAt),
      stale: live && !v.matchesSchedule,
      gate: v.gate,
      overrides: v.overrides.map((o) => ({ byName: o.byName, reason: o.reason, blocks: o.blocks, at: o.at.toISOString() })),
      history: v.history.map((h) => ({ at: h.at.toISOString(), label: HISTORY_LABELS[h.event] ?? h.event, from: h.fromState ? STATE_LABELS[h.fromState] : null, to: STATE_LABELS[h.toState], by: names[h.byUserId] ?? 'Unknown', reason: h.reason, data: h.data })),
      actions,
      today: londonDate(ctx.now),
      done: DONE[query.done ?? ''] ?? null,
      values: {},
      errors: {},
      ...extra,
    });
  };
  const again = (req: FastifyRequest, reply: FastifyReply, status: number, errors: PageErrors) =>
    prescriptionPage(req, reply.code(status), (req.params as { id: string }).id, { ...errors, values: bodyOf(req) });
  const done = (reply: FastifyReply, id: string, what: string) => reply.redirect(`/prescriptions/${id}?done=${what}`, 303);

  app.get('/prescriptions/:id', { config: { action: 'prescribing:read' }, schema: { hide: true, params: IdParams } }, async (req, reply) => prescriptionPage(req, reply, req.params.id));

  /** One lifecycle step form; `events` are those this policy action may take (the service checks the rest). */
  const step = (action: Action, path: string, events: string[]) =>
    app.post(path, { config: { action }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
      const body = bodyOf(req);
      const event = String(body.event ?? (events.length === 1 ? events[0] : ''));
      if (!events.includes(event)) return again(req, reply, 400, pageErrors(event || 'step', { _: 'Choose one of the actions on this page' }, []));
      const input =
        event === 'deliver'
          ? { event, batch: typeof body.batch === 'string' ? body.batch : '', expiry: text(body.expiry), coldChainConfirmed: ticked(body.coldChainConfirmed), deliveredOn: text(body.deliveredOn), expectedVersion: version(body.expectedVersion) }
          : FIELDS[event]?.includes('reason')
            ? { event, reason: typeof body.reason === 'string' ? body.reason : '', expectedVersion: version(body.expectedVersion) }
            : { event, expectedVersion: version(body.expectedVersion) };
      const form = parseForm(StepInput, JSON.parse(JSON.stringify(input)));
      if (!form.ok) return again(req, reply, 400, pageErrors(event, form.errors, FIELDS[event] ?? []));
      const r = await tryService(stepPrescription(db, ctxOf(req), req.params.id, form.data), event, FIELDS[event] ?? []);
      if (!r.ok) return again(req, reply, r.status, r);
      return done(reply, req.params.id, event);
    });
  step('prescribing:prescribe', '/prescriptions/:id/prescriber-steps', ['sign', 'hold', 'resume', 'cancel']);
  step('prescribing:screen', '/prescriptions/:id/pharmacy-steps', ['verify', 'transmit', 'cancel']);
  step('prescribing:dispense', '/prescriptions/:id/dispensing', ['deliver']);

  app.post('/prescriptions/:id/override', { config: { action: 'prescribing:prescribe' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const reason = bodyOf(req).reason;
    const form = parseForm(ReasonInput, { reason: typeof reason === 'string' ? reason : '' });
    if (!form.ok) return again(req, reply, 400, pageErrors('override', form.errors, FIELDS.override!));
    const r = await tryService(overrideGate(db, ctxOf(req), req.params.id, form.data), 'override', FIELDS.override!);
    if (!r.ok) return again(req, reply, r.status, r);
    return done(reply, req.params.id, 'override');
  });

  // The dose given or not given: one policy action, so one route; the form says which.
  app.post('/prescriptions/:id/administration', { config: { action: 'prescribing:administer' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    if (body.event === 'not-given') {
      const form = parseForm(StepInput, { event: 'not-given', reason: typeof body.reason === 'string' ? body.reason : '', ...JSON.parse(JSON.stringify({ expectedVersion: version(body.expectedVersion) })) });
      if (!form.ok) return again(req, reply, 400, pageErrors('not-given', form.errors, FIELDS['not-given']!));
      const r = await tryService(stepPrescription(db, ctxOf(req), req.params.id, form.data), 'not-given', FIELDS['not-given']!);
      if (!r.ok) return again(req, reply, r.status, r);
      return done(reply, req.params.id, 'not-given');
    }
    // The nurse types each dose given: nothing is assumed from the prescription.
    const doses: { drug: string; doseMg: number | undefined }[] = [];
    for (let i = 0; typeof body[`drug-${i}`] === 'string'; i++) doses.push({ drug: String(body[`drug-${i}`]), doseMg: text(body[`dose-${i}`]) === undefined ? undefined : Number(String(body[`dose-${i}`]).trim()) });
    const fields = ['givenOn', 'anaphylaxisKitConfirmed', ...doses.map((_, i) => `doses-${i}-doseMg`)];
    const input = { givenOn: text(body.givenOn), doses, anaphylaxisKitConfirmed: ticked(body.anaphylaxisKitConfirmed), expectedVersion: version(body.expectedVersion) };
    const form = parseForm(AdministerInput, JSON.parse(JSON.stringify(input)));
    if (!form.ok) return again(req, reply, 400, pageErrors('administer', form.errors, fields, { doses: 'doses-0-doseMg' }));
    const r = await tryService(administerDose(db, ctxOf(req), req.params.id, form.data), 'administer', fields, { doses: 'doses-0-doseMg' });
    if (!r.ok) return again(req, reply, r.status, r);
    return done(reply, req.params.id, 'administer');
  });
}
