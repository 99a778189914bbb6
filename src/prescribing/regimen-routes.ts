import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decide } from '../access/policy.ts';
import { ctxOf } from '../access/guard.ts';
import { AppError } from '../platform/errors.ts';
import type { AppDeps } from '../web/app.ts';
import { attempt, type FormErrors } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { errorResponses, IdParams } from '../web/schemas.ts';
import { DOSE_UNITS, SACT_ROUTE_CODES, type DoseBasis, type RegimenDefinition } from './regimen.ts';
import { getRegimen, listRegimens, publishRegimen, saveRegimenDraft } from './regimen-store.ts';
import { REGIMEN_STATUSES, type RegimenRow } from './schema.ts';

const tags = ['prescribing'];

// ---- The definition as JSON ----
// These check only the shape (every field present, of the right type, nothing extra). Whether the values make sense
// (a cycle of at least a day, at least one drug, a code in lower case…) is validateRegimen's job, in the service, so
// the API and the page give the same messages.
const num = (what: string) => z.number({ error: `Enter ${what} as a number` });
const bool = (what: string) => z.boolean({ error: `Say whether ${what}: true or false` });
const str = (what: string, max: number) => z.string({ error: `Enter ${what} as text` }).max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max.toLocaleString('en-GB')} characters or fewer`);

const DrugDoseBody = z.strictObject({
  drug: str('the drug name', 60),
  loading: num('the loading dose (or null for none)').nullable(),
  maintenance: num('the maintenance dose'),
  vial: z.strictObject({ mg: num('the vial size in mg'), pricePence: num('the vial price in pence (or null)').nullable() }, { error: 'Enter the vial as { "mg", "pricePence" }, or leave it out' }).optional(),
});

const LvefMonitoringBody = z.strictObject(
  {
    intervalWeeks: num('the LVEF interval in weeks'),
    blockAfterDays: num('the days after which an old LVEF blocks release'),
    dueSoonDays: num('the days before the due date to warn'),
    repeatAfterSuspensionDays: num('the days to the repeat LVEF after a suspension'),
    baselineBlockAtOrBelow: num('the baseline LVEF threshold'),
  },
  { error: 'Enter the LVEF monitoring settings, or null for none' },
);

/** A whole regimen definition, as `RegimenDefinition` (src/prescribing/regimen.ts) describes it. */
export const RegimenDefinitionBody = z.strictObject(
  {
    code: str('the code', 60),
    name: str('the regimen name', 200),
    version: num('the version').describe('Ignored when saving: a new version gets the next number for its code'),
    route: z.enum(['IV', 'SC'], { error: 'Select IV or SC' }),
    basis: z.enum(Object.keys(DOSE_UNITS) as [DoseBasis, ...DoseBasis[]], { error: 'Select weight (mg/kg), body surface area (mg/m²) or fixed dose (mg)' }).describe('weight: mg/kg; bsa: mg/m² (Mosteller); fixed: mg'),
    drugs: z.array(DrugDoseBody, { error: 'Enter the drugs as a list' }).max(10, 'A regimen can have at most 10 drugs'),
    cycleLengthDays: num('the cycle length in days'),
    totalCycles: num('the number of cycles'),
    courseLimitWeeks: num('the course limit in weeks (or null for none)').nullable(),
    infusionMinutes: z.strictObject(
      { first: num('the first infusion time in minutes'), subsequent: num('the usual infusion time in minutes'), subsequentIfWellTolerated: num('the infusion time for a well-tolerated dose (or null)').nullable() },
      { error: 'Enter the infusion times as { "first", "subsequent", "subsequentIfWellTolerated" }' },
    ),
    observationMinutes: z.strictObject({ first: num('the first observation time in minutes'), subsequent: num('the usual observation time in minutes') }, { error: 'Enter the observation times as { "first", "subsequent" }' }),
    observationAfterReload: z.enum(['first', 'subsequent'], { error: 'Select the observation after a re-loading dose: first or subsequent' }),
    premedication: z.array(str('each premedication', 200), { error: 'Enter the premedication as a list (empty for none)' }).max(20, 'List at most 20 premedications'),
    anaphylaxisKitRequired: bool('an anaphylaxis kit is required'),
    lvefMonitoring: LvefMonitoringBody.nullable(),
    weight: z.strictObject(
      {
        freshnessDays: num('how recent the weight must be, in days'),
        changeThresholdPercent: num('the weight change threshold in percent'),
        reference: z.enum(['last-used', 'baseline'], { error: 'Select the reference weight: last-used or baseline' }),
        recalculateEveryCycle: bool('the dose is recalculated every cycle'),
      },
      { error: 'Enter the weight rules' },
    ),
    missedDose: z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('reload-when-late'), reloadAfterDaysLate: num('the days late before re-loading'), rebaseAfterMinorDelay: bool('a short delay restarts the schedule') }),
        z.strictObject({ kind: z.literal('same-dose') }),
      ],
      { error: 'Select the missed-dose rule: reload-when-late or same-dose' },
    ),
    rounding: z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('none') }),
        z.strictObject({ kind: z.literal('nearest'), stepMg: num('the rounding step in mg') }),
        z.strictObject({
          kind: z.literal('bands'),
          bands: z.array(z.strictObject({ fromMg: num('the band’s from dose in mg'), toMg: num('the band’s to dose in mg'), doseMg: num('the band dose in mg') }), { error: 'Enter the dose bands as a list' }).max(100, 'A band table can have at most 100 bands'),
        }),
      ],
      { error: 'Select the rounding: none, nearest or bands' },
    ),
    tolerancePercent: num('the dose tolerance in percent'),
    homeSuitable: bool('the regimen is suitable for home'),
    hospitalCyclesFirst: num('the cycles given in hospital first'),
    validDaysAfterDue: num('how many days a prescription stays valid after its due date'),
    observationLimits: z
      .strictObject({
        temperatureC: z.strictObject({ min: num('the lowest temperature'), max: num('the highest temperature') }),
        pulse: z.strictObject({ min: num('the lowest pulse'), max: num('the highest pulse') }),
        systolic: z.strictObject({ min: num('the lowest systolic pressure'), max: num('the highest systolic pressure') }),
        diastolic: z.strictObject({ min: num('the lowest diastolic pressure'), max: num('the highest diastolic pressure') }),
        spo2: z.strictObject({ min: num('the lowest oxygen saturation') }),
      })
      .optional(),
    source: str('where the values come from', 2000),
    illustrative: bool('the values are illustrative only'),
  },
  { error: 'Enter the regimen as a JSON object' },
) satisfies z.ZodType<RegimenDefinition>;

const RegimenSummaryOut = z.object({
  id: z.uuid(),
  code: z.string(),
  version: z.number(),
  name: z.string(),
  status: z.enum(REGIMEN_STATUSES),
  publishedAt: z.string().nullable(),
  illustrative: z.boolean(),
});
const RegimenOut = RegimenSummaryOut.extend({ createdAt: z.string(), definition: RegimenDefinitionBody });

const presentSummary = (r: RegimenRow) => ({
  id: r.id,
  code: r.code,
  version: r.version,
  name: r.name,
  status: r.status,
  publishedAt: r.publishedAt?.toISOString() ?? null,
  illustrative: r.definition.illustrative,
});
const presentRegimen = (r: RegimenRow) => ({ ...presentSummary(r), createdAt: r.createdAt.toISOString(), definition: r.definition });

// ---- The definition in words, for the page ----

const STATUS_TAGS: Record<RegimenRow['status'], { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'nhsuk-tag--yellow' },
  published: { text: 'Published', classes: 'nhsuk-tag--green' },
  retired: { text: 'Retired', classes: 'nhsuk-tag--grey' },
};
const BASIS_LABELS: Record<DoseBasis, string> = {
  weight: 'Actual body weight (mg/kg)',
  bsa: 'Body surface area, Mosteller (mg/m²)',
  fixed: 'Fixed dose (mg)',
};
const ROUTE_LABELS: Record<RegimenDefinition['route'], string> = { IV: 'Intravenous (IV)', SC: 'Subcutaneous (SC)' };

const n = (v: number) => v.toLocaleString('en-GB');
const plural = (v: number, one: string, many = `${one}s`) => `${n(v)} ${v === 1 ? one : many}`;
const pounds = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Every field of a definition as rows of a summary list: a label and one or more lines of plain text. */
export function describeRegimen(def: RegimenDefinition): { key: string; lines: string[] }[] {
  const unit = DOSE_UNITS[def.basis] ?? 'mg';
  const drugs = def.drugs.map((d) => {
    const parts = [d.loading === null ? 'no loading dose' : `loading ${n(d.loading)} ${unit}`, `maintenance ${n(d.maintenance)} ${unit}`];
    if (d.vial) parts.push(`${n(d.vial.mg)} mg vial${d.vial.pricePence === null ? ' (price not known)' : ` at ${pounds(d.vial.pricePence)}`}`);
    return `${d.drug}: ${parts.join(', ')}`;
  });
  const inf = def.infusionMinutes;
  const obs = def.observationMinutes;
  const l = def.lvefMonitoring;
  const w = def.weight;
  const r = def.rounding;
  const m = def.missedDose;
  let missed: string[];
  switch (m.kind) {
    case 'reload-when-late':
      missed = [
        `More than ${plural(m.reloadAfterDaysLate, 'day')} late: the loading dose again, and the schedule restarts from the day it is given`,
        `Otherwise: the maintenance dose, ${m.rebaseAfterMinorDelay ? 'and the schedule restarts from the day it is given' : 'keeping the original schedule'}`,
      ];
      break;
    case 'same-dose':
      missed = ['The same dose whatever the delay; the next dose is due one cycle after the day it is given'];
      break;
  }
  let rounding: string[];
  switch (r.kind) {
    case 'none':
      rounding = ['As calculated, to 0.1 mg'];
      break;
    case 'nearest':
      rounding = [`To the nearest ${n(r.stepMg)} mg`];
      break;
    case 'bands':
      rounding = r.bands.map((b) => `From ${n(b.fromMg)} mg up to ${n(b.toMg)} mg: ${n(b.doseMg)} mg`);
      break;
  }
  return [
    { key: 'Code', lines: [def.code] },
    { key: 'Name', lines: [def.name] },
    { key: 'Route', lines: [`${ROUTE_LABELS[def.route] ?? def.route}, SACT code ${SACT_ROUTE_CODES[def.route] ?? 'unknown'}`] },
    { key: 'Dose based on', lines: [BASIS_LABELS[def.basis] ?? def.basis] },
    { key: def.drugs.length === 1 ? 'Drug and doses' : 'Drugs and doses', lines: drugs.length ? drugs : ['None'] },
    { key: 'Cycle length', lines: [plural(def.cycleLengthDays, 'day')] },
    { key: 'Number of cycles', lines: [n(def.totalCycles)] },
    { key: 'Course limit', lines: [def.courseLimitWeeks === null ? 'None' : `${plural(def.courseLimitWeeks, 'week')} from the first dose, whatever the number of cycles`] },
    {
      key: 'Infusion or injection time',
      lines: [
        `First dose (and a re-loading dose): ${plural(inf.first, 'minute')}`,
        `Later doses: ${plural(inf.subsequent, 'minute')}${inf.subsequentIfWellTolerated === null ? '' : `, or ${plural(inf.subsequentIfWellTolerated, 'minute')} if the earlier doses were well tolerated`}`,
      ],
    },
    {
      key: 'Observation after the dose starts',
      lines: [`First dose: ${plural(obs.first, 'minute')}`, `Later doses: ${plural(obs.subsequent, 'minute')}`, `A re-loading dose: as the ${def.observationAfterReload === 'first' ? 'first dose' : 'later doses'}`],
    },
    { key: 'Premedication', lines: def.premedication.length ? def.premedication : ['None'] },
    { key: 'Anaphylaxis kit', lines: [def.anaphylaxisKitRequired ? 'Required at every dose' : 'Not required'] },
    {
      key: 'LVEF monitoring',
      lines: l
        ? [
            `A new LVEF every ${plural(l.intervalWeeks, 'week')}; shown as due soon ${plural(l.dueSoonDays, 'day')} before`,
            `Release to the provider is blocked once the last LVEF is more than ${plural(l.blockAfterDays, 'day')} old`,
            `After a suspension, the repeat LVEF is due within ${plural(l.repeatAfterSuspensionDays, 'day')}`,
            `A baseline LVEF of ${n(l.baselineBlockAtOrBelow)}% or less blocks the start of treatment`,
          ]
        : ['None'],
    },
    {
      key: 'Weight',
      lines: [
        `Measured no more than ${plural(w.freshnessDays, 'day')} before the dose`,
        w.recalculateEveryCycle
          ? 'The dose is recalculated from the current weight every cycle'
          : `Recalculate and re-sign after a change of ${n(w.changeThresholdPercent)}% or more from the ${w.reference === 'baseline' ? 'baseline weight' : 'weight of the last calculated dose'}`,
      ],
    },
    { key: 'Missed or late dose', lines: missed },
    { key: 'Dose rounding', lines: rounding },
    { key: 'Dose tolerance', lines: [`The dose given may differ from the calculated dose by at most ${n(def.tolerancePercent)}%`] },
    { key: 'Suitable for home treatment', lines: [def.homeSuitable ? 'Yes' : 'No'] },
    { key: 'Cycles in hospital first', lines: [n(def.hospitalCyclesFirst)] },
    { key: 'Prescription valid', lines: [`Until ${plural(def.validDaysAfterDue, 'day')} after the dose’s due date`] },
    { key: 'Source', lines: [def.source] },
  ];
}

// ---- The page form ----

export const INVALID_JSON = 'Enter the regimen as valid JSON';

/** The error summary for the definition box: every problem listed, each pointing at the one box. */
function definitionErrors(messages: string[]): FormErrors & { definitionProblems: string[] } {
  const unique = [...new Set(messages)];
  return { errors: { definition: unique[0] ?? INVALID_JSON }, errorList: unique.map((text) => ({ text, href: '#definition' })), definitionProblems: unique };
}

/** Messages for a definition whose shape is wrong, worded for the person typing it. */
function shapeProblems(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `Remove "${at ? `${at}.` : ''}${k}": it is not part of a regimen definition`);
    return [issue.message];
  });
}

/** Administrator API and pages for the regimen library: versions are saved as drafts, published, and never changed. */
export async function regimenRoutes(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const read = 'regimen:read' as const;
  const manage = 'regimen:manage' as const;

  // ---- API ----
  app.get(
    '/api/v1/regimens',
    { config: { action: read }, schema: { tags, summary: 'Every version of every regimen in the library, newest version of each code first', response: { 200: z.object({ regimens: z.array(RegimenSummaryOut) }), ...errorResponses } } },
    async (req) => ({ regimens: (await listRegimens(db, ctxOf(req))).map(presentSummary) }),
  );
  app.get(
    '/api/v1/regimens/:id',
    { config: { action: read }, schema: { tags, summary: 'One version of a regimen, with its full definition', params: IdParams, response: { 200: RegimenOut, ...errorResponses } } },
    async (req) => presentRegimen(await getRegimen(db, ctxOf(req), req.params.id)),
  );
  app.post(
    '/api/v1/admin/regimens',
    {
      config: { action: manage },
      schema: {
        tags,
        summary: 'Save a regimen definition as a draft: the next version of its code (a new code starts at version 1)',
        description: 'The whole definition is checked before it is saved, so a draft can always be published as it stands. Published versions are never changed.',
        body: RegimenDefinitionBody,
        response: { 201: RegimenOut, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(presentRegimen(await saveRegimenDraft(db, ctxOf(req), req.body))),
  );
  app.post(
    '/api/v1/admin/regimens/:id/publish',
    {
      config: { action: manage },
      schema: { tags, summary: 'Publish a draft: new courses of its code use it and the previous published version is retired (409 if it is not a draft)', params: IdParams, response: { 200: RegimenOut, ...errorResponses } },
    },
    async (req) => presentRegimen(await publishRegimen(db, ctxOf(req), req.params.id)),
  );

  // ---- Pages ----
  const listPage = async (req: FastifyRequest, reply: FastifyReply, extra: object = {}) => {
    const ctx = ctxOf(req);
    const rows = await listRegimens(db, ctx);
    const groups: { code: string; name: string; illustrative: boolean; versions: ReturnType<typeof presentSummary>[] }[] = [];
    for (const r of rows) {
      let g = groups.find((x) => x.code === r.code);
      if (!g) groups.push((g = { code: r.code, name: r.name, illustrative: r.definition.illustrative, versions: [] }));
      g.versions.push(presentSummary(r));
    }
    return renderPage(req, reply, 'prescribing/views/regimens.njk', {
      title: 'Regimen library',
      groups: groups.map((g) => ({ ...g, versions: g.versions.map((v) => ({ ...v, tag: STATUS_TAGS[v.status] })) })),
      canManage: decide(ctx.role, manage),
      ...extra,
    });
  };

  const regimenPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: object = {}) => {
    const ctx = ctxOf(req);
    const row = await getRegimen(db, ctx, id);
    const versions = (await listRegimens(db, ctx)).filter((r) => r.code === row.code).map((r) => ({ ...presentSummary(r), tag: STATUS_TAGS[r.status], current: r.id === row.id }));
    return renderPage(req, reply, 'prescribing/views/regimen.njk', {
      title: `${row.name}, version ${row.version}`,
      regimen: { ...presentSummary(row), createdAt: row.createdAt.toISOString(), tag: STATUS_TAGS[row.status] },
      summary: describeRegimen(row.definition),
      versions,
      definitionJson: JSON.stringify(row.definition, null, 2),
      canManage: decide(ctx.role, manage),
      ...extra,
    });
  };

  app.get('/admin/regimens', { config: { action: read }, schema: { hide: true } }, async (req, reply) => listPage(req, reply));
  app.get('/admin/regimens/:id', { config: { action: read }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    return regimenPage(req, reply, req.params.id, { saved: q.saved === '1', published: q.published === '1' });
  });

  app.post('/admin/regimens', { config: { action: manage }, schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = typeof body.definition === 'string' ? body.definition : '';
    // The form is on a version's page (to save the next version) or on the library page (a new regimen): a mistake
    // is shown on the page it came from, with the text as typed.
    const from = typeof body.from === 'string' && IdParams.safeParse({ id: body.from }).success ? body.from : undefined;
    const again = (status: number, messages: string[]) => {
      const extra = { ...definitionErrors(messages), values: { definition: text } };
      return from ? regimenPage(req, reply.code(status), from, extra) : listPage(req, reply.code(status), extra);
    };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return again(400, [INVALID_JSON]);
    }
    const shape = RegimenDefinitionBody.safeParse(json);
    if (!shape.success) return again(400, shapeProblems(shape.error));
    const result = await attempt(saveRegimenDraft(db, ctxOf(req), shape.data));
    if (!result.ok) return again(result.status, Object.values(result.errors));
    return reply.redirect(`/admin/regimens/${result.value.id}?saved=1`, 303);
  });

  app.post('/admin/regimens/:id/publish', { config: { action: manage }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    try {
      await publishRegimen(db, ctxOf(req), req.params.id);
    } catch (err) {
      // Already published or retired: say so on the version's page rather than on an error page.
      if (err instanceof AppError && err.code === 'conflict') return regimenPage(req, reply.code(409), req.params.id, { errors: { status: err.message }, errorList: [{ text: err.message, href: '#status' }] });
      throw err;
    }
    return reply.redirect(`/admin/regimens/${req.params.id}?published=1`, 303);
  });
}
