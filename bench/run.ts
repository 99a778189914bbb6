/**
 * `npm run bench -- --tier pilot|alliance|national [--json] [--quick] [--out FILE] [--data-dir DIR]`
 *
 * Measures, in one run, on a generated population (bench/generate.ts; bench-data/<tier>.json describes it):
 *
 * 1. The monthly report (src/reports/service.ts, what GET /api/v1/reports/monthly runs) for one month and for twelve,
 *    network-wide as a commissioner and for the largest Trust as its cancer manager: the median of several runs
 *    after a warm-up, against one hand-written SQL query giving the same counts (bench/sql-baseline.ts). The ratio is
 *    report time ÷ SQL time. The two are compared cell by cell — every count per network, Trust, unit and month that
 *    the network's report shows (it withholds small numbers), and every count of Trusts' own reports (all Trusts' when
 *    there are four or fewer, with the network's sums; else the two largest and the two smallest) — and any
 *    difference fails the run, naming the first. A measurement that takes minutes is repeated fewer times.
 * 2. The worklists at 50 concurrent users: the prescribing worklist (LVEF overdue, doses without a released
 *    prescription) as Trust nurses, and today's visits as provider nurses, each against a "bare" route running the
 *    same SQL without the product's layers (bench/server.ts): p50, p99 and the ratio.
 * 3. Mixed load, 50 users for 60 s: 70% reads (patient, course, today's visits, worklist), 25% writes that always
 *    succeed (a weight equal to the patient's last, dated today; a future visit moved within its dose's valid dates),
 *    5% reports (a Trust's month): p95, p99 and the error rate (non-2xx, connection errors and timeouts ÷ requests).
 * 4. The streamed administrations export (GET /api/v1/exports/administrations.csv) of every Trust for the whole
 *    period: rows per second, and the server's peak resident memory over its memory before (sampled every 50 ms).
 * 5. The generator's throughput, from the manifest (or from the generator when the run made the data itself).
 *
 * Steps 2–4 run against the real server as a child process (bench/server.ts), with autocannon; step 1 runs in this
 * process before it starts (PGlite serves one process at a time). The database is DATABASE_URL when set, else the
 * embedded bench-data/<tier>/ (or --data-dir, e.g. a demo DATA_DIR). `--quick` shortens every phase for CI and, with
 * no data, generates the pilot tier into a temporary folder. A run fails (exit 1) only when something errors — a
 * report/SQL difference counts as an error — never because a figure misses its target.
 *
 * The writes of step 3 stay in the database (weights equal to the last one; future visits moved within their valid
 * dates), so the figures of later runs are unchanged. Output: a markdown table; with --json a JSON document on
 * stdout (the table then goes to stderr). A full run also keeps its JSON in bench-data/results/<tier>-<database>.json,
 * from which the national run reads the alliance run's report time to judge growth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { get, request } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { contextFor } from '../src/identity/service.ts';
import { users } from '../src/identity/schema.ts';
import { rows, scalar, type Database, type Db } from '../src/platform/db/client.ts';
import { addDays } from '../src/prescribing/dates.ts';
import { nextMonth } from '../src/reports/months.ts';
import { monthlyReport } from '../src/reports/service.ts';
import type { RequestContext } from '../src/platform/context.ts';
import { runLoad, rotation, weighted, type LoadResult, type Target } from './load.ts';
import { BENCH_ANCHOR, BENCH_PASSWORD, TIER_NAMES, type Tier } from './tiers.ts';
import { compareRuns, machine, MB, sampleMemory } from './measure.ts';
import { londonTenAm, openBenchDatabase, type BenchDatabase } from './server.ts';
import { checkBaselineAccess, compareCells, networkFromTrusts, reportCells, runBaseline, type Level } from './sql-baseline.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const USERS = 50;

// ---------------------------------------------------------------------------------------------------------------
// Options, data and output

interface Options {
  tier: Tier;
  json: boolean;
  quick: boolean;
  out?: string;
  dataDir?: string;
  anchor?: string;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const tier = value('--tier');
  if (!tier || !(TIER_NAMES as readonly string[]).includes(tier)) {
    console.error('Usage: npm run bench -- --tier pilot|alliance|national [--json] [--quick] [--out FILE] [--data-dir DIR] [--anchor YYYY-MM-DD]');
    process.exit(2);
  }
  return { tier: tier as Tier, json: argv.includes('--json'), quick: argv.includes('--quick'), out: value('--out'), dataDir: value('--data-dir'), anchor: value('--anchor') };
}

/** What bench/generate.ts writes beside the data (bench/gen/index.ts, Manifest): the parts the runner reads. */
interface Manifest {
  tier: string;
  anchor?: string;
  database?: string;
  password?: string;
  totalRows?: number;
  rows?: Record<string, number>;
  seconds?: number;
  rowsPerSecond?: number;
}

interface Figure {
  id: string;
  label: string;
  value: number | boolean | null;
  unit: string;
  target: string | null;
  met: boolean | null;
}

