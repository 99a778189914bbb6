/**
 * The benchmark's synthetic data: a network of Trusts, units and home-care providers and its patients' 24 months on the
 * home pathway, seeded and deterministic, written through COPY on one connection.
 *
 * Two passes over the patients. The first plans each patient's pathway (cheap, no rows) to size the providers' nursing
 * teams and calibrate the regimen mix so the tier's dose volume is reached; the second replays the same plans and
 * writes every row. For the load the database's triggers and foreign-key checks are switched off (when the loading user
 * may) and the large tables' secondary indexes are dropped and built again at the end: the data is valid by
 * construction, and building an index once is far cheaper than updating it ten million times.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ROLE_PURPOSE } from '../../src/access/roles.ts';
import { hashPassword } from '../../src/identity/secrets.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { REGIMEN_LIBRARY } from '../../src/prescribing/regimen-library.ts';
import { BENCH_ANCHOR, BENCH_MONTHS, BENCH_PASSWORD, TIERS, type Tier } from '../tiers.ts';
import { dayOf, monthsUpTo } from './dates.ts';
import { IdSource } from './ids.ts';
import { openLoader, type Loader } from './loader.ts';
import { buildNetwork, layoutFor, trustPicker } from './network.ts';
import { courseDays, dosesBefore, REGIMEN_CODES, type PatientIds, writePatient } from './patient.ts';
import { NhsNumbers } from './people.ts';
import { planPatient, type Plan } from './plan.ts';
import { Rng, seedFor } from './random.ts';
import { expansions, STAGE_DDL, type Expansion } from './stage.ts';
import { BULK_TABLES, EARLY_TABLES, LATE_TABLES, makeTables, TABLE_NAMES, type TableName, type Tables } from './tables.ts';

export interface Progress {
  step: string;
  done: number;
  total: number;
  /** Rows written so far (all tables). */
  rows?: number;
}

export interface GenerateOptions {
  tier: Tier;
  seed?: number;
  onProgress?: (p: Progress) => void;
  /** Where to write the manifest; null writes none. Default bench-data/<tier>.json. */
  manifestPath?: string | null;
  /** Patients per batch written (default 1,000). */
  batchPatients?: number;
  /** Update the planner's statistics at the end (default true; tests skip it). */
  analyze?: boolean;
}

