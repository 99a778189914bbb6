/**
 * The benchmark's server: the real application (`buildApp`, as src/server/main.ts starts it) on the benchmark's
 * database, with a fake clock stopped at 10:00 London time on the data's anchor date, so "today's visits" and "LVEF
 * overdue" are the same on every run and no session ever times out.
 *
 * Beside the product's routes it serves two "bare" routes, here only and never in the product: the same SQL as the
 * prescribing worklist and the provider's visit list, run directly on the owner's connection and returned as JSON —
 * no session look-up, no policy, no row-level security role, no audit row, no response schema. Measured side by side
 * with the product's routes, they show what those layers cost. A third, /bench/idle, answers once every other request
 * has finished, so one load run's last requests never slow the next. They are public: the server listens on 127.0.0.1.
 *
 * Run by bench/run.ts as a child process (PGlite serves one process): BENCH_DATABASE (JSON, see BenchDatabase),
 * BENCH_ANCHOR (YYYY-MM-DD), PORT (0 for any), BENCH_WAIT=1 to open the database only after a line on stdin. It
 * prints `BENCH_SERVER {"port":…}` once listening.
 */
import diagnostics from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sql, type SQL } from 'drizzle-orm';
import { FakeClock, londonDate } from '../src/platform/clock.ts';
import { openEmbedded, openPostgres, rows, type Database, type Db } from '../src/platform/db/client.ts';
import { lockDataDir } from '../src/platform/db/lock.ts';
import { createLogger } from '../src/platform/logger.ts';
import { addDays } from '../src/prescribing/dates.ts';
import { lvefMonitoringStatus } from '../src/prescribing/lvef-schedule.ts';
import type { RegimenDefinition } from '../src/prescribing/regimen.ts';
import { buildApp } from '../src/web/app.ts';

/** Where the benchmark's data is: a PostgreSQL URL, or an embedded folder (a DATA_DIR holding pglite/, or PGlite's own). */
export type BenchDatabase = { kind: 'postgres'; url: string } | { kind: 'embedded'; dir: string };