/** An error's message with its cause (fetch and pg put the reason there). */
const describe = (err: unknown): string => {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  return `${e.message ?? String(err)}${e.cause ? ` (${e.cause.code ?? ''} ${e.cause.message ?? ''})`.replace('( ', '(') : ''}`;
};
// The report phase's process logs on the same clock as the run that started it.
const startedAt = Number(process.env.BENCH_STARTED_AT ?? Date.now());
process.env.BENCH_STARTED_AT = String(startedAt);
const log = (message: string) => console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}`);
const round = (v: number | null, places = 1) => (v === null ? null : Math.round(v * 10 ** places) / 10 ** places);

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

/**
 * Where the data is; a temporary folder (removed at the end) when there is none yet and the tier is pilot. The
 * manifest describes the data only when it is the data the generator wrote (not a --data-dir of another origin).
 */
function chooseDatabase(opts: Options, manifest: Manifest | null): { target: BenchDatabase; temporary: string | null; manifest: Manifest | null } {
  if (process.env.DATABASE_URL) {
    const pgManifest = readJson<Manifest>(join(root, 'bench-data', `${opts.tier}-postgres.json`)) ?? (manifest?.database === 'postgres' ? manifest : null);
    return { target: { kind: 'postgres', url: process.env.DATABASE_URL }, temporary: null, manifest: pgManifest };
  }
  if (opts.dataDir) return { target: { kind: 'embedded', dir: opts.dataDir }, temporary: null, manifest: null };
  const dir = join(root, 'bench-data', opts.tier);
  if (existsSync(dir)) return { target: { kind: 'embedded', dir }, temporary: null, manifest: manifest?.database === 'embedded' ? manifest : null };
  if (manifest?.database === 'postgres') throw new Error(`The ${opts.tier} data was generated into PostgreSQL: set DATABASE_URL to that database`);
  if (opts.tier !== 'pilot') throw new Error(`No ${opts.tier} data: run npm run bench:generate -- --tier ${opts.tier} first`);
  const temporary = mkdtempSync(join(tmpdir(), 'homeward-bench-'));
  return { target: { kind: 'embedded', dir: temporary }, temporary, manifest: null };
}

/** Changes whenever a migration or the grants change (the same key as the tests' cached snapshot, test/support/db.ts). */
function schemaKey(): string {
  const h = createHash('sha256');
  const dir = join(root, 'drizzle');
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(dir, f)));
  h.update(readFileSync(join(root, 'src/platform/db/grants.sql')));
  return h.digest('hex').slice(0, 16);
}

/**
 * A new embedded folder starts from a migrated empty database kept in the temp folder (made once in memory, shared
 * with the tests), not from initdb and every migration on disk, which takes many seconds.
 */
async function seedEmbedded(dataDir: string): Promise<void> {
  const pgDir = join(dataDir, 'pglite');
  if (existsSync(join(dataDir, 'PG_VERSION')) || existsSync(join(pgDir, 'PG_VERSION'))) return;
  const snapshot = join(tmpdir(), `homeward-pglite-${schemaKey()}.tar`);
  if (!existsSync(snapshot)) {
    const client = await PGlite.create('memory://');
    await migrate(drizzle(client), { migrationsFolder: join(root, 'drizzle') });
    await client.exec(readFileSync(join(root, 'src/platform/db/grants.sql'), 'utf8'));
    const blob = await client.dumpDataDir('none');
    await client.close();
    const partial = `${snapshot}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
    renameSync(partial, snapshot);
  }
  mkdirSync(pgDir, { recursive: true });
  const client = await PGlite.create(pgDir, { loadDataDir: new Blob([readFileSync(snapshot)]) });
  await client.close();
}

/**
 * Fills an empty database with the pilot tier: the generator (bench/gen) when present; without it, the demo
 * population (src/demo), which has the same roles under the demo's user names.
 */
