import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { ctxOf } from '../access/guard.ts';
import { decide } from '../access/policy.ts';
import { audit } from '../audit/service.ts';
import { users } from '../identity/schema.ts';
import { episodes } from '../pathway/schema.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { londonDate } from '../platform/clock.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { addDays, isIsoDate } from '../prescribing/dates.ts';
import { bodyOf, pageErrors, text, tryService, version, type PageErrors } from '../prescribing/page-helpers.ts';
import { cycles, treatmentCourses } from '../prescribing/schema.ts';
import type { AppDeps } from '../web/app.ts';
import { parseForm } from '../web/forms.ts';
import { renderPage } from '../web/render.ts';
import { IdParams } from '../web/schemas.ts';
import { visits, type VisitRow } from './schema.ts';
import { listVisits, rescheduleVisit, scheduleVisits } from './service.ts';
import { RescheduleInput, ScheduleInput } from './validation.ts';

/** The provider's nurses, for the nurse filter and the booking and reschedule forms. */
export function providerNurses(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) =>
    tx.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.orgId, ctx.orgId), eq(users.role, 'provider-nurse'), eq(users.active, true))).orderBy(asc(users.displayName)),
  );
}

/** Courses of patients referred to the user's provider with planned home cycles that have no visit yet. */
export function coursesToBook(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => {
    const rows = await tx
      .select({ courseId: treatmentCourses.id, dueDate: cycles.dueDate, cycle: cycles.cycleNumber, patientId: patients.id, givenName: patients.givenName, familyName: patients.familyName, postcode: patients.postcode })
      .from(cycles)
      .innerJoin(treatmentCourses, eq(treatmentCourses.id, cycles.courseId))
      .innerJoin(episodes, eq(episodes.id, treatmentCourses.episodeId))
      .innerJoin(patients, eq(patients.id, cycles.patientId))
      .leftJoin(visits, and(eq(visits.cycleId, cycles.id), inArray(visits.status, ['scheduled', 'given'])))
      .where(and(patientScope(ctx), eq(episodes.providerId, ctx.orgId), eq(cycles.place, 'home'), eq(cycles.status, 'planned'), isNull(visits.id)))
      .orderBy(asc(cycles.dueDate));
    const courses = new Map<string, { courseId: string; patientId: string; name: string; postcode: string | null; firstDue: string; firstCycle: number; cycles: number }>();
    for (const r of rows) {
      const c = courses.get(r.courseId);
      if (c) c.cycles++;
      else courses.set(r.courseId, { courseId: r.courseId, patientId: r.patientId, name: `${r.familyName}, ${r.givenName}`, postcode: r.postcode, firstDue: r.dueDate, firstCycle: r.cycle, cycles: 1 });
    }
    const list = [...courses.values()];
    await audit(tx, ctx, { action: 'visit:to-book', detail: { patientIds: list.map((c) => c.patientId) } });
    return list;
  });
}

/** One of the provider's visits for the reschedule form, wherever it now is (after someone else moved it). */
function visitForForm(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [r] = await tx
      .select({ v: visits, p: { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, postcode: patients.postcode }, nurse: users.displayName })
      .from(visits)
      .innerJoin(patients, eq(patients.id, visits.patientId))
      .leftJoin(users, eq(users.id, visits.nurseId))
      .where(and(eq(visits.id, id), eq(visits.providerId, ctx.orgId), patientScope(ctx)));
    if (r) await audit(tx, ctx, { action: 'visit:read', patientId: r.p.id, detail: { visitId: id } });
    return r ? [r] : [];
  });
}

const STATUS_LABELS: Record<string, string> = { scheduled: 'Booked', given: 'Given', 'not-given': 'Not given', cancelled: 'Cancelled' };
const STATUS_TAGS: Record<string, string> = { scheduled: 'nhsuk-tag--blue', given: 'nhsuk-tag--green', 'not-given': 'nhsuk-tag--orange', cancelled: 'nhsuk-tag--grey' };
const DONE: Record<string, string> = { rescheduled: 'The visit has been rescheduled.', none: 'Every home cycle of that course already has a visit.' };
const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "Monday 1 June 2026", as NHS content writes dates. */
const dayLabel = (d: string) => `${WEEKDAY.format(new Date(`${d}T12:00:00Z`))} ${DATE.format(new Date(`${d}T12:00:00Z`))}`;
const RESCHEDULE_FIELDS = ['visitDate', 'windowStart', 'windowEnd', 'nurseId', 'reason'] as const;
const BOOK_FIELDS = ['windowStart', 'windowEnd', 'nurseId'] as const;

