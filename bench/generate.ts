// `npm run bench:generate -- --tier pilot|alliance|national [--seed 42] [--reset]`: fills an empty database with the
// benchmark's synthetic data. DATABASE_URL set → that PostgreSQL database; unset → embedded PGlite in bench-data/<tier>/.
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/open.ts';
import { generate, NotEmptyError, type Progress } from './gen/index.ts';
import { isTier, TIER_NAMES, TIERS } from './tiers.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({
  options: { tier: { type: 'string' }, seed: { type: 'string' }, reset: { type: 'boolean', default: false } },
  allowPositionals: false,
});
const tier = values.tier ?? '';
if (!isTier(tier)) fail(`Choose a tier with --tier ${TIER_NAMES.join('|')}`);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !Number.isInteger(seed)) fail('--seed must be a whole number');
const url = process.env.DATABASE_URL || undefined;
const spec = TIERS[tier];
if (!url && !spec.embeddedAllowed) fail(`The ${tier} tier is too large for the embedded database: set DATABASE_URL to an empty PostgreSQL database.`);
if (url && values.reset) fail('--reset only deletes the embedded data folder. For PostgreSQL, create a fresh database and point DATABASE_URL at it.');

const dataDir = `bench-data/${tier}`;
if (!url && values.reset && existsSync(dataDir)) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`Deleted ${dataDir}`);
}

let started = performance.now();
let counting = false;
const fmt = (n: number) => n.toLocaleString('en-GB');
let lastLine = 0;
const onProgress = (p: Progress) => {
  const now = performance.now();
  // Rates count from the first batch, not from opening (and migrating) the database.
  if (!counting) {
    counting = true;
    started = now;
  }
  const seconds = (now - started) / 1000;
  // A line per batch would flood the national run: at most one every 2 seconds, and always the last of a step.
  if (p.done !== p.total && now - lastLine < 2000) return;
  lastLine = now;
  const rate = p.rows !== undefined ? `, ${fmt(p.rows)} rows, ${fmt(Math.round(p.rows / Math.max(seconds, 0.001)))} rows/s` : '';
  console.log(`[${p.step}] ${fmt(p.done)}/${fmt(p.total)}${p.total ? ` (${Math.floor((100 * p.done) / p.total)}%)` : ''}${rate}, ${seconds.toFixed(1)} s`);
};

console.log(
  `Generating the ${tier} tier (${fmt(spec.trusts)} Trusts, ${fmt(spec.units)} units, ${fmt(spec.patients)} patients, about ${fmt(spec.administrations)} doses) into ${url ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${dataDir}/`}`,
);
const database = await openDatabase(readConfig({ ...process.env, DATA_DIR: dataDir }));
try {
  const m = await generate(database, { tier, seed, onProgress });
  console.table(Object.fromEntries(Object.entries(m.rows).map(([table, n]) => [table, { rows: n }])));
  console.log(`${fmt(m.totalRows)} rows in ${m.seconds} s: ${fmt(m.rowsPerSecond)} rows/s (seed ${m.seed}, anchor ${m.anchor}, weekly IV share ${m.weeklyShare}).`);
  console.log(`Manifest: bench-data/${tier}.json. Every account's password is ${m.password}.`);
} catch (err) {
  if (err instanceof NotEmptyError) fail(err.message);
  throw err;
} finally {
  await database.close();
}