async function generatePilot(database: Database): Promise<{ rowsPerSecond: number; totalRows: number } | null> {
  const path = join(root, 'bench', 'gen', 'index.ts');
  if (existsSync(path)) {
    log('no data: generating the pilot tier');
    const { generate } = await import('./gen/index.ts');
    // No manifest: bench-data/pilot.json describes the generated folder, not this one.
    const result = await generate(database, { tier: 'pilot', manifestPath: null, onProgress: (p) => p.done === p.total && log(`  ${p.step}: ${p.total}`) });
    return { rowsPerSecond: result.rowsPerSecond, totalRows: result.totalRows };
  }
  log('no data and no generator (bench/gen): building the demo population instead');
  const { buildDemo } = await import('../src/demo/build.ts');
  await buildDemo(database.db, { password: 'homeward-demo', population: 'pilot', log: (m) => log(`  ${m}`) });
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// The population: users, Trusts and records the measurements use

interface BenchUser {
  id: string;
  username: string;
  role: string;
  orgId: string;
  orgName: string;
  orgKind: string;
  limited: boolean;
}

interface Fixtures {
  users: BenchUser[];
  trusts: { id: string; name: string; patients: number; exportLines: number }[];
  providers: { id: string; visitsToday: number }[];
  sampleTrusts: string[];
  sampleProviders: string[];
  patients: { id: string; trustId: string }[];
  courses: { id: string; trustId: string; weightKg: number | null }[];
  visitsToMove: { id: string; providerId: string; dueDate: string; validDays: number }[];
  doseMonths: { from: string; to: string } | null;
  exportLines: number;
}

/** Users who may act for a role at an organisation, those not limited to some units first. */
function usersFor(f: Fixtures, role: string, orgId?: string): BenchUser[] {
  return f.users.filter((u) => u.role === role && (!orgId || u.orgId === orgId)).sort((a, b) => Number(a.limited) - Number(b.limited));
}

async function discover(db: Db, today: string): Promise<Fixtures> {
  const userRows = await rows<{ id: string; username: string; role: string; org_id: string; org_name: string; org_kind: string; limited: boolean }>(db, sql`
    select u.id, u.username, u.role, u.org_id, o.name as org_name, o.kind as org_kind, exists (select 1 from user_units uu where uu.user_id = u.id) as limited
    from users u join organisations o on o.id = u.org_id where u.active and o.active order by u.username`);
  const trusts = await rows<{ id: string; name: string; patients: number; export_lines: number }>(db, sql`
    with p as (select trust_id, count(*)::int as n from patients group by trust_id),
         a as (select trust_id, sum(jsonb_array_length(doses))::int as n from administrations group by trust_id)
    select o.id, o.name, coalesce(p.n, 0) as patients, coalesce(a.n, 0) as export_lines
    from organisations o left join p on p.trust_id = o.id left join a on a.trust_id = o.id
    where o.kind = 'trust' and o.active order by 3 desc, o.name`);
  const providers = await rows<{ id: string; visits_today: number }>(db, sql`
    with v as (select provider_id, count(*)::int as n from visits where visit_date = ${today}::date group by provider_id)
    select o.id, coalesce(v.n, 0) as visits_today from organisations o left join v on v.provider_id = o.id
    where o.kind = 'provider' and o.active order by 2 desc`);
  // The largest Trusts and the busiest providers: the worst case a user meets, with a bounded number of sign-ins.
  const sampleTrusts = trusts.slice(0, 8).map((t) => t.id);
  const sampleProviders = providers.slice(0, 4).map((p) => p.id);
  const inTrusts = sql.join(sampleTrusts.map((t) => sql`${t}::uuid`), sql`, `);
  const inProviders = sampleProviders.length ? sql.join(sampleProviders.map((p) => sql`${p}::uuid`), sql`, `) : sql`null`;
  const patients = sampleTrusts.length
    ? await rows<{ id: string; trust_id: string }>(db, sql`select id, trust_id from patients where trust_id in (${inTrusts}) order by md5(id::text) limit 2000`)
    : [];
  // Courses with the patient's last weight; only where recording it again cannot end a prescription (none of the
  // course's open prescriptions was calculated on a weight 5% or more away from it).
  const courses = sampleTrusts.length
    ? await rows<{ id: string; trust_id: string; weight_kg: number | null }>(db, sql`
        select c.id, c.trust_id, w.weight_kg
        from treatment_courses c
        left join lateral (select weight_kg from weights w where w.patient_id = c.patient_id and w.measured_on <= ${today}::date order by w.measured_on desc, w.recorded_at desc limit 1) w on true
        where c.trust_id in (${inTrusts}) and c.status in ('active', 'suspended')
          and not exists (select 1 from prescriptions rx where rx.course_id = c.id and rx.state in ('draft', 'signed', 'verified', 'transmitted', 'delivered', 'on-hold')
                          and rx.weight_kg is not null and abs(rx.weight_kg - w.weight_kg) >= 0.05 * rx.weight_kg)
        order by md5(c.id::text) limit 2000`)
    : [];
  // Visits a provider's coordinator may move: scheduled, due after today, the patient still referred under an agreement.
  const visitsToMove = await rows<{ id: string; provider_id: string; due_date: string; valid_days: number }>(db, sql`
    select v.id, v.provider_id, cy.due_date::text as due_date, coalesce((r.definition->>'validDaysAfterDue')::int, 0) as valid_days
    from visits v join cycles cy on cy.id = v.cycle_id join treatment_courses c on c.id = cy.course_id join regimens r on r.id = c.regimen_id join patients p on p.id = v.patient_id
    where v.status = 'scheduled' and cy.due_date > ${today}::date and v.provider_id in (${inProviders})
      and exists (select 1 from referrals rf where rf.patient_id = p.id and rf.provider_id = v.provider_id and rf.status in ('referred', 'accepted'))
      and exists (select 1 from agreements a where a.trust_id = p.trust_id and a.provider_id = v.provider_id and a.ended_at is null and a.starts_on <= ${today}::date and (a.ends_on is null or a.ends_on >= ${today}::date))
    order by md5(v.id::text) limit 2000`);
  const range = (await rows<{ first: string | null; last: string | null }>(db, sql`select min(given_on)::text as first, max(given_on)::text as last from administrations`))[0];
  return {
    users: userRows.map((u) => ({ id: u.id, username: u.username, role: u.role, orgId: u.org_id, orgName: u.org_name, orgKind: u.org_kind, limited: u.limited })),
    trusts: trusts.map((t) => ({ id: t.id, name: t.name, patients: Number(t.patients), exportLines: Number(t.export_lines) })),
    providers: providers.map((p) => ({ id: p.id, visitsToday: Number(p.visits_today) })),
    sampleTrusts,
    sampleProviders,
    patients: patients.map((p) => ({ id: p.id, trustId: p.trust_id })),
    courses: courses.map((c) => ({ id: c.id, trustId: c.trust_id, weightKg: c.weight_kg === null ? null : Number(c.weight_kg) })),
    visitsToMove: visitsToMove.map((v) => ({ id: v.id, providerId: v.provider_id, dueDate: v.due_date, validDays: Number(v.valid_days) })),
    doseMonths: range?.first && range.last ? { from: range.first.slice(0, 7), to: range.last.slice(0, 7) } : null,
    exportLines: trusts.reduce((s, t) => s + Number(t.export_lines), 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The monthly report against the SQL baseline (in this process)

interface ReportFigures {
  ranges: Partial<Record<'1m' | '12m', { months: string[]; runs: number; networkMs: number; networkSqlMs: number; trustMs: number | null; trustSqlMs: number | null }>>;
  checked: { cells: number; withheld: number; trustsChecked: number; trusts: number };
  difference: string | null;
}

async function measureReports(db: Db, f: Fixtures, now: Date, opts: Options, progress: (sofar: ReportFigures) => void): Promise<ReportFigures> {
  await checkBaselineAccess(db);
  const ctxOf = async (u: BenchUser | undefined): Promise<RequestContext | null> => {
    if (!u) return null;
    const [row] = await db.select().from(users).where(eq(users.id, u.id));
    return (await contextFor(db, row!, now, null)) ?? null;
  };
  const networkUser = usersFor(f, 'commissioner')[0] ?? usersFor(f, 'network-lead')[0] ?? usersFor(f, 'admin')[0];
  const network = await ctxOf(networkUser);
  if (!network) throw new Error('No commissioner, network lead or administrator to read the network report as');
  // The last whole month before the anchor's (which is only partly over), and the twelve ending with it.
  const lastFull = monthBefore(londonMonth(now));
  let first12 = lastFull;
  for (let i = 0; i < 11; i++) first12 = monthBefore(first12);
  const monthsOf = (from: string) => {
    const out: string[] = [];
    for (let m = from; m <= lastFull; m = nextMonth(m)) out.push(m);
    return out;
  };
  // Each Trust's own report is compared in full — every Trust's when there are few (and then the network's sums as
  // well); otherwise the two largest and the two smallest (whose small numbers the network's view withholds), while
  // the network's report is compared wherever it shows a number. A Trust's own report is slow to build at scale.
  const checkTrusts = f.trusts.length <= 4 ? f.trusts : [...f.trusts.slice(0, 2), ...f.trusts.slice(-2)];
  const managers = new Map<string, RequestContext>();
  for (const t of checkTrusts) {
    const m = usersFor(f, 'cancer-manager', t.id).find((u) => !u.limited);
    const ctx = await ctxOf(m);
    if (ctx) managers.set(t.id, ctx);
  }
  const largest = f.trusts[0] && managers.get(f.trusts[0].id) ? f.trusts[0] : undefined;
  // --quick: two runs, no warm-up (its figures are not judged); otherwise the median of five after one.
  const runs = opts.quick ? 2 : 5;
  const warmup = opts.quick ? 0 : 1;
  const budgetMs = opts.quick ? 30_000 : 180_000;
  const out = { ranges: {} as ReportFigures['ranges'], checked: { cells: 0, withheld: 0, trustsChecked: managers.size, trusts: f.trusts.length }, difference: null as string | null };
  for (const [key, months] of [['1m', monthsOf(lastFull)], ['12m', monthsOf(first12)]] as const) {
    const q = { from: months[0]!, to: months.at(-1)! };
    log(`monthly report ${q.from} to ${q.to}: network and SQL, ${runs} runs each${warmup ? ' after a warm-up' : ''}`);
    const net = await compareRuns({ report: () => monthlyReport(db, network, q), sql: () => runBaseline(db, months) }, { warmup, runs, budgetMs });
    const baseline = net.sql.last;
    const networkReport = net.report.last;
    const shown = compareCells(reportCells(networkReport), baseline, ['network', 'trust', 'unit']);
    out.checked.cells += shown.compared;
    out.checked.withheld += shown.withheld;
    out.difference ??= shown.difference && `network report (${q.from} to ${q.to}): ${shown.difference}`;
    // Every Trust's own report, unsuppressed: every count of its Trust and units, and (when all are read) the network's.
    const own = new Map<string, number | null>();
    for (const ctx of managers.values()) for (const [k, v] of reportCells(await monthlyReport(db, ctx, q))) if (k.startsWith('trust|') || k.startsWith('unit|')) own.set(k, v);
    if (managers.size === f.trusts.length) for (const [k, v] of networkFromTrusts(own)) own.set(k, v);
    const levels: Level[] = managers.size === f.trusts.length ? ['network', 'trust', 'unit'] : ['trust', 'unit'];
    const checkedIds = new Set(managers.keys());
    const inChecked = new Map([...baseline].filter(([k]) => k.startsWith('network|') || checkedIds.has(k.split('|')[1]!)));
    const exact = compareCells(own, inChecked, levels);
    out.checked.cells += exact.compared;
    out.difference ??= exact.difference && `Trust reports (${q.from} to ${q.to}): ${exact.difference}`;
    let trustMs: number | null = null;
    let trustSqlMs: number | null = null;
    if (largest) {
      const ctx = managers.get(largest.id)!;
      // Its report has just run for the check above: that was the warm-up.
      const t = await compareRuns({ report: () => monthlyReport(db, ctx, q), sql: () => runBaseline(db, months, largest.id) }, { warmup: 0, runs, budgetMs });
      trustMs = t.report.medianMs;
      trustSqlMs = t.sql.medianMs;
    }
    out.ranges[key] = { months, runs: net.report.samples.length, networkMs: net.report.medianMs, networkSqlMs: net.sql.medianMs, trustMs, trustSqlMs };
    progress(out);
  }
  return out;
}

const monthBefore = (m: string) => addDays(`${m}-01`, -1).slice(0, 7);
const londonMonth = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit' }).format(d).slice(0, 7);

// ---------------------------------------------------------------------------------------------------------------
// 2–4. Against the server

interface Server {
  child: ChildProcess;
  port: number;
  pid: number;
  stderr: string[];
}

/**
 * Starts bench/server.ts as a child process. It loads the application's modules at once (seconds of work) but opens
 * the database only when `start()` is called, so with --quick the loading overlaps the in-process measurements.
 */
function launchServer(target: BenchDatabase, anchor: string): { child: ChildProcess; start: () => Promise<Server> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'server.ts')], {
    cwd: root,
    env: { ...process.env, BENCH_DATABASE: JSON.stringify(target), BENCH_ANCHOR: anchor, BENCH_WAIT: '1', PORT: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 200) stderr.shift();
  });
  const ready = new Promise<Server>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the benchmark server stopped (exit ${code}): ${stderr.join('').slice(-1000)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^BENCH_SERVER (.*)$/.exec(line);
      if (!m) return;
      const info = JSON.parse(m[1]!) as { port: number; pid: number };
      resolve({ child, port: info.port, pid: info.pid, stderr });
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    start: () => {
      child.stdin!.end('start\n');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the benchmark server did not start within 300 s: ${stderr.join('').slice(-1000)}`)), 300_000)));
      return Promise.race([ready, timeout]).finally(() => clearTimeout(timer));
    },
  };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

interface Session {
  username: string;
  orgId: string;
  cookie: string;
  csrf: string;
}

/**
 * One HTTP request, waiting as long as the server takes (fetch gives up after 5 minutes, and a server working through a
 * load run's backlog on the embedded database can take longer).
 */
function httpJson<T>(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; setCookies: string[]; body: T; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: T;
        try {
          body = JSON.parse(text) as T;
        } catch {
          body = null as T;
        }
        resolve({ status: res.statusCode ?? 0, setCookies: res.headers['set-cookie'] ?? [], body, text });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function signIn(base: string, u: BenchUser, password: string): Promise<Session> {
  const res = await httpJson<{ csrfToken?: string }>(`${base}/api/v1/auth/sign-in`, { method: 'POST', body: JSON.stringify({ username: u.username, password }) });
  if (res.status !== 200) throw new Error(`sign-in as ${u.username} failed: ${res.status} ${res.text.slice(0, 200)}`);
  const cookie = res.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('homeward_session='));
  if (!cookie || !res.body?.csrfToken) throw new Error(`sign-in as ${u.username} gave no session`);
  return { username: u.username, orgId: u.orgId, cookie, csrf: res.body.csrfToken };
}

async function getJson<T>(base: string, path: string, session?: Session): Promise<T> {
  const res = await httpJson<T>(`${base}${path}`, { headers: session ? { cookie: session.cookie } : {} });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

/** Signed-in sessions of one role, by organisation, taken in turn (so concurrent users do not share one session). */
class Sessions {
  private readonly byOrg = new Map<string, () => Session>();
  private readonly lists = new Map<string, Session[]>();
  private everyone: (() => Session) | null = null;
  add(orgId: string, list: Session[]): void {
    if (!list.length) return;
    this.lists.set(orgId, list);
    this.byOrg.set(orgId, rotation(list));
    this.everyone = rotation([...this.lists.values()].flat());
  }
  get size(): number {
    return this.lists.size;
  }
  orgs(): string[] {
    return [...this.lists.keys()];
  }
  has(orgId: string): boolean {
    return this.lists.has(orgId);
  }
  of(orgId: string): Session {
    return this.byOrg.get(orgId)!();
  }
  any(): Session {
    return this.everyone!();
  }
}

/**
 * Sessions of one role at each organisation given: one per user, up to `perOrg` users (those not limited to some units
 * first). One each, because the server's clock stands still: a second sign-in by the same person could end the
 * first (the product keeps 3 live sessions a person, ending the oldest, and every session here is equally old).
 */
async function sessionsFor(base: string, f: Fixtures, role: string, orgIds: string[], password: string, perOrg = 3): Promise<Sessions> {
  const out = new Sessions();
  for (const org of orgIds) {
    const list: Session[] = [];
    for (const u of usersFor(f, role, org).slice(0, perOrg)) list.push(await signIn(base, u, password));
    out.add(org, list);
  }
  return out;
}

interface HttpFigures {
  worklists: Record<'prescribing' | 'visits', { product: LoadResult; bare: LoadResult } | null>;
  mixed: LoadResult | null;
  export: { rows: number; expected: number; seconds: number; rowsPerSecond: number; memoryBeforeMb: number | null; memoryPeakMb: number | null; memoryGrowthMb: number | null; memoryGrowthSecondHalfMb: number | null; trusts: number } | null;
  notes: string[];
}

async function measureServer(server: Server, f: Fixtures, today: string, password: string, opts: Options, errors: string[]): Promise<HttpFigures> {
  const base = `http://127.0.0.1:${server.port}`;
  const out: HttpFigures = { worklists: { prescribing: null, visits: null }, mixed: null, export: null, notes: [] };
  const nurses = await sessionsFor(base, f, 'trust-nurse', f.sampleTrusts, password);
  const managers = await sessionsFor(base, f, 'cancer-manager', f.sampleTrusts, password);
  const providerNurses = await sessionsFor(base, f, 'provider-nurse', f.sampleProviders, password);
  const coordinators = await sessionsFor(base, f, 'provider-coordinator', f.sampleProviders, password);
  const notes = new Set<string>();
  const seconds = opts.quick ? 2 : 10;
  // Each measurement: a one-second warm-up at full load (not with --quick), then the measured run; after each, the
  // server is let finish the requests still queued (autocannon stops sending, not the server working).
  const idle = async () => {
    const answer = await getJson<{ idle: boolean; pending: number }>(base, '/bench/idle');
    if (!answer.idle) notes.add(`${answer.pending} request(s) still unfinished fifteen minutes after a load run ended`);
  };
  const load = async (label: string, next: () => Target, s = seconds) => {
    if (!opts.quick) {
      await runLoad({ url: base, connections: USERS, seconds: 1, next });
      await idle();
    }
    const result = await runLoad({ url: base, connections: USERS, seconds: s, next });
    await idle();
    if (!result.requests) notes.add(`${label}: no answer within the ${s} s run (${result.unanswered} requests still waiting when it ended)`);
    return result;
  };

  // A phase that fails is reported and the next one still runs.
  const phase = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      errors.push(`${name}: ${describe(err)}`);
    }
  };
  const visitsToday = `/api/v1/visits?from=${today}&to=${today}`;

  // 2. Worklists: the product's route and the bare one must give the same lists before their speed is compared.
  await phase('prescribing worklist', async () => {
    if (nurses.size) {
      const trustId = nurses.orgs()[0]!;
      const nurse = nurses.of(trustId);
      const product = await getJson<Record<string, unknown[]>>(base, '/api/v1/worklists/prescribing', nurse);
      const bare = await getJson<Record<string, unknown[]>>(base, `/bench/bare/worklists/prescribing?trust=${trustId}`);
      for (const list of ['lvefDueSoon', 'lvefOverdue', 'lvefAwaitingAssessment', 'dosesWithoutRelease', 'awaitingScreening']) {
        if (product[list]?.length !== bare[list]?.length) errors.push(`bare prescribing worklist differs from the product's: ${list} ${bare[list]?.length} vs ${product[list]?.length}`);
      }
      out.notes.push(`prescribing worklist of the largest Trust: ${product.lvefOverdue?.length} LVEF overdue, ${product.dosesWithoutRelease?.length} doses without a released prescription`);
      log(`prescribing worklist: ${USERS} users for ${seconds} s, then the bare route`);
      const productLoad = await load('prescribing worklist', () => ({ kind: 'worklist', path: '/api/v1/worklists/prescribing', headers: { cookie: nurses.any().cookie } }));
      const trusts = rotation(nurses.orgs());
      const bareLoad = await load('bare prescribing worklist', () => ({ kind: 'bare', path: `/bench/bare/worklists/prescribing?trust=${trusts()}` }));
      out.worklists.prescribing = { product: productLoad, bare: bareLoad };
    } else errors.push('no Trust nurse to read the prescribing worklist as');
  });
  await phase("today's visits", async () => {
    if (providerNurses.size) {
      const providerId = providerNurses.orgs()[0]!;
      const nurse = providerNurses.of(providerId);
      const product = await getJson<{ visits: unknown[] }>(base, visitsToday, nurse);
      const bare = await getJson<{ visits: unknown[] }>(base, `/bench/bare/visits?provider=${providerId}&from=${today}&to=${today}`);
      if (product.visits.length !== bare.visits.length) errors.push(`bare visit list differs from the product's: ${bare.visits.length} vs ${product.visits.length}`);
      out.notes.push(`today's visits of the busiest provider: ${product.visits.length}`);
      log(`today's visits: ${USERS} users for ${seconds} s, then the bare route`);
      const productLoad = await load("today's visits", () => ({ kind: 'visits', path: visitsToday, headers: { cookie: providerNurses.any().cookie } }));
      const providers = rotation(providerNurses.orgs());
      const bareLoad = await load("bare today's visits", () => ({ kind: 'bare', path: `/bench/bare/visits?provider=${providers()}&from=${today}&to=${today}` }));
      out.worklists.visits = { product: productLoad, bare: bareLoad };
    } else errors.push('no provider nurse to list visits as');
  });

  // 3. Mixed load.
  await phase('mixed load', async () => {
    const mixedSeconds = opts.quick ? 5 : 60;
    const lastMonth = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
    const patient = rotation(f.patients.filter((p) => nurses.has(p.trustId)));
    const course = rotation(f.courses.filter((c) => nurses.has(c.trustId)));
    const weighable = f.courses.filter((c) => nurses.has(c.trustId) && c.weightKg !== null);
    const movable = f.visitsToMove.filter((v) => coordinators.has(v.providerId));
    // Moving needs enough visits that two users never move the same one at once (the second would get 409).
    const moves = movable.length >= 4 * USERS ? rotation(movable) : null;
    if (!moves) out.notes.push(`mixed load: ${movable.length} future visits to move (fewer than ${4 * USERS}), so every write records a weight`);
    const weighs = weighable.length ? rotation(weighable) : null;
    if (!f.patients.length || !f.courses.length || !weighs || !providerNurses.size || !managers.size) {
      errors.push('mixed load: the population has no patients, courses with a weight, provider nurses or cancer managers to use');
    } else {
      let moveCount = 0;
      const read = weighted({ patient: 20, course: 20, visits: 15, worklist: 15 });
      const write = weighted({ weight: moves ? 15 : 25, move: moves ? 10 : 0 });
      const kind = weighted({ read: 70, write: 25, report: 5 });
      const next = (): Target => {
        const k = kind();
        if (k === 'report') return { kind: 'report', path: `/api/v1/reports/monthly?from=${lastMonth}&to=${lastMonth}`, headers: { cookie: managers.any().cookie } };
        if (k === 'read') {
          const r = read();
          if (r === 'patient') {
            const p = patient();
            return { kind: 'read', path: `/api/v1/patients/${p.id}`, headers: { cookie: nurses.of(p.trustId).cookie } };
          }
          if (r === 'course') {
            const c = course();
            return { kind: 'read', path: `/api/v1/courses/${c.id}`, headers: { cookie: nurses.of(c.trustId).cookie } };
          }
          if (r === 'visits') return { kind: 'read', path: visitsToday, headers: { cookie: providerNurses.any().cookie } };
          return { kind: 'read', path: '/api/v1/worklists/prescribing', headers: { cookie: nurses.any().cookie } };
        }
        if (write() === 'move' && moves) {
          const v = moves();
          const s = coordinators.of(v.providerId);
          const visitDate = addDays(v.dueDate, moveCount++ % (Math.min(v.validDays, 2) + 1));
          return { kind: 'write', method: 'PATCH', path: `/api/v1/visits/${v.id}`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: JSON.stringify({ visitDate, windowStart: '09:00', windowEnd: '12:00', reason: 'The patient asked for another day' }) };
        }
        const c = weighs();
        const s = nurses.of(c.trustId);
        return { kind: 'write', method: 'POST', path: `/api/v1/courses/${c.id}/weights`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: JSON.stringify({ weightKg: c.weightKg, measuredOn: today }) };
      };
      log(`mixed load: ${USERS} users for ${mixedSeconds} s (70% reads, 25% writes, 5% reports)`);
      out.mixed = await load('mixed load', next, mixedSeconds);
    }

  });

  // 4. The export of every Trust's administrations, the server's memory sampled throughout.
  await phase('export', async () => {
    if (f.doseMonths) {
      const url = `/api/v1/exports/administrations.csv?from=${f.doseMonths.from}&to=${f.doseMonths.to}`;
      const exporters: { trustId: string; user: BenchUser }[] = [];
      for (const t of f.trusts) {
        const u = usersFor(f, 'cancer-manager', t.id).find((x) => !x.limited) ?? usersFor(f, 'trust-pharmacist', t.id).find((x) => !x.limited);
        if (u) exporters.push({ trustId: t.id, user: u });
      }
      const expected = f.trusts.filter((t) => exporters.some((e) => e.trustId === t.id)).reduce((s, t) => s + t.exportLines, 0);
      log(`export of ${exporters.length} Trusts' administrations (${expected} lines), ${f.doseMonths.from} to ${f.doseMonths.to}`);
      const sessions: Session[] = [];
      for (const e of exporters) sessions.push(await signIn(base, e.user, password));
      const memory = sampleMemory(server.pid, 50);
      const started = performance.now();
      let lines = 0;
      for (const s of sessions) lines += (await streamLines(`${base}${url}`, s.cookie)) - 1;
      const secondsTaken = (performance.now() - started) / 1000;
      const m = memory.stop();
      if (lines !== expected) errors.push(`the export gave ${lines} lines; the database holds ${expected}`);
      const mb = (v: number | null) => (v === null ? null : round(v / MB, 1));
      out.export = {
        rows: lines,
        expected,
        seconds: round(secondsTaken, 2)!,
        rowsPerSecond: Math.round(lines / secondsTaken),
        memoryBeforeMb: mb(m.before),
        memoryPeakMb: mb(m.peak),
        memoryGrowthMb: m.before === null || m.peak === null ? null : mb(m.peak - m.before),
        // Memory that grows with the rows keeps growing to the end; a one-off rise (the embedded database's buffer
        // pool filling, in the same process) does not.
        memoryGrowthSecondHalfMb: m.peakFirstHalf === null || m.peakSecondHalf === null ? null : mb(Math.max(0, m.peakSecondHalf - m.peakFirstHalf)),
        trusts: sessions.length,
      };
    } else out.notes.push('no administrations to export');
  });
  out.notes.push(...notes);
  return out;
}

/** Downloads a CSV without keeping it, counting its lines. */
function streamLines(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`export ${url}: ${res.statusCode}`));
        return;
      }
      let n = 0;
      res.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Figures, table and JSON