/** Opens the benchmark database (migrations applied, as the product does); an embedded DATA_DIR is locked. */
export async function openBenchDatabase(target: BenchDatabase): Promise<Database> {
  if (target.kind === 'postgres') return openPostgres(target.url, 10);
  const dataDir = existsSync(join(target.dir, 'PG_VERSION')) ? null : target.dir;
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  try {
    const database = await openEmbedded(dataDir ? join(dataDir, 'pglite') : target.dir);
    return {
      ...database,
      close: async () => {
        await database.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** 10:00 in Europe/London on a date, as an instant (09:00Z in summer, 10:00Z in winter). */
export function londonTenAm(date: string): Date {
  const guess = new Date(`${date}T10:00:00Z`);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23' }).format(guess));
  return new Date(guess.getTime() - (hour - 10) * 3600_000);
}

const inList = (ids: readonly string[]) => sql.join(ids.map((id) => sql`${id}`), sql`, `);
const nameOf = (p: { given_name: string; family_name: string }) => `${p.family_name}, ${p.given_name}`;

/** The owner's transaction with the organisation and date the product's SQL functions read. */
function bare<T>(db: Db, orgId: string, today: string, fn: (run: <R>(q: SQL) => Promise<R[]>) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.org_id', ${orgId}, true), set_config('app.today', ${today}, true)`);
    return fn(<R,>(q: SQL) => rows<R>(tx, q));
  });
}

interface Person {
  patient_id: string;
  given_name: string;
  family_name: string;
  nhs_number: string;
}

/**
 * The prescribing worklist's queries (src/prescribing/worklists.ts), written out in SQL for one Trust, with the same
 * LVEF rule applied to the answer: LVEF due soon and overdue, results awaiting assessment, doses in the next 14 days
 * without a released prescription, prescriptions awaiting screening.
 */
export async function barePrescribingWorklist(db: Db, trustId: string, today: string) {
  const horizon = addDays(today, 14);
  return bare(db, trustId, today, async (run) => {
    const courses = await run<Person & { id: string; repeat_lvef_due_by: string | null; definition: RegimenDefinition | string }>(sql`
      select c.id, c.repeat_lvef_due_by::text as repeat_lvef_due_by, r.definition, p.id as patient_id, p.given_name, p.family_name, p.nhs_number
      from treatment_courses c join patients p on p.id = c.patient_id join regimens r on r.id = c.regimen_id
      where c.trust_id = ${trustId}::uuid and p.trust_id = ${trustId}::uuid and c.status in ('active', 'suspended')`);
    const last = new Map<string, string>();
    if (courses.length) {
      const results = await run<{ course_id: string; measured_on: string }>(sql`select course_id, measured_on::text as measured_on from lvef_results where course_id in (${inList(courses.map((c) => c.id))})`);
      for (const r of results) if (r.measured_on <= today && (last.get(r.course_id) ?? '') < r.measured_on) last.set(r.course_id, r.measured_on);
    }
    const lvefDueSoon = [];
    const lvefOverdue = [];
    for (const c of courses) {
      const def = typeof c.definition === 'string' ? (JSON.parse(c.definition) as RegimenDefinition) : c.definition;
      const s = lvefMonitoringStatus(def, last.get(c.id) ?? null, today);
      const item = { patientId: c.patient_id, name: nameOf(c), nhsNumber: c.nhs_number, courseId: c.id };
      if (c.repeat_lvef_due_by) lvefDueSoon.push({ ...item, date: c.repeat_lvef_due_by });
      else if (s.state === 'overdue' || s.state === 'no-assessment') lvefOverdue.push({ ...item, detail: s.message, date: s.dueDate });
      else if (s.state === 'due' || (s.state === 'due-soon' && s.dueDate! <= horizon)) lvefDueSoon.push({ ...item, detail: s.message, date: s.dueDate });
    }
    const awaiting = await run<Person & { course_id: string; percent: number; measured_on: string }>(sql`
      select l.course_id, l.percent, l.measured_on::text as measured_on, p.id as patient_id, p.given_name, p.family_name, p.nhs_number
      from lvef_results l join patients p on p.id = l.patient_id
      where l.trust_id = ${trustId}::uuid and p.trust_id = ${trustId}::uuid and l.assessed_at is null order by l.measured_on`);
    const undelivered = await run<Person & { id: string; course_id: string; cycle_number: number; place: string; kind: string; due_date: string }>(sql`
      select cy.id, cy.course_id, cy.cycle_number, cy.place, cy.kind, cy.due_date::text as due_date, p.id as patient_id, p.given_name, p.family_name, p.nhs_number
      from cycles cy join patients p on p.id = cy.patient_id
      where cy.trust_id = ${trustId}::uuid and p.trust_id = ${trustId}::uuid and cy.status = 'planned' and cy.due_date >= ${today}::date and cy.due_date <= ${horizon}::date
      order by cy.due_date`);
    const ready = undelivered.length
      ? await run<{ cycle_id: string; state: string }>(sql`select cycle_id, state from prescriptions where cycle_id in (${inList(undelivered.map((u) => u.id))}) and state in ('transmitted', 'delivered', 'verified')`)
      : [];
    const released = new Set(ready.filter((r) => r.state !== 'verified').map((r) => r.cycle_id));
    const verified = new Set(ready.filter((r) => r.state === 'verified').map((r) => r.cycle_id));
    const screening = await run<Person & { course_id: string; cycle_number: number; dose_date: string }>(sql`
      select rx.course_id, rx.cycle_number, rx.dose_date::text as dose_date, p.id as patient_id, p.given_name, p.family_name, p.nhs_number
      from prescriptions rx join patients p on p.id = rx.patient_id
      where rx.trust_id = ${trustId}::uuid and p.trust_id = ${trustId}::uuid and rx.state = 'signed' order by rx.dose_date`);
    return {
      lvefDueSoon,
      lvefOverdue,
      lvefAwaitingAssessment: awaiting.map((a) => ({ patientId: a.patient_id, name: nameOf(a), nhsNumber: a.nhs_number, courseId: a.course_id, detail: `LVEF ${a.percent}%`, date: a.measured_on })),
      dosesWithoutRelease: undelivered
        .filter((u) => !(u.place === 'home' ? released.has(u.id) : verified.has(u.id)))
        .map((u) => ({ patientId: u.patient_id, name: nameOf(u), nhsNumber: u.nhs_number, courseId: u.course_id, detail: `Cycle ${u.cycle_number} (${u.place})`, date: u.due_date })),
      awaitingScreening: screening.map((r) => ({ patientId: r.patient_id, name: nameOf(r), nhsNumber: r.nhs_number, courseId: r.course_id, detail: `Cycle ${r.cycle_number}`, date: r.dose_date })),
    };
  });
}

/** The provider's visit list (src/visits/service.ts listVisits), in SQL: visits between two dates with patient and nurse. */
export async function bareVisits(db: Db, providerId: string, today: string, from: string, to: string) {
  return bare(db, providerId, today, async (run) => {
    const list = await run<{ id: string; cycle_id: string; patient_id: string; nurse_id: string | null; visit_date: string; window_start: string; window_end: string; status: string; reschedule_reason: string | null; version: number; given_name: string; family_name: string; postcode: string | null; nurse: string | null }>(sql`
      select v.id, v.cycle_id, v.patient_id, v.nurse_id, v.visit_date::text as visit_date, v.window_start, v.window_end, v.status, v.reschedule_reason, v.version,
             p.given_name, p.family_name, p.postcode, u.display_name as nurse
      from visits v join patients p on p.id = v.patient_id left join users u on u.id = v.nurse_id
      where app_provider_sees_patient(p.id, p.trust_id) and v.provider_id = ${providerId}::uuid and v.visit_date >= ${from}::date and v.visit_date <= ${to}::date
      order by v.visit_date, v.window_start`);
    return {
      visits: list.map((v) => ({ id: v.id, cycleId: v.cycle_id, patientId: v.patient_id, nurseId: v.nurse_id, visitDate: v.visit_date, windowStart: v.window_start, windowEnd: v.window_end, status: v.status, rescheduleReason: v.reschedule_reason, version: v.version, patient: { id: v.patient_id, name: nameOf(v), postcode: v.postcode }, nurse: v.nurse })),
    };
  });
}

/** Adds the bare routes to a built application (the benchmark's server only). */
export function registerBareRoutes(app: FastifyInstance, db: Db, clock: FakeClock): void {
  const today = () => londonDate(clock.now());
  const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : today());
  const id = (v: unknown) => {
    if (typeof v !== 'string' || !/^[0-9a-f-]{36}$/i.test(v)) throw new Error('an organisation id is needed');
    return v;
  };
  // Answers once no other request is being worked on: when a load run stops, its last requests are still queued for
  // the database (PGlite runs one query at a time), and the runner waits for them here so they never slow the next.
  // A request is done when its answer is sent; if its client has gone, when its handler has finished, or at once
  // when the handler had not begun (Fastify then never runs it).
  const pending = new Set<IncomingMessage>();
  const inHandler = new WeakSet<IncomingMessage>();
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/bench/idle') return;
    pending.add(req);
    res.on('finish', () => pending.delete(req));
    res.on('close', () => {
      if (!inHandler.has(req)) pending.delete(req);
    });
  });
  const rawOf = (store: unknown) => (store as { request?: { raw?: IncomingMessage } }).request?.raw;
  const handled = (store: unknown) => {
    const raw = rawOf(store);
    if (!raw) return;
    inHandler.delete(raw);
    if (raw.destroyed || raw.socket?.destroyed) pending.delete(raw);
  };
  diagnostics.tracingChannel('fastify.request.handler').subscribe({
    start: (store) => {
      const raw = rawOf(store);
      if (raw) inHandler.add(raw);
    },
    end: (store) => !(store as { async?: boolean }).async && handled(store),
    asyncStart: () => undefined,
    asyncEnd: handled,
    error: () => undefined,
  });
  // While PGlite works, the event loop is busy and requests a client has already sent (even one that has since gone)
  // wait unread in the socket: only a quiet half second says none is left.
  app.get('/bench/idle', { config: { action: 'public' }, schema: { hide: true } }, async () => {
    const until = Date.now() + 900_000;
    let quietSince = Date.now();
    while (Date.now() < until) {
      if (pending.size) quietSince = Date.now();
      else if (Date.now() - quietSince >= 500) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { idle: pending.size === 0, pending: pending.size };
  });
  app.get('/bench/bare/worklists/prescribing', { config: { action: 'public' }, schema: { hide: true } }, async (req) => {
    const q = req.query as Record<string, unknown>;
    return barePrescribingWorklist(db, id(q.trust), today());
  });
  app.get('/bench/bare/visits', { config: { action: 'public' }, schema: { hide: true } }, async (req) => {
    const q = req.query as Record<string, unknown>;
    return bareVisits(db, id(q.provider), today(), day(q.from), day(q.to));
  });
}

async function main() {
  const target = JSON.parse(process.env.BENCH_DATABASE ?? 'null') as BenchDatabase | null;
  const anchor = process.env.BENCH_ANCHOR;
  if (!target || !anchor) throw new Error('BENCH_DATABASE and BENCH_ANCHOR must be set');
  // Started early by the runner: the modules are loaded; the database is opened once the runner has let go of it.
  if (process.env.BENCH_WAIT === '1') await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const database = await openBenchDatabase(target);
  const clock = new FakeClock(londonTenAm(anchor));
  const app = await buildApp({ database, clock, version: 'bench', signInRateLimit: 1e9, loggerInstance: createLogger(process.env.LOG_LEVEL ?? 'error') });
  registerBareRoutes(app, database.db, clock);
  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.server.address();
  console.log(`BENCH_SERVER ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : null, pid: process.pid })}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