export interface GenerateResult {
  rows: Record<string, number>;
  totalRows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface Manifest extends GenerateResult {
  tier: Tier;
  seed: number;
  anchor: string;
  database: 'embedded' | 'postgres';
  months: string[];
  trusts: { id: string; name: string; units: string[] }[];
  providers: { id: string; name: string }[];
  users: Record<string, string[]>;
  password: string;
  /** The regimen mix the calibration chose: the share of courses on weekly IV trastuzumab. */
  weeklyShare: number;
  generatedAt: string;
}

/** Thrown when the target database already holds data: the generator only fills an empty one. */
export class NotEmptyError extends Error {}

const DEFAULT_SEED = 42;
/** A nurse looks after about this many patients on treatment at home. */
const CASELOAD = 30;

export async function generate(database: Database, opts: GenerateOptions): Promise<Manifest> {
  const started = performance.now();
  const spec = TIERS[opts.tier];
  const seed = opts.seed ?? DEFAULT_SEED;
  const progress = opts.onProgress ?? (() => undefined);
  const anchor = dayOf(BENCH_ANCHOR);
  const months = monthsUpTo(anchor, BENCH_MONTHS);
  const first = dayOf(`${months[0]}-01`);
  const layout = layoutFor(spec.trusts, spec.units, seed);
  const pick = trustPicker(layout);
  const planOf = (i: number): Plan => planPatient(new Rng(seedFor(seed, i, 1)), first, anchor - first, pick);

  const loader = await openLoader(database);
  try {
    const [existing] = await loader.query<{ patients: number; organisations: number }>('select (select count(*) from patients)::int as patients, (select count(*) from organisations)::int as organisations');
    if (existing && (existing.patients > 0 || existing.organisations > 0)) {
      throw new NotEmptyError(
        `The database already holds data (${existing.patients} patients, ${existing.organisations} organisations). The benchmark generator fills an empty database only: ` +
          (database.kind === 'embedded' ? 'run it with --reset to delete the embedded data folder first.' : 'create a fresh PostgreSQL database and point DATABASE_URL at it.'),
      );
    }

    // ---- Pass 1: plans only. How many doses each patient would have on each regimen, and each provider's caseload.
    const weekly = REGIMEN_LIBRARY[REGIMEN_CODES.weekly]!;
    const threeWeekly = REGIMEN_LIBRARY[REGIMEN_CODES.iv3]!;
    let dosesIfThreeWeekly = 0;
    let dosesIfWeekly = 0;
    const caseload = new Array<number>(layout.providers).fill(0);
    for (let i = 0; i < spec.patients; i++) {
      const plan = planOf(i);
      dosesIfThreeWeekly += dosesBefore(plan, threeWeekly, anchor);
      dosesIfWeekly += dosesBefore(plan, weekly, anchor);
      if (plan.accept >= 0 && plan.ending === 'none' && courseDays(plan, threeWeekly).lastDue >= anchor) caseload[plan.trust % layout.providers]!++;
      if (i % 50_000 === 0) progress({ step: 'plan', done: i, total: spec.patients });
    }
    progress({ step: 'plan', done: spec.patients, total: spec.patients });
    // The tiers are sized by doses given; a 3-weekly course gives at most 18 a year, so the rest come from weekly courses.
    const weeklyShare = Math.round(Math.min(0.95, Math.max(0, (spec.administrations - dosesIfThreeWeekly) / Math.max(1, dosesIfWeekly - dosesIfThreeWeekly))) * 1000) / 1000;
    const nursesPerProvider = caseload.map((n) => Math.max(1, Math.ceil(n / CASELOAD)));

    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const t = makeTables();
    const idSource = (name: TableName) => new IdSource(TABLE_NAMES.indexOf(name) + 1, seed);
    const net = buildNetwork(t, { organisations: idSource('organisations'), units: idSource('units'), agreements: idSource('agreements'), users: idSource('users'), regimens: idSource('regimens') }, layout, {
      since: first - 60,
      passwordHash,
      nursesPerProvider,
    });
    const ids = Object.fromEntries(BULK_TABLES.map((name) => [name, idSource(name)])) as PatientIds;

    const counts: Record<string, number> = Object.fromEntries(TABLE_NAMES.map((name) => [name, 0]));
    const plan = expansions({
      courses: ids.treatment_courses,
      cycles: ids.cycles,
      prescriptions: ids.prescriptions,
      events: ids.prescription_events,
      weights: ids.weights,
      overrides: ids.dose_overrides,
      administrations: ids.administrations,
      visits: ids.visits,
      checks: ids.visit_checks,
    });
    const indexes = await prepare(loader);
    let pending: Promise<void> = Promise.resolve();
    try {
      await writeBatch(loader, t, plan, counts);
      const writer = { t, ids, net, anchor, weeklyShare, nhs: new NhsNumbers(seed), nurseOf: (i: number, p: number) => seedFor(seed, i, 7) % net.providers[p]!.nurses.length };
      const batch = opts.batchPatients ?? 1_000;
      for (let i = 0; i < spec.patients; i++) {
        writePatient(writer, i, planOf(i), new Rng(seedFor(seed, i, 2)));
        if ((i + 1) % batch === 0 || i + 1 === spec.patients) {
          // Overlap: the database takes this batch while the next one is generated.
          await pending;
          pending = writeBatch(loader, t, plan, counts).then(() => progress({ step: 'patients', done: i + 1, total: spec.patients, rows: sum(counts) }));
        }
      }
      await pending;
    } finally {
      // A batch still being written must finish (or fail) before the indexes are built again on the same connection.
      await pending.catch(() => undefined);
      await restore(loader, indexes, progress);
    }
    const rows = counts;
    const totalRows = sum(rows);
    // One audit row says what was loaded; the trigger chains it like any other.
    await loader.query(
      `insert into audit_log (at, user_id, username, org_id, role, action, outcome, purpose, detail) values (now(), $1, 'bench-admin', $2, 'admin', 'data:bulk-load', 'success', $3, $4::jsonb)`,
      [net.admin, net.networkId, ROLE_PURPOSE.admin, JSON.stringify({ tier: opts.tier, seed, anchor: BENCH_ANCHOR, rows: totalRows })],
    );
    if (opts.analyze !== false) {
      progress({ step: 'analyze', done: 0, total: 1 });
      await loader.exec('ANALYZE');
      progress({ step: 'analyze', done: 1, total: 1 });
    }

    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const manifest: Manifest = {
      tier: opts.tier,
      seed,
      anchor: BENCH_ANCHOR,
      database: database.kind,
      months,
      trusts: net.trusts.map((x) => ({ id: x.id, name: x.name, units: x.units.map((u) => u.id) })),
      providers: net.providers.map((x) => ({ id: x.id, name: x.name })),
      users: net.usernames,
      password: BENCH_PASSWORD,
      weeklyShare,
      rows,
      totalRows,
      seconds,
      rowsPerSecond: Math.round(totalRows / Math.max(seconds, 0.001)),
      generatedAt: new Date().toISOString(),
    };
    const path = opts.manifestPath === undefined ? `bench-data/${opts.tier}.json` : opts.manifestPath;
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    return manifest;
  } finally {
    await loader.release();
  }
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * One batch: the tables written row by row, the stage, the stage expanded, then the rows that point into what the
 * expansion created. The buffers are emptied at once (synchronously), so the next batch can be generated meanwhile.
 */
function writeBatch(loader: Loader, t: Tables, plan: { before: Expansion[]; after: Expansion[] }, counts: Record<string, number>): Promise<void> {
  const take = (names: readonly (keyof Tables)[]) => names.map((name) => ({ name, columns: t[name].columns, ...t[name].take() }));
  const early = take(EARLY_TABLES);
  const stage = take(['course_stage', 'cycle_stage']);
  const late = take(LATE_TABLES);
  const copy = async (batches: typeof early) => {
    for (const b of batches) {
      await loader.copy(b.name, b.columns, b.text);
      if (b.name in counts) counts[b.name]! += b.count;
    }
  };
  const expand = async (list: Expansion[]) => {
    for (const e of list) counts[e.table]! += await loader.run(e.sql);
  };
  return (async () => {
    await copy(early);
    if (stage[1]!.count) {
      await copy(stage);
      await expand(plan.before);
    }
    await copy(late);
    if (stage[1]!.count) {
      await expand(plan.after);
      await loader.exec('TRUNCATE cycle_stage, course_stage');
    }
  })();
}

interface SavedIndex {
  name: string;
  def: string;
}

/** Switches off triggers and foreign-key checks (superusers only) and drops the large tables' secondary indexes. */
async function prepare(loader: Loader): Promise<SavedIndex[]> {
  if (loader.superuser) await loader.exec('SET session_replication_role = replica');
  if (loader.kind === 'postgres') await loader.exec("SET synchronous_commit = off; SET maintenance_work_mem = '512MB'");
  const saved = await loader.query<SavedIndex>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i join pg_class c on c.oid = i.indrelid
      where c.relnamespace = 'public'::regnamespace and c.relname = any($1::text[])
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
      order by 1`,
    [BULK_TABLES],
  );
  for (const ix of saved) await loader.exec(`DROP INDEX ${ix.name}`);
  await loader.exec(STAGE_DDL);
  return saved;
}

/** Builds the dropped indexes again (which also checks every unique rule the data must keep) and restores the checks. */
async function restore(loader: Loader, indexes: SavedIndex[], progress: (p: Progress) => void): Promise<void> {
  for (const [k, ix] of indexes.entries()) {
    progress({ step: 'indexes', done: k, total: indexes.length });
    await loader.exec(ix.def);
  }
  progress({ step: 'indexes', done: indexes.length, total: indexes.length });
  await loader.exec('DROP TABLE IF EXISTS cycle_stage, course_stage');
  if (loader.superuser) await loader.exec('SET session_replication_role = origin');
  if (loader.kind === 'postgres') await loader.exec('RESET synchronous_commit; RESET maintenance_work_mem');
}