function figures(tier: Tier, r: ReportFigures | null, h: HttpFigures | null, generator: { rowsPerSecond: number; totalRows: number } | null, growth: { ratio: number; dataRatio: number | null } | null): Figure[] {
  const out: Figure[] = [];
  const add = (id: string, label: string, value: number | boolean | null, unit: string, target: string | null = null, test?: (v: number) => boolean) =>
    out.push({ id, label, value, unit, target, met: target === null || value === null ? null : typeof value === 'boolean' ? value : test ? test(value) : null });
  const national = tier === 'national' ? '' : ' (at national)';
  for (const key of ['1m', '12m'] as const) {
    const x = r?.ranges[key];
    const span = key === '1m' ? 'one month' : 'twelve months';
    add(`report.network.${key}.ms`, `Monthly report, network, ${span}`, round(x?.networkMs ?? null, 0), 'ms', `< 1000 ms${national}`, (v) => v < 1000);
    add(`report.network.${key}.sqlMs`, `SQL baseline, network, ${span}`, round(x?.networkSqlMs ?? null, 0), 'ms');
    add(`report.network.${key}.ratio`, `Report ÷ SQL, network, ${span}`, x ? round(x.networkMs / x.networkSqlMs, 2) : null, '×', '≤ 1.5×', (v) => v <= 1.5);
    add(`report.trust.${key}.ms`, `Monthly report, largest Trust, ${span}`, round(x?.trustMs ?? null, 0), 'ms');
    add(`report.trust.${key}.ratio`, `Report ÷ SQL, largest Trust, ${span}`, x?.trustMs && x.trustSqlMs ? round(x.trustMs / x.trustSqlMs, 2) : null, '×');
  }
  add('report.sqlMatches', 'SQL baseline gives the report’s numbers', r ? r.difference === null : null, r ? `${r.checked.cells} cells` : '', 'identical');
  add('report.growth', 'Report time, alliance → national (twelve months)', growth ? round(growth.ratio, 1) : null, growth?.dataRatio ? `× for ${round(growth.dataRatio, 1)}× the rows` : '×', '≤ 12× for 10× the data', (v) => v <= 12);
  for (const [key, label] of [['prescribing', 'Prescribing worklist (LVEF overdue, doses without a released prescription)'], ['visits', 'Today’s visits']] as const) {
    const w = h?.worklists[key];
    add(`worklists.${key}.p50`, `${label}, p50 at ${USERS} users`, round(w?.product.p50 ?? null), 'ms');
    add(`worklists.${key}.p99`, `${label}, p99 at ${USERS} users`, round(w?.product.p99 ?? null), 'ms', '< 50 ms', (v) => v < 50);
    add(`worklists.${key}.bare.p50`, `${label}, bare SQL route, p50`, round(w?.bare.p50 ?? null), 'ms');
    add(`worklists.${key}.bare.p99`, `${label}, bare SQL route, p99`, round(w?.bare.p99 ?? null), 'ms');
    add(`worklists.${key}.ratio.p50`, `${label}, route ÷ bare, p50`, w?.product.p50 && w.bare.p50 ? round(w.product.p50 / w.bare.p50, 2) : null, '×');
    add(`worklists.${key}.ratio.p99`, `${label}, route ÷ bare, p99`, w?.product.p99 && w.bare.p99 ? round(w.product.p99 / w.bare.p99, 2) : null, '×');
  }
  const m = h?.mixed;
  add('mixed.p95', `Mixed load, p95 (${USERS} users)`, round(m?.p95 ?? null), 'ms', '< 300 ms', (v) => v < 300);
  add('mixed.p99', `Mixed load, p99 (${USERS} users)`, round(m?.p99 ?? null), 'ms', '< 800 ms', (v) => v < 800);
  add('mixed.errorRate', 'Mixed load, errors', m && m.errorRate !== null ? round(m.errorRate * 100, 3) : null, '%', '< 0.1%', (v) => v < 0.1);
  add('mixed.perSecond', 'Mixed load, requests per second', m?.perSecond ?? null, 'req/s');
  const e = h?.export;
  add('export.rowsPerSecond', 'Administrations export, rows per second', e?.rowsPerSecond ?? null, 'rows/s', '≥ 100,000 rows/s', (v) => v >= 100_000);
  add('export.rows', 'Administrations export, rows', e?.rows ?? null, 'rows');
  add('export.memoryGrowthMb', 'Administrations export, server memory growth', e?.memoryGrowthMb ?? null, 'MB', '< 50 MB (flat)', (v) => v < 50);
  add('export.memoryGrowthSecondHalfMb', 'Administrations export, memory growth in its second half', e?.memoryGrowthSecondHalfMb ?? null, 'MB');
  add('generator.rowsPerSecond', 'Generator throughput', generator ? Math.round(generator.rowsPerSecond) : null, 'rows/s');
  return out;
}