/** Which days the page shows: `date` (or today) alone, or its week from Monday. */
export function scheduleView(q: { date?: unknown; view?: unknown; nurse?: unknown }, today: string) {
  const date = typeof q.date === 'string' && isIsoDate(q.date) ? q.date : today;
  const view = q.view === 'week' ? ('week' as const) : ('day' as const);
  const nurse = typeof q.nurse === 'string' && /^[0-9a-f-]{36}$/i.test(q.nurse) ? q.nurse : undefined;
  const weekday = (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
  const from = view === 'week' ? addDays(date, -weekday) : date;
  const days = Array.from({ length: view === 'week' ? 7 : 1 }, (_, i) => addDays(from, i));
  const step = view === 'week' ? 7 : 1;
  const link = (d: string, v: string = view) => `/visits/schedule?${new URLSearchParams({ date: d, view: v, ...(nurse ? { nurse } : {}) }).toString()}`;
  return { date, view, nurse, days, from, to: days.at(-1)!, prev: link(addDays(from, -step)), next: link(addDays(from, step)), dayLink: link(date, 'day'), weekLink: link(date, 'week') };
}

type Listed = { v: VisitRow; p: { id: string; givenName: string; familyName: string; postcode: string | null }; nurse: string | null };
type Extra = Partial<PageErrors> & { values?: Record<string, unknown>; reschedule?: string };

/** The provider coordinator's pages: the day and week of visits per nurse, booking visits for courses, rescheduling. */
export async function schedulePages(base: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();

  const schedulePage = async (req: FastifyRequest, reply: FastifyReply, q: Record<string, unknown>, extra: Extra = {}) => {
    const ctx = ctxOf(req);
    const s = scheduleView(q, londonDate(ctx.now));
    const canSchedule = decide(ctx.role, 'visit:schedule');
    const listed = await listVisits(db, ctx, { from: s.from, to: s.to, nurseId: s.nurse });
    const nurses = ctx.orgKind === 'provider' ? await providerNurses(db, ctx) : [];
    const rescheduleId = extra.reschedule ?? (typeof q.reschedule === 'string' ? q.reschedule : undefined);
    const item = (r: Listed) => ({ id: r.v.id, date: r.v.visitDate, windowStart: r.v.windowStart, windowEnd: r.v.windowEnd, nurseId: r.v.nurseId, nurse: r.nurse, status: r.v.status, statusLabel: STATUS_LABELS[r.v.status], statusTag: STATUS_TAGS[r.v.status], version: r.v.version, reason: r.v.rescheduleReason, patientId: r.p.id, name: `${r.p.familyName}, ${r.p.givenName}`, postcode: r.p.postcode, canReschedule: canSchedule && r.v.status === 'scheduled' });
    const items = listed.map(item);
    const other = canSchedule && rescheduleId && IdParams.shape.id.safeParse(rescheduleId).success && !items.some((i) => i.id === rescheduleId) ? (await visitForForm(db, ctx, rescheduleId)).map(item) : [];
    const query = req.query as Record<string, string | undefined>;
    const booked = Number(query.booked);
    return renderPage(req, reply, 'visits/views/schedule-visits.njk', {
      title: s.view === 'week' ? 'Home visits this week' : 'Home visits',
      s,
      days: s.days.map((d) => ({ date: d, label: dayLabel(d), visits: items.filter((i) => i.date === d) })),
      nurses,
      nurseItems: [{ value: '', text: 'All nurses' }, ...nurses.map((n) => ({ value: n.id, text: n.name, selected: n.id === s.nurse }))],
      canSchedule,
      toBook: canSchedule ? await coursesToBook(db, ctx) : [],
      rescheduling: [...items, ...other].find((i) => i.id === rescheduleId && i.canReschedule) ?? null,
      done: query.done === 'booked' && booked > 0 ? `${booked} visit${booked === 1 ? '' : 's'} booked.` : DONE[query.done ?? ''],
      errors: {},
      ...extra,
    });
  };

  app.get('/visits/schedule', { config: { action: 'visit:read' }, schema: { hide: true } }, async (req, reply) => schedulePage(req, reply, req.query as Record<string, unknown>));

  // Where to go back to: the page the form was on (its hidden fields), so an error re-shows the same day or week.
  const returnOf = (body: Record<string, unknown>) => ({ date: text(body.returnDate), view: text(body.returnView), nurse: text(body.returnNurse) });

  app.post('/courses/:id/visits', { config: { action: 'visit:schedule' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    const formId = `book-${req.params.id}`;
    const back = returnOf(body);
    const form = parseForm(ScheduleInput, { windowStart: text(body.windowStart), windowEnd: text(body.windowEnd), nurseId: text(body.nurseId) });
    if (!form.ok) return schedulePage(req, reply.code(400), back, { ...pageErrors(formId, form.errors, BOOK_FIELDS), values: body });
    const result = await tryService(scheduleVisits(db, ctxOf(req), req.params.id, form.data), formId, BOOK_FIELDS);
    if (!result.ok) return schedulePage(req, reply.code(result.status), back, { ...result, values: body });
    const first = result.value.map((v) => v.visitDate).sort()[0];
    const params = new URLSearchParams({ date: first ?? back.date ?? '', view: 'day', done: result.value.length ? 'booked' : 'none', booked: String(result.value.length) });
    return reply.redirect(`/visits/schedule?${params.toString()}`, 303);
  });

  app.post('/visits/:id/reschedule', { config: { action: 'visit:schedule' }, schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const body = bodyOf(req);
    const back = returnOf(body);
    const again = (status: number, errors: PageErrors) => schedulePage(req, reply.code(status), back, { ...errors, values: body, reschedule: req.params.id });
    const form = parseForm(RescheduleInput, { visitDate: text(body.visitDate), windowStart: text(body.windowStart), windowEnd: text(body.windowEnd), nurseId: text(body.nurseId), reason: typeof body.reason === 'string' ? body.reason : undefined, expectedVersion: version(body.expectedVersion) });
    if (!form.ok) return again(400, pageErrors('reschedule', form.errors, RESCHEDULE_FIELDS));
    const result = await tryService(rescheduleVisit(db, ctxOf(req), req.params.id, form.data), 'reschedule', RESCHEDULE_FIELDS);
    // Someone else changed the visit: show it as it is now (the page is the reload), not what was typed over it.
    if (!result.ok) return result.status === 409 ? schedulePage(req, reply.code(409), back, { ...result, reschedule: req.params.id }) : again(result.status, result);
    const params = new URLSearchParams({ date: result.value.visitDate, view: back.view === 'week' ? 'week' : 'day', ...(back.nurse ? { nurse: back.nurse } : {}), done: 'rescheduled' });
    return reply.redirect(`/visits/schedule?${params.toString()}`, 303);
  });
}