function table(list: Figure[]): string {
  const show = (f: Figure) => (f.value === null ? '—' : typeof f.value === 'boolean' ? `${f.value ? 'yes' : 'NO'}${f.unit ? ` (${f.unit})` : ''}` : `${f.value.toLocaleString('en-GB')} ${f.unit}`.trim());
  const lines = ['| Figure | Value | Target | Result |', '|---|---:|---|---|'];
  for (const f of list) lines.push(`| ${f.label} | ${show(f)} | ${f.target ?? '—'} | ${f.met === null ? '—' : f.met ? 'met' : 'not met'} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const errors: string[] = [];
  const choice = chooseDatabase(opts, readJson<Manifest>(join(root, 'bench-data', `${opts.tier}.json`)));
  const { manifest } = choice;
  const { target } = choice;
  log(`${opts.tier}${opts.quick ? ' (quick)' : ''}: ${target.kind === 'postgres' ? 'PostgreSQL' : `embedded ${target.dir}`}`);
  if (target.kind === 'embedded') await seedEmbedded(target.dir);
  const database = await openBenchDatabase(target);
  let generator: { rowsPerSecond: number; totalRows: number } | null = manifest?.rowsPerSecond ? { rowsPerSecond: manifest.rowsPerSecond, totalRows: manifest.totalRows ?? 0 } : null;
  const empty = !(await scalar<boolean>(database.db, sql`select exists (select 1 from organisations)`));
  if (empty && opts.tier !== 'pilot') throw new Error(`The ${opts.tier} database is empty: run npm run bench:generate -- --tier ${opts.tier} first`);
  if (empty) generator = await generatePilot(database);

  const benchUsers = await scalar<boolean>(database.db, sql`select exists (select 1 from users where username like 'bench-%')`);
  // Generated data has the benchmark's anchor and password; the demo population is dated from the day it was built.
  const anchor = opts.anchor ?? manifest?.anchor ?? (benchUsers ? BENCH_ANCHOR : new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date()));
  const password = process.env.BENCH_PASSWORD ?? manifest?.password ?? (benchUsers ? BENCH_PASSWORD : 'homeward-demo');
  const now = londonTenAm(anchor);
  log(`anchor ${anchor} (the server's clock stands at 10:00 London time)`);
  const fixtures = await discover(database.db, anchor);
  let launched = opts.quick ? launchServer(target, anchor) : null;

  await database.close();
  const measured = await reportsInChild(target, now, fixtures, opts);
  const reports = measured.reports;
  if (measured.error) errors.push(`monthly report: ${measured.error}`);
  if (reports?.difference) errors.push(`The SQL baseline and the report differ: ${reports.difference}`);

  let http: HttpFigures | null = null;
  let server: Server | null = null;
  try {
    log('starting the server');
    launched ??= launchServer(target, anchor);
    server = await launched.start();
    http = await measureServer(server, fixtures, anchor, password, opts, errors);
  } catch (err) {
    errors.push(`server: ${describe(err)}`);
    if (server) log(server.stderr.join('').slice(-2000));
  } finally {
    if (launched) await stopServer(launched.child);
  }

  const results = join(root, 'bench-data', 'results');
  // Growth is judged against the alliance run on the same kind of database when there is one.
  type Saved = { figures: Figure[]; data?: { totalRows?: number | null }; database?: { kind: string } };
  const alliance = opts.tier === 'national' ? (readJson<Saved>(join(results, `alliance-${target.kind}.json`)) ?? readJson<Saved>(join(results, `alliance-${target.kind === 'postgres' ? 'embedded' : 'postgres'}.json`))) : null;
  const allianceMs = alliance?.figures.find((x) => x.id === 'report.network.12m.ms')?.value;
  const national12 = reports?.ranges['12m']?.networkMs;
  const growth = typeof allianceMs === 'number' && national12
    ? { ratio: national12 / allianceMs, dataRatio: alliance?.data?.totalRows && manifest?.totalRows ? manifest.totalRows / alliance.data.totalRows : null, allianceDatabase: alliance?.database?.kind ?? null }
    : null;
  const list = figures(opts.tier, reports, http, generator, growth);
  const doc = {
    tier: opts.tier,
    quick: opts.quick,
    date: new Date().toISOString(),
    machine: machine(),
    database: { kind: target.kind, where: target.kind === 'postgres' ? new URL(target.url).host + new URL(target.url).pathname : target.dir, generatedNow: empty },
    anchor,
    data: { totalRows: manifest?.totalRows ?? generator?.totalRows ?? null, rows: manifest?.rows ?? null, trusts: fixtures.trusts.length, providers: fixtures.providers.length, exportLines: fixtures.exportLines },
    users: USERS,
    seconds: round((performance.now() - started) / 1000, 1),
    figures: list,
    details: {
      reports,
      worklists: http?.worklists ?? null,
      mixed: http?.mixed ?? null,
      export: http?.export ?? null,
      notes: [...(http?.notes ?? []), ...(growth ? [`growth measured against the alliance run on ${growth.allianceDatabase ?? 'an unknown'} database`] : [])],
    },
    errors,
  };
  const json = JSON.stringify(doc, null, 2);
  if (opts.out) writeFileSync(opts.out, json);
  if (!opts.quick && !empty) {
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, `${opts.tier}-${target.kind}.json`), json);
  }
  const text = `\n## Homeward benchmark: ${opts.tier}${opts.quick ? ' (quick)' : ''}, ${target.kind} database, ${doc.machine.cores} × ${doc.machine.cpu}\n\n${table(list)}\n${errors.length ? `\nErrors:\n${errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
  if (opts.json) {
    console.error(text);
    console.log(json);
  } else console.log(text);
  if (choice.temporary) rmSync(choice.temporary, { recursive: true, force: true });
  log(`done in ${doc.seconds} s${errors.length ? ` with ${errors.length} error(s)` : ''}`);
  process.exit(errors.length ? 1 : 0);
}

/**
 * Step 1 runs in a process of its own with Node's default memory limit, the product server's: a report too large for
 * that stops this process (and is reported as an error), not the whole run. It writes its figures after each range.
 */
async function reportsInChild(target: BenchDatabase, now: Date, fixtures: Fixtures, opts: Options): Promise<{ reports: ReportFigures | null; error: string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'homeward-bench-reports-'));
  const file = join(dir, 'job.json');
  writeFileSync(file, JSON.stringify({ target, now: now.toISOString(), fixtures, opts }));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), '--reports-child', file], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const reports = readJson<ReportFigures>(`${file}.out`);
    if (code === 0) return { reports, error: null };
    const reason = /heap out of memory/.test(tail) ? 'the report ran out of memory (Node’s default heap, as the server has)' : (/\[bench[^\]]*\] failed: (.*)/.exec(tail)?.[1] ?? `the measuring process stopped (exit ${code})`);
    return { reports, error: reason };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function reportsChild(file: string): Promise<void> {
  const job = JSON.parse(readFileSync(file, 'utf8')) as { target: BenchDatabase; now: string; fixtures: Fixtures; opts: Options };
  const database = await openBenchDatabase(job.target);
  try {
    const write = (r: ReportFigures) => writeFileSync(`${file}.out`, JSON.stringify(r));
    write(await measureReports(database.db, job.fixtures, new Date(job.now), job.opts, write));
  } finally {
    await database.close();
  }
}

await (process.argv[2] === '--reports-child' ? reportsChild(process.argv[3]!) : main()).catch((err: unknown) => {
  console.error(`[bench] failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
